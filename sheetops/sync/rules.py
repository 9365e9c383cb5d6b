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
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from typing import overload

from sheetops.messages import message
from sheetops.sync.facts import DAILY_KEYS, NO_FIGURE, DayTable, Facts, FactTab, Period, PeriodFact
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
        self.facts, self.channel, self.period, self.starts = facts, channel, period, tuple(starts)

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
    def starts(self) -> tuple[dt.date, ...]:
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
        starts = [p.start for p in run]
        values = [p.value for p in run if p.value is not None]
    if len(starts) < rule.periods:
        return None
    starts.reverse()
    values.reverse()
    return Breach(rule, channel, threshold, StreakPeriods(facts, channel.name, period, starts), tuple(values))


_SPEND = DAILY_KEYS.index("spend")


def _day_streak(
    rule: StopRule, table: DayTable | None, last: dt.date, threshold: float, gross_margin: float
) -> tuple[list[dt.date], list[float]]:
    """The days of a day rule's run, newest first, and the metric on each, read straight from
    the channel's Daily rows by walking back along them: a streak can be hundreds of days
    long. The same test as :func:`streak` and :func:`meets`, written out for speed."""
    starts: list[dt.date] = []
    values: list[float] = []
    at = table.position(last) if table is not None else -1
    if table is None or at < 0:
        return starts, values
    if rule.metric in DAILY_KEYS:
        return _figure_streak(rule, table, at, threshold)
    condition, min_spend = rule.condition, rule.min_spend
    compare, equal_holds = CONDITIONS[condition], condition in (">=", "<=")
    ordinals, figures = table.ordinals, table.figures
    spend = figures[_SPEND]
    metric, isclose, tolerance = rule.metric, math.isclose, RELATIVE_TOLERANCE
    expected = ordinals[at]
    while at >= 0 and ordinals[at] == expected:
        numbers = [None if (x := f[at]) < 0 else x for f in figures]
        if all(x is None for x in numbers):
            break  # a row without figures: a day without data
        found = metric_value(metric, dict(zip(DAILY_KEYS, numbers, strict=True)), gross_margin)
        if found is None:
            break
        value = found
        if value == threshold or isclose(value, threshold, rel_tol=tolerance):
            if not equal_holds:
                break
        elif not compare(value, threshold):
            break
        if min_spend is not None:
            paid = spend[at]
            if paid < 0 or not (paid >= min_spend or same_number(paid, min_spend)):
                break
        starts.append(dt.date.fromordinal(expected))
        values.append(value)
        at -= 1
        expected -= 1
    return starts, values


def _figure_streak(rule: StopRule, table: DayTable, at: int, threshold: float) -> tuple[list[dt.date], list[float]]:
    """:func:`_day_streak` for a metric that is a Daily figure (Spend, Leads...): the run is
    found a column at a time rather than a day at a time. Back from row ``at`` the days
    must follow each other; the run stops at the first day whose figure is empty or does
    not meet the condition, or whose spend is empty or below the Min spend."""
    ordinals = table.ordinals
    first = table.run_start(at)
    figures = table.figures[DAILY_KEYS.index(rule.metric)][first:at + 1]
    figures.reverse()  # newest first
    count = _leading(figures, rule.condition, threshold)
    if rule.min_spend is not None and count:
        spent = table.figures[_SPEND][at + 1 - count:at + 1]
        spent.reverse()
        count = min(count, _leading(spent, ">=", rule.min_spend))
    newest = ordinals[at]
    return list(map(dt.date.fromordinal, range(newest, newest - count, -1))), figures[:count].tolist()


def _leading(figures: array[float], condition: str, threshold: float) -> int:
    """How many of ``figures``, from the first, are there (not :data:`NO_FIGURE`) and meet
    ``condition`` as :func:`meets` judges: exactly, but with C loops over the whole run
    rather than a Python step per day. Equal to nine digits counts as equal: such a
    figure meets ``>=`` and ``<=`` even where the plain comparison says no, and does not
    meet ``>`` and ``<`` even where it says yes."""
    if NO_FIGURE in figures:
        figures = figures[:figures.index(NO_FIGURE)]
    passed = list(map(CONDITIONS[condition], figures, repeat(threshold)))
    end = _index(passed, False)
    if condition in (">=", "<="):
        while end < len(passed) and _close(figures[end], threshold):
            end = _index(passed, False, end + 1)
        return end
    return _first_close(figures, end, condition, threshold)


def _first_close(figures: array[float], end: int, condition: str, threshold: float) -> int:
    """The first of ``figures[:end]`` (each above the threshold for ``>``, below it for ``<``)
    equal to ``threshold`` to nine digits; ``end`` if none is.

    Such a figure is within twice the tolerance of the threshold (figures are never
    negative, so for ``>`` no larger one can be, for ``<`` no smaller one): one comparison
    each finds the few figures that may be; :func:`math.isclose` tells which are."""
    if not math.isfinite(threshold):
        return _index(list(map(_close, figures[:end], repeat(threshold))), True)
    margin = 2 * RELATIVE_TOLERANCE * abs(threshold)
    if condition == ">":
        maybe = list(map(operator.le, figures[:end], repeat(threshold + margin)))
    else:
        maybe = list(map(operator.ge, figures[:end], repeat(threshold - margin)))
    at = _index(maybe, True)
    while at < end and not _close(figures[at], threshold):
        at = _index(maybe, True, at + 1)
    return at


def _index(items: list[bool], value: bool, start: int = 0) -> int:
    """Where ``value`` first is in ``items`` from ``start`` on; ``len(items)`` if nowhere."""
    try:
        return items.index(value, start)
    except ValueError:
        return len(items)


_close = partial(math.isclose, rel_tol=RELATIVE_TOLERANCE)  # same_number, but for equal numbers


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
