"""sheetops inside Excel through xlwings Lite's script, run here over xlwings' own public
classes on the in-memory Excel engine: the same report and marks as the .xlsx backend."""

from __future__ import annotations

import datetime as dt
import runpy
import shutil
from collections.abc import Iterator
from importlib.metadata import requires
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw

from sheetops import api
from sheetops.backends import STATE_TAB
from sheetops.lite import NO_NOTES, WHY_HEADING, check_book, sync_book
from sheetops.lite.addin import requirements, write_addin
from sheetops.testing import xlwings_memory

FRIDAY = dt.date(2026, 11, 27)
WHEN = dt.datetime(2026, 11, 27, 18, 0, tzinfo=dt.timezone.utc)
OWNED = {"CMO Summary", "Sync Log", STATE_TAB}


@pytest.fixture
def book(demo_xlsx: Path) -> Iterator[xw.Book]:
    yield xlwings_memory.open_xlsx(demo_xlsx)
    xlwings_memory.reset()


def marks_in_xlsx(path: Path) -> dict[tuple[str, str], str | None]:
    """Every marked input cell (light red fill) of a file, with its note."""
    workbook = openpyxl.load_workbook(path)
    return {
        (ws.title, cell.coordinate): cell.comment.text if cell.comment else None
        for ws in workbook.worksheets
        if ws.title not in OWNED
        for row in ws.iter_rows()
        for cell in row
        if cell.fill.fill_type == "solid" and str(cell.fill.fgColor.rgb).upper().endswith("FFC7CE")
    }


def marks_in_book(book: xw.Book) -> dict[tuple[str, str], str | None]:
    marks = {}
    for sheet in book.sheets:
        if sheet.name in OWNED:
            continue
        for row, col in sheet.impl.data.fills:
            cell = sheet.range((row, col))
            if cell.color == (255, 199, 206):
                marks[(sheet.name, cell.get_address(False, False))] = cell.note.text if cell.note else None
    return marks


def test_a_sync_in_excel_gives_the_report_and_marks_of_the_xlsx_backend(
    book: xw.Book, demo_xlsx: Path, tmp_path: Path
) -> None:
    copy = shutil.copy(demo_xlsx, tmp_path / "same.xlsx")
    result = sync_book(book, as_of=FRIDAY, now=lambda: WHEN)
    reference = api.sync(copy, as_of=FRIDAY)

    mine, theirs = result.report.as_dict(), reference.as_dict()
    assert {k: v for k, v in mine.items() if k != "source"} == {k: v for k, v in theirs.items() if k != "source"}
    assert mine["breaches"]
    assert not result.without_notes
    assert marks_in_book(book) == marks_in_xlsx(Path(copy))
    assert any(marks_in_book(book).values())  # a breach's note on its first cell, fills on the rest
    assert book.sheets[STATE_TAB].visible is False


def test_a_second_sync_keeps_the_marks_and_adds_a_log_row(book: xw.Book) -> None:
    sync_book(book, as_of=FRIDAY, now=lambda: WHEN)
    marks = marks_in_book(book)
    rows = book.sheets["Sync Log"].used_range.shape[0]
    sync_book(book, as_of=FRIDAY, now=lambda: WHEN)
    assert marks_in_book(book) == marks
    assert book.sheets["Sync Log"].used_range.shape[0] == rows + 1


def test_a_mark_no_longer_wanted_is_cleared(book: xw.Book) -> None:
    sync_book(book, as_of=FRIDAY, now=lambda: WHEN)
    rules = book.sheets["Stop rules"]
    header = rules.range("A1").expand("right").value
    enabled = header.index("Enabled") + 1
    last = rules.used_range.last_cell.row
    rules.range((2, enabled), (last, enabled)).value = [["No"]] * (last - 1)
    result = sync_book(book, as_of=FRIDAY, now=lambda: WHEN)
    assert not result.report.breaches
    assert marks_in_book(book) == {}


def test_a_persons_note_is_left_alone(book: xw.Book) -> None:
    sync_book(book, as_of=FRIDAY, now=lambda: WHEN)
    (tab, address), note = next(iter(marks_in_book(book).items()))
    cell = book.sheets[tab][address]
    cell.note.delete()
    cell.add_note("Asked the agency on Tuesday")
    sync_book(book, as_of=FRIDAY, now=lambda: WHEN)
    assert cell.note.text == "Asked the agency on Tuesday"


def test_without_notes_the_reasons_go_to_the_summary_under_a_why_heading(
    book: xw.Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_notes(self: Any, text: str) -> Any:
        raise NotImplementedError("Notes require ExcelApi 1.18")  # what xlwings Lite says on older Excel

    monkeypatch.setattr(xlwings_memory.Range, "add_note", no_notes)
    result = sync_book(book, as_of=FRIDAY, now=lambda: WHEN)
    assert result.without_notes
    assert result.as_dict()["why"] == NO_NOTES and result.as_dict()["notes"] is False
    summary = book.sheets["CMO Summary"]
    values = summary.used_range.options(ndim=2).value
    heading = next(i for i, row in enumerate(values) if row[0] == WHY_HEADING)
    reasons = {row[0]: row[1] for row in values[heading + 1 :] if row[0]}
    assert reasons and set(reasons) <= {f"{tab}!{address}" for tab, address in marks_in_book(book)}
    assert all(why.startswith("sheetops: ") for why in reasons.values())
    assert set(marks_in_book(book).values()) == {None}  # the fills are there, the notes are not


def test_without_notes_a_second_sync_lists_the_reasons_again(
    book: xw.Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_notes(self: Any, text: str) -> Any:
        raise NotImplementedError("Notes require ExcelApi 1.18")

    monkeypatch.setattr(xlwings_memory.Range, "add_note", no_notes)
    sync_book(book, as_of=FRIDAY, now=lambda: WHEN)
    marks = marks_in_book(book)
    first = book.sheets["CMO Summary"].used_range.options(ndim=2).value
    result = sync_book(book, as_of=FRIDAY, now=lambda: WHEN)
    assert result.without_notes
    assert marks_in_book(book) == marks
    assert book.sheets["CMO Summary"].used_range.options(ndim=2).value == first


def test_where_excel_reads_no_fills_a_mark_no_longer_wanted_is_still_cleared(
    book: xw.Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_book(book, as_of=FRIDAY, now=lambda: WHEN)

    def unreadable(self: Any) -> Any:
        raise NotImplementedError("xlwings Lite reads fills only asynchronously")

    monkeypatch.setattr(xlwings_memory.Range, "color", property(unreadable, xlwings_memory.Range.color.fset))
    sync_book(book, as_of=FRIDAY, now=lambda: WHEN)
    rules = book.sheets["Stop rules"]
    enabled = rules.range("A1").expand("right").value.index("Enabled") + 1
    last = rules.used_range.last_cell.row
    rules.range((2, enabled), (last, enabled)).value = [["No"]] * (last - 1)
    sync_book(book, as_of=FRIDAY, now=lambda: WHEN)
    monkeypatch.undo()
    assert marks_in_book(book) == {}


def test_check_in_excel_finds_what_check_finds(book: xw.Book, demo_xlsx: Path) -> None:
    book.sheets["Daily"]["C2"].value = "n/a"
    book_path = demo_xlsx.with_name("changed.xlsx")
    xlwings_memory.save_xlsx(book, book_path)
    assert check_book(book).as_dict()["findings"] == api.check(book_path).as_dict()["findings"]
    assert check_book(book).findings


def test_the_add_in_script_runs_as_xlwings_lite_runs_it(book: xw.Book, tmp_path: Path) -> None:
    files = write_addin(tmp_path / "addin", button_sheet="CMO Summary")
    scripts = runpy.run_path(str(files.main))
    scripts["sync"](book)
    assert marks_in_book(book)
    assert book.sheets["Sync Log"].used_range.shape[0] == 2
    scripts["check"](book)


def test_the_add_in_requirements_are_pure_python() -> None:
    lines = requirements()
    assert lines[0].startswith("sheetops==")
    assert not any("calamine" in line for line in lines)
    declared = [r for r in requires("sheetops") or [] if r.startswith("python-calamine")]
    assert declared and "sys_platform != \"emscripten\"" in declared[0].replace("'", '"')


def test_excel_addin_command_writes_the_files_beside_the_workbook(demo_xlsx: Path, run_cli: Any) -> None:
    result = run_cli("excel-addin", str(demo_xlsx))
    assert result.exit_code == 0, result.stderr
    folder = demo_xlsx.with_name(f"{demo_xlsx.stem}-xlwings-lite")
    assert "@script(button=" in (folder / "main.py").read_text("utf-8")
    assert "CMO Summary" in (folder / "main.py").read_text("utf-8")
    assert (folder / "requirements.txt").read_text("utf-8").startswith("sheetops==")
    assert "docs/excel.md" in result.stdout


def test_a_book_open_in_excel_is_not_provisioned_again(book: xw.Book) -> None:
    from sheetops.backends.excel import ExcelBackend
    from sheetops.errors import BackendError
    from sheetops.ports import ProvisionOptions

    with pytest.raises(BackendError, match="sheetops init"):
        ExcelBackend.of_book(book).provision(None, ProvisionOptions())  # type: ignore[arg-type]
