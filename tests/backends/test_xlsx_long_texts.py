"""Texts longer than a cell holds: Excel refuses a cell of more than 32,767 characters.

A person may paste a whole report into a Conclusion, or a long text into a rule's name;
sheetops copies such texts into the CMO Summary and the notes on marked cells, and must
cut them there, saying so, rather than write a workbook Excel cannot open whole.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
from xlsx_books import libreoffice_converts, read_parts

from sheetops import api
from sheetops.layout import CELL_TEXT_LIMIT

DEMO_TODAY = dt.date(2026, 11, 27)  # as the demo fixtures of conftest.py
LONG = ("Spend went up as planned; " * 2000)[:40_000]
MARKER = "LONG-TEXT-HERE"


def _put_long_texts(path: Path) -> None:
    """Put LONG where MARKER is: openpyxl itself cuts what it writes to 32,767 characters,
    Google Sheets (50,000 a cell) and other writers do not."""
    parts = read_parts(path)
    holding = [name for name, data in parts.items() if MARKER.encode() in data]
    assert holding
    for name in holding:
        parts[name] = parts[name].replace(MARKER.encode(), LONG.encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def _texts(path: Path) -> list[str]:
    """Every text sheetops wrote: its tabs' cells and the notes."""
    book = openpyxl.load_workbook(path)
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and sheet.title in ("CMO Summary", "Sync Log", "sheetops_state"):
                    found.append(cell.value)
                if cell.comment is not None:
                    found.append(cell.comment.text)
    return found


def test_a_text_longer_than_a_cell_holds_is_cut_and_says_so(demo_xlsx: Path, tmp_path: Path, soffice: str) -> None:
    book = openpyxl.load_workbook(demo_xlsx)
    plan_fact = book["Plan-Fact"]
    header = [c.value for c in plan_fact[1]]
    for row in plan_fact.iter_rows(min_row=2):
        if row[header.index("Channel")].value == "Search ads":
            row[header.index("Conclusion")].value = MARKER
    rules = book["Stop rules"]
    for row in rules.iter_rows(min_row=2):
        if row[0].value:
            row[0].value = row[0].value + " " + MARKER  # in every note of the rule's marks
    book.save(demo_xlsx)
    _put_long_texts(demo_xlsx)

    api.sync(demo_xlsx, as_of=DEMO_TODAY)

    texts = _texts(demo_xlsx)
    assert max(len(t.encode("utf-16-le")) // 2 for t in texts) <= CELL_TEXT_LIMIT
    summary = openpyxl.load_workbook(demo_xlsx)["CMO Summary"]
    conclusions = [c.value for row in summary.iter_rows() for c in row
                   if isinstance(c.value, str) and c.value.startswith(LONG[:100])]
    assert conclusions, "the Conclusion is in the summary"
    for text in conclusions:
        assert text.endswith(
            "… (cut: the whole text has 40000 characters; a cell holds at most 32,767. "
            "Read it whole in Plan-Fact, Search ads, week of 2026-11-23)"
        ), text[-200:]
        assert LONG.startswith(text[: text.rindex("…")])
    notes = [t for t in texts if t.startswith("sheetops:") and "… (cut:" in t]
    assert notes, "the notes of the long rule are cut"
    converted = libreoffice_converts(soffice, demo_xlsx, tmp_path, "xlsx:Calc MS Excel 2007 XML")
    assert "CMO Summary" in openpyxl.load_workbook(converted).sheetnames
