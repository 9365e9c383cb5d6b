"""Fixtures for the emulator's own tests: an emulator, a gspread client, a raw session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from emulator_helpers import Api, FakeClock

from sheetops.testing import Emulator


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(clock: FakeClock) -> Emulator:
    return Emulator(seed=3, clock=clock)


@pytest.fixture
def api(emulator: Emulator) -> Iterator[Api]:
    session = requests.Session()
    emulator.mount(session)
    yield Api(emulator, session, emulator.issue_token())
    session.close()


@pytest.fixture
def spreadsheet_id(emulator: Emulator) -> str:
    """A fresh spreadsheet owned by the default identity."""
    return emulator.create_spreadsheet("Plan")


@pytest.fixture
def gspread_client(emulator: Emulator) -> Any:
    """An unmodified gspread client talking to the emulator in-process."""
    return emulator.gspread_client()
