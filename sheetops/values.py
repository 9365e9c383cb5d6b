"""Reading cell values the way people type them. Pure functions, no I/O.

Each parser takes a raw cell value (what a backend read: ``None``, ``str``, ``int``,
``float``, ``bool``, ``date``, ``datetime``, :class:`CellError` or
:class:`UncomputedFormula`) and returns a typed value, or raises :class:`ValueProblem`
whose message says what is wrong with the value in words a marketer understands, in
each language (``exc.message(lang)``, from the message catalogs; ``str(exc)`` is the
English), with a stable ``code`` (``bad_value``, ``percent_in_amount``, ``ambiguous_number``,
...). Callers add the cell address.

A text is read only when the workbook's number format gives it one reading: in the ``ru``
format a single dot followed by exactly three digits (``1.234``) may be a thousands
separator or a decimal point, so it is refused with both readings named.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sheetops.messages import FALLBACK as ENGLISH
from sheetops.messages import message

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


def printable(text: object) -> str:
    """User text as typed, for a message: never a Python repr, no backslash escapes;
    non-printing spaces (a no-break space, a tab) show as ordinary ones."""
    return _NON_PRINTING_SPACES.sub(" ", str(text))


def quote(text: object, lang: str) -> str:
    """User text quoted for a message, as typed: '1 234,5' in English, «1 234,5» in Russian.

    For a value shown quoted or not (a list of names, a setting's default); a message that
    always quotes a value has the quote marks in its own text.
    """
    return message("quoted", lang, text=printable(text))


def show_decimal(number: str, lang: str) -> str:
    """A number with a decimal point (1.5), shown with the language's separator: 1,5 in Russian."""
    return number.replace(".", message("number.decimal_separator", lang))


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

# A value a message shows differently in each language (a date, a decimal number): given
# the language, it gives the text to show.
InLanguage = Callable[[str], object]


class ValueProblem(ValueError):
    """A cell value that cannot be read as what its column takes.

    ``key`` names its message in the catalogs (``value.not_a_number``), ``values`` fill it
    in; a value that is shown differently in each language is an :data:`InLanguage`
    function of the language. ``message(lang)`` is the text in a language, ``str(exc)`` the
    English. ``code`` is the finding's stable kind: ``bad_value`` unless said otherwise.
    """

    def __init__(self, key: str, /, *, code: str = "bad_value", **values: object) -> None:
        self.key = key
        self.code = code
        self.values = values
        super().__init__(self.message(ENGLISH))

    def message(self, lang: str) -> str:
        filled = {name: value(lang) if callable(value) else value for name, value in self.values.items()}
        return message(self.key, lang, **filled)


# The days of the week, Monday first (as ``date.weekday()`` counts): their message keys.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# The months, January first: their message keys ("12 January 2026").
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)


def weekday_name(day: dt.date, lang: str) -> str:
    """The day of the week for messages: Monday, понедельник."""
    return message(f"weekday.{WEEKDAYS[day.weekday()]}", lang)


def show_date(day: dt.date, lang: str) -> str:
    """A date in a message: 2026-11-23 in English, 23.11.2026 in Russian."""
    return day.strftime("%d.%m.%Y") if lang == "ru" else day.isoformat()


def is_blank(value: CellValue) -> bool:
    """True for a cell with nothing in it (an empty string or spaces count as nothing)."""
    return value is None or (isinstance(value, str) and not value.strip())


def uncomputed(value: UncomputedFormula) -> ValueProblem:
    """The problem of a formula cell without a saved result."""
    return ValueProblem("value.uncomputed_formula", code="uncomputed_formula")


def _typed_percent(value: CellValue) -> bool:
    return isinstance(value, str) and _SPACES.sub("", _CURRENCY.sub("", value)).endswith("%")


def parse_amount(value: CellValue, *, decimal_comma: bool = False) -> float:
    """Money or a count: a number as :func:`parse_number` reads it, but never a percentage.

    12% typed in a money or count column is a slip (a share typed in the wrong column, or
    the wrong column chosen), never 0.12 of money.
    """
    if _typed_percent(value):
        raise ValueProblem("value.percent_in_amount", value=printable(value), code="percent_in_amount")
    return parse_number(value, decimal_comma=decimal_comma)


def parse_number(value: CellValue, *, decimal_comma: bool = False) -> float:
    """A number typed as 1234.5, 1,234.5, 1 234,5 (with ``decimal_comma``), 12%, $1,200."""
    if isinstance(value, UncomputedFormula):
        raise uncomputed(value)
    if isinstance(value, CellError):
        raise ValueProblem("value.error_in_number", error=value.code)
    if isinstance(value, bool):
        truth = value
        raise ValueProblem(
            "value.boolean_in_number",
            boolean=lambda lang: message("value.true", lang) if truth else message("value.false", lang),
        )
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueProblem("value.expected_number")
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        day = value.date() if isinstance(value, dt.datetime) else value
        raise ValueProblem("value.date_in_number", date=lambda lang: show_date(day, lang))
    if isinstance(value, (dt.time, dt.timedelta)):
        raise ValueProblem("value.time_in_number", time=str(value))
    if value is None:
        raise ValueProblem("value.empty_number")
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
        if decimal_comma:
            raise ValueProblem("value.not_a_number.decimal_comma", value=printable(value))
        raise ValueProblem("value.not_a_number.decimal_point", value=printable(value))
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
    return ValueProblem(
        "value.ambiguous_number",
        value=printable(value),
        # the two readings as the message's language writes numbers: 1234 and 1.234, 1 234 and 1,234
        thousands=lambda lang: message("number.thousands", lang, whole=f"{sign}{whole}", part=part),
        decimal=lambda lang: show_decimal(f"{sign}{whole}.{part}", lang),
        # the two readings as they are typed in the workbook's ru Number format
        typed_thousands=f"{sign}{whole}{part}",
        typed_decimal=f"{sign}{whole},{part}",
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
        raise ValueProblem("value.error_in_date", error=value.code)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueProblem("value.expected_date")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value != int(value) or not MIN_SERIAL <= value <= MAX_SERIAL:
            raise ValueProblem("value.number_not_a_date", value=f"{value:g}")
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
    raise ValueProblem("value.not_a_date", value=printable(text))


def _spelled(day: dt.date, lang: str) -> str:
    """12 January 2026, 12 января 2026."""
    return message("date.spelled", lang, day=day.day, month=message(f"month.{MONTHS[day.month - 1]}", lang),
                   year=day.year)


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
                "value.ambiguous_date",
                value=printable(typed),
                first=lambda lang: _spelled(a, lang),
                second=lambda lang: _spelled(b, lang),
                first_iso=a.isoformat(),
                second_iso=b.isoformat(),
                code="ambiguous_date",
            )
    elif _ISO_DATE.match(typed) or _DOT_DATE.match(typed):
        return parse_date(typed)
    raise ValueProblem("value.bad_as_of", value=printable(typed), code="bad_date")


def parse_integer(value: CellValue, *, decimal_comma: bool = False) -> int:
    number = parse_number(value, decimal_comma=decimal_comma)
    if number != int(number):
        raise ValueProblem("value.not_whole", number=lambda lang: show_decimal(f"{number:g}", lang))
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
        raise ValueProblem("value.not_a_factor")
    whole, separator, part = m[1], m[2], m[3]
    if separator is not None:
        thousands = "." if decimal_comma else ","
        if separator == thousands and len(part) == 3 and 1 <= len(whole) <= 3 and whole[0] != "0":
            raise ValueProblem(
                "value.ambiguous_factor",
                factor=f"{whole}{separator}{part}",
                thousands=f"{whole}{part}",
                decimal=lambda lang: show_decimal(f"{whole}.{part}", lang),
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
                raise ValueProblem("value.bad_factor", value=printable(text)) from None
            return Threshold(None, factor, typed, digits)
    try:
        return Threshold(parse_number(value, decimal_comma=decimal_comma), typed=typed)
    except ValueProblem as exc:
        if exc.code != "bad_value":
            raise
        raise ValueProblem("value.not_a_threshold", value=printable(typed)) from None
