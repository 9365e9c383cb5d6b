"""The last Trend weeks, week by week: each channel's figures and KPIs and the total's. Pure.

The numbers the meeting deck draws its charts from, the same the CMO Summary's trend
tables show: a channel's metric of a week is computed from that week's facts (Plan-Fact,
Daily where Plan-Fact is empty); the total of a week adds up the components of the
channels with facts that week and computes its KPIs from the sums. A week without facts
is None, never 0. An infinite cost (money spent on nothing) is None too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sheetops.sync.facts import PLAN_KEYS, Facts
from sheetops.sync.kpis import add_up, metric_value, shown
from sheetops.sync.report import ChannelReport

# The metrics of every channel's and the total's week; a channel's Primary KPI is added
# when it is none of these.
TREND_KEYS: tuple[str, ...] = ("spend", "leads", "orders", "revenue", "cpl", "cpa", "cr", "roas", "romi")

Series = tuple[float | None, ...]


@dataclass(frozen=True)
class Trend:
    """Week by week, oldest first: ``channels[name][metric]`` and ``totals[metric]`` hold one
    value per Monday of ``weeks``; ``plan`` holds the total plan of spend, leads, orders and
    revenue (the channels' plans added up, None for a week without any)."""

    weeks: tuple[dt.date, ...] = ()
    channels: Mapping[str, Mapping[str, Series]] = field(default_factory=dict, hash=False)
    totals: Mapping[str, Series] = field(default_factory=dict, hash=False)
    plan: Mapping[str, Series] = field(default_factory=dict, hash=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "weeks": [w.isoformat() for w in self.weeks],
            "totals": {k: list(v) for k, v in self.totals.items()},
            "plan": {k: list(v) for k, v in self.plan.items()},
            "channels": {name: {k: list(v) for k, v in values.items()} for name, values in self.channels.items()},
        }


def trend_weeks(week: dt.date, count: int) -> tuple[dt.date, ...]:
    """The Mondays of the ``count`` weeks up to and including ``week``, oldest first."""
    return tuple(week - dt.timedelta(weeks=i) for i in range(max(1, count) - 1, -1, -1))


def weekly_trend(
    channels: Sequence[ChannelReport], facts: Facts, week: dt.date, weeks: int, gross_margin: float
) -> Trend:
    """Each channel's and the total's figures over the last ``weeks`` weeks up to ``week``."""
    mondays = trend_weeks(week, weeks)
    per_channel: dict[str, dict[str, Series]] = {}
    found: dict[dt.date, list[Mapping[str, float | None]]] = {m: [] for m in mondays}
    plans: dict[dt.date, list[Mapping[str, float | None]]] = {m: [] for m in mondays}
    for report in channels:
        name = report.name
        values: list[Mapping[str, float | None] | None] = []
        for monday in mondays:
            fact = facts.week(name, monday)
            if fact is not None and fact.plan:
                plans[monday].append(fact.plan)
            if fact is not None and fact.has_data:
                values.append(fact.values)
                found[monday].append(fact.values)
            else:
                values.append(None)
        keys = TREND_KEYS
        primary = report.channel.primary_kpi
        if primary is not None and primary not in keys:
            keys = (*keys, primary)
        per_channel[name] = {
            metric: tuple(shown(metric_value(metric, v, gross_margin)) if v is not None else None for v in values)
            for metric in keys
        }
    totals = {
        metric: tuple(
            shown(metric_value(metric, add_up(found[m]), gross_margin)) if found[m] else None for m in mondays
        )
        for metric in TREND_KEYS
    }
    plan = {key: tuple(add_up(plans[m], PLAN_KEYS)[key] for m in mondays) for key in PLAN_KEYS}
    return Trend(mondays, per_channel, totals, plan)
