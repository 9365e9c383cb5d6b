"""KPIs: ratios of fact components, null where undefined, infinite costs for the rules."""

from __future__ import annotations

import math

import pytest

from sheetops.sync.kpis import add_up, deviations, kpis, lifetime_value, metric_value, ratio

GROSS_MARGIN = 0.5


@pytest.mark.parametrize(
    ("metric", "values", "expected"),
    [
        ("cpl", {"spend": 300, "leads": 10}, 30.0),
        ("cpa", {"spend": 300, "orders": 2}, 150.0),
        ("cac", {"spend": 300, "new_customers": 3}, 100.0),
        ("cr", {"leads": 30, "traffic": 1000}, 0.03),
        ("roas", {"revenue": 1200, "spend": 300}, 4.0),
        ("romi", {"revenue": 1200, "spend": 300}, (1200 * 0.5 - 300) / 300),
        ("repeat_share", {"repeat_orders": 3, "orders": 12}, 0.25),
        ("unsubscribe_rate", {"unsubscribes": 18, "emails_sent": 1200}, 0.015),
        ("spend", {"spend": 300}, 300.0),
        ("orders", {"orders": 0}, 0.0),
        # money spent on nothing: above any threshold for the cost rules
        ("cpl", {"spend": 300, "leads": 0}, math.inf),
        ("cpa", {"spend": 300, "orders": 0}, math.inf),
        ("cac", {"spend": 300, "new_customers": 0}, math.inf),
        # nothing spent and nothing bought: undefined, not infinite
        ("cpa", {"spend": 0, "orders": 0}, None),
        # a missing denominator is undefined, not zero
        ("cpa", {"spend": 300}, None),
        ("cpa", {"spend": 300, "orders": None}, None),
        ("cr", {"leads": 30, "traffic": 0}, None),
        ("roas", {"revenue": 1200, "spend": 0}, None),
        ("romi", {"revenue": 1200, "spend": 0}, None),
        ("romi", {"spend": 300}, None),
        ("repeat_share", {"repeat_orders": 3, "orders": 0}, None),
        ("unsubscribe_rate", {"unsubscribes": 3, "emails_sent": 0}, None),
        ("unsubscribe_rate", {"unsubscribes": 3}, None),
    ],
)
def test_metric_value(metric: str, values: dict[str, float | None], expected: float | None) -> None:
    assert metric_value(metric, values, GROSS_MARGIN) == (pytest.approx(expected) if expected else expected)


def test_an_unknown_metric_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        metric_value("reach", {}, 1.0)


@pytest.mark.parametrize(("numerator", "denominator", "expected"), [
    (1, 4, 0.25), (0, 4, 0.0), (1, 0, None), (None, 4, None), (1, None, None),
])
def test_ratio(numerator: float | None, denominator: float | None, expected: float | None) -> None:
    assert ratio(numerator, denominator) == expected


def test_kpis_show_an_infinite_cost_as_null_and_take_ltv_as_given() -> None:
    found = kpis({"spend": 300, "leads": 0, "orders": 3, "revenue": 900}, GROSS_MARGIN, ltv=120.0)
    assert list(found) == ["cpl", "cpa", "cr", "roas", "romi", "cac", "ltv", "repeat_share", "unsubscribe_rate"]
    assert found["cpl"] is None
    assert found["cpa"] == 100.0
    assert found["roas"] == 3.0
    assert found["romi"] == pytest.approx(0.5)
    assert found["ltv"] == 120.0
    assert found["cr"] is None and found["cac"] is None


@pytest.mark.parametrize(
    ("fact", "plan", "expected"),
    [
        ({"spend": 1100}, {"spend": 1000}, {"spend": 0.1}),
        ({"spend": 900}, {"spend": 1000}, {"spend": -0.1}),
        ({"leads": 0}, {"leads": 10}, {"leads": -1.0}),
        ({"orders": 5}, {"orders": 0}, {"orders": None}),  # no plan to compare with
        ({"revenue": None}, {"revenue": 1000}, {"revenue": None}),  # no fact yet
        ({"revenue": 1000}, {"revenue": None}, {"revenue": None}),
    ],
)
def test_deviation_is_fact_minus_plan_over_plan(
    fact: dict[str, float | None], plan: dict[str, float | None], expected: dict[str, float | None]
) -> None:
    found = deviations(fact, plan)
    for key, value in expected.items():
        assert found[key] == (pytest.approx(value) if value is not None else None)


def test_add_up_keeps_an_unreported_component_null_rather_than_zero() -> None:
    total = add_up([{"spend": 100, "leads": None}, {"spend": 50.5, "leads": 2}, {"spend": None}], ("spend", "leads",
                                                                                                   "orders"))
    assert total == {"spend": 150.5, "leads": 2, "orders": None}


def test_totals_are_ratios_of_sums_never_averages_of_ratios() -> None:
    channels = [{"spend": 100, "orders": 1}, {"spend": 900, "orders": 9}, {"spend": 500, "orders": 0}]
    total = add_up(channels)
    # CPAs 100, 100 and infinite: the total is 1500 / 10, not a mean of the three
    assert metric_value("cpa", total, 1.0) == 150.0


@pytest.mark.parametrize(("revenue", "new_customers", "expected"), [
    (10_000, 20, 250.0),  # 10 000 x 0.5 / 20
    (10_000, 0, None),
    (None, 20, None),
    (10_000, None, None),
])
def test_lifetime_value(revenue: float | None, new_customers: float | None, expected: float | None) -> None:
    assert lifetime_value(revenue, new_customers, GROSS_MARGIN) == expected
