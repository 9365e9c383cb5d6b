"""Every data issue of a sync is said in the workbook's language: English or Russian."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable

import pytest
from sync_workbooks import CPA_RULE, FRIDAY, MONDAY, Book, daily_run, week_row

from sheetops.sync.engine import analyze
from sheetops.values import CellError

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
WEDNESDAY = MONDAY + dt.timedelta(days=2)


def plan_fact(**change: object) -> Callable[[Book], None]:
    def edit(book: Book) -> None:
        book.plan_fact = [{**week_row("Blog", spend=100, leads=4), **change}]
    return edit


def daily_duplicate(book: Book) -> None:
    book.daily = [*daily_run("Blog", MONDAY, spend=[10, 20], leads=[0, 0], orders=[0, 0], revenue=[0, 0]),
                  {"date": MONDAY, "channel": "Blog", "spend": 5, "leads": 0, "orders": 0, "revenue": 0}]


def plan_fact_duplicate(book: Book) -> None:
    book.plan_fact = [week_row("Blog", spend=100), week_row("blog", spend=999)]


def day_rule_on_new_customers(book: Book) -> None:
    book.rules = [{**CPA_RULE, "metric": "CAC", "threshold": "100"}]


def target_rule_without_target(book: Book) -> None:
    book.rules = [CPA_RULE]
    book.channels[0] = {**book.channels[0], "target_cpa": None}


def unreadable_setting(book: Book) -> None:
    book.settings = {**book.settings, "Gross margin": "half"}


CASES: dict[str, tuple[Callable[[Book], None], str]] = {
    "text in a number column": (plan_fact(spend="a lot"), "bad_value"),
    "an error value": (plan_fact(revenue=CellError("#DIV/0!")), "bad_value"),
    "a week that is not a Monday": (plan_fact(week=WEDNESDAY), "not_monday"),
    "an unreadable week": (plan_fact(week="next week"), "bad_date"),
    "an empty week": (plan_fact(week=None), "empty_cell"),
    "a channel not in Channels": (plan_fact(channel="TikTok"), "unknown_channel"),
    "a second Plan-Fact row": (plan_fact_duplicate, "duplicate_row"),
    "a second Daily row": (daily_duplicate, "duplicate_row"),
    "a day rule on a metric Daily cannot give": (day_rule_on_new_customers, "metric_not_daily"),
    "a target rule on a channel without a target": (target_rule_without_target, "missing_target"),
    "an unreadable setting": (unreadable_setting, "bad_setting"),
}


@pytest.mark.parametrize(("edit", "code"), CASES.values(), ids=CASES.keys())
def test_each_issue_is_said_in_the_workbook_language(edit: Callable[[Book], None], code: str) -> None:
    said = {}
    for lang in ("en", "ru"):
        book = Book(lang=lang)
        edit(book)
        issues = [i for i in book.analyze().issues if i.code == code]
        assert len(issues) == 1, book.analyze().issues
        said[lang] = issues[0].message
    assert not CYRILLIC.search(said["en"]), said["en"]
    assert CYRILLIC.search(said["ru"]), said["ru"]


def test_the_cell_limit_warning_is_said_in_the_workbook_language() -> None:
    said = {}
    for lang in ("en", "ru"):
        book = Book(lang=lang)
        data = dataclasses.replace(book.data(), cell_count=9_000_000, cell_limit=10_000_000)
        (issue,) = analyze(data, book.template, FRIDAY).issues
        said[lang] = issue.message
    assert "90% of Google's limit of 10,000,000" in said["en"]
    assert "90% от лимита Google в 10\u00a0000\u00a0000" in said["ru"]


def test_a_russian_workbook_says_which_cell_and_what_to_do() -> None:
    book = Book(lang="ru")
    book.plan_fact = [week_row("Blog", spend=100), week_row("blog", spend=999)]
    (issue,) = book.analyze().issues
    assert issue.cell == "План-факт!B3"
    assert issue.message == ("вторая строка канала «Blog» за неделю с 23.11.2026 (первая — строка 2); "
                             "эта строка не учитывается: объедините две строки в одну")
