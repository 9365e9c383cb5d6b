"""End to end over the wire: the emulator's loopback server, found through the endpoint
setting, and a service-account key whose token_uri is the emulator's token endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gsheets_world import DEMO_TODAY, Google

from sheetops.backends.gsheets import open_gsheets_backend, provision_gsheets, spreadsheet_id
from sheetops.layout import WorkbookLayout
from sheetops.sync.engine import run_sync
from sheetops.templates import Template


def test_init_and_sync_through_the_loopback_server(
    google: Google, google_server: Any, short_layouts: dict[str, WorkbookLayout], template: Template,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = google_server.write_service_account_key(tmp_path / "server-key.json")
    monkeypatch.setenv("SHEETOPS_GOOGLE_API_URL", google_server.base_url)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    url = provision_gsheets(short_layouts["demo_en"], title="Over the wire", shares=[("anna@example.com", "reader")])
    google.emulator.clear_log()
    report = run_sync(open_gsheets_backend(url), template, as_of=DEMO_TODAY)
    assert report.written and report.breaches
    assert [(r.method, r.operation) for r in google.emulator.requests] == [
        ("POST", "oauth.token"),
        ("GET", "sheets.spreadsheets.get"),
        ("GET", "sheets.spreadsheets.values.batchGet"),
        ("POST", "sheets.spreadsheets.batchUpdate"),
    ]
    assert google.emulator.spreadsheet(spreadsheet_id(url)).properties["title"] == "Over the wire"
