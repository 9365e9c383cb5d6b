"""Cell values: what USER_ENTERED input becomes, and how numbers are shown.

* :func:`user_entered` parses text as the Sheets UI does (en_US locale): numbers with
  thousands separators, percentages, currency, dates and times (stored as serial numbers
  with an automatic number format), ``TRUE``/``FALSE``, ``=`` formulas, and a leading
  apostrophe to force text.
* :func:`raw_value` stores values as they are (``RAW``): strings stay strings.
* :func:`format_number` renders a number with a ``NumberFormat`` (the common patterns:
  ``0.00``, ``#,##0``, ``0%``, currency prefixes, ``yyyy-mm-dd``, ``M/d/yyyy``,
  ``h:mm:ss am/pm``, ``0.00E+00``) or, without one, the way the "Automatic" format does.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any

__all__ = [
    "ERROR_STRINGS",
    "format_number",
    "formatted_value",
    "from_serial",
    "is_date_format",
    "raw_value",
    "to_serial",
    "user_entered",
]

_EPOCH = _dt.datetime(1899, 12, 30)

#: ErrorValue.type -> what the cell shows.
ERROR_STRINGS: dict[str, str] = {
    "ERROR": "#ERROR!",
    "NULL_VALUE": "#NULL!",
    "DIVIDE_BY_ZERO": "#DIV/0!",
    "VALUE": "#VALUE!",
    "REF": "#REF!",
    "NAME": "#NAME?",
    "NUM": "#NUM!",
    "N_A": "#N/A",
    "LOADING": "Loading...",
}

DEFAULT_PATTERNS: dict[str, str] = {
    "NUMBER": "#,##0.00",
    "PERCENT": "0.00%",
    "CURRENCY": '"$"#,##0.00',
    "DATE": "M/d/yyyy",
    "TIME": "h:mm:ss am/pm",
    "DATE_TIME": "M/d/yyyy H:mm:ss",
    "SCIENTIFIC": "0.00E+00",
    "TEXT": "@",
}


def to_serial(value: _dt.datetime | _dt.date) -> float:
    """A date or datetime -> the serial number (days since 1899-12-30)."""
    if not isinstance(value, _dt.datetime):
        value = _dt.datetime(value.year, value.month, value.day)
    delta = value - _EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000


def from_serial(serial: float) -> _dt.datetime:
    """The serial number -> a datetime (rounded to the second)."""
    seconds = round(serial * 86400)
    return _EPOCH + _dt.timedelta(seconds=seconds)


def _number(value: float) -> float | int:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


# ------------------------------------------------------------------ input parsing

_NUM_RE = re.compile(
    r"""^(?P<sign>[-+])?
        (?P<cur>\$)?
        (?P<int>\d{1,3}(?:,\d{3})+|\d+)?
        (?:\.(?P<frac>\d+))?
        (?:[eE](?P<exp>[-+]?\d+))?
        (?P<pct>%)?$""",
    re.VERBOSE,
)
_ISO_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm|AM|PM)?$")


def _parse_time(text: str) -> tuple[float, str] | None:
    m = _TIME.match(text)
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2))
    second = int(m.group(3) or 0)
    ampm = m.group(4)
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    pattern = "h:mm" + (":ss" if m.group(3) else "") + (" am/pm" if ampm else "")
    return (hour * 3600 + minute * 60 + second) / 86400, pattern


def _parse_date(text: str) -> tuple[float, str] | None:
    m = _ISO_DATE.match(text)
    try:
        if m:
            sep = "-" if "-" in text else "/"
            date = _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return to_serial(date), f"yyyy{sep}mm{sep}dd"
        m = _US_DATE.match(text)
        if m:
            year = int(m.group(3))
            if year < 100:
                year += 2000 if year < 30 else 1900
            date = _dt.date(year, int(m.group(1)), int(m.group(2)))
            return to_serial(date), "M/d/yyyy"
    except ValueError:
        return None
    return None


def user_entered(value: Any) -> tuple[dict[str, Any] | None, dict[str, str] | None]:
    """Parse one value of a USER_ENTERED write.

    Returns ``(userEnteredValue, automatic numberFormat)``; ``(None, None)`` clears the
    value (an empty string).
    """
    if isinstance(value, bool):
        return {"boolValue": value}, None
    if isinstance(value, (int, float)):
        return {"numberValue": _number(float(value))}, None
    if not isinstance(value, str):
        return {"stringValue": str(value)}, None
    if value == "":
        return None, None
    if value.startswith("="):
        return {"formulaValue": value}, None
    if value.startswith("'"):
        return {"stringValue": value[1:]}, None
    text = value.strip()
    upper = text.upper()
    if upper in ("TRUE", "FALSE"):
        return {"boolValue": upper == "TRUE"}, None
    m = _NUM_RE.match(text)
    if m and (m.group("int") or m.group("frac")):
        digits = (m.group("int") or "0").replace(",", "")
        number = float(f"{digits}.{m.group('frac') or '0'}")
        if m.group("exp"):
            number *= 10 ** int(m.group("exp"))
        if m.group("sign") == "-":
            number = -number
        decimals = len(m.group("frac") or "")
        fmt: dict[str, str] | None = None
        if m.group("pct"):
            number /= 100
            fmt = {"type": "PERCENT", "pattern": "0%" if decimals == 0 else "0." + "0" * decimals + "%"}
        elif m.group("cur"):
            fmt = {"type": "CURRENCY", "pattern": '"$"#,##0' + (".00" if decimals else "")}
        elif m.group("exp"):
            fmt = {"type": "SCIENTIFIC", "pattern": "0.00E+00"}
        elif "," in (m.group("int") or ""):
            fmt = {"type": "NUMBER", "pattern": "#,##0" + ("." + "0" * decimals if decimals else "")}
        return {"numberValue": _number(round(number, 15))}, fmt
    date = _parse_date(text)
    if date is not None:
        return {"numberValue": _number(date[0])}, {"type": "DATE", "pattern": date[1]}
    if " " in text:
        day, _, clock = text.partition(" ")
        date = _parse_date(day)
        tod = _parse_time(clock.strip())
        if date is not None and tod is not None:
            clock_pattern = tod[1] if "am/pm" in tod[1] else tod[1].replace("h:", "H:")
            pattern = f"{date[1]} {clock_pattern}"
            return {"numberValue": _number(date[0] + tod[0])}, {"type": "DATE_TIME", "pattern": pattern}
    tod = _parse_time(text)
    if tod is not None:
        return {"numberValue": _number(tod[0])}, {"type": "TIME", "pattern": tod[1]}
    return {"stringValue": value}, None


def raw_value(value: Any) -> dict[str, Any] | None:
    """Store a value of a RAW write as it is; ``""`` clears the cell."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float)):
        return {"numberValue": _number(float(value))}
    if value == "":
        return None
    return {"stringValue": value if isinstance(value, str) else str(value)}


# --------------------------------------------------------------------- formatting


def _general(value: float) -> str:
    """The "Automatic" format: integers plainly, fractions with up to 10 decimals."""
    if math.isnan(value):
        return "#NUM!"
    if math.isinf(value):
        return "#NUM!"
    if value == 0:
        return "0"
    if abs(value) >= 1e15 or abs(value) < 1e-10:
        mantissa, exp = f"{value:.5E}".split("E")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}E{'+' if int(exp) >= 0 else '-'}{abs(int(exp)):02d}"
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def is_date_format(number_format: dict[str, Any] | None) -> bool:
    """Whether the format shows a date, a time or a date-time."""
    return number_format is not None and number_format.get("type") in ("DATE", "TIME", "DATE_TIME")


_DATE_TOKENS = re.compile(
    r'"[^"]*"|\\.|yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|\.0+|.',
    re.IGNORECASE,
)


def _format_date(serial: float, pattern: str) -> str:
    when = from_serial(serial)
    tokens = _DATE_TOKENS.findall(pattern)
    twelve = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    out: list[str] = []
    for i, tok in enumerate(tokens):
        low = tok.lower()
        prev = next((t.lower() for t in reversed(tokens[:i]) if t.strip() and t not in ":/-. "), "")
        nxt = next((t.lower() for t in tokens[i + 1 :] if t.strip() and t not in ":/-. "), "")
        if tok.startswith('"'):
            out.append(tok[1:-1])
        elif tok.startswith("\\"):
            out.append(tok[1:])
        elif low == "yyyy":
            out.append(f"{when.year:04d}")
        elif low == "yy":
            out.append(f"{when.year % 100:02d}")
        elif low in ("mm", "m") and (prev.startswith("h") or nxt.startswith("s")):
            out.append(f"{when.minute:02d}" if low == "mm" else str(when.minute))
        elif low == "mmmm":
            out.append(when.strftime("%B"))
        elif low == "mmm":
            out.append(when.strftime("%b"))
        elif low == "mm":
            out.append(f"{when.month:02d}")
        elif low == "m":
            out.append(str(when.month))
        elif low == "dddd":
            out.append(when.strftime("%A"))
        elif low == "ddd":
            out.append(when.strftime("%a"))
        elif low == "dd":
            out.append(f"{when.day:02d}")
        elif low == "d":
            out.append(str(when.day))
        elif low in ("hh", "h"):
            hour = when.hour
            if twelve:
                hour = hour % 12 or 12
            out.append(f"{hour:02d}" if low == "hh" else str(hour))
        elif low == "ss":
            out.append(f"{when.second:02d}")
        elif low == "s":
            out.append(str(when.second))
        elif low == "am/pm":
            out.append("AM" if when.hour < 12 else "PM")
        elif low == "a/p":
            out.append("a" if when.hour < 12 else "p")
        elif low.startswith(".0"):
            out.append("." + "0" * (len(tok) - 1))
        else:
            out.append(tok)
    return "".join(out)


_NUM_SECTION = re.compile(r"[#0?,.]*[0#?][#0?,.]*(?:[eE][-+]0+)?")


def _format_with_pattern(value: float, pattern: str) -> str:
    sections = _split_sections(pattern)
    section = sections[0]
    if value < 0 and len(sections) > 1:
        section = sections[1]
        value = -value
    elif value == 0 and len(sections) > 2:
        section = sections[2]
    # literal prefix / suffix around the digit placeholders
    stripped = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', lambda m: "\x00" * len(m.group(0)), section)
    m = _NUM_SECTION.search(stripped)
    if not m:
        return _unquote(section)
    prefix = _unquote(section[: m.start()])
    suffix = _unquote(section[m.end() :])
    core = m.group(0)
    percent = "%" in prefix or "%" in suffix
    if percent:
        value *= 100
    if "e" in core.lower():
        mant_pat, _, exp_pat = core.lower().partition("e")
        decimals = len(mant_pat.partition(".")[2])
        text = f"{abs(value):.{decimals}E}"
        mant, exp = text.split("E")
        exp_digits = len(exp_pat) - 1
        body = f"{mant}E{'+' if int(exp) >= 0 else '-'}{abs(int(exp)):0{exp_digits}d}"
    else:
        int_pat, _, frac_pat = core.partition(".")
        decimals = len(frac_pat.replace(",", ""))
        min_decimals = frac_pat.count("0")
        grouping = "," in int_pat
        text = f"{abs(value):,.{decimals}f}" if grouping else f"{abs(value):.{decimals}f}"
        if decimals > min_decimals and "." in text:
            whole, frac = text.split(".")
            frac = frac[:min_decimals] + frac[min_decimals:].rstrip("0")
            text = whole + ("." + frac if frac else "")
        if int_pat.strip(",").startswith("#") and "0" not in int_pat and text.startswith("0") and "." in text:
            text = text[1:]
        body = text
    negative = value < 0 and len(sections) == 1 and float(body.replace(",", "").replace("E", "e") or 0) != 0
    return ("-" if negative else "") + prefix + body + suffix


def _split_sections(pattern: str) -> list[str]:
    sections: list[str] = []
    current = ""
    in_quote = False
    for ch in pattern:
        if ch == '"':
            in_quote = not in_quote
        if ch == ";" and not in_quote:
            sections.append(current)
            current = ""
            continue
        current += ch
    sections.append(current)
    return sections


def _unquote(text: str) -> str:
    out = re.sub(r'"([^"]*)"', r"\1", text)
    out = re.sub(r"\\(.)", r"\1", out)
    out = re.sub(r"\[[^\]]*\]", "", out)
    return out.replace("_", "").replace("*", "")


def format_number(value: float, number_format: dict[str, Any] | None) -> str:
    """Render ``value`` as the cell shows it."""
    if not number_format:
        return _general(value)
    typ = number_format.get("type", "NUMBER")
    pattern = number_format.get("pattern") or DEFAULT_PATTERNS.get(typ, "")
    if typ == "TEXT" or pattern == "@":
        return _general(value)
    if typ in ("DATE", "TIME", "DATE_TIME"):
        try:
            return _format_date(value, pattern)
        except (OverflowError, ValueError):
            return _general(value)
    if not pattern or pattern.lower() == "general":
        return _general(value)
    return _format_with_pattern(value, pattern)


def formatted_value(effective: dict[str, Any], number_format: dict[str, Any] | None) -> str | None:
    """The ``formattedValue`` of a cell whose ``effectiveValue`` is ``effective``."""
    if "numberValue" in effective:
        return format_number(float(effective["numberValue"]), number_format)
    if "stringValue" in effective:
        return str(effective["stringValue"])
    if "boolValue" in effective:
        return "TRUE" if effective["boolValue"] else "FALSE"
    if "errorValue" in effective:
        return ERROR_STRINGS.get(effective["errorValue"].get("type", "ERROR"), "#ERROR!")
    return None
