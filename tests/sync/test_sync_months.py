"""Monthly unit economics: tables of cases against answers computed by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sync_workbooks import Book, week_row

from sheetops.sync.engine import run_sync
from sheetops.sync.months import month_of, unit_economics, weeks_of_month

d = dt.date


@pytest.mark.parametrize(
    ("monday", "month"),
    [
        (d(2026, 11, 23), d(2026, 11, 1)),  # all seven days in November
        (d(2026, 11, 30), d(2026, 12, 1)),  # Thursday 3 December: four of its days are December's
        (d(2026, 9, 28), d(2026, 10, 1)),  # Thursday 1 October
        (d(2026, 10, 26), d(2026, 10, 1)),  # Thursday 29 October
        (d(2026, 12, 28), d(2026, 12, 1)),  # Thursday 31 December: stays in 2026
    ],
)
def test_a_week_counts_in_its_thursdays_month(monday: dt.date, month: dt.date) -> None:
    assert month_of(monday) == month


@pytest.mark.parametrize(
    ("month", "mondays"),
    [
        (d(2026, 11, 1), (d(2026, 11, 2), d(2026, 11, 9), d(2026, 11, 16), d(2026, 11, 23))),
        (d(2026, 10, 1), (d(2026, 9, 28), d(2026, 10, 5), d(2026, 10, 12), d(2026, 10, 19), d(2026, 10, 26))),
        (d(2026, 12, 1), (d(2026, 11, 30), d(2026, 12, 7), d(2026, 12, 14), d(2026, 12, 21), d(2026, 12, 28))),
    ],
)
def test_the_weeks_of_a_month(month: dt.date, mondays: tuple[dt.date, ...]) -> None:
    assert weeks_of_month(month) == mondays


NOVEMBER = (d(2026, 11, 2), d(2026, 11, 9), d(2026, 11, 16), d(2026, 11, 23))


@pytest.fixture
def book_with_a_month(book: Book) -> Book:
    """Gross margin 50%. Search ads: every week of November, with October's last week before.
    Blog: two weeks of November, the second without new customers."""
    book.plan_fact = [
        week_row("Search ads", d(2026, 10, 26), spend=400, leads=10, orders=4, revenue=2000, new_customers=4),
        *(week_row("Search ads", m, spend=500, leads=20, orders=5, revenue=3000, new_customers=5) for m in NOVEMBER),
        week_row("Blog", NOVEMBER[0], spend=100, leads=8, orders=2, revenue=600, new_customers=2),
        week_row("Blog", NOVEMBER[1], spend=100, leads=8, orders=2, revenue=600),
    ]
    return book


def _months(book: Book, as_of: dt.date) -> Any:
    analysis = book.analyze(as_of)
    return unit_economics(analysis.inputs.channels, analysis.facts, as_of, analysis.inputs.settings.gross_margin)


def test_a_channels_month_by_hand(book_with_a_month: Book) -> None:
    october, november = _months(book_with_a_month, d(2026, 11, 29))
    assert october.month == d(2026, 10, 1) and november.month == d(2026, 11, 1)
    search = next(c for c in november.channels if c.channel == "Search ads")
    assert (search.spend, search.new_customers, search.revenue) == (2000, 20, 12000)
    assert search.gross_profit == 6000  # 12,000 × 50%
    assert search.cac == 100  # 2,000 / 20
    assert search.ltv == pytest.approx(14000 * 0.5 / 24)  # October's week counts too: 2,000 + 12,000; 4 + 20
    assert search.ltv_cac == pytest.approx(291.6667 / 100, abs=1e-4)
    assert search.payback_months == pytest.approx(2000 / 6000)
    assert search.romi == 2.0  # (6,000 − 2,000) / 2,000
    assert search.complete and search.weeks == 4


def test_cac_counts_only_the_weeks_with_new_customers_and_says_so(book_with_a_month: Book) -> None:
    november = _months(book_with_a_month, d(2026, 11, 29))[1]
    blog = next(c for c in november.channels if c.channel == "Blog")
    assert (blog.spend, blog.new_customers) == (200, 2)
    assert blog.cac == 50  # 100 / 2: the second week's spend bought customers nobody counted
    assert blog.romi == pytest.approx((600 - 200) / 200)
    assert blog.incomplete == ("missing_weeks", "no_new_customers") and blog.missing_weeks == 2


def test_the_total_is_computed_from_the_sums(book_with_a_month: Book) -> None:
    total = _months(book_with_a_month, d(2026, 11, 29))[1].total
    assert (total.spend, total.new_customers, total.revenue) == (2200, 22, 13200)
    assert total.cac == pytest.approx(2100 / 22)  # Search 2,000 + Blog 100, over 20 + 2
    assert total.gross_profit == 6600
    assert total.romi == pytest.approx((6600 - 2200) / 2200)
    assert total.payback_months == pytest.approx(2200 / 6600)
    assert total.ltv == pytest.approx((14000 + 1200) * 0.5 / 26)
    assert total.incomplete == ("missing_weeks", "no_new_customers")


@pytest.mark.parametrize(
    ("as_of", "reasons"),
    [
        (d(2026, 11, 29), ()),  # the last week of November is over
        (d(2026, 11, 27), ("in_progress",)),  # its Friday: the month is not over
    ],
)
def test_a_month_in_progress_is_incomplete(book_with_a_month: Book, as_of: dt.date,
                                           reasons: tuple[str, ...]) -> None:
    november = _months(book_with_a_month, as_of)[-1]
    search = next(c for c in november.channels if c.channel == "Search ads")
    assert search.incomplete == reasons


def test_october_misses_the_weeks_before_the_data_began(book_with_a_month: Book) -> None:
    october = _months(book_with_a_month, d(2026, 11, 29))[0]
    (search,) = october.channels
    assert search.weeks == 1 and search.missing_weeks == 4 and "missing_weeks" in search.incomplete


def test_a_ratio_without_its_denominator_is_empty(book: Book) -> None:
    book.plan_fact = [week_row("Search ads", NOVEMBER[0], spend=0, leads=0, orders=0, revenue=0)]
    (november,) = _months(book, d(2026, 11, 8))
    (search,) = november.channels
    assert (search.cac, search.ltv, search.ltv_cac, search.payback_months, search.romi) == (None,) * 5


def test_sync_month_writes_the_unit_economics_tab_and_json(book_with_a_month: Book) -> None:
    backend = book_with_a_month.backend()
    report = run_sync(backend, book_with_a_month.template, as_of=d(2026, 11, 29), monthly=True)
    names = [t.name for t in report.changes.tabs]
    assert names == ["CMO Summary", "Unit economics"]
    rows = report.changes.tabs[1].rows
    header = next(i for i, r in enumerate(rows) if r and r[0].value == "Month")
    assert [c.value for c in rows[header]][:5] == ["Month", "Channel", "Spend", "New customers", "CAC"]
    first = [c.value for c in rows[header + 1]]
    assert first[:6] == ["2026-11", "Search ads", 2000, 20, 100, 12000]
    document = report.as_dict()
    assert [m["month"] for m in document["months"]] == ["2026-10", "2026-11"]
    assert document["months"][1]["total"]["cac"] == pytest.approx(2100 / 22)
    assert document["kpi_health"]["available"] is True


def test_the_friday_sync_leaves_the_tab_alone(book_with_a_month: Book) -> None:
    report = run_sync(book_with_a_month.backend(), book_with_a_month.template, as_of=d(2026, 11, 29))
    assert [t.name for t in report.changes.tabs] == ["CMO Summary"]
    assert report.as_dict()["kpi_health"] is None and report.as_dict()["months"] is None
