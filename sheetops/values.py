"""Reading cell values the way people type them. Pure functions, no I/O.

Each parser takes a raw cell value (what a backend read: ``None``, ``str``, ``int``,
``float``, ``bool``, ``date``, ``datetime`` or :class:`CellError`) and returns a typed
value, or raises :class:`ValueProblem` whose message says what is wrong with the value
in words a marketer understands, in English and in Russian (``exc.message(lang)``;
``str(exc)`` is the English). Callers add the cell address.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class CellError:
    """A spreadsheet error value such as ``#DIV/0!`` or ``#REF!``."""

    code: str

    def __str__(self) -> str:
        return self.code


CellValue = None | str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | CellError


class ValueProblem(ValueError):
    """A cell value that cannot be read as what its column takes, said in each language."""

    def __init__(self, *, en: str, ru: str) -> None:
        super().__init__(en)
        self.text = Text(en, ru)

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


def parse_number(value: CellValue, *, decimal_comma: bool = False) -> float:
    """A number typed as 1234.5, 1,234.5, 1 234,5 (with ``decimal_comma``), 12%, $1,200."""
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
            en=f"cannot read {str(value)!r} as a number; {hint.en}",
            ru=f"«{value}» не читается как число; {hint.ru}",
        )
    if decimal_comma:
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    number = float(text)
    if negative:
        number = -number
    return number / 100 if percent else number


def parse_percent(value: CellValue, *, decimal_comma: bool = False) -> float:
    """A share as a fraction: 12% and 0.12 both give 0.12; a bare 12 (more than 1) means 12%."""
    number = parse_number(value, decimal_comma=decimal_comma)
    typed_percent = isinstance(value, str) and value.strip().endswith("%")
    if not typed_percent and abs(number) > 1:
        return number / 100
    return number


def parse_date(value: CellValue, *, day_first: bool = True) -> dt.date:
    """A date from a date cell, an Excel serial number, 2026-11-23 or 23.11.2026."""
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
                en=f"cannot read {value!r} as a date; {_TYPE_DATE.en}",
                ru=f"«{value}» не читается как дата; {_TYPE_DATE.ru}",
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
        en=f"cannot read {text!r} as a date; type a date such as 2026-11-23 or 23.11.2026",
        ru=f"«{text}» не читается как дата; введите дату, например 23.11.2026 или 2026-11-23",
    )


def parse_integer(value: CellValue, *, decimal_comma: bool = False) -> int:
    number = parse_number(value, decimal_comma=decimal_comma)
    if number != int(number):
        raise ValueProblem(
            en=f"expected a whole number, found {number:g}",
            ru=f"нужно целое число, а не {number:g}".replace(".", ","),
        )
    return int(number)


@dataclass(frozen=True)
class Threshold:
    """A stop-rule threshold: a fixed number, or the channel's target times a factor."""

    value: float | None  # the number, for a fixed threshold
    factor: float | None = None  # for a target threshold: target x factor

    @property
    def uses_target(self) -> bool:
        return self.value is None

    def resolve(self, target: float | None) -> float | None:
        """The number to compare with; None when it needs a target the channel lacks."""
        if self.value is not None:
            return self.value
        if target is None:
            return None
        return target * (self.factor if self.factor is not None else 1.0)


def parse_threshold(value: CellValue, *, decimal_comma: bool = False) -> Threshold:
    """A number (150), a percentage (1%), or ``target`` optionally times a factor (target*1.2)."""
    if isinstance(value, str):
        text = value.strip()
        if m := _THRESHOLD_TARGET.match(text):
            if m[1] is None:
                return Threshold(None, 1.0)
            try:
                return Threshold(None, parse_number(m[1], decimal_comma=decimal_comma))
            except ValueProblem:
                raise ValueProblem(
                    en=f"cannot read the factor in {text!r}; write target, target*1.2 or a number",
                    ru=f"не читается множитель в «{text}»; напишите цель, цель*1,2 или число",
                ) from None
    try:
        return Threshold(parse_number(value, decimal_comma=decimal_comma))
    except ValueProblem:
        raise ValueProblem(
            en=f"cannot read {str(value)!r} as a threshold; write a number (150), a percentage (1%), "
            "target, or target times a factor (target*1.2)",
            ru=f"«{value}» не читается как порог; напишите число (150), процент (1%), "
            "цель или цель с множителем (цель*1,2)",
        ) from None
