"""sheetops serve over real HTTP: who gets in, what they get, and what a refusal leaves alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from serve_world import ANNA, DEMO_TODAY, SECRET, Issuer, make_demo, running_service

from sheetops.backends.gsheets import spreadsheet_id


def post(service: str, path: str, body: Any, token: str | None, **headers: str) -> requests.Response:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.post(service + path, data=data, headers={"Content-Type": "application/json", **headers},
                         timeout=60)


def access_token(google_server: Any, email: str = ANNA) -> str:
    """What ScriptApp.getOAuthToken() gives the script: the user's own access token."""
    token: str = google_server.emulator.issue_token(email)
    return token


def api_calls(google_server: Any) -> list[str]:
    return [r.operation for r in google_server.emulator.requests if r.api in ("sheets", "drive")]


def test_health(service: str) -> None:
    answer = requests.get(service + "/healthz", timeout=10)
    assert (answer.status_code, answer.json()) == (200, {"ok": True})


def test_a_caller_with_an_identity_token_syncs_as_themselves(service: str, google_server: Any, demo_url: str,
                                                             issuer: Issuer, run_cli: Any, key: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    google_server.emulator.clear_log()
    body = {"spreadsheet": spreadsheet_id(demo_url), "access_token": access_token(google_server)}
    answer = post(service, "/sync", body, issuer.token())
    assert answer.status_code == 200, answer.text
    report = answer.json()["report"]
    assert report["written"] is True and report["breaches"]
    calls = [(r.operation, r.identity) for r in google_server.emulator.requests if r.api == "sheets"]
    assert calls == [("sheets.spreadsheets.get", ANNA), ("sheets.spreadsheets.values.batchGet", ANNA),
                     ("sheets.spreadsheets.batchUpdate", ANNA)]
    assert issuer.fetches == ["/oauth2/v1/certs"]  # fetched from the issuer, as from Google
    post(service, "/check", body, issuer.token())
    post(service, "/check", body, "not-a-token")
    assert len(issuer.fetches) == 1  # and kept: later callers cost no call to Google


def test_the_shared_secret_lets_the_script_in(service: str, google_server: Any, demo_url: str) -> None:
    body = {"spreadsheet": spreadsheet_id(demo_url), "access_token": access_token(google_server)}
    answer = post(service, "/check", body, SECRET)
    assert answer.status_code == 200, answer.text
    assert answer.json()["report"]["source"] == demo_url


@pytest.mark.parametrize(("make_token", "status", "reason"), [
    (lambda issuer: None, 401, "no_credentials"),
    (lambda issuer: "not-a-token", 401, "invalid_identity_token"),
    (lambda issuer: SECRET[:-1] + "y", 401, "invalid_identity_token"),
    (lambda issuer: issuer.token(expires_in=-600), 401, "invalid_identity_token"),
    (lambda issuer: issuer.token(audience="999-other.apps.googleusercontent.com"), 401, "wrong_audience"),
    (lambda issuer: issuer.token(issuer="https://evil.example"), 401, "wrong_issuer"),
    (lambda issuer: issuer.token(verified=False), 401, "no_verified_email"),
    (lambda issuer: issuer.token(email="mallory@elsewhere.example"), 403, "caller_not_allowed"),
    (lambda issuer: issuer.token(email="bob@company.example.evil.example"), 403, "caller_not_allowed"),
    (lambda issuer: forged(issuer), 401, "invalid_identity_token"),
])
@pytest.mark.parametrize("path", ["/sync", "/check"])
def test_anyone_else_is_refused_and_nothing_is_read_or_written(
    service: str, google_server: Any, issuer: Issuer, make_token: Any, status: int, reason: str, path: str,
) -> None:
    spreadsheet = google_server.emulator.create_spreadsheet("Marketing", owner=ANNA)  # hers: only the check stops it
    before = google_server.emulator.spreadsheet_json(spreadsheet, include_grid_data=True)
    google_server.emulator.clear_log()
    body = {"spreadsheet": spreadsheet, "access_token": access_token(google_server)}
    answer = post(service, path, body, make_token(issuer))
    assert (answer.status_code, answer.json()["error"]) == (status, reason)
    assert api_calls(google_server) == []
    assert google_server.emulator.spreadsheet_json(spreadsheet, include_grid_data=True) == before
    if status == 401:
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def forged(issuer: Issuer) -> str:
    """A token with Anna's claims signed by another key under the issuer's key id."""
    from serve_world import Issuer as Made
    from serve_world import _key_and_certificate

    private, _ = _key_and_certificate("forger")
    return Made(private, issuer.key_id, issuer.certs_url, []).token()


def test_a_caller_cannot_reach_a_spreadsheet_they_cannot_edit(service: str, google_server: Any,
                                                              issuer: Issuer) -> None:
    """The service acts with the caller's token only: someone else's spreadsheet stays out of reach."""
    foreign = google_server.emulator.add_foreign_spreadsheet()
    body = {"spreadsheet": foreign, "access_token": access_token(google_server)}
    answer = post(service, "/sync", body, issuer.token())
    assert answer.status_code == 403 and answer.json()["error"] == "credentials_failed"
    assert {r.operation for r in google_server.emulator.requests if r.api == "sheets"} == {"sheets.spreadsheets.get"}


def test_a_read_only_caller_cannot_write(service: str, google_server: Any, key: Path, issuer: Issuer) -> None:
    from sheetops.backends.gsheets import open_gsheets_backend

    url = make_demo(key)
    backend = open_gsheets_backend(url, credentials=key)
    backend.connection.client.request(
        "post", f"https://www.googleapis.com/drive/v3/files/{spreadsheet_id(url)}/permissions",
        json={"type": "user", "role": "reader", "emailAddress": "viewer@company.example"})
    body = {"spreadsheet": spreadsheet_id(url), "access_token": access_token(google_server, "viewer@company.example")}
    answer = post(service, "/sync", body, issuer.token("viewer@company.example"))
    assert answer.status_code == 403, answer.text
    assert "batchUpdate" not in " ".join(r.operation for r in google_server.emulator.requests
                                         if r.identity == "viewer@company.example" and r.status == 200)


@pytest.mark.parametrize(("body", "status", "reason"), [
    (b"not json", 400, "bad_body"),
    ({"spreadsheet": "../etc/passwd", "access_token": "x"}, 400, "bad_spreadsheet"),
    ({"spreadsheet": "1" * 44}, 400, "bad_access_token"),
    (b"{" + b" " * 20000 + b"}", 413, "too_large"),
])
def test_bad_requests(service: str, issuer: Issuer, google_server: Any, body: Any, status: int, reason: str) -> None:
    google_server.emulator.clear_log()
    answer = post(service, "/sync", body, issuer.token())
    assert (answer.status_code, answer.json()["error"]) == (status, reason)
    assert api_calls(google_server) == []


def test_a_body_sent_in_chunks_is_cut_at_the_limit(service: str, issuer: Issuer) -> None:
    chunks = (b"x" * 4096 for _ in range(10))  # no Content-Length: chunked transfer encoding
    answer = requests.post(service + "/sync", data=chunks, headers={"Authorization": f"Bearer {issuer.token()}"},
                           timeout=30)
    assert (answer.status_code, answer.json()["error"]) == (413, "too_large")


def test_each_caller_has_a_rate_limit(config: Any, google_server: Any, demo_url: str, issuer: Issuer) -> None:
    import dataclasses

    with running_service(dataclasses.replace(config, rate_per_minute=2)) as service:
        body = {"spreadsheet": spreadsheet_id(demo_url), "access_token": access_token(google_server)}
        statuses = [post(service, "/check", body, issuer.token()).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        limited = post(service, "/check", body, issuer.token())
        assert int(limited.headers["Retry-After"]) >= 1
        other = post(service, "/check", {**body, "access_token": access_token(google_server, "bob@partner.example")},
                     issuer.token("bob@partner.example"))
        assert other.status_code != 429


def test_logs_are_json_lines_without_tokens(service: str, google_server: Any, demo_url: str, issuer: Issuer,
                                            capfd: pytest.CaptureFixture[str]) -> None:
    token, identity = access_token(google_server), issuer.token()
    post(service, "/check", {"spreadsheet": spreadsheet_id(demo_url), "access_token": token}, identity)
    post(service, "/sync", {"spreadsheet": spreadsheet_id(demo_url), "access_token": token}, SECRET[:-1] + "z")
    err = capfd.readouterr().err
    records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert [(r["event"], r["status"]) for r in records][-2:] == [("check", 200), ("sync", 401)]
    assert records[-2]["caller"] == ANNA and records[-2]["spreadsheet"] == spreadsheet_id(demo_url)
    for secret in (token, identity, SECRET, SECRET[:-1] + "z", identity.split(".")[2]):
        assert secret not in err


def test_the_service_gives_the_same_report_as_the_command_line(
    service: str, google_server: Any, key: Path, issuer: Issuer, run_cli: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    by_service, by_cli = make_demo(key), make_demo(key)
    body = {"spreadsheet": spreadsheet_id(by_service), "access_token": access_token(google_server)}
    served = post(service, "/sync", body, issuer.token()).json()["report"]
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    printed = run_cli("sync", by_cli, "--as-of", DEMO_TODAY.isoformat(), "--json")
    assert printed.exit_code == 0, printed.stderr
    expected = json.loads(printed.stdout)
    assert {**served, "source": None} == {**expected, "source": None}


def test_without_a_way_to_check_callers_the_service_does_not_start() -> None:
    from sheetops.errors import ConfigError
    from sheetops.serve import ServeConfig

    with pytest.raises(ConfigError, match="needs a way to check callers"):
        ServeConfig()
    with pytest.raises(ConfigError, match="--audience needs --allow"):
        ServeConfig(audiences=("x",))
    with pytest.raises(ConfigError, match="too short"):
        ServeConfig(secret="short")


@pytest.mark.parametrize(("email", "allowed"), [
    ("anna@company.example", True), ("ANNA@Company.Example", True), ("bob@partner.example", True),
    ("eve@partner.example", False), ("eve@sub.company.example", False), ("eve@company.example.org", False),
])
def test_the_allow_list(config: Any, email: str, allowed: bool) -> None:
    assert config.allows(email) is allowed
