"""Stop rules: "if CPA is above target three days in a row, we stop". Pure; no I/O.

For each enabled rule and each channel it covers (by name, by group, or ``*``), the
channel's periods with data up to and including the as-of period are taken: days from
Daily, weeks from Plan-Fact with the Daily fallback. The rule is breached when its last N
such periods are consecutive calendar periods, each meets the condition and, where Min
spend is set, each had at least that spend. A period without data breaks the run. The
breach's streak counts back as far as all of that kept holding.

A day rule looks at days up to the as-of date; a week rule at weeks up to the newest
week whose report day has come (:attr:`~sheetops.sync.period.ReportPeriod.judged_week`).
A breach is kept only while it is current: its newest period falls in the reported week
or, while that week is in progress, in the week before it. An older streak is history.
A ``target`` threshold is the channel's target times the factor, computed in decimal
(:meth:`~sheetops.values.Threshold.resolve`), and a metric equal to the threshold to nine
significant digits counts as equal to it (:func:`meets`); a channel without that
target is skipped here and reported by :func:`sheetops.tables.missing_target_findings`.
Paused and Stopped channels are not judged: the decision has been taken already.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

from sheetops.messages import message
from sheetops.sync.facts import DAILY_KEYS, DayTable, Facts, FactTab, Period, PeriodFact
from sheetops.sync.kpis import METRIC_INPUTS, metric_value
from sheetops.sync.period import ReportPeriod, week_start
from sheetops.tables import Channel, Inputs, StopRule, covered_channels
from sheetops.values import RELATIVE_TOLERANCE, same_number
from sheetops.workbook import BoundTab, Finding

CONDITIONS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
NOT_JUDGED = frozenset({"paused", "stopped"})
_STEP = {"day": dt.timedelta(days=1), "week": dt.timedelta(days=7)}


@dataclass(frozen=True)
class Point:
    """One period as a rule sees it: when, the metric's value, the spend."""

    start: dt.date
    value: float | None
    spend: float | None


class StreakPeriods(Sequence[PeriodFact]):
    """The periods of a streak, oldest first, each put together only when it is looked at.

    A streak can be hundreds of days long; its dates and values are all kept, but a
    period's facts (and the cells they came from) are asked for only by the few readers
    that need them: the marks of the rule's last periods and the note.
    """

    def __init__(self, facts: Facts, channel: str, period: Period, starts: Sequence[dt.date]) -> None:
        self.facts, self.channel, self.period = facts, channel, period
        self.starts = starts if isinstance(starts, DayRun) else tuple(starts)

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> PeriodFact: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[PeriodFact]: ...

    def __getitem__(self, index: int | slice) -> PeriodFact | Sequence[PeriodFact]:
        if isinstance(index, slice):
            return tuple(self._fact(start) for start in self.starts[index])
        return self._fact(self.starts[index])

    def cells(self, component: str, last: int) -> list[tuple[str, int, int]]:
        """(tab name, row, col) of the component's cells in the streak's ``last`` latest
        periods. A day streak's days are consecutive rows of the channel's Daily table:
        their cells are read from it rather than each day's facts put together."""
        daily = self.facts.daily_tab
        table = self.facts.days.get(self.channel)
        if self.period == "day" and isinstance(self.starts, DayRun) and daily is not None and table is not None:
            col = daily.columns.get(component)
            newest = table.position(self.starts[-1]) if self.starts else -1
            if col is None or newest < 0:
                return []
            count = min(last, len(self.starts))
            return [(daily.name, row, col) for row in table.rows[newest - count + 1 : newest + 1]]
        return [cell for fact in self[-last:] for cell in fact.cells(component)]

    def _fact(self, start: dt.date) -> PeriodFact:
        fact = self.facts.period(self.channel, self.period, start)
        assert fact is not None, (self.channel, start)
        return fact


@dataclass(frozen=True)
class Breach:
    """A rule breached by a channel: the periods of its streak, oldest first."""

    rule: StopRule
    channel: Channel
    threshold: float  # the resolved number the metric was compared with
    periods: Sequence[PeriodFact] = field(hash=False, compare=False)
    values: tuple[float, ...]  # the metric in each period; math.inf for an infinite cost

    @property
    def starts(self) -> Sequence[dt.date]:
        """The day, or the Monday of the week, of each period of the streak, oldest first."""
        periods = self.periods
        return periods.starts if isinstance(periods, StreakPeriods) else tuple(p.start for p in periods)

    @property
    def metric(self) -> str:
        return self.rule.metric

    @property
    def period(self) -> str:
        return self.rule.period

    @property
    def streak(self) -> int:
        return len(self.periods)

    @property
    def since(self) -> dt.date:
        return self.starts[0]

    @property
    def uses_target(self) -> bool:
        return self.rule.threshold.uses_target


def meets(value: float, condition: str, threshold: float) -> bool:
    """``value <condition> threshold`` as a person compares: numbers equal to nine significant
    digits are equal (a CPA of 110.00000000001 is 110), so ``>=`` holds and ``>`` does not."""
    if same_number(value, threshold):
        return condition in (">=", "<=")
    return CONDITIONS[condition](value, threshold)


def holds(point: Point, condition: str, threshold: float, min_spend: float | None) -> bool:
    """The condition is met, and the spend reached the rule's Min spend where one is set."""
    return _holds(point.value, point.spend, condition, threshold, min_spend)


def _holds(value: float | None, spend: float | None, condition: str, threshold: float,
           min_spend: float | None) -> bool:
    if value is None or not meets(value, condition, threshold):
        return False
    return min_spend is None or (spend is not None and (spend >= min_spend or same_number(spend, min_spend)))


def streak(
    newest_first: Iterable[Point], *, period: str, condition: str, threshold: float, min_spend: float | None
) -> list[Point]:
    """The run of consecutive calendar periods, from the newest back, that all hold."""
    run: list[Point] = []
    step = _STEP[period]
    for point in newest_first:
        if run and point.start != run[-1].start - step:
            break  # a period without data breaks the run
        if not holds(point, condition, threshold, min_spend):
            break
        run.append(point)
    return run


def evaluate_rules(inputs: Inputs, facts: Facts, reported: ReportPeriod | dt.date) -> list[Breach]:
    """Every current breach of every enabled rule, in the order of the Stop rules tab, then Channels.

    ``reported``: the reported period, or an as-of date (the week that contains it).
    """
    if not isinstance(reported, ReportPeriod):
        reported = ReportPeriod(week_start(reported), reported, inputs.settings.report_day)
    breaches = []
    for rule in inputs.rules:
        if not rule.enabled:
            continue
        for channel in covered_channels(rule, inputs):
            breach = evaluate_rule(rule, channel, facts, reported, inputs.settings.gross_margin)
            if breach is not None:
                breaches.append(breach)
    return breaches


def evaluate_rule(
    rule: StopRule, channel: Channel, facts: Facts, reported: ReportPeriod, gross_margin: float
) -> Breach | None:
    """The rule's current breach by one channel, or None."""
    if channel.status in NOT_JUDGED:
        return None
    threshold = rule.threshold.resolve(channel.target(rule.metric))
    if threshold is None:
        return None  # no target to compare with: a finding of its own
    period: Period = "day" if rule.period == "day" else "week"
    end = reported.as_of if period == "day" else reported.judged_week
    last = facts.last_with_data(channel.name, period, end)
    if last is None or last < reported.current_since:
        return None  # nothing in the reported period: an older streak is history
    metric, step = rule.metric, _STEP[period]
    starts: Sequence[dt.date]
    if period == "day":
        starts, values = _day_streak(rule, facts.days.get(channel.name), last, threshold, gross_margin)
    else:
        def points() -> Iterator[Point]:
            start = last
            while (fact := facts.period(channel.name, period, start)) is not None and fact.has_data:
                yield Point(start, metric_value(metric, fact.values, gross_margin), fact.values.get("spend"))
                start -= step

        run = streak(points(), period=period, condition=rule.condition, threshold=threshold,
                     min_spend=rule.min_spend)
        starts = [p.start for p in reversed(run)]
        values = [p.value for p in reversed(run) if p.value is not None]
    if len(starts) < rule.periods:
        return None
    return Breach(rule, channel, threshold, StreakPeriods(facts, channel.name, period, starts), tuple(values))


_SPEND = DAILY_KEYS.index("spend")
# Conditions that, holding for a value, hold for every larger one (else: every smaller one).
_UPWARD = frozenset({">", ">="})
# Days of a streak tested together at first; the blocks double while they all hold.
_FIRST_BLOCK, _LARGEST_BLOCK = 32, 4096


class DayRun(Sequence[dt.date]):
    """Consecutive days, oldest first, ``days`` of them from the day with ordinal
    ``first``; a date is made when it is asked for (a streak of a day rule can be thousands
    of days long, and most readers look at its first and last days only)."""

    __slots__ = ("days", "first")

    def __init__(self, first: int, days: int) -> None:
        self.first, self.days = first, days

    def __len__(self) -> int:
        return self.days

    def __iter__(self) -> Iterator[dt.date]:
        return map(dt.date.fromordinal, range(self.first, self.first + self.days))

    @overload
    def __getitem__(self, index: int) -> dt.date: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[dt.date, ...]: ...

    def __getitem__(self, index: int | slice) -> dt.date | tuple[dt.date, ...]:
        if isinstance(index, slice):
            return tuple(map(dt.date.fromordinal, range(self.first, self.first + self.days)[index]))
        if index < 0:
            index += self.days
        if not 0 <= index < self.days:
            raise IndexError(index)
        return dt.date.fromordinal(self.first + index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DayRun):
            return (self.first, self.days) == (other.first, other.days) or self.days == other.days == 0
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"DayRun({self[0] if self.days else None}, {self.days} days)"


def _day_streak(
    rule: StopRule, table: DayTable | None, last: dt.date, threshold: float, gross_margin: float
) -> tuple[DayRun, list[float]]:
    """The days of a day rule's run, oldest first, and the metric on each, read straight
    from the channel's Daily rows by walking back along them from ``last``. The same test
    as :func:`streak` and :func:`meets`, written out for speed: a streak can be thousands
    of days long, so on a figure typed in Daily (spend, leads...) the days are tested a
    block at a time, by the block's smallest (or largest) figure, and one by one only in
    the block where the run ends (see :func:`_block_holds`)."""
    at = table.position(last) if table is not None else -1
    if table is None or at < 0:
        return DayRun(last.toordinal(), 0), []
    ordinals, figures = table.ordinals, table.figures
    newest = ordinals[at]
    column = figures[DAILY_KEYS.index(rule.metric)] if rule.metric in DAILY_KEYS else None
    oldest = at + 1  # the run is the rows oldest..at
    if column is not None:
        block = _FIRST_BLOCK
        while oldest > 0:
            low = max(0, oldest - block)
            # the rows low..oldest-1 are the days just before the run, none missing
            if ordinals[low] != newest - (at - low) or not _block_holds(rule, threshold, column, figures[_SPEND],
                                                                         low, oldest):
                break
            oldest, block = low, min(block * 2, _LARGEST_BLOCK)
    # one day at a time from there: the block where the run ends, or a metric computed per row
    compare, equal_holds = CONDITIONS[rule.condition], rule.condition in (">=", "<=")
    spend, min_spend, isclose, tolerance = figures[_SPEND], rule.min_spend, math.isclose, RELATIVE_TOLERANCE
    older: list[float] = []  # the metric on the days taken one at a time, newest first
    while oldest > 0 and ordinals[oldest - 1] == newest - (at - oldest + 1):
        row = oldest - 1
        if column is not None:
            value = column[row]
            if value < 0:
                break  # no figure: the condition cannot hold
        else:
            numbers = [None if (x := f[row]) < 0 else x for f in figures]
            if all(x is None for x in numbers):
                break  # a row without figures: a day without data
            found = metric_value(rule.metric, dict(zip(DAILY_KEYS, numbers, strict=True)), gross_margin)
            if found is None:
                break
            value = found
        if value == threshold or isclose(value, threshold, rel_tol=tolerance):
            if not equal_holds:
                break
        elif not compare(value, threshold):
            break
        if min_spend is not None:
            paid = spend[row]
            if paid < 0 or not (paid >= min_spend or same_number(paid, min_spend)):
                break
        older.append(value)
        oldest = row
    count = at + 1 - oldest
    older.reverse()
    if column is not None:  # the days taken by blocks follow those taken one at a time
        older.extend(column[oldest + len(older) : at + 1])
    return DayRun(newest - count + 1, count), older


def _block_holds(
    rule: StopRule, threshold: float, column: Sequence[float], spend: Sequence[float], low: int, high: int
) -> bool:
    """Whether the rule's condition (and its least spend) surely holds on every row from
    ``low`` to ``high`` (not included), judged by the block's extreme figures alone.

    Each condition holds on an interval of figures: above the threshold (``>``, ``>=``)
    or below it, with figures within the relative tolerance counted as equal to it. So
    when the figure nearest the threshold passes, all do. Only an extreme clear of the
    threshold by several times the tolerance is taken as proof (no rounding question can
    arise there); otherwise the block is tested day by day, as is a block with a row
    without a figure (stored as a negative number)."""
    block = column[low:high]
    smallest = min(block)
    if smallest < 0:
        return False
    extreme = smallest if rule.condition in _UPWARD else max(block)
    if not CONDITIONS[rule.condition](extreme, threshold) or _near(extreme, threshold):
        return False
    if rule.min_spend is not None:
        least = min(spend[low:high])
        if least < rule.min_spend or _near(least, rule.min_spend):
            return False
    return True


def _near(value: float, bound: float) -> bool:
    """Within a few times the tolerance of ``bound``: too near to judge a block by."""
    return value == bound or math.isclose(value, bound, rel_tol=4 * RELATIVE_TOLERANCE)


def daily_metric_findings(
    inputs: Inputs, daily: FactTab | None, stop_rules: BoundTab | None, label: Callable[[str], str], daily_name: str
) -> list[Finding]:
    """A warning for each enabled day rule on a metric the Daily tab cannot give.

    ``label`` names a fact component for people (e.g. "New customers"), ``daily_name`` the
    Daily tab; the warning is said in the workbook's language (``inputs.settings.lang``).
    """
    if stop_rules is None:
        return []
    findings = []
    columns = daily.columns if daily is not None else {}
    for rule in inputs.rules:
        if not rule.enabled or rule.period != "day":
            continue
        missing = [c for c in METRIC_INPUTS.get(rule.metric, ()) if c not in columns]
        if missing:
            lang = inputs.settings.lang
            names = (message("metric_not_daily.one", lang, column=label(missing[0])) if len(missing) == 1 else
                     message("metric_not_daily.and", lang, first=label(missing[0]), second=label(missing[1])))
            findings.append(
                Finding(
                    stop_rules.address(rule.row, "period") if stop_rules.has("period") else rule.threshold_cell,
                    message("metric_not_daily", lang, rule=rule.name, daily=daily_name, columns=names),
                    "warning",
                    "metric_not_daily",
                )
            )
    return findings
