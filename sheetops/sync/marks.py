"""The rules for highlights, planned once for every backend. Pure.

A backend keeps a record of the cells it marked (the hidden tab
:data:`~sheetops.ports.STATE_TAB`). :func:`plan_marks` compares that record with the
highlights a sync wants and with what the cells look like now, and says what to change:

* a new highlight gets the light red fill, and the cell's fill from before is remembered;
  its note (a breach has one, on one of its cells; the others get the fill only) is added
  only where the cell has none (a person's note is left as it is);
* while a breach lasts, sheetops updates its own note, or removes it from a cell that now
  gets the fill only; a note a person edited becomes theirs;
* when the breach is over, the remembered fill comes back (unless a person recoloured the
  cell meanwhile: their fill stays) and sheetops' own note goes (unless a person edited it);
* a cell a person recoloured while it was highlighted and whose breach goes on is marked
  afresh, and the person's fill is the one remembered.

The planner knows neither styles nor requests: an adapter reports each cell as a
:class:`CellLook`, applies the :class:`MarkOp` list in its own way (one pass over a
sheet's XML, one batchUpdate, Range calls), and writes its record from
:attr:`MarkPlan.kept`. A record is the adapter's own type; the planner reads only its
note (:class:`Recorded`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, NamedTuple, Protocol, TypeVar

from sheetops.ports import Highlight

Key = tuple[str, int, int]  # tab name, row, column (0-based)


class Recorded(Protocol):
    """What the planner reads of a backend's record of one marked cell."""

    @property
    def note(self) -> str:
        """The note sheetops wrote there ("" if none)."""
        ...

    @property
    def note_created(self) -> bool:
        """Whether sheetops made that note (False: a person's note was already there)."""
        ...


R = TypeVar("R", bound=Recorded)


class CellLook(NamedTuple):
    """What a cell looks like now: whether it shows sheetops' fill, and its note (or None)."""

    marked: bool
    note: str | None


# What a MarkOp does to a cell's fill.
MARK = "mark"  # the light red fill, over whatever the cell has (its fill is remembered)
RESTORE = "restore"  # the fill the record remembers
KEEP = ""  # leave the fill as it is


# The plan's values are made by the ten thousand for a long streak: slotted and plain
# (nothing changes one once made), which makes them about four times quicker to make.


@dataclass(slots=True)
class MarkOp(Generic[R]):
    """A change to one cell: its fill (:data:`MARK`, :data:`RESTORE`, :data:`KEEP`) and its
    note (``set_note`` False: leave it; ``note`` None: remove it)."""

    key: Key
    fill: str = KEEP
    set_note: bool = False
    note: str | None = None
    record: R | None = None  # the cell's record (what RESTORE gives back)


@dataclass(slots=True)
class Kept(Generic[R]):
    """A cell that stays marked after the write, and what its record should say.

    ``record`` is its record when the mark stays as it was (the fill it remembers is still
    the right one); None when the cell is marked afresh (remember its fill from now).
    """

    key: Key
    highlight: Highlight
    record: R | None
    note: str  # the note sheetops leaves there ("" if none of its own)
    note_created: bool


@dataclass(frozen=True)
class MarkPlan(Generic[R]):
    """The cell operations, in order (ended marks first), and the marks that stay."""

    ops: tuple[MarkOp[R], ...]
    kept: tuple[Kept[R], ...]


def blank(note: str | None) -> bool:
    return note is None or not note.strip()


def plan_marks(
    wanted: Iterable[Highlight],
    records: Mapping[Key, R],
    look: Callable[[str, int, int], CellLook | None],
) -> MarkPlan[R]:
    """What to change so that exactly ``wanted`` is highlighted. ``records`` are the
    backend's by cell; ``look`` gives a cell as it is now, or None when its tab (or the
    cell) is gone: a record of it is then dropped, a highlight of it skipped."""
    targets = {(h.tab, h.row, h.col): h for h in wanted}
    ops: list[MarkOp[R]] = []
    for key, ended in records.items():
        if key in targets:
            continue
        now = look(*key)
        if now is None:
            continue
        remove_note = ended.note_created and not blank(now.note) and now.note == ended.note
        if now.marked or remove_note:
            ops.append(MarkOp(key, RESTORE if now.marked else KEEP, remove_note, None, ended))
    kept: list[Kept[R]] = []
    for key, highlight in targets.items():
        now = look(*key)
        if now is None:
            continue
        record = records.get(key)
        fill = KEEP
        if record is None or not now.marked:  # not marked yet, or a person recoloured it since
            fill, record = MARK, None
        set_note, note, mine = False, None, False
        previous = records.get(key)
        if previous is not None and previous.note_created and not blank(now.note) and now.note == previous.note:
            if blank(highlight.note):  # a fill only now: sheetops' note goes
                set_note = True
            else:
                mine = True
                if now.note != highlight.note:
                    set_note, note = True, highlight.note
        elif blank(now.note) and not blank(highlight.note):
            mine, set_note, note = True, True, highlight.note
        if fill or set_note:
            ops.append(MarkOp(key, fill, set_note, note, previous))
        kept.append(Kept(key, highlight, record, highlight.note if mine else "", mine))
    return MarkPlan(tuple(ops), tuple(kept))
