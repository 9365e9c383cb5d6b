"""Monthly unit economics, per channel and for all channels. Pure; no I/O.

A week belongs to the month that holds most of its days, i.e. its Thursday's month (as
ISO weeks are counted), so that a week is never split and a month has four or five whole
weeks. For each month and channel, from the weeks' facts (Plan-Fact, Daily where
Plan-Fact is empty):

* spend, new customers and revenue: the sums of the month's weeks;
* gross profit = revenue × gross margin (Settings);
* CAC = spend / new customers, both over the weeks that have new customers typed;
* LTV = cumulative revenue × gross margin / cumulative new customers, over every week up
  to the month's last one (the sync's LTV, as of the month's end);
* LTV/CAC = LTV / CAC;
* payback, months = spend / gross profit: how many months of gross profit at this
  month's rate earn back the month's spend (under 1: the month paid for itself);
* ROMI = (gross profit − spend) / spend.

The month's total adds up the channels' spend, new customers, revenue (and, for LTV,
their cumulative revenue and new customers) and computes every ratio from those sums,
never averaging the channels' ratios. A month is **incomplete** when it is still in
progress on the as-of day, when a channel has a week of it without facts, or when spend
was typed without new customers (CAC then counts only the weeks that have them).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sheetops.sync.facts import Facts
from sheetops.sync.kpis import ratio
from sheetops.tables import Channel

MONTHS = 12  # at most this many months, the newest last
# Why a month is incomplete, as keys (their words are in the message catalogs: months.<key>).
IN_PROGRESS, MISSING_WEEKS, NO_NEW_CUSTOMERS = "in_progress", "missing_weeks", "no_new_customers"


def month_of(monday: dt.date) -> dt.date:
    """The first day of the month a week belongs to: its Thursday's month."""
    thursday = monday + dt.timedelta(days=3)
    return thursday.replace(day=1)


def weeks_of_month(month: dt.date) -> tuple[dt.date, ...]:
    """The Mondays of the weeks whose Thursday falls in ``month`` (given by its first day)."""
    first_thursday = month + dt.timedelta(days=(3 - month.weekday()) % 7)
    found = []
    thursday = first_thursday
    while thursday.month == month.month:
        found.append(thursday - dt.timedelta(days=3))
        thursday += dt.timedelta(weeks=1)
    return tuple(found)


@dataclass(frozen=True)
class MonthFigures:
    """One channel's month, or all channels' (``channel`` None)."""

    month: dt.date  # its first day
    channel: str | None
    spend: float | None
    new_customers: float | None
    revenue: float | None
    gross_margin: float
    lifetime_revenue: float | None  # every week up to the month's last: for LTV
    lifetime_customers: float | None
    weeks: int  # weeks with facts
    acquisition_spend: float | None = None  # the spend of the weeks with new customers typed: for CAC
    incomplete: tuple[str, ...] = ()  # IN_PROGRESS, MISSING_WEEKS, NO_NEW_CUSTOMERS
    missing_weeks: int = 0

    @property
    def gross_profit(self) -> float | None:
        return self.revenue * self.gross_margin if self.revenue is not None else None

    @property
    def cac(self) -> float | None:
        return ratio(self.acquisition_spend, self.new_customers)

    @property
    def ltv(self) -> float | None:
        if self.lifetime_revenue is None:
            return None
        return ratio(self.lifetime_revenue * self.gross_margin, self.lifetime_customers)

    @property
    def ltv_cac(self) -> float | None:
        return ratio(self.ltv, self.cac)

    @property
    def payback_months(self) -> float | None:
        return ratio(self.spend, self.gross_profit)

    @property
    def romi(self) -> float | None:
        profit = self.gross_profit
        if profit is None or self.spend is None:
            return None
        return ratio(profit - self.spend, self.spend)

    @property
    def complete(self) -> bool:
        return not self.incomplete

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel, "spend": self.spend, "new_customers": self.new_customers,
            "cac": self.cac, "revenue": self.revenue, "gross_profit": self.gross_profit, "ltv": self.ltv,
            "ltv_cac": self.ltv_cac, "payback_months": self.payback_months, "romi": self.romi,
            "weeks": self.weeks, "complete": self.complete, "incomplete": list(self.incomplete),
            "missing_weeks": self.missing_weeks,
        }


@dataclass(frozen=True)
class Month:
    """A month's channels and their total."""

    month: dt.date
    weeks: tuple[dt.date, ...]  # the Mondays of its weeks
    channels: tuple[MonthFigures, ...]
    total: MonthFigures

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.month.strftime("%Y-%m"), "weeks": [w.isoformat() for w in self.weeks],
                "channels": [c.as_dict() for c in self.channels], "total": self.total.as_dict()}


def _add(values: Iterable[float | None]) -> float | None:
    total: float | None = None
    for value in values:
        if value is not None:
            total = value if total is None else total + value
    return total


def unit_economics(
    channels: Sequence[Channel], facts: Facts, as_of: dt.date, gross_margin: float, *, months: int = MONTHS
) -> tuple[Month, ...]:
    """The months with facts up to the as-of day's week, at most ``months`` of them, oldest first."""
    newest = month_of(as_of - dt.timedelta(days=as_of.weekday()))
    firsts = sorted({month_of(m) for (_, m), f in facts.weeks.items() if f.has_data and month_of(m) <= newest})
    firsts = firsts[-months:]
    if not firsts:
        return ()
    last_week = weeks_of_month(firsts[-1])[-1]
    lifetimes = {c.name: _Lifetime(facts, c.name, last_week) for c in channels}
    found = []
    for first in firsts:
        weeks = weeks_of_month(first)
        in_progress = as_of < weeks[-1] + dt.timedelta(days=6)
        rows = [row for c in channels if (row := _channel_month(c.name, weeks, facts, as_of, gross_margin,
                                                                  in_progress, lifetimes[c.name])) is not None]
        found.append(Month(first, weeks, tuple(rows), _total(first, rows, gross_margin, in_progress)))
    return tuple(found)


class _Lifetime:
    """A channel's revenue and new customers added up week by week, for LTV at any week."""

    def __init__(self, facts: Facts, channel: str, until: dt.date) -> None:
        self.mondays: list[dt.date] = []
        self.revenue: list[float | None] = []
        self.customers: list[float | None] = []
        revenue: float | None = None
        customers: float | None = None
        for fact in facts.weeks_of(channel, until):
            revenue = _add((revenue, fact.values.get("revenue")))
            customers = _add((customers, fact.values.get("new_customers")))
            self.mondays.append(fact.start)
            self.revenue.append(revenue)
            self.customers.append(customers)

    def until(self, monday: dt.date) -> tuple[float | None, float | None]:
        at = bisect.bisect_right(self.mondays, monday)
        return (self.revenue[at - 1], self.customers[at - 1]) if at else (None, None)


def _channel_month(
    name: str, weeks: tuple[dt.date, ...], facts: Facts, as_of: dt.date, gross_margin: float,
    in_progress: bool, lifetime: _Lifetime,
) -> MonthFigures | None:
    due = [m for m in weeks if m <= as_of]
    had = [f for m in due if (f := facts.week(name, m)) is not None and f.has_data]
    if not had:
        return None
    lifetime_revenue, lifetime_customers = lifetime.until(weeks[-1])
    reasons = []
    if in_progress:
        reasons.append(IN_PROGRESS)
    missing = len(due) - len(had)
    if missing:
        reasons.append(MISSING_WEEKS)
    spend_without_customers = any(
        (f.values.get("spend") or 0) > 0 and f.values.get("new_customers") is None for f in had
    )
    if spend_without_customers:
        reasons.append(NO_NEW_CUSTOMERS)
    return MonthFigures(
        month=month_of(weeks[0]),
        channel=name,
        spend=_add(f.values.get("spend") for f in had),
        new_customers=_add(f.values.get("new_customers") for f in had),
        revenue=_add(f.values.get("revenue") for f in had),
        gross_margin=gross_margin,
        lifetime_revenue=lifetime_revenue,
        lifetime_customers=lifetime_customers,
        weeks=len(had),
        acquisition_spend=_add(f.values.get("spend") for f in had if f.values.get("new_customers") is not None),
        incomplete=tuple(reasons),
        missing_weeks=missing,
    )


def _total(first: dt.date, rows: Sequence[MonthFigures], gross_margin: float, in_progress: bool) -> MonthFigures:
    reasons = [r for r in (IN_PROGRESS, MISSING_WEEKS, NO_NEW_CUSTOMERS) if any(r in row.incomplete for row in rows)]
    if in_progress and IN_PROGRESS not in reasons:
        reasons.insert(0, IN_PROGRESS)
    return MonthFigures(
        month=first,
        channel=None,
        spend=_add(r.spend for r in rows),
        new_customers=_add(r.new_customers for r in rows),
        revenue=_add(r.revenue for r in rows),
        gross_margin=gross_margin,
        lifetime_revenue=_add(r.lifetime_revenue for r in rows),
        lifetime_customers=_add(r.lifetime_customers for r in rows),
        weeks=max((r.weeks for r in rows), default=0),
        acquisition_spend=_add(r.acquisition_spend for r in rows),
        incomplete=tuple(reasons),
        missing_weeks=max((r.missing_weeks for r in rows), default=0),  # the weeks some channel lacks
    )
