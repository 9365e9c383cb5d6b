"""The values methods answer like the recorded service."""

from __future__ import annotations

from emulator_helpers import SHEETS, Api

from sheetops.testing import Emulator


def test_render_options_like_the_recording(api: Api, spreadsheet_id: str) -> None:
    # WorksheetTest.test_get_all_values_date_time_render_options, replayed by hand
    api.batch(
        spreadsheet_id,
        {
            "updateSheetProperties": {
                "properties": {"sheetId": 0, "gridProperties": {"rowCount": 2, "columnCount": 4}},
                "fields": "gridProperties/rowCount,gridProperties/columnCount",
            }
        },
    )
    assert api.values(spreadsheet_id, "'Sheet1'!A1:D2").json() == {"range": "Sheet1!A1:D2", "majorDimension": "ROWS"}
    written = api.put_values(
        spreadsheet_id,
        "'Sheet1'!A1:D2",
        [["=4/2", "2020-01-01", "string", 53], ["=3/2", 0.12, "1999-01-02", ""]],
        option="USER_ENTERED",
    )
    assert written.json()["updatedRange"] == "Sheet1!A1:D2"
    cases = {
        ("UNFORMATTED_VALUE", "SERIAL_NUMBER"): [[2, 43831, "string", 53], [1.5, 0.12, 36162]],
        ("UNFORMATTED_VALUE", "FORMATTED_STRING"): [[2, "2020-01-01", "string", 53], [1.5, 0.12, "1999-01-02"]],
        ("FORMATTED_VALUE", "SERIAL_NUMBER"): [["2", "2020-01-01", "string", "53"], ["1.5", "0.12", "1999-01-02"]],
        ("FORMULA", "SERIAL_NUMBER"): [["=4/2", 43831, "string", 53], ["=3/2", 0.12, 36162]],
    }
    for (render, dt_render), expected in cases.items():
        got = api.values(spreadsheet_id, "'Sheet1'", valueRenderOption=render, dateTimeRenderOption=dt_render).json()
        assert got == {"range": "Sheet1!A1:D2", "majorDimension": "ROWS", "values": expected}, (render, dt_render)


def test_raw_keeps_strings_and_user_entered_parses(api: Api, emulator: Emulator, spreadsheet_id: str) -> None:
    api.put_values(spreadsheet_id, "A1:E1", [["=1+1", "12", "TRUE", "'x", "10%"]], option="RAW")
    api.put_values(spreadsheet_id, "A2:E2", [["=1+1", "12", "TRUE", "'x", "10%"]], option="USER_ENTERED")
    cells = emulator.spreadsheet_json(spreadsheet_id, include_grid_data=True)["sheets"][0]["data"][0]["rowData"]
    raw = [c["userEnteredValue"] for c in cells[0]["values"]]
    parsed = [c["userEnteredValue"] for c in cells[1]["values"]]
    assert raw == [{"stringValue": v} for v in ("=1+1", "12", "TRUE", "'x", "10%")]
    assert parsed == [
        {"formulaValue": "=1+1"},
        {"numberValue": 12},
        {"boolValue": True},
        {"stringValue": "x"},
        {"numberValue": 0.1},
    ]
    assert cells[1]["values"][4]["userEnteredFormat"]["numberFormat"] == {"type": "PERCENT", "pattern": "0%"}
    assert emulator.values(spreadsheet_id, "A2:E2", render="UNFORMATTED_VALUE") == [[2, 12, True, "x", 0.1]]


def test_major_dimension_trimming_and_quoting(api: Api, spreadsheet_id: str) -> None:
    api.batch(
        spreadsheet_id,
        {"addSheet": {"properties": {"title": "My sheet"}}},
        {"addSheet": {"properties": {"title": "D3"}}},
    )
    written = api.put_values(spreadsheet_id, "'My sheet'!B2", [["a", None, "c"], [None, "e"]])
    assert written.json() == {
        "spreadsheetId": spreadsheet_id,
        "updatedRange": "'My sheet'!B2:D3",
        "updatedRows": 2,
        "updatedColumns": 3,
        "updatedCells": 3,
    }
    rows = api.values(spreadsheet_id, "'My sheet'!A1:E5").json()
    assert rows["values"] == [[], ["", "a", "", "c"], ["", "", "e"]]
    cols = api.values(spreadsheet_id, "'My sheet'!B2:D3", majorDimension="COLUMNS").json()
    assert cols == {"range": "'My sheet'!B2:D3", "majorDimension": "COLUMNS", "values": [["a"], ["", "e"], ["c"]]}
    assert api.values(spreadsheet_id, "'D3'!A:A").json()["range"] == "'D3'!A1:A1000"
    assert api.values(spreadsheet_id, "Sheet1!A2:2").json()["range"] == "Sheet1!A2:Z2"
    unparsable = api.values(spreadsheet_id, "Nope!A1")
    assert unparsable.status_code == 400
    assert unparsable.json()["error"]["message"] == "Unable to parse range: Nope!A1"


def test_writing_beyond_the_range_or_grid(api: Api, spreadsheet_id: str) -> None:
    too_many = api.put_values(spreadsheet_id, "A1:B2", [[1], [2], [3]])
    assert (
        too_many.json()["error"]["message"]
        == "Requested writing within range [Sheet1!A1:B2], but tried writing to row [3]"
    )
    too_wide = api.put_values(spreadsheet_id, "A1:B2", [[1, 2, 3]])
    assert (
        too_wide.json()["error"]["message"]
        == "Requested writing within range [Sheet1!A1:B2], but tried writing to column [C]"
    )
    beyond = api.put_values(spreadsheet_id, "Z1000", [[1, 2]])
    assert (
        beyond.json()["error"]["message"]
        == "Range ('Sheet1'!Z1000:AA1000) exceeds grid limits. Max rows: 1000, max columns: 26"
    )


def test_append_finds_the_table_like_the_service(api: Api, spreadsheet_id: str) -> None:
    url = f"{SHEETS}/{spreadsheet_id}/values/'Sheet1':append"
    params = {"valueInputOption": "RAW", "includeValuesInResponse": "False"}
    first = api.call("POST", url, params=params, json={"values": [["a", "", "c"]]}).json()
    assert "tableRange" not in first and first["updates"]["updatedRange"] == "Sheet1!A1:C1"
    # the recorded answer of test_append_row_with_empty_value: the table is the last block, C1
    second = api.call("POST", url, params=params, json={"values": [["a", "", "c"]]}).json()
    assert second["tableRange"] == "Sheet1!C1"
    assert second["updates"]["updatedRange"] == "Sheet1!C2:E2"
    third = api.call(
        "POST", f"{SHEETS}/{spreadsheet_id}/values/'Sheet1'!A1:append", params=params, json={"values": [["z"]]}
    ).json()
    assert third["tableRange"] == "Sheet1!A1"
    assert third["updates"]["updatedRange"] == "Sheet1!A2"


def test_append_insert_rows_and_response_values(api: Api, emulator: Emulator, spreadsheet_id: str) -> None:
    api.put_values(spreadsheet_id, "A1:B3", [["h1", "h2"], ["1", "2"], [None, None]])
    api.put_values(spreadsheet_id, "A5", [["below"]])
    response = api.call(
        "POST",
        f"{SHEETS}/{spreadsheet_id}/values/A1:B2:append",
        params={
            "valueInputOption": "USER_ENTERED",
            "insertDataOption": "INSERT_ROWS",
            "includeValuesInResponse": "true",
        },
        json={"values": [["3", "4"]]},
    ).json()
    assert response["tableRange"] == "Sheet1!A1:B2"
    assert response["updates"]["updatedData"] == {
        "range": "Sheet1!A3:B3",
        "majorDimension": "ROWS",
        "values": [["3", "4"]],
    }
    assert emulator.values(spreadsheet_id, "A1:A6") == [["h1"], ["1"], ["3"], [], [], ["below"]]
    assert api.get(spreadsheet_id).json()["sheets"][0]["properties"]["gridProperties"]["rowCount"] == 1001


def test_clear_batch_get_batch_update_batch_clear(api: Api, emulator: Emulator, spreadsheet_id: str) -> None:
    api.batch(
        spreadsheet_id,
        {
            "repeatCell": {
                "range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1},
                "cell": {"note": "kept"},
                "fields": "note",
            }
        },
    )
    body = {
        "valueInputOption": "RAW",
        "data": [{"range": "A1:B1", "values": [["a", "b"]]}, {"range": "A3", "values": [["c"]]}],
    }
    result = api.call("POST", f"{SHEETS}/{spreadsheet_id}/values:batchUpdate", json=body).json()
    assert (
        result["totalUpdatedRows"],
        result["totalUpdatedColumns"],
        result["totalUpdatedCells"],
        result["totalUpdatedSheets"],
    ) == (2, 2, 3, 1)
    got = api.call("GET", f"{SHEETS}/{spreadsheet_id}/values:batchGet", params={"ranges": ["A1:B1", "A3"]}).json()
    assert [vr["values"] for vr in got["valueRanges"]] == [[["a", "b"]], [["c"]]]
    cleared = api.call("POST", f"{SHEETS}/{spreadsheet_id}/values/'Sheet1':clear", json={}).json()
    assert cleared == {"spreadsheetId": spreadsheet_id, "clearedRange": "Sheet1!A1:Z1000"}
    assert emulator.values(spreadsheet_id, "Sheet1") == []
    assert api.get(spreadsheet_id, ranges="A1", fields="sheets.data.rowData.values.note").json()["sheets"][0]["data"][
        0
    ]["rowData"] == [{"values": [{"note": "kept"}]}]
    batch_cleared = api.call(
        "POST", f"{SHEETS}/{spreadsheet_id}/values:batchClear", json={"ranges": ["A1:B2", "C:C"]}
    ).json()
    assert batch_cleared["clearedRanges"] == ["Sheet1!A1:B2", "Sheet1!C1:C1000"]


def test_formulas_recalculate(api: Api, emulator: Emulator, spreadsheet_id: str) -> None:
    api.batch(spreadsheet_id, {"addSheet": {"properties": {"title": "Other sheet"}}})
    api.put_values(
        spreadsheet_id, "A1:A4", [[2], [3], ["=SUM(A1:A2)*2"], ["='Other sheet'!A1&\"!\""]], option="USER_ENTERED"
    )
    api.put_values(spreadsheet_id, "'Other sheet'!A1", [["hi"]])
    assert emulator.values(spreadsheet_id, "A3:A4") == [["10"], ["hi!"]]
    api.put_values(spreadsheet_id, "A1", [[10]])
    assert emulator.values(spreadsheet_id, "A3") == [["26"]]
    api.put_values(spreadsheet_id, "B1:B3", [["=1/0"], ["=B2"], ["=NOPE(1)"]], option="USER_ENTERED")
    assert emulator.values(spreadsheet_id, "B1:B3") == [["#DIV/0!"], ["#REF!"], ["#NAME?"]]
