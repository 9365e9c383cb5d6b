"""The sync scenarios of the in-memory backend, through live Excel as well: the same report,
the same marks, read back from the cells through xlwings (over the in-memory Excel)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sync_workbooks import CPA_RULE, MONDAY, ROMI_RULE, UNSUBSCRIBE_RULE, Book, daily_run, week_row

from sheetops.backends.excel import ExcelBackend
from sheetops.layout import HIGHLIGHT_FILL
from sheetops.ports import Backend
from sheetops.sync.engine import run_sync
from sheetops.sync.report import SyncReport
from sheetops.workbook import WorkbookData

D = [MONDAY + dt.timedelta(days=i) for i in range(7)]
FRIDAY = dt.date(2026, 11, 27)
WHEN = dt.datetime(2026, 11, 27, 18, 3, 11)
DURATION = 5  # the Sync Log's Duration column


def cpa_and_unsubscribes(book: Book) -> None:
    book.rules = [dict(CPA_RULE), dict(UNSUBSCRIBE_RULE)]
    book.plan_fact = [week_row("Search ads", spend_plan=1000, spend=900, leads=40, orders=8, revenue=5000),
                      week_row("E-mail", spend=50, orders=3, revenue=900, emails_sent=1000, unsubscribes=25)]
    book.daily = daily_run("Social ads", D[2], spend=[300] * 3, orders=[1] * 3, leads=[9] * 3, revenue=[0] * 3)


def romi_two_weeks(book: Book) -> None:
    book.rules = [dict(ROMI_RULE)]
    book.plan_fact = [week_row("Search ads", MONDAY - dt.timedelta(days=7), spend=900, revenue=100),
                      week_row("Search ads", spend=900, revenue=100)]


def no_rules(book: Book) -> None:
    book.plan_fact = [week_row("Blog", spend=100, leads=4)]


def a_breach_with_issues(book: Book) -> None:
    cpa_and_unsubscribes(book)
    book.daily += [{"date": "someday", "channel": "Social ads", "spend": "a lot"}]


SCENARIOS: list[Callable[[Book], None]] = [cpa_and_unsubscribes, romi_two_weeks, no_rules, a_breach_with_issues]


def in_excel(data: WorkbookData) -> Any:
    """The workbook's values typed into a new (in-memory) Excel workbook."""
    from sheetops.testing import xlwings_memory

    book = xlwings_memory.new_book()
    first = book.sheets[0]
    for sheet in data.sheets:
        target = book.sheets.add(name=sheet.name, after=book.sheets[len(book.sheets) - 1])
        if sheet.rows:
            width = max(len(r) for r in sheet.rows)
            target.range("A1").value = [[*r, *[None] * (width - len(r))] for r in sheet.rows]
    first.delete()
    return book


def sync(backend: Backend, book: Book) -> SyncReport:
    return run_sync(backend, book.template, as_of=FRIDAY, now=lambda: WHEN)


def comparable(report: SyncReport) -> dict[str, Any]:
    found = report.as_dict()
    del found["source"]
    return found


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
def test_a_scenario_gives_the_same_report_and_marks_through_excel(
    excel: Any, tmp_path: Path, book: Book, scenario: Callable[[Book], None]
) -> None:
    scenario(book)
    workbook = in_excel(book.data())
    through_excel = sync(ExcelBackend(tmp_path / "marketing.xlsx", lambda: workbook), book)
    in_memory = book.backend()
    through_memory = sync(in_memory, book)
    assert comparable(through_excel) == comparable(through_memory)
    assert bool(through_excel.changes.highlights) is (scenario is not no_rules)
    assert bool(through_excel.issues) is (scenario is a_breach_with_issues)
    assert through_excel.changes == dataclasses.replace(through_memory.changes, log_row=through_excel.changes.log_row)
    for highlight in through_excel.changes.highlights:
        cell = workbook.sheets[highlight.tab].range((highlight.row + 1, highlight.col + 1))
        assert "{:02X}{:02X}{:02X}".format(*cell.color) == HIGHLIGHT_FILL
        assert (cell.note.text if cell.note is not None else "") == highlight.note
    # what the memory backend keeps of the write (values) is what Excel shows
    for sheet in in_memory.data.sheets:
        shown = workbook.sheets[sheet.name].used_range.options(ndim=2).value
        expected = [list(row) for row in sheet.rows]
        if sheet.name == "Sync Log":  # each run's own duration
            shown, expected = ([r[:DURATION] + r[DURATION + 1:] for r in rows] for rows in (shown, expected))
        assert _trimmed(shown) == _trimmed(expected), sheet.name


def _trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows without their empty ends; dates as Excel shows them."""
    out = []
    for row in rows:
        values = [dt.datetime(v.year, v.month, v.day) if isinstance(v, dt.date) and not isinstance(v, dt.datetime)
                  else float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in row]
        while values and values[-1] in (None, ""):
            values.pop()
        out.append(values)
    while out and not out[-1]:
        out.pop()
    return out
