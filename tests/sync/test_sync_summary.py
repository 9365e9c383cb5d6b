"""What sync writes: the CMO Summary, the Sync Log row and the highlights' notes, in both languages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sync_workbooks import CPA_RULE, FRIDAY, MONDAY, UNSUBSCRIBE_RULE, Book, Row, cells_of, daily_run, week_row

from sheetops import layout
from sheetops.backends import SyncWrite
from sheetops.layout import Cell, TabLayout
from sheetops.sync.engine import build_write
from sheetops.sync.summary import count, format_date, format_number, log_layout, log_result, log_row
from sheetops.workbook import Sheet

D = [MONDAY + dt.timedelta(days=i) for i in range(7)]


def write_of(book: Book, as_of: dt.date = FRIDAY) -> SyncWrite:
    return build_write(book.analyze(as_of), log_row=())


def values(tab: TabLayout) -> list[list[Any]]:
    return [[c.value for c in row] for row in tab.rows]


def row_starting(tab: TabLayout, first: Any) -> tuple[Cell, ...]:
    for row in tab.rows:
        if row and row[0].value == first:
            return row
    raise AssertionError(f"no row starts with {first!r}")


def section(tab: TabLayout, title: str) -> list[list[Any]]:
    """The rows under a section title, up to the next empty row."""
    rows = values(tab)
    start = next(i for i, r in enumerate(rows) if r[:1] == [title])
    end = next((i for i in range(start + 1, len(rows)) if not rows[i]), len(rows))
    return rows[start + 1:end]


@pytest.mark.parametrize(
    ("number", "noun", "lang", "expected"),
    [
        (1, "day", "en", "1 day"), (3, "day", "en", "3 days"), (1, "week", "en", "1 week"),
        (2, "breach", "en", "2 breaches"), (1, "issue", "en", "1 data issue"),
        (1, "day", "ru", "1 день"), (2, "day", "ru", "2 дня"), (5, "day", "ru", "5 дней"),
        (11, "day", "ru", "11 дней"), (14, "day", "ru", "14 дней"), (21, "day", "ru", "21 день"),
        (22, "day", "ru", "22 дня"), (1, "week", "ru", "1 неделя"), (3, "week", "ru", "3 недели"),
        (2, "breach", "ru", "2 нарушения"), (5, "issue", "ru", "5 проблем в данных"),
    ],
)
def test_counts_in_both_languages(number: int, noun: str, lang: str, expected: str) -> None:
    assert count(number, noun, lang) == expected


@pytest.mark.parametrize(
    ("number", "lang", "expected"),
    [(212.4, "en", "212.40"), (1234.5, "en", "1,234.50"), (212.4, "ru", "212,40"), (1234.5, "ru", "1\u00a0234,50")],
)
def test_numbers_in_notes_are_written_the_languages_way(number: float, lang: str, expected: str) -> None:
    assert format_number(number, lang) == expected


def test_dates_in_text_are_written_the_languages_way() -> None:
    assert (format_date(D[2], "en"), format_date(D[2], "ru")) == ("2026-11-25", "25.11.2026")


@pytest.mark.parametrize(
    ("lang", "breaches", "issues", "flags", "expected"),
    [
        ("en", 0, 0, {}, "ok"),
        ("en", 2, 0, {}, "ok, 2 breaches"),
        ("en", 1, 3, {}, "ok, 1 breach, 3 data issues"),
        ("en", 0, 3, {"stopped": True}, "stopped: --strict and 3 data issues"),
        ("en", 1, 0, {"dry_run": True}, "dry run, nothing written, 1 breach"),
        ("ru", 0, 0, {}, "готово"),
        ("ru", 2, 0, {}, "готово, 2 нарушения"),
        ("ru", 0, 5, {"stopped": True}, "остановлено: --strict и 5 проблем в данных"),
    ],
)
def test_the_sync_log_result(lang: str, breaches: int, issues: int, flags: dict[str, bool], expected: str) -> None:
    assert log_result(lang, breaches=breaches, issues=issues, **flags) == expected


def test_a_sync_log_row() -> None:
    when = dt.datetime(2026, 11, 27, 18, 3, 11, 654321, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    row = log_row(when=when, as_of=FRIDAY, rows_read=434, breaches=2,
                  issues=1, duration=1.23456, result="ok, 2 breaches, 1 data issue", version="1.2.3")
    assert [c.value for c in row] == ["2026-11-27 18:03:11 UTC+03:00", FRIDAY, 434, 2, 1, 1.23,
                                      "ok, 2 breaches, 1 data issue", "by hand", "1.2.3"]
    assert row[1].style.number_format == layout.DATE


@pytest.mark.parametrize(("lang", "scheduled", "run"), [
    ("en", True, "scheduled"), ("en", False, "by hand"), ("ru", True, "по расписанию"), ("ru", False, "вручную"),
])
def test_the_sync_log_row_says_who_started_the_run(lang: str, scheduled: bool, run: str) -> None:
    row = log_row(when=dt.datetime(2026, 11, 27, 18, 0), as_of=FRIDAY, rows_read=1, breaches=0, issues=0,
                  duration=0.5, result="ok", lang=lang, scheduled=scheduled, version="0.1.0")
    assert row[7].value == run


@pytest.mark.parametrize(("offset", "shown"), [
    (dt.timedelta(hours=-5), "2026-11-27 17:00:00 UTC-05:00"),
    (dt.timedelta(hours=5, minutes=30), "2026-11-27 17:00:00 UTC+05:30"),
    (dt.timedelta(0), "2026-11-27 17:00:00 UTC+00:00"),
])
def test_the_sync_log_time_has_its_offset_from_utc(offset: dt.timedelta, shown: str) -> None:
    when = dt.datetime(2026, 11, 27, 17, 0, tzinfo=dt.timezone(offset))
    row = log_row(when=when, as_of=FRIDAY, rows_read=1, breaches=0, issues=0, duration=0.5, result="ok")
    assert row[0].value == shown


@pytest.mark.parametrize(("lang", "name", "headers"), [
    ("en", "Sync Log",
     ["When", "As of", "Rows read", "Breaches", "Issues", "Duration, s", "Result", "Run", "sheetops version"]),
    ("ru", "Журнал синхронизации",
     ["Когда", "На дату", "Прочитано строк", "Нарушения", "Проблемы в данных", "Длительность, с", "Результат",
      "Запуск", "Версия sheetops"]),
])
def test_the_sync_log_header_is_the_templates_in_the_language(lang: str, name: str, headers: list[str]) -> None:
    book = Book(lang=lang)
    written = write_of(book)
    assert written.log_tab.name == name
    assert values(written.log_tab) == [headers]
    assert log_layout(book.template, name, lang) == written.log_tab


# -- the CMO Summary ---------------------------------------------------------------------------------------


def a_week(book: Book) -> Book:
    """Search ads on target, Social ads breaching the CPA rule, Blog from Daily, E-mail missing."""
    book.rules = [dict(CPA_RULE)]
    book.plan_fact = [
        week_row("Search ads", spend_plan=1000, spend=700, leads_plan=40, leads=50, orders_plan=10, orders=10,
                 revenue_plan=5000, revenue=6000, conclusion="Scale the brand campaign"),
        week_row("Social ads", spend_plan=900, spend=900, leads=30, orders=3, revenue=1500, action="Cut the bids"),
    ]
    book.daily = [
        *daily_run("Social ads", D[2], spend=[300] * 3, orders=[1] * 3, leads=[10] * 3, revenue=[500] * 3),
        *daily_run("Blog", D[0], spend=[20, 30], leads=[1, 2], orders=[0, 0], revenue=[0, 0]),
    ]
    return book


def summary_of(book: Book) -> TabLayout:
    (tab,) = write_of(book).tabs
    return tab


def test_the_summary_title_names_the_week_and_the_as_of_date(any_lang: str) -> None:
    tab = summary_of(Book(lang=any_lang))
    expected = {
        "en": "CMO Summary: week of 2026-11-23 to 2026-11-29, as of 2026-11-27 (week to date, 5 of 7 days)",
        "ru": "Сводка CMO: неделя с 23.11.2026 по 29.11.2026, на 27.11.2026 (неделя не закончилась: 5 из 7 дней)",
    }[any_lang]
    assert tab.rows[0][0].value == expected
    assert tab.key == "summary" and tab.owned
    assert tab.name == {"en": "CMO Summary", "ru": "Сводка CMO"}[any_lang]


def test_the_summary_keeps_the_name_of_the_workbooks_summary_tab(book: Book) -> None:
    book.extra_tabs = (Sheet("cmo summary", [["old"]]), Sheet("SYNC LOG", [["When"]]))
    written = write_of(book)
    assert written.tabs[0].name == "cmo summary" and written.log_tab.name == "SYNC LOG"


def test_the_channel_table(book: Book) -> None:
    tab = summary_of(a_week(book))
    header = [c.value for c in tab.rows[3]]
    assert header == [
        "Channel", "Status", "Main KPI, last weeks", "Decision or action", "Owner",
        "Spend vs plan to date", "Revenue vs plan to date", "Leads vs plan to date", "Orders vs plan to date",
        "Main KPI", "This week", "vs last week", "Month budget used (day 27 of 30)",
        "Spend plan", "Spend fact", "Leads plan", "Leads fact", "Orders plan", "Orders fact", "Revenue plan",
        "Revenue fact", "CPL", "CPA", "CR", "ROAS", "ROMI", "CAC", "Monthly budget", "Spend this month", "Group",
        "Rules breached", "Facts from", "Conclusion",
    ]
    assert (tab.freeze_rows, tab.freeze_cols) == (4, 1)  # the header row and the channel column stay in view
    search = dict(zip(header, row_starting(tab, "Search ads"), strict=True))
    assert [search[k].value for k in ("Group", "Owner", "Spend fact", "Leads plan", "CPA", "ROMI", "Status",
                                      "Conclusion", "Facts from")] == \
        ["Paid", "Anna Kuznetsova", 700, 40, 70, pytest.approx((6000 * 0.5 - 700) / 700), "OK",
         "Scale the brand campaign", "Plan-Fact"]
    # Friday: the plan to date is 5/7 of the week's
    assert search["Leads vs plan to date"].value == pytest.approx(50 / (40 * 5 / 7) - 1)
    assert search["Leads vs plan to date"].style.font_color == "006100"  # well ahead: green
    assert search["Spend vs plan to date"].style.font_color is None  # 700 of 714 due: on pace
    # amounts without cents (none of the workbook's have them); costs keep theirs
    assert search["Spend fact"].style.number_format == layout.money_format("USD", cents=False)
    assert search["CPA"].style.number_format == layout.money_format("USD")
    assert search["Leads fact"].style.number_format == layout.INTEGER
    assert search["ROMI"].style.number_format == layout.PERCENT
    assert search["Status"].style.fill == layout.STATUS_FILLS["ok"]

    social = dict(zip(header, row_starting(tab, "Social ads"), strict=True))
    assert social["Status"].value == "Breach" and social["Status"].style.fill == layout.STATUS_FILLS["breach"]
    assert social["Rules breached"].value == CPA_RULE["rule"]
    # the rule's action, before what was typed in Plan-Fact, and whether it is new since the last report
    assert social["Decision or action"].value == "Stop (new)"
    assert dict(zip(header, row_starting(tab, "Search ads"), strict=True))["Decision or action"].value is None

    blog = dict(zip(header, row_starting(tab, "Blog"), strict=True))
    assert blog["Facts from"].value == "Daily" and blog["Spend fact"].value == 50 and blog["Spend plan"].value is None
    email = dict(zip(header, row_starting(tab, "E-mail"), strict=True))
    assert email["Status"].value == "No data" and email["Status"].style.fill == layout.STATUS_FILLS["no_data"]
    pr = dict(zip(header, row_starting(tab, "PR"), strict=True))
    assert pr["Status"].value == "Paused"


def test_the_totals_row_is_computed_from_sums(book: Book) -> None:
    tab = summary_of(a_week(book))
    header = [c.value for c in tab.rows[3]]
    total = dict(zip(header, (c.value for c in row_starting(tab, "Total")), strict=False))
    assert total["Spend fact"] == 1650 and total["Orders fact"] == 13
    assert total["CPA"] == pytest.approx(1650 / 13)  # not the mean of 100, 300 and nothing
    assert row_starting(tab, "Total")[0].style.bold


def test_decisions_needed_lists_each_breach_with_action_owner_and_since(book: Book) -> None:
    rows = section(summary_of(a_week(book)), "Decisions needed")
    assert rows[0] == ["Channel", "Action", "Owner", "Since last report", "Since", "In a row", "Last value",
                       "Condition", "Threshold", "Rule"]
    assert rows[1] == ["Social ads", "Stop", "Anna Kuznetsova", "new", D[2], "3 days", 300.0, "CPA > target", 150,
                       CPA_RULE["rule"]]
    assert rows[2] == ["New, still open and resolved: compared with the report as of 2026-11-20."]


def test_missing_reports_and_no_decisions(book: Book) -> None:
    book.plan_fact = [week_row("Search ads", spend=10)]
    tab = summary_of(book)
    assert section(tab, "Decisions needed") == [["None: no stop rule is breached."]]
    assert section(tab, "Missing reports") == [
        ["Channel", "Owner", "Status"],
        ["Social ads", "Anna Kuznetsova", "no facts for the week"],
        ["Blog", "Oleg Smirnov", "no facts for the week"],
        ["E-mail", "Dmitry Sokolov", "no facts for the week"],
    ]


def test_the_trend_block_covers_the_last_trend_weeks(book: Book) -> None:
    book.settings["Trend weeks"] = 3
    book.plan_fact = [
        week_row("Search ads", MONDAY - dt.timedelta(days=14), spend=100, leads=10, orders=1, revenue=300),
        week_row("Search ads", MONDAY - dt.timedelta(days=21), spend=999),  # outside the three weeks
        week_row("Search ads", MONDAY, spend=200, leads=10, orders=4, revenue=200),
        week_row("Blog", MONDAY, spend=50, leads=5, orders=1, revenue=100),
    ]
    rows = section(summary_of(book), "Trend, last 3 weeks")
    weeks = [MONDAY - dt.timedelta(days=14), MONDAY - dt.timedelta(days=7), MONDAY]
    assert rows[:4] == [
        ["Spend", *weeks],
        ["Search ads", 100, None, 200],
        ["Blog", None, None, 50],
        ["Total", 100, None, 250],
    ]
    cpa = rows[rows.index(["CPA", *weeks]) + 1:][:3]
    assert cpa == [["Search ads", 100, None, 50], ["Blog", None, None, 50], ["Total", 100, None, 50]]
    romi = rows[rows.index(["ROMI", *weeks]) + 3]
    assert romi[0] == "Total" and romi[3] == pytest.approx((300 * 0.5 - 250) / 250)


def test_data_issues_list_cell_and_message(book: Book) -> None:
    book.plan_fact = [week_row("Blog", spend="lots")]
    rows = section(summary_of(book), "Data issues")
    assert rows[0] == ["Cell", "Problem", "Severity"]
    assert rows[1][0] == "Plan-Fact!D2" and "cannot read 'lots'" in rows[1][1] and rows[1][2] == "error"


def test_every_label_of_a_russian_summary_is_russian() -> None:
    book = a_week(Book(lang="ru"))
    book.plan_fact.append(week_row("Blog", spend="много"))
    tab = summary_of(book)
    texts = [c.value for row in tab.rows for c in row if isinstance(c.value, str)]
    for label in ("Канал", "Группа", "Расход план", "Расход факт", "Статус", "Нарушенные правила", "Итого",
                  "Нужны решения", "Нет отчётов", "Проблемы в данных", "Ячейка", "Нарушение", "Норма", "Пауза",
                  "Нет данных", "Остановить", "Платные", "3 дня", "CPA > цель", "По дням", "ошибка", "Условие"):
        assert label in texts, label
    assert "Динамика за 8 недель" in texts
    assert not {"Channel", "Total", "Status", "OK", "Breach", "Decisions needed", "Daily"} & set(texts)


def test_facts_from_names_the_figures_taken_from_daily(book: Book) -> None:
    book.plan_fact = [week_row("Blog", spend=100, revenue=0)]
    book.daily = daily_run("Blog", D[0], leads=[2, 3], orders=[1, 0], spend=[0, 0], revenue=[0, 0])
    tab = summary_of(book)
    header = [c.value for c in tab.rows[3]]
    blog = dict(zip(header, (c.value for c in row_starting(tab, "Blog")), strict=True))
    assert blog["Facts from"] == "Plan-Fact; Daily: Leads, Orders"


# -- highlights ----------------------------------------------------------------------------------------------------

EXAMPLE_DAYS = {0: (400, 2), 1: (340, 2), 2: (212.4, 1)}  # CPA 200, 170, 212.40 against Search ads' target 160


def example_book(lang: str = "en") -> Book:
    book = Book(lang=lang)
    book.rules = [dict(CPA_RULE)]
    book.daily = [{"date": D[i], "channel": "Search ads", "spend": s, "orders": o, "leads": 5, "revenue": 0}
                  for i, (s, o) in EXAMPLE_DAYS.items()]
    return book


def test_a_breach_highlights_the_metrics_input_cells_of_every_breaching_day() -> None:
    highlights = write_of(example_book(), as_of=D[2]).highlights
    # spend (C) and orders (F) of Daily rows 2, 3 and 4
    assert cells_of(highlights) == [("Daily", r, c) for r in (1, 2, 3) for c in (2, 5)]
    # one note, on the newest day's first input cell (its spend); the other cells get the fill only
    assert [(h.row, h.col) for h in highlights if h.note] == [(3, 2)]


def test_a_long_streak_marks_the_periods_the_rule_judged_and_tells_the_whole_story_in_one_note(book: Book) -> None:
    book.rules = [{**CPA_RULE, "channel": "Search ads", "min_spend": None}]  # three days in a row
    first = FRIDAY - dt.timedelta(days=299)
    book.daily = daily_run("Search ads", first, spend=[200 + i for i in range(300)], orders=[1] * 300, leads=[5] * 300,
                           revenue=[0] * 300)
    highlights = write_of(book).highlights
    # the last three days' spend (C) and orders (F): 6 fills, not 600
    assert cells_of(highlights) == [("Daily", r, c) for r in (298, 299, 300) for c in (2, 5)]
    (note,) = [h.note for h in highlights if h.note]
    assert [(h.row, h.col) for h in highlights if h.note] == [(300, 2)]
    assert "CPA 499.00 > 160.00 (target) on 2026-11-27; 300 days in a row since 2026-02-01 (…, " in note
    assert "2026-11-18: 490.00, " in note and "2026-11-27: 499.00)" in note
    assert "2026-11-17" not in note  # the latest ten values only


@pytest.mark.parametrize(("lang", "note"), [
    ("en", "sheetops: CPA above target three days in a row: stop — CPA 212.40 > 160.00 (target) on 2026-11-25; "
           "3 days in a row since 2026-11-23 (2026-11-23: 200.00, 2026-11-24: 170.00, 2026-11-25: 212.40). "
           "Owner: Anna Kuznetsova."),
    ("ru", "sheetops: CPA above target three days in a row: stop — CPA 212,40 > 160,00 (цель) за 25.11.2026; "
           "3 дня подряд с 23.11.2026 (23.11.2026: 200,00, 24.11.2026: 170,00, 25.11.2026: 212,40). "
           "Владелец: Anna Kuznetsova."),
])
def test_the_note_names_the_rule_the_values_and_the_threshold(lang: str, note: str) -> None:
    highlights = write_of(example_book(lang), as_of=D[2]).highlights
    tab = {"en": "Daily", "ru": "По дням"}[lang]
    assert {h.note for h in highlights if (h.tab, h.row) == (tab, 3) and h.note} == {note}


def test_an_infinite_cost_is_explained_in_the_note(book: Book) -> None:
    book.rules = [{**CPA_RULE, "periods_in_a_row": 1}]
    book.daily = [{"date": D[4], "channel": "Social ads", "spend": 300, "orders": 0, "leads": 1, "revenue": 0}]
    (first, *_) = write_of(book).highlights
    assert "CPA ∞ (spend 300.00, 0 orders) > 150.00 (target) on 2026-11-27." in first.note


METRIC_CELLS: list[tuple[str, str, Row, list[str]]] = [
    # metric, threshold, Plan-Fact figures, the Plan-Fact columns marked
    ("CPA", "0", {"spend": 100, "orders": 1}, ["D", "H"]),
    ("CPL", "0", {"spend": 100, "leads": 1}, ["D", "F"]),
    ("CR", "0", {"leads": 1, "traffic": 10}, ["F", "K"]),
    ("ROAS", "0", {"revenue": 100, "spend": 10}, ["D", "J"]),
    ("ROMI", "0", {"revenue": 100, "spend": 10}, ["D", "J"]),
    ("CAC", "0", {"spend": 100, "new_customers": 1}, ["D", "L"]),
    ("Repeat share", "0", {"repeat_orders": 1, "orders": 2}, ["H", "M"]),
    ("Unsubscribe rate", "0", {"emails_sent": 100, "unsubscribes": 1}, ["N", "O"]),
    ("Spend", "0", {"spend": 100}, ["D"]),
    ("Leads", "0", {"leads": 1}, ["F"]),
    ("Orders", "0", {"orders": 1}, ["H"]),
    ("Revenue", "0", {"revenue": 1}, ["J"]),
]


@pytest.mark.parametrize(("metric", "threshold", "figures", "columns"), METRIC_CELLS, ids=[m[0] for m in METRIC_CELLS])
def test_the_cells_marked_for_each_metric(
    book: Book, metric: str, threshold: str, figures: Row, columns: list[str]
) -> None:
    book.rules = [{**UNSUBSCRIBE_RULE, "channel": "Blog", "metric": metric, "threshold": threshold}]
    book.plan_fact = [week_row("Blog", **figures)]
    highlights = write_of(book).highlights
    assert [f"{h.tab}!{chr(65 + h.col)}{h.row + 1}" for h in highlights] == [f"Plan-Fact!{c}2" for c in columns]


def test_a_cell_in_two_breaches_gets_one_highlight_with_both_notes(book: Book) -> None:
    book.rules = [
        {**UNSUBSCRIBE_RULE, "rule": "Spend above 50", "channel": "Blog", "metric": "Spend", "threshold": "50"},
        {**UNSUBSCRIBE_RULE, "rule": "CPL above 10", "channel": "Blog", "metric": "CPL", "threshold": "10"},
    ]
    book.plan_fact = [week_row("Blog", spend=100, leads=2)]
    highlights = write_of(book).highlights
    assert cells_of(highlights) == [("Plan-Fact", 1, 3), ("Plan-Fact", 1, 5)]
    spend_note = highlights[0].note.splitlines()
    assert len(spend_note) == 2 and "Spend above 50" in spend_note[0] and "CPL above 10" in spend_note[1]


def test_a_week_from_daily_marks_the_daily_cells_summed(book: Book) -> None:
    book.rules = [dict(UNSUBSCRIBE_RULE)]
    book.plan_fact = [week_row("E-mail", D[0] - dt.timedelta(days=7), emails_sent=100, unsubscribes=5)]
    book.daily = daily_run("E-mail", D[0], emails_sent=[100, 100], unsubscribes=[3, 0], spend=[0, 0], leads=[0, 0],
                           orders=[0, 0], revenue=[0, 0])
    highlights = write_of(book).highlights
    # the week of 23 November came from Daily rows 2 and 3, columns H and I; the streak counts back to
    # 16 November (Plan-Fact!N2:O2), which the note tells, but the rule judges one week: only that one is marked
    assert cells_of(highlights) == [("Daily", 1, 7), ("Daily", 1, 8), ("Daily", 2, 7), ("Daily", 2, 8)]
    (note,) = [h.note for h in highlights if h.note]
    assert "2 weeks in a row since 2026-11-16" in note
