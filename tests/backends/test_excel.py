"""Live Excel: the adapter through xlwings' own public classes, over the in-memory Excel engine.

The workbook is made by ``init`` (an .xlsx file), opened "in Excel" (the memory engine
reads the file as Excel would show it), synced through :class:`ExcelBackend`, and read
back through xlwings: values, fills and notes. The .xlsx backend syncs the same file,
and both must give the same report and the same marks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw

from sheetops import api
from sheetops.backends.excel import ExcelBackend, open_excel_backend
from sheetops.errors import BackendError, PlatformError
from sheetops.layout import HIGHLIGHT_FILL, Cell, TabLayout
from sheetops.ports import STATE_TAB, SyncWrite
from sheetops.sync.engine import run_sync
from sheetops.sync.report import SyncReport
from sheetops.templates import Template
from sheetops.testing import xlwings_memory
from tests.conftest import RunCli

TODAY = dt.date(2026, 11, 27)
BLUE, GREEN = "9FC5E8", "B6D7A8"


def demo_file(tmp_path: Path, lang: str = "en", name: str = "marketing.xlsx") -> Path:
    path = tmp_path / name
    api.provision(path, lang=lang, demo=True, today=TODAY)
    return path


def open_in_excel(path: Path) -> tuple[ExcelBackend, xw.Book]:
    backend = open_excel_backend(path)
    book = xw.Book(str(path))  # as a person has it open: the backend attaches to the same book
    return backend, book


def sync(backend: Any, template: Template, **options: Any) -> SyncReport:
    return run_sync(backend, template, as_of=TODAY, now=lambda: dt.datetime(2026, 11, 27, 17, 0), **options)


def look(book: xw.Book, tab: str, row: int, col: int) -> tuple[str | None, str | None]:
    """A cell's fill (RGB hex) and note, read back through xlwings."""
    cell = book.sheets[tab].range((row + 1, col + 1))
    color = cell.color
    note = cell.note
    return ("{:02X}{:02X}{:02X}".format(*color) if color else None), (note.text if note is not None else None)


def xlsx_look(path: Path, tab: str, row: int, col: int) -> tuple[str | None, str | None]:
    """The same read back from an .xlsx file with openpyxl."""
    cell = openpyxl.load_workbook(path)[tab].cell(row + 1, col + 1)
    fill = cell.fill.fgColor.rgb[-6:].upper() if cell.fill is not None and cell.fill.fill_type == "solid" else None
    return fill, (cell.comment.text if cell.comment is not None else None)


def rows(sheet: xw.Sheet) -> list[list[Any]]:
    """A sheet's used cells as rows, however many there are."""
    found: list[list[Any]] = sheet.used_range.options(ndim=2).value
    return found


def comparable(report: SyncReport) -> dict[str, Any]:
    found = report.as_dict()
    del found["source"]
    return found


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_same_data_gives_the_same_json_and_marks_as_the_xlsx_sync(
    excel: xw.Engine, template: Template, tmp_path: Path, lang: str
) -> None:
    path = demo_file(tmp_path, lang)
    backend, book = open_in_excel(path)
    through_excel = sync(backend, template)
    through_file = api.sync(demo_file(tmp_path, lang, "copy.xlsx"), as_of=TODAY, today=TODAY)
    assert through_excel.written and through_excel.breaches
    assert json.dumps(comparable(through_excel), default=str, sort_keys=True) == json.dumps(
        comparable(through_file), default=str, sort_keys=True)
    assert through_excel.changes.highlights == through_file.changes.highlights
    for highlight in through_excel.changes.highlights:
        expected = (HIGHLIGHT_FILL, highlight.note or None)
        assert look(book, highlight.tab, highlight.row, highlight.col) == expected
        assert xlsx_look(tmp_path / "copy.xlsx", highlight.tab, highlight.row, highlight.col) == expected


def test_the_summary_log_and_hidden_record_are_written(excel: xw.Engine, template: Template, tmp_path: Path) -> None:
    backend, book = open_in_excel(demo_file(tmp_path))
    report = sync(backend, template)
    summary = report.changes.tabs[0]
    written = rows(book.sheets[summary.name])
    assert written[0][0] == summary.rows[0][0].value
    assert written[3][0] == summary.rows[3][0].value
    log = rows(book.sheets["Sync Log"])
    assert len(log) == 2 and log[1][2] == report.rows_read
    state = book.sheets[STATE_TAB]
    assert not state.visible
    assert rows(state)[0] == ["Tab", "Cell", "Original fill", "Note", "Note by sheetops"]
    assert len(rows(state)) == 1 + len(report.changes.highlights)


def test_a_second_sync_appends_a_log_row_and_keeps_the_highlights(excel: xw.Engine, template: Template,
                                                                 tmp_path: Path) -> None:
    backend, book = open_in_excel(demo_file(tmp_path))
    first = sync(backend, template)
    second = sync(backend, template)
    assert second.changes.highlights == first.changes.highlights
    assert len(rows(book.sheets["Sync Log"])) == 3
    assert len(rows(book.sheets[STATE_TAB])) == 1 + len(first.changes.highlights)


def test_the_same_data_read_from_excel_as_from_the_file(excel: xw.Engine, tmp_path: Path) -> None:
    from sheetops.backends.xlsx import XlsxBackend

    path = demo_file(tmp_path)
    from_excel = open_excel_backend(path).read()
    from_file = XlsxBackend(path).read()
    assert [(s.name, s.hidden) for s in from_excel.sheets] == [(s.name, s.hidden) for s in from_file.sheets]
    for mine, theirs in zip(from_excel.sheets, from_file.sheets, strict=True):
        assert [list(r) for r in mine.rows] == [list(r) for r in theirs.rows], mine.name


def disable_every_stop_rule(book: xw.Book, template: Template) -> None:
    rules = template.tab("stop_rules")
    enabled = next(i for i, c in enumerate(rules.columns) if c.key == "enabled")
    sheet = book.sheets[rules.name.en]
    for row in range(len(template.stop_rules)):
        sheet.range((row + 2, enabled + 1)).value = "No"


def test_highlights_clear_and_restore_and_leave_what_people_made(excel: xw.Engine, template: Template,
                                                                 tmp_path: Path) -> None:
    backend, book = open_in_excel(demo_file(tmp_path))
    a, b, c = sync(backend, template, dry_run=True).changes.highlights[:3]
    book.sheets[a.tab].range((a.row + 1, a.col + 1)).color = f"#{BLUE}"  # a fill of their own, before the breach
    book.sheets[b.tab].range((b.row + 1, b.col + 1)).add_note("checked with Anna")  # a note of their own
    sync(backend, template)
    assert look(book, a.tab, a.row, a.col) == (HIGHLIGHT_FILL, a.note or None)
    assert look(book, b.tab, b.row, b.col) == (HIGHLIGHT_FILL, "checked with Anna")
    book.sheets[c.tab].range((c.row + 1, c.col + 1)).color = f"#{GREEN}"  # recoloured while highlighted

    disable_every_stop_rule(book, template)
    report = sync(backend, template)
    assert not report.breaches
    assert look(book, a.tab, a.row, a.col) == (BLUE, None)
    assert look(book, b.tab, b.row, b.col) == (None, "checked with Anna")
    assert look(book, c.tab, c.row, c.col) == (GREEN, None)  # their fill, no stale note
    assert rows(book.sheets[STATE_TAB]) == [["Tab", "Cell", "Original fill", "Note", "Note by sheetops"]]


class Closed(Exception):
    """What xlwings raises when Excel goes away in the middle of a write."""


class StopsAfter:
    """Excel closing after ``calls`` cell writes: every later Range write fails."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, calls: int) -> None:
        self.left = calls
        real = ExcelBackend._change_cell

        def change(backend: ExcelBackend, change: Any) -> None:
            if self.left <= 0:
                raise Closed("the RPC server is unavailable")
            self.left -= 1
            real(backend, change)

        monkeypatch.setattr(ExcelBackend, "_change_cell", change)


class StopsAtTheRecord:
    """Excel closing once every cell is written, before the record after the write."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real = ExcelBackend._put_tab
        seen: list[str] = []

        def put(backend: ExcelBackend, tab: TabLayout) -> None:
            if tab.name == STATE_TAB and STATE_TAB in seen:
                raise Closed("the RPC server is unavailable")
            seen.append(tab.name)
            real(backend, tab)

        monkeypatch.setattr(ExcelBackend, "_put_tab", put)


@pytest.mark.parametrize("done", [0, 1, 3])
def test_a_write_cut_short_is_repaired_by_the_next_sync(excel: xw.Engine, template: Template, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch, done: int) -> None:
    """Excel closed mid-write (after ``done`` cells): the next sync leaves what one whole sync leaves."""
    whole_path = demo_file(tmp_path, name="whole.xlsx")
    whole_backend, whole = open_in_excel(whole_path)
    expected = sync(whole_backend, template)

    backend, book = open_in_excel(demo_file(tmp_path))
    with monkeypatch.context() as patch:
        StopsAfter(patch, done)
        with pytest.raises(BackendError, match="run the sync again"):
            sync(backend, template)
    assert len(rows(book.sheets["Sync Log"])) == 1  # not logged: the sync did not finish
    repaired = sync(backend, template)
    assert repaired.changes.highlights == expected.changes.highlights
    for highlight in expected.changes.highlights:
        assert look(book, highlight.tab, highlight.row, highlight.col) == look(
            whole, highlight.tab, highlight.row, highlight.col)
    assert rows(book.sheets[STATE_TAB]) == rows(whole.sheets[STATE_TAB])

    disable_every_stop_rule(book, template)  # and the marks it made still come off whole
    sync(backend, template)
    for highlight in expected.changes.highlights:
        assert look(book, highlight.tab, highlight.row, highlight.col) == (None, None)


def test_a_note_update_cut_short_is_finished_by_the_next_sync(excel: xw.Engine, template: Template,
                                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A note being changed when Excel closed: made or not, the next sync knows it for sheetops' own."""
    backend, book = open_in_excel(demo_file(tmp_path))
    first = sync(backend, template)
    noted = next(h for h in first.changes.highlights if h.note)
    changed = [
        type(h)(h.tab, h.row, h.col, h.note + " (updated)") if h == noted else h for h in first.changes.highlights
    ]
    write = SyncWrite(first.changes.tabs, first.changes.log_tab, first.changes.log_row, tuple(changed))
    for made in (False, True):
        with monkeypatch.context() as patch:
            if made:  # the note is changed; Excel closes before the record after the write
                StopsAtTheRecord(patch)
            else:  # Excel closes before the note is changed
                StopsAfter(patch, 0)
            with backend.lock(), pytest.raises(BackendError):
                backend.write(write)
        with backend.lock():
            backend.write(write)
        assert look(book, noted.tab, noted.row, noted.col) == (HIGHLIGHT_FILL, noted.note + " (updated)")
        with backend.lock():
            backend.write(first.changes)
        assert look(book, noted.tab, noted.row, noted.col) == (HIGHLIGHT_FILL, noted.note)


def test_text_is_written_as_text_never_as_a_formula(excel: xw.Engine, tmp_path: Path, template: Template,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Text Excel would take for a formula or a number gets the Text format before its value."""
    formats: dict[tuple[int, int], str] = {}
    real = xlwings_memory.Range.number_format

    def remember(cell: xlwings_memory.Range, value: str) -> None:
        formats[(cell.row, cell.column)] = value
        assert real.fset is not None
        real.fset(cell, value)

    monkeypatch.setattr(xlwings_memory.Range, "number_format", property(real.fget, remember))
    backend, book = open_in_excel(demo_file(tmp_path))
    changes = sync(backend, template, dry_run=True).changes
    texts = (Cell("=SUM(A1:A9)"), Cell("+7 999 123-45-67"), Cell("0123"), Cell("Search ads"))
    tab = TabLayout("summary", "CMO Summary", (texts,))
    with backend.lock():
        backend.write(dataclasses.replace(changes, tabs=(tab,), highlights=()))
    row = book.sheets["CMO Summary"].range("A1:D1")
    assert row.value == [c.value for c in texts]
    assert [formats.get((1, col)) for col in range(1, 5)] == ["@", "@", "@", None]


def test_a_workbook_is_synced_through_open_excel_from_the_command_line(excel: xw.Engine, tmp_path: Path,
                                                                      run_cli: RunCli) -> None:
    path = demo_file(tmp_path)
    result = run_cli("sync", path, "--excel", "--as-of", "2026-11-27", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["written"] and report["breaches"]
    assert len(rows(xw.Book(str(path)).sheets["Sync Log"])) == 2


def test_on_linux_live_excel_says_it_needs_windows_or_macos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            run_cli: RunCli) -> None:
    monkeypatch.setattr(xw.engines, "active", None)  # no Excel, as on a Linux desktop
    monkeypatch.setattr("sys.platform", "linux")
    path = demo_file(tmp_path)
    with pytest.raises(PlatformError, match="Windows or macOS"):
        open_excel_backend(path)
    result = run_cli("sync", path, "--excel", "--json")
    assert result.exit_code == 4
    failure = json.loads(result.stdout)
    assert failure["error"] == "platform_unsupported" and "needs Excel on Windows or macOS" in failure["message"]


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_a_workbook_open_in_excel_is_refused_with_the_way_to_sync_it_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str, run_cli: RunCli
) -> None:
    path = demo_file(tmp_path)
    (tmp_path / f"~${path.name}").write_bytes(b"")
    monkeypatch.setattr("sys.platform", platform)
    result = run_cli("sync", path)
    assert result.exit_code == 2
    assert "open in Excel" in result.stderr and f"sheetops sync {path} --excel" in result.stderr


def test_a_workbook_open_in_excel_on_linux_is_refused_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               run_cli: RunCli) -> None:
    path = demo_file(tmp_path)
    (tmp_path / f"~${path.name}").write_bytes(b"")
    monkeypatch.setattr("sys.platform", "linux")
    result = run_cli("sync", path)
    assert result.exit_code == 2 and "close it there" in result.stderr and "--excel" not in result.stderr


def test_init_makes_a_file_not_an_excel_window(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("init", tmp_path / "m.xlsx", "--backend", "excel")
    assert result.exit_code == 2 and "excel" in result.stderr


def test_a_book_at_hand_is_synced_without_a_file(excel: xw.Engine, template: Template, tmp_path: Path) -> None:
    """A script running inside Excel hands over its open book; there is no file to lock."""
    from sheetops.testing import xlwings_memory

    book = xlwings_memory.open_xlsx(demo_file(tmp_path))
    report = sync(ExcelBackend.of_book(book), template)
    assert report.source == book.name and report.written
    assert len(rows(book.sheets["Sync Log"])) == 2
