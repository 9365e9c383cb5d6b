"""The week-by-week trend the deck's charts draw: figures computed by hand."""

from __future__ import annotations

import datetime as dt

from sync_workbooks import MONDAY, Book, week_row

from sheetops.sync.trend import trend_weeks, weekly_trend

W = [MONDAY - dt.timedelta(weeks=i) for i in (3, 2, 1, 0)]  # oldest first


def test_the_mondays_of_the_last_weeks() -> None:
    assert trend_weeks(MONDAY, 4) == tuple(W)
    assert trend_weeks(MONDAY, 0) == (MONDAY,)  # at least the reported week


def test_each_week_of_each_channel_and_the_total_from_sums(book: Book) -> None:
    book.settings["Trend weeks"] = 4
    book.plan_fact = [
        week_row("Search ads", W[0], spend_plan=500, spend=400, orders=4, revenue=2000),
        week_row("Search ads", W[2], spend_plan=500, spend=600, orders=3, revenue=1800),
        week_row("Search ads", W[3], spend_plan=500, spend=300, orders=0, revenue=0),
        week_row("Blog", W[2], spend=100, orders=1, revenue=900),
    ]
    analysis = book.analyze(MONDAY + dt.timedelta(days=6))
    trend = weekly_trend(analysis.channels, analysis.facts, MONDAY, 4, analysis.inputs.settings.gross_margin)
    assert trend.weeks == tuple(W)
    search = trend.channels["Search ads"]
    assert search["spend"] == (400, None, 600, 300)  # no row for the second week: a gap, not 0
    assert search["cpa"] == (100, None, 200, None)  # 300 spent on no order: no number
    assert trend.channels["Blog"]["revenue"] == (None, None, 900, None)
    assert trend.totals["spend"] == (400, None, 700, 300)
    assert trend.totals["cpa"] == (100, None, 700 / 4, None)  # (600 + 100) / (3 + 1), not the mean of 200 and 100
    assert trend.totals["roas"] == (5, None, 2700 / 700, 0)
    assert trend.plan["spend"] == (500, None, 500, 500)
    assert trend.as_dict()["weeks"] == [w.isoformat() for w in W]
