"""The real command line against the emulator's loopback server: exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gsheets_world import DEMO_TODAY, Google

from sheetops.backends.gsheets import spreadsheet_url
from sheetops.cli import cli


def _wired() -> bool:
    init = cli.commands.get("init")
    options = {opt for param in (init.params if init else []) for opt in param.opts}
    return "--backend" in options and "auth" in cli.commands


pytestmark = pytest.mark.skipif(not _wired(), reason="the command line does not offer --backend gsheets and auth yet")


@pytest.fixture
def over_the_wire(google: Google, google_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """sheetops pointed at the loopback emulator, with a key for it in the environment."""
    key = google_server.write_service_account_key(tmp_path / "key.json")
    monkeypatch.setenv("SHEETOPS_GOOGLE_API_URL", google_server.base_url)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    monkeypatch.setenv("SHEETOPS_GOOGLE_RETRY_BUDGET", "0")  # real sleeps here: fail at the first 429
    return Path(key)


def created_url(stdout: str) -> str:
    return next(word for word in stdout.split() if word.startswith("https://docs.google.com/spreadsheets/d/"))


def test_init_then_sync(run_cli: Any, google: Google, over_the_wire: Path) -> None:
    made = run_cli("init", "--backend", "gsheets", "--title", "Marketing", "--demo", "--share", "anna@example.com")
    assert made.exit_code == 0, made.stderr
    url = created_url(made.stdout).rstrip(".,")
    google.emulator.clear_log()
    synced = run_cli("sync", url, "--as-of", DEMO_TODAY.isoformat(), "--json")
    assert synced.exit_code == 0, synced.stderr
    report = json.loads(synced.stdout)
    assert report["written"] is True and report["breaches"]
    calls = [r.operation for r in google.api_requests()]
    assert calls == ["sheets.spreadsheets.get", "sheets.spreadsheets.values.batchGet",
                     "sheets.spreadsheets.batchUpdate"]
    checked = run_cli("check", url)
    assert checked.exit_code in (0, 1), checked.stderr


def test_a_missing_key_file_exits_4_with_one_line(run_cli: Any, google: Google, over_the_wire: Path,
                                                  tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = run_cli("sync", spreadsheet_url("1" + "x" * 43), "--credentials", missing)
    assert result.exit_code == 4
    assert result.stderr == f"Error: the key file {missing} (from --credentials) does not exist; check the path, " \
                            "see docs/google-sheets.md.\n"


def test_a_spreadsheet_not_shared_exits_4_naming_the_service_account(run_cli: Any, google: Google,
                                                                     over_the_wire: Path) -> None:
    account = json.loads(over_the_wire.read_text())["client_email"]
    result = run_cli("sync", spreadsheet_url(google.emulator.add_foreign_spreadsheet()))
    assert result.exit_code == 4
    assert f"is not shared with {account}; share the spreadsheet with the service account {account}" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_429_exits_4_and_writes_nothing(run_cli: Any, google: Google, over_the_wire: Path) -> None:
    url = created_url(run_cli("init", "--backend", "gsheets", "--title", "M", "--demo").stdout).rstrip(".,")
    google.emulator.inject(429, times=None, match="spreadsheets.batchUpdate")
    result = run_cli("sync", url)
    assert result.exit_code == 4
    assert "Nothing was written" in result.stderr and result.stderr.count("\n") == 1


def test_auth_status_without_a_sign_in(run_cli: Any, over_the_wire: Path) -> None:
    result = run_cli("auth", "status")
    assert result.exit_code == 0
    assert "Not signed in" in result.stdout and str(over_the_wire) in result.stdout
