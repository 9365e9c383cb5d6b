"""The worlds the sync tests run in: see ``sync_workbooks`` for how a workbook is built."""

from __future__ import annotations

import pytest
from sync_workbooks import Book


@pytest.fixture
def book() -> Book:
    """An English workbook with the channels of ``sync_workbooks.CHANNELS``, no rules, no facts."""
    return Book()


@pytest.fixture(params=["en", "ru"])
def any_lang(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value
