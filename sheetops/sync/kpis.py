"""KPIs from fact components. Pure functions of numbers; no I/O.

* CPL = spend / leads; CPA = spend / orders; CAC = spend / new customers;
* CR = leads / traffic; ROAS = revenue / spend; ROMI = (revenue x gross margin - spend) / spend;
* repeat share = repeat orders / orders; unsubscribe rate = unsubscribes / emails sent;
* LTV = cumulative revenue x gross margin / cumulative new customers, over every week up to
  the reported one;
* deviation = (fact - plan) / plan, for spend, leads, orders and revenue.

A ratio whose denominator is zero or missing is ``None``. For the stop rules, a cost with
money spent and nothing bought (spend above zero, zero leads, orders or new customers) is
``math.inf``: above any threshold, and shown as null. Totals are KPIs of summed
components, never an average of channel ratios.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from sheetops.sync.facts import FACT_KEYS, PLAN_KEYS

Numbers = Mapping[str, float | None]

KPI_KEYS: tuple[str, ...] = ("cpl", "cpa", "cr", "roas", "romi", "cac", "ltv", "repeat_share", "unsubscribe_rate")
# Costs: spend per one of these. Spend with none of them bought is an infinite cost.
COSTS = {"cpl": "leads", "cpa": "orders", "cac": "new_customers"}
# The input components of every metric a stop rule can judge: the cells a breach marks.
METRIC_INPUTS: dict[str, tuple[str, ...]] = {
    "spend": ("spend",),
    "leads": ("leads",),
    "orders": ("orders",),
    "revenue": ("revenue",),
    "cpl": ("spend", "leads"),
    "cpa": ("spend", "orders"),
    "cr": ("leads", "traffic"),
    "roas": ("revenue", "spend"),
    "romi": ("revenue", "spend"),
    "cac": ("spend", "new_customers"),
    "repeat_share": ("repeat_orders", "orders"),
    "unsubscribe_rate": ("emails_sent", "unsubscribes"),
}
# Metrics shown as percentages (fractions in the JSON); the others are money or plain numbers.
SHARES = frozenset({"cr", "romi", "repeat_share", "unsubscribe_rate"})
MONEY = frozenset({"spend", "revenue", "cpl", "cpa", "cac", "ltv"})


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, or None when either is missing or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def metric_value(metric: str, values: Numbers, gross_margin: float) -> float | None:
    """One metric of a period's facts; ``math.inf`` for money spent on nothing (costs only)."""
    spend = values.get("spend")
    if metric in COSTS:
        bought = values.get(COSTS[metric])
        if spend is not None and spend > 0 and bought == 0:
            return math.inf
        return ratio(spend, bought)
    if metric == "cr":
        return ratio(values.get("leads"), values.get("traffic"))
    if metric == "roas":
        return ratio(values.get("revenue"), spend)
    if metric == "romi":
        revenue = values.get("revenue")
        if revenue is None:
            return None
        return ratio(revenue * gross_margin - spend, spend) if spend is not None else None
    if metric == "repeat_share":
        return ratio(values.get("repeat_orders"), values.get("orders"))
    if metric == "unsubscribe_rate":
        return ratio(values.get("unsubscribes"), values.get("emails_sent"))
    if metric in METRIC_INPUTS:  # spend, leads, orders, revenue: the figure itself
        return values.get(metric)
    raise KeyError(metric)


def shown(value: float | None) -> float | None:
    """A metric as reported: an infinite cost has no number, so it is None."""
    return None if value is None or math.isinf(value) else value


def lifetime_value(revenue: float | None, new_customers: float | None, gross_margin: float) -> float | None:
    """Cumulative revenue x gross margin / cumulative new customers."""
    if revenue is None:
        return None
    return ratio(revenue * gross_margin, new_customers)


def kpis(values: Numbers, gross_margin: float, ltv: float | None = None) -> dict[str, float | None]:
    """Every KPI of the JSON contract (``ltv`` is cumulative, so it is passed in)."""
    found = {key: shown(metric_value(key, values, gross_margin)) for key in KPI_KEYS if key != "ltv"}
    found["ltv"] = ltv
    return {key: found[key] for key in KPI_KEYS}


def deviations(fact: Numbers, plan: Numbers) -> dict[str, float | None]:
    """(fact - plan) / plan for spend, leads, orders and revenue; None without both."""
    found: dict[str, float | None] = {}
    for key in PLAN_KEYS:
        actual, planned = fact.get(key), plan.get(key)
        if actual is None or planned is None:
            found[key] = None
        else:
            found[key] = ratio(actual - planned, planned)
    return found


def add_up(periods: Iterable[Numbers], keys: tuple[str, ...] = FACT_KEYS) -> dict[str, float | None]:
    """Component-wise sums; a component nobody reported stays None (not 0)."""
    totals: dict[str, float | None] = dict.fromkeys(keys)
    for values in periods:
        for key in keys:
            value = values.get(key)
            if value is not None:
                current = totals[key]
                totals[key] = value if current is None else current + value
    return totals
