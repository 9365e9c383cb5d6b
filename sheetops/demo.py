"""Example facts for ``sheetops init --demo``. Pure and deterministic: no I/O, and the same
``today`` always gives the same numbers (in either language).

Eight weeks of Plan-Fact rows end with the week that contains ``today``; Daily has a row
for every channel and every day from the first of those Mondays up to ``today``. For the
weeks before the current one, Plan-Fact's facts are exactly the sums of the Daily rows,
with a conclusion and an action. In the current week only the plans are filled in, so a
sync takes that week's facts from Daily.

The numbers are built so that a sync run on ``today`` without ``--as-of`` finds breaches
of the template's stop rules whatever the weekday. That sync reports the latest week whose
report day (Friday) has come, as of its last day counted (:mod:`sheetops.sync.period`):

* a daily CPA (or CPL) rule: the last channel it covers spends more and sells less on
  each of the four days up to that day (at least one day more than the rule asks for),
  with spend above the rule's Min spend;
* a weekly unsubscribe-rate rule: the first channel it covers sends e-mails, and its
  unsubscribe rate is above the threshold on every day of the reported week and of the
  week before it.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sheetops.layout import Value
from sheetops.sync.period import default_as_of, week_start
from sheetops.tables import TARGET_COLUMNS
from sheetops.templates import Template, normalize
from sheetops.templates.model import ChannelSeed, StopRuleSeed
from sheetops.values import parse_threshold

if TYPE_CHECKING:
    from sheetops.provision import ChannelRow

WEEKS = 8
SEED = "sheetops demo"
WEEKEND_FACTOR = 0.6  # weekend days spend and sell less
DEFAULT_ORDER_VALUE = 400.0
DEFAULT_BUDGETS = (1000.0, 2500.0, 4000.0)  # for channels of the user's own, by position
LEAD_TO_ORDER = 0.25
BREACH_DAYS = 4

# Conclusion and action texts of past weeks, by language.
PHRASES = {
    "en": {
        "above": ("Above plan: revenue {dev} vs plan", "Keep the budget; test +10%"),
        "on_plan": ("On plan", "Keep going"),
        "below": ("Below plan: revenue {dev} vs plan", "Review creatives and bids"),
        "cost_up": ("Cost per order rising in the last days", "Check the creatives before spending more"),
        "unsubscribes": ("Unsubscribe rate {rate}: above the limit", "Rewrite the next e-mail"),
    },
    "ru": {
        "above": ("Выше плана: выручка {dev} к плану", "Сохраняем бюджет, тестируем +10%"),
        "on_plan": ("В плане", "Продолжаем"),
        "below": ("Ниже плана: выручка {dev} к плану", "Разбираем креативы и ставки"),
        "cost_up": ("Стоимость заказа растёт последние дни", "Проверяем креативы, прежде чем тратить больше"),
        "unsubscribes": ("Доля отписок {rate} — выше порога", "Переписываем следующее письмо"),
    },
}


@dataclass(frozen=True)
class DemoFacts:
    """Rows for Plan-Fact and Daily, each a mapping of column key to value."""

    plan_fact: tuple[dict[str, Value], ...]
    daily: tuple[dict[str, Value], ...]


@dataclass(frozen=True)
class _Profile:
    """How a channel behaves in the demo."""

    name: str
    budget: float
    target_cpl: float | None
    target_cpa: float | None
    order_value: float
    repeat_share: float

    @property
    def weekday_spend(self) -> float:
        """Spend on a weekday, so that a week spends the monthly budget x 7/30."""
        return self.budget * 7 / 30 / (5 + 2 * WEEKEND_FACTOR)


@dataclass
class _Plan:
    """Which days and channels the demo bends to breach stop rules."""

    cost_metric: str | None = None  # "cpa" or "cpl"
    cost_channel: str | None = None
    cost_threshold: float = 0.0
    cost_min_spend: float = 0.0
    cost_days: frozenset[dt.date] = frozenset()
    email_channel: str | None = None
    email_threshold: float = 0.0
    email_days: frozenset[dt.date] = frozenset()


def build_demo(template: Template, *, lang: str, channels: Sequence[ChannelRow], today: dt.date) -> DemoFacts:
    """About eight weeks of plans and facts for ``channels``, ending on ``today``."""
    rng = random.Random(f"{SEED} {today.isoformat()}")
    current = week_start(today)
    first = current - dt.timedelta(weeks=WEEKS - 1)
    days = [first + dt.timedelta(days=n) for n in range((today - first).days + 1)]
    profiles = [_profile(row, index) for index, row in enumerate(channels)]
    plan = _plan_breaches(template, channels, today)

    daily: list[dict[str, Value]] = []
    for day in days:
        for profile in profiles:
            daily.append(_day(rng, profile, day, plan))

    weeks = [first + dt.timedelta(weeks=n) for n in range(WEEKS)]
    by_week: dict[tuple[str, dt.date], list[dict[str, Value]]] = {}
    for row in daily:
        by_week.setdefault((str(row["channel"]), week_start(_date(row["date"]))), []).append(row)
    plan_fact: list[dict[str, Value]] = []
    for profile in profiles:
        past = [by_week.get((profile.name, monday), []) for monday in weeks if monday < current]
        plans = _plans(rng, profile, past)
        for monday in weeks:
            rows = by_week.get((profile.name, monday), [])
            plan_fact.append(_week(rng, profile, monday, rows, plans, monday < current, plan, lang))
    order = {profile.name: index for index, profile in enumerate(profiles)}
    plan_fact.sort(key=lambda r: (_date(r["week"]), order[str(r["channel"])]))
    return DemoFacts(tuple(plan_fact), tuple(daily))


def _date(value: Value) -> dt.date:
    assert isinstance(value, dt.date)
    return value


def _profile(row: ChannelRow, index: int) -> _Profile:
    seed = row.seed
    if seed is None:
        return _Profile(row.name, DEFAULT_BUDGETS[index % len(DEFAULT_BUDGETS)], None, None, DEFAULT_ORDER_VALUE, 0.15)
    order_value = DEFAULT_ORDER_VALUE
    if seed.target_cpa and seed.target_roas:
        order_value = seed.target_cpa * seed.target_roas * 1.1
    repeat_share = 0.6 if seed.group == "crm" else 0.15
    return _Profile(row.name, seed.monthly_budget or 0.0, seed.target_cpl, seed.target_cpa, order_value, repeat_share)


def _covers(rule: StopRuleSeed, row: ChannelRow) -> bool:
    scope = rule.channel.strip()
    if scope == "*":
        return True
    if row.seed is not None and row.seed.group == scope:
        return True
    names = {normalize(row.name)} | ({normalize(v) for v in row.seed.name.variants()} if row.seed else set())
    return normalize(scope) in names


def _target(seed: ChannelSeed | None, metric: str) -> float | None:
    column = TARGET_COLUMNS.get(metric)
    if seed is None or column is None:
        return None
    value: float | None = getattr(seed, column)
    return value


def _plan_breaches(template: Template, channels: Sequence[ChannelRow], today: dt.date) -> _Plan:
    plan = _Plan()
    reported = default_as_of(today)
    for rule in template.stop_rules:
        if rule.enabled != "yes" or rule.condition not in (">", ">="):
            continue
        threshold = parse_threshold(rule.threshold)
        covered = [row for row in channels if _covers(rule, row)]
        if rule.period == "day" and rule.metric in ("cpa", "cpl") and plan.cost_channel is None:
            usable = [(row, threshold.resolve(_target(row.seed, rule.metric))) for row in covered]
            usable = [(row, limit) for row, limit in usable if limit and row.seed and row.seed.monthly_budget]
            if usable:
                row, limit = usable[-1]
                count = max(BREACH_DAYS, rule.periods_in_a_row + 1)
                plan.cost_metric, plan.cost_channel = rule.metric, row.name
                plan.cost_threshold, plan.cost_min_spend = float(limit or 0.0), rule.min_spend or 0.0
                plan.cost_days = frozenset(reported - dt.timedelta(days=n) for n in range(count))
        elif rule.period == "week" and rule.metric == "unsubscribe_rate" and plan.email_channel is None and covered:
            if threshold.value is None:
                continue
            plan.email_channel, plan.email_threshold = covered[0].name, threshold.value
            start = week_start(reported) - dt.timedelta(weeks=1)
            plan.email_days = frozenset(start + dt.timedelta(days=n) for n in range((today - start).days + 1))
    if plan.email_channel is None:
        # Without such a rule the first CRM channel still sends e-mails, at a normal rate.
        plan.email_channel = next((r.name for r in channels if r.seed is not None and r.seed.group == "crm"), None)
    return plan


def _day(rng: random.Random, profile: _Profile, day: dt.date, plan: _Plan) -> dict[str, Value]:
    weekend = day.weekday() >= 5
    factor = WEEKEND_FACTOR if weekend else 1.0
    spend = round(profile.weekday_spend * factor * rng.uniform(0.85, 1.15))
    if profile.target_cpl and spend > 0:
        leads = math.ceil(spend / (profile.target_cpl * rng.uniform(0.75, 0.95)))
    else:
        leads = round(rng.uniform(2, 6) * factor)
    if profile.target_cpa and spend > 0:
        orders = math.ceil(spend / (profile.target_cpa * rng.uniform(0.85, 0.98)))
    else:
        orders = sum(rng.random() < LEAD_TO_ORDER for _ in range(leads))
    if profile.name == plan.cost_channel and day in plan.cost_days:
        spend = max(round(profile.weekday_spend * rng.uniform(1.15, 1.3)), math.ceil(plan.cost_min_spend * 1.5))
        allowed = math.floor(spend / (plan.cost_threshold * 1.3))
        if plan.cost_metric == "cpa":
            orders = allowed
        else:
            leads = allowed
            orders = min(orders, leads)
    leads = max(leads, orders)
    traffic = max(round(leads / rng.uniform(0.025, 0.05)), rng.randint(20, 60))
    revenue = round(orders * profile.order_value * rng.uniform(0.85, 1.15))
    row: dict[str, Value] = {
        "date": day,
        "channel": profile.name,
        "spend": spend,
        "traffic": traffic,
        "leads": leads,
        "orders": orders,
        "revenue": revenue,
    }
    if profile.name == plan.email_channel:
        sent = rng.randint(4000, 6000) if day.weekday() in (1, 3) else rng.randint(150, 400)
        if day in plan.email_days:
            unsubscribes = math.ceil(sent * plan.email_threshold * rng.uniform(1.4, 1.9))
        else:
            unsubscribes = round(sent * rng.uniform(0.002, 0.006))
        row["emails_sent"], row["unsubscribes"] = sent, unsubscribes
    return row


def _plans(rng: random.Random, profile: _Profile, weeks: Sequence[Sequence[dict[str, Value]]]) -> dict[str, Value]:
    """A steady weekly plan: the budget's share of a week, and about the usual results."""

    def usual(key: str) -> float:
        totals = [sum(v for d in week if isinstance(v := d.get(key), int)) for week in weeks]
        return sum(totals) / len(totals) * rng.uniform(0.95, 1.08) if totals else 0.0

    return {
        "spend_plan": round(profile.budget * 7 / 30 / 10) * 10,
        "leads_plan": round(usual("leads")),
        "orders_plan": round(usual("orders")),
        "revenue_plan": round(usual("revenue") / 10) * 10,
    }


def _week(
    rng: random.Random,
    profile: _Profile,
    monday: dt.date,
    days: Sequence[dict[str, Value]],
    plans: dict[str, Value],
    past: bool,
    plan: _Plan,
    lang: str,
) -> dict[str, Value]:
    row: dict[str, Value] = {"week": monday, "channel": profile.name, **plans}
    if not past:
        return row
    for key in ("spend", "leads", "orders", "revenue", "traffic", "emails_sent", "unsubscribes"):
        values = [d[key] for d in days if d.get(key) is not None]
        if values:
            row[key] = sum(v for v in values if isinstance(v, int))
    orders = row.get("orders")
    if isinstance(orders, int):
        repeat = min(orders, round(orders * profile.repeat_share * rng.uniform(0.8, 1.2)))
        row["repeat_orders"], row["new_customers"] = repeat, orders - repeat
    row["conclusion"], row["action"] = _conclusion(profile, row, days, plan, lang)
    return row


def _conclusion(
    profile: _Profile, row: dict[str, Value], days: Sequence[dict[str, Value]], plan: _Plan, lang: str
) -> tuple[str, str]:
    phrases = PHRASES.get(lang, PHRASES["en"])
    sent, unsubscribes = row.get("emails_sent"), row.get("unsubscribes")
    rate = unsubscribes / sent if isinstance(sent, int) and isinstance(unsubscribes, int) and sent else None
    if rate is not None and rate > plan.email_threshold > 0:
        text, action = phrases["unsubscribes"]
        return text.format(rate=_percent(rate, lang, 1)), action
    if profile.name == plan.cost_channel and any(_date(d["date"]) in plan.cost_days for d in days):
        return phrases["cost_up"]
    revenue, revenue_plan = row.get("revenue"), row.get("revenue_plan")
    if not isinstance(revenue, int) or not isinstance(revenue_plan, int) or not revenue_plan:
        return phrases["on_plan"]
    deviation = revenue / revenue_plan - 1
    kind = "above" if deviation >= 0.05 else "below" if deviation <= -0.05 else "on_plan"
    text, action = phrases[kind]
    return text.format(dev=_percent(deviation, lang, 0, signed=True)), action


def _percent(share: float, lang: str, digits: int, *, signed: bool = False) -> str:
    text = f"{share:+.{digits}%}" if signed else f"{share:.{digits}%}"
    return text.replace(".", ",") if lang == "ru" else text
