"""sheetops inside Excel through xlwings Lite: the Friday sync and the check as scripts.

xlwings Lite runs Python in Excel (Windows, macOS, the web) through Pyodide, with the
code stored in the workbook. Its ``main.py`` (written by ``sheetops excel-addin``, see
:mod:`sheetops.lite.addin`) is a few lines that hand the open ``xw.Book`` to
:func:`sync_book` or :func:`check_book`.

The book is reached through xlwings' public ``Book`` / ``Sheet`` / ``Range`` API only
(:class:`BookBackend`), so the same code runs in xlwings Lite, in desktop Excel through
classic xlwings, and in tests over :mod:`sheetops.testing.xlwings_memory`.

What Lite cannot do is said, not hidden: where Excel gives the script no cell notes
(xlwings Lite needs Excel API 1.18 for them; older Excel has none), the reasons for the
marked cells are written on the CMO Summary tab, under a visible "why" heading, and the
report says so (:attr:`LiteResult.without_notes`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sheetops.backends import STATE_TAB, Highlight, SyncWrite
from sheetops.layout import HIGHLIGHT_FILL, TabLayout
from sheetops.values import CellValue
from sheetops.workbook import Sheet, WorkbookData

if TYPE_CHECKING:
    from sheetops.api import CheckReport
    from sheetops.sync.report import SyncReport

# The fill of a marked cell, as the other backends make it.
MARK_FILL = "#" + HIGHLIGHT_FILL.lower()
# The first cell of the reasons block on the CMO Summary tab, when notes are not available.
WHY_HEADING = "Why these cells are marked (this Excel gives scripts no cell notes):"
NO_NOTES = (
    "Cell notes are not available to scripts in this Excel (xlwings Lite needs Excel API 1.18); "
    "the reasons for the marked cells are listed on the CMO Summary tab."
)


@dataclass(frozen=True)
class LiteResult:
    """What a sync from inside Excel did: the report, and what Excel could not take."""

    report: SyncReport
    without_notes: bool  # the marks' reasons went to the CMO Summary tab, not into notes

    def as_dict(self) -> dict[str, Any]:
        return {**self.report.as_dict(), "notes": not self.without_notes,
                "why": NO_NOTES if self.without_notes else None}  # fmt: skip


def sync_book(
    book: Any,
    *,
    template: str | None = None,
    as_of: dt.date | None = None,
    now: Any = None,
) -> LiteResult:
    """The Friday sync of the open workbook ``book`` (an ``xw.Book``)."""
    from sheetops.sync.engine import run_sync
    from sheetops.templates import DEFAULT_TEMPLATE, load_template

    backend = BookBackend(book)
    kwargs: dict[str, Any] = {"as_of": as_of}
    if now is not None:
        kwargs["now"] = now
    report = run_sync(backend, load_template(template or DEFAULT_TEMPLATE), **kwargs)
    return LiteResult(report, without_notes=backend.without_notes)


def check_book(book: Any, *, template: str | None = None) -> CheckReport:
    """The findings of ``sheetops check`` for the open workbook ``book`` (an ``xw.Book``)."""
    from sheetops.api import CheckReport
    from sheetops.check import check_workbook
    from sheetops.tables import read_inputs
    from sheetops.templates import DEFAULT_TEMPLATE, load_template
    from sheetops.workbook import bind

    spec = load_template(template or DEFAULT_TEMPLATE)
    bound = bind(BookBackend(book).read(), spec)
    inputs = read_inputs(bound)
    return CheckReport(str(book.name), tuple(check_workbook(bound, inputs)), inputs.settings.lang)


class BookBackend:
    """A backend over an open ``xw.Book``, through xlwings' public API only.

    Excel holds the workbook, so there is no lock to take. Writes go cell block by cell
    block: Excel gives no all-or-nothing (in xlwings Lite they travel back to Excel
    together when the script returns). The marks are kept in the hidden tab
    ``sheetops_state`` (tab, row, column, note), so the next sync clears the ones no
    longer wanted.
    """

    def __init__(self, book: Any) -> None:
        self.book = book
        self.without_notes = False

    @property
    def source(self) -> str:
        return str(self.book.name)

    @contextmanager
    def lock(self) -> Iterator[None]:
        yield

    def read(self) -> WorkbookData:
        sheets = []
        for sheet in self.book.sheets:
            last = sheet.used_range.last_cell
            rows = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
            sheets.append(Sheet(sheet.name, [[_cell_value(v) for v in row] for row in rows], not sheet.visible))
        return WorkbookData(self.source, tuple(sheets))

    def provision(self, layout: Any, options: Any) -> str:
        """A workbook open in Excel already exists: it is made with ``sheetops init``."""
        from sheetops.errors import BackendError

        raise BackendError(f"{self.source} is open in Excel already; make new workbooks with sheetops init")

    def write(self, changes: SyncWrite) -> None:
        for tab in changes.tabs:
            self._replace(tab)
        self._append_log(changes)
        self._mark(changes.highlights, changes.tabs)

    # --- the owned tabs and the log -------------------------------------------------------

    def _sheet(self, name: str, *, create: bool = True) -> Any:
        names = {s.name.lower(): s for s in self.book.sheets}
        if name.lower() in names:
            return names[name.lower()]
        if not create:
            return None
        return self.book.sheets.add(name, after=self.book.sheets[len(self.book.sheets) - 1])

    def _replace(self, tab: TabLayout) -> None:
        sheet = self._sheet(tab.name)
        sheet.used_range.clear_contents()
        values = _values(tab.rows)
        if values:
            sheet.range((1, 1)).value = values

    def _append_log(self, changes: SyncWrite) -> None:
        sheet = self._sheet(changes.log_tab.name, create=False)
        if sheet is None:
            sheet = self._sheet(changes.log_tab.name)
            sheet.range((1, 1)).value = _values(changes.log_tab.rows)
        for col, cell in changes.log_header:
            sheet.range((1, col + 1)).value = cell.value
        last = sheet.used_range.last_cell.row
        sheet.range((last + 1, 1)).value = [[c.value for c in changes.log_row]]

    # --- the marks: fill, note (or the reasons on the summary), record ----------------------

    def _mark(self, highlights: Sequence[Highlight], tabs: Sequence[TabLayout]) -> None:
        record = self._sheet(STATE_TAB, create=False)
        previous = []
        if record is not None:
            rows = record.used_range.options(ndim=2).value
            previous = [(str(r[0]), int(r[1]), int(r[2]), str(r[3] or "")) for r in rows[1:] if r and r[0]]
        wanted = {(h.tab, h.row, h.col): h.note for h in highlights}
        for tab, row, col, note in previous:
            if (tab, row, col) in wanted:
                continue
            sheet = self._sheet(tab, create=False)
            if sheet is None:
                continue
            cell = sheet.range((row + 1, col + 1))
            cell.color = None
            self._clear_note(cell, note)
        reasons = []
        ours = {(t, r, c): n for t, r, c, n in previous}
        for h in highlights:
            sheet = self._sheet(h.tab, create=False)
            if sheet is None:
                continue
            cell = sheet.range((h.row + 1, h.col + 1))
            cell.color = MARK_FILL
            if not self._note(cell, h.note, ours.get((h.tab, h.row, h.col))):
                reasons.append((f"{h.tab}!{cell.get_address(False, False)}", h.note))
        if reasons and tabs:
            self.without_notes = True
            summary = self._sheet(tabs[0].name)
            start = len(tabs[0].rows) + 2
            summary.range((start, 1)).value = [[WHY_HEADING, None], *[[where, why] for where, why in reasons]]
        if record is None:
            record = self._sheet(STATE_TAB)
        record.used_range.clear_contents()
        marks = [[h.tab, h.row, h.col, h.note] for h in highlights]
        record.range((1, 1)).value = [["tab", "row", "col", "note"], *marks]
        if record.visible:
            record.visible = False

    def _note(self, cell: Any, text: str, ours: str | None) -> bool:
        """Put ``text`` in the cell's note; False where this Excel gives scripts no notes.

        A note sheetops wrote (its text is the recorded one) is updated; a person's note is
        left alone, and so is one whose text this Excel does not let a script read.
        """
        if not text:
            return True
        if self.without_notes:
            return False
        try:
            note = cell.note
            if note is None:
                cell.add_note(text)
                return True
        except NotImplementedError:
            self.without_notes = True
            return False
        if ours is not None and _note_text(note) == ours and ours != text:
            note.text = text
        return True

    def _clear_note(self, cell: Any, ours: str) -> None:
        try:
            note = cell.note
        except NotImplementedError:
            return
        if note is not None and ours and _note_text(note) == ours:
            note.delete()


def _note_text(note: Any) -> str | None:
    try:
        return str(note.text)
    except NotImplementedError:  # xlwings Lite reads a note's text only asynchronously
        return None


def _values(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    width = max((len(r) for r in rows), default=0)
    return [[c.value for c in row] + [None] * (width - len(row)) for row in rows]


def _cell_value(value: Any) -> CellValue:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value  # type: ignore[no-any-return]
