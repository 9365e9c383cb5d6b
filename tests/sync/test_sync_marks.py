"""The highlight planner every backend follows: a record and the cells as they are -> cell operations."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sheetops.ports import Highlight
from sheetops.sync.marks import KEEP, MARK, RESTORE, CellLook, Kept, MarkOp, plan_marks

TAB = "Plan-Fact"
KEY = (TAB, 4, 5)


@dataclass(frozen=True)
class Mark:
    note: str = ""
    note_created: bool = False


MINE = Mark("CPA 120 above 100", True)

CASES = [
    # (what the sync wants, the record, the cell now) -> (its operation, what stays marked)
    pytest.param("CPA 120 above 100", None, CellLook(False, None),
                 MarkOp(KEY, MARK, True, "CPA 120 above 100"), ("CPA 120 above 100", True, None), id="new"),
    pytest.param("CPA 120 above 100", None, CellLook(False, "checked with Anna"),
                 MarkOp(KEY, MARK), ("", False, None), id="a persons note stays"),
    pytest.param("CPA 130 above 100", MINE, CellLook(True, "CPA 120 above 100"),
                 MarkOp(KEY, KEEP, True, "CPA 130 above 100", MINE), ("CPA 130 above 100", True, MINE),
                 id="own note updated"),
    pytest.param("", MINE, CellLook(True, "CPA 120 above 100"),
                 MarkOp(KEY, KEEP, True, None, MINE), ("", False, MINE), id="fill only now: own note goes"),
    pytest.param("CPA 120 above 100", MINE, CellLook(True, "CPA 120 above 100 (Anna: ok)"),
                 None, ("", False, MINE), id="an edited note is the persons"),
    pytest.param("CPA 120 above 100", MINE, CellLook(False, "CPA 120 above 100"),
                 MarkOp(KEY, MARK, False, None, MINE), ("CPA 120 above 100", True, None), id="recoloured: afresh"),
    pytest.param(None, MINE, CellLook(True, "CPA 120 above 100"),
                 MarkOp(KEY, RESTORE, True, None, MINE), None, id="ended"),
    pytest.param(None, MINE, CellLook(False, "CPA 120 above 100 (Anna: ok)"),
                 None, None, id="ended, recoloured and note edited: all the persons"),
]


@pytest.mark.parametrize(("note", "record", "look", "op", "kept"), CASES)
def test_one_cell(note: str | None, record: Mark | None, look: CellLook, op: MarkOp[Mark] | None,
                  kept: tuple[str, bool, Mark | None] | None) -> None:
    wanted = [] if note is None else [Highlight(*KEY, note)]
    plan = plan_marks(wanted, {} if record is None else {KEY: record}, lambda *key: look)
    assert plan.ops == (() if op is None else (op,))
    assert plan.kept == (() if kept is None else (Kept(KEY, wanted[0], kept[2], kept[0], kept[1]),))


def test_a_cell_on_a_tab_that_is_gone_is_neither_marked_nor_remembered() -> None:
    plan = plan_marks([Highlight(*KEY, "x")], {("Old", 1, 1): MINE}, lambda *key: None)
    assert plan.ops == () and plan.kept == ()
