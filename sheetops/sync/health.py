"""The quarterly KPI check ("KPI health"): does each KPI still move with the money? Pure.

For each active channel (Active or Testing) and each of its KPIs (leads, CPL, CPA, CR,
ROAS), over the last *KPI health weeks* (Settings, 13 by default: a quarter) of complete
weeks, the Spearman rank correlation ρ of the KPI's weekly values with the channel's
weekly revenue, over the weeks that have both; and the same over the quarter before.

A KPI **tracks** revenue when ρ is at least 0.5 in the KPI's good direction: up with
revenue for leads, CR and ROAS; down for CPL and CPA (a cost that falls as revenue grows).
Otherwise it **no longer tracks** revenue when it did in the quarter before, and it
**does not track** it when it did not then either, or when there is no quarter before
to compare with. Fewer than 8 weeks give no verdict. Rank correlation, not Pearson: one
big week does not decide it, and any steadily rising relation counts, not only a straight
line.

The correlation uses pandas (``pip install "sheetops[analysis]"``), imported only here,
only when the check runs (``sheetops sync --month``); the Friday sync never imports it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sheetops.errors import MissingExtraError
from sheetops.sync.facts import Facts
from sheetops.sync.kpis import metric_value, shown
from sheetops.sync.report import ChannelReport

KPIS: tuple[str, ...] = ("leads", "cpl", "cpa", "cr", "roas")
GOOD_DIRECTION = {"leads": 1, "cpl": -1, "cpa": -1, "cr": 1, "roas": 1}
MIN_WEEKS = 8  # no verdict from fewer weeks
TRACKS = 0.5  # ρ in the good direction at least this much: the KPI moves with revenue
ANALYSIS_HINT = 'the KPI health check needs pandas: pip install "sheetops[analysis]"'

Verdict = Literal["tracks", "stopped_tracking", "never_tracked", "too_few_weeks"]


def require_pandas() -> Any:
    """The pandas module, or :class:`MissingExtraError` naming the extra to install."""
    try:
        import pandas
    except ImportError:
        raise MissingExtraError(ANALYSIS_HINT) from None
    return pandas


def spearman(xs: Sequence[float | None], ys: Sequence[float | None]) -> tuple[float | None, int]:
    """Spearman's ρ of the pairs where both values are there, and how many pairs that is.

    Ties get their average rank. ρ is None with fewer than 2 pairs or when either side
    never changes (a constant has no rank order)."""
    pairs = [(x, y) for x, y in zip(xs, ys, strict=True) if x is not None and y is not None]
    if len(pairs) < 2:
        return None, len(pairs)
    pandas = require_pandas()
    frame = pandas.DataFrame(pairs, columns=["x", "y"]).rank(method="average")
    rho = frame["x"].corr(frame["y"])  # Pearson's r of the ranks is Spearman's ρ
    # Rounded: a ρ of 2e-17 is a rounding error of 0, and the tab shows two decimals anyway.
    return (None if rho is None or math.isnan(rho) else round(float(rho), 6)), len(pairs)


def tracks(metric: str, rho: float | None) -> bool:
    return rho is not None and rho * GOOD_DIRECTION[metric] >= TRACKS - 1e-12


def verdict_of(metric: str, rho: float | None, weeks: int, before: float | None, weeks_before: int) -> Verdict:
    if weeks < MIN_WEEKS:
        return "too_few_weeks"
    if tracks(metric, rho):
        return "tracks"
    if weeks_before >= MIN_WEEKS and tracks(metric, before):
        return "stopped_tracking"
    return "never_tracked"


def change(values: Sequence[float | None]) -> float | None:
    """How much the second half's average differs from the first half's: (later − earlier) / earlier."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return None
    half = len(known) // 2
    earlier, later = sum(known[:half]) / half, sum(known[-half:]) / half
    return (later - earlier) / abs(earlier) if earlier else None


@dataclass(frozen=True)
class KpiCheck:
    """One KPI of one channel against its revenue."""

    channel: str
    metric: str
    rho: float | None
    weeks: int  # weeks with both the KPI and revenue
    rho_before: float | None  # the quarter before
    weeks_before: int
    verdict: Verdict
    kpi_change: float | None  # second half of the quarter against the first
    revenue_change: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "metric": self.metric, "rho": self.rho, "weeks": self.weeks,
                "rho_before": self.rho_before, "weeks_before": self.weeks_before, "verdict": self.verdict,
                "kpi_change": self.kpi_change, "revenue_change": self.revenue_change}


@dataclass(frozen=True)
class KpiHealth:
    """The check's findings; ``available`` False when pandas is not installed."""

    weeks: int  # the window, in weeks
    first: dt.date | None  # the Monday of its first week
    last: dt.date | None  # the Monday of its last week
    checks: tuple[KpiCheck, ...] = ()
    available: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"available": self.available, "weeks": self.weeks,
                "first": self.first.isoformat() if self.first else None,
                "last": self.last.isoformat() if self.last else None,
                "hint": None if self.available else ANALYSIS_HINT,
                "checks": [c.as_dict() for c in self.checks]}


def series(facts: Facts, channel: str, mondays: Sequence[dt.date], metric: str,
           gross_margin: float) -> list[float | None]:
    found: list[float | None] = []
    for monday in mondays:
        fact = facts.week(channel, monday)
        found.append(shown(metric_value(metric, fact.values, gross_margin))
                     if fact is not None and fact.has_data else None)
    return found


def kpi_health(
    channels: Sequence[ChannelReport], facts: Facts, last_week: dt.date, weeks: int, gross_margin: float
) -> KpiHealth:
    """Every KPI of every active channel over the ``weeks`` weeks up to ``last_week`` (a
    Monday: the newest complete week) and the ``weeks`` before them."""
    count = max(1, weeks)
    now = [last_week - dt.timedelta(weeks=i) for i in range(count - 1, -1, -1)]
    before = [m - dt.timedelta(weeks=count) for m in now]
    checks = []
    for report in channels:
        if report.channel.status not in ("active", "testing"):
            continue
        name = report.name
        revenue, revenue_before = (series(facts, name, w, "revenue", gross_margin) for w in (now, before))
        for metric in KPIS:
            values = series(facts, name, now, metric, gross_margin)
            rho, used = spearman(values, revenue)
            rho_before, used_before = spearman(series(facts, name, before, metric, gross_margin), revenue_before)
            if used == 0:
                continue  # the channel has no such figure at all: nothing to say
            checks.append(KpiCheck(name, metric, rho, used, rho_before, used_before,
                                   verdict_of(metric, rho, used, rho_before, used_before),
                                   change(values), change(revenue)))
    return KpiHealth(count, now[0], now[-1], tuple(checks))
