"""init on Google Sheets: every tab of the contract, read back from the emulated service."""

from __future__ import annotations

from typing import Any

import pytest
from gsheets_world import DEMO_TODAY, Google, cells, sheet_json, text_of

from sheetops.backends.gsheets import spreadsheet_id
from sheetops.backends.gsheets.bodies import hex_of, pixels, quote_tab
from sheetops.layout import HEADER_FILL, WorkbookLayout
from sheetops.provision import build_layout
from sheetops.templates import Template


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_init_creates_every_tab_with_headers_frozen_rows_and_widths(
    google: Google, layouts: dict[str, WorkbookLayout], template: Template, lang: str
) -> None:
    workbook = layouts[f"demo_{lang}"]
    url = google.provision(workbook, title="Marketing 2026")
    grid = google.grid(spreadsheet_id(url), *(f"{quote_tab(t.name)}!1:1" for t in workbook.tabs))
    assert grid["properties"]["title"] == "Marketing 2026"
    assert grid["properties"]["locale"] == {"en": "en_US", "ru": "ru_RU"}[lang]
    assert [s["properties"]["title"] for s in grid["sheets"]] == [t.name for t in workbook.tabs]
    for tab, spec in zip(workbook.tabs, [t for t in template.tabs if not t.on_demand], strict=True):
        sheet = sheet_json(grid, tab.name)
        header = cells(sheet)[0]
        expected = [c.header[lang] for c in spec.columns] or [template.owned_tab_note[lang]]
        assert [text_of(c) for c in header][: len(expected)] == expected
        if spec.columns:
            assert sheet["properties"]["gridProperties"].get("frozenRowCount") == 1
            first = header[0]["userEnteredFormat"]
            assert first["textFormat"]["bold"] is True
            assert hex_of(first["backgroundColor"]) == HEADER_FILL
            widths = [m.get("pixelSize") for m in sheet["data"][0].get("columnMetadata", [])][: len(spec.columns)]
            assert widths == [pixels(c.width) for c in spec.columns]


def test_init_makes_at_most_three_requests_plus_one_per_share(
    google: Google, layouts: dict[str, WorkbookLayout]
) -> None:
    url = google.provision(layouts["demo_en"], shares=[("anna@example.com", "writer"), ("boss@example.com", "reader")])
    calls = [r.operation for r in google.api_requests()]
    assert calls == [
        "sheets.spreadsheets.create",
        "sheets.spreadsheets.batchUpdate",
        "drive.permissions.create",
        "drive.permissions.create",
    ]
    file = google.emulator.files[spreadsheet_id(url)]
    roles = {p["emailAddress"]: p["role"] for p in file.permissions}
    assert roles["anna@example.com"] == "writer" and roles["boss@example.com"] == "reader"
    assert roles[google.account] == "owner"


def test_init_into_a_folder_creates_the_file_there_in_two_requests(
    google: Google, layouts: dict[str, WorkbookLayout]
) -> None:
    folder = google.gspread().http_client.request(
        "post", "https://www.googleapis.com/drive/v3/files",
        json={"name": "Marketing", "mimeType": "application/vnd.google-apps.folder"},
    ).json()["id"]
    google.emulator.clear_log()
    url = google.provision(layouts["blank_en"], folder=folder)
    assert [r.operation for r in google.api_requests()] == ["drive.files.create", "sheets.spreadsheets.batchUpdate"]
    assert google.emulator.files[spreadsheet_id(url)].parents == [folder]
    grid = google.properties(spreadsheet_id(url))
    assert [s["properties"]["title"] for s in grid["sheets"]] == [t.name for t in layouts["blank_en"].tabs]


def validations(sheet: dict[str, Any], col: int) -> list[dict[str, Any]]:
    """The drop-down rules of a column below the header, of the cells read."""
    return [row[col]["dataValidation"] for row in cells(sheet)[1:] if len(row) > col and "dataValidation" in row[col]]


def cells_as_rows(sheet: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"values": row} for row in cells(sheet)]


def test_drop_downs_list_fixed_values_and_draw_channels_from_the_channels_tab(
    google: Google, layouts: dict[str, WorkbookLayout]
) -> None:
    url = google.provision(layouts["blank_en"])
    grid = google.grid(spreadsheet_id(url), "Channels!I1:I1001", "Daily!B1:B2")
    status = validations(sheet_json(grid, "Channels"), 0)
    assert status[0]["condition"] == {
        "type": "ONE_OF_LIST",
        "values": [{"userEnteredValue": v} for v in ("Active", "Testing", "Paused", "Stopped")],
    }
    assert status[0]["strict"] is True and len(status) == 1000  # rows 2..1001, as in the layout
    daily = sheet_json(grid, "Daily")
    channel = validations(daily, 0)
    assert channel[0]["condition"] == {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": "='Channels'!$A$2:$A"}]}
    last = daily["properties"]["gridProperties"]["rowCount"]
    bottom = sheet_json(google.grid(spreadsheet_id(url), f"Daily!B{last}"), "Daily")
    assert validations({"data": [{"rowData": [{}, *cells_as_rows(bottom)]}]}, 0)  # down to the last row


def test_tabs_sheetops_owns_are_protected_with_a_warning_only(
    google: Google, layouts: dict[str, WorkbookLayout]
) -> None:
    workbook = layouts["blank_en"]
    grid = google.properties(spreadsheet_id(google.provision(workbook)))
    protected = {
        s["properties"]["title"]: s["protectedRanges"] for s in grid["sheets"] if s.get("protectedRanges")
    }
    assert set(protected) == {t.name for t in workbook.tabs if t.owned}
    for ranges in protected.values():
        assert [r["warningOnly"] for r in ranges] == [True]


def test_number_formats_follow_the_columns(google: Google, layouts: dict[str, WorkbookLayout]) -> None:
    grid = google.grid(spreadsheet_id(google.provision(layouts["demo_en"])), "'Plan-Fact'!A1:D2")
    row = cells(sheet_json(grid, "Plan-Fact"))[1]
    assert row[0]["userEnteredFormat"]["numberFormat"] == {"type": "DATE", "pattern": "yyyy-mm-dd"}
    assert row[3]["userEnteredFormat"]["numberFormat"]["pattern"] == '"$"#,##0.00'


def test_text_that_looks_like_a_formula_stays_text(google: Google, template: Template) -> None:
    name = '=IMPORTXML("https://example.com","//a")'
    workbook = build_layout(template, lang="en", channels=[name, "+7 Blog"], demo=False, today=DEMO_TODAY)
    grid = google.grid(spreadsheet_id(google.provision(workbook)), "Channels!A1:A3")
    rows = cells(sheet_json(grid, "Channels"))
    assert rows[1][0]["userEnteredValue"] == {"stringValue": name}
    assert rows[1][0]["effectiveValue"] == {"stringValue": name}
    assert rows[2][0]["userEnteredValue"] == {"stringValue": "+7 Blog"}
