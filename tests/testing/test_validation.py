"""Requests are checked against the discovery documents; errors come in Google's envelopes."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_helpers import DRIVE, SHEETS, Api

from sheetops.testing import discovery
from sheetops.testing.discovery import DiscoveryUnavailable


def _error(response: Any, code: int = 400) -> dict[str, Any]:
    assert response.status_code == code, response.text
    body: dict[str, Any] = response.json()["error"]
    return body


def test_unknown_field_in_a_request(api: Api, spreadsheet_id: str) -> None:
    err = _error(api.batch(spreadsheet_id, {"addSheet": {"properties": {"title": "x"}, "foo": 1}}))
    message = "Invalid JSON payload received. Unknown name \"foo\" at 'requests[0].add_sheet': Cannot find field."
    assert err == {
        "code": 400,
        "message": message,
        "status": "INVALID_ARGUMENT",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": "requests[0].add_sheet", "description": message}],
            }
        ],
    }


def test_unknown_request_kind_and_top_level_field(api: Api, spreadsheet_id: str) -> None:
    err = _error(api.call("POST", f"{SHEETS}/{spreadsheet_id}:batchUpdate", json={"requests": [{"foo": {}}], "bar": 1}))
    assert err["message"].splitlines() == [
        "Invalid JSON payload received. Unknown name \"foo\" at 'requests[0]': Cannot find field.",
        'Invalid JSON payload received. Unknown name "bar": Cannot find field.',
    ]
    violations = err["details"][0]["fieldViolations"]
    assert violations[0]["field"] == "requests[0]"
    assert "field" not in violations[1]


def test_wrong_type_and_bad_enum(api: Api, spreadsheet_id: str) -> None:
    err = _error(
        api.batch(
            spreadsheet_id,
            {"addSheet": {"properties": {"title": 7, "sheetType": "TABLE", "gridProperties": {"rowCount": "many"}}}},
        )
    )
    assert err["message"].splitlines() == [
        "Invalid value at 'requests[0].add_sheet.properties.title' (TYPE_STRING), 7",
        "Invalid value at 'requests[0].add_sheet.properties.sheet_type' "
        '(type.googleapis.com/google.apps.sheets.v4.SheetType), "TABLE"',
        "Invalid value at 'requests[0].add_sheet.properties.grid_properties.row_count' (TYPE_INT32), \"many\"",
    ]
    fields = [v["field"] for v in err["details"][0]["fieldViolations"]]
    assert fields[1] == "requests[0].add_sheet.properties.sheet_type"


def test_values_must_be_a_list_like_the_recording(api: Api, spreadsheet_id: str) -> None:
    err = _error(api.put_values(spreadsheet_id, "'Sheet1'!A1", "X", majorDimension=None))
    assert err["message"] == "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), \"X\""
    assert err["details"][0]["fieldViolations"] == [{"field": "data.values", "description": err["message"]}]


def test_proto_json_leniencies_are_accepted(api: Api, spreadsheet_id: str) -> None:
    # snake_case names, integers as strings, enum numbers and nulls are all valid proto JSON
    response = api.batch(
        spreadsheet_id,
        {
            "add_sheet": {
                "properties": {"title": "B", "grid_properties": {"row_count": "5", "column_count": 2}, "tabColor": None}
            }
        },
    )
    assert response.status_code == 200, response.text
    props = response.json()["replies"][0]["addSheet"]["properties"]
    assert props["gridProperties"] == {"rowCount": 5, "columnCount": 2}


def test_query_parameters_are_checked(api: Api, spreadsheet_id: str) -> None:
    err = _error(api.values(spreadsheet_id, "A1", foo="1"))
    assert err["message"] == (
        'Invalid JSON payload received. Unknown name "foo": Cannot bind query parameter. '
        "Field 'foo' could not be found in request message."
    )
    err = _error(api.values(spreadsheet_id, "A1", valueRenderOption="PRETTY"))
    assert err["message"] == (
        "Invalid value at 'value_render_option' "
        '(type.googleapis.com/google.apps.sheets.v4.ValueRenderOption), "PRETTY"'
    )
    err = _error(api.get(spreadsheet_id, includeGridData="perhaps"))
    assert err["message"] == "Invalid value at 'include_grid_data' (TYPE_BOOL), \"perhaps\""
    assert api.get(spreadsheet_id, includeGridData="False").status_code == 200  # gspread sends Python's spelling


def test_value_input_option_is_required(api: Api, spreadsheet_id: str) -> None:
    response = api.call("PUT", f"{SHEETS}/{spreadsheet_id}/values/A1", json={"values": [[1]]})
    assert _error(response)["message"] == "'valueInputOption' is required but not specified"


def test_invalid_json_and_bad_field_masks(api: Api, spreadsheet_id: str) -> None:
    response = api.call(
        "POST",
        f"{SHEETS}/{spreadsheet_id}:batchUpdate",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert _error(response)["message"] == "Invalid JSON payload received. Unexpected token."
    assert (
        _error(api.get(spreadsheet_id, fields="sheets.nonsense"))["message"] == "Request contains an invalid argument."
    )
    assert _error(api.get(spreadsheet_id, fields="properties, sheets"))["status"] == "INVALID_ARGUMENT"
    err = _error(
        api.batch(
            spreadsheet_id, {"repeatCell": {"range": {"sheetId": 0}, "cell": {}, "fields": "userEnteredFormat.colour"}}
        )
    )
    assert err["message"].startswith("Invalid requests[0].repeatCell: Invalid field mask")


def test_drive_ignores_unknown_fields_but_checks_types(api: Api) -> None:
    ok = api.call(
        "POST", DRIVE, json={"name": "Folder", "mimeType": "application/vnd.google-apps.folder", "withLink": True}
    )
    assert ok.status_code == 200
    bad = api.call("POST", DRIVE, json={"name": ["x"]})
    err = _error(bad)
    assert err["errors"][0]["reason"] == "invalid"
    missing = api.call("GET", f"{DRIVE}/nope")
    assert _error(missing, 404) == {
        "code": 404,
        "message": "File not found: nope.",
        "errors": [
            {
                "message": "File not found: nope.",
                "domain": "global",
                "reason": "notFound",
                "location": "fileId",
                "locationType": "parameter",
            }
        ],
    }


def test_unknown_paths_and_unimplemented_methods(api: Api, spreadsheet_id: str) -> None:
    assert api.call("GET", "https://sheets.googleapis.com/v4/nothing").status_code == 404
    response = api.call("POST", f"{SHEETS}/{spreadsheet_id}/values:batchGetByDataFilter", json={})
    assert _error(response, 501)["status"] == "NOT_IMPLEMENTED"
    response = api.batch(spreadsheet_id, {"findReplace": {"find": "a", "replacement": "b", "allSheets": True}})
    assert "does not implement the findReplace request" in _error(response, 501)["message"]


def test_a_clear_message_without_google_api_python_client(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> Any:
        raise ModuleNotFoundError(f"No module named {name!r}")

    discovery.discovery_document.cache_clear()
    monkeypatch.setattr("importlib.resources.files", missing)
    try:
        with pytest.raises(DiscoveryUnavailable, match="needs google-api-python-client"):
            discovery.discovery_document("sheets")
    finally:
        monkeypatch.undo()
        discovery.discovery_document.cache_clear()
    assert "schemas" in discovery.discovery_document("sheets")
