"""Numbers, shares, factors and dates as people type them: one reading, or an issue naming them.

Each table is a rule of docs/workbook.md ("Numbers as you type them") or docs/sync.md.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sheetops.tables import parse_margin
from sheetops.values import (
    Threshold,
    UncomputedFormula,
    ValueProblem,
    parse_amount,
    parse_as_of,
    parse_date,
    parse_number,
    parse_threshold,
    quote,
    same_number,
)

# -- a percentage in a money or count column ---------------------------------------------------


@pytest.mark.parametrize(("typed", "decimal_comma"), [
    ("12%", False), ("12 %", False), ("0,5%", True), ("$12%", False), ("12%\u00a0", True),
])
def test_a_percentage_is_not_money_or_a_count(typed: str, decimal_comma: bool) -> None:
    with pytest.raises(ValueProblem) as problem:
        parse_amount(typed, decimal_comma=decimal_comma)
    assert problem.value.code == "percent_in_amount"
    assert "is a percentage, but this column takes money or a count" in str(problem.value)


@pytest.mark.parametrize(("typed", "amount"), [("1,200", 1200.0), ("$1,200.50", 1200.5), (12, 12.0), ("0", 0.0)])
def test_money_and_counts_are_read_as_before(typed: object, amount: float) -> None:
    assert parse_amount(typed) == amount  # type: ignore[arg-type]


# -- separators: one reading in the workbook's number format -----------------------------------


@pytest.mark.parametrize(("typed", "decimal_comma", "number"), [
    ("1.5", True, 1.5),  # a dot and one digit: only a decimal point
    ("1.2345", True, 1.2345),
    ("1234.567", True, 1234.567),  # four digits before the dot: not a thousands group
    ("0.125", True, 0.125),  # 0 is no thousands group
    ("1.234.567", True, 1234567.0),
    ("1.234,5", True, 1234.5),
    ("1 234,5", True, 1234.5),
    ("1,234", False, 1234.0),  # en: the comma is only the thousands separator
    ("1.234", False, 1.234),  # en: the dot is only the decimal point
    ("1,234.5", False, 1234.5),
])
def test_a_number_with_one_reading_is_read(typed: str, decimal_comma: bool, number: float) -> None:
    assert parse_number(typed, decimal_comma=decimal_comma) == pytest.approx(number)


@pytest.mark.parametrize(("typed", "en", "ru"), [
    ("1.234", "can be read two ways: 1234 (a dot between thousands) or 1.234 (a decimal point)",
     "«1.234» можно прочитать двояко: 1\u00a0234 (точка между тысячами) или 1,234 (точка вместо запятой)"),
    ("12.345", "12345 (a dot between thousands) or 12.345", "12\u00a0345 (точка между тысячами) или 12,345"),
    ("999.000 ₽", "999000", "999\u00a0000"),
    ("-1.234", "-1234", "-1,234"),
])
def test_a_number_with_two_readings_names_both(typed: str, en: str, ru: str) -> None:
    with pytest.raises(ValueProblem) as problem:
        parse_number(typed, decimal_comma=True)
    assert problem.value.code == "ambiguous_number"
    assert en in problem.value.message("en") and ru in problem.value.message("ru")


@pytest.mark.parametrize("typed", ["1 234,5", "1\u00a0234,5", "1,5"])
def test_a_decimal_comma_in_an_english_workbook_is_refused_without_python_escapes(typed: str) -> None:
    with pytest.raises(ValueProblem) as problem:
        parse_number(typed)
    for lang in ("en", "ru"):
        assert "\\x" not in problem.value.message(lang) and "\u00a0" not in problem.value.message(lang)
    assert f"cannot read '{typed.replace(chr(0xa0), ' ')}' as a number" in problem.value.message("en")


@pytest.mark.parametrize(("text", "lang", "shown"), [
    ("1\u00a0234,5", "en", "'1 234,5'"),
    ("1\u00a0234,5", "ru", "«1 234,5»"),
    ("it's", "en", "'it's'"),
    ("tab\there", "ru", "«tab here»"),
])
def test_quote_shows_text_as_typed(text: str, lang: str, shown: str) -> None:
    assert quote(text, lang) == shown


# -- gross margin ------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "share"), [
    ("35%", 0.35), ("1%", 0.01), ("100%", 1.0), (0.35, 0.35), (0.01, 0.01), (1, 1.0), (35, 0.35), (100, 1.0),
    ("35", 0.35), ("0,35", 0.35),
])
def test_a_gross_margin_typed_as_the_docs_say(typed: object, share: float) -> None:
    decimal_comma = isinstance(typed, str) and "," in typed
    assert parse_margin(typed, decimal_comma=decimal_comma) == pytest.approx(share)  # type: ignore[arg-type]


@pytest.mark.parametrize("typed", [1.5, 1.0000001, 0.005, "0.5%", "150%", 150, 0, -0.2, "35.5"])
def test_any_other_gross_margin_is_refused(typed: object) -> None:
    with pytest.raises(ValueProblem) as problem:
        parse_margin(typed)  # type: ignore[arg-type]
    assert "is not a share of revenue between 1% and 100%" in problem.value.message("en")


# -- the factor of a target threshold -----------------------------------------------------------


@pytest.mark.parametrize(("typed", "decimal_comma", "factor"), [
    ("target*1.2", False, 1.2), ("target*1,2", False, 1.2), ("цель*1,2", False, 1.2), ("цель*1.2", True, 1.2),
    ("цель*1,2", True, 1.2), ("Target * 0,8", False, 0.8), ("target*1.125", False, 1.125),
    ("цель*1,125", True, 1.125), ("target*2", True, 2.0), ("target*1,1", False, 1.1),
])
def test_a_factor_takes_either_decimal_separator_in_any_workbook(typed: str, decimal_comma: bool,
                                                                 factor: float) -> None:
    threshold = parse_threshold(typed, decimal_comma=decimal_comma)
    assert threshold.uses_target and threshold.factor == pytest.approx(factor)
    assert threshold.typed == typed


@pytest.mark.parametrize(("typed", "decimal_comma"), [("target*1,125", False), ("цель*1.125", True)])
def test_a_factor_with_two_readings_is_reported(typed: str, decimal_comma: bool) -> None:
    with pytest.raises(ValueProblem) as problem:
        parse_threshold(typed, decimal_comma=decimal_comma)
    assert problem.value.code == "ambiguous_number"
    assert "1125" in str(problem.value) and "1.125" in str(problem.value)


# -- thresholds compared as a person would ------------------------------------------------------


@pytest.mark.parametrize(("typed", "target", "resolved"), [
    ("target*1.1", 100.0, 110.0), ("target*0.8", 3.0, 2.4), ("цель*1,2", 150.0, 180.0), ("target*0.7", 0.1, 0.07),
    ("target", 3.5, 3.5),
])
def test_a_target_threshold_is_computed_in_decimal(typed: str, target: float, resolved: float) -> None:
    assert parse_threshold(typed).resolve(target) == resolved  # exactly, not 110.00000000000001


@pytest.mark.parametrize(("a", "b", "same"), [
    (110.0, 110.00000000000001, True), (2.4, 2.4000000000000004, True), (110.0, 110.000001, False),
    (0.0, 0.0, True), (1e-12, 0.0, False),
])
def test_numbers_equal_to_nine_significant_digits_are_equal(a: float, b: float, same: bool) -> None:
    assert same_number(a, b) is same


def test_a_threshold_keeps_what_was_typed() -> None:
    assert parse_threshold(" target * 1.1 ").typed == "target * 1.1"
    assert parse_threshold("1%") == Threshold(0.01)


# -- a formula without its result --------------------------------------------------------------


@pytest.mark.parametrize("parse", [parse_number, parse_amount, parse_date, parse_threshold, parse_margin])
def test_a_formula_never_computed_is_said_as_such(parse: object) -> None:
    with pytest.raises(ValueProblem) as problem:
        parse(UncomputedFormula("1+1"))  # type: ignore[operator]
    assert problem.value.code == "uncomputed_formula"
    assert "open and save the workbook in Excel or LibreOffice" in problem.value.message("en")
    assert "откройте книгу в Excel или LibreOffice и сохраните её" in problem.value.message("ru")


# -- the --as-of date --------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "day"), [
    ("2026-11-27", dt.date(2026, 11, 27)), ("27.11.2026", dt.date(2026, 11, 27)),
    ("27/11/2026", dt.date(2026, 11, 27)), ("11/27/2026", dt.date(2026, 11, 27)),
    ("1/1/2026", dt.date(2026, 1, 1)), ("12/12/2026", dt.date(2026, 12, 12)), (" 2026-11-27 ", dt.date(2026, 11, 27)),
])
def test_an_as_of_date_with_one_reading(typed: str, day: dt.date) -> None:
    assert parse_as_of(typed) == day


def test_an_ambiguous_as_of_date_names_both_readings() -> None:
    with pytest.raises(ValueProblem) as problem:
        parse_as_of("12/01/2026")
    assert problem.value.code == "ambiguous_date"
    assert problem.value.message("en") == (
        "'12/01/2026' can be read as 12 January 2026 or 1 December 2026; write 2026-01-12 or 2026-12-01")
    assert problem.value.message("ru") == (
        "«12/01/2026» можно прочитать как 12 января 2026 или 1 декабря 2026; напишите 2026-01-12 или 2026-12-01")


@pytest.mark.parametrize("typed", ["31/31/2026", "yesterday", "2026-02-30", "27.11.26", ""])
def test_an_as_of_date_that_is_no_date_is_refused(typed: str) -> None:
    with pytest.raises(ValueProblem):
        parse_as_of(typed)
