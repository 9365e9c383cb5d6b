"""The CMO Summary's charts and sparklines as data: what they show and which cells they read."""

from __future__ import annotations

from typing import Any

import pytest
from sync_workbooks import Book
from test_sync_summary import a_week, row_starting, summary_of, write_of

from sheetops.layout import CellRange, TabLayout
from sheetops.sync.summary import CHART_ROWS, target_share


def cells(tab: TabLayout, cells: CellRange) -> list[Any]:
    return [tab.rows[r][c].value if c < len(tab.rows[r]) else None
            for r in range(cells.first_row, cells.last_row + 1) for c in range(cells.first_col, cells.last_col + 1)]


@pytest.mark.parametrize(("metric", "value", "target", "share"), [
    ("cpa", 80.0, 100.0, 1.25),  # a cost under target: better
    ("cpa", 125.0, 100.0, 0.8),
    ("cpl", 10.0, 10.0, 1.0),
    ("roas", 5.0, 4.0, 1.25),  # a return over target: better
    ("roas", 2.0, 4.0, 0.5),
    ("cpa", None, 100.0, None),
    ("cpa", 80.0, None, None),
    ("cpa", 0.0, 100.0, None),  # nothing spent per order: no share
    ("cpa", float("inf"), 100.0, None),  # spent on nothing
    ("roas", 3.0, 0.0, None),
])
def test_a_kpi_against_its_target(metric: str, value: float | None, target: float | None,
                                  share: float | None) -> None:
    assert target_share(metric, value, target) == (pytest.approx(share) if share is not None else None)


def with_main_kpis(book: Book) -> Book:
    """The week of test_sync_summary, with a Primary KPI for three channels."""
    a_week(book)
    for channel, kpi in zip(book.channels, ("CPA", "ROAS", "CPL"), strict=False):
        channel["primary_kpi"] = kpi
    return book


def test_spend_and_revenue_by_week_against_plan(book: Book) -> None:
    tab = summary_of(with_main_kpis(book))
    report = book.analyze()
    money = next(c for c in tab.charts if c.key == "spend_revenue")
    trend = report.trend
    assert trend is not None
    assert cells(tab, money.categories) == list(trend.weeks)
    assert [(s.name, s.line) for s in money.series] == [
        ("Spend fact", False), ("Revenue fact", False), ("Spend plan", True), ("Revenue plan", True)]
    shown = [cells(tab, s.values) for s in money.series]
    assert shown == [list(trend.totals["spend"]), list(trend.totals["revenue"]), list(trend.plan["spend"]),
                     list(trend.plan["revenue"])]
    assert shown[0][-1] == 700 + 900 + 50  # this week: Search ads, Social ads and Blog
    assert shown[0][:-1] == [None] * 7  # weeks without facts stay empty, never 0
    assert money.header_row is not None
    names = [s.name for s in money.series]
    assert [tab.rows[money.header_row][s.values.first_col].value for s in money.series] == names


def test_each_channels_main_kpi_against_its_target(book: Book) -> None:
    tab = summary_of(with_main_kpis(book))
    report = {c.name: c for c in book.analyze().channels}
    kpi = next(c for c in tab.charts if c.key == "kpi_target")
    labels = cells(tab, kpi.categories)
    shares = dict(zip(labels, cells(tab, kpi.series[0].values), strict=True))
    assert set(cells(tab, kpi.series[1].values)) == {1.0}  # the target line
    search, social, blog = (report[n].figures.kpi for n in ("Search ads", "Social ads", "Blog"))
    assert search["cpa"] == 70 and blog["cpl"] == pytest.approx(50 / 3)
    assert shares == {
        "Search ads: CPA": pytest.approx(160 / 70),  # a CPA of 70 against 160: 2.3 times better than target
        "Social ads: ROAS": pytest.approx(social["roas"] / 3.5),
        "Blog: CPL": pytest.approx(25 / (50 / 3)),
    }


def test_no_kpi_chart_without_a_main_kpi_with_a_target(book: Book) -> None:
    tab = summary_of(a_week(book))  # no channel names a Primary KPI
    assert [c.key for c in tab.charts] == ["spend_revenue"]


def test_the_charts_sit_on_empty_rows_under_their_title(book: Book) -> None:
    tab = summary_of(with_main_kpis(book))
    title = next(i for i, row in enumerate(tab.rows) if row[:1] and row[0].value == "Charts")
    assert [c.anchor for c in tab.charts] == [(title + 1, 0), (title + 1, 4)]
    assert all(not row for row in tab.rows[title + 1 : title + 1 + CHART_ROWS])
    for chart in tab.charts:
        for cells_ in (chart.categories, *(s.values for s in chart.series)):
            assert title + CHART_ROWS < cells_.first_row <= cells_.last_row < len(tab.rows)


def test_a_sparkline_beside_each_status_draws_the_main_kpi_by_week(book: Book) -> None:
    tab = summary_of(with_main_kpis(book))
    report = book.analyze()
    header = [c.value for c in tab.rows[3]]
    assert header[1:3] == ["Status", "Main KPI, last weeks"]
    by_row = {line.row: line for line in tab.sparklines}
    for name, metric in (("Search ads", "cpa"), ("Social ads", "roas")):
        row = next(i for i, r in enumerate(tab.rows) if r[:1] and r[0].value == name)
        line = by_row[row]
        assert line.col == 2 and tab.rows[row][2].value is None  # the cell holds nothing but the line
        assert report.trend is not None
        assert cells(tab, line.values) == list(report.trend.channels[name][metric])
        assert line.values.first_row == line.values.last_row
        assert row_starting(tab, name)[1].value in ("OK", "Breach", "Watch")


def test_no_sparkline_for_a_channel_without_figures(book: Book) -> None:
    tab = summary_of(a_week(book))
    rows = {line.row for line in tab.sparklines}
    email = next(i for i, r in enumerate(tab.rows) if r[:1] and r[0].value == "E-mail")
    assert email not in rows


def test_the_same_week_gives_the_same_charts(book: Book) -> None:
    a_week(book)
    assert write_of(book).tabs[0].charts == write_of(book).tabs[0].charts
