"""Reading cell values the way people type them. Pure functions, no I/O.

Each parser takes a raw cell value (what a backend read: ``None``, ``str``, ``int``,
``float``, ``bool``, ``date``, ``datetime``, :class:`CellError` or
:class:`UncomputedFormula`) and returns a typed value, or raises :class:`ValueProblem`
whose message says what is wrong with the value in words a marketer understands, in
English and in Russian (``exc.message(lang)``; ``str(exc)`` is the English), with a stable
``code`` (``bad_value``, ``percent_in_amount``, ``ambiguous_number``, ...). Callers add the
cell address.

A text is read only when the workbook's number format gives it one reading: in the ``ru``
format a single dot followed by exactly three digits (``1.234``) may be a thousands
separator or a decimal point, so it is refused with both readings named.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sheetops.templates.model import Text

EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers Excel accepts as dates: 1900-01-01 .. 9999-12-31.
MIN_SERIAL, MAX_SERIAL = 1, 2_958_465

_CURRENCY = re.compile(r"(?i)(₽|\$|€|£|¥|₴|₸|\brub\b|\busd\b|\beur\b|руб\.?|р\.)")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
_EN_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[+-]?\.\d+$")
_RU_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$|^[+-]?\d+\.\d+$|^[+-]?,\d+$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DOT_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_THRESHOLD_TARGET = re.compile(r"^(?:target|цель)\s*(?:\*\s*(.+))?$", re.IGNORECASE)
# In the ru format, a dot with exactly three digits after it and one to three (not a lone
# 0) before it reads as a thousands separator (1.234 = 1 234) and as a decimal point.
_RU_AMBIGUOUS = re.compile(r"^[+-]?([1-9]\d{0,2})\.(\d{3})$")
_FACTOR = re.compile(r"^(\d+)(?:([.,])(\d+))?$")
_NON_PRINTING_SPACES = re.compile(r"[\u00a0\u202f\u2009\u2007\t\r\n]")


def quote(text: object, lang: str) -> str:
    """User text quoted for a message, as typed: '1 234,5' in English, «1 234,5» in Russian.

    Never a Python repr: no backslash escapes; non-printing spaces show as ordinary ones.
    """
    shown = _NON_PRINTING_SPACES.sub(" ", str(text))
    return f"«{shown}»" if lang == "ru" else f"'{shown}'"


@dataclass(frozen=True)
class CellError:
    """A spreadsheet error value such as ``#DIV/0!`` or ``#REF!``."""

    code: str

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class UncomputedFormula:
    """A cell holding a formula whose result was never saved (what scripts and openpyxl write)."""

    formula: str = ""

    def __str__(self) -> str:
        return f"={self.formula}" if self.formula else "="


CellValue = (
    None | str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | CellError | UncomputedFormula
)

UNCOMPUTED = Text(
    "the cell holds a formula whose result was never saved; open and save the workbook in Excel or LibreOffice "
    "so its formulas are computed",
    "в ячейке формула, результат которой не сохранён; откройте книгу в Excel или LibreOffice и сохраните её, "
    "чтобы формулы были посчитаны",
)


class ValueProblem(ValueError):
    """A cell value that cannot be read as what its column takes, said in each language.

    ``code`` is the finding's stable kind: ``bad_value`` unless said otherwise.
    """

    def __init__(self, *, en: str, ru: str, code: str = "bad_value") -> None:
        super().__init__(en)
        self.text = Text(en, ru)
        self.code = code

    def message(self, lang: str) -> str:
        return self.text[lang]


_TYPE_DATE = Text("type a date such as 2026-11-23", "введите дату, например 23.11.2026")


WEEKDAYS: tuple[Text, ...] = (
    Text("Monday", "понедельник"),
    Text("Tuesday", "вторник"),
    Text("Wednesday", "среда"),
    Text("Thursday", "четверг"),
    Text("Friday", "пятница"),
    Text("Saturday", "суббота"),
    Text("Sunday", "воскресенье"),
)


def weekday_name(day: dt.date, lang: str) -> str:
    """The day of the week for messages: Monday, понедельник."""
    return WEEKDAYS[day.weekday()][lang]


def show_date(day: dt.date, lang: str) -> str:
    """A date in a message: 2026-11-23 in English, 23.11.2026 in Russian."""
    return day.strftime("%d.%m.%Y") if lang == "ru" else day.isoformat()


def is_blank(value: CellValue) -> bool:
    """True for a cell with nothing in it (an empty string or spaces count as nothing)."""
    return value is None or (isinstance(value, str) and not value.strip())


def uncomputed(value: UncomputedFormula) -> ValueProblem:
    """The problem of a formula cell without a saved result."""
    return ValueProblem(en=UNCOMPUTED.en, ru=UNCOMPUTED.ru, code="uncomputed_formula")


def _typed_percent(value: CellValue) -> bool:
    return isinstance(value, str) and _SPACES.sub("", _CURRENCY.sub("", value)).endswith("%")


def parse_amount(value: CellValue, *, decimal_comma: bool = False) -> float:
    """Money or a count: a number as :func:`parse_number` reads it, but never a percentage.

    12% typed in a money or count column is a slip (a share typed in the wrong column, or
    the wrong column chosen), never 0.12 of money.
    """
    if _typed_percent(value):
        raise ValueProblem(
            en=f"{quote(value, 'en')} is a percentage, but this column takes money or a count; "
            "type the amount itself, e.g. 1200",
            ru=f"{quote(value, 'ru')} — это процент, а в этом столбце деньги или количество; "
            "введите само число, например 1200",
            code="percent_in_amount",
        )
    return parse_number(value, decimal_comma=decimal_comma)


def parse_number(value: CellValue, *, decimal_comma: bool = False) -> float:
    """A number typed as 1234.5, 1,234.5, 1 234,5 (with ``decimal_comma``), 12%, $1,200."""
    if isinstance(value, UncomputedFormula):
        raise uncomputed(value)
    if isinstance(value, CellError):
        raise ValueProblem(
            en=f"the cell shows the error {value.code}; fix the formula or type a number",
            ru=f"в ячейке ошибка {value.code}; исправьте формулу или введите число",
        )
    if isinstance(value, bool):
        raise ValueProblem(
            en=f"expected a number, found {'TRUE' if value else 'FALSE'}",
            ru=f"нужно число, а в ячейке {'ИСТИНА' if value else 'ЛОЖЬ'}",
        )
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueProblem(en="expected a number", ru="нужно число")
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        raise ValueProblem(
            en=f"expected a number, found the date {value:%Y-%m-%d}",
            ru=f"нужно число, а в ячейке дата {value:%d.%m.%Y}",
        )
    if isinstance(value, (dt.time, dt.timedelta)):
        raise ValueProblem(en=f"expected a number, found the time {value}", ru=f"нужно число, а в ячейке время {value}")
    if value is None:
        raise ValueProblem(en="expected a number, the cell is empty", ru="нужно число, а ячейка пустая")
    text = _SPACES.sub("", _CURRENCY.sub("", str(value)))
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    text = text.replace("\u2212", "-")
    pattern = _RU_NUMBER if decimal_comma else _EN_NUMBER
    if not text or not pattern.match(text):
        hint = (
            Text(
                "numbers are read with a decimal comma (Settings: Number format = ru), e.g. 1 234,5",
                "числа читаются с десятичной запятой (Настройки: Формат чисел = ru), например 1 234,5",
            )
            if decimal_comma
            else Text(
                "numbers are read with a decimal point (Settings: Number format = en), e.g. 1,234.5",
                "числа читаются с десятичной точкой (Настройки: Формат чисел = en), например 1,234.5",
            )
        )
        raise ValueProblem(
            en=f"cannot read {quote(value, 'en')} as a number; {hint.en}",
            ru=f"{quote(value, 'ru')} не читается как число; {hint.ru}",
        )
    if decimal_comma:
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif text.count(".") > 1:
            text = text.replace(".", "")  # 1.234.567: dots as thousands separators
        elif m := _RU_AMBIGUOUS.match(text):
            raise _ambiguous(value, m[1], m[2])
    else:
        text = text.replace(",", "")
    number = float(text)
    if negative:
        number = -number
    return number / 100 if percent else number


def _ambiguous(value: CellValue, whole: str, part: str) -> ValueProblem:
    """1.234 in the ru format: a thousand and more, or just over one."""
    sign = "-" if str(value).strip().startswith(("-", "\u2212")) else ""
    thousands_ru, decimal_ru = f"{sign}{whole}\u00a0{part}", f"{sign}{whole},{part}"
    return ValueProblem(
        en=f"{quote(value, 'en')} can be read two ways: {sign}{whole}{part} (a dot between thousands) or "
        f"{sign}{whole}.{part} (a decimal point); the Number format is ru, where the decimal separator is a comma: "
        f"type {sign}{whole}{part} or {decimal_ru}",
        ru=f"{quote(value, 'ru')} можно прочитать двояко: {thousands_ru} (точка между тысячами) или {decimal_ru} "
        f"(точка вместо запятой); введите {sign}{whole}{part} или {decimal_ru}",
        code="ambiguous_number",
    )


def parse_percent(value: CellValue, *, decimal_comma: bool = False) -> float:
    """A share as a fraction: 12% and 0.12 both give 0.12; a bare 12 (more than 1) means 12%."""
    number = parse_number(value, decimal_comma=decimal_comma)
    typed_percent = isinstance(value, str) and value.strip().endswith("%")
    if not typed_percent and abs(number) > 1:
        return number / 100
    return number


def parse_date(value: CellValue, *, day_first: bool = True) -> dt.date:
    """A date from a date cell, an Excel serial number, 2026-11-23 or 23.11.2026."""
    if isinstance(value, UncomputedFormula):
        raise uncomputed(value)
    if isinstance(value, CellError):
        raise ValueProblem(
            en=f"the cell shows the error {value.code}; {_TYPE_DATE.en}",
            ru=f"в ячейке ошибка {value.code}; {_TYPE_DATE.ru}",
        )
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueProblem(en="expected a date such as 2026-11-23", ru="нужна дата, например 23.11.2026")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value != int(value) or not MIN_SERIAL <= value <= MAX_SERIAL:
            raise ValueProblem(
                en=f"cannot read {quote(f'{value:g}', 'en')} as a date; {_TYPE_DATE.en}",
                ru=f"{quote(f'{value:g}', 'ru')} не читается как дата; {_TYPE_DATE.ru}",
            )
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = str(value).strip()
    try:
        if m := _ISO_DATE.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DOT_DATE.match(text):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if m := _SLASH_DATE.match(text):
            day, month = (m[1], m[2]) if day_first else (m[2], m[1])
            return dt.date(int(m[3]), int(month), int(day))
        if re.fullmatch(r"\d+(\.0+)?", text):
            return parse_date(float(text))
    except ValueError:
        pass
    raise ValueProblem(
        en=f"cannot read {quote(text, 'en')} as a date; type a date such as 2026-11-23 or 23.11.2026",
        ru=f"{quote(text, 'ru')} не читается как дата; введите дату, например 23.11.2026 или 2026-11-23",
    )


_MONTHS = (
    Text("January", "января"), Text("February", "февраля"), Text("March", "марта"), Text("April", "апреля"),
    Text("May", "мая"), Text("June", "июня"), Text("July", "июля"), Text("August", "августа"),
    Text("September", "сентября"), Text("October", "октября"), Text("November", "ноября"),
    Text("December", "декабря"),
)


def _spelled(day: dt.date, lang: str) -> str:
    """12 January 2026, 12 января 2026."""
    return f"{day.day} {_MONTHS[day.month - 1][lang]} {day.year}"


def parse_as_of(text: str) -> dt.date:
    """The ``--as-of`` date: 2026-11-27, 27.11.2026, or 27/11/2026 and 11/27/2026 when only one
    reading is a date; 12/01/2026 (12 January or 1 December) is refused with both readings."""
    typed = text.strip()
    if m := _SLASH_DATE.match(typed):
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        readings = []
        for day, month in ((first, second), (second, first)):
            try:
                found = dt.date(year, month, day)
            except ValueError:
                continue
            if found not in readings:
                readings.append(found)
        if len(readings) == 1:
            return readings[0]
        if len(readings) == 2:
            a, b = readings
            raise ValueProblem(
                en=f"{quote(typed, 'en')} can be read as {_spelled(a, 'en')} or {_spelled(b, 'en')}; "
                f"write {a.isoformat()} or {b.isoformat()}",
                ru=f"{quote(typed, 'ru')} можно прочитать как {_spelled(a, 'ru')} или {_spelled(b, 'ru')}; "
                f"напишите {a.isoformat()} или {b.isoformat()}",
                code="ambiguous_date",
            )
    elif _ISO_DATE.match(typed) or _DOT_DATE.match(typed):
        return parse_date(typed)
    raise ValueProblem(
        en=f"cannot read {quote(typed, 'en')} as a date; write it as 2026-11-27 or 27.11.2026",
        ru=f"{quote(typed, 'ru')} не читается как дата; напишите её как 2026-11-27 или 27.11.2026",
        code="bad_date",
    )


def parse_integer(value: CellValue, *, decimal_comma: bool = False) -> int:
    number = parse_number(value, decimal_comma=decimal_comma)
    if number != int(number):
        raise ValueProblem(
            en=f"expected a whole number, found {number:g}",
            ru=f"нужно целое число, а не {number:g}".replace(".", ","),
        )
    return int(number)


# Two numbers equal to this many significant digits are equal to a person: a CPA of exactly
# 110 meets ">= target*1.1" with a target of 100, whatever binary floating point says.
SIGNIFICANT_DIGITS = 9
RELATIVE_TOLERANCE = 10.0 ** -SIGNIFICANT_DIGITS


def same_number(a: float, b: float) -> bool:
    """True when ``a`` and ``b`` are equal to :data:`SIGNIFICANT_DIGITS` significant digits."""
    return a == b or math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE)


def _decimal(number: float) -> Decimal:
    """A float as the decimal it was typed as: its shortest repr (0.1, not 0.1000000000000000055)."""
    return Decimal(repr(number))


@dataclass(frozen=True)
class Threshold:
    """A stop-rule threshold: a fixed number, or the channel's target times a factor.

    ``typed`` is the threshold as typed in the cell (``target*1.1``, ``1%``), for messages;
    ``factor_text`` the factor's digits with a decimal point (``1.1``), so that the
    threshold is computed in decimal arithmetic, as a person would.
    """

    value: float | None  # the number, for a fixed threshold
    factor: float | None = None  # for a target threshold: target x factor
    typed: str = field(default="", compare=False)
    factor_text: str | None = field(default=None, compare=False)

    @property
    def uses_target(self) -> bool:
        return self.value is None

    def resolve(self, target: float | None) -> float | None:
        """The number to compare with; None when it needs a target the channel lacks.

        target x factor is computed in decimal: 100 x 1.1 is 110, not 110.00000000000001.
        """
        if self.value is not None:
            return self.value
        if target is None:
            return None
        try:
            factor = Decimal(self.factor_text) if self.factor_text else _decimal(self.factor or 1.0)
        except InvalidOperation:
            factor = _decimal(self.factor or 1.0)
        return float(_decimal(target) * factor)


def _factor(text: str, *, decimal_comma: bool) -> tuple[float, str]:
    """The factor of target*1.2 / цель*1,2: either decimal separator in any workbook.

    1,125 in an English workbook (comma: thousands) and 1.125 in a Russian one (dot:
    thousands) can be read two ways and are refused.
    """
    m = _FACTOR.match(_SPACES.sub("", text))
    if m is None:
        raise ValueProblem(en="not a factor", ru="не множитель")
    whole, separator, part = m[1], m[2], m[3]
    if separator is not None:
        thousands = "." if decimal_comma else ","
        if separator == thousands and len(part) == 3 and 1 <= len(whole) <= 3 and whole[0] != "0":
            ambiguous = f"{whole}{separator}{part}"
            raise ValueProblem(
                en=f"the factor {quote(ambiguous, 'en')} can be read as {whole}{part} or as {whole}.{part}; "
                f"type {whole}.{part} for the factor",
                ru=f"множитель {quote(ambiguous, 'ru')} можно прочитать как {whole}{part} или как {whole},{part}; "
                f"введите {whole},{part}",
                code="ambiguous_number",
            )
    digits = f"{whole}.{part}" if separator is not None else whole
    return float(digits), digits


def parse_threshold(value: CellValue, *, decimal_comma: bool = False) -> Threshold:
    """A number (150), a percentage (1%), or ``target`` optionally times a factor (target*1.2).

    The factor may be written with a decimal point or comma in any workbook (1.2, 1,2).
    """
    if isinstance(value, UncomputedFormula):
        raise uncomputed(value)
    typed = " ".join(str(value).split()) if value is not None else ""
    if isinstance(value, str):
        text = value.strip()
        if m := _THRESHOLD_TARGET.match(text):
            if m[1] is None:
                return Threshold(None, 1.0, typed)
            try:
                factor, digits = _factor(m[1], decimal_comma=decimal_comma)
            except ValueProblem as exc:
                if exc.code == "ambiguous_number":
                    raise
                raise ValueProblem(
                    en=f"cannot read the factor in {quote(text, 'en')}; write target, target*1.2 or a number",
                    ru=f"не читается множитель в {quote(text, 'ru')}; напишите цель, цель*1,2 или число",
                ) from None
            return Threshold(None, factor, typed, digits)
    try:
        return Threshold(parse_number(value, decimal_comma=decimal_comma), typed=typed)
    except ValueProblem as exc:
        if exc.code != "bad_value":
            raise
        raise ValueProblem(
            en=f"cannot read {quote(typed, 'en')} as a threshold; write a number (150), a percentage (1%), "
            "target, or target times a factor (target*1.2)",
            ru=f"{quote(typed, 'ru')} не читается как порог; напишите число (150), процент (1%), "
            "цель или цель с множителем (цель*1,2)",
        ) from None
