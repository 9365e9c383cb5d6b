"""The JSON document of ``sheetops sync --json``: the documented contract, field by field."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sync_workbooks import CPA_RULE, FRIDAY, MONDAY, Book, daily_run, week_row

from sheetops.sync.engine import run_sync

D = [MONDAY + dt.timedelta(days=i) for i in range(7)]
PLAN = ["spend", "leads", "orders", "revenue"]
FACT = ["spend", "leads", "orders", "revenue", "traffic", "new_customers", "repeat_orders", "emails_sent",
        "unsubscribes"]
KPI = ["cpl", "cpa", "cr", "roas", "romi", "cac", "ltv", "repeat_share", "unsubscribe_rate"]


@pytest.fixture
def document(book: Book) -> dict[str, Any]:
    book.rules = [dict(CPA_RULE)]
    book.plan_fact = [
        week_row("Search ads", MONDAY - dt.timedelta(days=7), spend=500, orders=2, revenue=3000, new_customers=2),
        week_row("Search ads", spend_plan=1000, spend=1100, leads_plan=50, leads=59, orders=4, revenue=4000,
                 traffic=2000, new_customers=2, repeat_orders=1),
        week_row("Blog", spend=0, leads=0, orders=0),
    ]
    book.daily = daily_run("Social ads", D[2], spend=[300, 300, 300], orders=[1, 1, 0], leads=[1, 1, 1],
                           revenue=[0, 0, 0])
    book.daily.append({"date": D[0], "channel": "Nobody", "spend": 1, "leads": 0, "orders": 0, "revenue": 0})
    report = run_sync(book.backend(), book.template, as_of=FRIDAY, dry_run=True)
    found: dict[str, Any] = json.loads(json.dumps(report.as_dict(), allow_nan=False))
    return found


def test_the_top_level(document: dict[str, Any]) -> None:
    assert list(document) == ["source", "as_of", "week", "period", "channels", "totals", "breaches", "resolved",
                              "decisions_since", "issues", "written", "trend", "months",
                              "kpi_health"]
    assert (document["as_of"], document["week"], document["written"]) == ("2026-11-27", "2026-11-23", False)
    assert document["period"] == {"week": "2026-11-23", "end": "2026-11-29", "as_of": "2026-11-27",
                                  "days_elapsed": 5, "days": 7, "complete": False, "report_day": "friday"}
    # no earlier sync in the log: compared with the same day a week before
    assert (document["decisions_since"], document["resolved"]) == ("2026-11-20", [])


def test_each_channel(document: dict[str, Any]) -> None:
    channels = {c["channel"]: c for c in document["channels"]}
    assert list(channels) == ["Search ads", "Social ads", "Blog", "E-mail", "PR"]
    search = channels["Search ads"]
    assert list(search) == ["channel", "group", "owner", "status", "plan", "fact", "kpi", "deviation",
                            "plan_to_date", "deviation_to_date", "fact_source", "month", "change_vs_last_week"]
    assert list(search["plan"]) == PLAN and list(search["fact"]) == FACT
    assert list(search["kpi"]) == KPI and list(search["deviation"]) == PLAN
    assert (search["group"], search["owner"], search["status"], search["fact_source"]) == \
        ("paid", "Anna Kuznetsova", "watch", "plan_fact")
    assert search["fact"]["spend"] == 1100 and search["plan"]["leads"] == 50
    # ratios are fractions: CR 59 / 2000 = 0.0295, not 2.95
    assert search["kpi"]["cr"] == pytest.approx(0.0295)
    assert search["kpi"]["cpa"] == 275 and search["kpi"]["roas"] == pytest.approx(4000 / 1100)
    assert search["kpi"]["romi"] == pytest.approx((4000 * 0.5 - 1100) / 1100)
    assert search["kpi"]["repeat_share"] == 0.25
    assert search["kpi"]["ltv"] == pytest.approx(7000 * 0.5 / 4)  # both weeks up to the as-of week
    assert search["deviation"] == {"spend": pytest.approx(0.1), "leads": pytest.approx(0.18), "orders": None,
                                   "revenue": None}
    # Friday: 5 of 7 days of the plan are due
    assert search["plan_to_date"] == {"spend": pytest.approx(1000 * 5 / 7), "leads": pytest.approx(50 * 5 / 7),
                                      "orders": None, "revenue": None}
    assert search["deviation_to_date"]["spend"] == pytest.approx(1100 / (1000 * 5 / 7) - 1)
    # November: the week of the 16th (typed in Plan-Fact, all in November) and this week up to Friday
    assert search["month"] == {"budget": None, "spend": 1600, "used": None, "days_elapsed": 27, "days": 30}
    # no Primary KPI in this workbook: revenue, this week against last week's pro rata (3,000 x 5/7)
    assert search["change_vs_last_week"] == {"metric": "revenue", "value": 4000,
                                             "last_week": pytest.approx(3000 * 5 / 7),
                                             "change": pytest.approx(4000 / (3000 * 5 / 7) - 1)}
    assert channels["Social ads"]["fact_source"] == "daily" and channels["Social ads"]["status"] == "breach"
    assert channels["E-mail"]["status"] == "no_data" and channels["E-mail"]["fact_source"] is None
    assert channels["PR"]["status"] == "paused"


def test_undefined_values_are_null(document: dict[str, Any]) -> None:
    blog = next(c for c in document["channels"] if c["channel"] == "Blog")
    assert blog["kpi"] == dict.fromkeys(KPI)  # zero spend, zero leads and orders: nothing is defined
    assert blog["fact"]["spend"] == 0 and blog["fact"]["traffic"] is None


def test_totals(document: dict[str, Any]) -> None:
    totals = document["totals"]
    assert list(totals) == ["plan", "fact", "kpi", "deviation", "plan_to_date", "deviation_to_date",
                            "deviation_left_out", "month"]
    # only Search ads has a spend and a leads plan: Social ads and Blog have facts without one and
    # are left out; nobody planned orders or revenue, so there is nothing to compare
    assert totals["deviation"] == {"spend": pytest.approx(0.1), "leads": pytest.approx(0.18), "orders": None,
                                   "revenue": None}
    assert totals["deviation_left_out"] == {"spend": ["Social ads", "Blog"], "leads": ["Social ads", "Blog"],
                                            "orders": ["Search ads", "Social ads", "Blog"],
                                            "revenue": ["Search ads", "Social ads"]}
    assert totals["fact"]["spend"] == 1100 + 900 + 0
    assert totals["fact"]["orders"] == 4 + 2 + 0
    assert totals["kpi"]["cpa"] == pytest.approx(2000 / 6)


def test_each_breach(document: dict[str, Any]) -> None:
    (breach,) = document["breaches"]
    assert breach == {
        "rule": CPA_RULE["rule"],
        "channel": "Social ads",
        "metric": "cpa",
        "period": "day",
        "threshold": 150,
        "periods": ["2026-11-25", "2026-11-26", "2026-11-27"],
        "values": [300, 300, None],  # the last day's CPA is infinite: money spent on no orders
        "streak": 3,
        "action": "stop",
        "owner": "Anna Kuznetsova",
        "state": "new",
    }


def test_each_issue(document: dict[str, Any]) -> None:
    (issue,) = document["issues"]
    assert list(issue) == ["cell", "message", "severity", "code"]
    assert issue["code"] == "unknown_channel"
    assert issue["cell"] == "Daily!B5" and issue["severity"] == "error"
    assert "'Nobody' is not a channel in Channels" in issue["message"]
