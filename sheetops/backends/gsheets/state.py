"""The record of what sheetops highlighted, kept in the spreadsheet, and how it changes. Pure.

A hidden tab (:data:`sheetops.backends.STATE_TAB`) holds one row per highlighted cell:
the tab, the cell, the fill the cell had before (empty: none), the note sheetops wrote and
whether sheetops created that note. :func:`plan_highlights` compares that record with
the highlights a sync wants and with what the cells look like now, and says what to
change, following the rules the .xlsx backend follows:

* a new highlight gets the light red fill; the cell's fill is remembered; its note (a
  breach has one, on one of its cells; the others get the fill only) is added only where
  the cell has none (a person's note is left as it is);
* while a breach lasts, sheetops updates its own note, or removes it from a cell that now
  gets the fill only; a note a person edited becomes theirs;
* when the breach is over, the remembered fill comes back (unless a person recoloured the
  cell meanwhile: their fill stays) and sheetops' own note goes (unless a person edited it);
* a cell a person recoloured while it was highlighted and whose breach goes on is marked
  afresh, and the person's fill is the one remembered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from sheetops.backends import Highlight
from sheetops.layout import HIGHLIGHT_FILL, Cell, Style, TabLayout
from sheetops.values import CellValue
from sheetops.workbook import column_index, column_letter

HEADER = ("Tab", "Cell", "Original fill", "Note", "Note by sheetops")
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


def _blank(note: str | None) -> bool:
    return note is None or not note.strip()


def plan_highlights(
    wanted: Iterable[Highlight],
    records: Iterable[Record],
    look: Callable[[str, int, int], Look | None],
) -> Plan:
    """What to change so that exactly ``wanted`` is highlighted. ``look`` gives a cell's
    fill and note now, or None when its tab is gone (its record is then dropped)."""
    known = {r.key: r for r in records}
    targets = {(h.tab, h.row, h.col): h for h in wanted}
    changes: list[CellChange] = []
    for key, ended in known.items():
        if key in targets:
            continue
        now = look(*key)
        if now is None:
            continue
        restore_fill = same_fill(now.fill, HIGHLIGHT_FILL)
        remove_note = ended.note_created and not _blank(now.note) and now.note == ended.note
        if restore_fill or remove_note:
            changes.append(
                CellChange(*key, set_fill=restore_fill, fill=ended.original_fill, set_note=remove_note, note=None)
            )
    kept: list[Record] = []
    for key, highlight in targets.items():
        now = look(*key)
        if now is None:
            continue
        record = known.get(key)
        change = CellChange(*key)
        if record is not None and same_fill(now.fill, HIGHLIGHT_FILL):
            original = record.original_fill
        else:  # not highlighted yet, or a person recoloured it since: mark it afresh over their fill
            original = now.fill
            change = replace(change, set_fill=True, fill=HIGHLIGHT_FILL)
        mine = False
        if record is not None and record.note_created and not _blank(now.note) and now.note == record.note:
            if _blank(highlight.note):  # a fill only now: sheetops' note goes
                change = replace(change, set_note=True, note=None)
            else:
                mine = True
                if now.note != highlight.note:
                    change = replace(change, set_note=True, note=highlight.note)
        elif _blank(now.note) and not _blank(highlight.note):
            mine = True
            change = replace(change, set_note=True, note=highlight.note)
        if change.set_fill or change.set_note:
            changes.append(change)
        kept.append(Record(*key, original, highlight.note if mine else "", mine))
    return Plan(tuple(changes), tuple(kept))


def read_records(rows: Sequence[Sequence[CellValue]]) -> list[Record]:
    """The records in the state tab's rows (row 0 is the header); unreadable rows are skipped."""
    found = []
    for row in rows[1:]:
        cells = [*row, None, None, None, None, None][:5]
        tab, cell, fill, note, created = cells
        if not isinstance(tab, str) or not isinstance(cell, str):
            continue
        match = _A1.match(cell.strip().upper())
        if match is None:
            continue
        fill_text = fill.strip().lstrip("#").upper() if isinstance(fill, str) else ""
        original = fill_text if re.fullmatch(r"[0-9A-F]{6}", fill_text) else None
        found.append(
            Record(
                tab,
                int(match.group(2)) - 1,
                column_index(match.group(1)),
                original,
                note if isinstance(note, str) else "",
                isinstance(created, str) and created.strip().lower() == "yes",
            )
        )
    return found


def state_layout(name: str, records: Sequence[Record]) -> TabLayout:
    """The hidden state tab holding ``records``, as text."""
    header = tuple(Cell(h, Style(bold=True)) for h in HEADER)
    rows = [
        (
            Cell(r.tab),
            Cell(f"{column_letter(r.col)}{r.row + 1}"),
            Cell(r.original_fill or ""),
            Cell(r.note),
            Cell("yes" if r.note_created else "no"),
        )
        for r in records
    ]
    return TabLayout(key="state", name=name, rows=(header, *rows), widths=(20, 8, 12, 60, 16), hidden=True, owned=True)
