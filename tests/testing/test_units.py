"""The emulator's building blocks: A1 ranges, field masks, cell values, formulas."""

from __future__ import annotations

from typing import Any

import pytest

from sheetops.testing import a1
from sheetops.testing.cellvalues import format_number, user_entered
from sheetops.testing.fieldmask import MaskSyntaxError, apply_update_mask, filter_fields, parse_mask
from sheetops.testing.formula import CellRef, FormulaError, RangeRef, Value, evaluate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sheet1", a1.ParsedRange("Sheet1", cells=False)),
        ("'My ''quoted'' sheet'!A1:B2", a1.ParsedRange("My 'quoted' sheet", 0, 2, 0, 2)),
        ("B2:A1", a1.ParsedRange(None, 0, 2, 0, 2)),
        ("A:C", a1.ParsedRange(None, None, None, 0, 3)),
        ("2:3", a1.ParsedRange(None, 1, 3, None, None)),
        ("Data!A2:2", a1.ParsedRange("Data", 1, 2, 0, None)),
        ("$B$3", a1.ParsedRange(None, 2, 3, 1, 2)),
        ("R1C1:R2C3", a1.ParsedRange(None, 0, 2, 0, 3)),
        ("Totals", a1.ParsedRange("Totals", cells=False)),
    ],
)
def test_parse_range(text: str, expected: a1.ParsedRange) -> None:
    assert a1.parse_range(text) == expected


def test_format_range_quotes_like_google() -> None:
    assert a1.format_range("Sheet1", 0, 1000, 0, 26) == "Sheet1!A1:Z1000"
    assert a1.format_range("My sheet", 1, 2, 1, 2) == "'My sheet'!B2"
    assert a1.format_range("D3", 0, 4, 0, 4) == "'D3'!A1:D4"
    assert a1.format_range("It's", 0, 1, 0, 1) == "'It''s'!A1"
    assert a1.column_letters(27) == "AB" and a1.column_index("AB") == 27


def test_parse_mask() -> None:
    mask = parse_mask(
        "sheets.properties,sheets.data.rowData.values(userEnteredValue,note,userEnteredFormat.backgroundColor)"
    )
    assert mask == {
        "sheets": {
            "properties": None,
            "data": {
                "rowData": {
                    "values": {"userEnteredValue": None, "note": None, "userEnteredFormat": {"backgroundColor": None}}
                }
            },
        }
    }
    assert parse_mask("sheets/data/rowData/values/note") == parse_mask("sheets.data.rowData.values.note")
    assert parse_mask("grid_properties.row_count") == {"gridProperties": {"rowCount": None}}
    for bad in ("a,,b", "a(b", "a b", ""):
        with pytest.raises(MaskSyntaxError):
            parse_mask(bad)


def test_filter_fields_keeps_positions_and_empty_objects() -> None:
    value = {
        "sheets": [
            {
                "properties": {"title": "A", "index": 0},
                "data": [{"rowData": [{"values": [{"note": "x"}, {"userEnteredValue": {}}]}]}],
            }
        ]
    }
    assert filter_fields(value, parse_mask("sheets.data.rowData.values.note")) == {
        "sheets": [{"data": [{"rowData": [{"values": [{"note": "x"}, {}]}]}]}]
    }
    assert filter_fields(value, parse_mask("sheets.properties.tabColorStyle")) == {"sheets": [{"properties": {}}]}


def test_apply_update_mask_clears_missing_fields_and_pairs_colours() -> None:
    target: dict[str, Any] = {
        "note": "old",
        "userEnteredFormat": {
            "backgroundColor": {"red": 1},
            "backgroundColorStyle": {"rgbColor": {"red": 1}},
            "wrapStrategy": "WRAP",
        },
    }
    apply_update_mask(target, {}, parse_mask("note,userEnteredFormat.backgroundColor"))
    assert target == {"userEnteredFormat": {"wrapStrategy": "WRAP"}}
    apply_update_mask(target, {"note": "new"}, None)
    assert target == {"note": "new"}


@pytest.mark.parametrize(
    ("text", "value", "number_format", "shown"),
    [
        ("1,200.50", {"numberValue": 1200.5}, {"type": "NUMBER", "pattern": "#,##0.00"}, "1,200.50"),
        ("12.5%", {"numberValue": 0.125}, {"type": "PERCENT", "pattern": "0.0%"}, "12.5%"),
        ("$3", {"numberValue": 3}, {"type": "CURRENCY", "pattern": '"$"#,##0'}, "$3"),
        ("2026-11-27", {"numberValue": 46353}, {"type": "DATE", "pattern": "yyyy-mm-dd"}, "2026-11-27"),
        ("11/27/2026", {"numberValue": 46353}, {"type": "DATE", "pattern": "M/d/yyyy"}, "11/27/2026"),
        ("9:30", {"numberValue": 0.3958333333333333}, {"type": "TIME", "pattern": "h:mm"}, "9:30"),
        ("-0.25", {"numberValue": -0.25}, None, "-0.25"),
        ("true", {"boolValue": True}, None, "TRUE"),
        ("'42", {"stringValue": "42"}, None, "42"),
        ("Ads", {"stringValue": "Ads"}, None, "Ads"),
    ],
)
def test_user_entered_values(
    text: str, value: dict[str, Any], number_format: dict[str, str] | None, shown: str
) -> None:
    parsed, fmt = user_entered(text)
    assert parsed == value and fmt == number_format
    from sheetops.testing.cellvalues import formatted_value

    assert formatted_value(parsed, fmt) == shown


def test_number_formats() -> None:
    assert format_number(1 / 3, None) == "0.3333333333"
    assert format_number(1e20, None) == "1E+20"
    assert format_number(-1234.5, {"type": "NUMBER", "pattern": "#,##0.00;(#,##0.00)"}) == "(1,234.50)"
    assert format_number(0.5, {"type": "TIME", "pattern": "hh:mm:ss am/pm"}) == "12:00:00 PM"
    assert format_number(46353.75, {"type": "DATE_TIME", "pattern": "dd.mm.yyyy hh:mm"}) == "27.11.2026 18:00"
    assert format_number(1234.5, {"type": "CURRENCY", "pattern": '[$€]#,##0.00" EUR"'}) == "1,234.50 EUR"


def _sheet(cells: dict[tuple[int, int], Value]) -> tuple[Any, Any]:
    def one(ref: CellRef) -> Value:
        return cells.get((ref.row, ref.col))

    def many(ref: RangeRef) -> list[Value]:
        return [cells.get((r, c)) for r in range(ref.start_row, ref.end_row) for c in range(ref.start_col, ref.end_col)]

    return one, many


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("=1+2*3", 7.0),
        ("=(1+2)*3^2", 27.0),
        ("=-A1%", -0.02),
        ("=SUM(A1:B2)", 17.0),
        ("=AVERAGE(A1:A2)", 6.0),
        ('=IF(A1>1,"big","small")', "big"),
        ('=A1&"-"&B1', "2-5"),
        ("=ROUND(2.345,2)", 2.35),
        ('=IFERROR(1/0,"none")', "none"),
        ("=AND(TRUE,A1=2)", True),
        ("=COUNTA(A1:C2)", 4.0),
    ],
)
def test_formulas(formula: str, expected: Value) -> None:
    one, many = _sheet({(0, 0): 2.0, (0, 1): 5.0, (1, 0): 10.0, (1, 1): "x"})
    assert evaluate(formula, one, many) == expected


def test_formula_errors() -> None:
    one, many = _sheet({})
    assert evaluate("=1/0", one, many) == FormulaError("DIVIDE_BY_ZERO", "Function DIVIDE parameter 2 cannot be zero.")
    assert isinstance(evaluate("=FOO(1)", one, many), FormulaError)
    assert evaluate("=1+", one, many) == FormulaError("ERROR", "Formula parse error.")
