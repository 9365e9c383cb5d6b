"""The reported period: which week, how much of it, which breaches are current, what counts."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from rich.console import Console
from sync_workbooks import (
    CPA_RULE,
    FRIDAY,
    LAST_MONDAY,
    MONDAY,
    ROMI_RULE,
    UNSUBSCRIBE_RULE,
    Book,
    by_name,
    daily_run,
    week_row,
)

from sheetops.render import print_sync
from sheetops.sync.engine import build_write, run_sync
from sheetops.sync.period import ReportPeriod, report_period
from sheetops.workbook import Sheet

D = [MONDAY + dt.timedelta(days=i) for i in range(7)]  # Mon 23 .. Sun 29 November 2026
SUNDAY_BEFORE = MONDAY - dt.timedelta(days=1)


# -- which week a sync reports ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "today", "report_day", "as_of", "week", "reported_as_of"),
    [
        ("Monday: last week, as of its Sunday", D[0], 4, None, LAST_MONDAY, SUNDAY_BEFORE),
        ("Thursday: still last week", D[3], 4, None, LAST_MONDAY, SUNDAY_BEFORE),
        ("Friday: this week, as of today", D[4], 4, None, MONDAY, D[4]),
        ("Saturday: this week, as of today", D[5], 4, None, MONDAY, D[5]),
        ("Sunday: this week, the whole of it", D[6], 4, None, MONDAY, D[6]),
        ("report day Monday: this week from Monday on", D[0], 0, None, MONDAY, D[0]),
        ("report day Sunday: last week until Sunday", D[5], 6, None, LAST_MONDAY, SUNDAY_BEFORE),
        ("an explicit --as-of: the week that contains it", D[0], 4, D[1], MONDAY, D[1]),
        ("an explicit --as-of in the past", D[4], 4, dt.date(2026, 11, 4), dt.date(2026, 11, 2),
         dt.date(2026, 11, 4)),
    ],
)
def test_the_reported_week(
    case: str, today: dt.date, report_day: int, as_of: dt.date | None, week: dt.date, reported_as_of: dt.date
) -> None:
    period = report_period(today=today, report_day=report_day, as_of=as_of)
    assert (period.week, period.as_of) == (week, reported_as_of)


@pytest.mark.parametrize(
    ("as_of", "days", "complete", "judged_week", "current_since"),
    [
        (D[0], 1, False, LAST_MONDAY, LAST_MONDAY),  # Monday: this week's report day has not come
        (D[3], 4, False, LAST_MONDAY, LAST_MONDAY),
        (D[4], 5, False, MONDAY, LAST_MONDAY),  # Friday: the week is judged, last week's streaks still count
        (D[6], 7, True, MONDAY, MONDAY),  # Sunday: the whole week, only its own streaks are current
    ],
)
def test_how_much_of_the_week_has_passed(
    as_of: dt.date, days: int, complete: bool, judged_week: dt.date, current_since: dt.date
) -> None:
    period = ReportPeriod(MONDAY, as_of, report_day=4)
    assert (period.days_elapsed, period.complete, period.judged_week, period.current_since) == \
        (days, complete, judged_week, current_since)
    assert period.pace == pytest.approx(days / 7)


def test_the_report_day_is_read_from_settings_in_either_language(any_lang: str) -> None:
    book = Book(lang=any_lang)
    book.settings["Report day" if any_lang == "en" else "День отчёта"] = "Monday" if any_lang == "en" else "Понедельник"
    assert book.analyze(D[0]).inputs.settings.report_day == 0


def test_an_unknown_report_day_is_a_finding_and_friday_is_used(book: Book) -> None:
    book.settings["Report day"] = "Payday"
    analysis = book.analyze(D[4])
    assert analysis.inputs.settings.report_day == 4
    (finding,) = [i for i in analysis.issues if i.cell and i.cell.startswith("Settings")]
    assert finding.code == "bad_setting" and "'Friday'" in finding.message


def test_without_as_of_a_monday_sync_reports_last_week_whole(book: Book) -> None:
    book.plan_fact = [week_row("Search ads", LAST_MONDAY, spend_plan=700, spend=700),
                      week_row("Search ads", MONDAY, spend_plan=700)]
    book.daily = daily_run("Search ads", MONDAY, spend=[100])  # Monday's first day of facts
    analysis = book.analyze(None, today=D[0])
    assert (analysis.week, analysis.as_of, analysis.period.complete) == (LAST_MONDAY, SUNDAY_BEFORE, True)
    search = by_name(analysis.channels, "Search ads")
    assert search.figures.fact["spend"] == 700 and search.figures.deviation["spend"] == 0
    assert search.figures.deviation_to_date == search.figures.deviation  # a whole week: the same


# -- a week in progress --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "as_of", "spend", "deviation", "to_date"),
    [
        ("Monday, one day of 100: -86% of the week, on pace", D[0], [100], 100 / 700 - 1, 0.0),
        ("Friday, five days of 100: -29% of the week, on pace", D[4], [100] * 5, 500 / 700 - 1, 0.0),
        ("Friday, five days of 120: 20% ahead of pace", D[4], [120] * 5, 600 / 700 - 1, 0.2),
        ("Sunday: the whole week", D[6], [100] * 7, 0.0, 0.0),
    ],
)
def test_a_week_in_progress_is_also_compared_with_the_plan_to_date(
    book: Book, case: str, as_of: dt.date, spend: list[float], deviation: float, to_date: float
) -> None:
    book.plan_fact = [week_row("Search ads", spend_plan=700)]
    book.daily = daily_run("Search ads", MONDAY, spend=spend, leads=[1] * len(spend), orders=[1] * len(spend),
                           revenue=[0] * len(spend))
    figures = by_name(book.analyze(as_of).channels, "Search ads").figures
    assert figures.deviation["spend"] == pytest.approx(deviation)  # kept as it was: fact against the whole plan
    assert figures.deviation_to_date["spend"] == pytest.approx(to_date, abs=1e-12)
    assert figures.plan_to_date["spend"] == pytest.approx(700 * min(len(spend), (as_of - MONDAY).days + 1) / 7)


def test_daily_rows_after_the_as_of_day_do_not_count(book: Book) -> None:
    book.plan_fact = [week_row("Blog", spend_plan=700)]
    book.daily = daily_run("Blog", MONDAY, spend=[10, 20, 30, 40, 50, 60, 70], leads=[1] * 7, orders=[0] * 7,
                           revenue=[0] * 7)
    analysis = book.analyze(D[2])
    blog = by_name(analysis.channels, "Blog")
    assert blog.figures.fact["spend"] == 60  # Monday to Wednesday
    assert analysis.facts.week("Blog", MONDAY).cells("spend") == (("Daily", 1, 2), ("Daily", 2, 2), ("Daily", 3, 2))
    assert analysis.facts.day("Blog", D[3]) is None


def test_a_fact_typed_in_plan_fact_still_wins_in_a_week_cut_at_the_as_of_day(book: Book) -> None:
    book.plan_fact = [week_row("Blog", spend=500)]
    book.daily = daily_run("Blog", MONDAY, spend=[10] * 7, leads=[1] * 7, orders=[0] * 7, revenue=[0] * 7)
    blog = by_name(book.analyze(D[2]).channels, "Blog")
    assert (blog.figures.fact["spend"], blog.figures.fact["leads"]) == (500, 3)


# -- week rules wait for the report day ------------------------------------------------------------------


def unsubscribes(rows: dict[dt.date, tuple[int, int]]) -> list[dict[str, Any]]:
    """Daily rows of E-mail: day -> (sent, unsubscribed)."""
    return [{"date": d, "channel": "E-mail", "spend": 0, "leads": 0, "orders": 0, "revenue": 0, "emails_sent": s,
             "unsubscribes": u} for d, (s, u) in sorted(rows.items())]


@pytest.mark.parametrize(
    ("case", "days", "as_of", "expected"),
    [
        ("Monday, one bad day this week: not judged before Friday", {D[0]: (1000, 50)}, D[0], []),
        ("Friday: the week so far is judged", {D[0]: (1000, 50), D[4]: (1000, 0)}, D[4], [MONDAY]),
        ("Monday: last week's breach is still the decision", {LAST_MONDAY: (1000, 50), D[0]: (1000, 0)}, D[0],
         [LAST_MONDAY]),
        ("Friday: last week's breach is still current while this week is in progress",
         {LAST_MONDAY: (1000, 50)}, D[4], [LAST_MONDAY]),
        ("Sunday: only this week's own breaches are current", {LAST_MONDAY: (1000, 50)}, D[6], []),
    ],
)
def test_a_week_rule_judges_a_week_once_its_report_day_has_come(
    book: Book, case: str, days: dict[dt.date, tuple[int, int]], as_of: dt.date, expected: list[dt.date]
) -> None:
    book.rules = [dict(UNSUBSCRIBE_RULE)]
    book.daily = unsubscribes(days)
    found = [b.periods[-1].start for b in book.analyze(as_of).breaches]
    assert found == expected


# -- stale breaches --------------------------------------------------------------------------------------

BAD = {"spend": [300] * 3, "orders": [1] * 3, "leads": [5] * 3, "revenue": [0] * 3}


@pytest.mark.parametrize(
    ("case", "first_bad_day", "as_of", "current"),
    [
        ("ends on the as-of day", D[2], D[4], True),
        ("ends earlier in the reported week", D[0], D[4], True),
        ("ends last week, this week in progress", LAST_MONDAY + dt.timedelta(days=4), D[4], True),
        ("ends last week, this week whole", LAST_MONDAY + dt.timedelta(days=4), D[6], False),
        ("ended weeks ago", MONDAY - dt.timedelta(weeks=5), D[4], False),
        ("a year later", D[0], dt.date(2027, 11, 26), False),
    ],
)
def test_a_breach_is_a_decision_only_while_it_is_current(
    book: Book, case: str, first_bad_day: dt.date, as_of: dt.date, current: bool
) -> None:
    book.rules = [dict(CPA_RULE)]
    book.daily = daily_run("Social ads", first_bad_day, **BAD)
    analysis = book.analyze(as_of)
    assert bool(analysis.breaches) is current
    assert (by_name(analysis.channels, "Social ads").status == "breach") is current


def test_a_date_past_all_the_data_gets_a_warning(book: Book) -> None:
    book.plan_fact = [week_row("Search ads", spend=100, leads=1, orders=1, revenue=100)]
    analysis = book.analyze(dt.date(2027, 11, 27))
    (warning,) = analysis.issues
    assert (warning.cell, warning.severity, warning.code) == (None, "warning", "no_facts_for_week")
    assert "2027-11-22" in warning.message and "2026-11-23" in warning.message and "--as-of" in warning.message
    assert book.analyze(FRIDAY).issues == ()


def test_a_workbook_without_any_facts_gets_no_such_warning(book: Book) -> None:
    assert book.analyze(FRIDAY).issues == ()


# -- totals compare like with like --------------------------------------------------------------------------


def test_total_vs_plan_leaves_out_the_channels_without_a_plan_and_says_so(book: Book) -> None:
    book.plan_fact = [
        week_row("Search ads", spend_plan=1000, spend=1000, revenue_plan=5000, revenue=5000),
        week_row("Blog", spend=1690, revenue=300),  # no plan: the old total said +169%
        week_row("E-mail", spend_plan=200, revenue_plan=800),  # a plan without facts
    ]
    analysis = book.analyze(D[6])
    totals = analysis.totals
    assert totals.deviation == {"spend": 0.0, "leads": None, "orders": None, "revenue": 0.0}
    assert totals.left_out["spend"] == ("Blog", "E-mail")
    assert totals.plan["spend"] == 1200 and totals.fact["spend"] == 2690  # the sums themselves are all there
    # ...and the summary and the terminal say what was left out, in the workbook's language
    (summary_tab,) = build_write(analysis, log_row=()).tabs
    note = "Total vs plan compares only the channels with both a plan and facts; left out: Blog (no plan), " \
           "E-mail (no facts)."
    assert [c.value for row in summary_tab.rows for c in row if c.value == note] == [note]
    printed = Console(width=200, record=True, file=io.StringIO())
    print_sync(run_sync(book.backend(), book.template, as_of=D[6], dry_run=True), console=printed)
    assert note in printed.export_text()


# -- month to date against the monthly budget --------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "plan_fact", "daily", "as_of", "spend"),
    [
        ("Daily days of the month up to the as-of day", [], {dt.date(2026, 11, 1): 100, D[0]: 50, D[4]: 70,
                                                               D[5]: 1000}, D[4], 220),
        ("a week typed in Plan-Fact counts by its days in the month",
         [week_row("Search ads", dt.date(2026, 10, 26), spend=700)], {}, D[4], 100),  # 1 Nov is its 7th day
        ("Daily wins day by day where the week was summed from it",
         [week_row("Search ads", dt.date(2026, 11, 30), spend_plan=100)], {dt.date(2026, 12, 1): 40},
         dt.date(2026, 12, 2), 40),
        ("nothing spent this month", [], {dt.date(2026, 10, 30): 100}, D[4], None),
    ],
)
def test_month_to_date_spend_against_the_monthly_budget(
    book: Book, case: str, plan_fact: list[dict[str, Any]], daily: dict[dt.date, float], as_of: dt.date,
    spend: float | None,
) -> None:
    book.channels[0]["monthly_budget"] = 4000
    book.plan_fact = plan_fact
    book.daily = [{"date": d, "channel": "Search ads", "spend": s, "leads": 1, "orders": 1, "revenue": 0}
                  for d, s in daily.items()]
    month = by_name(book.analyze(as_of).channels, "Search ads").month
    assert month is not None
    assert (month.budget, month.spend) == (4000, spend)
    assert month.used == (spend / 4000 if spend is not None else None)
    assert (month.days_elapsed, month.days) == (as_of.day, 30 if as_of.month == 11 else 31)


# -- change against last week --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "primary_kpi", "last", "this", "as_of", "change"),
    [
        ("CPA up from 100 to 120", "CPA", {"spend": 1000, "orders": 10}, {"spend": 1200, "orders": 10}, D[6], 0.2),
        ("no Primary KPI: revenue", None, {"revenue": 1000}, {"revenue": 900}, D[6], -0.1),
        ("a count in a week in progress is compared pro rata", "Leads", {"leads": 70}, {"leads": 50}, D[4], 0.0),
        ("no last week: nothing to compare", "CPA", None, {"spend": 100, "orders": 1}, D[6], None),
    ],
)
def test_the_main_kpi_against_last_week(
    book: Book, case: str, primary_kpi: str | None, last: dict[str, float] | None, this: dict[str, float],
    as_of: dt.date, change: float | None,
) -> None:
    book.channels[0]["primary_kpi"] = primary_kpi
    book.plan_fact = [week_row("Search ads", **this)]
    if last is not None:
        book.plan_fact.append(week_row("Search ads", LAST_MONDAY, **last))
    found = by_name(book.analyze(as_of).channels, "Search ads").change
    assert found is not None
    assert found.change == (pytest.approx(change) if change is not None else None)


# -- new, still open, resolved -----------------------------------------------------------------------------


def log_tab(*as_of: dt.date) -> Sheet:
    return Sheet("Sync Log", [["When", "As of", "Rows read", "Breaches", "Issues", "Duration, s", "Result"],
                              *[[f"{d} 17:00:00", d, 1, 0, 0, 0.1, "ok"] for d in as_of]])


def test_decisions_are_new_still_open_or_resolved_since_the_last_report_of_an_earlier_week(book: Book) -> None:
    book.rules = [dict(CPA_RULE), dict(ROMI_RULE)]
    book.channels[3]["target_cpa"] = 40
    # Social ads: bad since last Wednesday (still open); Search ads: bad from this Wednesday (new);
    # E-mail: ROMI below 0 in the two weeks before last week, then fine (resolved).
    book.daily = [
        *daily_run("Social ads", LAST_MONDAY + dt.timedelta(days=2), spend=[300] * 10, orders=[1] * 10,
                   leads=[5] * 10, revenue=[700] * 10),  # ROMI above 0: only the CPA rule
        *daily_run("Search ads", D[2], spend=[900] * 3, orders=[1] * 3, leads=[5] * 3, revenue=[0] * 3),
    ]
    book.plan_fact = [
        week_row("E-mail", LAST_MONDAY - dt.timedelta(weeks=1), spend=500, revenue=100),
        week_row("E-mail", LAST_MONDAY, spend=500, revenue=100),
        week_row("E-mail", MONDAY, spend=500, revenue=5000),
    ]
    book.extra_tabs = (log_tab(dt.date(2026, 11, 13), LAST_MONDAY + dt.timedelta(days=4), FRIDAY),)
    analysis = book.analyze(FRIDAY)
    decisions = analysis.decisions
    assert decisions.since == LAST_MONDAY + dt.timedelta(days=4)  # today's own log row is not "the last report"
    states = {(b.channel.name, decisions.state(b)) for b in analysis.breaches}
    assert states == {("Social ads", "open"), ("Search ads", "new")}
    assert [(b.channel.name, b.rule.name) for b in decisions.resolved] == [("E-mail", ROMI_RULE["rule"])]


def test_without_a_log_decisions_are_compared_with_a_week_before(book: Book) -> None:
    book.rules = [dict(CPA_RULE)]
    book.daily = daily_run("Social ads", D[2], spend=[300] * 3, orders=[1] * 3, leads=[5] * 3, revenue=[0] * 3)
    analysis = book.analyze(FRIDAY)
    assert analysis.decisions.since == FRIDAY - dt.timedelta(weeks=1)
    assert [analysis.decisions.state(b) for b in analysis.breaches] == ["new"]
