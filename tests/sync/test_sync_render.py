"""Terminal output: the week as a table, breaches, missing reports, data issues; check findings."""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console
from sync_workbooks import CPA_RULE, FRIDAY, MONDAY, Book, daily_run, week_row

from sheetops.api import CheckReport
from sheetops.render import _status, breach_text, metric_text, print_check, print_sync, progress
from sheetops.sync import summary
from sheetops.sync.engine import run_sync
from sheetops.sync.report import SyncReport
from sheetops.workbook import Finding

D = [MONDAY + dt.timedelta(days=i) for i in range(7)]


def console(*, terminal: bool = False) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=160, color_system=None, highlight=False), out


def printed(book: Book, *, dry_run: bool = False, strict: bool = False) -> str:
    report = run_sync(book.backend(), book.template, as_of=FRIDAY, dry_run=dry_run, strict=strict)
    out, buffer = console()
    print_sync(report, console=out)
    return buffer.getvalue()


def test_print_sync_shows_the_channels_breaches_missing_reports_and_issues(book: Book) -> None:
    book.rules = [dict(CPA_RULE)]
    book.plan_fact = [week_row("Search ads", spend_plan=1000, spend=1200, leads=60, orders=12, revenue=9000),
                      week_row("Blog", spend="??")]
    book.daily = daily_run("Social ads", D[2], spend=[300] * 3, orders=[1] * 3, leads=[9] * 3, revenue=[0] * 3)
    text = printed(book)
    assert "memory.xlsx: week 2026-11-23 to 2026-11-29, as of 2026-11-27" in text
    assert "Search ads" in text and "1,200" in text and "+68%" in text  # 1,200 of 714 due by Friday
    assert "Decisions needed (1)" in text
    assert ("Social ads: CPA above target three days in a row: stop (CPA 300.00 > target 150.00), 3 days in a row "
            "since 2026-11-25. Action: stop; owner Anna Kuznetsova.") in text
    assert "Watch (1)" in text and "Search ads: spend over plan" in text
    assert "Missing reports (2)" in text and "E-mail (owner Dmitry Sokolov)" in text
    assert "Data issues: 1 issue (1 error)" in text and "Plan-Fact!D3: Spend: cannot read '??'" in text
    assert "Written: the 'CMO Summary' tab, 6 highlighted cells and a row in 'Sync Log' (5 rows read)." in text


def test_print_sync_says_what_a_dry_run_and_a_strict_stop_did_not_write(book: Book) -> None:
    assert "Dry run: nothing written" in printed(book, dry_run=True)
    assert "No stop rule is breached." in printed(book, dry_run=True)
    book.plan_fact = [week_row("Blog", spend=-1)]
    assert "Stopped by --strict: 1 data issue, so nothing was written." in printed(book, strict=True)


def test_print_check_groups_the_findings_by_tab_and_counts_them() -> None:
    report = CheckReport("marketing.xlsx", (
        Finding("Channels!C7", "the channel 'Blog' has no owner"),
        Finding("Channels!E9", "the Target CPA is negative"),
        Finding("Roles!B3", "'CMO' has no person", "warning"),
    ))
    out, buffer = console()
    print_check(report, console=out)
    lines = buffer.getvalue().splitlines()
    assert lines == [
        "Checked marketing.xlsx",
        "Channels",
        "  Channels!C7: the channel 'Blog' has no owner",
        "  Channels!E9: the Target CPA is negative",
        "Roles",
        "  Roles!B3: warning: 'CMO' has no person",
        "",
        "3 findings (2 errors, 1 warning). Fix them in the workbook, then run the check again.",
    ]


def test_print_check_without_findings() -> None:
    out, buffer = console()
    print_check(CheckReport("marketing.xlsx", ()), console=out)
    assert buffer.getvalue() == "No findings: marketing.xlsx is ready for `sheetops sync`.\n"


# The English words of the terminal output; none of them may be left in a Russian one. Russian
# numbers are written as in the CMO Summary: 1 200 (a no-break space), 20,00, 275,0%.
ENGLISH_WORDS = ("week ", "as of", "Channel", "Status", "Spend", "vs plan", "Leads", "Revenue", "Total", "BREACH",
                 "Decisions needed", "in a row", "target", "Action", "owner", "Watch", "Missing reports", "no facts",
                 "Data issues", "issue", "error", "warning", "Written", "Dry run", "nothing written", "Stopped",
                 "No stop rule", "highlighted", "rows read", "Checked", "No findings", "finding", "Fix them",
                 "Workbook")


def russian_week(book: Book) -> None:
    book.rules = [dict(CPA_RULE, rule="CPA выше цели три дня подряд — стоп")]
    book.plan_fact = [week_row("Search ads", spend_plan=1000, spend=1200, leads=60, orders=12, revenue=9000),
                      week_row("Blog", spend="??")]
    book.daily = daily_run("Social ads", D[2], spend=[300] * 3, orders=[1] * 3, leads=[9] * 3, revenue=[0] * 3)


def negative_spend(book: Book) -> None:
    book.plan_fact = [week_row("Blog", spend=-1)]


def russian_sync(edit: Callable[[Book], None], **options: bool) -> Callable[[], str]:
    def run() -> str:
        book = Book(lang="ru")
        edit(book)
        return printed(book, **options)

    return run


def russian_check(*findings: Finding) -> Callable[[], str]:
    def run() -> str:
        out, buffer = console()
        print_check(CheckReport("marketing.xlsx", findings, "ru"), console=out)
        return buffer.getvalue()

    return run


RUSSIAN = {
    "sync": (russian_sync(russian_week), [
        "memory.xlsx: неделя с 23.11.2026 по 29.11.2026, данные на 27.11.2026",
        "Канал", "Статус", "Расход", "откл. от плана", "Лиды", "Заказы", "Выручка", "Итого",
        "НАРУШЕНИЕ", "внимание", "нет данных", "пауза", "1\u00a0200", "9\u00a0000", "+68%", "20,00", "275,0%",
        "Нужны решения (1)",
        "Social ads: CPA выше цели три дня подряд — стоп (CPA 300,00 > цель 150,00), 3 дня подряд с 25.11.2026. "
        "Действие: остановить; владелец Anna Kuznetsova.",
        "Внимание (1)", "Search ads: расход выше плана",
        "Нет отчётов (2): за эту неделю нет фактов по каналам", "E-mail (владелец Dmitry Sokolov)",
        "Проблемы в данных: 1 проблема (1 ошибка)", "План-факт!D3: «Расход»",
        "Записано: обновлена вкладка «Сводка CMO», выделено 6 ячеек, добавлена строка на вкладку "
        "«Журнал синхронизации» (прочитано строк: 5).",
    ]),
    "dry run": (russian_sync(lambda book: None, dry_run=True), [
        "Стоп-правила не нарушены.",
        "Пробный запуск: ничего не записано. Без --dry-run была бы обновлена вкладка «Сводка CMO» и добавлена "
        "строка на вкладку «Журнал синхронизации»; к выделению: 0 ячеек.",
    ]),
    "strict stop": (russian_sync(negative_spend, strict=True), [
        "Синхронизация остановлена из-за --strict: 1 проблема в данных, ничего не записано. "
        "Исправьте ячейки, указанные выше, и запустите синхронизацию снова.",
    ]),
    "check with findings": (russian_check(
        Finding("Каналы!C7", "у канала «Блог» нет владельца"),
        Finding(None, "в таблице 9 000 000 ячеек", "warning"),
        Finding("Роли!B3", "у роли «CMO» нет исполнителя", "warning"),
    ), [
        "Проверена таблица marketing.xlsx",
        "Каналы\n  Каналы!C7: у канала «Блог» нет владельца",
        "Вся таблица\n  предупреждение: в таблице 9 000 000 ячеек",
        "Роли\n  Роли!B3: предупреждение: у роли «CMO» нет исполнителя",
        "3 замечания (1 ошибка, 2 предупреждения). Исправьте их в таблице и запустите проверку снова.",
    ]),
    "check without findings": (russian_check(), [
        "Замечаний нет: таблица marketing.xlsx готова к `sheetops sync`.",
    ]),
}


# Russian that reads as a translation: nested quotes, "1 неделя подряд", bureaucratic turns.
TRANSLATIONESE = ("в «Журнал", "«Журнал синхронизации»»", "1 неделя подряд", "1 день подряд", "к записи:",
                  "Ни одно", "Остановлено из-за", "поэтому ничего", "нет результата при расходе", ", на 2")


@pytest.mark.parametrize(("run", "expected"), RUSSIAN.values(), ids=RUSSIAN.keys())
def test_a_russian_workbook_gets_its_terminal_output_in_russian(run: Callable[[], str], expected: list[str]) -> None:
    text = run()
    for phrase in expected:
        assert phrase in text
    assert [word for word in ENGLISH_WORDS if word in text] == []
    assert [phrase for phrase in TRANSLATIONESE if phrase in text] == []


@pytest.mark.parametrize(("lang", "streak", "said", "not_said"), [
    ("en", 1, "), since 2026-11-25.", "1 day in a row"),
    ("en", 3, "3 days in a row since 2026-11-25.", None),
    ("ru", 1, "), с 25.11.2026.", "1 день подряд"),
    ("ru", 2, "2 дня подряд с 25.11.2026.", None),
])
def test_a_breach_of_one_period_is_not_a_run_in_a_row(lang: str, streak: int, said: str,
                                                      not_said: str | None) -> None:
    from dataclasses import replace

    book = Book(lang=lang)
    book.rules = [dict(CPA_RULE)]
    book.daily = daily_run("Social ads", D[2], spend=[300] * 3, orders=[1] * 3, leads=[9] * 3, revenue=[0] * 3)
    (breach,) = run_sync(book.backend(), book.template, as_of=FRIDAY, dry_run=True).breaches
    text = breach_text(replace(breach, periods=breach.periods[:streak], values=breach.values[:streak]), lang)
    assert said in text
    assert not_said is None or not_said not in text


@pytest.mark.parametrize(("lang", "said"), [
    ("en", ["memory.xlsx", "Computing KPIs and stop rules", "Writing the summary, highlights and log", "Done"]),
    ("ru", ["memory.xlsx", "Считаем KPI и стоп-правила", "Записываем сводку, выделения и журнал", "Готово"]),
])
def test_progress_messages_are_in_the_workbooks_language_once_it_is_read(lang: str, said: list[str]) -> None:
    seen: list[str] = []
    run_sync(Book(lang=lang).backend(), Book().template, as_of=FRIDAY, progress=lambda m, f: seen.append(m))
    assert seen == said


def test_progress_is_silent_when_disabled_or_not_a_terminal() -> None:
    for enabled, terminal in ((False, True), (True, False)):
        out, buffer = console(terminal=terminal)
        with progress(enabled, console=out, delay=0) as report:
            report("Reading", 0.5)
            time.sleep(0.05)
        assert buffer.getvalue() == ""


def test_progress_shows_no_bar_on_a_quick_run() -> None:
    out, buffer = console(terminal=True)
    with progress(True, console=out, delay=5) as report:
        report("Reading", 0.0)
        report("Done", 1.0)
    assert buffer.getvalue() == ""


def test_progress_shows_a_bar_on_a_long_run() -> None:
    out, buffer = console(terminal=True)
    with progress(True, console=out, delay=0.01) as report:
        time.sleep(0.1)
        report("Computing KPIs and stop rules", 0.6)
        time.sleep(0.1)
    assert "Computing KPIs and stop rules" in buffer.getvalue()


# -- the week's table at every terminal width ------------------------------------------------------

WIDTHS = [60, 80, 100, 132, 200]
DEMO_AS_OF = dt.date(2026, 11, 27)


def demo_report(path: Path) -> SyncReport:
    from sheetops import api

    return api.sync(path, as_of=DEMO_AS_OF, dry_run=True)


def table_at(report: SyncReport, width: int, *, wide: bool = False) -> list[str]:
    out = Console(width=width, record=True, file=io.StringIO(), force_terminal=True, color_system=None)
    print_sync(report, console=out, wide=wide)
    return out.export_text().splitlines()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_week_table_keeps_every_channel_and_status_whole_at_any_width(
    demo_xlsx: Path, demo_xlsx_ru: Path, lang: str, width: int
) -> None:
    report = demo_report(demo_xlsx if lang == "en" else demo_xlsx_ru)
    lines = table_at(report, width)
    for channel in report.channels:
        label = _status(channel.status, lang)
        rows = [line for line in lines if line.lstrip().startswith(channel.name)]
        assert rows, f"{channel.name!r} is not in the table at {width} columns"
        assert label in rows[0], f"{channel.name!r}: status {label!r} is cut at {width} columns"
    assert not [line for line in lines if "…" in line]
    table = lines[1:lines.index(next(line for line in lines if summary.text("total", lang) in line)) + 1]
    assert max(len(line) for line in table) <= width


@pytest.mark.parametrize(("width", "hidden"), [(200, 0), (132, 0), (100, 2), (80, 5), (60, 7)])
def test_less_important_columns_are_left_out_first_and_a_line_says_so(
    demo_xlsx: Path, width: int, hidden: int
) -> None:
    text = "\n".join(table_at(demo_report(demo_xlsx), width))
    order = ["CPL", "Leads", "Orders", "ROAS", "Revenue", "ROMI", "CPA"]
    left_out = order[:hidden] if hidden <= 4 else order[:hidden - 1]  # the fifth is revenue's "vs plan"
    assert [header for header in order if header not in text.split("Decisions")[0]] == left_out
    assert "Channel" in text and "Status" in text and "Spend" in text
    note = f"{hidden} columns left out to fit the terminal; --wide shows them all"
    assert (note in text) is (hidden > 0)


@pytest.mark.parametrize("width", [60, 80])
def test_wide_shows_every_column(demo_xlsx: Path, width: int) -> None:
    text = "\n".join(table_at(demo_report(demo_xlsx), width, wide=True))
    for header in ["Channel", "Status", "Spend", "vs plan", "Leads", "Orders", "Revenue", "CPL", "CPA", "ROAS",
                   "ROMI", "Social ads", "BREACH"]:
        assert header in text
    assert "left out" not in text


@pytest.mark.parametrize(("metric", "value", "lang", "shown"), [
    ("romi", 31.143, "en", "3,114.3%"),
    ("romi", 31.143, "ru", "3\u00a0114,3%"),
    ("romi", 1234.5678, "en", "123,456.8%"),
    ("romi", 4.845, "en", "484.5%"),
    ("romi", -0.5, "en", "-50.0%"),
    ("cr", 0.029, "en", "2.9%"),
    ("cr", 0.029, "ru", "2,9%"),
    ("romi", None, "en", "-"),
])
def test_shares_are_shown_with_the_languages_separators(metric: str, value: float | None, lang: str,
                                                       shown: str) -> None:
    assert metric_text(metric, value, lang) == shown
