"""The loopback server, end to end with google-auth service-account credentials."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import gspread
import pytest
import requests
from google.auth.exceptions import RefreshError
from google.oauth2 import service_account

from sheetops.testing import Emulator, EmulatorServer, mount_base_url, serve, service_account_info

SCOPES = ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive"]


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with serve("127.0.0.1", 0, quota_per_minute=None, seed=5) as running:
        yield running


def test_service_account_key_end_to_end(server: EmulatorServer, tmp_path: Path) -> None:
    assert server.base_url.startswith("http://127.0.0.1:") and server.token_uri == server.base_url + "/token"
    key = server.write_service_account_key(tmp_path / "key.json", client_email="bot@team.iam.gserviceaccount.com")
    info = json.loads(key.read_text())
    assert info["type"] == "service_account" and info["token_uri"] == server.token_uri
    assert key.stat().st_mode & 0o777 == 0o600
    credentials = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
        str(key), scopes=SCOPES
    )
    client = gspread.Client(auth=credentials)
    mount_base_url(client.http_client.session, server.base_url)
    sh = client.create("Over the wire")
    sh.sheet1.update([["a", 1], ["b", 2]], "A1")
    assert sh.sheet1.get_all_values() == [["a", "1"], ["b", "2"]]
    log = server.emulator.requests
    assert log[0].operation == "oauth.token" and log[0].status == 200
    assert {r.identity for r in log[1:]} == {"bot@team.iam.gserviceaccount.com"}
    assert all(r.url.startswith("/") for r in log)  # answered by the server, not an adapter


def test_token_endpoint_checks_the_grant(server: EmulatorServer, tmp_path: Path) -> None:
    key = server.write_service_account_key(tmp_path / "key.json", client_email="bot@team.iam.gserviceaccount.com")
    forged = json.loads(key.read_text())
    forged["private_key"] = service_account_info(server.token_uri, key_size=1024)["private_key"]
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    credentials = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
        str(tmp_path / "forged.json"), scopes=SCOPES
    )
    with pytest.raises(RefreshError, match="Invalid JWT Signature"):
        credentials.refresh(google_request())
    answer = requests.post(server.token_uri, data={"grant_type": "password"}, timeout=5)
    assert answer.status_code == 400 and answer.json()["error"] == "unsupported_grant_type"


def google_request() -> object:
    from google.auth.transport.requests import Request

    return Request()


def test_server_requires_a_token_and_validates(server: EmulatorServer) -> None:
    spreadsheet_id = server.emulator.create_spreadsheet("Raw")
    url = f"{server.base_url}/v4/spreadsheets/{spreadsheet_id}"
    missing = requests.get(url, timeout=5)
    assert missing.status_code == 401
    assert missing.json()["error"]["status"] == "UNAUTHENTICATED"
    headers = {"Authorization": f"Bearer {server.emulator.issue_token()}"}
    bad = requests.post(f"{url}:batchUpdate", json={"requests": [{"nope": {}}]}, headers=headers, timeout=5)
    assert bad.status_code == 400
    assert bad.json()["error"]["details"][0]["fieldViolations"][0]["field"] == "requests[0]"
    drive = requests.get(f"{server.base_url}/drive/v3/files/{spreadsheet_id}", headers=headers, timeout=5)
    assert drive.json() == {
        "kind": "drive#file",
        "id": spreadsheet_id,
        "name": "Raw",
        "mimeType": "application/vnd.google-apps.spreadsheet",
    }
    deleted = requests.delete(f"{server.base_url}/drive/v3/files/{spreadsheet_id}", headers=headers, timeout=5)
    assert deleted.status_code == 204 and deleted.content == b""


def test_server_faults(server: EmulatorServer) -> None:
    emulator: Emulator = server.emulator
    spreadsheet_id = emulator.create_spreadsheet("Faults")
    url = f"{server.base_url}/v4/spreadsheets/{spreadsheet_id}"
    headers = {"Authorization": f"Bearer {emulator.issue_token()}"}
    emulator.inject(status=503, retry_after=2)
    unavailable = requests.get(url, headers=headers, timeout=5)
    assert unavailable.status_code == 503 and unavailable.headers["Retry-After"] == "2"
    emulator.inject_timeout(delay=2.0, mode="sleep")
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(url, headers=headers, timeout=(2, 0.2))
    emulator.inject_timeout(mode="close")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, headers=headers, timeout=5)
    assert requests.get(url, headers=headers, timeout=5).status_code == 200


def test_concurrent_appends_through_the_server(server: EmulatorServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    emulator: Emulator = server.emulator
    spreadsheet_id = emulator.create_spreadsheet("Busy")
    url = f"{server.base_url}/v4/spreadsheets/{spreadsheet_id}/values/Sheet1!A1:append"
    headers = {"Authorization": f"Bearer {emulator.issue_token()}"}

    def append(worker: int) -> list[int]:
        with requests.Session() as session:
            return [
                session.post(
                    url, params={"valueInputOption": "RAW"}, json={"values": [[worker, i]]}, headers=headers, timeout=5
                ).status_code
                for i in range(5)
            ]

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = [s for result in pool.map(append, range(4)) for s in result]
    assert statuses == [200] * 20
    rows = emulator.values(spreadsheet_id, "Sheet1", render="UNFORMATTED_VALUE")
    assert sorted(map(tuple, rows)) == [(w, i) for w in range(4) for i in range(5)]
