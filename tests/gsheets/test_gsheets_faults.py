"""Faults: 429 and 5xx answers and timeouts are retried within a budget; a failed sync
leaves the spreadsheet as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gsheets_world import DEMO_TODAY, Google, cells, make_google, sheet_json

from sheetops.backends.gsheets import spreadsheet_id
from sheetops.backends.gsheets.http import GoogleSettings
from sheetops.errors import BackendError
from sheetops.layout import WorkbookLayout
from sheetops.sync.engine import run_sync
from sheetops.templates import Template


@pytest.fixture
def demo(google: Google, short_layouts: dict[str, WorkbookLayout]) -> str:
    return google.provision(short_layouts["demo_en"])


def state(google: Google, url: str) -> dict[str, Any]:
    """Everything the service holds for the spreadsheet: cells, formats, notes, tabs."""
    result: dict[str, Any] = google.emulator.spreadsheet_json(spreadsheet_id(url), include_grid_data=True)
    return result


def attempts(google: Google, operation: str) -> int:
    return sum(1 for r in google.api_requests() if r.operation == operation)


def test_a_429_storm_fails_the_sync_within_the_budget_and_changes_nothing(
    google: Google, demo: str, template: Template
) -> None:
    before = state(google, demo)
    google.emulator.clear_log()
    google.emulator.inject(429, times=None, match="spreadsheets.batchUpdate")
    with pytest.raises(BackendError) as failure:
        run_sync(google.backend(demo), template, as_of=DEMO_TODAY)
    message = str(failure.value)
    assert "429 (too many requests" in message and "Nothing was written" in message
    assert "SHEETOPS_GOOGLE_RETRY_BUDGET (now 60 s)" in message and "\n" not in message
    assert sum(google.clock.sleeps) <= 60
    assert 2 <= attempts(google, "sheets.spreadsheets.batchUpdate") == len(google.clock.sleeps) + 1
    assert state(google, demo) == before


def test_retry_after_is_honoured(google: Google, demo: str, template: Template) -> None:
    google.emulator.inject(429, times=2, match="spreadsheets.batchUpdate", retry_after=7)
    report = run_sync(google.backend(demo), template, as_of=DEMO_TODAY)
    assert report.written
    assert google.clock.sleeps == [7.0, 7.0]


def test_a_retry_after_beyond_the_budget_fails_at_once(google: Google, demo: str, template: Template) -> None:
    google.emulator.inject(429, times=1, match="spreadsheets.get", retry_after=600)
    with pytest.raises(BackendError, match="Google asked to wait 600 s"):
        run_sync(google.backend(demo), template, as_of=DEMO_TODAY)
    assert google.clock.sleeps == []


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_in_the_middle_of_a_sync_is_retried(
    google: Google, demo: str, template: Template, status: int
) -> None:
    google.emulator.clear_log()
    google.emulator.inject(status, times=1, match="spreadsheets.batchUpdate")
    report = run_sync(google.backend(demo), template, as_of=DEMO_TODAY)
    assert report.written
    assert attempts(google, "sheets.spreadsheets.batchUpdate") == 2
    assert len(google.clock.sleeps) == 1 and 0 <= google.clock.sleeps[0] <= 1


def test_server_errors_that_last_fail_the_sync_and_change_nothing(
    google: Google, demo: str, template: Template
) -> None:
    before = state(google, demo)
    google.emulator.inject(500, times=None, match="spreadsheets.batchUpdate")
    with pytest.raises(BackendError, match=r"last answer: 500 \(a server error at Google\)"):
        run_sync(google.backend(demo), template, as_of=DEMO_TODAY)
    assert state(google, demo) == before


def test_a_timeout_is_retried(google: Google, demo: str, template: Template) -> None:
    google.emulator.clear_log()
    google.emulator.inject_timeout(times=1, match="spreadsheets.get")
    assert run_sync(google.backend(demo), template, as_of=DEMO_TODAY).written
    assert attempts(google, "sheets.spreadsheets.get") == 2


def test_the_per_minute_quota_is_waited_out(tmp_path: Path, short_layouts: dict[str, WorkbookLayout],
                                            template: Template) -> None:
    """Google's quota: a few requests a minute. The sync backs off until the minute is over."""
    google = make_google(tmp_path, quota_per_minute=2, retry_budget=200)
    url = google.provision(short_layouts["demo_en"])  # two Sheets requests: the minute's quota
    report = run_sync(google.backend(url), template, as_of=DEMO_TODAY)
    assert report.written
    assert 0 < sum(google.clock.sleeps) <= 200
    assert any(r.status == 429 for r in google.api_requests())


def test_a_budget_of_zero_never_retries(google: Google, demo: str, template: Template) -> None:
    google.settings = GoogleSettings.from_env({"SHEETOPS_GOOGLE_RETRY_BUDGET": "0"})
    google.emulator.inject(503, times=1, match="spreadsheets.get")
    with pytest.raises(BackendError, match="after 1 attempts"):
        run_sync(google.backend(demo), template, as_of=DEMO_TODAY)


def test_drive_rate_limits_are_retried_when_sharing(google: Google, short_layouts: dict[str, WorkbookLayout]) -> None:
    google.emulator.inject(403, times=1, match="permissions.create", body={"error": {
        "code": 403, "message": "Rate limit exceeded.",
        "errors": [{"domain": "usageLimits", "reason": "userRateLimitExceeded", "message": "Rate limit exceeded."}],
    }})
    url = google.provision(short_layouts["blank_en"], shares=[("anna@example.com", "writer")])
    roles = {p["emailAddress"]: p["role"] for p in google.emulator.files[spreadsheet_id(url)].permissions}
    assert roles["anna@example.com"] == "writer"


def test_a_write_whose_answer_was_lost_is_not_applied_twice(google: Google, demo: str, template: Template) -> None:
    """Google applied the batchUpdate but its answer never came: sheetops reads back the
    mark the write left instead of sending it again (which would log the run twice)."""
    google.emulator.clear_log()
    google.emulator.inject_timeout(times=1, match="spreadsheets.batchUpdate", after_apply=True)
    report = run_sync(google.backend(demo), template, as_of=DEMO_TODAY)
    assert report.written
    assert [r.operation for r in google.api_requests()] == [
        "sheets.spreadsheets.get", "sheets.spreadsheets.values.batchGet", "sheets.spreadsheets.batchUpdate",
        "sheets.spreadsheets.get",
    ]
    grid = google.grid(spreadsheet_id(demo), "'Sync Log'!A1:G10", "sheetops_state!A1:E100")
    assert len(cells(sheet_json(grid, "Sync Log"))) == 2
    assert len(cells(sheet_json(grid, "sheetops_state"))) == 1 + len(report.changes.highlights)


def test_a_write_that_got_lost_on_the_way_is_sent_again(google: Google, demo: str, template: Template) -> None:
    google.emulator.clear_log()
    google.emulator.inject_timeout(times=1, match="spreadsheets.batchUpdate")
    assert run_sync(google.backend(demo), template, as_of=DEMO_TODAY).written
    assert [r.operation for r in google.api_requests()] == [
        "sheets.spreadsheets.get", "sheets.spreadsheets.values.batchGet", "sheets.spreadsheets.batchUpdate",
        "sheets.spreadsheets.get", "sheets.spreadsheets.batchUpdate",
    ]
    grid = google.grid(spreadsheet_id(demo), "'Sync Log'!A1:G10")
    assert len(cells(sheet_json(grid, "Sync Log"))) == 2


def test_a_spreadsheet_created_without_an_answer_is_not_created_twice(
    google: Google, short_layouts: dict[str, WorkbookLayout]
) -> None:
    google.emulator.inject_timeout(times=1, match="spreadsheets.create", after_apply=True)
    with pytest.raises(BackendError) as failure:
        google.provision(short_layouts["blank_en"], title="Marketing 2026")
    assert str(failure.value) == (
        "Google did not answer in time about the new spreadsheet 'Marketing 2026', so it is not known whether it "
        "was made; look for it in Google Drive before running init again."
    )
    assert len(google.emulator.spreadsheets) == 1
