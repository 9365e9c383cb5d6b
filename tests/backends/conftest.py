"""Fixtures of the .xlsx backend tests; the workbooks themselves are made in xlsx_books.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from xlsx_books import PeopleWorkbook, people_workbook


@pytest.fixture
def workbook(tmp_path: Path) -> PeopleWorkbook:
    """A contract workbook carrying what people add in Excel (see xlsx_books.py)."""
    return people_workbook(tmp_path / "marketing.xlsx")
