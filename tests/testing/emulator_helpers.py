"""Helpers shared by the emulator's tests (a module name of its own, unlike conftest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

from sheetops.testing import Emulator

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE = "https://www.googleapis.com/drive/v3/files"


@dataclass
class FakeClock:
    """Monotonic seconds that move only when a test says so."""

    now: float = 10_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Api:
    """A requests session talking to an emulator in-process, with a valid token."""

    emulator: Emulator
    session: requests.Session
    token: str
    headers: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.session.request(method, url, headers=headers, **kwargs)

    def batch(self, spreadsheet_id: str, *requests_: dict[str, Any]) -> requests.Response:
        return self.call("POST", f"{SHEETS}/{spreadsheet_id}:batchUpdate", json={"requests": list(requests_)})

    def get(self, spreadsheet_id: str, **params: Any) -> requests.Response:
        return self.call("GET", f"{SHEETS}/{spreadsheet_id}", params=params)

    def values(self, spreadsheet_id: str, rng: str, **params: Any) -> requests.Response:
        return self.call("GET", f"{SHEETS}/{spreadsheet_id}/values/{rng}", params=params)

    def put_values(
        self, spreadsheet_id: str, rng: str, values: Any, option: str = "RAW", **body: Any
    ) -> requests.Response:
        return self.call(
            "PUT",
            f"{SHEETS}/{spreadsheet_id}/values/{rng}",
            params={"valueInputOption": option},
            json={"values": values, **body},
        )
