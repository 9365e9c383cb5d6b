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

Daily can hold a year of data for many channels, so it is read in one pass with a fast
path for cells that already hold numbers and dates, and summed into weeks as it goes.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

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
from sheetops.workbook import BoundTab, BoundWorkbook, Finding, column_letter

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


@dataclass(frozen=True)
class Facts:
    """Every channel's facts by week and by day, with the issues met while reading them."""

    weeks: Mapping[tuple[str, dt.date], PeriodFact] = field(hash=False)
    days: Mapping[str, Mapping[dt.date, DayRow]] = field(hash=False)
    daily_tab: FactTab | None
    issues: tuple[Finding, ...] = ()
    rows_read: int = 0
    _week_index: Mapping[str, Sequence[dt.date]] = field(default_factory=dict, hash=False, repr=False)
    _day_index: Mapping[str, Sequence[dt.date]] = field(default_factory=dict, hash=False, repr=False)

    def week(self, channel: str, monday: dt.date) -> PeriodFact | None:
        return self.weeks.get((channel, monday))

    def day(self, channel: str, day: dt.date) -> PeriodFact | None:
        """The channel's Daily facts for that date, or None if it has no Daily row."""
        found = self.days.get(channel, {}).get(day)
        if found is None or self.daily_tab is None:
            return None
        row, numbers = found
        source = Source(self.daily_tab, (row,))
        values: dict[str, float | None] = dict.fromkeys(FACT_KEYS)
        values.update(zip(DAILY_KEYS, numbers, strict=True))
        return PeriodFact(channel, "day", day, values, dict.fromkeys(DAILY_KEYS, source),
                          from_daily=frozenset(DAILY_KEYS))

    def period(self, channel: str, period: Period, start: dt.date) -> PeriodFact | None:
        return self.day(channel, start) if period == "day" else self.week(channel, start)

    def last_with_data(self, channel: str, period: Period, until: dt.date) -> dt.date | None:
        """The latest day or week with facts on or before ``until`` (a Monday for weeks)."""
        index = (self._day_index if period == "day" else self._week_index).get(channel, ())
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
        later = {
            channel: index[at:]
            for channel, index in self._day_index.items()
            if (at := bisect.bisect_right(index, as_of)) < len(index)
        }
        if not later or self.daily_tab is None:
            return self
        weeks = dict(self.weeks)
        days: dict[str, Mapping[dt.date, DayRow]] = dict(self.days)
        day_index = dict(self._day_index)
        week_index = {channel: list(mondays) for channel, mondays in self._week_index.items()}
        for channel, after in later.items():
            kept = {day: found for day, found in self.days[channel].items() if day <= as_of}
            days[channel] = kept
            day_index[channel] = sorted(kept)
            if not any(week_start(day) == monday for day in after):
                continue
            rows = sorted(found for day, found in kept.items() if day >= monday)
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
        return Facts(weeks, days, self.daily_tab, self.issues, self.rows_read, week_index, day_index)


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
    no_plan = dict.fromkeys(PLAN_KEYS)
    no_source = dict.fromkeys(FACT_KEYS)
    # A year of Daily data for many channels is thousands of weeks: each is put together
    # with as few steps per component as possible.
    for key in sorted(pf_rows.keys() | daily_weeks.keys()):
        channel, monday = key
        pf = pf_rows.get(key)
        summed = daily_weeks.get(key)
        if pf is None or pf_tab is None:
            # Daily only (most weeks of a workbook kept by day): every figure is a sum.
            assert summed is not None and daily_tab is not None
            summed_rows, totals = summed
            daily_source = Source(daily_tab, tuple(summed_rows))
            values = dict(no_source)
            values.update(zip(DAILY_KEYS, totals, strict=True))
            filled = frozenset([k for k, v in zip(DAILY_KEYS, totals, strict=True) if v is not None])
            weeks[key] = PeriodFact(
                channel, "week", monday, values, dict.fromkeys(FACT_KEYS, daily_source), plan=no_plan,
                from_daily=filled,
            )
            if filled:
                week_index.setdefault(channel, []).append(monday)
            continue
        values = pf.values  # the row's own dicts, made for this week only, become the week's
        sources = dict.fromkeys(FACT_KEYS, Source(pf_tab, (pf.row,)))
        filled = frozenset()
        if summed is not None and daily_tab is not None:
            summed_rows, totals = summed
            taken = [(k, v) for k, v in zip(DAILY_KEYS, totals, strict=True) if v is not None and values[k] is None]
            if taken:
                daily_source = Source(daily_tab, tuple(summed_rows))
                for component, total in taken:
                    values[component] = total
                    sources[component] = daily_source
                filled = frozenset([k for k, _ in taken])
        weeks[key] = PeriodFact(
            channel,
            "week",
            monday,
            values,
            sources,
            plan=pf.plan,
            conclusion=pf.conclusion,
            action=pf.action,
            from_daily=filled,
        )
        if filled or pf.has_facts:
            week_index.setdefault(channel, []).append(monday)

    day_index = {channel: sorted(by_day) for channel, by_day in days.items()}
    return Facts(weeks, days, daily_tab, tuple(reader.issues), reader.rows_read, week_index, day_index)


def _readable(bound: BoundWorkbook, key: str) -> BoundTab | None:
    """The tab when it has every required header (else ``bind`` reported it, and a sync stops)."""
    tab = bound.tab(key)
    if tab is None or any(c.required and not tab.has(c.key) for c in tab.spec.columns):
        return None
    return tab


def _fact_tab(tab: BoundTab) -> FactTab:
    return FactTab(tab.spec.key, tab.name, dict(tab.columns))


@dataclass
class _PlanFactRow:
    row: int
    values: dict[str, float | None]
    plan: dict[str, float | None]
    conclusion: str | None
    action: str | None
    has_facts: bool  # a fact (not only a plan) is there


# The Daily rows of one channel's week and their sums (DAILY_KEYS order, None: no figure).
_WeekSum = tuple[list[int], list[float | None]]


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
        """Each channel's Plan-Fact row by week. The common case (a Monday typed as a date,
        a channel name seen before) runs inline; anything else goes through the checks."""
        found: dict[tuple[str, dt.date], _PlanFactRow] = {}
        cols = tab.columns
        fact_cols = [(k, cols[k]) for k in FACT_KEYS if k in cols]
        plan_cols = [(k, cols[f"{k}_plan"]) for k in PLAN_KEYS if f"{k}_plan" in cols]
        week_header = _header(tab, "week")
        week_col, channel_col = cols.get("week"), cols.get("channel")
        conclusion_col, action_col = cols.get("conclusion"), cols.get("action")
        contract_cols = list(cols.values())
        known = self._typed
        date_type, datetime_type = dt.date, dt.datetime
        rows = tab.sheet.rows
        for row in range(1, len(rows)):
            cells = rows[row]
            size = len(cells)
            if not any(c < size and not _blank(cells[c]) for c in contract_cols):
                continue  # nothing in a contract column (the same rows as BoundTab.data_rows)
            self.rows_read += 1
            before = len(self.issues)
            typed_week = cells[week_col] if week_col is not None and week_col < size else None
            week_kind = type(typed_week)
            if week_kind is datetime_type:
                typed_week = typed_week.date()  # type: ignore[union-attr]
                week_kind = date_type
            monday: dt.date | None
            if week_kind is date_type and typed_week.weekday() == 0:  # type: ignore[union-attr]
                monday = typed_week  # type: ignore[assignment]
            else:
                # A day number (Google Sheets' dates) read before is known; else the checks.
                monday = self._dates.get(typed_week) if week_kind is float else None
                if monday is None or monday.weekday() != 0:
                    monday = self._period_start(tab, row, "week", week_header, monday=True)
            typed = cells[channel_col] if channel_col is not None and channel_col < size else None
            channel = known.get(typed) if isinstance(typed, str) else None
            if channel is None:
                channel = self._channel_cell(tab, row)
            values = self._numbers(tab, row, fact_cols, FACT_KEYS)
            plan = self._numbers(tab, row, plan_cols, PLAN_KEYS)
            if len(self.issues) > before or monday is None or channel is None:
                continue
            key = (channel.name, monday)
            if key in found:
                first = found[key].row + 1
                self.report(
                    tab.address(row, "channel"),
                    self.message("duplicate_row.week", channel=printable(channel.name),
                                 week=show_date(monday, self.lang), first=first),
                    "duplicate_row",
                )
                continue
            found[key] = _PlanFactRow(
                row,
                values,
                plan,
                _text(cells[conclusion_col] if conclusion_col is not None and conclusion_col < size else None),
                _text(cells[action_col] if action_col is not None and action_col < size else None),
                any(v is not None for v in values.values()),
            )
        return found

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
        self, tab: BoundTab, row: int, cols: list[tuple[str, int]], keys: tuple[str, ...]
    ) -> dict[str, float | None]:
        """Every one of ``keys`` (None where the tab lacks its column or the cell is blank)."""
        values: dict[str, float | None] = dict.fromkeys(keys)
        cells = tab.sheet.rows[row]
        size = len(cells)
        for key, col in cols:
            value = cells[col] if col < size else None
            kind = type(value)
            if value is None:
                values[key] = None
            elif (kind is float or kind is int) and value >= 0:  # type: ignore[operator]
                values[key] = float(value)  # type: ignore[arg-type]  # the common case, inline
            else:
                try:
                    values[key] = self.number(value)
                except ValueProblem as exc:
                    values[key] = None
                    self._bad_number(tab.sheet.name, row, col, _header(tab, key), exc)
        return values

    def _bad_number(self, sheet: str, row: int, col: int, header: str, exc: ValueProblem) -> None:
        self.report(f"{sheet}!{column_letter(col)}{row + 1}", self.left_out(header, exc), exc.code)

    def _empty_figure(self, sheet: str, row: int, col: int, header: str) -> None:
        self.report(f"{sheet}!{column_letter(col)}{row + 1}",
                    self.message("empty_cell.figure", header=printable(header)), "empty_cell")

    # -- Daily -------------------------------------------------------------------------------------

    def daily(
        self, tab: BoundTab
    ) -> tuple[dict[str, dict[dt.date, DayRow]], dict[tuple[str, dt.date], _WeekSum]]:
        """Each channel's Daily rows by date, and their sums by week, in one pass.

        The common case (number cells, date cells, a channel name seen before) runs inline;
        anything else goes through the same checks as Plan-Fact, which report the issue.
        """
        days: dict[str, dict[dt.date, DayRow]] = {}
        cols = tab.columns
        date_col, channel_col = cols["date"], cols["channel"]
        present = [(i, cols[key]) for i, key in enumerate(DAILY_KEYS) if key in cols]
        indexes = [i for i, _ in present]
        # The figures a Daily row must have once it has any (the template's required columns).
        required = [i for i, key in enumerate(DAILY_KEYS) if key in cols and tab.spec.column(key).required]
        all_cols = [date_col, channel_col, *(c for _, c in present)]
        width = len(DAILY_KEYS)
        headers = [_header(tab, key) if key in cols else key for key in DAILY_KEYS]
        date_header = _header(tab, "date")
        sheet = tab.sheet.name
        mondays: dict[dt.date, dt.date] = {}
        # each channel's rows by date and its week sums by Monday, found with one look-up
        by_channel: dict[str, tuple[dict[dt.date, DayRow], dict[dt.date, _WeekSum]]] = {}
        known = self._typed
        number = self.number
        rows = tab.sheet.rows
        rows_read = 0
        date_type, datetime_type = dt.date, dt.datetime
        dates = self._dates
        for row in range(1, len(rows)):
            cells = rows[row]
            size = len(cells)
            numbers: list[float | None] = [None] * width
            found = bad = False
            for i, col in present:
                if col >= size:
                    continue
                value = cells[col]
                if value is None:
                    continue
                kind = type(value)
                if (kind is float or kind is int) and value >= 0:  # type: ignore[operator]
                    numbers[i] = value if kind is float else float(value)  # type: ignore[assignment,arg-type]
                    found = True
                    continue
                try:
                    parsed = number(value)
                except ValueProblem as exc:
                    bad = True
                    self._bad_number(sheet, row, col, headers[i], exc)
                    continue
                if parsed is not None:
                    numbers[i] = parsed
                    found = True
            if not found and not bad:
                # Nothing to count: a blank row, or a date and channel typed ahead of the figures.
                if any(c < size and not _blank(cells[c]) for c in all_cols):
                    rows_read += 1
                continue
            if found:
                for i in required:
                    if numbers[i] is None:
                        col = cols[DAILY_KEYS[i]]
                        if col >= size or _blank(cells[col]):
                            bad = True
                            self._empty_figure(sheet, row, col, headers[i])
            rows_read += 1
            typed_day = cells[date_col] if date_col < size else None
            day_kind = type(typed_day)
            if day_kind is date_type:
                day: dt.date | None = typed_day  # type: ignore[assignment]
            elif day_kind is datetime_type:
                day = typed_day.date()  # type: ignore[union-attr]
            else:
                # A day number (Google Sheets' dates) read before is known; else the checks.
                day = dates.get(typed_day) if day_kind is float else None
                if day is None:
                    day = self._period_start(tab, row, "date", date_header, monday=False)
            typed_channel = cells[channel_col] if channel_col < size else None
            channel = known.get(typed_channel) if isinstance(typed_channel, str) else None
            if channel is None:
                channel = self._channel_cell(tab, row)
            if bad or day is None or channel is None:
                continue
            name = channel.name
            state = by_channel.get(name)
            if state is None:
                by_day: dict[dt.date, DayRow] = {}
                week_sums: dict[dt.date, _WeekSum] = {}
                days[name] = by_day
                by_channel[name] = (by_day, week_sums)
            else:
                by_day, week_sums = state
                if day in by_day:
                    first = by_day[day][0] + 1
                    self.report(
                        tab.address(row, "channel"),
                        self.message("duplicate_row.day", channel=printable(name), day=show_date(day, self.lang),
                                     first=first),
                        "duplicate_row",
                    )
                    continue
            by_day[day] = (row, tuple(numbers))
            monday = mondays.get(day)
            if monday is None:
                monday = mondays[day] = week_start(day)
            summed = week_sums.get(monday)
            if summed is None:
                week_sums[monday] = ([row], numbers)
                continue
            summed[0].append(row)
            totals = summed[1]
            for i in indexes:
                x = numbers[i]
                if x is not None:
                    total = totals[i]
                    totals[i] = x if total is None else total + x
        self.rows_read += rows_read
        sums = {
            (name, monday): summed for name, (_, by_week) in by_channel.items() for monday, summed in by_week.items()
        }
        return days, sums


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
