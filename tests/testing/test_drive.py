"""The Drive v3 calls: files in folders, queries, permissions."""

from __future__ import annotations

from emulator_helpers import DRIVE, SHEETS, Api

from sheetops.testing import Emulator

SPREADSHEET = "application/vnd.google-apps.spreadsheet"
FOLDER = "application/vnd.google-apps.folder"


def test_files_in_a_folder(api: Api) -> None:
    folder = api.call("POST", DRIVE, json={"name": "Marketing", "mimeType": FOLDER}).json()
    assert set(folder) == {"kind", "id", "name", "mimeType"}
    created = api.call(
        "POST",
        DRIVE,
        params={"supportsAllDrives": "true"},
        json={"name": "Plan", "mimeType": SPREADSHEET, "parents": [folder["id"]]},
    ).json()
    assert created["mimeType"] == SPREADSHEET
    got = api.call(
        "GET", f"{DRIVE}/{created['id']}", params={"fields": "id,name,parents,createdTime,modifiedTime"}
    ).json()
    assert got["parents"] == [folder["id"]] and set(got) == {"id", "name", "parents", "createdTime", "modifiedTime"}
    sheet = api.call("GET", f"{SHEETS}/{created['id']}").json()
    assert sheet["properties"]["title"] == "Plan" and sheet["sheets"][0]["properties"]["title"] == "Sheet1"
    missing_parent = api.call("POST", DRIVE, json={"name": "x", "parents": ["nope"]})
    assert missing_parent.status_code == 404


def test_files_list_queries_and_paging(api: Api) -> None:
    folder = api.call("POST", DRIVE, json={"name": "F", "mimeType": FOLDER}).json()["id"]
    for name in ("Alpha plan", "Beta plan", "Gamma"):
        api.call("POST", DRIVE, json={"name": name, "mimeType": SPREADSHEET, "parents": [folder]})
    api.call("POST", DRIVE, json={"name": "Alpha plan", "mimeType": SPREADSHEET})

    def names(q: str, **params: str) -> list[str]:
        answer = api.call("GET", DRIVE, params={"q": q, "orderBy": "name", **params})
        assert answer.status_code == 200, answer.text
        return [f["name"] for f in answer.json()["files"]]

    assert names(f"mimeType='{SPREADSHEET}' and '{folder}' in parents") == ["Alpha plan", "Beta plan", "Gamma"]
    assert names(f'mimeType="{SPREADSHEET}" and name = "Alpha plan"') == ["Alpha plan", "Alpha plan"]
    assert names("name contains 'plan' and not name = 'Beta plan'") == ["Alpha plan", "Alpha plan"]
    assert names(f"mimeType = '{FOLDER}' or (name = 'Gamma' and trashed = false)") == ["F", "Gamma"]
    first = api.call("GET", DRIVE, params={"pageSize": "2", "orderBy": "name"}).json()
    second = api.call(
        "GET", DRIVE, params={"pageSize": "2", "orderBy": "name", "pageToken": first["nextPageToken"]}
    ).json()
    assert len(first["files"]) == 2 and len(second["files"]) == 2 and "nextPageToken" in second
    bad = api.call("GET", DRIVE, params={"q": "size > 3"})
    assert bad.status_code == 400
    assert bad.json()["error"]["errors"][0] == {
        "message": "Invalid Value",
        "domain": "global",
        "reason": "invalid",
        "location": "q",
        "locationType": "parameter",
    }


def test_permissions(api: Api, emulator: Emulator, spreadsheet_id: str) -> None:
    url = f"{DRIVE}/{spreadsheet_id}/permissions"
    made = api.call("POST", url, json={"type": "user", "role": "reader", "emailAddress": "ann@example.com"})
    assert set(made.json()) == {"kind", "id", "type", "role"}
    api.call("POST", url, json={"type": "anyone", "role": "reader"})
    listed = api.call("GET", url, params={"fields": "nextPageToken,permissions"}).json()["permissions"]
    assert [(p["type"], p["role"], p.get("emailAddress")) for p in listed] == [
        ("user", "owner", "owner@sheetops-emulator.invalid"),
        ("user", "reader", "ann@example.com"),
        ("anyone", "reader", None),
    ]
    assert api.call("POST", url, json={"type": "user", "role": "boss", "emailAddress": "a@b.c"}).status_code == 400
    assert api.call("POST", url, json={"type": "user", "role": "owner", "emailAddress": "a@b.c"}).status_code == 403
    # "anyone" can read: a stranger's token sees the spreadsheet
    stranger = emulator.issue_token("stranger@example.org")
    seen = api.session.get(f"{SHEETS}/{spreadsheet_id}", headers={"Authorization": f"Bearer {stranger}"})
    assert seen.status_code == 200
    deleted = api.call("DELETE", f"{url}/{made.json()['id']}")
    assert deleted.status_code == 204
    assert len(api.call("GET", url).json()["permissions"]) == 2


def test_delete_a_folder_deletes_what_is_in_it(api: Api, emulator: Emulator) -> None:
    folder = api.call("POST", DRIVE, json={"name": "F", "mimeType": FOLDER}).json()["id"]
    inner = api.call("POST", DRIVE, json={"name": "S", "mimeType": SPREADSHEET, "parents": [folder]}).json()["id"]
    assert api.call("DELETE", f"{DRIVE}/{folder}").status_code == 204
    assert api.call("GET", f"{SHEETS}/{inner}").status_code == 404
    assert inner not in emulator.spreadsheets
