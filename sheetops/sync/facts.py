"""Plan-Fact and Daily rows -> the facts of each channel and period, with an issue per bad cell.

Pure: it reads a :class:`~sheetops.workbook.BoundWorkbook` (values already in memory) and
returns :class:`Facts`. Every figure remembers the cells it came from (a :class:`Source`),
because a breach is marked in the very cells its numbers were typed in.

* The facts of a **week** are the channel's Plan-Fact row; a fact cell left empty there is
  taken from the sum of that channel's Daily rows in that week, when there are any. A week
  with Daily rows and no Plan-Fact row still has facts.
* The facts of a **day** are the channel's Daily row for that date.
* A row with a cell that cannot be read (text in a number column, a negative figure, a
  Week that is not a Monday, a channel missing from Channels, an error value such as
  ``#DIV/0!``, a second row for the same period and channel) is left out; each such cell
  becomes an issue with its address. The rest is read on.

Daily can hold years of data for many channels, and Plan-Fact a row per channel and week
of them, so both are read a block of rows at a time from their columns: a block whose
cells are all as expected is taken whole, any other row by row through the checks that
report the issues. Each channel's Daily rows are then summed into weeks a column at a
time, in sheet order, one by one; the results are those of reading every row alone.
"""

from __future__ import annotations

import bisect
import datetime as dt
import sys
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, partial, reduce
from itertools import islice, repeat
from operator import add, eq, ge, gt, lt
from typing import Literal, NamedTuple, TypeVar

from sheetops.messages import message
from sheetops.sync.period import week_start
from sheetops.tables import Channel, Inputs, tab_name
from sheetops.templates import normalize
from sheetops.values import (
    EXCEL_EPOCH,
    MAX_SERIAL,
    MIN_SERIAL,
    CellError,
    CellValue,
    UncomputedFormula,
    ValueProblem,
    parse_amount,
    parse_date,
    printable,
    show_date,
    uncomputed,
    weekday_name,
)
from sheetops.workbook import (
    DAY,
    EMPTY,
    NUMBER,
    TEXT,
    BoundTab,
    BoundWorkbook,
    Columns,
    Finding,
    ValueColumn,
    column_letter,
)

Period = Literal["day", "week"]
FactSource = Literal["plan_fact", "daily", "mixed"]

# The fact components of a period, in the order of the JSON contract.
FACT_KEYS: tuple[str, ...] = (
    "spend",
    "leads",
    "orders",
    "revenue",
    "traffic",
    "new_customers",
    "repeat_orders",
    "emails_sent",
    "unsubscribes",
)
# The components that have a weekly plan in Plan-Fact (column ``<key>_plan``).
PLAN_KEYS: tuple[str, ...] = ("spend", "leads", "orders", "revenue")
# The fact components a Daily row can hold (the Daily tab has no new or repeat customers).
DAILY_KEYS: tuple[str, ...] = ("spend", "leads", "orders", "revenue", "traffic", "emails_sent", "unsubscribes")

_EMPTY: Mapping[str, float | None] = {}
_Item = TypeVar("_Item", int, float)


@dataclass(frozen=True)
class FactTab:
    """An input tab as found in the workbook: its key, its name there, each column's index."""

    key: str  # "plan_fact" or "daily"
    name: str
    columns: Mapping[str, int] = field(hash=False)


@dataclass(frozen=True)
class Source:
    """The cells a figure came from: one Plan-Fact row, or the Daily rows summed for it."""

    tab: FactTab
    rows: tuple[int, ...]  # 0-based sheet rows

    def cells(self, component: str) -> tuple[tuple[str, int, int], ...]:
        """(tab name, row, col) of the component's cell in each row; () if the tab lacks it."""
        col = self.tab.columns.get(component)
        if col is None:
            return ()
        return tuple((self.tab.name, row, col) for row in self.rows)


@dataclass(frozen=True)
class PeriodFact:
    """The facts (and, for a week, the plan) of one channel in one day or week."""

    channel: str  # the channel's name as in Channels
    period: Period
    start: dt.date  # the day, or the Monday of the week
    values: Mapping[str, float | None] = field(hash=False)  # every FACT_KEYS component
    sources: Mapping[str, Source] = field(hash=False)  # component -> where it came from
    plan: Mapping[str, float | None] = field(default_factory=dict, hash=False)  # PLAN_KEYS, weeks only
    conclusion: str | None = None
    action: str | None = None
    from_daily: frozenset[str] = frozenset()  # components filled in from Daily

    @property
    def has_data(self) -> bool:
        """True when at least one fact is there (a plan alone is not a report)."""
        return any(v is not None for v in self.values.values())

    @property
    def fact_source(self) -> FactSource | None:
        """Where the facts came from: Plan-Fact, Daily, or some of each; None without facts."""
        present = {k for k, v in self.values.items() if v is not None}
        if not present:
            return None
        daily = present & self.from_daily
        if not daily:
            return "daily" if self.period == "day" else "plan_fact"
        return "daily" if daily == present else "mixed"

    def cells(self, component: str) -> tuple[tuple[str, int, int], ...]:
        """The input cells of one component in this period."""
        source = self.sources.get(component)
        return source.cells(component) if source else ()


# A Daily row kept compact: (sheet row, values in DAILY_KEYS order).
DayRow = tuple[int, tuple[float | None, ...]]
NO_FIGURE = -1.0  # a figure left empty, in a DayTable (figures are never negative)


class DayTable(Mapping[dt.date, DayRow]):
    """One channel's Daily rows by date: the dates (as ordinals), sheet rows and figures
    (in DAILY_KEYS order, :data:`NO_FIGURE` for an empty one) in arrays sorted by date, so
    that a million rows take 64 bytes each rather than a few hundred, and a streak is read
    by walking back along them. Only the first ``size`` entries of the arrays are the
    table's: :meth:`until` shares them rather than copying them."""

    __slots__ = ("ordinals", "rows", "figures", "size")

    def __init__(self, ordinals: array[int], rows: array[int], figures: Sequence[array[float]],
                 size: int | None = None) -> None:
        self.ordinals, self.rows, self.figures = ordinals, rows, tuple(figures)
        self.size = len(ordinals) if size is None else size

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[dt.date]:
        return map(dt.date.fromordinal, self.ordinals[:self.size])

    def position(self, day: dt.date) -> int:
        """Where ``day`` is in the arrays; -1 when it has no row."""
        ordinal = day.toordinal()
        at = bisect.bisect_left(self.ordinals, ordinal, 0, self.size)
        return at if at < self.size and self.ordinals[at] == ordinal else -1

    def __getitem__(self, day: dt.date) -> DayRow:
        at = self.position(day)
        if at < 0:
            raise KeyError(day)
        return self.row_at(at)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.position(day) >= 0

    def row_at(self, at: int) -> DayRow:
        return self.rows[at], tuple(None if (x := f[at]) < 0 else x for f in self.figures)

    @property
    def last(self) -> int:
        """The ordinal of the latest date (0 when there is none)."""
        return self.ordinals[self.size - 1] if self.size else 0

    def last_until(self, day: dt.date) -> dt.date | None:
        """The latest date with a row on or before ``day``."""
        at = bisect.bisect_right(self.ordinals, day.toordinal(), 0, self.size)
        return dt.date.fromordinal(self.ordinals[at - 1]) if at else None

    def run_start(self, at: int) -> int:
        """The first row of the run of consecutive days that ends at row ``at``. Dates only go
        up, so the rows ``low`` to ``at`` are consecutive days exactly when their dates are
        ``at - low`` days apart: the row is found by halving."""
        ordinals, newest, low, high = self.ordinals, self.ordinals[at], 0, at
        while low < high:
            middle = (low + high) // 2
            if newest - ordinals[middle] == at - middle:
                high = middle
            else:
                low = middle + 1
        return low

    def until(self, day: dt.date) -> DayTable:
        """The rows dated on or before ``day``."""
        at = bisect.bisect_right(self.ordinals, day.toordinal(), 0, self.size)
        return DayTable(self.ordinals, self.rows, self.figures, at)

    def rows_from(self, day: dt.date) -> list[DayRow]:
        """The rows dated on or after ``day``, by date."""
        at = bisect.bisect_left(self.ordinals, day.toordinal(), 0, self.size)
        return [self.row_at(i) for i in range(at, self.size)]


@dataclass(frozen=True)
class Facts:
    """Every channel's facts by week and by day, with the issues met while reading them."""

    weeks: Mapping[tuple[str, dt.date], PeriodFact] = field(hash=False)
    days: Mapping[str, DayTable] = field(hash=False)
    daily_tab: FactTab | None
    issues: tuple[Finding, ...] = ()
    rows_read: int = 0
    _week_index: Mapping[str, Sequence[dt.date]] = field(default_factory=dict, hash=False, repr=False)

    def week(self, channel: str, monday: dt.date) -> PeriodFact | None:
        return self.weeks.get((channel, monday))

    def day(self, channel: str, day: dt.date) -> PeriodFact | None:
        """The channel's Daily facts for that date, or None if it has no Daily row."""
        table = self.days.get(channel)
        at = table.position(day) if table is not None else -1
        if table is None or at < 0 or self.daily_tab is None:
            return None
        row, numbers = table.row_at(at)
        source = Source(self.daily_tab, (row,))
        values: dict[str, float | None] = dict.fromkeys(FACT_KEYS)
        values.update(zip(DAILY_KEYS, numbers, strict=True))
        return PeriodFact(channel, "day", day, values, dict.fromkeys(DAILY_KEYS, source),
                          from_daily=frozenset(DAILY_KEYS))

    def period(self, channel: str, period: Period, start: dt.date) -> PeriodFact | None:
        return self.day(channel, start) if period == "day" else self.week(channel, start)

    def last_with_data(self, channel: str, period: Period, until: dt.date) -> dt.date | None:
        """The latest day or week with facts on or before ``until`` (a Monday for weeks)."""
        if period == "day":
            table = self.days.get(channel)
            return table.last_until(until) if table is not None else None
        index = self._week_index.get(channel, ())
        at = bisect.bisect_right(index, until)
        return index[at - 1] if at else None

    def weeks_of(self, channel: str, until: dt.date) -> list[PeriodFact]:
        """The channel's weeks with facts, oldest first, up to the week starting ``until``."""
        index = self._week_index.get(channel, ())
        return [self.weeks[(channel, m)] for m in index[: bisect.bisect_right(index, until)]]

    def up_to(self, as_of: dt.date) -> Facts:
        """These facts as they stood on ``as_of``: Daily rows dated after it are left out.

        Only the week that contains ``as_of`` can change (a fact typed in its Plan-Fact row
        still counts whole); weeks after it are never reported as of that day, and rules
        stop at it.
        """
        monday = week_start(as_of)
        later = {channel: table for channel, table in self.days.items() if table.last > as_of.toordinal()}
        if not later or self.daily_tab is None:
            return self
        weeks = dict(self.weeks)
        days: dict[str, DayTable] = dict(self.days)
        week_index = {channel: list(mondays) for channel, mondays in self._week_index.items()}
        sunday = (monday + dt.timedelta(days=6)).toordinal()
        for channel, table in later.items():
            kept = days[channel] = table.until(as_of)
            if table.ordinals[len(kept)] > sunday:
                continue  # no day of the as-of week is left out
            rows = sorted(kept.rows_from(monday))
            old = self.weeks.get((channel, monday))
            fact = _week_from_daily(channel, monday, rows, self.daily_tab, old)
            mondays = week_index.setdefault(channel, [])
            if monday in mondays:
                mondays.remove(monday)
            if fact is None:
                weeks.pop((channel, monday), None)
                continue
            weeks[(channel, monday)] = fact
            if fact.has_data:
                bisect.insort(mondays, monday)
        return Facts(weeks, days, self.daily_tab, self.issues, self.rows_read, week_index)


def _week_from_daily(
    channel: str, monday: dt.date, rows: Sequence[DayRow], daily_tab: FactTab, old: PeriodFact | None
) -> PeriodFact | None:
    """A week put together again from the Daily ``rows`` it keeps; a fact typed in its
    Plan-Fact row (in ``old``) still wins. None when nothing is left of it."""
    totals: list[float | None] = [None] * len(DAILY_KEYS)
    for _, numbers in rows:
        for i, x in enumerate(numbers):
            if x is not None:
                total = totals[i]
                totals[i] = x if total is None else total + x
    source = Source(daily_tab, tuple(row for row, _ in rows))
    if old is None:
        if not rows:
            return None
        values: dict[str, float | None] = dict.fromkeys(FACT_KEYS)
        values.update(zip(DAILY_KEYS, totals, strict=True))
        filled = frozenset(k for k, v in zip(DAILY_KEYS, totals, strict=True) if v is not None)
        return PeriodFact(channel, "week", monday, values, dict.fromkeys(FACT_KEYS, source),
                          plan=dict.fromkeys(PLAN_KEYS), from_daily=filled)
    values = dict(old.values)
    sources = dict(old.sources)
    taken = []
    for key, total in zip(DAILY_KEYS, totals, strict=True):
        if key in old.from_daily or values.get(key) is None:  # not typed in Plan-Fact
            values[key] = total
            if total is not None:
                sources[key] = source
                taken.append(key)
    return PeriodFact(channel, "week", monday, values, sources, plan=old.plan, conclusion=old.conclusion,
                      action=old.action, from_daily=frozenset(taken))


def read_facts(bound: BoundWorkbook, inputs: Inputs) -> Facts:
    """Read Plan-Fact and Daily; every cell that cannot be used becomes an issue.

    Issues are said in the workbook's language (``inputs.settings.lang``).
    """
    reader = _FactReader(inputs, tab_name(bound, "channels"))
    plan_fact = _readable(bound, "plan_fact")
    daily = _readable(bound, "daily")
    pf_rows = reader.plan_fact(plan_fact) if plan_fact is not None else {}
    daily_tab = _fact_tab(daily) if daily is not None else None
    days, daily_weeks = reader.daily(daily) if daily is not None else ({}, {})
    pf_tab = _fact_tab(plan_fact) if plan_fact is not None else None

    weeks: dict[tuple[str, dt.date], PeriodFact] = {}
    week_index: dict[str, list[dt.date]] = {}
    # A year of Daily data for many channels is thousands of weeks: each is put together
    # with as few steps as possible. First the weeks with Daily rows (by channel and date:
    # the weeks of a channel are then near each other in memory, for those who read them
    # all), then those with a Plan-Fact row only.
    if daily_tab is not None:
        _daily_weeks(daily_weeks, daily_tab, pf_rows if pf_tab is not None else {}, pf_tab, weeks, week_index)
    if pf_tab is not None:
        _plan_fact_weeks(pf_rows, pf_tab, weeks, week_index)
    for mondays in week_index.values():
        mondays.sort()
    return Facts(weeks, days, daily_tab, tuple(reader.issues), reader.rows_read, week_index)


def _daily_weeks(
    daily_weeks: dict[tuple[str, dt.date], _WeekSum], daily_tab: FactTab,
    pf_rows: dict[tuple[str, dt.date], _PlanFactRow], pf_tab: FactTab | None,
    weeks: dict[tuple[str, dt.date], PeriodFact], week_index: dict[str, list[dt.date]],
) -> None:
    """The weeks with Daily rows. Without a Plan-Fact row (most weeks of a workbook kept by
    day), every figure is a sum; with one, a fact typed there wins, and an empty one is
    taken from the sum of the week's Daily rows."""
    no_plan = dict.fromkeys(PLAN_KEYS)
    for key, (summed_rows, totals, summed_keys) in daily_weeks.items():
        channel, monday = key
        pf = pf_rows.get(key)
        if pf is None or pf_tab is None:
            weeks[key] = _week(channel, monday, dict(zip(FACT_KEYS, totals, strict=True)),
                               _Sources(daily_tab, summed_rows), no_plan, None, None, summed_keys)
            if summed_keys:
                week_index.setdefault(channel, []).append(monday)
            continue
        if pf.values == _NO_FACTS:  # only a plan in Plan-Fact (a workbook kept by day): every fact is a sum
            values = dict(zip(FACT_KEYS, totals, strict=True))
            filled = summed_keys
        else:
            values = dict(zip(FACT_KEYS, [total if typed is None else typed
                                          for typed, total in zip(pf.values, totals, strict=True)], strict=True))
            filled = _filled([total if typed is None else None for typed, total in zip(pf.values, totals, strict=True)])
        sources = _Sources(pf_tab, (pf.row,), daily_tab, summed_rows, filled)
        weeks[key] = _week(channel, monday, values, sources, pf.plan, pf.conclusion, pf.action, filled)
        if filled or pf.has_facts:
            week_index.setdefault(channel, []).append(monday)


def _plan_fact_weeks(pf_rows: dict[tuple[str, dt.date], _PlanFactRow], pf_tab: FactTab,
                     weeks: dict[tuple[str, dt.date], PeriodFact], week_index: dict[str, list[dt.date]]) -> None:
    """The weeks with a Plan-Fact row and no Daily rows: its facts as they are typed."""
    for key, pf in pf_rows.items():
        if key in weeks:
            continue
        channel, monday = key
        weeks[key] = _week(channel, monday, dict(zip(FACT_KEYS, pf.values, strict=True)), _Sources(pf_tab, (pf.row,)),
                           pf.plan, pf.conclusion, pf.action, _NOTHING_FILLED)
        if pf.has_facts:
            week_index.setdefault(channel, []).append(monday)


class _Sources(Mapping[str, Source]):
    """Where each fact component of a week came from: the rows ``rows`` of ``tab`` (its
    Plan-Fact row, or its Daily rows), but for the ``taken`` components, summed from the
    Daily rows ``daily_rows``. One small object per week rather than a dict of every
    component; a :class:`Source` is made only when asked for (the cells of few weeks are)."""

    __slots__ = ("tab", "rows", "daily_tab", "daily_rows", "taken")

    def __init__(self, tab: FactTab, rows: Sequence[int], daily_tab: FactTab | None = None,
                 daily_rows: Sequence[int] = (), taken: frozenset[str] = frozenset()) -> None:
        self.tab, self.rows, self.daily_tab, self.daily_rows, self.taken = tab, rows, daily_tab, daily_rows, taken

    def __getitem__(self, key: str) -> Source:
        if key in self.taken and self.daily_tab is not None:
            return Source(self.daily_tab, tuple(self.daily_rows))
        if key in _FACT_KEY_SET:
            return Source(self.tab, tuple(self.rows))
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(FACT_KEYS)

    def __len__(self) -> int:
        return len(FACT_KEYS)


_FACT_KEY_SET = frozenset(FACT_KEYS)
_WEEK_FIELDS = ("channel", "period", "start", "values", "sources", "plan", "conclusion", "action", "from_daily")


def _week(channel: str, monday: dt.date, values: Mapping[str, float | None], sources: Mapping[str, Source],
          plan: Mapping[str, float | None], conclusion: str | None, action: str | None,
          from_daily: frozenset[str]) -> PeriodFact:
    """``PeriodFact(channel, "week", monday, values, sources, plan, conclusion, action,
    from_daily)``, made without calling its ``__init__``.

    Thousands of weeks are made at once, and the ``__init__`` of a frozen dataclass sets
    each field through ``object.__setattr__``: the fields given at once as the object's
    ``__dict__`` take a third of the time. ``_WEEK_FIELDS`` are PeriodFact's fields, in
    their order (a test checks both ways give equal objects)."""
    fact = object.__new__(PeriodFact)
    object.__setattr__(fact, "__dict__", dict(zip(_WEEK_FIELDS, (
        channel, "week", monday, values, sources, plan, conclusion, action, from_daily), strict=True)))
    return fact


_NO_FACTS: tuple[None, ...] = (None,) * len(FACT_KEYS)  # a Plan-Fact row with a plan only
_NOTHING_FILLED: frozenset[str] = frozenset()


def _readable(bound: BoundWorkbook, key: str) -> BoundTab | None:
    """The tab when it has every required header (else ``bind`` reported it, and a sync stops)."""
    tab = bound.tab(key)
    if tab is None or any(c.required and not tab.has(c.key) for c in tab.spec.columns):
        return None
    return tab


def _fact_tab(tab: BoundTab) -> FactTab:
    return FactTab(tab.spec.key, tab.name, dict(tab.columns))


class _PlanFactRow(NamedTuple):
    """A Plan-Fact row taken: a tuple, as thousands are made at once (``_make``)."""

    row: int
    values: tuple[float | None, ...]  # FACT_KEYS order
    plan: Mapping[str, float | None]  # shared by the weeks with the same plan: not to be changed
    conclusion: str | None
    action: str | None

    @property
    def has_facts(self) -> bool:
        """A fact (not only a plan) is there."""
        return self.values.count(None) < len(self.values)


# A _PlanFactRow made of a tuple of its fields in C, for the thousands of rows of a block
# (its _make is Python code, and checks the length the block's zip already guarantees).
_new_plan_fact_row = partial(tuple.__new__, _PlanFactRow)


class _PlanFactShape:
    """Where a Plan-Fact tab has each column (None: it lacks it), found once for all its rows."""

    def __init__(self, tab: BoundTab) -> None:
        cols = tab.columns
        self.week_col, self.channel_col = cols.get("week"), cols.get("channel")
        self.fact_cols = [cols.get(key) for key in FACT_KEYS]
        self.plan_cols = [cols.get(f"{key}_plan") for key in PLAN_KEYS]
        self.conclusion_col, self.action_col = cols.get("conclusion"), cols.get("action")
        self.contract_cols = list(cols.values())
        self.week_header = _header(tab, "week")


# The Daily rows of one channel's week, their sums (FACT_KEYS order, None: no figure), and
# the components that have one.
_WeekSum = tuple[list[int], tuple[float | None, ...], frozenset[str]]


class _FactReader:
    """Reads the fact tabs of one workbook, collecting an issue for every cell it cannot use."""

    def __init__(self, inputs: Inputs, channels_tab: str) -> None:
        self.decimal_comma = inputs.settings.decimal_comma
        self.lang = inputs.settings.lang
        self.channels_tab = channels_tab
        # Without a readable Channels tab (``check`` on a workbook missing it) no channel is
        # known: the rows are left out without an issue each; bind reported the tab.
        self.channels_read = "channels" in inputs.read_tabs
        self.issues: list[Finding] = []
        self.rows_read = 0
        self._by_name = {normalize(c.name): c for c in inputs.channels}
        self._typed: dict[str, Channel | None] = {}
        self._dates: dict[object, dt.date] = {}
        self._plans: dict[tuple[float | None, ...], Mapping[str, float | None]] = {}

    def report(self, cell: str, text: str, code: str) -> None:
        self.issues.append(Finding(cell, text, "error", code))

    def message(self, key: str, /, **values: object) -> str:
        """The message ``key`` in the issues' language."""
        return message(key, self.lang, **values)

    def left_out(self, header: str, exc: ValueProblem) -> str:
        """A cell that cannot be read, with why, for a row that is left out."""
        return self.message("left_out", header=printable(header), problem=exc.message(self.lang))

    # -- cells -------------------------------------------------------------------------------

    def channel(self, value: CellValue) -> Channel | None:
        text = value if isinstance(value, str) else str(value)
        if text not in self._typed:
            self._typed[text] = self._by_name.get(normalize(text))
        return self._typed[text]

    def number(self, value: CellValue) -> float | None:
        """A number as people type it; None for a blank; raises ValueProblem otherwise."""
        kind = type(value)
        if kind is float or kind is int:
            number = float(value)  # type: ignore[arg-type]
        elif value is None or (isinstance(value, str) and not value.strip()):
            return None
        else:
            number = parse_amount(value, decimal_comma=self.decimal_comma)
        if number < 0:
            raise ValueProblem("value.negative", number=f"{number:g}")
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueProblem("value.expected_number")
        return number

    def date(self, value: CellValue) -> dt.date:
        kind = type(value)
        if kind is dt.date:
            return value  # type: ignore[return-value]
        if kind is dt.datetime:
            return value.date()  # type: ignore[union-attr]
        if isinstance(value, (CellError, UncomputedFormula)):
            return parse_date(value)  # raises with the error's code
        found = self._dates.get(value)
        if found is None:
            found = parse_date(value)
            self._dates[value] = found
        return found

    # -- Plan-Fact -----------------------------------------------------------------------------

    def plan_fact(self, tab: BoundTab) -> dict[tuple[str, dt.date], _PlanFactRow]:
        """Each channel's Plan-Fact row by week.

        Read like Daily (see :meth:`daily`): a block of rows whose cells are all as expected
        (Mondays, channel names seen in Channels, figures that are numbers of at least 0,
        no week and channel twice) is taken whole; any other block row by row, through the
        checks that report the issues.
        """
        rows = tab.sheet.rows
        table = _by_column(rows)
        shape = _PlanFactShape(tab)
        found: dict[tuple[str, dt.date], _PlanFactRow] = {}
        for first in range(1, len(table), _BLOCK):
            last = min(len(table), first + _BLOCK)
            if self._plan_fact_block(tab, shape, table, first, last, found):
                continue
            for row in range(first, last):
                self._plan_fact_row(tab, shape, rows[row], row, found)
        return found

    def _plan_fact_block(self, tab: BoundTab, shape: _PlanFactShape, table: Columns, first: int, last: int,
                         found: dict[tuple[str, dt.date], _PlanFactRow]) -> bool:
        """Take the rows ``first`` to ``last`` whole, if every cell of theirs is as expected;
        else take nothing and say so."""
        width, count = len(table.columns), last - first
        if shape.week_col is None or shape.channel_col is None or max(shape.week_col, shape.channel_col) >= width:
            return False
        weeks, names = table.columns[shape.week_col], table.columns[shape.channel_col]
        if names.kinds.count(TEXT, first, last) != count:
            return False
        ordinals = _block_days(weeks, first, last)
        # Ordinal 1 (1 January of year 1) is a Monday.
        if ordinals is None or set(map(int.__mod__, ordinals, repeat(7))) != {1}:
            return False
        channel_of: dict[float, str] = {}
        codes = names.payload[first:last]
        for code in set(codes):
            channel = self.channel(names.texts[int(code)])
            if channel is None:
                return False
            channel_of[code] = channel.name
        facts = [_block_numbers(table, col, first, last) for col in shape.fact_cols]
        plans = [_block_numbers(table, col, first, last) for col in shape.plan_cols]
        if any(numbers is None for numbers in facts) or any(numbers is None for numbers in plans):
            return False
        mondays = {ordinal: dt.date.fromordinal(ordinal) for ordinal in set(ordinals)}
        keys = list(zip(map(channel_of.__getitem__, codes), map(mondays.__getitem__, ordinals), strict=True))
        if len(set(keys)) != count or not found.keys().isdisjoint(keys):
            return False  # a second row for a week: row by row, where it is reported
        plan_rows = list(zip(*plans, strict=True))
        # A block holds no -0.0 (see _plain_numbers): rows with equal plans have the same plan.
        plan_of = {numbers: self._plan_of(numbers) for numbers in set(plan_rows)}
        rows = zip(
            range(first, last),
            zip(*facts, strict=True),
            map(plan_of.__getitem__, plan_rows),
            _block_texts(table, shape.conclusion_col, first, last),
            _block_texts(table, shape.action_col, first, last),
            strict=True,
        )
        found.update(zip(keys, map(_new_plan_fact_row, rows), strict=True))
        self.rows_read += count
        return True

    def _plan_of(self, numbers: tuple[float | None, ...]) -> Mapping[str, float | None]:
        """The plan of a week (PLAN_KEYS). Most weeks have one of a few plans: one dict for
        each, shared by those weeks (no one changes a week's plan)."""
        plan = self._plans.get(numbers)
        if plan is None:
            plan = dict(zip(PLAN_KEYS, numbers, strict=True))
            if 0.0 not in numbers:  # 0.0 == -0.0: a plan with a zero is its own
                self._plans[numbers] = plan
        return plan

    def _plan_fact_row(self, tab: BoundTab, shape: _PlanFactShape, cells: Sequence[CellValue], row: int,
                       found: dict[tuple[str, dt.date], _PlanFactRow]) -> None:
        """One Plan-Fact row, through every check: its issues reported, taken if it has none."""
        size = len(cells)
        if not any(c < size and not _blank(cells[c]) for c in shape.contract_cols):
            return  # nothing in a contract column (the rows of BoundTab.data_rows)
        self.rows_read += 1
        before = len(self.issues)
        week_col, channel_col = shape.week_col, shape.channel_col
        typed_week = cells[week_col] if week_col is not None and week_col < size else None
        week_kind = type(typed_week)
        if week_kind is dt.datetime:
            typed_week = typed_week.date()  # type: ignore[union-attr]
            week_kind = dt.date
        monday: dt.date | None
        if week_kind is dt.date and typed_week.weekday() == 0:  # type: ignore[union-attr]
            monday = typed_week  # type: ignore[assignment]
        else:
            # A day number (Google Sheets' dates) read before is known; else the checks.
            monday = self._dates.get(typed_week) if week_kind is float else None
            if monday is None or monday.weekday() != 0:
                monday = self._period_start(tab, row, "week", shape.week_header, monday=True)
        typed = cells[channel_col] if channel_col is not None and channel_col < size else None
        channel = self._typed.get(typed) if isinstance(typed, str) else None
        if channel is None:
            channel = self._channel_cell(tab, row)
        values = self._numbers(tab, row, cells, shape.fact_cols, FACT_KEYS)
        plan = self._numbers(tab, row, cells, shape.plan_cols, PLAN_KEYS)
        if len(self.issues) > before or monday is None or channel is None:
            return
        key = (channel.name, monday)
        if key in found:
            self.report(
                tab.address(row, "channel"),
                self.message("duplicate_row.week", channel=printable(channel.name),
                             week=show_date(monday, self.lang), first=found[key].row + 1),
                "duplicate_row",
            )
            return
        found[key] = _PlanFactRow(
            row,
            values,
            self._plan_of(plan),
            _text(cells[shape.conclusion_col] if shape.conclusion_col is not None and shape.conclusion_col < size
                  else None),
            _text(cells[shape.action_col] if shape.action_col is not None and shape.action_col < size else None),
        )

    def _period_start(self, tab: BoundTab, row: int, key: str, header: str, *, monday: bool) -> dt.date | None:
        value = tab.value(row, key)
        if type(value) is float and MIN_SERIAL <= value <= MAX_SERIAL and value.is_integer():
            # A day number (Google Sheets' dates) seen for the first time: no checks to make.
            day = self._dates[value] = EXCEL_EPOCH + dt.timedelta(days=int(value))
            if not monday or day.weekday() == 0:
                return day
        if value is None or (isinstance(value, str) and not value.strip()):
            self.report(tab.address(row, key),
                        self.message("empty_cell.week" if monday else "empty_cell.date", header=printable(header)),
                        "empty_cell")
            return None
        try:
            day = self.date(value)
        except ValueProblem as exc:
            self.report(tab.address(row, key), self.left_out(header, exc),
                        "bad_date" if exc.code == "bad_value" else exc.code)
            return None
        if monday and day.weekday() != 0:
            self.report(
                tab.address(row, key),
                self.message("not_monday", day=show_date(day, self.lang), weekday=weekday_name(day, self.lang),
                             monday=show_date(week_start(day), self.lang)),
                "not_monday",
            )
            return None
        return day

    def _channel_cell(self, tab: BoundTab, row: int) -> Channel | None:
        value = tab.value(row, "channel")
        if value is None or (isinstance(value, str) and not value.strip()):
            header = _header(tab, "channel")
            self.report(tab.address(row, "channel"),
                        self.message("empty_cell.fact_channel", header=printable(header),
                                     tab=printable(self.channels_tab)),
                        "empty_cell")
            return None
        if isinstance(value, UncomputedFormula):
            self.report(tab.address(row, "channel"), self.left_out(_header(tab, "channel"), uncomputed(value)),
                        "uncomputed_formula")
            return None
        channel = self.channel(value)
        if channel is None and self.channels_read:
            self.report(
                tab.address(row, "channel"),
                self.message("unknown_channel", channel=printable(str(value).strip()),
                             tab=printable(self.channels_tab)),
                "unknown_channel",
            )
        return channel

    def _numbers(
        self, tab: BoundTab, row: int, cells: Sequence[CellValue], cols: Sequence[int | None], keys: tuple[str, ...]
    ) -> tuple[float | None, ...]:
        """Every one of ``keys`` (``cols``: its column), in their order; None where the tab
        lacks the column or the cell is blank."""
        values: list[float | None] = [None] * len(keys)
        size = len(cells)
        for i, col in enumerate(cols):
            if col is None or col >= size:
                continue
            value = cells[col]
            kind = type(value)
            if value is None:
                continue
            if (kind is float or kind is int) and value >= 0:  # type: ignore[operator]
                values[i] = float(value)  # type: ignore[arg-type]  # the common case, inline
            else:
                try:
                    values[i] = self.number(value)
                except ValueProblem as exc:
                    self._bad_number(tab.sheet.name, row, col, _header(tab, keys[i]), exc)
        return tuple(values)

    def _bad_number(self, sheet: str, row: int, col: int, header: str, exc: ValueProblem) -> None:
        self.report(f"{sheet}!{column_letter(col)}{row + 1}", self.left_out(header, exc), exc.code)

    def _empty_figure(self, sheet: str, row: int, col: int, header: str) -> None:
        self.report(f"{sheet}!{column_letter(col)}{row + 1}",
                    self.message("empty_cell.figure", header=printable(header)), "empty_cell")

    # -- Daily -------------------------------------------------------------------------------------

    def daily(self, tab: BoundTab) -> tuple[dict[str, DayTable], dict[tuple[str, dt.date], _WeekSum]]:
        """Each channel's Daily rows by date, and their sums by week.

        The tab is read a block of rows at a time, from its columns: a block whose cells are
        all as expected (dates, channel names seen in Channels, figures that are numbers of
        at least 0) is taken whole; any other block row by row, through the same checks as
        Plan-Fact, which report the issues. Once every row is read, a second row for the
        same channel and date is left out (the first is kept) and reported in its place
        among the issues.
        """
        sheet_rows = tab.sheet.rows
        table = _by_column(sheet_rows)
        gathered = _Gathered()
        start, issue_rows = len(self.issues), []
        for first in range(1, len(table), _BLOCK):
            last = min(len(table), first + _BLOCK)
            if self._daily_block(tab, table, first, last, gathered):
                continue
            for row in range(first, last):
                before = len(self.issues)
                self._daily_row(tab, sheet_rows[row], row, gathered)
                if len(self.issues) > before:
                    issue_rows.extend([row] * (len(self.issues) - before))
        days, sums, duplicates = gathered.tables(tab)
        if duplicates:
            rows = issue_rows + [row for row, _ in duplicates]
            found = self.issues[start:] + [
                Finding(tab.address(row, "channel"),
                        self.message("duplicate_row.day", channel=printable(name), day=show_date(day, self.lang),
                                     first=first_row + 1),
                        "error", "duplicate_row")
                for row, (name, day, first_row) in duplicates
            ]
            order = sorted(range(len(rows)), key=rows.__getitem__)  # stable: a row's own issues keep their order
            self.issues[start:] = [found[i] for i in order]
        return days, sums

    def _daily_block(self, tab: BoundTab, table: Columns, first: int, last: int, gathered: _Gathered) -> bool:
        """Take the rows ``first`` to ``last`` whole, if every cell of theirs is as expected;
        else take nothing and say so."""
        cols = tab.columns
        width, count = len(table.columns), last - first
        date_col, channel_col = cols["date"], cols["channel"]
        if date_col >= width or channel_col >= width:
            return False
        dates, names = table.columns[date_col], table.columns[channel_col]
        if names.kinds.count(TEXT, first, last) != count:
            return False
        ordinals = _block_days(dates, first, last)
        if ordinals is None:
            return False
        codes = names.payload[first:last]
        channel_of: dict[float, int] = {}
        for code in set(codes):
            channel = self.channel(names.texts[int(code)])
            if channel is None:
                return False
            channel_of[code] = gathered.channel_index(channel.name)
        figures: list[array[float] | None] = [None] * len(DAILY_KEYS)
        full = []
        for i, key in enumerate(DAILY_KEYS):
            col = cols.get(key)
            if col is None or col >= width:
                continue
            column = table.columns[col]
            numbers = column.kinds.count(NUMBER, first, last)
            if numbers + column.kinds.count(EMPTY, first, last) != count:
                return False  # text, an error, a formula...
            if not numbers:
                continue
            if not _plain_numbers(column.payload, first, last):
                return False  # maybe a negative figure, or one that is not a number
            block = column.payload[first:last]
            if numbers == count:
                full.append(i)
                figures[i] = block
            else:
                kinds = column.kinds[first:last]
                figures[i] = array("d", [x if k == NUMBER else NO_FIGURE for x, k in zip(block, kinds, strict=True)])
        required = [i for i, key in enumerate(DAILY_KEYS) if key in cols and tab.spec.column(key).required]
        if not full or any(i not in full for i in required):
            return False  # a row without figures, or without a figure it must have
        gathered.channels.extend(map(channel_of.__getitem__, codes))
        gathered.ordinals.extend(ordinals)
        gathered.rows.extend(range(first, last))
        for i, taken in enumerate(figures):
            gathered.figures[i].extend(taken if taken is not None else _NO_DAY_FIGURE * count)
        self.rows_read += count
        return True

    def _daily_row(self, tab: BoundTab, cells: Sequence[CellValue], row: int, gathered: _Gathered) -> None:
        """One Daily row, through every check: its issues reported, taken if it has none."""
        cols = tab.columns
        date_col, channel_col = cols["date"], cols["channel"]
        size = len(cells)
        numbers: list[float | None] = [None] * len(DAILY_KEYS)
        found = bad = False
        for i, key in enumerate(DAILY_KEYS):
            col = cols.get(key)
            if col is None or col >= size:
                continue
            value = cells[col]
            if value is None:
                continue
            kind = type(value)
            if (kind is float or kind is int) and value >= 0:  # type: ignore[operator]
                numbers[i] = float(value)  # type: ignore[arg-type]
                found = True
                continue
            try:
                parsed = self.number(value)
            except ValueProblem as exc:
                bad = True
                self._bad_number(tab.sheet.name, row, col, _header(tab, key), exc)
                continue
            if parsed is not None:
                numbers[i] = parsed
                found = True
        if not found and not bad:
            # Nothing to count: a blank row, or a date and channel typed ahead of the figures.
            all_cols = [date_col, channel_col, *(cols[key] for key in DAILY_KEYS if key in cols)]
            if any(c < size and not _blank(cells[c]) for c in all_cols):
                self.rows_read += 1
            return
        if found:
            for i, key in enumerate(DAILY_KEYS):
                if numbers[i] is None and key in cols and tab.spec.column(key).required:
                    col = cols[key]
                    if col >= size or _blank(cells[col]):
                        bad = True
                        self._empty_figure(tab.sheet.name, row, col, _header(tab, key))
        self.rows_read += 1
        typed_day = cells[date_col] if date_col < size else None
        day_kind = type(typed_day)
        if day_kind is dt.date:
            day: dt.date | None = typed_day  # type: ignore[assignment]
        elif day_kind is dt.datetime:
            day = typed_day.date()  # type: ignore[union-attr]
        else:
            # A day number (Google Sheets' dates) read before is known; else the checks.
            day = self._dates.get(typed_day) if day_kind is float else None
            if day is None:
                day = self._period_start(tab, row, "date", _header(tab, "date"), monday=False)
        typed_channel = cells[channel_col] if channel_col < size else None
        channel = self._typed.get(typed_channel) if isinstance(typed_channel, str) else None
        if channel is None:
            channel = self._channel_cell(tab, row)
        if bad or day is None or channel is None:
            return
        gathered.channels.append(gathered.channel_index(channel.name))
        gathered.ordinals.append(day.toordinal())
        gathered.rows.append(row)
        for i, x in enumerate(numbers):
            gathered.figures[i].append(NO_FIGURE if x is None else x)


_BLOCK = 4096  # Daily rows looked at together


class _Gathered:
    """The Daily rows taken, in sheet order: each one's channel (an index into
    :attr:`names`), date (ordinal), sheet row and figures (DAILY_KEYS order)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._index: dict[str, int] = {}
        self.channels: array[int] = array("i")
        self.ordinals: array[int] = array("i")
        self.rows: array[int] = array("i")
        self.figures: list[array[float]] = [array("d") for _ in DAILY_KEYS]

    def channel_index(self, name: str) -> int:
        found = self._index.get(name)
        if found is None:
            found = self._index[name] = len(self.names)
            self.names.append(name)
        return found

    def tables(
        self, tab: BoundTab
    ) -> tuple[dict[str, DayTable], dict[tuple[str, dt.date], _WeekSum], list[tuple[int, tuple[str, dt.date, int]]]]:
        """Each channel's DayTable; the sums of each channel's weeks (over its rows in sheet
        order); and the rows left out as a second one for a channel and date:
        (row, (channel, date, the first one's row))."""
        unused = [_only_no_figure(f) for f in self.figures]  # a column no row has a figure in
        present = [i for i, key in enumerate(DAILY_KEYS) if key in tab.columns]
        days: dict[str, DayTable] = {}
        sums: dict[tuple[str, dt.date], _WeekSum] = {}
        duplicates: list[tuple[int, tuple[str, dt.date, int]]] = []
        for name, part in zip(self.names, self._parts(), strict=True):
            ordinals, rows = _take(self.ordinals, part), _take(self.rows, part)
            if not ordinals:
                continue  # a channel named in a block read row by row, whose rows were all left out
            figures = [None if none else _take(f, part) for f, none in zip(self.figures, unused, strict=True)]
            order = _date_order(ordinals)
            if order < 0:  # typed newest first: the table is by date, its weeks are summed in sheet order
                ordinals, rows = ordinals[::-1], rows[::-1]
                figures = [None if f is None else f[::-1] for f in figures]
            elif order == 0:  # out of date order, or a date typed twice
                ordinals, rows, figures = self._by_date(name, ordinals, rows, figures, duplicates)
            table = days[name] = DayTable(ordinals, rows, [array("d", [NO_FIGURE]) * len(ordinals) if f is None else f
                                                          for f in figures])
            _add_week_sums(name, table, present, sums, order)
        return days, sums, duplicates

    def _parts(self) -> list[slice | list[int]]:
        """Where each channel's rows are in the gathered arrays (in :attr:`names` order)."""
        channels, count = self.channels, len(self.names)
        if len(channels) >= count and channels[count:] == channels[:-count] and len(set(channels[:count])) == count:
            # Every day the channels in the same order (a Daily typed, or exported, a day at a
            # time): each channel's rows are every count-th, from its first; no sort needed.
            parts: list[slice | list[int]] = [slice(0)] * count
            for at, channel in enumerate(channels[:count]):
                parts[channel] = slice(at, None, count)
            return parts
        order = sorted(range(len(channels)), key=channels.__getitem__)  # stable: each channel's in sheet order
        found: list[slice | list[int]] = []
        low = 0
        for index in range(count):
            high = low + channels.count(index)
            found.append(order[low:high])
            low = high
        return found

    def _by_date(
        self, name: str, ordinals: array[int], rows: array[int], figures: list[array[float] | None],
        duplicates: list[tuple[int, tuple[str, dt.date, int]]],
    ) -> tuple[array[int], array[int], list[array[float] | None]]:
        """One channel's rows (in sheet order) by date; of two rows for a date, the first is
        kept and the second reported in ``duplicates``."""
        order = sorted(range(len(ordinals)), key=ordinals.__getitem__)  # stable: the same date in sheet order
        by_date = [ordinals[at] for at in order]
        if any(map(eq, by_date, islice(by_date, 1, None))):
            kept: list[int] = []
            previous = -1
            for at in order:
                if ordinals[at] == previous:
                    duplicates.append((rows[at], (name, dt.date.fromordinal(ordinals[at]), rows[kept[-1]])))
                    continue
                kept.append(at)
                previous = ordinals[at]
            order = kept
        return (_take(ordinals, order), _take(rows, order),
                [None if f is None else _take(f, order) for f in figures])


def _take(values: array[_Item], part: slice | list[int]) -> array[_Item]:
    """The items of ``values`` at ``part``: a slice, or positions."""
    if isinstance(part, slice):
        return values[part]
    return array(values.typecode, map(values.__getitem__, part))


def _date_order(ordinals: array[int]) -> int:
    """1 when the dates only go up, -1 when they only go down, else 0 (both: 1)."""
    if all(map(lt, ordinals, islice(ordinals, 1, None))):
        return 1
    return -1 if all(map(gt, ordinals, islice(ordinals, 1, None))) else 0


def _add_week_sums(name: str, table: DayTable, present: list[int], sums: dict[tuple[str, dt.date], _WeekSum],
                   typed: int) -> None:
    """The sums of a channel's Daily rows by week, each over the week's rows in sheet order
    (``typed``: 1, the rows were typed by date; -1, newest first; 0, in another order)."""
    rows, ordinals = table.rows, table.ordinals
    columns = [(i, table.figures[i]) for i in present if not _only_no_figure(table.figures[i])]
    if typed or list(rows) == sorted(rows):  # each week's rows in sheet order are in date order
        _add_week_sums_by_column(name, table, columns, sums, newest_first=typed < 0)
        return
    # Rows not typed in date order: each week's rows put in sheet order.
    mondays = [ordinal - (ordinal + 6) % 7 for ordinal in ordinals]  # ordinal 1 is a Monday
    by_week = sorted(range(len(mondays)), key=[m << 32 | r for m, r in zip(mondays, rows, strict=True)].__getitem__)
    ordinals = array("i", [mondays[at] for at in by_week])  # each week's rows by Monday: as good as dates here
    rows = array("i", map(rows.__getitem__, by_week))
    # Whether a column may have an empty figure (its bytes compared, not each number).
    gaps = [(i, sorted_column, _NO_FIGURE_BYTES in sorted_column.tobytes())
            for i, column in columns for sorted_column in [array("d", map(column.__getitem__, by_week))]]
    low, size = 0, len(ordinals)
    while low < size:
        monday = ordinals[low]
        high = bisect.bisect_left(ordinals, monday + 7, low, min(low + 7, size))
        totals: list[float | None] = [None] * len(FACT_KEYS)
        for i, column, gap in gaps:
            block = column[low:high]
            if gap and block.count(NO_FIGURE):
                block = array("d", [x for x in block if x != NO_FIGURE])
                if not block:
                    continue
            totals[_FACT_AT[i]] = reduce(add, block)  # in sheet order, one by one
        sums[(name, dt.date.fromordinal(monday))] = (rows[low:high].tolist(), tuple(totals), _filled(totals))
        low = high


def _add_week_sums_by_column(name: str, table: DayTable, columns: list[tuple[int, array[float]]],
                             sums: dict[tuple[str, dt.date], _WeekSum], *, newest_first: bool) -> None:
    """The week sums of a channel whose rows were typed by date (or newest first), column by
    column rather than week by week.

    Each column is laid out 7 places a week, from the Monday of its first row to the
    Sunday of its last: a row's figure in its day's place, -0.0 in a day without a row
    and for an empty figure. -0.0 added to any number, or any number to it, changes
    nothing (not even 0.0), so each week's sum of its 7 places, one by one in sheet
    order, is the sum of its figures as :func:`reduce` adds them; a week whose figures
    are all empty has no sum (None), and a week without a row is no week."""
    ordinals, rows, size = table.ordinals, table.rows, len(table)
    first_monday = ordinals[0] - (ordinals[0] + 6) % 7  # ordinal 1 is a Monday
    mondays = range(first_monday, ordinals[size - 1] + 1, 7)
    bounds = [*map(bisect.bisect_left, repeat(ordinals), mondays), size]  # where each week's rows start
    runs = _runs(table)
    totals: list[Sequence[float | None]] = [[None] * len(mondays)] * len(FACT_KEYS)
    some_empty = False
    for i, column in columns:
        found: Sequence[float | None] = _place_sums(_places(column, ordinals, runs, first_monday), newest_first)
        if _NO_FIGURE_BYTES in column.tobytes() and NO_FIGURE in column:
            some_empty = True  # weeks whose figures are all empty have no sum
            counts = _place_sums(_places(array("d", map(float, map(ge, column, repeat(0.0)))), ordinals, runs,
                                         first_monday), newest_first)
            found = [total if count else None for total, count in zip(found, counts, strict=True)]
        totals[_FACT_AT[i]] = found
    weeks = [w for w in range(len(mondays)) if bounds[w] < bounds[w + 1]]  # the weeks with a row
    week_rows = [rows[bounds[w]:bounds[w + 1]].tolist() for w in weeks]
    if newest_first:
        for each in week_rows:
            each.reverse()
    week_totals = list(zip(*totals, strict=True))
    if len(weeks) < len(mondays):
        week_totals = [week_totals[w] for w in weeks]
    filled = (map(_filled, week_totals) if some_empty else
              repeat(_components(tuple(sorted(_FACT_AT[i] for i, _ in columns)))))
    sums.update(zip(zip(repeat(name), map(dt.date.fromordinal, (mondays[w] for w in weeks))),
                    zip(week_rows, week_totals, filled, strict=False), strict=False))


def _runs(table: DayTable) -> list[tuple[int, int]]:
    """The runs of consecutive days of a table: (first row, row after the last), the last
    run first. A few steps a gap (see :meth:`DayTable.run_start`), none a day."""
    found = []
    end = len(table)
    while end:
        start = table.run_start(end - 1)
        found.append((start, end))
        end = start
    return found


def _places(column: array[float], ordinals: array[int], runs: list[tuple[int, int]], first_monday: int) -> array[float]:
    """``column`` laid out a place a day from ``first_monday`` to the last Sunday: -0.0 in a
    day without a row and for an empty figure (see :func:`_add_week_sums_by_column`)."""
    if _NO_FIGURE_BYTES in column.tobytes() and NO_FIGURE in column:
        column = array("d", map(max, column, repeat(-0.0)))  # max(-1.0, -0.0) is -0.0; a figure is kept
    places = array("d")
    day = first_monday
    for start, end in reversed(runs):
        places += _NO_DAY * (ordinals[start] - day)
        places += column[start:end]
        day = ordinals[end - 1] + 1
    places += _NO_DAY * (-len(places) % 7)
    return places


def _place_sums(places: array[float], newest_first: bool) -> list[float]:
    """Each week's sum of its 7 ``places``, one by one, oldest week first; the places of a
    week taken newest first when its rows were typed so."""
    if newest_first:
        places = places[::-1]  # weeks and days in sheet order, newest first
    found: list[float] = places[0::7].tolist()
    for day in range(1, 7):
        found = list(map(add, found, places[day::7]))
    if newest_first:
        found.reverse()
    return found


_NO_DAY_FIGURE = array("d", [NO_FIGURE])  # a figure column where a block has none
_NO_DAY = array("d", [-0.0])  # a place without a row, in a week's sum: adds nothing
_FACT_AT = [FACT_KEYS.index(key) for key in DAILY_KEYS]  # each Daily figure's place in FACT_KEYS


@cache
def _components(indexes: tuple[int, ...]) -> frozenset[str]:
    """The fact components at ``indexes`` (of FACT_KEYS): one object for each set, shared by
    the thousands of weeks that have it."""
    return frozenset(FACT_KEYS[i] for i in indexes)


def _filled(totals: Sequence[object]) -> frozenset[str]:
    """The components with a figure (not None) among a week's ``totals`` (FACT_KEYS order)."""
    return _components(tuple(i for i, total in enumerate(totals) if total is not None))


_NO_FIGURE_BYTES = array("d", [NO_FIGURE]).tobytes()


def _only_no_figure(figures: array[float]) -> bool:
    """Whether no row has a figure here: the bytes compared at once, not each number."""
    return figures.tobytes() == _NO_FIGURE_BYTES * len(figures)


def _by_column(rows: Sequence[Sequence[CellValue]]) -> Columns:
    """A tab's rows kept by column (as they are, when they already are).

    The header row is put in apart, and the others a block at a time: each column of a
    block is then mostly of one kind (all numbers, all texts), which :class:`Columns`
    takes whole rather than cell by cell, and a block's cells are still in the CPU's
    caches when they are put by column."""
    if isinstance(rows, Columns):
        return rows
    table = Columns.of_rows(rows[:1])
    for first in range(1, len(rows), _BLOCK):
        table.extend(rows[first:first + _BLOCK])
    return table


def _block_days(column: ValueColumn, first: int, last: int) -> list[int] | None:
    """The ordinals of the rows ``first`` to ``last`` of a column of dates, or of day numbers
    (Google Sheets' dates: whole, within the dates a sheet can hold); None when any cell of
    theirs is neither."""
    count = last - first
    if column.kinds.count(DAY, first, last) == count:
        return list(map(int, column.payload[first:last]))
    if column.kinds.count(NUMBER, first, last) != count:
        return None
    serials = column.payload[first:last]
    if min(serials) < MIN_SERIAL or max(serials) > MAX_SERIAL or not all(map(float.is_integer, serials)):
        return None
    return list(map(EXCEL_EPOCH.toordinal().__add__, map(int, serials)))


def _block_numbers(table: Columns, col: int | None, first: int, last: int) -> list[float | None] | None:
    """The figures of the rows ``first`` to ``last`` in a column (None for an empty cell, or
    every cell when the tab lacks the column); None when a cell is not a number of at least 0."""
    count = last - first
    if col is None or col >= len(table.columns):
        return [None] * count
    column = table.columns[col]
    numbers = column.kinds.count(NUMBER, first, last)
    if numbers + column.kinds.count(EMPTY, first, last) != count:
        return None  # text, an error, a formula...
    if not numbers:
        return [None] * count
    if not _plain_numbers(column.payload, first, last):
        return None  # maybe a negative figure, or one that is not a number
    if numbers == count:
        return column.payload[first:last].tolist()  # type: ignore[return-value]
    return column.values(first, last)  # type: ignore[return-value]


_TOP_BYTE = 7 if sys.byteorder == "little" else 0  # where a double keeps its sign and top exponent bits
_PLAIN_TOPS = bytes(range(0x7F))  # the top bytes of the numbers from 0 to 2**1009, sign clear


def _plain_numbers(payload: array[float], first: int, last: int) -> bool:
    """Whether the numbers of the rows ``first`` to ``last`` are all plain: at least 0, and
    not NaN. Judged from each one's top byte in one C pass, rather than a Python float made
    of each: a top byte of 0x7F or more (a negative number or -0.0, a NaN, an infinity, a
    number above 2**1009) is "maybe not", and the rows are then read one by one, where
    each cell gets its exact check. An empty cell's payload is 0 or a text's code: plain."""
    with memoryview(payload) as view, view.cast("B") as raw:
        tops = raw[first * 8 + _TOP_BYTE:last * 8:8].tobytes()
    return not tops.translate(None, _PLAIN_TOPS)


def _block_texts(table: Columns, col: int | None, first: int, last: int) -> list[str | None]:
    """The texts of the rows ``first`` to ``last`` in a column, as :func:`_text` reads them."""
    count = last - first
    if col is None or col >= len(table.columns):
        return [None] * count
    column = table.columns[col]
    if column.kinds.count(EMPTY, first, last) == count:
        return [None] * count
    return [_text(value) for value in column.values(first, last)]


def _blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: CellValue) -> str | None:
    if _blank(value):
        return None
    return str(value).strip()


def _header(tab: BoundTab, key: str) -> str:
    """A column's header for messages, as it is typed in row 1 (it was found by that text)."""
    col = tab.columns.get(key)
    return tab.spec.column(key).header.en if col is None else str(tab.sheet.value(0, col)).strip()
