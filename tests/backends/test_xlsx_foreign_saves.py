"""Workbooks as other programs save them: Mac Excel's 1904 dates, gnumeric's unhidden tabs.

Each is made from the demo workbook the way issue 8 reproduced it, synced, and read back
by other readers (openpyxl, python-calamine, LibreOffice).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from xlsx_books import libreoffice_converts, read_parts

from sheetops import api
from sheetops.backends import STATE_TAB

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


def _unhide_state_tab(*, explicit: bool, active: bool) -> object:
    """workbook.xml as gnumeric re-saves it: sheetops' record tab shown (and, with
    ``active``, the tab open when it was saved, first in the tab bar)."""

    def change(xml: bytes) -> bytes:
        names = [m.group(1) for m in re.finditer(rb'<sheet name="([^"]*)"', xml)]
        position = names.index(STATE_TAB.encode())
        shown = b' state="visible"' if explicit else b""
        xml = re.sub(rb'(<sheet name="' + STATE_TAB.encode() + rb'"[^>]*?) state="hidden"', rb"\1" + shown, xml)
        if active:
            view = b'<workbookView activeTab="%d" firstSheet="%d" ' % (position, position)
            xml = xml.replace(b"<workbookView ", view, 1)
        return xml

    return change


@pytest.mark.parametrize(
    ("explicit", "active"), [(False, False), (True, False), (True, True)], ids=["no state", "visible", "active"]
)
def test_the_record_tab_is_hidden_again_after_a_program_showed_it(
    demo_xlsx: Path, tmp_path: Path, soffice: str, explicit: bool, active: bool
) -> None:
    api.sync(demo_xlsx, as_of=DEMO_TODAY)
    _rewrite(demo_xlsx, "xl/workbook.xml", _unhide_state_tab(explicit=explicit, active=active))
    assert openpyxl.load_workbook(demo_xlsx)[STATE_TAB].sheet_state == "visible"

    api.sync(demo_xlsx, as_of=DEMO_TODAY)

    book = openpyxl.load_workbook(demo_xlsx)
    assert book[STATE_TAB].sheet_state == "hidden"
    view = book.views[0]
    shown = [i for i, sheet in enumerate(book.worksheets) if sheet.sheet_state == "visible"]
    assert view.activeTab in shown and (view.firstSheet or 0) in shown
    converted = libreoffice_converts(soffice, demo_xlsx, tmp_path, "xlsx:Calc MS Excel 2007 XML")
    assert openpyxl.load_workbook(converted)[STATE_TAB].sheet_state == "hidden"
