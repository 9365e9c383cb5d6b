"""The record of what sheetops highlighted, kept in the spreadsheet, and how it changes. Pure.

A hidden tab (:data:`sheetops.ports.STATE_TAB`) holds one row per highlighted cell:
the tab, the cell, the fill the cell had before (empty: none), the note sheetops wrote and
whether sheetops created that note. :func:`plan_highlights` turns the core's plan
(:func:`sheetops.sync.marks.plan_marks`, the rules every backend follows) into changes
of fills and notes. Google Sheets and live Excel keep this record.

A backend whose write is not all or nothing (live Excel) writes the record before the
cells, with a sixth column, :data:`PENDING`: the note text it is about to write in a
cell. Should the write stop half way, the next sync reads a note equal to it as
sheetops' own (:func:`read_pending`), and repairs the rest through the usual rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from sheetops.layout import HIGHLIGHT_FILL, Cell, Style, TabLayout
from sheetops.ports import Highlight
from sheetops.sync.marks import KEEP, MARK, CellLook, plan_marks
from sheetops.values import CellValue
from sheetops.workbook import column_index, column_letter

HEADER = ("Tab", "Cell", "Original fill", "Note", "Note by sheetops")
PENDING = "Note being written"
_A1 = re.compile(r"^([A-Z]{1,3})([1-9][0-9]*)$")

Key = tuple[str, int, int]  # tab name, row, column (0-based)


@dataclass(frozen=True)
class Record:
    """A cell sheetops highlighted: what it had before, and the note sheetops wrote there."""

    tab: str
    row: int
    col: int
    original_fill: str | None  # RGB hex; None: the cell had no fill
    note: str  # the note sheetops wrote ("" if it wrote none)
    note_created: bool

    @property
    def key(self) -> Key:
        return (self.tab, self.row, self.col)


@dataclass(frozen=True)
class Look:
    """What a cell looks like now: its fill (RGB hex or None) and its note (or None)."""

    fill: str | None
    note: str | None



@dataclass(frozen=True)
class CellChange:
    """A change to one cell's fill and/or note. ``set_fill`` / ``set_note`` False: leave it."""

    tab: str
    row: int
    col: int
    set_fill: bool = False
    fill: str | None = None  # None with set_fill: remove the fill
    set_note: bool = False
    note: str | None = None  # None with set_note: remove the note


@dataclass(frozen=True)
class Plan:
    changes: tuple[CellChange, ...]
    records: tuple[Record, ...]


def same_fill(a: str | None, b: str | None) -> bool:
    return (a or "").upper() == (b or "").upper() and (a is None) == (b is None)


def plan_highlights(
    wanted: Iterable[Highlight],
    records: Iterable[Record],
    look: Callable[[str, int, int], Look | None],
) -> Plan:
    """What to change so that exactly ``wanted`` is highlighted (the rules of
    :func:`sheetops.sync.marks.plan_marks`, in fills and notes). ``look`` gives a cell's
    fill and note now, or None when its tab is gone (its record is then dropped)."""
    looks: dict[Key, Look | None] = {}

    def cell_look(tab: str, row: int, col: int) -> CellLook | None:
        now = looks[(tab, row, col)] = look(tab, row, col)
        return None if now is None else CellLook(same_fill(now.fill, HIGHLIGHT_FILL), now.note)

    plan = plan_marks(wanted, {r.key: r for r in records}, cell_look)
    changes = []
    for op in plan.ops:
        fill = HIGHLIGHT_FILL if op.fill == MARK else op.record.original_fill if op.record is not None else None
        changes.append(CellChange(*op.key, set_fill=op.fill != KEEP, fill=fill, set_note=op.set_note, note=op.note))
    kept = []
    for mark in plan.kept:
        now = looks[mark.key]
        original = mark.record.original_fill if mark.record is not None else now.fill if now is not None else None
        kept.append(Record(*mark.key, original, mark.note, mark.note_created))
    return Plan(tuple(changes), tuple(kept))


def read_records(rows: Sequence[Sequence[CellValue]]) -> list[Record]:
    """The records in the state tab's rows (row 0 is the header); unreadable rows are skipped."""
    return [record for record, _ in _read(rows)]


def read_pending(rows: Sequence[Sequence[CellValue]]) -> dict[Key, str]:
    """The note texts a write that stopped half way was about to write, by cell."""
    return {record.key: pending for record, pending in _read(rows) if pending}


def _read(rows: Sequence[Sequence[CellValue]]) -> Iterator[tuple[Record, str]]:
    for row in rows[1:]:
        cells = [*row, None, None, None, None, None, None][:6]
        tab, cell, fill, note, created, pending = cells
        if not isinstance(tab, str) or not isinstance(cell, str):
            continue
        match = _A1.match(cell.strip().upper())
        if match is None:
            continue
        fill_text = fill.strip().lstrip("#").upper() if isinstance(fill, str) else ""
        original = fill_text if re.fullmatch(r"[0-9A-F]{6}", fill_text) else None
        record = Record(
            tab,
            int(match.group(2)) - 1,
            column_index(match.group(1)),
            original,
            note if isinstance(note, str) else "",
            isinstance(created, str) and created.strip().lower() == "yes",
        )
        yield record, pending if isinstance(pending, str) else ""


def state_layout(name: str, records: Sequence[Record], pending: Mapping[Key, str] | None = None) -> TabLayout:
    """The hidden state tab holding ``records``, as text; with ``pending``, the notes a
    write is about to make (see :data:`PENDING`)."""
    header = tuple(Cell(h, Style(bold=True)) for h in (*HEADER, PENDING) if pending or h != PENDING)
    rows = [
        (
            Cell(r.tab),
            Cell(f"{column_letter(r.col)}{r.row + 1}"),
            Cell(r.original_fill or ""),
            Cell(r.note),
            Cell("yes" if r.note_created else "no"),
            *((Cell(pending.get(r.key, "")),) if pending else ()),
        )
        for r in records
    ]
    widths = (20, 8, 12, 60, 16, 60) if pending else (20, 8, 12, 60, 16)
    return TabLayout(key="state", name=name, rows=(header, *rows), widths=widths, hidden=True, owned=True)
