"""Marks and notes survive a person saving the workbook in LibreOffice.

LibreOffice renumbers every style when it saves a workbook, drops the notes' author
names and rewrites the notes' parts. A sync after such a save still knows its marks by
what they look like (a solid light red fill) and its notes by their text: it keeps them
while the breach lasts, and once it is over removes exactly those, giving people's own
fill and note back. The workbook is the English demo; the facts do not change, the
as-of date does: on 2026-11-27 both demo rules breach, on 2026-11-25 the CPA rule does
not hold yet while the e-mail rule still does.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

from xlsx_books import changed, libreoffice_converts, open_in_openpyxl, read_parts, record_rows, sheet_part, tab

from sheetops import api

BREACHED = dt.date(2026, 11, 27)
CPA_OVER = dt.date(2026, 11, 25)
RED = "FFFFC7CE"
PERSON_FILL = "FFFF00"  # a person's own yellow
PERSON_NOTE = "Anna: the order came by phone"

Cell = tuple[str, str]  # (tab, "C353")


def record_of(path: Path) -> dict[Cell, tuple[object, ...]]:
    """sheetops' record in the workbook: (tab, cell) -> the rest of its row."""
    rows = record_rows(path)
    return {(str(row[0]), str(row[1])): row[2:] for row in rows if row[0]}


def marked_on(workbook: Path, as_of: dt.date, folder: Path) -> dict[Cell, str | None]:
    """The cells a sync as of ``as_of`` marks, with their notes (found on a copy)."""
    copy = folder / f"probe-{as_of.isoformat()}.xlsx"
    shutil.copyfile(workbook, copy)
    api.sync(copy, as_of=as_of)
    return {cell: str(row[2]) if row[2] not in (None, "") else None for cell, row in record_of(copy).items()}


def style_index(path: Path, cell: Cell) -> str:
    """The cell's ``s`` attribute as the sheet part has it."""
    with zipfile.ZipFile(path) as package:
        xml = package.read(sheet_part(path, cell[0]))
    found = re.search(rb'<c r="' + cell[1].encode() + rb'"[^>]*?\ss="(\d+)"', xml)
    assert found is not None, cell
    return found.group(1).decode()


def people_edit(path: Path, filled: Cell, noted: Cell) -> None:
    """A person gives one cell their own fill and another their own note, and saves."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    book = open_in_openpyxl(path)
    book[filled[0]][filled[1]].fill = PatternFill("solid", fgColor=PERSON_FILL)
    book[noted[0]][noted[1]].comment = Comment(PERSON_NOTE, "Anna")
    book.save(path)


def save_in_libreoffice(soffice: str, path: Path, folder: Path) -> None:
    """What a person opening the workbook in LibreOffice and saving it does to the file."""
    shutil.copyfile(libreoffice_converts(soffice, path, folder, "xlsx"), path)


def test_marks_survive_a_libreoffice_save_and_go_when_the_breach_is_over(
    demo_xlsx: Path, soffice: str, tmp_path: Path
) -> None:
    breached = marked_on(demo_xlsx, BREACHED, tmp_path)
    lasting = marked_on(demo_xlsx, CPA_OVER, tmp_path)
    over = sorted(set(breached) - set(lasting))
    filled = next(cell for cell in over if cell[0] == tab("daily") and cell[1].startswith("C"))  # a spend
    noted = next(cell for cell in over if cell[0] == filled[0] and cell != filled)
    # a week rule marks the week it judged: as of the 25th, the week before, not marked as of the 27th
    assert lasting and over and set(lasting) - set(breached) == {(tab("plan_fact"), "N49"), (tab("plan_fact"), "O49")}
    people_edit(demo_xlsx, filled, noted)
    person_fill = open_in_openpyxl(demo_xlsx)[filled[0]][filled[1]].fill.fgColor.rgb

    api.sync(demo_xlsx, as_of=BREACHED)
    book = open_in_openpyxl(demo_xlsx)
    assert all(book[t][ref].fill.fgColor.rgb == RED for t, ref in breached)
    assert book[noted[0]][noted[1]].comment.text == PERSON_NOTE

    save_in_libreoffice(soffice, demo_xlsx, tmp_path)
    book = open_in_openpyxl(demo_xlsx)
    formats = {(t, ref): book[t][ref].number_format for t, ref in over}  # as LibreOffice writes them
    record = record_of(demo_xlsx)
    assert [cell for cell in breached if style_index(demo_xlsx, cell) != str(record[cell][1])], (
        "LibreOffice kept the style numbers: the test no longer shows a renumbering save"
    )

    # the breach goes on: the marks and notes stay as they are, nothing is marked twice
    api.sync(demo_xlsx, as_of=BREACHED)
    before = read_parts(demo_xlsx)
    api.sync(demo_xlsx, as_of=BREACHED)
    after = read_parts(demo_xlsx)
    assert changed(before, after) == {sheet_part(demo_xlsx, tab("sync_log"))}
    book = open_in_openpyxl(demo_xlsx)
    for (t, ref), note in breached.items():
        marked = book[t][ref]
        assert marked.fill.fgColor.rgb == RED, ref
        assert (marked.comment.text if marked.comment else None) == (PERSON_NOTE if (t, ref) == noted else note), ref
    assert set(record_of(demo_xlsx)) == set(breached)

    # the CPA breach is over: its marks and notes go, the person's fill and note stay
    api.sync(demo_xlsx, as_of=CPA_OVER)
    book = open_in_openpyxl(demo_xlsx)
    for t, ref in over:
        cell = book[t][ref]
        assert cell.number_format == formats[(t, ref)], ref
        if (t, ref) == filled:
            assert (cell.fill.fill_type, cell.fill.fgColor.rgb) == ("solid", person_fill)
        else:
            assert cell.fill.fill_type is None, ref
        assert (cell.comment.text if cell.comment else None) == (PERSON_NOTE if (t, ref) == noted else None), ref
    for (t, ref), note in lasting.items():
        comment = book[t][ref].comment
        assert book[t][ref].fill.fgColor.rgb == RED and (comment.text if comment else None) == note, ref
    assert set(record_of(demo_xlsx)) == set(lasting)
    assert libreoffice_converts(soffice, demo_xlsx, tmp_path).read_text("utf-8").startswith("Role")
