"""The reported week's figures: each channel's and the total's. Pure; no I/O.

* A channel's plan, facts, KPIs and deviation from plan for the week; while the week is
  in progress, also the plan to date (the week's plan pro rata for the days counted) and
  the deviation from it.
* Totals compare like with like: a component's deviation adds up only the channels that
  have both a plan and facts for it, and names the others.
* Month to date: spend from the 1st of the month to the as-of day against the Channels'
  Monthly budget. Daily days count as typed; a week without Daily rows counts its
  Plan-Fact spend by its share of days in the month.
* Change vs last week: the channel's Primary KPI (revenue when it has none) against the
  week before; a count (spend, leads, orders, revenue) of a week in progress is compared
  pro rata.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence

from sheetops.sync.facts import DAILY_KEYS, FACT_KEYS, PLAN_KEYS, DayRow, Facts, PeriodFact
from sheetops.sync.kpis import add_up, deviations, kpis, lifetime_value, metric_value, shown
from sheetops.sync.period import ReportPeriod
from sheetops.sync.report import Change, ChannelReport, Figures, MonthBudget
from sheetops.sync.rules import Breach
from sheetops.sync.status import channel_status
from sheetops.tables import Channel

Numbers = dict[str, float | None]
_COUNTS = frozenset({"spend", "leads", "orders", "revenue"})
_SPEND = DAILY_KEYS.index("spend")


def pro_rata(plan: Numbers, pace: float) -> Numbers:
    """The plan for the share of the week counted."""
    return {k: (v * pace if v is not None else None) for k, v in plan.items()}


def channel_report(
    channel: Channel, facts: Facts, period: ReportPeriod, breaches: tuple[Breach, ...], gross_margin: float
) -> ChannelReport:
    """One channel's figures and status for the reported week."""
    week = period.week
    fact = facts.week(channel.name, week)
    has_facts = fact is not None and fact.has_data
    values = dict(fact.values) if fact is not None and has_facts else dict.fromkeys(FACT_KEYS)
    plan = dict(fact.plan) if fact is not None else dict.fromkeys(PLAN_KEYS)
    to_date = pro_rata(plan, period.pace)
    history = add_up((f.values for f in facts.weeks_of(channel.name, week)), ("revenue", "new_customers"))
    ltv = lifetime_value(history["revenue"], history["new_customers"], gross_margin)
    figures = Figures(plan, values, kpis(values, gross_margin, ltv), deviations(values, plan), to_date,
                      deviations(values, to_date))
    status = channel_status(channel, values if has_facts else None, to_date, breached=bool(breaches),
                            gross_margin=gross_margin)
    return ChannelReport(
        channel=channel,
        status=status.status,
        figures=figures,
        fact_source=fact.fact_source if fact is not None else None,
        from_daily=tuple(k for k in FACT_KEYS if fact is not None and k in fact.from_daily
                         and fact.values.get(k) is not None),
        breaches=breaches,
        watch=status.reasons,
        conclusion=fact.conclusion if fact is not None else None,
        action=fact.action if fact is not None else None,
        month=month_budget(channel, facts, period),
        change=change_vs_last_week(channel, facts, period, gross_margin),
    )


def totals_of(channels: Sequence[ChannelReport], facts: Facts, week: dt.date, gross_margin: float) -> Figures:
    """All channels together: KPIs from the summed components, never averaged ratios; each
    deviation over the channels with both a plan and facts for it."""
    fact = add_up(c.figures.fact for c in channels)
    plan = add_up((c.figures.plan for c in channels), PLAN_KEYS)
    to_date = add_up((c.figures.plan_to_date for c in channels), PLAN_KEYS)
    history = add_up(
        (f.values for c in channels for f in facts.weeks_of(c.name, week)), ("revenue", "new_customers")
    )
    ltv = lifetime_value(history["revenue"], history["new_customers"], gross_margin)
    deviation: Numbers = {}
    deviation_to_date: Numbers = {}
    left_out: dict[str, tuple[str, ...]] = {}
    for key in PLAN_KEYS:
        both = [c for c in channels if c.figures.fact.get(key) is not None and c.figures.plan.get(key) is not None]
        left_out[key] = tuple(
            c.name for c in channels
            if c not in both and (c.figures.fact.get(key) is not None or c.figures.plan.get(key) is not None)
        )
        compared_fact = add_up((c.figures.fact for c in both), (key,))
        deviation[key] = deviations(compared_fact, add_up((c.figures.plan for c in both), (key,))).get(key)
        deviation_to_date[key] = deviations(
            compared_fact, add_up((c.figures.plan_to_date for c in both), (key,))
        ).get(key)
    return Figures(plan, fact, kpis(fact, gross_margin, ltv), deviation, to_date, deviation_to_date, left_out)


def month_budget(channel: Channel, facts: Facts, period: ReportPeriod) -> MonthBudget:
    """The channel's spend from the 1st of the as-of month to the as-of day, and its budget."""
    start, end = period.month_start(), period.as_of
    days = calendar.monthrange(end.year, end.month)[1]
    spend: float | None = None
    monday = start - dt.timedelta(days=start.weekday())
    by_day: Mapping[dt.date, DayRow] = facts.days.get(channel.name) or {}
    while monday <= end:
        first, last = max(start, monday), min(end, monday + dt.timedelta(days=6))
        week = facts.week(channel.name, monday)
        part = _spend_between(week, by_day, first, last, end) if week is not None else None
        if part is not None:
            spend = part if spend is None else spend + part
        monday += dt.timedelta(weeks=1)
    return MonthBudget(channel.monthly_budget, spend, end.day, days)


def _spend_between(
    week: PeriodFact, by_day: Mapping[dt.date, DayRow], first: dt.date, last: dt.date, as_of: dt.date
) -> float | None:
    """The spend of ``week`` on the days from ``first`` to ``last``: its Daily rows where it has
    any, else its Plan-Fact spend by its share of the days counted in that week."""
    days = [week.start + dt.timedelta(days=n) for n in range(7)]
    if any(day in by_day for day in days):
        total: float | None = None
        for day in days:
            found = by_day.get(day) if first <= day <= last else None
            if found is not None and (x := found[1][_SPEND]) is not None:
                total = x if total is None else total + x
        return total
    spend = week.values.get("spend")
    if spend is None:
        return None
    counted = (min(as_of, week.start + dt.timedelta(days=6)) - week.start).days + 1
    return spend * ((last - first).days + 1) / counted


def totals_month(channels: Sequence[ChannelReport], period: ReportPeriod) -> MonthBudget:
    """All channels with a monthly budget: their budgets and their spend, like with like."""
    budgeted = [c.month for c in channels if c.month is not None and c.month.budget is not None]
    end = period.as_of
    days = calendar.monthrange(end.year, end.month)[1]
    if not budgeted:
        return MonthBudget(None, None, end.day, days)
    budget = sum(m.budget or 0.0 for m in budgeted)
    spends = [m.spend for m in budgeted if m.spend is not None]
    return MonthBudget(budget, sum(spends) if spends else None, end.day, days)


def change_vs_last_week(channel: Channel, facts: Facts, period: ReportPeriod, gross_margin: float) -> Change:
    """The channel's main KPI this week against the week before (a count pro rata while the
    week is in progress)."""
    metric = channel.primary_kpi or "revenue"
    this = facts.week(channel.name, period.week)
    last = facts.week(channel.name, period.week - dt.timedelta(weeks=1))
    value = shown(metric_value(metric, this.values, gross_margin)) if this is not None and this.has_data else None
    before = shown(metric_value(metric, last.values, gross_margin)) if last is not None and last.has_data else None
    if metric in _COUNTS and before is not None:
        before *= period.pace
    return Change(metric, value, before)
