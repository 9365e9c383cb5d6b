"""Facts of a week and a day: Plan-Fact first, empty fact cells from Daily; bad cells as issues."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from sync_workbooks import FRIDAY, MONDAY, Book, Row, daily_run, week_row

from sheetops.sync.engine import analyze
from sheetops.sync.period import week_start
from sheetops.values import CellError, UncomputedFormula
from sheetops.workbook import Columns


def test_a_week_is_its_plan_fact_row(book: Book) -> None:
    book.plan_fact = [week_row("Blog", spend_plan=400, spend=380, leads=16, orders=2, revenue=900, conclusion="ok")]
    fact = book.analyze().facts.week("Blog", MONDAY)
    assert fact is not None
    assert fact.values["spend"] == 380 and fact.values["leads"] == 16 and fact.values["traffic"] is None
    assert fact.plan == {"spend": 400, "leads": None, "orders": None, "revenue": None}
    assert fact.conclusion == "ok"
    assert fact.fact_source == "plan_fact"
    assert fact.cells("spend") == (("Plan-Fact", 1, 3),)  # Plan-Fact!D2


def test_an_empty_fact_cell_is_taken_from_the_sum_of_that_weeks_daily_rows(book: Book) -> None:
    book.plan_fact = [week_row("Blog", spend=380, revenue=900)]  # leads and orders left empty
    book.daily = [
        *daily_run("Blog", MONDAY, spend=[50, 60, 70], leads=[1, 2, 3], orders=[0, 1, 0], revenue=[0, 0, 0]),
        # Sunday of the week before
        *daily_run("Blog", MONDAY - dt.timedelta(days=1), spend=[99], leads=[100], orders=[0], revenue=[0]),
    ]
    fact = book.analyze().facts.week("Blog", MONDAY)
    assert fact is not None
    assert fact.values["spend"] == 380  # typed in Plan-Fact: Daily's 180 is not used
    assert fact.values["leads"] == 6 and fact.values["orders"] == 1
    assert fact.fact_source == "mixed"
    assert fact.cells("spend") == (("Plan-Fact", 1, 3),)
    # leads came from Daily rows 2-4 (column E), the rows summed
    assert fact.cells("leads") == (("Daily", 1, 4), ("Daily", 2, 4), ("Daily", 3, 4))


def test_a_week_with_only_daily_rows_still_has_facts(book: Book) -> None:
    book.daily = daily_run("Search ads", MONDAY, spend=[100, 100], leads=[3, 4], orders=[1, 0], revenue=[500, 0])
    fact = book.analyze().facts.week("Search ads", MONDAY)
    assert fact is not None and fact.has_data
    assert fact.values["spend"] == 200 and fact.values["leads"] == 7 and fact.values["new_customers"] is None
    assert fact.fact_source == "daily"
    assert all(v is None for v in fact.plan.values())


def test_a_plan_alone_is_not_a_report(book: Book) -> None:
    book.plan_fact = [week_row("Blog", spend_plan=400, leads_plan=20)]
    fact = book.analyze().facts.week("Blog", MONDAY)
    assert fact is not None and not fact.has_data and fact.fact_source is None


def test_a_day_is_its_daily_row(book: Book) -> None:
    book.daily = daily_run("Search ads", MONDAY, spend=[100, 120], orders=[1, 0], leads=[2, 2], revenue=[0, 0])
    facts = book.analyze().facts
    tuesday = facts.day("Search ads", MONDAY + dt.timedelta(days=1))
    assert tuesday is not None
    assert tuesday.values["spend"] == 120 and tuesday.values["orders"] == 0
    assert tuesday.cells("orders") == (("Daily", 2, 5),)  # Daily!F3
    assert facts.day("Search ads", MONDAY + dt.timedelta(days=2)) is None


@pytest.mark.parametrize(
    ("number_format", "typed", "expected"),
    [
        ("en", 1234.5, 1234.5),
        ("en", 1234, 1234.0),
        ("en", "1234.5", 1234.5),
        ("en", "1,234.5", 1234.5),
        ("en", "$1,234.50", 1234.5),
        ("en", "€ 1,234.5", 1234.5),
        ("en", " 1234 ", 1234.0),
        ("ru", "1 234,5", 1234.5),
        ("ru", "1\u00a0234,5", 1234.5),  # a no-break space, as Excel types it in Russian
        ("ru", "1234,5", 1234.5),
        ("ru", "1 234,5 ₽", 1234.5),
        ("ru", "1 234 567,89", 1234567.89),
        ("ru", 1234.5, 1234.5),
        ("ru", "1.5", 1.5),  # one reading: a dot followed by other than three digits is a decimal point
        ("ru", "1.234.567", 1234567.0),
        ("ru", "1.234,5", 1234.5),
        ("ru", "0.125", 0.125),
        ("en", "1.234", 1.234),
        ("en", "1,234", 1234.0),
    ],
)
def test_numbers_are_read_as_people_type_them(number_format: str, typed: Any, expected: float) -> None:
    book = Book(settings={"Number format": number_format})
    book.plan_fact = [week_row("Blog", spend=typed)]
    analysis = book.analyze()
    assert analysis.issues == ()
    fact = analysis.facts.week("Blog", MONDAY)
    assert fact is not None and fact.values["spend"] == pytest.approx(expected)


SERIAL = (MONDAY - dt.date(1899, 12, 30)).days


@pytest.mark.parametrize(
    "typed",
    [MONDAY, dt.datetime(2026, 11, 23, 0, 0), SERIAL, float(SERIAL), "2026-11-23", "23.11.2026", " 2026-11-23 "],
)
def test_dates_are_read_as_people_type_them(typed: Any) -> None:
    book = Book()
    book.plan_fact = [{"week": typed, "channel": "Blog", "spend": 10}]
    book.daily = [{"date": typed, "channel": "Blog", "spend": 5, "leads": 0, "orders": 0, "revenue": 0}]
    analysis = book.analyze()
    assert analysis.issues == ()
    assert analysis.facts.week("Blog", MONDAY) is not None
    assert analysis.facts.day("Blog", MONDAY) is not None


def test_channel_names_match_whatever_the_case_and_spaces(book: Book) -> None:
    book.plan_fact = [week_row(" search  ADS ", spend=10)]
    analysis = book.analyze()
    assert analysis.issues == ()
    assert analysis.facts.week("Search ads", MONDAY) is not None


WEDNESDAY = MONDAY + dt.timedelta(days=2)
BAD_PLAN_FACT: list[tuple[str, Row, str, str]] = [
    ("text in a number column", {"spend": "a lot"}, "Plan-Fact!D2", "Spend: cannot read 'a lot' as a number"),
    ("negative spend", {"spend": -5}, "Plan-Fact!D2", "negative"),
    ("negative count", {"leads": "-3"}, "Plan-Fact!F2", "negative"),
    ("negative plan", {"orders_plan": -1}, "Plan-Fact!G2", "negative"),
    ("an error value", {"revenue": CellError("#DIV/0!")}, "Plan-Fact!J2", "#DIV/0!"),
    ("a week that is not a Monday", {"week": WEDNESDAY}, "Plan-Fact!A2", "is a Wednesday"),
    ("a week that is a Wednesday's day number", {"week": float(SERIAL + 2)}, "Plan-Fact!A2", "is a Wednesday"),
    ("an unreadable week", {"week": "next week"}, "Plan-Fact!A2", "cannot read 'next week' as a date"),
    ("an empty week", {"week": None}, "Plan-Fact!A2", "the Week is empty"),
    ("a channel not in Channels", {"channel": "TikTok"}, "Plan-Fact!B2", "'TikTok' is not a channel in Channels"),
    ("an empty channel", {"channel": None}, "Plan-Fact!B2", "the Channel is empty"),
    ("a number typed with a decimal comma in an en workbook", {"traffic": "12,5"}, "Plan-Fact!K2",
     "Number format = en"),
]


@pytest.mark.parametrize(("case", "change", "cell", "message"), BAD_PLAN_FACT, ids=[c[0] for c in BAD_PLAN_FACT])
def test_a_bad_plan_fact_cell_is_an_issue_at_its_address_and_its_row_is_left_out(
    book: Book, case: str, change: Row, cell: str, message: str
) -> None:
    book.plan_fact = [
        {**week_row("Blog", spend=100, leads=4, orders=1, revenue=300), **change},
        week_row("Search ads", spend=500, leads=10, orders=3, revenue=2000),
    ]
    analysis = book.analyze()
    assert [(i.cell, i.severity) for i in analysis.issues] == [(cell, "error")]
    assert message in analysis.issues[0].message
    assert "left out" in analysis.issues[0].message
    assert analysis.facts.week("Blog", MONDAY) is None
    search = analysis.facts.week("Search ads", MONDAY)
    assert search is not None and search.values["spend"] == 500  # the rest goes on


BAD_DAILY: list[tuple[str, Row, str, str]] = [
    ("text in a number column", {"spend": "n/a"}, "Daily!C3", "Spend: cannot read 'n/a' as a number"),
    ("negative orders", {"orders": -1}, "Daily!F3", "negative"),
    ("an error value", {"leads": CellError("#REF!")}, "Daily!E3", "#REF!"),
    ("a channel not in Channels", {"channel": "Radio"}, "Daily!B3", "'Radio' is not a channel in Channels"),
    ("an unreadable date", {"date": "31.02.2026"}, "Daily!A3", "cannot read '31.02.2026' as a date"),
    ("an empty date", {"date": None}, "Daily!A3", "the Date is empty"),
    ("a day number with a time", {"date": SERIAL + 1.5}, "Daily!A3", f"cannot read '{SERIAL + 1.5:g}' as a date"),
    ("a boolean", {"revenue": True}, "Daily!G3", "TRUE"),
    ("a percentage in a money column", {"spend": "12%"}, "Daily!C3", "'12%' is a percentage"),
    ("a percentage in a count column", {"orders": "5 %"}, "Daily!F3", "'5 %' is a percentage"),
    ("a formula never computed", {"revenue": UncomputedFormula("1+1")}, "Daily!G3",
     "open and save the workbook in Excel or LibreOffice"),
    ("an empty Orders on a day with spend", {"orders": None}, "Daily!F3", "Orders is empty"),
    ("an empty Spend on a day with orders", {"spend": " "}, "Daily!C3", "type 0 if there were none"),
    ("an empty Leads", {"leads": None}, "Daily!E3", "Leads is empty"),
    ("an empty Revenue", {"revenue": None}, "Daily!G3", "Revenue is empty"),
]


@pytest.mark.parametrize(("case", "change", "cell", "message"), BAD_DAILY, ids=[c[0] for c in BAD_DAILY])
def test_a_bad_daily_cell_is_an_issue_at_its_address_and_its_row_is_left_out(
    book: Book, case: str, change: Row, cell: str, message: str
) -> None:
    rows = daily_run("Search ads", MONDAY, spend=[100, 200, 300], leads=[1, 2, 3], orders=[1, 1, 1],
                     revenue=[0, 0, 0])
    rows[1] = {**rows[1], **change}
    book.daily = rows
    analysis = book.analyze()
    assert [(i.cell, i.severity) for i in analysis.issues] == [(cell, "error")]
    assert message in analysis.issues[0].message
    facts = analysis.facts
    assert facts.day("Search ads", MONDAY + dt.timedelta(days=1)) is None
    week = facts.week("Search ads", MONDAY)
    assert week is not None and week.values["spend"] == 400  # Monday and Wednesday only


def test_every_bad_cell_of_a_row_is_reported(book: Book) -> None:
    book.plan_fact = [{"week": WEDNESDAY, "channel": "Blog", "spend": "?", "leads": -1}]
    assert [i.cell for i in book.analyze().issues] == ["Plan-Fact!A2", "Plan-Fact!D2", "Plan-Fact!F2"]


def test_a_second_plan_fact_row_for_the_same_week_and_channel_is_left_out(book: Book) -> None:
    book.plan_fact = [week_row("Blog", spend=100), week_row("Search ads", spend=7), week_row("blog", spend=999)]
    analysis = book.analyze()
    assert [i.cell for i in analysis.issues] == ["Plan-Fact!B4"]
    assert "a second row for 'Blog' in the week of 2026-11-23 (the first is row 2)" in analysis.issues[0].message
    fact = analysis.facts.week("Blog", MONDAY)
    assert fact is not None and fact.values["spend"] == 100


def test_a_second_daily_row_for_the_same_date_and_channel_is_left_out(book: Book) -> None:
    book.daily = [*daily_run("Blog", MONDAY, spend=[10, 20], leads=[0, 0], orders=[0, 0], revenue=[0, 0]),
                  {"date": MONDAY, "channel": "Blog", "spend": 5, "leads": 0, "orders": 0, "revenue": 0}]
    analysis = book.analyze()
    assert [i.cell for i in analysis.issues] == ["Daily!B4"]
    assert "a second row for 'Blog' on 2026-11-23 (the first is row 2)" in analysis.issues[0].message
    fact = analysis.facts.week("Blog", MONDAY)
    assert fact is not None and fact.values["spend"] == 30


def test_a_bad_plan_fact_row_leaves_the_week_to_its_daily_rows(book: Book) -> None:
    book.plan_fact = [week_row("Blog", spend="oops", leads=100)]
    book.daily = daily_run("Blog", MONDAY, spend=[10, 20], leads=[1, 1], orders=[0, 0], revenue=[0, 0])
    analysis = book.analyze()
    assert [i.cell for i in analysis.issues] == ["Plan-Fact!D2"]
    fact = analysis.facts.week("Blog", MONDAY)
    assert fact is not None and fact.values["leads"] == 2 and fact.fact_source == "daily"


def test_daily_rows_with_a_date_and_channel_but_no_figures_are_not_data(book: Book) -> None:
    book.daily = [{"date": MONDAY, "channel": "Blog"}, {"date": "not yet", "channel": "Nobody"}]
    analysis = book.analyze()
    assert analysis.issues == ()
    assert analysis.facts.day("Blog", MONDAY) is None and analysis.facts.week("Blog", MONDAY) is None
    assert analysis.facts.rows_read == 2


def test_rows_read_counts_the_rows_of_both_fact_tabs(book: Book) -> None:
    book.plan_fact = [week_row("Blog", spend=1), week_row("Search ads", spend="x")]
    book.daily = daily_run("Blog", MONDAY, spend=[1, 2, 3], leads=[0] * 3, orders=[0] * 3, revenue=[0] * 3)
    assert book.analyze().facts.rows_read == 5


def test_a_russian_workbook_reports_its_own_tab_names(any_lang: str) -> None:
    book = Book(lang=any_lang)
    book.plan_fact = [week_row("Blog", spend=-1)]
    tab = "План-факт" if any_lang == "ru" else "Plan-Fact"
    assert [i.cell for i in book.analyze().issues] == [f"{tab}!D2"]


def test_optional_fact_columns_may_be_missing(book: Book) -> None:
    book.missing_headers = {"daily": ("traffic", "emails_sent", "unsubscribes"), "plan_fact": ("traffic",)}
    book.daily = daily_run("Blog", MONDAY, spend=[10], leads=[1], orders=[0], revenue=[0])
    book.plan_fact = [week_row("Search ads", spend=5)]
    analysis = book.analyze()
    assert analysis.issues == ()
    fact = analysis.facts.week("Blog", MONDAY)
    assert fact is not None and fact.values["traffic"] is None and fact.cells("traffic") == ()


@pytest.mark.parametrize(("day", "monday"), [
    (MONDAY, MONDAY), (FRIDAY, MONDAY), (MONDAY + dt.timedelta(days=6), MONDAY),
    (MONDAY - dt.timedelta(days=1), MONDAY - dt.timedelta(days=7)),
])
def test_week_start_is_the_monday(day: dt.date, monday: dt.date) -> None:
    assert week_start(day) == monday


@pytest.mark.parametrize(
    ("number_format", "column", "typed", "code", "says"),
    [
        ("en", "revenue", "12%", "percent_in_amount", "'12%' is a percentage, but this column takes money or a count"),
        ("en", "spend_plan", "10%", "percent_in_amount", "'10%' is a percentage"),
        ("ru", "leads", "3%", "percent_in_amount", "'3%' is a percentage"),
        ("ru", "spend", "1.234", "ambiguous_number", "'1.234' can be read two ways: 1234 (a dot between thousands) "
         "or 1.234 (a decimal point)"),
        ("ru", "revenue", "12.345", "ambiguous_number", "12345"),
        ("ru", "revenue", "12.345 ₽", "ambiguous_number", "12345"),
        ("ru", "spend", "-1.234", "ambiguous_number", "-1234"),
        ("en", "spend", "1 234,5", "bad_value", "cannot read '1 234,5' as a number"),
        ("en", "spend", "1\u00a0234,5", "bad_value", "cannot read '1 234,5' as a number"),
        ("en", "spend", UncomputedFormula("1+1"), "uncomputed_formula", "the cell holds a formula whose result"),
    ],
)
def test_a_plan_fact_number_with_more_than_one_reading_or_the_wrong_kind_is_an_issue(
    number_format: str, column: str, typed: Any, code: str, says: str
) -> None:
    book = Book(settings={"Number format": number_format})
    book.plan_fact = [week_row("Blog", spend=100, leads=3, orders=1, revenue=500), week_row("Search ads", spend=1)]
    book.plan_fact[0][column] = typed
    analysis = book.analyze()
    (issue,) = analysis.issues
    assert (issue.code, issue.severity) == (code, "error")
    assert says in issue.message and "This row is left out" in issue.message
    assert "\\x" not in issue.message
    assert analysis.facts.week("Blog", MONDAY) is None  # the row is left out, never a guess


def test_an_ambiguous_number_is_said_as_a_russian_marketer_reads_it() -> None:
    book = Book(lang="ru", settings={"Язык": "ru", "Формат чисел": "ru"})
    book.plan_fact = [week_row("Blog", spend="1.234")]
    (issue,) = book.analyze().issues
    assert "«1.234» можно прочитать двояко: 1\u00a0234 (точка между тысячами) или 1,234" in issue.message


def test_a_day_typed_ahead_without_figures_stays_silent(book: Book) -> None:
    book.daily = [{"date": MONDAY, "channel": "Blog"}, {"date": MONDAY, "channel": "Search ads", "traffic": None}]
    assert book.analyze().issues == ()


def test_a_long_daily_tab_kept_by_column_reads_as_its_rows(book: Book) -> None:
    """Thousands of Daily rows are read a block at a time: the blocks of well-formed rows
    whole, the others row by row; the facts and issues are those of reading every row."""
    channels = ("Blog", "Search ads", "Social ads")
    first = FRIDAY - dt.timedelta(days=1999)
    rows: list[Row] = [
        {"date": first + dt.timedelta(days=i), "channel": channel, "spend": i % 97 + 0.1, "leads": i % 5,
         "orders": 0, "revenue": (i % 7) * 10.5}
        for i in range(2000) for channel in channels
    ]  # row k of the list is sheet row k + 2
    rows[4500] = {**rows[4500], "spend": "oops"}
    rows[5000] = {**rows[5000], "leads": -1}
    rows.append({**rows[10], "spend": 1})  # a second Blog row for a day of the first block
    rows.append({**rows[5999], "spend": 2})  # and one for a day read in the last block
    book.daily = rows
    by_row = book.analyze()
    data = book.data()
    daily = next(s for s in data.sheets if s.name == "Daily")
    kept = Columns.of_rows(daily.rows)
    by_column = analyze(replace(data, sheets=tuple(replace(s, rows=kept) if s is daily else s for s in data.sheets)),
                        book.template, FRIDAY)

    expected = ["Daily!C4502", "Daily!E5002", "Daily!B6002", "Daily!B6003"]
    assert [i.cell for i in by_row.issues] == expected
    assert "(the first is row 12)" in by_row.issues[2].message
    assert by_column.issues == by_row.issues
    for channel in channels:
        assert dict(by_column.facts.days[channel]) == dict(by_row.facts.days[channel])
        total: float | None = None  # the week's spend, summed in sheet order
        for row in rows[:6000]:
            if row["channel"] == channel and week_start(row["date"]) == MONDAY and isinstance(row["spend"], float):
                total = row["spend"] if total is None else total + row["spend"]
        for analysis in (by_row, by_column):
            week = analysis.facts.week(channel, MONDAY)
            assert week is not None and week.values["spend"] == total
    blog = by_row.facts.day("Blog", first + dt.timedelta(days=3))
    assert blog is not None and blog.values["spend"] == 3.1 and blog.cells("spend") == (("Daily", 10, 2),)
    assert len(by_row.facts.days["Blog"]) == 1999  # its row with "oops" is left out
    assert by_row.facts.rows_read == by_column.facts.rows_read == 6002


def test_daily_rows_out_of_date_order_are_summed_in_sheet_order(book: Book) -> None:
    book.daily = [
        {"date": MONDAY + dt.timedelta(days=2), "channel": "Blog", "spend": 0.1, "leads": 0, "orders": 0, "revenue": 0},
        {"date": MONDAY, "channel": "Blog", "spend": 0.2, "leads": 0, "orders": 0, "revenue": 0},
        {"date": MONDAY + dt.timedelta(days=1), "channel": "Blog", "spend": 0.3, "leads": 0, "orders": 0,
         "revenue": 0},
    ]
    week = book.analyze().facts.week("Blog", MONDAY)
    assert week is not None and week.values["spend"] == 0.1 + 0.2 + 0.3  # not 0.2 + 0.3 + 0.1
    assert week.cells("spend") == (("Daily", 1, 2), ("Daily", 2, 2), ("Daily", 3, 2))
