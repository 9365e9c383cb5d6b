"""Adding the sheetops menu's script to a spreadsheet through the Apps Script API (emulated,
checked against script.v1.json), or, where Google would refuse, the files and the steps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gsheets_world import GOOGLE_HOSTS, Google

from sheetops.backends.gsheets import GoogleCredentials, spreadsheet_id
from sheetops.backends.gsheets.auth import SCRIPT_SCOPE, USER_SCOPES
from sheetops.backends.gsheets.script import add_menu, menu_files
from sheetops.errors import CredentialsError, WorkbookError
from sheetops.layout import WorkbookLayout

ANNA = "anna@company.example"
SERVICE = "https://sheetops-abc-ew.a.run.app"
HOSTS = (*GOOGLE_HOSTS, "https://script.googleapis.com/")


def adapters(google: Google) -> dict[str, Any]:
    return dict.fromkeys(HOSTS, google.emulator.adapter())


def anna(google: Google, scopes: list[str] | None = None) -> GoogleCredentials:
    """Anna's own sign-in (sheetops auth login), with the scopes it was given."""
    from google.oauth2.credentials import Credentials

    made: Any = Credentials
    return GoogleCredentials(made(token=google.emulator.issue_token(ANNA), scopes=scopes), "user", ANNA, "test")


@pytest.fixture
def spreadsheet(google: Google, short_layouts: dict[str, WorkbookLayout]) -> str:
    return google.provision(short_layouts["blank_en"], shares=[(ANNA, "writer")])


def install(google: Google, url: str, credentials: Any, tmp_path: Path) -> Any:
    return add_menu(url, service_url=SERVICE + "/", folder=tmp_path / "menu", credentials=credentials,
                    settings=google.settings, adapters=adapters(google), sleep=google.clock.sleep, clock=google.clock)


def test_with_the_users_own_sign_in_the_script_is_installed_in_two_requests(google: Google, spreadsheet: str,
                                                                           tmp_path: Path) -> None:
    google.emulator.clear_log()
    done = install(google, spreadsheet, anna(google, [*USER_SCOPES, SCRIPT_SCOPE]), tmp_path)
    assert done.installed and done.script_id and not done.steps
    assert [(r.operation, r.status, r.identity) for r in google.emulator.requests] == [
        ("script.projects.create", 200, ANNA), ("script.projects.updateContent", 200, ANNA)]
    project = google.emulator.script_projects[done.script_id]
    assert project["project"]["parentId"] == spreadsheet_id(spreadsheet)
    files = {f["name"]: f for f in project["files"]}
    assert set(files) == {"appsscript", "Code"} and files["appsscript"]["type"] == "JSON"
    assert f'var SHEETOPS_SERVICE_URL = "{SERVICE}";' in files["Code"]["source"]
    assert "openid" in json.loads(files["appsscript"]["source"])["oauthScopes"]
    assert not (tmp_path / "menu").exists()


@pytest.mark.parametrize("who", ["service_account", "user_without_the_script_scope"])
def test_otherwise_the_files_are_written_with_the_steps(google: Google, spreadsheet: str, tmp_path: Path,
                                                        who: str) -> None:
    credentials = google.key if who == "service_account" else anna(google, list(USER_SCOPES))
    google.emulator.clear_log()
    done = install(google, spreadsheet, credentials, tmp_path)
    assert not done.installed and google.emulator.requests == []
    text = "\n".join(done.steps)
    assert "Extensions > Apps Script" in text and "Save" in text and "allow what Google asks" in text
    assert ("does not accept service accounts" if who == "service_account" else "--menu") in done.steps[0]
    written = {p.name: p.read_text() for p in (tmp_path / "menu").iterdir()}
    assert set(written) == {"appsscript.json", "Code.js"}
    assert written == {f.file_name: f.source for f in menu_files(SERVICE)}
    assert str(tmp_path / "menu" / "Code.js") in text


def test_google_refuses_a_service_account(google: Google, spreadsheet: str) -> None:
    """As Google documents: the Apps Script API does not work with service accounts."""
    token = google.emulator.issue_token(google.account)
    answer = google.emulator.handle("POST", "https://script.googleapis.com/v1/projects",
                                    {"Authorization": f"Bearer {token}"},
                                    json.dumps({"title": "x", "parentId": spreadsheet_id(spreadsheet)}))
    assert answer.status == 403


@pytest.mark.parametrize(("path", "method", "body", "message"), [
    ("/v1/projects", "POST", {"title": "x", "parentld": "typo"}, 'Unknown name "parentld"'),
    ("/v1/projects", "POST", {"title": 5, "parentId": []}, "Invalid value"),
    ("/v1/projects/abc/content", "PUT", {"files": [{"name": "Code", "type": "PYTHON", "source": ""}]},
     "Invalid value"),
])
def test_requests_are_checked_against_the_discovery_document(google: Google, path: str, method: str,
                                                             body: dict[str, Any], message: str) -> None:
    token = google.emulator.issue_token(ANNA)
    answer = google.emulator.handle(method, "https://script.googleapis.com" + path,
                                    {"Authorization": f"Bearer {token}"}, json.dumps(body))
    assert answer.status == 400 and message in json.loads(answer.body)["error"]["message"]


def test_a_project_without_a_manifest_is_refused(google: Google, spreadsheet: str) -> None:
    token = google.emulator.issue_token(ANNA)
    headers = {"Authorization": f"Bearer {token}"}
    made = google.emulator.handle("POST", "https://script.googleapis.com/v1/projects", headers,
                                  json.dumps({"title": "x", "parentId": spreadsheet_id(spreadsheet)}))
    script_id = json.loads(made.body)["scriptId"]
    answer = google.emulator.handle("PUT", f"https://script.googleapis.com/v1/projects/{script_id}/content", headers,
                                    json.dumps({"files": [{"name": "Code", "type": "SERVER_JS", "source": ""}]}))
    assert answer.status == 400


def test_someone_who_cannot_edit_the_spreadsheet_cannot_bind_a_script_to_it(google: Google, tmp_path: Path) -> None:
    foreign = google.emulator.add_foreign_spreadsheet()
    with pytest.raises(CredentialsError):
        install(google, foreign, anna(google), tmp_path)


def test_the_apps_script_api_turned_off_says_where_to_turn_it_on(google: Google, spreadsheet: str,
                                                                 tmp_path: Path) -> None:
    google.emulator.inject(403, times=1, match="script.projects.create",
                           body={"error": {"code": 403, "status": "PERMISSION_DENIED", "message":
                                 "User has not enabled the Apps Script API. Enable it by visiting "
                                 "https://script.google.com/home/usersettings then retry."}})
    with pytest.raises(CredentialsError, match="turn it on at https://script.google.com/home/usersettings"):
        install(google, spreadsheet, anna(google), tmp_path)


@pytest.mark.parametrize("url", ["ftp://x", "https://a.example/'; alert(1); '", "not a url"])
def test_a_bad_service_address_is_refused(url: str) -> None:
    with pytest.raises(WorkbookError, match="not the address of a sheetops service"):
        menu_files(url)


def test_the_command_line_prints_the_steps_for_a_service_account(run_cli: Any, google: Google, google_server: Any,
                                                                 spreadsheet: str, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    key = google_server.write_service_account_key(tmp_path / "key.json")
    monkeypatch.setenv("SHEETOPS_GOOGLE_API_URL", google_server.base_url)
    result = run_cli("gsheets", "add-menu", spreadsheet, "--service", SERVICE, "--credentials", key,
                     "--out", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert "Extensions > Apps Script" in result.stdout
    assert f'"{SERVICE}"' in (tmp_path / "out" / "Code.js").read_text()
    as_json = run_cli("gsheets", "add-menu", spreadsheet, "--service", SERVICE, "--credentials", key,
                      "--out", tmp_path / "out", "--json")
    assert json.loads(as_json.stdout)["installed"] is False


def test_init_adds_the_menu_when_given_the_service(run_cli: Any, google: Google, google_server: Any, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    key = google_server.write_service_account_key(tmp_path / "key.json")
    monkeypatch.setenv("SHEETOPS_GOOGLE_API_URL", google_server.base_url)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    monkeypatch.chdir(tmp_path)
    result = run_cli("init", "--backend", "gsheets", "--title", "M", "--menu-service", SERVICE, "--json")
    assert result.exit_code == 0, result.stderr
    made = json.loads(result.stdout)
    assert made["menu"]["installed"] is False and made["menu"]["steps"]
    assert (tmp_path / "sheetops-menu" / "Code.js").exists()
