"""What a sync found, and its JSON form: the documented contract for scripts (docs/sync.md).

``SyncReport.as_dict()`` gives exactly::

    {"source", "as_of", "week", "channels": [...], "totals": {...}, "breaches": [...],
     "issues": [...], "written"}

Ratios are fractions (0.0295, not 2.95), money and counts are numbers, and every value
that is not defined (a zero or missing denominator, an infinite cost) is null.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sheetops.backends import SyncWrite
from sheetops.sync.facts import FACT_KEYS, PLAN_KEYS, FactSource
from sheetops.sync.kpis import KPI_KEYS, shown
from sheetops.sync.rules import Breach
from sheetops.sync.status import Status
from sheetops.tables import Channel, Settings
from sheetops.workbook import Finding

Numbers = Mapping[str, float | None]


@dataclass(frozen=True)
class Figures:
    """Plan, facts, KPIs and deviations of a channel (or of all channels) for one week."""

    plan: Numbers = field(default_factory=lambda: dict.fromkeys(PLAN_KEYS), hash=False)
    fact: Numbers = field(default_factory=lambda: dict.fromkeys(FACT_KEYS), hash=False)
    kpi: Numbers = field(default_factory=lambda: dict.fromkeys(KPI_KEYS), hash=False)
    deviation: Numbers = field(default_factory=lambda: dict.fromkeys(PLAN_KEYS), hash=False)

    def as_dict(self) -> dict[str, dict[str, float | None]]:
        return {
            "plan": {k: self.plan.get(k) for k in PLAN_KEYS},
            "fact": {k: self.fact.get(k) for k in FACT_KEYS},
            "kpi": {k: self.kpi.get(k) for k in KPI_KEYS},
            "deviation": {k: self.deviation.get(k) for k in PLAN_KEYS},
        }


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
        }


def breach_dict(breach: Breach) -> dict[str, Any]:
    return {
        "rule": breach.rule.name,
        "channel": breach.channel.name,
        "metric": breach.metric,
        "period": breach.period,
        "threshold": breach.threshold,
        "periods": [p.start.isoformat() for p in breach.periods],
        "values": [shown(v) for v in breach.values],
        "streak": breach.streak,
        "action": breach.rule.action,
        "owner": breach.channel.owner,
    }


def issue_dict(issue: Finding) -> dict[str, Any]:
    return {"cell": issue.cell, "message": issue.message, "severity": issue.severity, "code": issue.code}


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

    @property
    def week_end(self) -> dt.date:
        return self.week + dt.timedelta(days=6)

    def as_dict(self) -> dict[str, Any]:
        """The JSON contract (docs/sync.md)."""
        return {
            "source": self.source,
            "as_of": self.as_of.isoformat(),
            "week": self.week.isoformat(),
            "channels": [c.as_dict() for c in self.channels],
            "totals": self.totals.as_dict(),
            "breaches": [breach_dict(b) for b in self.breaches],
            "issues": [issue_dict(i) for i in self.issues],
            "written": self.written,
        }
