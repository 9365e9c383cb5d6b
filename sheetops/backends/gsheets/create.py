"""``sheetops init`` for Google Sheets: a new spreadsheet in two requests, plus one per share.

1. The file: spreadsheets.create with the title, the locale of the workbook's language
   and every tab's properties (name, size, frozen header rows, hidden) — or, with
   ``folder``, Drive files.create of an empty spreadsheet inside that folder (the only
   way to put it in a shared drive, where a service account can keep files: it has no
   Drive storage of its own).
2. The content: one spreadsheets.batchUpdate with every tab's cells, formats, widths,
   drop-downs and the warning-only protection of the tabs sheetops owns (the same
   requests a sync uses, :func:`.bodies.tab_requests`). With ``folder`` it also adds the
   tabs and removes the empty first sheet.
3. One Drive permissions.create per ``--share``.

If step 2 fails the spreadsheet exists but is empty; the message gives its address.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from sheetops.backends.gsheets.bodies import (
    JSON,
    LOCALES,
    add_sheet,
    grid_size,
    mark_request,
    sheet_properties,
    tab_requests,
)
from sheetops.backends.gsheets.client import DRIVE_FILES_URL, SHEETS_URL, Connection
from sheetops.backends.gsheets.errors import google_errors
from sheetops.backends.gsheets.snapshot import MARK_FIELDS, SYNC_MARK, parse_mark
from sheetops.errors import BackendError, WorkbookError
from sheetops.layout import WorkbookLayout

if TYPE_CHECKING:
    pass

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
FIRST_SHEET_ID = 0  # the sheet a spreadsheet made through Drive starts with


def content_requests(workbook: WorkbookLayout, sheet_ids: list[int]) -> list[JSON]:
    """The batchUpdate requests that fill every tab of a new spreadsheet."""
    requests: list[JSON] = []
    for tab, sheet_id in zip(workbook.tabs, sheet_ids, strict=True):
        rows, _columns = grid_size(tab)
        requests += tab_requests(tab, sheet_id, row_count=rows, lang=workbook.lang)
    return requests


def create_body(workbook: WorkbookLayout, title: str, sheet_ids: list[int]) -> JSON:
    """spreadsheets.create: the title, the locale, and each tab's sheet properties."""
    return {
        "properties": {"title": title, "locale": LOCALES.get(workbook.lang, "en_US")},
        "sheets": [
            {"properties": sheet_properties(tab, sheet_id, index)}
            for index, (tab, sheet_id) in enumerate(zip(workbook.tabs, sheet_ids, strict=True))
        ],
    }


def folder_requests(workbook: WorkbookLayout, sheet_ids: list[int]) -> list[JSON]:
    """For a spreadsheet made through Drive: the locale, the tabs, and no empty first sheet."""
    requests: list[JSON] = [
        {
            "updateSpreadsheetProperties": {
                "properties": {"locale": LOCALES.get(workbook.lang, "en_US")},
                "fields": "locale",
            }
        }
    ]
    pairs = zip(workbook.tabs, sheet_ids, strict=True)
    requests += [add_sheet(tab, sheet_id, index) for index, (tab, sheet_id) in enumerate(pairs)]
    requests.append({"deleteSheet": {"sheetId": FIRST_SHEET_ID}})
    return requests


def create_spreadsheet(
    workbook: WorkbookLayout,
    *,
    title: str,
    shares: tuple[tuple[str, str], ...] = (),
    folder: str | None = None,
    conn: Connection,
) -> str:
    """Create, fill and share a spreadsheet through a connection; its URL."""
    from sheetops.backends.gsheets import spreadsheet_url

    if not title.strip():
        raise WorkbookError("give the new spreadsheet a title, e.g. --title \"Marketing 2026\".")
    if not workbook.tabs:
        raise WorkbookError("the template has no tabs to create.")
    sheet_ids = list(range(1, len(workbook.tabs) + 1))
    if folder:
        new_id = _create_in_folder(conn, title.strip(), folder)
        requests = folder_requests(workbook, sheet_ids) + content_requests(workbook, sheet_ids)
    else:
        with google_errors(f"the new spreadsheet {title.strip()!r}", credentials=conn.credentials, writing=True):
            answer = conn.client.write_once("post", SHEETS_URL, json=create_body(workbook, title.strip(), sheet_ids))
        new_id = str(answer.json()["spreadsheetId"])
        requests = content_requests(workbook, sheet_ids)
    url = spreadsheet_url(new_id)
    write_id = secrets.token_hex(12)
    requests.append(mark_request(SYNC_MARK, write_id, None))
    try:
        with google_errors(f"the new spreadsheet {url}", credentials=conn.credentials, writing=True):
            conn.client.write_once(
                "post", f"{SHEETS_URL}/{new_id}:batchUpdate", json={"requests": requests},
                applied=lambda: _mark(conn, new_id) == write_id,
            )
    except BackendError as exc:
        raise type(exc)(
            f"{exc} The spreadsheet {url} was created but is empty: delete it and run init again."
        ) from None
    for address, role in shares:
        _share(conn, new_id, url, address, role)
    return url


def _create_in_folder(conn: Connection, title: str, folder: str) -> str:
    body = {"name": title, "mimeType": SPREADSHEET_MIME, "parents": [folder]}
    params: dict[str, Any] = {"supportsAllDrives": "true", "fields": "id"}
    with google_errors(f"the new spreadsheet {title!r} in the folder {folder}", credentials=conn.credentials,
                       writing=True):
        answer = conn.client.write_once("post", DRIVE_FILES_URL, json=body, params=params)
    return str(answer.json()["id"])


def _mark(conn: Connection, spreadsheet_id: str) -> str | None:
    body = conn.client.spreadsheets_get(spreadsheet_id, params={"fields": MARK_FIELDS})
    found = parse_mark(body)
    return found[1] if found else None


def _share(conn: Connection, file_id: str, url: str, address: str, role: str) -> None:
    body = {"type": "user", "role": role, "emailAddress": address}
    params: dict[str, Any] = {"supportsAllDrives": "true", "fields": "id"}
    try:
        with google_errors(f"sharing {url} with {address}", credentials=conn.credentials, writing=True):
            conn.client.request("post", f"{DRIVE_FILES_URL}/{file_id}/permissions", json=body, params=params)
    except BackendError as exc:
        raise type(exc)(f"{exc} The spreadsheet {url} was created; share it by hand.") from None
