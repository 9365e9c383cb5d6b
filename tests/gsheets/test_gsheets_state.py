"""The highlight record: what a sync changes in fills and notes, and what it remembers."""

from __future__ import annotations

from dataclasses import dataclass

from sheetops.backends import Highlight
from sheetops.backends.gsheets.state import (
    CellChange,
    Look,
    Plan,
    Record,
    plan_highlights,
    read_records,
    state_layout,
)
from sheetops.layout import HIGHLIGHT_FILL
from sheetops.values import CellValue

RED = HIGHLIGHT_FILL
TAB = "Plan-Fact"
BLUE = "9FC5E8"
GREEN = "B6D7A8"


@dataclass
class Cells:
    """The cells of a spreadsheet as a sync sees them: (tab, row, col) -> Look."""

    looks: dict[tuple[str, int, int], Look]
    tabs: tuple[str, ...] = (TAB,)

    def look(self, tab: str, row: int, col: int) -> Look | None:
        if tab not in self.tabs:
            return None
        return self.looks.get((tab, row, col), Look(None, None))


def plan(wanted: list[Highlight], records: list[Record], looks: dict[tuple[str, int, int], Look]) -> Plan:
    return plan_highlights(wanted, records, Cells(looks).look)


def test_a_new_highlight_fills_the_cell_adds_the_note_and_remembers_the_old_fill() -> None:
    result = plan([Highlight(TAB, 4, 5, "CPA above 100")], [], {(TAB, 4, 5): Look(BLUE, None)})
    assert result.changes == (CellChange(TAB, 4, 5, set_fill=True, fill=RED, set_note=True, note="CPA above 100"),)
    assert result.records == (Record(TAB, 4, 5, BLUE, "CPA above 100", True),)


def test_a_persons_note_is_left_and_none_is_added() -> None:
    result = plan([Highlight(TAB, 4, 5, "CPA above 100")], [], {(TAB, 4, 5): Look(None, "checked with Anna")})
    assert result.changes == (CellChange(TAB, 4, 5, set_fill=True, fill=RED),)
    assert result.records == (Record(TAB, 4, 5, None, "", False),)


def test_an_ongoing_breach_updates_only_sheetops_own_note() -> None:
    record = Record(TAB, 4, 5, None, "CPA 120 above 100", True)
    result = plan([Highlight(TAB, 4, 5, "CPA 130 above 100")], [record], {(TAB, 4, 5): Look(RED, "CPA 120 above 100")})
    assert result.changes == (CellChange(TAB, 4, 5, set_note=True, note="CPA 130 above 100"),)
    assert result.records == (Record(TAB, 4, 5, None, "CPA 130 above 100", True),)


def test_an_unchanged_breach_changes_nothing() -> None:
    record = Record(TAB, 4, 5, BLUE, "CPA above 100", True)
    result = plan([Highlight(TAB, 4, 5, "CPA above 100")], [record], {(TAB, 4, 5): Look(RED, "CPA above 100")})
    assert result.changes == ()
    assert result.records == (record,)


def test_a_note_a_person_edited_becomes_theirs() -> None:
    record = Record(TAB, 4, 5, None, "CPA above 100", True)
    result = plan([Highlight(TAB, 4, 5, "CPA above 100")], [record], {(TAB, 4, 5): Look(RED, "known, pausing Monday")})
    assert result.changes == ()
    assert result.records == (Record(TAB, 4, 5, None, "", False),)


def test_the_end_of_a_breach_restores_the_fill_and_removes_sheetops_note() -> None:
    record = Record(TAB, 4, 5, BLUE, "CPA above 100", True)
    result = plan([], [record], {(TAB, 4, 5): Look(RED, "CPA above 100")})
    assert result.changes == (CellChange(TAB, 4, 5, set_fill=True, fill=BLUE, set_note=True, note=None),)
    assert result.records == ()


def test_the_end_of_a_breach_removes_a_fill_the_cell_did_not_have() -> None:
    record = Record(TAB, 4, 5, None, "", False)
    result = plan([], [record], {(TAB, 4, 5): Look(RED, "a person's note")})
    assert result.changes == (CellChange(TAB, 4, 5, set_fill=True, fill=None),)


def test_a_fill_a_person_changed_while_highlighted_stays_when_the_breach_is_over() -> None:
    record = Record(TAB, 4, 5, None, "CPA above 100", True)
    result = plan([], [record], {(TAB, 4, 5): Look(GREEN, "CPA above 100")})
    assert result.changes == (CellChange(TAB, 4, 5, set_note=True, note=None),)
    assert result.records == ()


def test_a_cell_recoloured_while_the_breach_goes_on_is_marked_afresh_over_the_new_fill() -> None:
    record = Record(TAB, 4, 5, None, "CPA above 100", True)
    result = plan([Highlight(TAB, 4, 5, "CPA above 100")], [record], {(TAB, 4, 5): Look(GREEN, "CPA above 100")})
    assert result.changes == (CellChange(TAB, 4, 5, set_fill=True, fill=RED),)
    assert result.records == (Record(TAB, 4, 5, GREEN, "CPA above 100", True),)


def test_a_note_that_only_reads_like_sheetops_own_is_a_persons() -> None:
    result = plan([Highlight(TAB, 4, 5, "CPA above 100")], [], {(TAB, 4, 5): Look(None, "CPA above 100")})
    assert result.records == (Record(TAB, 4, 5, None, "", False),)


def test_records_of_a_removed_tab_are_dropped() -> None:
    record = Record("Old tab", 1, 1, None, "x", True)
    result = plan([Highlight("Old tab", 1, 1, "x")], [record], {})
    assert result == Plan((), ())


def test_records_round_trip_through_the_state_tab() -> None:
    records = [Record(TAB, 4, 5, BLUE, "CPA above 100", True), Record("По дням", 99, 27, None, "", False)]
    layout = state_layout("sheetops_state", records)
    assert layout.hidden and layout.owned
    rows = [[cell.value for cell in row] for row in layout.rows]
    assert rows[1] == [TAB, "F5", BLUE, "CPA above 100", "yes"]
    assert read_records([[v if v != "" else None for v in row] for row in rows]) == records


def test_unreadable_state_rows_are_skipped() -> None:
    rows: list[list[CellValue]] = [
        ["Tab", "Cell"], [TAB, "not a cell"], [None, "A1"], [TAB, "B2", "nonsense", None, "no"]
    ]
    assert read_records(rows) == [Record(TAB, 1, 1, None, "", False)]
