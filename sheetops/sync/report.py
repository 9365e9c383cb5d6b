"""What a sync found, and its JSON form: the documented contract for scripts (docs/sync.md).

``SyncReport.as_dict()`` gives::

    {"source", "as_of", "week", "period": {...}, "channels": [...], "totals": {...},
     "breaches": [...], "resolved": [...], "decisions_since", "issues": [...], "written", "trend": {...},
     "months": [...], "kpi_health": {...} or null}

Fields are only ever added, never renamed or removed.

Ratios are fractions (0.0295, not 2.95), money and counts are numbers, and every value
that is not defined (a zero or missing denominator, an infinite cost) is null.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from sheetops.ports import SyncWrite
from sheetops.sync.facts import FACT_KEYS, PLAN_KEYS, FactSource
from sheetops.sync.kpis import KPI_KEYS, shown
from sheetops.sync.period import ReportPeriod
from sheetops.sync.rules import Breach
from sheetops.sync.status import Status
from sheetops.tables import DAYS_OF_WEEK, Channel, RoleEntry, Settings
from sheetops.workbook import Finding

if TYPE_CHECKING:
    from sheetops.sync.health import KpiHealth
    from sheetops.sync.months import Month
    from sheetops.sync.trend import Trend

Numbers = Mapping[str, float | None]


@dataclass(frozen=True)
class Figures:
    """Plan, facts, KPIs and deviations of a channel (or of all channels) for one week."""

    plan: Numbers = field(default_factory=lambda: dict.fromkeys(PLAN_KEYS), hash=False)
    fact: Numbers = field(default_factory=lambda: dict.fromkeys(FACT_KEYS), hash=False)
    kpi: Numbers = field(default_factory=lambda: dict.fromkeys(KPI_KEYS), hash=False)
    deviation: Numbers = field(default_factory=lambda: dict.fromkeys(PLAN_KEYS), hash=False)
    # The plan pro rata for the days of the week counted (the whole plan once the week is
    # over), and the facts' deviation from it: the pace of a week in progress.
    plan_to_date: Numbers = field(default_factory=lambda: dict.fromkeys(PLAN_KEYS), hash=False)
    deviation_to_date: Numbers = field(default_factory=lambda: dict.fromkeys(PLAN_KEYS), hash=False)
    # Totals only: for each component, the channels left out of the deviation because they
    # have a plan without facts or facts without a plan (totals compare like with like).
    left_out: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)

    def as_dict(self) -> dict[str, dict[str, float | None]]:
        return {
            "plan": {k: self.plan.get(k) for k in PLAN_KEYS},
            "fact": {k: self.fact.get(k) for k in FACT_KEYS},
            "kpi": {k: self.kpi.get(k) for k in KPI_KEYS},
            "deviation": {k: self.deviation.get(k) for k in PLAN_KEYS},
            "plan_to_date": {k: self.plan_to_date.get(k) for k in PLAN_KEYS},
            "deviation_to_date": {k: self.deviation_to_date.get(k) for k in PLAN_KEYS},
        }


@dataclass(frozen=True)
class MonthBudget:
    """A channel's (or all channels') spend this month so far against the monthly budget."""

    budget: float | None  # Channels: Monthly budget
    spend: float | None  # from the 1st of the month to the as-of day
    days_elapsed: int  # days of the month counted
    days: int  # days in the month

    @property
    def used(self) -> float | None:
        """spend / budget, None without both (or with a zero budget)."""
        if self.spend is None or not self.budget:
            return None
        return self.spend / self.budget

    def as_dict(self) -> dict[str, Any]:
        return {"budget": self.budget, "spend": self.spend, "used": self.used, "days_elapsed": self.days_elapsed,
                "days": self.days}


@dataclass(frozen=True)
class Change:
    """A channel's main KPI this week against last week."""

    metric: str  # the channel's Primary KPI, else revenue
    value: float | None  # this week (a count pro rata when the week is in progress)
    last_week: float | None

    @property
    def change(self) -> float | None:
        """(this week - last week) / last week; None without both or with a zero last week."""
        if self.value is None or self.last_week is None or self.last_week == 0:
            return None
        return (self.value - self.last_week) / abs(self.last_week)

    def as_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "value": self.value, "last_week": self.last_week, "change": self.change}


@dataclass(frozen=True)
class ChannelReport:
    """One channel's week: its figures, status, breaches and what its owner wrote."""

    channel: Channel
    status: Status
    figures: Figures
    fact_source: FactSource | None  # None: no facts this week
    from_daily: tuple[str, ...] = ()  # the fact components taken from Daily
    breaches: tuple[Breach, ...] = ()
    watch: tuple[str, ...] = ()  # for "watch": the metrics worse than target ("cpa", "spend", ...)
    conclusion: str | None = None  # typed in Plan-Fact
    action: str | None = None  # typed in Plan-Fact
    month: MonthBudget | None = None
    change: Change | None = None

    @property
    def name(self) -> str:
        return self.channel.name

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel.name,
            "group": self.channel.group,
            "owner": self.channel.owner,
            "status": self.status,
            **self.figures.as_dict(),
            "fact_source": self.fact_source,
            "month": self.month.as_dict() if self.month is not None else None,
            "change_vs_last_week": self.change.as_dict() if self.change is not None else None,
        }


DecisionState = Literal["new", "open", "resolved"]


def breach_key(breach: Breach) -> tuple[str, str, str, str]:
    """What makes two evaluations' breaches the same decision: the rule and the channel."""
    rule = breach.rule
    return (rule.name.strip().casefold(), rule.metric, rule.period, breach.channel.name)


@dataclass(frozen=True)
class Decisions:
    """The decisions of this report against those of the last report of an earlier week.

    ``new``: keys of current breaches that were not breached then; the others are still
    open; ``resolved``: breaches of then that are over now.
    """

    since: dt.date | None = None  # the as-of date of the report compared with
    new: frozenset[tuple[str, str, str, str]] = frozenset()
    resolved: tuple[Breach, ...] = ()

    def state(self, breach: Breach) -> DecisionState:
        return "new" if breach_key(breach) in self.new else "open"


def breach_dict(breach: Breach, state: DecisionState | None = None) -> dict[str, Any]:
    found = _breach_fields(breach)
    if state is not None:
        found["state"] = state
    return found


def _breach_fields(breach: Breach) -> dict[str, Any]:
    return {
        "rule": breach.rule.name,
        "channel": breach.channel.name,
        "metric": breach.metric,
        "period": breach.period,
        "threshold": breach.threshold,
        "periods": [start.isoformat() for start in breach.starts],
        "values": [shown(v) for v in breach.values],
        "streak": breach.streak,
        "action": breach.rule.action,
        "owner": breach.channel.owner,
    }


def issue_dict(issue: Finding) -> dict[str, Any]:
    return {"cell": issue.cell, "message": issue.message, "severity": issue.severity, "code": issue.code}


def period_dict(period: ReportPeriod) -> dict[str, Any]:
    return {
        "week": period.week.isoformat(),
        "end": period.end.isoformat(),
        "as_of": period.as_of.isoformat(),
        "days_elapsed": min(period.days_elapsed, 7),
        "days": 7,
        "complete": period.complete,
        "report_day": DAYS_OF_WEEK[period.report_day],
    }


@dataclass(frozen=True)
class SyncReport:
    """Everything one sync computed, whether it wrote, and what it would write."""

    source: str
    as_of: dt.date
    week: dt.date  # the Monday of the reported week
    lang: str
    settings: Settings
    channels: tuple[ChannelReport, ...]
    totals: Figures
    breaches: tuple[Breach, ...]
    issues: tuple[Finding, ...]
    written: bool
    changes: SyncWrite  # what was (or, on a dry run or a --strict stop, would have been) written
    rows_read: int = 0
    duration: float = 0.0  # seconds, read and compute
    dry_run: bool = False
    stopped: bool = False  # --strict met data issues, so nothing was written
    summary_tab: str = ""
    period: ReportPeriod | None = None  # None: the week of ``as_of``, as of that day
    decisions: Decisions = field(default_factory=Decisions)
    month: MonthBudget | None = None  # all channels with a monthly budget
    roles: tuple[RoleEntry, ...] = ()  # the Roles tab: who is who, and their contacts (notifications)
    trend: Trend | None = None  # the last Trend weeks, week by week (the deck's charts)
    months: tuple[Month, ...] = ()  # unit economics by month, the oldest first: sync --month only
    kpi_health: KpiHealth | None = None  # the KPI check: sync --month only
    monthly: bool = False  # sync --month: the Unit economics tab was (or would have been) written

    @property
    def reported(self) -> ReportPeriod:
        return self.period if self.period is not None else ReportPeriod(self.week, self.as_of)

    @property
    def week_end(self) -> dt.date:
        return self.week + dt.timedelta(days=6)

    def as_dict(self) -> dict[str, Any]:
        """The JSON contract (docs/sync.md)."""
        totals: dict[str, Any] = dict(self.totals.as_dict())
        totals["deviation_left_out"] = {k: list(self.totals.left_out.get(k, ())) for k in PLAN_KEYS}
        totals["month"] = self.month.as_dict() if self.month is not None else None
        return {
            "source": self.source,
            "as_of": self.as_of.isoformat(),
            "week": self.week.isoformat(),
            "period": period_dict(self.reported),
            "channels": [c.as_dict() for c in self.channels],
            "totals": totals,
            "breaches": [breach_dict(b, self.decisions.state(b)) for b in self.breaches],
            "resolved": [breach_dict(b, "resolved") for b in self.decisions.resolved],
            "decisions_since": self.decisions.since.isoformat() if self.decisions.since else None,
            "issues": [issue_dict(i) for i in self.issues],
            "written": self.written,
            "trend": self.trend.as_dict() if self.trend is not None else None,
            "months": [m.as_dict() for m in self.months] if self.monthly else None,
            "kpi_health": self.kpi_health.as_dict() if self.kpi_health is not None else None,
        }
