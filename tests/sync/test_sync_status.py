"""The status of each channel for the week, in order of precedence."""

from __future__ import annotations

import datetime as dt

import pytest
from sync_workbooks import CPA_RULE, FRIDAY, MONDAY, Book, by_name, daily_run, week_row

from sheetops.sync.status import channel_status, watch_reasons
from sheetops.tables import Channel


def channel(status: str = "active", **targets: float) -> Channel:
    return Channel(row=1, name="Search ads", group="paid", owner="Anna", primary_kpi=None, monthly_budget=None,
                   target_cpl=targets.get("cpl"), target_cpa=targets.get("cpa"), target_roas=targets.get("roas"),
                   status=status)


GOOD = {"spend": 1000.0, "leads": 50.0, "orders": 10.0, "revenue": 5000.0}  # CPL 20, CPA 100, ROAS 5
PLAN = {"spend": 1000.0}
TARGETS = {"cpl": 40.0, "cpa": 160.0, "roas": 4.0}


@pytest.mark.parametrize(
    ("case", "status", "fact", "plan", "breached", "expected", "reasons"),
    [
        ("on target", "active", GOOD, PLAN, False, "ok", ()),
        ("a breach wins over everything", "active", GOOD, PLAN, True, "breach", ()),
        ("CPL above target", "active", {**GOOD, "leads": 20.0}, PLAN, False, "watch", ("cpl",)),
        ("CPA above target", "active", {**GOOD, "orders": 5.0}, PLAN, False, "watch", ("cpa",)),
        ("ROAS below target", "active", {**GOOD, "revenue": 3000.0}, PLAN, False, "watch", ("roas",)),
        ("spend 10.1% above plan", "active", {**GOOD, "spend": 1101.0, "leads": 60.0, "orders": 12.0,
                                              "revenue": 6000.0}, PLAN, False, "watch", ("spend",)),
        ("spend exactly 10% above plan", "active", {**GOOD, "spend": 1100.0, "leads": 60.0, "orders": 12.0,
                                                    "revenue": 6000.0}, PLAN, False, "ok", ()),
        ("no plan: nothing to overspend", "active", GOOD, {}, False, "ok", ()),
        ("no orders for the money is above target", "active", {**GOOD, "orders": 0.0}, PLAN, False, "watch",
         ("cpa",)),
        ("an active channel without facts", "active", None, PLAN, False, "no_data", ()),
        ("a testing channel without facts", "testing", None, PLAN, False, "no_data", ()),
        ("paused is listed as paused", "paused", None, PLAN, True, "paused", ()),
        ("stopped is listed as stopped", "stopped", GOOD, PLAN, False, "stopped", ()),
    ],
)
def test_channel_status(
    case: str, status: str, fact: dict[str, float] | None, plan: dict[str, float], breached: bool, expected: str,
    reasons: tuple[str, ...]
) -> None:
    found = channel_status(channel(status, **TARGETS), fact, plan, breached=breached, gross_margin=1.0)
    assert (found.status, found.reasons) == (expected, reasons)


def test_without_targets_only_overspend_is_watched() -> None:
    over = {**GOOD, "orders": 1.0, "spend": 2000.0}
    assert watch_reasons(channel(), over, PLAN, 1.0) == ("spend",)


def test_statuses_of_a_workbook(book: Book) -> None:
    book.rules = [dict(CPA_RULE)]
    book.plan_fact = [
        # Friday: 5 of 7 days, so 700 spent is on the pace of a 1,000 plan (714 to date)
        week_row("Search ads", spend_plan=1000, spend=700, leads=35, orders=7, revenue=3500),
        week_row("Blog", spend=300, leads=5),  # CPL 60 > 25
        week_row("PR", spend=100, leads=1),
    ]
    book.daily = daily_run("Social ads", MONDAY + dt.timedelta(days=2), spend=[300] * 3,
                           orders=[1] * 3, leads=[5] * 3, revenue=[0] * 3)
    statuses = {c.name: c.status for c in book.analyze().channels}
    assert statuses == {"Search ads": "ok", "Social ads": "breach", "Blog": "watch", "E-mail": "no_data",
                        "PR": "paused"}


@pytest.mark.parametrize(
    ("case", "as_of", "spend", "expected"),
    [
        ("Friday: 780 is within 10% of the plan to date (714)", FRIDAY, 780, "ok"),
        ("Friday: 800 is more than 10% over the plan to date", FRIDAY, 800, "watch"),
        ("Sunday: the whole plan counts, 1,000 is on plan", FRIDAY + dt.timedelta(days=2), 1000, "ok"),
        ("Sunday: 1,150 is more than 10% over the whole plan", FRIDAY + dt.timedelta(days=2), 1150, "watch"),
        ("Monday: one day of 200 is over the plan of one day (143)", MONDAY, 200, "watch"),
    ],
)
def test_overspend_is_judged_against_the_plan_to_date(
    book: Book, case: str, as_of: dt.date, spend: float, expected: str
) -> None:
    book.plan_fact = [week_row("Search ads", spend_plan=1000, spend=spend, leads=100, orders=100, revenue=100000)]
    assert by_name(book.analyze(as_of).channels, "Search ads").status == expected
