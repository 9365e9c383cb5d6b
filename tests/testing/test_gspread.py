"""The real, unmodified gspread client against the emulator's in-process adapter."""

from __future__ import annotations

from typing import Any

import gspread
import pytest
from gspread.utils import ExportFormat, ValueInputOption, ValueRenderOption

from sheetops.testing import Emulator


def test_create_open_and_list(gspread_client: Any, emulator: Emulator) -> None:
    sh = gspread_client.create("Marketing plan")
    assert len(sh.id) == 44
    assert sh.title == "Marketing plan"
    assert [ws.title for ws in sh.worksheets()] == ["Sheet1"]
    assert (sh.sheet1.row_count, sh.sheet1.col_count) == (1000, 26)
    assert gspread_client.open_by_key(sh.id).title == "Marketing plan"
    assert gspread_client.open("Marketing plan").id == sh.id
    assert [f["name"] for f in gspread_client.list_spreadsheet_files()] == ["Marketing plan"]
    assert emulator.request_count("drive.files.create") == 1


def test_values_round_trip(gspread_client: Any) -> None:
    ws = gspread_client.create("Values").sheet1
    ws.update(
        [["Channel", "Budget", "Share"], ["Ads", "1,200.00", "25%"], ["SEO", 300, "=B3/B2"]],
        "A1",
        value_input_option=ValueInputOption.user_entered,
    )
    assert ws.get_all_values() == [
        ["Channel", "Budget", "Share"],
        ["Ads", "1,200.00", "25%"],
        ["SEO", "300", "0.25"],
    ]
    assert ws.get("B2:C3", value_render_option=ValueRenderOption.unformatted) == [[1200, 0.25], [300, 0.25]]
    assert ws.get("C3", value_render_option=ValueRenderOption.formula) == [["=B3/B2"]]
    ws.update([["=1+1", "007"]], "A5", value_input_option=ValueInputOption.raw)
    assert ws.get("A5:B5", value_render_option=ValueRenderOption.unformatted) == [["=1+1", "007"]]
    assert ws.acell("B2").value == "1,200.00"


def test_append_rows_and_worksheets(gspread_client: Any) -> None:
    sh = gspread_client.create("Log")
    ws = sh.add_worksheet("Log", rows=2, cols=3)
    ws.append_row(["a", "b", "c"])
    ws.append_row(["d", "e", "f"])
    ws.append_row(["g", "h", "i"])  # beyond the 2 rows: the grid grows
    assert ws.get_all_values() == [["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]]
    assert sh.worksheet("Log").row_count == 3
    sh.del_worksheet(sh.sheet1)
    assert [w.title for w in sh.worksheets()] == ["Log"]


def test_batch_update_with_formats_reads_back_like_google(gspread_client: Any) -> None:
    sh = gspread_client.create("Formats")
    ws = sh.sheet1
    ws.format("A1:B1", {"backgroundColor": {"red": 1, "green": 0, "blue": 0}, "textFormat": {"bold": True}})
    meta = sh.fetch_sheet_metadata({"ranges": "Sheet1!A1", "fields": "sheets.data.rowData.values.userEnteredFormat"})
    fmt = meta["sheets"][0]["data"][0]["rowData"][0]["values"][0]["userEnteredFormat"]
    assert fmt == {
        "backgroundColor": {"red": 1},
        "textFormat": {"bold": True},
        "backgroundColorStyle": {"rgbColor": {"red": 1}},
    }
    sh.batch_update(
        {
            "requests": [
                {
                    "updateDimensionProperties": {
                        "range": {"sheetId": ws.id, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1},
                        "properties": {"pixelSize": 240},
                        "fields": "pixelSize",
                    }
                }
            ]
        }
    )
    widths = sh.fetch_sheet_metadata({"fields": "sheets.data.columnMetadata.pixelSize"})
    assert [c["pixelSize"] for c in widths["sheets"][0]["data"][0]["columnMetadata"][:2]] == [240, 100]


def test_notes(gspread_client: Any) -> None:
    ws = gspread_client.create("Notes").sheet1
    ws.update_note("A1", "check the budget")
    ws.insert_notes({"B2": "owner: Ann"})
    assert ws.get_note("A1") == "check the budget"
    assert ws.get_notes() == [["check the budget"], ["", "owner: Ann"]]
    ws.clear_note("A1")
    assert ws.get_note("A1") == ""


def test_developer_metadata(gspread_client: Any) -> None:
    sh = gspread_client.create("Meta")
    reply = sh.batch_update(
        {
            "requests": [
                {
                    "createDeveloperMetadata": {
                        "developerMetadata": {
                            "metadataKey": "sheetops.template",
                            "metadataValue": "smb-marketing@1",
                            "location": {"spreadsheet": True},
                            "visibility": "DOCUMENT",
                        }
                    }
                }
            ]
        }
    )
    created = reply["replies"][0]["createDeveloperMetadata"]["developerMetadata"]
    assert created["location"] == {"locationType": "SPREADSHEET", "spreadsheet": True}
    got = sh.fetch_sheet_metadata({"fields": "developerMetadata"})
    assert got == {"developerMetadata": [created]}
    found = sh.client.request(
        "post",
        f"https://sheets.googleapis.com/v4/spreadsheets/{sh.id}/developerMetadata:search",
        json={"dataFilters": [{"developerMetadataLookup": {"metadataKey": "sheetops.template"}}]},
    ).json()
    assert found["matchedDeveloperMetadata"][0]["developerMetadata"]["metadataValue"] == "smb-marketing@1"


def test_share_copy_export_delete(gspread_client: Any) -> None:
    sh = gspread_client.create("Shared")
    sh.sheet1.update([["a", "b"], ["1", "2"]], "A1")
    sh.share("ann@example.com", perm_type="user", role="writer", notify=False)
    perms = sh.list_permissions()
    assert sorted((p["role"], p.get("emailAddress")) for p in perms) == [
        ("owner", "owner@sheetops-emulator.invalid"),
        ("writer", "ann@example.com"),
    ]
    copy = gspread_client.copy(sh.id, title="Shared (copy)")
    assert copy.sheet1.get_all_values() == [["a", "b"], ["1", "2"]]
    assert gspread_client.export(sh.id, ExportFormat.CSV) == b"a,b\r\n1,2"
    gspread_client.del_spreadsheet(sh.id)
    with pytest.raises(gspread.SpreadsheetNotFound):
        gspread_client.open_by_key(sh.id)


def test_api_errors_reach_gspread(gspread_client: Any) -> None:
    ws = gspread_client.create("Errors").sheet1
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([["x"]], "A1001")
    assert err.value.code == 400
    assert "exceeds grid limits" in str(err.value)
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.spreadsheet.batch_update({"requests": [{"addSheet": {"properties": {"title": "Sheet1"}}}]})
    assert 'A sheet with the name "Sheet1" already exists' in str(err.value)


def test_a_second_identity_sees_only_what_is_shared(emulator: Emulator) -> None:
    owner = emulator.gspread_client()
    sh = owner.create("Private")
    guest = emulator.gspread_client(subject="guest@example.com")
    with pytest.raises(PermissionError):  # gspread's answer to a 403
        guest.open_by_key(sh.id)
    assert emulator.requests[-1].status == 403
    sh.share("guest@example.com", perm_type="user", role="reader", notify=False)
    guest_view = guest.open_by_key(sh.id)
    with pytest.raises(gspread.exceptions.APIError) as err:
        guest_view.sheet1.update([["no"]], "A1")
    assert err.value.code == 403
