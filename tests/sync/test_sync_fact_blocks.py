"""The fast ways of reading the fact tabs give what reading every row, one by one, gives.

Plan-Fact and Daily are read a block of rows at a time: a block whose cells are all as
expected is taken whole, any other block row by row. Daily's week sums are taken column by
column for a channel typed by date (or newest first), and a day rule on a Daily figure
finds its run a column at a time. Each test here builds a workbook with the cases that
send those paths one way or the other, and compares with the rows read one by one, or with
the sums and runs worked out here the plain way.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields, replace
from functools import reduce
from operator import add
from typing import Any

import pytest
from sync_workbooks import FRIDAY, MONDAY, Book, Row, week_row

from sheetops.sync import facts as facts_module
from sheetops.sync import rules as rules_module
from sheetops.sync.engine import Analysis, analyze
from sheetops.sync.facts import DAILY_KEYS, FACT_KEYS, Facts, PeriodFact
from sheetops.sync.kpis import metric_value
from sheetops.sync.period import week_start
from sheetops.sync.rules import Point, streak
from sheetops.workbook import Columns, WorkbookData

EPOCH = dt.date(1899, 12, 30)


@contextmanager
def row_by_row(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every block of both fact tabs read row by row, through every check."""
    with monkeypatch.context() as patch:
        patch.setattr(facts_module._FactReader, "_plan_fact_block", lambda *args: False)
        patch.setattr(facts_module._FactReader, "_daily_block", lambda *args: False)
        yield


def taken_whole(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each block read was taken whole (filled in as the tabs are read)."""
    found: list[bool] = []
    for name in ("_plan_fact_block", "_daily_block"):
        read = getattr(facts_module._FactReader, name)

        def spy(*args: Any, read: Any = read) -> bool:
            whole: bool = read(*args)
            found.append(whole)
            return whole

        monkeypatch.setattr(facts_module._FactReader, name, spy)
    return found


def by_column(data: WorkbookData) -> WorkbookData:
    """The same workbook with its fact tabs kept by column, as a big tab is read."""
    kept = {"Plan-Fact", "Daily"}
    return replace(data, sheets=tuple(replace(s, rows=Columns.of_rows(s.rows)) if s.name in kept else s
                                      for s in data.sheets))


def facts_said(facts: Facts) -> dict[str, Any]:
    """Everything the facts say, to compare two readings (floats by repr: -0.0 is not 0.0)."""
    weeks = {
        key: (repr(dict(week.values)), repr(dict(week.plan)), week.conclusion, week.action, sorted(week.from_daily),
              week.has_data, week.fact_source, [week.cells(k) for k in FACT_KEYS])
        for key, week in facts.weeks.items()
    }
    days = {channel: repr(dict(table)) for channel, table in facts.days.items()}
    return {"weeks": weeks, "days": days, "issues": facts.issues, "rows_read": facts.rows_read,
            "index": {c: list(m) for c, m in facts._week_index.items() if m}}


def assert_same(fast: Analysis, slow: Analysis) -> None:
    assert fast.issues == slow.issues
    assert facts_said(fast.facts) == facts_said(slow.facts)
    assert repr(fast.channels) == repr(slow.channels) and repr(fast.totals) == repr(slow.totals)
    assert [(b.rule.name, b.channel.name, b.starts, b.values) for b in fast.breaches] == [
        (b.rule.name, b.channel.name, b.starts, b.values) for b in slow.breaches]


CHANNELS = ("Search ads", "Social ads", "Blog")


def plan_fact_rows(weeks: int, first: dt.date = MONDAY) -> list[Row]:
    """A Plan-Fact row per channel and week, oldest first: plans in all, facts in some."""
    rows = []
    for w in range(weeks):
        monday = first - dt.timedelta(weeks=weeks - 1 - w)
        for c, channel in enumerate(CHANNELS):
            row = week_row(channel, monday, spend_plan=1000.0 + c, leads_plan=40.0, orders_plan=10.0 + w % 3,
                           revenue_plan=6000.0)
            if (w + c) % 4 == 0:
                row.update(spend=100.0 + w % 89 + 0.01 * c, leads=float(w % 7), orders=float(w % 3),
                           revenue=(w % 13) * 10.5, traffic=float(w * 3 % 1000))
            if w % 5 == 0:
                row.update(conclusion=f"  Week {w} ", action="Keep" if c else None)
            rows.append(row)
    return rows


def test_plan_fact_blocks_taken_whole_or_row_by_row_read_as_every_row(book: Book,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A block of good rows is taken whole; a block with a bad cell, a week typed twice, a
    text number, a blank row or a date that is no Monday is read row by row, with the same
    issues at the same cells, and the same weeks, as every row read one by one."""
    rows = plan_fact_rows(2100)  # 6,300 rows: a block of 4,096 and a second one
    rows[100] = {**rows[100], "spend": "1,500"}  # a text number: read, but row by row
    rows[5000] = {**rows[5000], "leads": "oops"}
    rows[5001] = {**rows[5001], "week": rows[5001]["week"] + dt.timedelta(days=2)}  # a Wednesday
    rows[5002] = {**rows[5002], "channel": "Nobody"}
    rows[5003] = {**rows[5003], "week": dt.datetime.combine(rows[5003]["week"], dt.time())}
    rows[5004] = {**rows[5004], "spend": -1.0}
    rows.insert(5010, {})  # a blank row
    rows.insert(5011, {"conclusion": "a note under the table"})  # no week, no channel
    rows.append(dict(rows[10]))  # a week typed twice: the first row (in the first block) is kept
    rows.append(dict(rows[-1]))  # and once more
    book.plan_fact = rows
    whole = taken_whole(monkeypatch)
    fast = book.analyze()
    assert whole[0] is False and whole[1] is False  # the first block (a text number), the second
    monkeypatch.undo()
    with row_by_row(monkeypatch):
        slow = book.analyze()
    assert_same(fast, slow)
    assert len(fast.issues) == 8 and fast.facts.rows_read == len(rows) - 1

    del rows[100]  # the first block is now good: taken whole
    book.plan_fact = rows
    whole = taken_whole(monkeypatch)
    fast = book.analyze()
    assert whole[:2] == [True, False]
    monkeypatch.undo()
    with row_by_row(monkeypatch):
        slow = book.analyze()
    assert_same(fast, slow)


def test_plan_fact_weeks_as_day_numbers_and_kept_by_column_read_as_dates(book: Book,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Google Sheets gives weeks as day numbers: a block of them (Mondays, whole) is taken
    whole; a day number that is no Monday, or not whole, sends its block row by row."""
    rows = plan_fact_rows(1500)
    book.plan_fact = rows
    with_dates = book.analyze()
    book.plan_fact = [{**row, "week": float((row["week"] - EPOCH).days)} for row in rows]
    whole = taken_whole(monkeypatch)
    with_numbers = analyze(by_column(book.data()), book.template, FRIDAY)
    assert whole[:2] == [True, True]
    assert_same(with_numbers, with_dates)

    book.plan_fact[4200] = {**book.plan_fact[4200], "week": book.plan_fact[4200]["week"] + 0.5}
    book.plan_fact[4201] = {**book.plan_fact[4201], "week": book.plan_fact[4201]["week"] + 1}
    monkeypatch.undo()
    fast = analyze(by_column(book.data()), book.template, FRIDAY)
    with row_by_row(monkeypatch):
        slow = analyze(by_column(book.data()), book.template, FRIDAY)
    assert_same(fast, slow)
    assert [i.cell for i in fast.issues] == ["Plan-Fact!A4202", "Plan-Fact!A4203"]


def daily_rows(days: int, *, newest_first: bool = False, skip: frozenset[int] = frozenset()) -> list[Row]:
    """Daily rows for every channel every day (but the days in ``skip``), each day's in the
    same channel order; figures that do not add up exactly in floats, emails on some days."""
    rows = []
    for d in range(days):
        if d in skip:
            continue
        day = FRIDAY - dt.timedelta(days=days - 1 - d)
        for c, channel in enumerate(CHANNELS):
            row: Row = {"date": day, "channel": channel, "spend": 0.1 * (d % 17) + 0.7 * c, "leads": float(d % 5),
                        "orders": float(d % 2), "revenue": 0.3 * (d % 11)}
            if d % 9 == 0:
                row["traffic"] = float(d)
            if channel == "Blog" and d % 10 < 3:
                row["emails_sent"] = 1000.0 + d
            rows.append(row)
    return rows[::-1] if newest_first else rows


def summed_plainly(rows: list[Row]) -> dict[tuple[str, dt.date], dict[str, float | None]]:
    """Each channel's week sums, worked out the plain way: every row in sheet order, one by
    one (the first row of a channel and day kept)."""
    seen: set[tuple[str, dt.date]] = set()
    found: dict[tuple[str, dt.date], dict[str, float | None]] = {}
    for row in rows:
        if (row["channel"], row["date"]) in seen:
            continue
        seen.add((row["channel"], row["date"]))
        week = found.setdefault((row["channel"], week_start(row["date"])), dict.fromkeys(DAILY_KEYS))
        for key in DAILY_KEYS:
            if row.get(key) is not None:
                week[key] = row[key] if week[key] is None else reduce(add, [week[key], row[key]])
    return found


@pytest.mark.parametrize("newest_first", [False, True])
@pytest.mark.parametrize("skip", [frozenset(), frozenset({3, 4, 5, 6, 7, 8, 9, 10, 11, 40})])
def test_daily_week_sums_column_by_column_are_the_sums_in_sheet_order(
    book: Book, monkeypatch: pytest.MonkeyPatch, newest_first: bool, skip: frozenset[int]
) -> None:
    """Typed by date or newest first, with days (and a whole week) missing, and a column
    filled on some days only: each week's sum is its figures added in sheet order; a week
    whose figures of a column are all empty has none (None); a week without rows is none."""
    rows = daily_rows(200, newest_first=newest_first, skip=skip)
    rows[7] = {**rows[7], "spend": -0.0}
    book.daily = rows
    whole = taken_whole(monkeypatch)
    fast = book.analyze()
    assert whole and all(whole[1:])  # Plan-Fact is empty; every Daily block taken whole
    expected = summed_plainly(rows)
    for (channel, monday), sums in expected.items():
        week = fast.facts.week(channel, monday)
        assert week is not None
        assert repr({k: week.values[k] for k in DAILY_KEYS}) == repr(sums)
        sheet_rows = sorted(i + 1 for i, r in enumerate(rows)
                            if r["channel"] == channel and week_start(r["date"]) == monday)
        assert week.cells("spend") == tuple(("Daily", r, 2) for r in sheet_rows)
    assert {k for k, w in fast.facts.weeks.items() if w.has_data} == set(expected)
    monkeypatch.undo()
    with row_by_row(monkeypatch):
        assert_same(fast, book.analyze())


def test_daily_rows_out_of_order_twice_or_bad_read_as_every_row(book: Book, monkeypatch: pytest.MonkeyPatch) -> None:
    """A channel typed out of date order, a day typed twice, a bad figure, a day number and
    the channels in another order on some days: the same facts and issues as row by row."""
    rows = daily_rows(1500)  # 4,500 rows: two blocks
    rows[30], rows[31] = rows[31], rows[30]  # the channels in another order that day
    rows[60], rows[3] = rows[3], rows[60]  # Search ads out of date order
    rows.append(dict(rows[4400]))  # a day typed twice
    rows[4000] = {**rows[4000], "spend": "oops"}
    expected = summed_plainly([r for i, r in enumerate(rows) if i != 4000])
    rows[4001] = {**rows[4001], "date": float((rows[4001]["date"] - EPOCH).days)}
    rows.insert(2000, {})
    book.daily = rows
    fast = book.analyze()
    for (channel, monday), sums in expected.items():
        week = fast.facts.week(channel, monday)
        assert week is not None and repr({k: week.values[k] for k in DAILY_KEYS}) == repr(sums)
    with row_by_row(monkeypatch):
        assert_same(fast, book.analyze())
    assert [i.cell for i in fast.issues] == ["Daily!C4003", "Daily!B4503"]


def test_a_daily_tab_kept_by_column_reads_as_its_rows_when_the_header_row_is_apart(book: Book) -> None:
    """A tab read as rows is put by column a block at a time: the same facts as a tab kept
    by column from the start."""
    book.daily = daily_rows(1500, newest_first=True)
    book.plan_fact = plan_fact_rows(300)
    assert_same(analyze(book.data(), book.template, FRIDAY), analyze(by_column(book.data()), book.template, FRIDAY))


@pytest.mark.parametrize("condition", [">", ">=", "<", "<="])
def test_a_day_rule_on_a_figure_is_judged_as_day_by_day(book: Book, condition: str) -> None:
    """Spend equal to the threshold to nine digits, just above or below it, empty, or below
    the Min spend ends (or, for >= and <=, continues) a run as judging every day would."""
    threshold, min_spend = 100.0, 50.0
    spends: list[float | None] = []
    for d in range(400):
        kinds = [threshold * 2, threshold * (1 + 1e-10), threshold * (1 - 1e-10), threshold, threshold / 2,
                 min_spend * (1 - 1e-10), min_spend / 2, None, threshold * (1 + 1e-8), 0.0]
        ordinary = 75.0 if condition[0] == "<" else 300.0  # meets the condition and the Min spend
        spends.append(kinds[d % len(kinds)] if d % 7 in (0, 3) else ordinary)
    book.daily = [{"date": FRIDAY - dt.timedelta(days=399 - d), "channel": channel, "spend": spend, "leads": 1.0,
                   "orders": 1.0, "revenue": 1.0}
                  for d, spend in enumerate(spends) for channel in ("Search ads", "Blog")[: 1 + d % 2]]
    book.rules = [{"rule": "Spend", "channel": "*", "metric": "Spend", "condition": condition,
                   "threshold": threshold, "periods_in_a_row": 1, "period": "Day", "action": "Stop",
                   "min_spend": min_spend, "enabled": "Yes"}]
    analysis = book.analyze()
    (rule,) = analysis.inputs.rules
    runs = 0
    for back in range(40):
        as_of = FRIDAY - dt.timedelta(days=back)
        facts = analysis.facts.up_to(as_of)
        for channel in ("Search ads", "Blog"):
            last = facts.last_with_data(channel, "day", as_of)
            assert last is not None
            starts, values = rules_module._day_streak(rule, facts.days[channel], last, threshold, 0.5)
            expected = day_by_day(facts, channel, as_of, condition, threshold, min_spend)
            assert (tuple(starts), tuple(values)) == expected  # oldest first
            runs += len(starts) > 1
    assert runs > 10


def day_by_day(facts: Facts, channel: str, as_of: dt.date, condition: str, threshold: float,
               min_spend: float) -> tuple[tuple[dt.date, ...], tuple[float, ...]]:
    """A day rule's run on Spend worked out by :func:`streak`, the way week rules are."""
    last = facts.last_with_data(channel, "day", as_of)

    def points() -> Iterator[Point]:
        day = last
        while day is not None and (fact := facts.day(channel, day)) is not None and fact.has_data:
            yield Point(day, metric_value("spend", fact.values, 0.5), fact.values.get("spend"))
            day -= dt.timedelta(days=1)

    run = streak(points(), period="day", condition=condition, threshold=threshold, min_spend=min_spend)
    return tuple(p.start for p in reversed(run)), tuple(p.value for p in reversed(run) if p.value is not None)


def test_negative_zero_and_enormous_figures_are_read_row_by_row(book: Book, monkeypatch: pytest.MonkeyPatch) -> None:
    """-0.0 and a figure above 2**1009 are plain figures, but their blocks are read row by
    row (their top byte says "maybe not"): the same facts, -0.0 kept as it was typed."""
    rows = daily_rows(50)
    rows[0] = {**rows[0], "spend": -0.0}
    rows[1] = {**rows[1], "revenue": 1e305}
    book.daily = rows
    whole = taken_whole(monkeypatch)
    fast = book.analyze()
    assert whole[-1] is False
    monkeypatch.undo()
    with row_by_row(monkeypatch):
        assert_same(fast, book.analyze())
    day = fast.facts.day(rows[0]["channel"], rows[0]["date"])
    spend = day.values["spend"] if day is not None else None
    assert spend is not None and math.copysign(1.0, spend) == -1.0


def test_a_week_made_without_its_init_is_the_week_its_init_makes() -> None:
    """Weeks are made in bulk without PeriodFact's __init__: the same fields, the same object."""
    assert tuple(f.name for f in fields(PeriodFact)) == facts_module._WEEK_FIELDS
    tab = facts_module.FactTab("daily", "Daily", {"spend": 2})
    sources = facts_module._Sources(tab, [3, 4])
    args: tuple[Any, ...] = ("Blog", MONDAY, {"spend": 1.0}, sources, {"spend": 2.0}, "so", "do", frozenset({"spend"}))
    made, expected = facts_module._week(*args), PeriodFact(args[0], "week", *args[1:])
    assert made == expected and repr(made) == repr(expected) and hash(made) == hash(expected)
    assert made.cells("spend") == (("Daily", 3, 2), ("Daily", 4, 2)) and made.fact_source == "daily"
    with pytest.raises(AttributeError):
        made.channel = "PR"  # type: ignore[misc]
