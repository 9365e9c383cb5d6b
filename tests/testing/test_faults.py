"""Quota, injected faults, authentication and the request log, through the adapter."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from emulator_helpers import DRIVE, SHEETS, Api, FakeClock

from sheetops.testing import Emulator


def test_quota_answers_429_until_the_minute_has_passed(clock: FakeClock) -> None:
    emulator = Emulator(quota_per_minute=3, clock=clock)
    session = emulator.mount(requests.Session())
    api = Api(emulator, session, emulator.issue_token())
    spreadsheet_id = emulator.create_spreadsheet()
    assert [api.get(spreadsheet_id).status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get(spreadsheet_id)
    assert refused.status_code == 429
    err = refused.json()["error"]
    assert err["status"] == "RESOURCE_EXHAUSTED"
    assert err["message"].startswith("Quota exceeded for quota metric 'Read requests'")
    assert err["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    assert api.call("GET", f"{DRIVE}/{spreadsheet_id}").status_code == 200  # Drive is not counted
    clock.advance(61)
    assert api.get(spreadsheet_id).status_code == 200
    assert [r.fault for r in emulator.requests].count("quota") == 1


def test_injected_errors_match_and_run_out(api: Api, emulator: Emulator, spreadsheet_id: str) -> None:
    emulator.inject(status=503, times=2, match="batchUpdate", retry_after=7)
    request = {"updateSpreadsheetProperties": {"properties": {"title": "T"}, "fields": "title"}}
    first = api.batch(spreadsheet_id, request)
    assert first.status_code == 503
    assert first.headers["Retry-After"] == "7"
    assert first.json() == {
        "error": {"code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE"}
    }
    assert api.get(spreadsheet_id).status_code == 200  # not matched
    assert api.batch(spreadsheet_id, request).status_code == 503
    assert api.batch(spreadsheet_id, request).status_code == 200
    assert emulator.spreadsheet_json(spreadsheet_id)["properties"]["title"] == "T"


def test_injected_drive_error_uses_the_drive_envelope(api: Api, emulator: Emulator) -> None:
    emulator.inject(status=500, match="drive.files.create", body=None)
    body = api.call("POST", DRIVE, json={"name": "x"}).json()
    assert body["error"]["errors"][0]["reason"] == "backendError"
    emulator.inject(
        status=429, match=lambda operation, request: request.startswith("GET /drive"), body={"custom": True}
    )
    assert api.call("GET", DRIVE).json() == {"custom": True}


def test_gspread_backoff_client_retries_injected_5xx(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    import gspread.http_client

    # gspread's back-off sleeps 2, 4... seconds: give its module a clock that does not wait
    monkeypatch.setattr(gspread.http_client, "time", types.SimpleNamespace(sleep=lambda seconds: None))
    client = emulator.gspread_client(http_client=gspread.http_client.BackOffHTTPClient)
    sh = client.create("Retry")
    emulator.inject(status=500, times=2, match="values.update")
    sh.sheet1.update([["ok"]], "A1")
    assert [r.status for r in emulator.matching_requests("values.update")] == [500, 500, 200]
    assert emulator.values(sh.id, "A1") == [["ok"]]


def test_timeouts_through_the_adapter(api: Api, emulator: Emulator, spreadsheet_id: str) -> None:
    emulator.inject_timeout(match="values.update")
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.put_values(spreadsheet_id, "A1", [["lost"]])
    assert emulator.values(spreadsheet_id, "A1") == []
    emulator.inject_timeout(match="values.update", after_apply=True)
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.put_values(spreadsheet_id, "A1", [["applied"]])
    assert emulator.values(spreadsheet_id, "A1") == [["applied"]]  # the write happened, the answer was lost
    assert [r.fault for r in emulator.matching_requests("values.update")] == ["timeout", "timeout after apply"]


def test_authentication(api: Api, emulator: Emulator, spreadsheet_id: str, clock: FakeClock) -> None:
    missing = api.session.get(f"{SHEETS}/{spreadsheet_id}")
    assert missing.status_code == 401
    assert missing.json()["error"]["details"][0]["reason"] == "CREDENTIALS_MISSING"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    short = emulator.issue_token(expires_in=60)
    assert (
        api.session.get(f"{SHEETS}/{spreadsheet_id}", headers={"Authorization": f"Bearer {short}"}).status_code == 200
    )
    clock.advance(61)
    expired = api.session.get(f"{SHEETS}/{spreadsheet_id}", headers={"Authorization": f"Bearer {short}"})
    assert expired.status_code == 401
    assert expired.json()["error"]["status"] == "UNAUTHENTICATED"
    assert api.session.get(f"{SHEETS}/{spreadsheet_id}", params={"access_token": api.token}).status_code == 200
    drive = api.session.get(f"{DRIVE}/{spreadsheet_id}")
    assert drive.status_code == 401 and drive.json()["error"]["errors"][0]["location"] == "Authorization"


def test_request_log_counts_requests_and_bytes(api: Api, emulator: Emulator, spreadsheet_id: str) -> None:
    emulator.clear_log()
    api.put_values(spreadsheet_id, "A1:B1", [["x", "y"]])
    api.values(spreadsheet_id, "A1:B1")
    log = emulator.requests
    assert [(r.method, r.operation, r.status) for r in log] == [
        ("PUT", "sheets.spreadsheets.values.update", 200),
        ("GET", "sheets.spreadsheets.values.get", 200),
    ]
    put = log[0]
    assert put.path == f"/v4/spreadsheets/{spreadsheet_id}/values/A1:B1"
    assert put.query == {"valueInputOption": ["RAW"]}
    assert put.json() == {"values": [["x", "y"]]}
    assert put.body_size == len(put.body) > 0
    assert emulator.bytes_received() == put.body_size
    assert emulator.request_count("values.get") == 1 and emulator.request_count() == 2
    assert put.identity == "owner@sheetops-emulator.invalid" and put.response_size > 0


def test_server_errors_are_in_the_envelope_of_each_status(api: Api, emulator: Emulator, spreadsheet_id: str) -> None:
    seen: dict[int, Any] = {}
    for status in (400, 403, 404, 429, 500, 502, 504):
        emulator.inject(status=status)
        seen[status] = api.get(spreadsheet_id).json()["error"]
    assert seen[404]["status"] == "NOT_FOUND"
    assert seen[429]["status"] == "RESOURCE_EXHAUSTED"
    assert seen[504]["status"] == "DEADLINE_EXCEEDED"
    assert all(e["code"] == s for s, e in seen.items())
