"""Numbers, dates and thresholds are read the way people type them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from sheetops.values import (
    CellError,
    CellValue,
    Threshold,
    ValueProblem,
    is_blank,
    parse_date,
    parse_integer,
    parse_number,
    parse_percent,
    parse_threshold,
)

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("typed", "decimal_comma", "number"),
    [
        (1234.5, False, 1234.5),
        (7, False, 7.0),
        ("1234.5", False, 1234.5),
        ("1,234.5", False, 1234.5),
        ("1,234,567", False, 1234567.0),
        ("$1,200", False, 1200.0),
        ("€ 99.90", False, 99.9),
        ("12%", False, 0.12),
        ("-5", False, -5.0),
        ("(5)", False, -5.0),
        (" 42 ", False, 42.0),
        ("1 234,5", True, 1234.5),
        (f"1{NBSP}234,5", True, 1234.5),
        ("1\u202f234,5", True, 1234.5),
        ("1234,5 ₽", True, 1234.5),
        ("1234.5", True, 1234.5),
        ("1.234,5", True, 1234.5),
        ("12,5%", True, 0.125),
        ("1 234 руб.", True, 1234.0),
    ],
)
def test_numbers_are_read_as_typed(typed: object, decimal_comma: bool, number: float) -> None:
    assert parse_number(typed, decimal_comma=decimal_comma) == pytest.approx(number)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "decimal_comma", "says"),
    [
        ("1234,5", False, "decimal point"),
        ("12 apples", False, "cannot read"),
        ("", False, "cannot read"),
        (None, False, "empty"),
        (True, False, "TRUE"),
        (dt.date(2026, 1, 5), False, "date"),
        (CellError("#DIV/0!"), False, "#DIV/0!"),
        ("1,2,3", True, "decimal comma"),
    ],
)
def test_unreadable_numbers_say_why(typed: object, decimal_comma: bool, says: str) -> None:
    with pytest.raises(ValueProblem, match=says):
        parse_number(typed, decimal_comma=decimal_comma)  # type: ignore[arg-type]


@pytest.mark.parametrize(("typed", "share"), [("40%", 0.4), (0.4, 0.4), (40, 0.4), (1, 1.0), ("100%", 1.0)])
def test_percentages(typed: object, share: float) -> None:
    assert parse_percent(typed) == pytest.approx(share)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "date"),
    [
        (dt.date(2026, 11, 23), dt.date(2026, 11, 23)),
        (dt.datetime(2026, 11, 23, 15, 30), dt.date(2026, 11, 23)),
        (46349, dt.date(2026, 11, 23)),
        (46349.0, dt.date(2026, 11, 23)),
        ("2026-11-23", dt.date(2026, 11, 23)),
        ("2026-11-23 00:00:00", dt.date(2026, 11, 23)),
        ("23.11.2026", dt.date(2026, 11, 23)),
        ("23/11/2026", dt.date(2026, 11, 23)),
        ("46349", dt.date(2026, 11, 23)),
    ],
)
def test_dates_are_read_as_typed(typed: object, date: dt.date) -> None:
    assert parse_date(typed) == date  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "typed", ["31.02.2026", "next monday", 46349.5, -3, None, CellError("#REF!"), float("nan"), float("inf")]
)
def test_unreadable_dates(typed: object) -> None:
    with pytest.raises(ValueProblem):
        parse_date(typed)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "threshold", "target", "resolved"),
    [
        (150, Threshold(150.0), None, 150.0),
        ("1%", Threshold(0.01), None, 0.01),
        ("0", Threshold(0.0), None, 0.0),
        ("target", Threshold(None, 1.0), 160.0, 160.0),
        ("Target * 1.2", Threshold(None, 1.2), 100.0, 120.0),
        ("цель*1,2", Threshold(None, 1.2), 100.0, 120.0),
        ("target", Threshold(None, 1.0), None, None),
    ],
)
def test_thresholds(typed: object, threshold: Threshold, target: float | None, resolved: float | None) -> None:
    decimal_comma = isinstance(typed, str) and "," in typed
    parsed = parse_threshold(typed, decimal_comma=decimal_comma)  # type: ignore[arg-type]
    assert parsed == threshold
    assert parsed.resolve(target) == pytest.approx(resolved) if resolved is not None else parsed.resolve(target) is None


@pytest.mark.parametrize("typed", ["above target", "target*x", "", None])
def test_unreadable_thresholds_explain_the_forms(typed: object) -> None:
    with pytest.raises(ValueProblem, match="target"):
        parse_threshold(typed)  # type: ignore[arg-type]


def test_integers_refuse_fractions() -> None:
    assert parse_integer("3") == 3
    with pytest.raises(ValueProblem, match="whole number"):
        parse_integer(2.5)


@pytest.mark.parametrize(("value", "blank"), [(None, True), ("", True), ("  ", True), (0, False), ("x", False)])
def test_blank_cells(value: object, blank: bool) -> None:
    assert is_blank(value) is blank  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("parse", "typed", "english", "russian"),
    [
        (parse_number, "12 штук", "cannot read '12 штук' as a number", "«12 штук» не читается как число"),
        (parse_number, CellError("#DIV/0!"), "the cell shows the error #DIV/0!", "в ячейке ошибка #DIV/0!"),
        (parse_number, dt.date(2026, 11, 23), "found the date 2026-11-23", "а в ячейке дата 23.11.2026"),
        (parse_date, "вчера", "cannot read 'вчера' as a date", "«вчера» не читается как дата"),
        (parse_integer, 1.5, "expected a whole number, found 1.5", "нужно целое число, а не 1,5"),
        (parse_threshold, "много", "cannot read 'много' as a threshold", "«много» не читается как порог"),
    ],
)
def test_a_problem_is_said_in_english_and_in_russian(
    parse: Callable[[CellValue], object], typed: CellValue, english: str, russian: str
) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse(typed)
    assert english in str(caught.value) and english in caught.value.message("en")
    assert russian in caught.value.message("ru")
