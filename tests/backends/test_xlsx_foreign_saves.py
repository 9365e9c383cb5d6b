"""Workbooks as other programs save them: Mac Excel's 1904 dates, gnumeric's unhidden tabs.

Each is made from the demo workbook the way issue 8 reproduced it, synced, and read back
by other readers (openpyxl, python-calamine, LibreOffice).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from xlsx_books import read_parts

from sheetops import api

DEMO_TODAY = dt.date(2026, 11, 27)  # as the demo fixtures of conftest.py
OWNED = ("CMO Summary", "Sync Log")


def _rewrite(path: Path, part: str, change: object) -> None:
    parts = read_parts(path)
    changed = change(parts[part])  # type: ignore[operator]
    assert changed != parts[part]
    parts[part] = changed
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def _dates_by_openpyxl(path: Path) -> dict[tuple[str, str], dt.date]:
    book = openpyxl.load_workbook(path)
    found = {}
    for tab in OWNED:
        for row in book[tab].iter_rows():
            for cell in row:
                if isinstance(cell.value, dt.datetime):
                    found[(tab, cell.coordinate)] = cell.value.date()
    return found


def _dates_by_calamine(path: Path) -> dict[tuple[str, str], dt.date]:
    from python_calamine import CalamineWorkbook

    from sheetops.backends.xlsx.sheetxml import cell_ref

    book = CalamineWorkbook.from_path(str(path))
    found = {}
    for tab in OWNED:
        for r, row in enumerate(book.get_sheet_by_name(tab).to_python(skip_empty_area=False)):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    found[(tab, cell_ref(r, c))] = value.date() if isinstance(value, dt.datetime) else value
    return found


def test_dates_are_written_in_the_workbooks_own_date_system(demo_xlsx: Path, tmp_path: Path) -> None:
    mac = tmp_path / "mac.xlsx"
    book = openpyxl.load_workbook(demo_xlsx)
    book.epoch = CALENDAR_MAC_1904  # Mac Excel's date system: the same dates, other serial numbers
    book.save(mac)
    assert b'date1904="1"' in read_parts(mac)["xl/workbook.xml"]
    api.sync(demo_xlsx, as_of=DEMO_TODAY)
    api.sync(mac, as_of=DEMO_TODAY)

    expected = _dates_by_openpyxl(demo_xlsx)
    assert expected[("Sync Log", "B2")] == DEMO_TODAY  # As of
    assert len(expected) > 2  # the summary's "since" and trend dates
    assert _dates_by_openpyxl(mac) == expected
    assert _dates_by_calamine(mac) == expected
