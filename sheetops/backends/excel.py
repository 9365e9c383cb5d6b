"""Live Excel: a workbook open in Excel on Windows or macOS, through classic xlwings.

Only xlwings' public ``Book`` / ``Sheet`` / ``Range`` API is used (its BSD core, nothing
from ``xlwings.pro``), so the same code runs over any xlwings engine: Excel's own
(COM on Windows, AppleScript on macOS) and, in the tests, an in-memory one
(:mod:`sheetops.testing.xlwings_memory`).

Excel applies each call on its own; there is no all-or-nothing write. So
:meth:`ExcelBackend.write` computes everything first (the highlight plan over the cells
as they are, the summary's values, the log row's place), then writes in an order that
the next sync can repair from wherever it stopped (docs/excel.md):

1. the record of highlights, saying what the write is about to do: every cell it will
   mark with its fill from before, every cell it will give back, and every note it is
   about to write (:data:`~sheetops.backends.fillrecord.PENDING`);
2. the fills and notes;
3. the tabs sheetops owns;
4. the record as it stands after the write;
5. the Sync Log row, last: a sync that stopped before it is not logged, and the next one
   writes the summary and the log whole again.

The same adapter runs inside Excel through xlwings Lite (:mod:`sheetops.lite`, with
:meth:`ExcelBackend.of_book`), whose engine may refuse what desktop Excel does:

- cell notes (xlwings Lite needs Excel API 1.18 for them; it raises NotImplementedError
  on older Excel). With ``notes=None`` (detected) the first refusal turns notes off for
  the rest of the write; ``notes=False`` never asks. Either way the reasons a note would
  hold are written on the CMO Summary under :data:`WHY_HEADING`, one row per cell, and
  :attr:`ExcelBackend.without_notes` says so. Such a cell is recorded without a note of
  sheetops', so every later sync lists it again (or writes the note, where Excel now can).
- reading a cell's fill, or a note's text, synchronously. A fill it cannot read counts as
  sheetops' own on a recorded cell and as none elsewhere: a mark taken off then clears
  the fill rather than give back a person's colour. A note whose text it cannot read is
  a person's, left alone.

xlwings is imported only here, when a workbook is synced through Excel.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sheetops.backends.fillrecord import (
    CellChange,
    Key,
    Look,
    Record,
    plan_highlights,
    read_pending,
    read_records,
    state_layout,
)
from sheetops.errors import BackendError, MissingExtraError, PlatformError, SheetopsError
from sheetops.layout import HIGHLIGHT_FILL, Cell, TabLayout, WorkbookLayout
from sheetops.ports import STATE_TAB, ProvisionOptions, SyncWrite
from sheetops.values import CellError, CellValue
from sheetops.workbook import Sheet, WorkbookData, column_letter

# Excel's error values, as xlwings gives them with ``err_to_str``.
ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})
TEXT = "@"  # the number format under which Excel keeps what is written as text
_COERCED = ("=", "+", "-", "@")  # text Excel would take as a formula
# The first cell of the reasons block on the CMO Summary tab, when Excel gives no notes.
WHY_HEADING = "Why these cells are marked (this Excel gives scripts no cell notes):"
NO_NOTES = (
    "Cell notes are not available to scripts in this Excel (xlwings Lite needs Excel API 1.18); "
    "the reasons for the marked cells are listed on the CMO Summary tab."
)
_UNREADABLE = "\0"  # a note whose text Excel does not let a script read: never sheetops' own


def open_excel_backend(path: Path) -> ExcelBackend:
    """The workbook at ``path`` as Excel has it open (``xw.Book(path)`` attaches to it).

    Refused where there is no Excel to talk to: on Linux, unless another xlwings engine
    was made the active one (the tests' in-memory Excel)."""
    try:
        import xlwings as xw
    except ImportError:
        _need_excel()
        raise MissingExtraError(
            "syncing through Excel needs xlwings; install it with: pip install 'sheetops[excel]'"
        ) from None
    active = xw.engines.active
    if active is None or active.name == "excel":
        _need_excel()
    return ExcelBackend(path, lambda: xw.Book(str(path)))


def _need_excel() -> None:
    if sys.platform not in ("win32", "darwin"):
        raise PlatformError(
            "live Excel (--excel) needs Excel on Windows or macOS; here, sync the .xlsx file itself "
            "(close it in Excel first), or use xlwings Lite (docs/excel.md)."
        )


@contextmanager
def excel_errors(source: str, *, writing: bool = False) -> Iterator[None]:
    """xlwings' and Excel's errors (COM, AppleScript) as :class:`BackendError`."""
    try:
        yield
    except SheetopsError:
        raise
    except Exception as exc:  # COM and AppleScript errors have no common base but Exception
        after = (" The write may have stopped half way: run the sync again and it repairs what was left "
                 "(see docs/excel.md).") if writing else " Nothing was changed."
        raise BackendError(f"{source}: Excel did not answer as expected ({exc}).{after}") from exc


@dataclass(frozen=True)
class _Planned:
    """A whole write, computed before the first call to Excel."""

    intent: TabLayout | None  # the record written first, when the write changes cells
    changes: tuple[CellChange, ...]
    record: TabLayout | None  # the record after the write; None: unchanged
    kept: tuple[Record, ...] = ()  # what ``record`` holds


class ExcelBackend:
    """A workbook open in Excel. ``book`` gives its ``xw.Book`` (attached on :meth:`read`);
    ``lock_file``: hold sheetops' lock of the file at ``path`` during a run; ``notes``:
    whether Excel gives cell notes (None: find out; False: the reasons go on the summary)."""

    def __init__(
        self, path: Path, book: Callable[[], Any], *, lock_file: bool = True, notes: bool | None = None
    ) -> None:
        self.path = path
        self._open_book = book
        self._book: Any = None
        self._lock_file = lock_file
        self._notes = notes
        self.without_notes = False  # a write put the marks' reasons on the summary, not in notes
        self._why: list[tuple[Key, str]] = []  # the notes Excel refused, during a write
        self._last_rows: dict[str, int] = {}  # a tab's rows up to its last value, at the read
        self._by_name: dict[str, Any] = {}  # the book's sheets by folded name, during a write

    @classmethod
    def of_book(cls, book: Any, *, notes: bool | None = None) -> ExcelBackend:
        """An ``xw.Book`` already at hand (a script running inside Excel): Excel holds the
        workbook, so no file lock is taken."""
        return cls(Path(str(book.name)), lambda: book, lock_file=False, notes=notes)

    @property
    def source(self) -> str:
        return str(self.path)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the workbook against a second sync (the lock the .xlsx backend takes for the
        same file). The person keeps working in Excel meanwhile."""
        if not self._lock_file:
            yield
            return
        from sheetops.backends.xlsx import held_against_other_syncs, lock_file

        with held_against_other_syncs(self.path, lock_file(self.path)):
            yield

    def provision(self, layout: WorkbookLayout, options: ProvisionOptions) -> str:
        raise BackendError(f"sheetops init makes a file: run `sheetops init {self.path}`, then open it in Excel.")

    def _sheets(self) -> dict[str, Any]:
        return {sheet.name.casefold(): sheet for sheet in self._book.sheets}

    def read(self) -> WorkbookData:
        with excel_errors(self.source):
            if self._book is None:
                self._book = self._open_book()
            sheets = tuple(self._read_sheet(sheet) for sheet in self._book.sheets)
        return WorkbookData(self.source, sheets)

    def _read_sheet(self, sheet: Any) -> Sheet:
        last = sheet.used_range.last_cell
        block = sheet.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True).value
        rows = [[_cell_value(v) for v in row] for row in block or []]
        while rows and all(v is None for v in rows[-1]):
            rows.pop()
        self._last_rows[sheet.name.casefold()] = len(rows)
        return Sheet(sheet.name, rows, not sheet.visible)

    def write(self, changes: SyncWrite) -> None:
        """Compute the whole write, then apply it in the order the module describes."""
        with excel_errors(self.source):
            if self._book is None:
                self.read()
            self._by_name = self._sheets()  # looked up once: each lookup is a call to Excel
            planned = self._plan(changes)
        self._why = []
        with excel_errors(self.source, writing=True):
            if planned.intent is not None:
                self._put_tab(planned.intent)
            for change in planned.changes:
                self._change_cell(change)
            for tab in changes.tabs:
                self._put_tab(self._with_why(tab))
            record = planned.record
            if self._why:  # the notes Excel refused are not sheetops': a later sync asks again
                refused = {key for key, _ in self._why}
                record = state_layout(STATE_TAB, [
                    replace(r, note="", note_created=False) if r.key in refused else r for r in planned.kept])
            if record is not None:
                self._put_tab(record)
            self._append_log(changes)
        self.without_notes = bool(self._why)

    def _with_why(self, tab: TabLayout) -> TabLayout:
        """The summary, with the reasons of the notes Excel refused under :data:`WHY_HEADING`."""
        if tab.key != "summary" or not self._why:
            return tab
        reasons = [(Cell(f"{t}!{column_letter(c)}{r + 1}"), Cell(why)) for (t, r, c), why in self._why]
        return replace(tab, rows=(*tab.rows, (), (Cell(WHY_HEADING),), *reasons))

    # -- planning --------------------------------------------------------------------

    def _plan(self, changes: SyncWrite) -> _Planned:
        sheets = self._by_name
        rewritten = {tab.name.casefold() for tab in changes.tabs} | {STATE_TAB.casefold()}
        for highlight in changes.highlights:
            found = sheets.get(highlight.tab.casefold())
            if found is None:
                raise BackendError(f"cannot mark a cell on the tab {highlight.tab!r}: the workbook has no such tab.")
            if highlight.tab.casefold() in rewritten:
                raise BackendError(f"cannot mark a cell on the tab {found.name!r}: sheetops rewrites that tab whole.")
        state = sheets.get(STATE_TAB.casefold())
        rows = self._values(state) if state is not None else []
        records = read_records(rows)
        pending = read_pending(rows)
        recorded = {r.key for r in records}

        def look(tab: str, row: int, col: int) -> Look | None:
            sheet = sheets.get(tab.casefold())
            if sheet is None:
                return None
            cell = sheet.range((row + 1, col + 1))
            try:
                fill = _hex(cell.color)
            except NotImplementedError:  # xlwings Lite reads fills only asynchronously
                fill = HIGHLIGHT_FILL if (tab, row, col) in recorded else None
            return Look(fill, self._note_text(cell))

        looks: dict[tuple[str, int, int], Look | None] = {}

        def remembered(tab: str, row: int, col: int) -> Look | None:
            key = (tab, row, col)
            if key not in looks:
                looks[key] = look(*key)
            return looks[key]

        # A note a stopped write made is sheetops' own: the record says so before it is planned.
        for index, record in enumerate(records):
            text = pending.get(record.key)
            now = remembered(*record.key) if text else None
            if text and now is not None and now.note == text:
                records[index] = replace(record, note=text, note_created=True)
        plan = plan_highlights(changes.highlights, records, remembered)
        before = {r.key: r for r in records}
        if not plan.changes:
            same = plan.records == tuple(records) and not pending
            return _Planned(None, (), None if same and (state is not None or not plan.records) else
                            state_layout(STATE_TAB, plan.records))
        # The record written first: the marks as they will be, with the notes only once they are made.
        intent: list[Record] = []
        notes: dict[tuple[str, int, int], str] = {}
        changed = {(c.tab, c.row, c.col): c for c in plan.changes}
        for record in plan.records:
            change = changed.get(record.key)
            if change is not None and change.set_note and change.note is not None:
                old = before.get(record.key)
                record = replace(record, note=old.note if old else "", note_created=bool(old and old.note_created))
                notes[record.key] = change.note
            elif change is not None and change.set_note:  # sheetops' note goes: until then, it is its own
                old = before.get(record.key)
                if old is not None:
                    record = replace(record, note=old.note, note_created=old.note_created)
            intent.append(record)
        kept = {r.key for r in plan.records}
        intent += [before[key] for key in changed if key not in kept and key in before]  # given back
        return _Planned(state_layout(STATE_TAB, intent, notes), plan.changes, state_layout(STATE_TAB, plan.records),
                        plan.records)

    def _values(self, sheet: Any) -> list[list[CellValue]]:
        last = sheet.used_range.last_cell
        block = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
        return [[_cell_value(v) for v in row] for row in block or []]

    # -- writing ---------------------------------------------------------------------

    def _note_text(self, cell: Any) -> str | None:
        """A cell's note as sheetops judges it; :data:`_UNREADABLE` where Excel keeps its text."""
        if self._notes is False:
            return None
        try:
            note = cell.note
            return None if note is None else str(note.text)
        except NotImplementedError:
            return _UNREADABLE

    def _change_cell(self, change: CellChange) -> None:
        cell = self._by_name[change.tab.casefold()].range((change.row + 1, change.col + 1))
        if change.set_fill:
            cell.color = None if change.fill is None else f"#{change.fill}"
        if not change.set_note:
            return
        if self._notes is not False:
            try:
                self._put_note(cell, change.note)
                return
            except NotImplementedError:  # this Excel gives scripts no notes (xlwings Lite, before API 1.18)
                self._notes = False
        if change.note is not None:
            self._why.append(((change.tab, change.row, change.col), change.note))

    @staticmethod
    def _put_note(cell: Any, text: str | None) -> None:
        note = cell.note
        if text is None:
            if note is not None:
                note.delete()
        elif note is not None:
            note.text = text
        else:
            cell.add_note(text)

    def _sheet(self, name: str, *, hidden: bool) -> Any:
        """The sheet of a tab sheetops writes whole, added at the end when missing, shown or
        hidden as its layout says."""
        sheet = self._by_name.get(name.casefold())
        if sheet is None:
            sheets = self._book.sheets
            sheet = sheets.add(name=name, after=sheets[len(sheets) - 1])
            self._by_name[name.casefold()] = sheet
        if sheet.visible == hidden:
            sheet.visible = not hidden
        return sheet

    def _put_tab(self, tab: TabLayout) -> None:
        """A tab sheetops owns, made to hold exactly ``tab``."""
        sheet = self._sheet(tab.name, hidden=tab.hidden)
        sheet.clear()
        self._put_rows(sheet, 0, tab.rows)
        self._last_rows[tab.name.casefold()] = len(tab.rows)

    def _put_rows(self, sheet: Any, first: int, rows: Sequence[Sequence[Cell]]) -> None:
        """Cells' formats, then their values in one call (text stays text)."""
        width = max((len(row) for row in rows), default=0)
        if not width:
            return
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                fmt = TEXT if isinstance(cell.value, str) and _coerced(cell.value) else cell.style.number_format
                if fmt:
                    sheet.range((first + r + 1, c + 1)).number_format = fmt
                if cell.style.fill:
                    sheet.range((first + r + 1, c + 1)).color = f"#{cell.style.fill}"
        values = [[_excel_value(cell.value) for cell in row] + [None] * (width - len(row)) for row in rows]
        sheet.range((first + 1, 1)).value = values

    def _append_log(self, changes: SyncWrite) -> None:
        name = changes.log_tab.name
        sheet = self._by_name.get(name.casefold())
        if sheet is None:
            self._put_tab(replace(changes.log_tab, rows=(*changes.log_tab.rows, changes.log_row)))
            return
        for col, cell in changes.log_header:  # the columns a Sync Log made by an older sheetops lacks
            target = sheet.range((1, col + 1))
            if cell.style.number_format:
                target.number_format = cell.style.number_format
            target.value = _excel_value(cell.value)
        row = max(self._last_rows.get(name.casefold(), 0), 1)
        self._put_rows(sheet, row, [changes.log_row])
        self._last_rows[name.casefold()] = row + 1


def _coerced(text: str) -> bool:
    """Whether Excel would take this text for a formula or a number if written as it is."""
    if text.startswith(_COERCED):
        return True
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _cell_value(value: Any) -> CellValue:
    """A value as xlwings gives it, as sheetops reads values (dates as the .xlsx reader gives them)."""
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, str) and value in ERRORS:
        return CellError(value)
    return value  # type: ignore[no-any-return]


def _excel_value(value: CellValue) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _hex(color: Any) -> str | None:
    """A cell's colour from xlwings (an RGB tuple, None for none) as RGB hex."""
    if color is None:
        return None
    red, green, blue = color
    return f"{int(red):02X}{int(green):02X}{int(blue):02X}"
