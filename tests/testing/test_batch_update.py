"""spreadsheets.batchUpdate: all or nothing, replies, limits, and the state read back."""

from __future__ import annotations

from typing import Any

from emulator_helpers import SHEETS, Api

from sheetops.testing import Emulator


def _grid(r0: int, r1: int, c0: int, c1: int, sheet_id: int = 0) -> dict[str, int]:
    return {"sheetId": sheet_id, "startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}


def test_batch_update_is_atomic(api: Api, emulator: Emulator, spreadsheet_id: str) -> None:
    api.put_values(spreadsheet_id, "A1", [["keep"]])
    before = emulator.spreadsheet_json(spreadsheet_id, include_grid_data=True)
    response = api.batch(
        spreadsheet_id,
        {"addSheet": {"properties": {"title": "New"}}},
        {"updateCells": {"range": _grid(0, 1, 0, 1), "rows": [{"values": [{"note": "x"}]}], "fields": "note"}},
        {"deleteSheet": {"sheetId": 12345}},
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Invalid requests[2].deleteSheet: No grid with id: 12345"
    assert emulator.spreadsheet_json(spreadsheet_id, include_grid_data=True) == before


def test_replies_are_shaped_like_googles(api: Api, spreadsheet_id: str) -> None:
    response = api.batch(
        spreadsheet_id,
        {"addSheet": {"properties": {"title": "Data", "gridProperties": {"rowCount": 10, "columnCount": 4}}}},
        {
            "repeatCell": {
                "range": _grid(0, 1, 0, 2),
                "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                "fields": "userEnteredFormat.textFormat.bold",
            }
        },
        {
            "addProtectedRange": {
                "protectedRange": {"range": _grid(0, 1, 0, 2), "description": "headers", "warningOnly": True}
            }
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"spreadsheetId", "replies"}
    added = body["replies"][0]["addSheet"]["properties"]
    assert added["title"] == "Data" and added["index"] == 1 and added["sheetType"] == "GRID"
    assert added["gridProperties"] == {"rowCount": 10, "columnCount": 4}
    assert body["replies"][1] == {}
    protected = body["replies"][2]["addProtectedRange"]["protectedRange"]
    assert protected["range"] == {"startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": 2}
    assert protected["warningOnly"] is True and protected["requestingUserCanEdit"] is True
    sheets = api.get(spreadsheet_id).json()["sheets"]
    assert sheets[0]["protectedRanges"][0]["editors"] == {"users": ["owner@sheetops-emulator.invalid"]}
    pr_id = protected["protectedRangeId"]
    assert api.batch(spreadsheet_id, {"deleteProtectedRange": {"protectedRangeId": pr_id}}).status_code == 200
    assert "protectedRanges" not in api.get(spreadsheet_id).json()["sheets"][0]


def test_format_read_back_through_a_fields_mask(api: Api, spreadsheet_id: str) -> None:
    # the request of the recorded WorksheetTest.test_format
    api.batch(
        spreadsheet_id,
        {
            "repeatCell": {
                "range": _grid(1, 2, 0, 2),
                "cell": {
                    "userEnteredFormat": {
                        "backgroundColor": {"green": 1, "blue": 1},
                        "horizontalAlignment": "CENTER",
                        "textFormat": {"foregroundColor": {"red": 1, "green": 1}, "fontSize": 12, "bold": True},
                    }
                },
                "fields": "userEnteredFormat(backgroundColor,horizontalAlignment,textFormat)",
            }
        },
    )
    got = api.get(
        spreadsheet_id,
        includeGridData="False",
        ranges="Sheet1!A2",
        fields="sheets.data.rowData.values.userEnteredFormat",
    )
    assert got.json() == {
        "sheets": [
            {
                "data": [
                    {
                        "rowData": [
                            {
                                "values": [
                                    {
                                        "userEnteredFormat": {
                                            "backgroundColor": {"green": 1, "blue": 1},
                                            "horizontalAlignment": "CENTER",
                                            "textFormat": {
                                                "foregroundColor": {"red": 1, "green": 1},
                                                "fontSize": 12,
                                                "bold": True,
                                                "foregroundColorStyle": {"rgbColor": {"red": 1, "green": 1}},
                                            },
                                            "backgroundColorStyle": {"rgbColor": {"green": 1, "blue": 1}},
                                        }
                                    }
                                ]
                            }
                        ]
                    }
                ]
            }
        ]
    }


def test_fields_mask_with_parentheses_and_trailing_trim(api: Api, spreadsheet_id: str) -> None:
    api.put_values(spreadsheet_id, "A1:B2", [["a", "b"], [1]], option="USER_ENTERED")
    api.batch(
        spreadsheet_id,
        {"updateCells": {"range": _grid(1, 2, 1, 2), "rows": [{"values": [{"note": "n"}]}], "fields": "note"}},
    )
    mask = "sheets(properties.title,data.rowData.values(userEnteredValue,note))"
    got = api.get(spreadsheet_id, ranges="Sheet1!A1:C3", fields=mask).json()
    assert got == {
        "sheets": [
            {
                "properties": {"title": "Sheet1"},
                "data": [
                    {
                        "rowData": [
                            {
                                "values": [
                                    {"userEnteredValue": {"stringValue": "a"}},
                                    {"userEnteredValue": {"stringValue": "b"}},
                                ]
                            },
                            {"values": [{"userEnteredValue": {"numberValue": 1}}, {"note": "n"}]},
                        ]
                    }
                ],
            }
        ]
    }


def test_update_cells_with_start_range_and_clear(api: Api, emulator: Emulator, spreadsheet_id: str) -> None:
    rows = [{"values": [{"userEnteredValue": {"stringValue": "x"}}, {"userEnteredValue": {"formulaValue": "=1+1"}}]}]
    assert (
        api.batch(
            spreadsheet_id,
            {
                "updateCells": {
                    "start": {"sheetId": 0, "rowIndex": 2, "columnIndex": 1},
                    "rows": rows,
                    "fields": "userEnteredValue",
                }
            },
        ).status_code
        == 200
    )
    assert emulator.values(spreadsheet_id, "B3:C3") == [["x", "2"]]
    api.batch(spreadsheet_id, {"updateCells": {"range": _grid(0, 5, 0, 5), "fields": "*"}})
    assert emulator.values(spreadsheet_id, "A1:E5") == []
    too_wide = {"updateCells": {"range": _grid(0, 1, 0, 1), "rows": rows, "fields": "userEnteredValue"}}
    error = api.batch(spreadsheet_id, too_wide).json()["error"]["message"]
    assert (
        error
        == "Invalid requests[0].updateCells: Attempting to write column: 1, beyond the last requested column of: 0"
    )


def test_grid_and_cell_limits(api: Api, spreadsheet_id: str) -> None:
    beyond = api.batch(spreadsheet_id, {"repeatCell": {"range": _grid(999, 1001, 0, 1), "cell": {}, "fields": "note"}})
    assert "exceeds grid limits" in beyond.json()["error"]["message"]
    huge = api.batch(spreadsheet_id, {"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 400_000}})
    assert huge.status_code == 400
    assert huge.json()["error"]["message"] == (
        "Invalid requests[0].appendDimension: This action would increase the number of cells in the workbook "
        "above the limit of 10000000 cells."
    )
    ok = api.batch(spreadsheet_id, {"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 10}})
    assert ok.status_code == 200
    assert api.get(spreadsheet_id).json()["sheets"][0]["properties"]["gridProperties"]["rowCount"] == 1010


def test_sheet_properties_and_dimensions(api: Api, emulator: Emulator, spreadsheet_id: str) -> None:
    api.put_values(spreadsheet_id, "A1:A3", [["r1"], ["r2"], ["r3"]])
    api.batch(
        spreadsheet_id,
        {
            "updateSheetProperties": {
                "properties": {
                    "sheetId": 0,
                    "title": "Plan",
                    "gridProperties": {"frozenRowCount": 1},
                    "tabColorStyle": {"rgbColor": {"red": 0.5}},
                },
                "fields": "title,gridProperties.frozenRowCount,tabColorStyle",
            }
        },
        {"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}}},
        {
            "updateDimensionProperties": {
                "range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 3},
                "properties": {"pixelSize": 150},
                "fields": "pixelSize",
            }
        },
    )
    props = api.get(spreadsheet_id).json()["sheets"][0]["properties"]
    assert props["title"] == "Plan"
    assert props["gridProperties"] == {"rowCount": 1001, "columnCount": 26, "frozenRowCount": 1}
    assert props["tabColor"] == {"red": 0.49803922}  # 8 bits per channel, as Google keeps them
    assert emulator.values(spreadsheet_id, "'Plan'!A1:A4") == [["r1"], [], ["r2"], ["r3"]]
    widths = emulator.spreadsheet_json(spreadsheet_id, include_grid_data=True)["sheets"][0]["data"][0]["columnMetadata"]
    assert [w["pixelSize"] for w in widths[:4]] == [100, 150, 150, 100]
    hide_all = api.batch(
        spreadsheet_id, {"updateSheetProperties": {"properties": {"sheetId": 0, "hidden": True}, "fields": "hidden"}}
    )
    assert hide_all.json()["error"]["message"] == (
        "Invalid requests[0].updateSheetProperties: You can't hide all the sheets in a document."
    )


def test_data_validation_and_conditional_formats(api: Api, spreadsheet_id: str) -> None:
    rule = {
        "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "yes"}, {"userEnteredValue": "no"}]},
        "strict": True,
        "showCustomUi": True,
    }
    cf = {
        "ranges": [_grid(1, 10, 2, 3)],
        "booleanRule": {
            "condition": {"type": "NUMBER_LESS", "values": [{"userEnteredValue": "0"}]},
            "format": {"backgroundColor": {"red": 1, "green": 0.8, "blue": 0.8}},
        },
    }
    response = api.batch(
        spreadsheet_id,
        {"setDataValidation": {"range": _grid(1, 3, 0, 1), "rule": rule}},
        {"addConditionalFormatRule": {"rule": cf, "index": 0}},
    )
    assert response.status_code == 200, response.text
    got = api.get(
        spreadsheet_id, fields="sheets(conditionalFormats,data.rowData.values.dataValidation)", ranges="Sheet1!A1:A3"
    ).json()
    sheet = got["sheets"][0]
    assert sheet["data"][0]["rowData"] == [
        {},
        {"values": [{"dataValidation": rule}]},
        {"values": [{"dataValidation": rule}]},
    ]
    saved = sheet["conditionalFormats"][0]
    assert saved["ranges"] == [{"startRowIndex": 1, "endRowIndex": 10, "startColumnIndex": 2, "endColumnIndex": 3}]
    assert saved["booleanRule"]["format"]["backgroundColorStyle"] == {"rgbColor": {"red": 1, "green": 0.8, "blue": 0.8}}
    deleted = api.batch(spreadsheet_id, {"deleteConditionalFormatRule": {"sheetId": 0, "index": 0}}).json()
    assert deleted["replies"][0]["deleteConditionalFormatRule"]["rule"]["booleanRule"] == saved["booleanRule"]


def test_developer_metadata_lifecycle(api: Api, spreadsheet_id: str) -> None:
    def create(key: str, location: dict[str, Any]) -> dict[str, Any]:
        body = api.batch(
            spreadsheet_id,
            {
                "createDeveloperMetadata": {
                    "developerMetadata": {
                        "metadataKey": key,
                        "metadataValue": "v1",
                        "location": location,
                        "visibility": "DOCUMENT",
                    }
                }
            },
        ).json()
        result: dict[str, Any] = body["replies"][0]["createDeveloperMetadata"]["developerMetadata"]
        return result

    tab = create("tab", {"sheetId": 0})
    row = create("row", {"dimensionRange": {"sheetId": 0, "dimension": "ROWS", "startIndex": 4, "endIndex": 5}})
    assert tab["location"] == {"locationType": "SHEET", "sheetId": 0}
    assert row["location"] == {
        "locationType": "ROW",
        "dimensionRange": {"dimension": "ROWS", "startIndex": 4, "endIndex": 5},
    }
    # rows inserted above move the row metadata, as in Google
    api.batch(
        spreadsheet_id,
        {"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 2}}},
    )
    got = api.call("GET", f"{SHEETS}/{spreadsheet_id}/developerMetadata/{row['metadataId']}").json()
    assert got["location"]["dimensionRange"] == {"dimension": "ROWS", "startIndex": 6, "endIndex": 7}
    lookup = {"developerMetadataLookup": {"metadataKey": "tab"}}
    updated = api.batch(
        spreadsheet_id,
        {
            "updateDeveloperMetadata": {
                "dataFilters": [lookup],
                "developerMetadata": {"metadataValue": "v2"},
                "fields": "metadataValue",
            }
        },
    ).json()
    assert updated["replies"][0]["updateDeveloperMetadata"]["developerMetadata"][0]["metadataValue"] == "v2"
    assert (
        api.get(spreadsheet_id, fields="sheets.developerMetadata").json()["sheets"][0]["developerMetadata"][0][
            "metadataValue"
        ]
        == "v2"
    )
    deleted = api.batch(spreadsheet_id, {"deleteDeveloperMetadata": {"dataFilter": lookup}}).json()
    assert [m["metadataKey"] for m in deleted["replies"][0]["deleteDeveloperMetadata"]["deletedDeveloperMetadata"]] == [
        "tab"
    ]
    search = api.call(
        "POST", f"{SHEETS}/{spreadsheet_id}/developerMetadata:search", json={"dataFilters": [lookup]}
    ).json()
    assert search == {}
    missing = api.call("GET", f"{SHEETS}/{spreadsheet_id}/developerMetadata/{tab['metadataId']}")
    assert missing.status_code == 404


def test_update_spreadsheet_properties_renames_the_drive_file(api: Api, spreadsheet_id: str) -> None:
    api.batch(
        spreadsheet_id,
        {
            "updateSpreadsheetProperties": {
                "properties": {"title": "Q3 plan", "timeZone": "Europe/Paris"},
                "fields": "title,timeZone",
            }
        },
    )
    props = api.get(spreadsheet_id, fields="properties(title,timeZone,locale)").json()["properties"]
    assert props == {"title": "Q3 plan", "locale": "en_US", "timeZone": "Europe/Paris"}
    assert api.call("GET", f"https://www.googleapis.com/drive/v3/files/{spreadsheet_id}").json()["name"] == "Q3 plan"


def test_spreadsheets_create_with_sheets_and_data(api: Api) -> None:
    body = {
        "properties": {"title": "Created", "locale": "ru_RU"},
        "sheets": [
            {
                "properties": {
                    "title": "Plan",
                    "gridProperties": {"rowCount": 20, "columnCount": 5, "frozenRowCount": 1},
                },
                "data": [
                    {
                        "rowData": [
                            {
                                "values": [
                                    {"userEnteredValue": {"stringValue": "Channel"}},
                                    {"userEnteredValue": {"numberValue": 3}},
                                ]
                            }
                        ]
                    }
                ],
            },
            {"properties": {"title": "Facts"}},
        ],
        "namedRanges": [
            {
                "name": "Channels",
                "range": {"sheetId": 0, "startRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": 1},
            }
        ],
    }
    response = api.call("POST", SHEETS, json=body)
    assert response.status_code == 200, response.text
    created = response.json()
    assert created["properties"]["title"] == "Created" and created["properties"]["locale"] == "ru_RU"
    assert [s["properties"]["title"] for s in created["sheets"]] == ["Plan", "Facts"]
    assert created["sheets"][0]["properties"]["sheetId"] == 0
    assert created["namedRanges"][0]["name"] == "Channels"
    assert created["spreadsheetUrl"] == f"https://docs.google.com/spreadsheets/d/{created['spreadsheetId']}/edit"
    values = api.values(created["spreadsheetId"], "Plan!A1:B1").json()
    assert values == {"range": "Plan!A1:B1", "majorDimension": "ROWS", "values": [["Channel", "3"]]}
