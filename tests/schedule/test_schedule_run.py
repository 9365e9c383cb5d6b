"""A scheduled run: waits for a workbook held open, gives up after the time allowed,
tells the notifier, and leaves one line in a log that stays small."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetops import __version__, api
from sheetops.errors import CredentialsError, ServiceUnavailableError, WorkbookError, WorkbookLockedError
from sheetops.schedule.run import Backoff, run_scheduled
from sheetops.schedule.runlog import RunLog


def excel_opens(workbook: Path) -> Path:
    """What Excel does when it opens a workbook: a lock file beside it."""
    lock = workbook.with_name(f"~${workbook.name}")
    lock.write_bytes(b"anna")
    return lock


def run_log(home: Path) -> list[dict[str, Any]]:
    path = home / ".local" / "state" / "sheetops" / "runs.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def last_log_row(workbook: Path) -> dict[str, Any]:
    rows = [r for r in openpyxl.load_workbook(workbook, read_only=True)["Sync Log"].iter_rows(values_only=True)
            if any(v is not None for v in r)]
    return dict(zip(rows[0], rows[-1], strict=False))


def test_a_workbook_open_in_excel_for_a_while_is_synced_once_it_is_closed(
    run_cli: Any, demo_xlsx: Path, home: Path
) -> None:
    lock = excel_opens(demo_xlsx)
    closing = threading.Timer(1.0, lock.unlink)
    closing.start()
    try:
        result = run_cli("sync", demo_xlsx, "--scheduled", "--retry-for", "20s")
    finally:
        closing.cancel()
    assert result.exit_code == 0, result.stderr
    assert "open in Excel" in result.stderr and "Trying again in" in result.stderr
    (entry,) = run_log(home)
    assert entry["result"] == "ok" and entry["attempts"] > 1 and entry["waited"] >= 0.9
    assert entry["job"].endswith("-sync") and entry["workbook"] == str(demo_xlsx)
    row = last_log_row(demo_xlsx)
    assert row["Run"] == "scheduled" and row["sheetops version"] == __version__


def test_a_workbook_never_closed_gives_up_after_the_time_allowed(run_cli: Any, demo_xlsx: Path, home: Path) -> None:
    excel_opens(demo_xlsx)
    before = demo_xlsx.read_bytes()
    result = run_cli("sync", demo_xlsx, "--scheduled", "--retry-for", "1s")
    assert result.exit_code == 2
    assert "open in Excel" in result.stderr.splitlines()[-1]
    (entry,) = run_log(home)
    assert entry["result"] == "failed" and entry["error"] == "workbook_locked" and entry["exit_code"] == 2
    assert 0.5 <= entry["waited"] <= 1.0 and entry["attempts"] >= 3  # waits fill the second, tries take the rest
    assert demo_xlsx.read_bytes() == before


def test_a_workbook_that_cannot_be_used_gives_up_at_once(run_cli: Any, tmp_path: Path, home: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a workbook")
    result = run_cli("sync", broken, "--scheduled", "--retry-for", "1h")
    assert result.exit_code == 2
    (entry,) = run_log(home)
    assert entry["attempts"] == 1 and entry["waited"] == 0 and entry["error"] == "workbook_unusable"


def test_retry_for_belongs_to_scheduled_runs(run_cli: Any, demo_xlsx: Path) -> None:
    result = run_cli("sync", demo_xlsx, "--retry-for", "1h")
    assert result.exit_code == 2 and "--scheduled" in result.stderr


def test_a_retry_time_that_is_not_one_is_refused(run_cli: Any, demo_xlsx: Path, home: Path) -> None:
    result = run_cli("sync", demo_xlsx, "--scheduled", "--retry-for", "two hours")
    assert result.exit_code == 2 and "30m, 2h" in result.stderr


# -- the hooks the notifications hang on ----------------------------------------------------------------


def test_a_run_that_gives_up_tells_the_notifier_with_the_error(demo_xlsx: Path, tmp_path: Path) -> None:
    excel_opens(demo_xlsx)
    told: list[tuple[str, BaseException]] = []
    log = RunLog(tmp_path / "state")
    with pytest.raises(WorkbookLockedError):
        run_scheduled(str(demo_xlsx), lambda: api.sync(demo_xlsx, scheduled=True), log=log,
                      backoff=Backoff(0.3, first=0.05), on_failure=lambda wb, error: told.append((wb, error)))
    ((workbook, error),) = told
    assert workbook == str(demo_xlsx) and isinstance(error, WorkbookLockedError)
    assert next(log.entries())["result"] == "failed"


def test_a_run_that_works_hands_its_report_on_and_a_failing_hook_is_noted_not_fatal(
    demo_xlsx: Path, tmp_path: Path
) -> None:
    heard: list[dict[str, Any]] = []

    def after(**given: Any) -> None:
        heard.append(given)
        raise ConnectionError("Telegram is down")

    log = RunLog(tmp_path / "state")
    done = run_scheduled(str(demo_xlsx), lambda: api.sync(demo_xlsx, scheduled=True), log=log,
                         backoff=Backoff(0), after=after)
    assert heard[0]["workbook"] == str(demo_xlsx) and heard[0]["report"] is done.report
    entry = next(log.entries())
    assert entry["result"] == "ok" and entry["after_error"] == "ConnectionError: Telegram is down"


def test_the_network_failing_is_waited_out_and_refused_access_is_not(tmp_path: Path) -> None:
    failures: list[Exception] = [ServiceUnavailableError("cannot reach Google"), CredentialsError("not shared")]
    attempts: list[int] = []

    def flaky() -> Any:
        attempts.append(1)
        raise failures[min(len(attempts) - 1, 1)]

    with pytest.raises(CredentialsError):
        run_scheduled("https://docs.google.com/spreadsheets/d/1AbC/edit", flaky, log=RunLog(tmp_path),
                      backoff=Backoff(5, first=0.01))
    assert len(attempts) == 2  # one wait for the network, none for the refusal


def test_google_answers_that_may_pass_are_the_ones_retried() -> None:
    requests = pytest.importorskip("requests")
    from sheetops.backends.gsheets.errors import describe_api_error, google_errors

    assert isinstance(describe_api_error({"code": 503, "message": "backend"}, what="x", credentials=None),
                      ServiceUnavailableError)
    assert isinstance(describe_api_error({"code": 429, "message": "quota"}, what="x", credentials=None),
                      ServiceUnavailableError)
    for code in (400, 403, 404):
        found = describe_api_error({"code": code, "message": "no"}, what="x", credentials=None)
        assert not isinstance(found, ServiceUnavailableError)
    with pytest.raises(ServiceUnavailableError), google_errors("the spreadsheet"):
        raise requests.ConnectionError("Connection refused")
    with pytest.raises(ServiceUnavailableError), google_errors("the spreadsheet"):
        raise requests.Timeout("read timed out")


# -- the log --------------------------------------------------------------------------------------------


def test_the_log_is_rotated_by_size_and_keeps_a_few_old_files(tmp_path: Path) -> None:
    log = RunLog(tmp_path, max_bytes=400, keep=2)
    for index in range(60):
        log.append({"job": "sheetops-m-1-sync", "n": index, "message": "x" * 40})
    files = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock"))
    assert files == ["runs.jsonl", "runs.jsonl.1", "runs.jsonl.2"]
    assert all((tmp_path / name).stat().st_size <= 400 for name in files)
    numbers = [entry["n"] for entry in log.entries()]
    assert numbers == sorted(numbers) and numbers[-1] == 59 and numbers[0] > 0
    assert log.last("sheetops-m-1-sync") == {"job": "sheetops-m-1-sync", "n": 59, "message": "x" * 40}


def test_a_damaged_line_in_the_log_is_passed_over(tmp_path: Path) -> None:
    log = RunLog(tmp_path)
    log.append({"job": "a", "n": 1})
    with open(log.path, "a", encoding="utf-8") as file:
        file.write("{not json\n[1, 2]\n")
    log.append({"job": "a", "n": 2})
    assert [e["n"] for e in log.entries()] == [1, 2]


def test_a_scheduled_run_writes_nothing_but_the_workbook_and_its_log(
    run_cli: Any, demo_xlsx: Path, home: Path
) -> None:
    before = {p for p in home.rglob("*")}
    assert run_cli("sync", demo_xlsx, "--scheduled").exit_code == 0
    written = {p for p in home.rglob("*")} - before
    state = home / ".local" / "state" / "sheetops"
    assert written <= {home / ".local", state.parent, state, state / "runs.jsonl", state / "runs.jsonl.lock"}
    assert sorted(p.name for p in demo_xlsx.parent.iterdir() if p.is_file()) == ["demo.xlsx"]


def test_the_sync_errors_the_run_waits_for_are_the_held_workbook_and_the_network() -> None:
    from sheetops.schedule.run import RETRYABLE

    assert set(RETRYABLE) == {WorkbookLockedError, ServiceUnavailableError}
    assert not issubclass(WorkbookError, RETRYABLE)
