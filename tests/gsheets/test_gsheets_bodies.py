"""Request bodies built from layouts: valid against Google's discovery document, and saying
what the layout says (text as text, formats, widths, drop-downs, protection)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from sheetops import layout
from sheetops.backends import Highlight, SyncWrite
from sheetops.backends.gsheets import bodies
from sheetops.backends.gsheets.create import content_requests, create_body, folder_requests
from sheetops.backends.gsheets.shares import parse_share
from sheetops.backends.gsheets.snapshot import Snapshot, add_values, parse_looks
from sheetops.backends.gsheets.writes import sync_requests
from sheetops.errors import WorkbookError
from sheetops.layout import Cell, DropDown, Style, TabLayout, WorkbookLayout
from sheetops.provision import build_layout
from sheetops.templates import Template

DEMO_TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def sheets_schema() -> Any:
    discovery = pytest.importorskip("sheetops.testing.discovery")
    try:
        return discovery.SchemaValidator("sheets")
    except discovery.DiscoveryUnavailable as exc:
        pytest.skip(f"Google's discovery documents are not installed: {exc}")


def layouts(template: Template) -> dict[str, WorkbookLayout]:
    return {
        lang: build_layout(template, lang=lang, channels=None, demo=True, today=DEMO_TODAY) for lang in ("en", "ru")
    }


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_init_bodies_follow_the_discovery_document(template: Template, sheets_schema: Any, lang: str) -> None:
    workbook = layouts(template)[lang]
    ids = list(range(1, len(workbook.tabs) + 1))
    sheets_schema.validate_body(create_body(workbook, "Marketing", ids), "Spreadsheet", "spreadsheet")
    for requests in (content_requests(workbook, ids), folder_requests(workbook, ids) + content_requests(workbook, ids)):
        sheets_schema.validate_body({"requests": requests}, "BatchUpdateSpreadsheetRequest")


def test_a_bad_field_is_caught_by_the_validator(sheets_schema: Any) -> None:
    """The check above means something: the validator refuses a misspelt field."""
    from sheetops.testing.errors import ApiError

    with pytest.raises(ApiError, match="backgroundColour"):
        sheets_schema.validate_body(
            {"requests": [{"repeatCell": {"cell": {"userEnteredFormat": {"backgroundColour": {}}}, "fields": "*"}}]},
            "BatchUpdateSpreadsheetRequest",
        )


def test_create_body_names_every_tab_with_its_frozen_header_and_locale(template: Template) -> None:
    workbook = layouts(template)["ru"]
    body = create_body(workbook, "Маркетинг", list(range(1, len(workbook.tabs) + 1)))
    assert body["properties"] == {"title": "Маркетинг", "locale": "ru_RU"}
    titles = [s["properties"]["title"] for s in body["sheets"]]
    assert titles == [t.name for t in workbook.tabs]
    daily = next(s["properties"] for s in body["sheets"] if s["properties"]["title"] == "По дням")
    assert daily["gridProperties"]["frozenRowCount"] == 1
    assert daily["gridProperties"]["rowCount"] == bodies.MAX_NEW_ROWS


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=IMPORTXML(\"http://x\",\"//a\")", {"stringValue": "=IMPORTXML(\"http://x\",\"//a\")"}),
        ("+1", {"stringValue": "+1"}),
        ("0012", {"stringValue": "0012"}),
        (12, {"numberValue": 12}),
        (0.25, {"numberValue": 0.25}),
        (True, {"boolValue": True}),
        (dt.date(2026, 11, 23), {"numberValue": 46349}),
        (dt.datetime(2026, 11, 23, 12, 0), {"numberValue": 46349.5}),
    ],
)
def test_cell_values_are_sent_as_what_they_are_never_as_formulas(value: Any, expected: dict[str, Any]) -> None:
    assert bodies.cell_data(Cell(value))["userEnteredValue"] == expected


def test_an_empty_cell_sends_no_value() -> None:
    assert bodies.cell_data(Cell(None)) == {}


def test_a_number_that_is_not_finite_names_its_cell() -> None:
    with pytest.raises(WorkbookError, match="Summary!B3"):
        bodies.cell_data(Cell(float("nan")), where="Summary!B3")


@pytest.mark.parametrize(
    ("pattern", "kind"),
    [
        (layout.INTEGER, "NUMBER"),
        (layout.NUMBER, "NUMBER"),
        (layout.PERCENT, "PERCENT"),
        (layout.DATE, "DATE"),
        (layout.DATETIME, "DATE_TIME"),
        (layout.money_format("USD"), "NUMBER"),
        (layout.money_format("RUB"), "NUMBER"),
        ('0.0" days"', "NUMBER"),
    ],
)
def test_number_formats_get_the_type_google_expects(pattern: str, kind: str) -> None:
    assert bodies.number_format(pattern) == {"type": kind, "pattern": pattern}


def test_styles_become_formats() -> None:
    fmt = bodies.cell_format(Style(bold=True, italic=True, fill="FFC7CE", font_color="808080", wrap=True,
                                   font_size=14), layout.PERCENT)
    assert bodies.hex_of(fmt["backgroundColor"]) == "FFC7CE"
    assert fmt["textFormat"]["bold"] is True and fmt["textFormat"]["italic"] is True
    assert fmt["textFormat"]["fontSize"] == 14
    assert fmt["wrapStrategy"] == "WRAP"
    assert fmt["numberFormat"] == {"type": "PERCENT", "pattern": "0.0%"}


@pytest.mark.parametrize("hex_rgb", ["FFC7CE", "000000", "FFFFFF", "DDEBF7", "C6EFCE"])
def test_colours_round_trip(hex_rgb: str) -> None:
    assert bodies.hex_of(bodies.color(hex_rgb)) == hex_rgb


def test_zero_colour_parts_are_left_out_as_google_does() -> None:
    assert bodies.color("FF0000") == {"red": 1.0}


def tab(**overrides: Any) -> TabLayout:
    values: dict[str, Any] = {
        "key": "channels",
        "name": "Channels",
        "rows": ((Cell("Channel", layout.HEADER), Cell("Budget", layout.HEADER)), (Cell("Blog"), Cell(100))),
        "widths": (22.0, 16.0),
    }
    values.update(overrides)
    return TabLayout(**values)


def test_column_formats_reach_written_cells_and_the_empty_rows_below() -> None:
    requests = bodies.tab_requests(tab(column_formats={1: layout.INTEGER}), 7, row_count=1000)
    cells = requests[0]["updateCells"]["rows"]
    assert "numberFormat" not in cells[0]["values"][1].get("userEnteredFormat", {})  # header
    assert cells[1]["values"][1]["userEnteredFormat"]["numberFormat"]["pattern"] == layout.INTEGER
    repeat = next(r["repeatCell"] for r in requests if "repeatCell" in r)
    assert repeat["range"] == {"sheetId": 7, "startRowIndex": 2, "endRowIndex": bodies.FORMATTED_ROWS,
                               "startColumnIndex": 1, "endColumnIndex": 2}


def test_widths_are_grouped_in_runs() -> None:
    requests = bodies.width_requests(tab(widths=(12.0, 12.0, 30.0)), 3)
    found = [r["updateDimensionProperties"] for r in requests]
    ranges = [(r["range"]["startIndex"], r["range"]["endIndex"], r["properties"]["pixelSize"]) for r in found]
    assert ranges == [(0, 2, 89), (2, 3, 215)]


def test_a_channel_drop_down_draws_from_the_channels_tab() -> None:
    dropdown = DropDown(1, source_tab="Chan'nels", source_col=0, last_row=200_000)
    request = bodies.validation_request(tab(), dropdown, 5, row_count=20_001)
    assert request is not None
    rule = request["setDataValidation"]["rule"]
    assert rule["condition"] == {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": "='Chan''nels'!$A$2:$A"}]}
    assert request["setDataValidation"]["range"]["endRowIndex"] == 20_001


def test_a_list_leaves_out_values_the_api_would_read_as_formulas() -> None:
    dropdown = DropDown(0, values=("Paid", "=HYPERLINK(1)", "+7", "*"), strict=False)
    request = bodies.validation_request(tab(), dropdown, 5, row_count=1000)
    assert request is not None
    rule = request["setDataValidation"]["rule"]
    assert [v["userEnteredValue"] for v in rule["condition"]["values"]] == ["Paid", "*"]
    assert rule["strict"] is False


def test_owned_tabs_get_warning_only_protection() -> None:
    requests = bodies.tab_requests(tab(owned=True), 9, row_count=1000, lang="ru")
    protection = requests[-1]["addProtectedRange"]["protectedRange"]
    assert protection["warningOnly"] is True and protection["range"] == {"sheetId": 9}
    assert "sheetops" in protection["description"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("anna@example.com", ("anna@example.com", "writer")),
        ("anna@example.com:reader", ("anna@example.com", "reader")),
        (" boss@example.com:Writer ", ("boss@example.com", "writer")),
    ],
)
def test_shares(text: str, expected: tuple[str, str]) -> None:
    assert parse_share(text) == expected


@pytest.mark.parametrize("text", ["anna", "anna@example.com:owner", "@example.com"])
def test_bad_shares_say_what_to_write(text: str) -> None:
    with pytest.raises(WorkbookError, match="--share"):
        parse_share(text)


def snapshot_of(title: str, values: list[list[Any]], looks: list[list[dict[str, Any]]]) -> Snapshot:
    """A one-tab spreadsheet as a sync reads it: the fills and notes, then the values."""
    sheet = {"properties": {"sheetId": 1, "title": title, "index": 0,
                            "gridProperties": {"rowCount": 1000, "columnCount": 26}},
             "data": [{"rowData": [{"values": r} for r in looks]}]}
    looks_answer = json.dumps({"spreadsheetId": "abc", "properties": {"title": "t"}, "sheets": [sheet]})
    values_answer = json.dumps({"valueRanges": [{"values": values}]})
    return add_values(parse_looks(looks_answer.encode()), values_answer.encode())


def test_sync_requests_follow_the_discovery_document(template: Template, sheets_schema: Any) -> None:
    workbook = layouts(template)["en"]
    summary = next(t for t in workbook.tabs if t.key == "summary")
    log = next(t for t in workbook.tabs if t.key == "sync_log")
    snapshot = snapshot_of("Plan-Fact", [["Week"]], [[{}], [{}, {}, {"note": "mine"}]])
    changes = SyncWrite(
        tabs=(summary,),
        log_tab=log,
        log_row=(Cell(dt.datetime(2026, 11, 27, 9, 0)), Cell(dt.date(2026, 11, 27)), Cell(3), Cell("ok")),
        highlights=(Highlight("Plan-Fact", 1, 2, "CPA 120 > 100"), Highlight("Plan-Fact", 1, 3, "CR low")),
    )
    ids = iter(range(100, 200))
    planned = sync_requests(snapshot, changes, lambda: next(ids), "w1")
    sheets_schema.validate_body({"requests": list(planned.requests)}, "BatchUpdateSpreadsheetRequest")
    kinds = [next(iter(r)) for r in planned.requests]
    assert kinds.count("addSheet") == 3  # the summary, the log, the state tab
    assert "appendCells" in kinds
    # the person's note on C2 stays: only the fill is set there
    c2 = next(r["updateCells"] for r in planned.requests
              if "updateCells" in r and r["updateCells"].get("range", {}).get("startColumnIndex") == 2)
    assert c2["fields"] == bodies.FILL_FIELDS and "note" not in c2["rows"][0]["values"][0]
