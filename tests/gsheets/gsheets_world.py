"""The world of the Google Sheets tests: an emulated Google, a service account, a clock.

Everything talks to :class:`sheetops.testing.Emulator` through the real gspread and
google-auth code: in-process through its requests adapter mounted at Google's own
addresses (``google``), or through its loopback server (``google_server``). Retries wait
on a fake clock, so a storm of 429 answers takes no time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetops.backends.gsheets import GSheetsBackend, open_gsheets_backend, provision_gsheets
from sheetops.backends.gsheets.http import GoogleSettings
from sheetops.layout import WorkbookLayout

DEMO_TODAY = dt.date(2026, 11, 27)
GOOGLE_HOSTS = ("https://sheets.googleapis.com/", "https://www.googleapis.com/", "https://oauth2.googleapis.com/")
SERVICE_ACCOUNT = "sheetops-bot@marketing-team.iam.gserviceaccount.com"


@dataclass
class FakeClock:
    """Monotonic time that only moves when the code under test sleeps."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Google:
    """An emulated Google reached in-process, a service-account key for it, and a fake clock."""

    emulator: Any  # sheetops.testing.Emulator
    key: Path
    account: str
    clock: FakeClock
    settings: GoogleSettings

    @property
    def adapters(self) -> dict[str, Any]:
        adapter = self.emulator.adapter()
        return dict.fromkeys(GOOGLE_HOSTS, adapter)

    def provision(self, workbook: WorkbookLayout, *, title: str = "Marketing",
                  shares: list[tuple[str, str]] | None = None, folder: str | None = None,
                  credentials: Any = None, key_file: bool = True) -> str:
        """init through the library, as the service account (``key_file=False``: with
        whatever credentials sheetops finds on its own)."""
        return provision_gsheets(
            workbook, title=title, shares=shares or [], folder=folder,
            credentials=credentials or (self.key if key_file else None),
            settings=self.settings, adapters=self.adapters, sleep=self.clock.sleep, clock=self.clock,
        )

    def backend(self, target: str, *, credentials: Any = None, key_file: bool = True) -> GSheetsBackend:
        return open_gsheets_backend(
            target, credentials=credentials or (self.key if key_file else None), settings=self.settings,
            adapters=self.adapters, sleep=self.clock.sleep, clock=self.clock,
        )

    def api_requests(self) -> list[Any]:
        """The Sheets and Drive calls received (token requests left out), oldest first."""
        return [r for r in self.emulator.requests if r.api in ("sheets", "drive")]

    def gspread(self) -> Any:
        """A plain gspread client acting as the service account, as a person's script would."""
        return self.emulator.gspread_client(subject=self.account)

    def properties(self, spreadsheet_id: str) -> dict[str, Any]:
        """The spreadsheet's and every sheet's properties and protected ranges, no cells."""
        result: dict[str, Any] = self.gspread().http_client.spreadsheets_get(spreadsheet_id)
        return result

    def grid(self, spreadsheet_id: str, *ranges: str) -> dict[str, Any]:
        """The spreadsheet as spreadsheets.get answers it: the cells of ``ranges`` (A1
        notation), or of every sheet when none are given."""
        params: dict[str, Any] = {"includeGridData": "true"}
        if ranges:
            params["ranges"] = list(ranges)
        result: dict[str, Any] = self.gspread().http_client.spreadsheets_get(spreadsheet_id, params=params)
        return result


def make_google(tmp_path: Path, *, quota_per_minute: int | None = 300, retry_budget: float = 60.0) -> Google:
    """An emulated Google whose quota window runs on the same fake clock as the retries."""
    from sheetops.testing import Emulator

    clock = FakeClock()
    emulator = Emulator(seed=7, quota_per_minute=quota_per_minute, clock=clock)
    key = emulator.write_service_account_key(
        tmp_path / "key.json", token_uri="https://oauth2.googleapis.com/token", client_email=SERVICE_ACCOUNT
    )
    return Google(emulator, key, SERVICE_ACCOUNT, clock, GoogleSettings(retry_budget=retry_budget))


def sheet_json(grid: dict[str, Any], title: str) -> dict[str, Any]:
    """One sheet of a spreadsheets.get answer, by title."""
    for sheet in grid["sheets"]:
        if sheet["properties"]["title"] == title:
            result: dict[str, Any] = sheet
            return result
    raise KeyError(title)


def cells(sheet: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The CellData of a sheet, row by row (rows without data as empty lists)."""
    rows: list[list[dict[str, Any]]] = []
    for block in sheet.get("data", []):
        for row in block.get("rowData", []):
            rows.append(row.get("values", []))
    return rows


def text_of(cell: dict[str, Any]) -> Any:
    """What a person sees typed in a cell: its entered value, whatever its kind."""
    entered = cell.get("userEnteredValue", {})
    return next(iter(entered.values()), None) if entered else None


def short(workbook: WorkbookLayout, rows: int = 1000) -> WorkbookLayout:
    """The same workbook with drop-downs reaching ``rows`` rows at most, so that its long
    tabs are 1,000 rows instead of 20,000 and the emulator answers each read quickly.
    (The init tests use the real reach.)"""
    tabs = tuple(
        dataclasses.replace(
            tab, dropdowns=tuple(dataclasses.replace(d, last_row=min(d.last_row, rows - 1)) for d in tab.dropdowns)
        )
        for tab in workbook.tabs
    )
    return dataclasses.replace(workbook, tabs=tabs)
