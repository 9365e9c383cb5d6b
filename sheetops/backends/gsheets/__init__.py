"""The Google Sheets backend: a spreadsheet named by its URL or ID, through gspread.

A sync makes three calls: :meth:`GSheetsBackend.read` is one spreadsheets.get (sheet
properties, fills and notes under a tight fields mask) and one values.batchGet (every
sheet's values, in plain rows), and :meth:`GSheetsBackend.write` is one
spreadsheets.batchUpdate carrying every change, which Google applies whole or not at
all. Google has no file lock: two syncs at the same time cannot interleave their writes
(each batchUpdate is atomic), and the later one wins, as for two people typing. ``init``
is :func:`provision_gsheets` (:mod:`.create`).

Vendor errors are translated in one place, :func:`.errors.google_errors`; gspread and
google-auth are imported only when a Google spreadsheet is used.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from sheetops.backends.addresses import is_google_target, spreadsheet_id, spreadsheet_url
from sheetops.backends.gsheets.auth import (
    AuthStatus,
    GoogleCredentials,
    Warn,
    login,
    logout,
    resolve_credentials,
    status,
    warn_on_stderr,
)
from sheetops.backends.gsheets.bodies import CELL_LIMIT
from sheetops.backends.gsheets.client import SHEETS_URL
from sheetops.backends.gsheets.http import GoogleSettings
from sheetops.backends.gsheets.shares import parse_share
from sheetops.layout import WorkbookLayout
from sheetops.ports import ProvisionOptions, SyncWrite
from sheetops.workbook import WorkbookData

if TYPE_CHECKING:
    from requests.adapters import BaseAdapter

    from sheetops.backends.gsheets.client import Connection
    from sheetops.backends.gsheets.snapshot import Snapshot

__all__ = [
    "CELL_LIMIT",
    "parse_share",
    "AuthStatus",
    "GSheetsBackend",
    "GoogleCredentials",
    "GoogleSettings",
    "is_google_target",
    "login",
    "logout",
    "open_gsheets_backend",
    "provision_gsheets",
    "resolve_credentials",
    "spreadsheet_id",
    "spreadsheet_url",
    "status",
]



class GSheetsBackend:
    """A Google spreadsheet. Build it with :func:`open_gsheets_backend`."""

    def __init__(self, sheet_id: str, connection: Connection, *, pick_id: Callable[[], int] | None = None) -> None:
        self.spreadsheet_id = sheet_id
        self.connection = connection
        self._pick_id = pick_id or (lambda: 1 + secrets.randbelow(2**31 - 2))
        self._snapshot: Snapshot | None = None
        self._cells: int | None = None

    @property
    def source(self) -> str:
        return spreadsheet_url(self.spreadsheet_id)

    @property
    def credentials(self) -> GoogleCredentials:
        return self.connection.credentials

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Google Sheets has no lock to take: a sync's single batchUpdate is atomic, so two
        syncs at once never mix their writes; the later one's summary and record win."""
        yield

    @property
    def cell_count(self) -> int | None:
        """Cells in all the grids at the last read (Google's limit is :data:`CELL_LIMIT`)."""
        return self._cells

    def snapshot(self) -> Snapshot:
        """Read the whole spreadsheet: its sheets, fills and notes in one spreadsheets.get,
        then every grid sheet's values in one values.batchGet (see :mod:`.snapshot`)."""
        from sheetops.backends.gsheets.errors import google_errors
        from sheetops.backends.gsheets.snapshot import READ_FIELDS, VALUE_PARAMS, add_values, parse_looks, value_ranges

        client = self.connection.client
        url = f"{SHEETS_URL}/{self.spreadsheet_id}"
        with google_errors(f"the spreadsheet {self.source}", credentials=self.credentials):
            looks = client.request("get", url, params={"includeGridData": "true", "fields": READ_FIELDS})
            snapshot = parse_looks(looks.content)
            ranges = value_ranges(snapshot)
            if ranges:
                values = client.request("get", f"{url}/values:batchGet", params={"ranges": ranges, **VALUE_PARAMS})
                add_values(snapshot, values.content)
        self._snapshot = snapshot
        self._cells = snapshot.cell_count
        return snapshot

    def read(self) -> WorkbookData:
        return self.snapshot().workbook_data(self.source)

    def write(self, changes: SyncWrite) -> None:
        """Every change in one batchUpdate, planned against the last read.

        The batch also marks the spreadsheet with a fresh write id. If Google's answer is
        lost (a timeout), the mark is read back before the batch is sent again, so that a
        write Google did apply is not applied twice (a second log row, a tab added twice).
        """
        from sheetops.backends.gsheets.errors import google_errors
        from sheetops.backends.gsheets.writes import sheet_ids, sync_requests

        snapshot = self._snapshot or self.snapshot()
        write_id = secrets.token_hex(12)
        planned = sync_requests(snapshot, changes, sheet_ids(snapshot, self._pick_id).__next__, write_id)
        with google_errors(f"the spreadsheet {self.source}", credentials=self.credentials, writing=True):
            self.connection.client.write_once(
                "post",
                f"{SHEETS_URL}/{self.spreadsheet_id}:batchUpdate",
                json={"requests": list(planned.requests)},
                applied=lambda: self.written_mark() == write_id,
            )
        self._snapshot = None  # what was read no longer describes the spreadsheet

    def provision(self, layout: WorkbookLayout, options: ProvisionOptions) -> str:
        """Create a spreadsheet from a layout (``sheetops init --backend gsheets``), titled,
        shared and placed as ``options`` say; this backend is then that spreadsheet. Its URL."""
        from sheetops.backends.gsheets.create import create_spreadsheet

        url = create_spreadsheet(layout, title=options.title, shares=options.shares, folder=options.folder,
                                 conn=self.connection)
        self.spreadsheet_id = spreadsheet_id(url)
        self._snapshot = None
        return url

    def written_mark(self) -> str | None:
        """The id of the last write Google applied (a small read of developer metadata)."""
        from sheetops.backends.gsheets.snapshot import MARK_FIELDS, parse_mark

        body = self.connection.client.spreadsheets_get(self.spreadsheet_id, params={"fields": MARK_FIELDS})
        mark = parse_mark(body)
        return mark[1] if mark else None


def open_gsheets_backend(
    target: str,
    *,
    credentials: str | os.PathLike[str] | GoogleCredentials | None = None,
    settings: GoogleSettings | None = None,
    adapters: Mapping[str, BaseAdapter] | None = None,
    warn: Warn = warn_on_stderr,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> GSheetsBackend:
    """The backend for a spreadsheet URL or ID, with credentials found in the documented order.

    ``adapters`` (requests transport adapters by URL prefix), ``sleep`` and ``clock`` are
    for running against an in-process emulator with a fake clock; see :mod:`.client`.
    """
    from sheetops.backends.gsheets.client import connect

    sheet_id = spreadsheet_id(target)
    connection = connect(credentials, settings=settings, adapters=adapters, warn=warn, sleep=sleep, clock=clock)
    return GSheetsBackend(sheet_id, connection)


def provision_gsheets(
    workbook_layout: WorkbookLayout,
    *,
    title: str,
    shares: list[tuple[str, str]] | tuple[tuple[str, str], ...] = (),
    folder: str | None = None,
    credentials: str | os.PathLike[str] | GoogleCredentials | None = None,
    settings: GoogleSettings | None = None,
    adapters: Mapping[str, BaseAdapter] | None = None,
    warn: Warn = warn_on_stderr,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Create a spreadsheet from a layout (``sheetops init --backend gsheets``); its URL."""
    from sheetops.backends.gsheets.client import connect
    from sheetops.backends.gsheets.create import create_spreadsheet

    connection = connect(credentials, settings=settings, adapters=adapters, warn=warn, sleep=sleep, clock=clock)
    return create_spreadsheet(workbook_layout, title=title, shares=tuple(shares), folder=folder, conn=connection)
