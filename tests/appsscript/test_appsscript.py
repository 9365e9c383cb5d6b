"""The menu's Apps Script under Node.js: its own tests against fakes of the Apps Script
services (``*.test.js``), and Sync now end to end through ``sheetops serve`` and the
emulator, which must leave the spreadsheet as ``sheetops sync URL`` does."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js (node) is not installed; the Apps Script tests need it")

pytest.importorskip("starlette", reason="sheetops serve needs the serve extra")
testing = pytest.importorskip("sheetops.testing", reason="the Sheets API emulator needs the test extra")

from serve_world import ANNA, AUDIENCE, DEMO_TODAY, make_demo, running_issuer, running_service  # noqa: E402

SECRET = "menu-secret-" + "q" * 40


def node_test(*files: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    return subprocess.run([NODE, "--test", *files], cwd=HERE, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def test_the_script_against_fakes_of_the_apps_script_services() -> None:
    done = node_test("menu.test.js")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# fail 0" in done.stdout


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "SHEETOPS_GOOGLE_RETRY_BUDGET", "SHEETOPS_SERVE_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from sheetops.serve import ServeConfig

    with testing.serve() as google, running_issuer() as issuer:
        monkeypatch.setenv("SHEETOPS_GOOGLE_API_URL", google.base_url)
        config = ServeConfig(audiences=(AUDIENCE,), allowed=("company.example",), secret=SECRET,
                             certs_url=issuer.certs_url, today=DEMO_TODAY)
        with running_service(config) as service:
            yield google, issuer, service


def marks(google: Any, spreadsheet: str) -> dict[str, Any]:
    """Every tab (the hidden state tab too) with its cells as the service keeps them:
    values, notes, fills, formats; left out is what differs between two runs by nature:
    sheet ids, and the Sync Log's time and duration."""
    found = google.emulator.spreadsheet_json(spreadsheet, include_grid_data=True)
    tabs: dict[str, Any] = {}
    for sheet in found["sheets"]:
        title = sheet["properties"]["title"]
        rows = [row.get("values", []) for block in sheet.get("data", []) for row in block.get("rowData", [])]
        if title == "Sync Log":
            rows = [[cell for i, cell in enumerate(row) if i not in (0, 5)] for row in rows]  # When, Duration
        props = {k: v for k, v in sheet["properties"].items() if k not in ("sheetId",)}
        tabs[title] = {"properties": props, "rows": rows}
    return tabs


@pytest.mark.parametrize("auth", ["identity_token", "shared_secret"])
def test_sync_now_gives_the_same_json_and_marks_as_sheetops_sync(world: Any, tmp_path: Path, run_cli: Any,
                                                                 monkeypatch: pytest.MonkeyPatch, auth: str) -> None:
    from sheetops.backends.gsheets import spreadsheet_id

    google, issuer, service = world
    key = google.write_service_account_key(tmp_path / "key.json")
    by_menu, by_cli = make_demo(key), make_demo(key)
    out = tmp_path / "menu.json"
    env = {"SHEETOPS_E2E_SERVICE": service, "SHEETOPS_E2E_SPREADSHEET": spreadsheet_id(by_menu),
           "SHEETOPS_E2E_ACCESS_TOKEN": google.emulator.issue_token(ANNA),
           "SHEETOPS_E2E_IDENTITY_TOKEN": issuer.token(ANNA), "SHEETOPS_E2E_OUT": str(out)}
    if auth == "shared_secret":
        env["SHEETOPS_E2E_SECRET"] = SECRET
    done = node_test("e2e.test.js", env=env)
    assert done.returncode == 0 and "# pass 1" in done.stdout, done.stdout + done.stderr
    menu = json.loads(out.read_text())
    assert menu["toasts"][-1]["msg"].startswith("Synced: ")

    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    printed = run_cli("sync", by_cli, "--as-of", DEMO_TODAY.isoformat(), "--json")
    assert printed.exit_code == 0, printed.stderr
    assert {**menu["answer"]["report"], "source": None} == {**json.loads(printed.stdout), "source": None}
    assert marks(google, spreadsheet_id(by_menu)) == marks(google, spreadsheet_id(by_cli))
