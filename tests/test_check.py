"""`sheetops check`: every finding names the exact cell, what is wrong and what to do.

Each case starts from a clean workbook, changes the cells it is about, writes a real
.xlsx and checks it: the workbook then has exactly that one finding, in English and in
Russian workbooks alike, said in the workbook's language.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from check_helpers import Book, run_sheetops, template

from sheetops.check import check_workbook

LANGS = ["en", "ru"]
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def person(role_key: str, lang: str) -> str:
    demo = template().role(role_key).demo_person
    assert demo is not None
    return demo[lang]


def role_name(role_key: str, lang: str) -> str:
    return template().role(role_key).name[lang]


@dataclass(frozen=True)
class Case:
    """One problem: how to make it, and the finding it must give."""

    edit: Callable[[Book], object]
    tab: str  # template tab key of the finding's cell
    ref: str  # e.g. "B3"
    code: str
    severity: str
    says: str | Callable[[Book], str]  # a part of the message in an English workbook
    says_ru: str | Callable[[Book], str]  # the same part in a Russian workbook

    def part(self, book: Book) -> str:
        says = self.says_ru if book.lang == "ru" else self.says
        return says(book) if callable(says) else says


CASES = {
    # Channels
    "group not in its set": Case(
        lambda b: b.set("channels", 3, "group", "Pid"), "channels", "B3", "bad_value", "warning",
        "'Pid' is not a group; use one of Paid, Organic, PR, CRM, Site",
        "«Pid» не подходит для столбца «Группа»; выберите одно из значений: Платные, Органика, PR, CRM, Сайт",
    ),
    "group empty": Case(lambda b: b.set("channels", 3, "group", None), "channels", "B3", "empty_cell", "warning",
                        "rules that name a group skip this channel",
        "пока это не исправлено, правила для групп пропускают этот канал",
    ),
    "primary KPI not a metric": Case(lambda b: b.set("channels", 2, "primary_kpi", "Likes"), "channels", "D2",
                                     "bad_value", "warning", "'Likes' is not a metric",
        "«Likes» не подходит для столбца «Главный KPI»",
    ),
    "budget negative": Case(lambda b: b.set("channels", 2, "monthly_budget", -5), "channels", "E2", "bad_value",
                            "warning", "is negative (-5)",
        "в столбце «Бюджет в месяц» отрицательное число (-5)",
    ),
    "target not a number": Case(lambda b: b.set("channels", 2, "target_cpa", "a lot"), "channels", "G2",
                                "bad_value", "warning", "cannot read 'a lot' as a number",
        "«a lot» не читается как число",
    ),
    "status empty counts as Active": Case(lambda b: b.set("channels", 2, "status", None), "channels", "I2",
                                          "empty_status", "warning", "treated as Active",
        "не указан статус, поэтому он считается в статусе «Активен»",
    ),
    "status not in its set": Case(lambda b: b.set("channels", 2, "status", "Live"), "channels", "I2", "bad_value",
                                  "warning", "'Live' is not a status; use one of Active, Testing, Paused, "
                                  "Stopped; until it is fixed the channel counts as Active",
        "пока это не исправлено, канал считается в статусе «Активен»",
    ),
    "channel listed twice": Case(lambda b: b.set("channels", 3, "channel", b.get("channels", 2, "channel")),
                                 "channels", "A3", "duplicate_channel", "error", "is listed twice (first in",
        "указан дважды (впервые в Каналы!A2)",
    ),
    "channel row without a name": Case(lambda b: b.set("channels", 3, "channel", None), "channels", "A3",
                                       "empty_cell", "error", "this row has no channel name",
        "в строке нет названия канала",
    ),
    # The role map
    "channel without an owner": Case(lambda b: b.set("channels", 4, "owner", None), "channels", "C4", "no_owner",
                                     "error", "has no owner",
        "у канала «Блог» нет владельца",
    ),
    "owner not in Roles": Case(lambda b: b.set("channels", 4, "owner", "Ana K"), "channels", "C4",
                               "unknown_owner", "error",
                               lambda b: f"'Ana K', the owner of {b.get('channels', 4, 'channel')!r}, is not a ",
        "«Ana K» (владелец канала «Блог») не найден в столбце «Сотрудник» вкладки «Роли»",
    ),
    "owner typed as a role": Case(lambda b: b.set("channels", 2, "owner", role_name("performance_owner", b.lang)),
                                  "channels", "C2", "unknown_owner", "error",
                                  lambda b: f"is a role, not a person; type the person who holds it "
                                  f"({person('performance_owner', b.lang)!r})",
        "— это роль, а не человек; укажите того, кто её занимает («Анна Кузнецова»)",
    ),
    "role without a person": Case(lambda b: b.set("roles", 8, "person", None), "roles", "B8", "no_person",
                                  "warning", lambda b: f"the role {role_name('project_manager', b.lang)!r} has no "
                                  "person",
        "у роли «Менеджер проектов» нет исполнителя",
    ),
    "one person in conflicting roles": Case(
        lambda b: b.set("roles", 9, "person", person("performance_owner", b.lang)), "roles", "B9", "role_conflict",
        "warning",
        lambda b: f"{person('performance_owner', b.lang)!r} holds both "
        f"{role_name('performance_owner', b.lang)!r} ({b.name('roles')}!B4) and {role_name('analyst', b.lang)!r}: "
        "the person who spends the budget must not be the one who judges the spend",
        "«Анна Кузнецова» занимает сразу две роли: «Владелец перформанса» (Роли!B4) и «Аналитик». "
        "Это риск: тот, кто тратит бюджет, не должен сам оценивать эти траты",
    ),
    # Stop rules
    "rule without a name": Case(lambda b: b.set("stop_rules", 2, "rule", None), "stop_rules", "A2", "empty_cell",
                                "error", "the rule has no name",
        "у правила нет названия",
    ),
    "rule on an unknown channel": Case(lambda b: b.set("stop_rules", 2, "channel", "TikTok"), "stop_rules", "B2",
                                       "unknown_scope", "error", "'TikTok' is neither a channel in",
        "«TikTok» — не канал из вкладки «Каналы» и не группа",
    ),
    "rule metric not in its set": Case(lambda b: b.set("stop_rules", 2, "metric", "Likes"), "stop_rules", "C2",
                                       "bad_value", "error", "'Likes' is not a metric",
        "«Likes» не подходит для столбца «Метрика»",
    ),
    "rule condition not in its set": Case(lambda b: b.set("stop_rules", 2, "condition", "=>"), "stop_rules", "D2",
                                          "bad_value", "error", "'=>' is not a condition; use one of >, >=, <, <=",
        "«=>» не подходит для столбца «Условие»; выберите одно из значений: >, >=, <, <=",
    ),
    "threshold unreadable": Case(lambda b: b.set("stop_rules", 2, "threshold", "lots"), "stop_rules", "E2",
                                 "bad_value", "error", "cannot read 'lots' as a threshold",
        "«lots» не читается как порог",
    ),
    "target threshold on a metric without targets": Case(
        lambda b: b.set("stop_rules", 4, "threshold", "target"), "stop_rules", "E4", "no_target_column", "error",
        "ROMI has no target in",
        "у метрики ROMI нет цели во вкладке «Каналы»",
    ),
    "periods zero": Case(lambda b: b.set("stop_rules", 2, "periods_in_a_row", 0), "stop_rules", "F2", "bad_value",
                         "error", "0 is too few; type 1 or more",
        "0 — слишком мало; введите 1 или больше",
    ),
    "periods not whole": Case(lambda b: b.set("stop_rules", 2, "periods_in_a_row", 1.5), "stop_rules", "F2",
                              "bad_value", "error", "expected a whole number, found 1.5",
        "нужно целое число, а не 1,5",
    ),
    "period not in its set": Case(lambda b: b.set("stop_rules", 2, "period", "Month"), "stop_rules", "G2",
                                  "bad_value", "error", "'Month' is not a period",
        "«Month» не подходит для столбца «Период»",
    ),
    "action not in its set": Case(lambda b: b.set("stop_rules", 2, "action", "Panic"), "stop_rules", "H2",
                                  "bad_value", "error", "'Panic' is not an action",
        "«Panic» не подходит для столбца «Действие»",
    ),
    "min spend unreadable": Case(lambda b: b.set("stop_rules", 2, "min_spend", "some"), "stop_rules", "I2",
                                 "bad_value", "error", "cannot read 'some' as a number",
        "«some» не читается как число",
    ),
    "enabled not yes or no": Case(lambda b: b.set("stop_rules", 2, "enabled", "Maybe"), "stop_rules", "J2",
                                  "bad_value", "error", "'Maybe' is not Yes or No",
        "«Maybe» не подходит для столбца «Включено»; выберите одно из значений: Да, Нет",
    ),
    "target threshold and a channel without that target": Case(
        lambda b: b.set("channels", 2, "target_cpa", None), "stop_rules", "E2", "missing_target", "warning",
        lambda b: f"the channel {b.get('channels', 2, 'channel')!r} has no "
        f"{template().tab('channels').column('target_cpa').header[b.lang]!r}; fill {b.name('channels')}!G2",
        "у канала «Контекстная реклама» не заполнен столбец «Целевой CPA»; заполните Каналы!G2",
    ),
    # Settings (rows: Currency 2, Gross margin 3, Number format 4, Week starts 5, Trend weeks 6, Language 7)
    "gross margin unreadable": Case(lambda b: b.set("settings", 3, "value", "half"), "settings", "B3",
                                    "bad_setting", "error", "Until then sheetops uses 100%",
        "Пока что sheetops использует 100%",
    ),
    "gross margin above 100%": Case(lambda b: b.set("settings", 3, "value", "150%"), "settings", "B3",
                                    "bad_setting", "error", "'150%' is not a share of revenue between 1% and 100%",
        "«150%» — не доля выручки от 1% до 100%",
    ),
    "number format unknown": Case(lambda b: b.set("settings", 4, "value", "de"), "settings", "B4", "bad_setting",
                                  "error", "'de' is not a number format",
        "«Формат чисел»: значение «de» не подходит",
    ),
    "week starting on Sunday": Case(lambda b: b.set("settings", 5, "value", "Sunday"), "settings", "B5",
                                    "bad_setting", "error", "'Sunday' is not a day the week can start on",
        "«Начало недели»: значение «Sunday» не подходит",
    ),
    "trend weeks zero": Case(lambda b: b.set("settings", 6, "value", 0), "settings", "B6", "bad_setting", "error",
                             "0 weeks is too few",
        "0 — слишком мало недель",
    ),
    "language unknown": Case(lambda b: b.set("settings", 7, "value", "fr"), "settings", "B7", "bad_setting",
                             "error", "'fr' is not a language",
        "«Язык»: значение «fr» не подходит",
    ),
    # Facts, lightly
    "Plan-Fact channel not in Channels": Case(
        lambda b: b.add_row("plan_fact", week=dt.date(2026, 11, 16), channel="Radio", spend=1, leads=1, orders=1,
                            revenue=1),
        "plan_fact", "B3", "unknown_channel", "error", "'Radio' is not a channel in Channels",
        "«Radio» нет среди каналов во вкладке «Каналы»",
    ),
    "Daily channel not in Channels": Case(
        lambda b: b.add_row("daily", date=dt.date(2026, 11, 17), channel="Radio", spend=1, leads=1, orders=1,
                            revenue=1),
        "daily", "B3", "unknown_channel", "error", "'Radio' is not a channel in Channels",
        "«Radio» нет среди каналов во вкладке «Каналы»",
    ),
    "week not a Monday": Case(lambda b: b.set("plan_fact", 2, "week", dt.date(2026, 11, 18)), "plan_fact", "A2",
                              "not_monday", "error",
                              "2026-11-18 is a Wednesday; a week is written as the Monday it starts on "
                              "(2026-11-16). This row is left out",
        "18.11.2026 — это среда; неделя записывается датой своего понедельника (16.11.2026)",
    ),
    "week not a date": Case(lambda b: b.set("plan_fact", 2, "week", "last week"), "plan_fact", "A2", "bad_date",
                            "error", "cannot read 'last week' as a date",
        "«last week» не читается как дата",
    ),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_clean_workbook_has_no_findings(tmp_path: Path, lang: str) -> None:
    assert check_workbook(Book(lang).bound(tmp_path / "clean.xlsx")) == []


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_problem_gives_one_finding_at_its_cell(tmp_path: Path, case: Case, lang: str) -> None:
    book = Book(lang)
    case.edit(book)
    findings = check_workbook(book.bound(tmp_path / "book.xlsx"))
    assert [(f.cell, f.code, f.severity) for f in findings] == [
        (f"{book.name(case.tab)}!{case.ref}", case.code, case.severity)
    ]
    assert case.part(book) in findings[0].message


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_finding_is_said_in_the_workbook_language(tmp_path: Path, case: Case) -> None:
    said = {}
    for lang in LANGS:
        book = Book(lang)
        case.edit(book)
        (finding,) = check_workbook(book.bound(tmp_path / f"{lang}.xlsx"))
        said[lang] = finding.message
    assert not CYRILLIC.search(said["en"]), said["en"]
    assert CYRILLIC.search(said["ru"]), said["ru"]


@pytest.mark.parametrize("lang", LANGS)
def test_headers_are_found_after_columns_are_moved_and_added(tmp_path: Path, lang: str) -> None:
    book = Book(lang)
    book.move_columns("channels")  # My notes, Status, Target ROAS, ..., Owner (H), Group (I), Channel (J)
    book.move_columns("stop_rules")
    assert check_workbook(book.bound(tmp_path / "moved.xlsx")) == []
    book.set("channels", 4, "owner", None)
    book.set("channels", 3, "group", "Pid")
    book.set("stop_rules", 2, "threshold", "lots")  # Threshold: 1 + 10 - 5 -> column G
    findings = check_workbook(book.bound(tmp_path / "moved.xlsx"))
    channels, rules = book.name("channels"), book.name("stop_rules")
    assert [(f.cell, f.code) for f in findings] == [
        (f"{channels}!I3", "bad_value"),
        (f"{channels}!H4", "no_owner"),
        (f"{rules}!G2", "bad_value"),
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_findings_are_sorted_by_tab_then_row_then_column(tmp_path: Path, lang: str) -> None:
    book = Book(lang)
    book.set("settings", 3, "value", "half")  # the last tab
    book.set("channels", 4, "status", "Live")
    book.set("channels", 4, "group", "Pid")
    book.set("channels", 2, "owner", None)
    book.set("roles", 8, "person", None)
    book.drop_tab("daily")
    findings = check_workbook(book.bound(tmp_path / "book.xlsx"))
    channels = book.name("channels")
    assert [f.cell for f in findings] == [
        "Daily",  # a missing tab: about the whole workbook, first
        f"{book.name('roles')}!B8",
        f"{channels}!C2",
        f"{channels}!B4",
        f"{channels}!I4",
        f"{book.name('stop_rules')}!G2",  # a day rule, and no Daily tab to judge it on
        f"{book.name('settings')}!B3",
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_each_row_of_an_unknown_channel_is_an_error_at_its_cell_as_sync_reports_it(tmp_path: Path, lang: str) -> None:
    book = Book(lang)
    for _ in range(3):
        book.add_row("plan_fact", week=dt.date(2026, 11, 16), channel="Radio", spend=1, leads=1, orders=1, revenue=1)
    findings = check_workbook(book.bound(tmp_path / "book.xlsx"))
    tab = book.name("plan_fact")
    assert [(f.cell, f.code, f.severity) for f in findings] == [
        (f"{tab}!B{row}", "unknown_channel", "error") for row in (3, 4, 5)
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_owners_and_channels_match_whatever_the_case_and_spaces(tmp_path: Path, lang: str) -> None:
    book = Book(lang)
    book.set("channels", 2, "owner", f"  {person('performance_owner', lang).upper()} ")
    book.set("plan_fact", 2, "channel", f" {str(book.get('channels', 2, 'channel')).lower()}  ")
    assert check_workbook(book.bound(tmp_path / "book.xlsx")) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_missing_tab_is_named_in_both_languages(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   lang: str) -> None:
    book = Book(lang)
    book.drop_tab("stop_rules")
    path = book.write(tmp_path / "book.xlsx")
    code, out, _ = run_sheetops(["check", str(path), "--json"], capsys)
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    assert finding["code"] == "missing_tab"
    assert (
        "the tab 'Stop rules' (in Russian 'Стоп-правила') is missing" if lang == "en"
        else "нет вкладки «Стоп-правила» (по-английски «Stop rules»)"
    ) in finding["message"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_missing_required_header_is_reported_once_not_per_row(tmp_path: Path, lang: str) -> None:
    book = Book(lang)
    rows = book.rows("channels")
    rows[0][book.col("channels", "owner")] = "Who"
    findings = check_workbook(book.bound(tmp_path / "book.xlsx"))
    assert [(f.cell, f.code) for f in findings] == [(f"{book.name('channels')}!1:1", "missing_header")]


# The command line


# What the terminal says, in the workbook's language; and the English words a Russian run must not show.
SAYS_CLEAN = {"en": "No findings: {path} is ready for `sheetops sync`.",
              "ru": "Замечаний нет: таблица {path} готова к `sheetops sync`."}
SAYS_FOUND = {
    "en": ["Checked {path}", "Channels!C7: the channel 'E-mail' has no owner",
           "Roles!B8: warning: the role 'Project manager' has no person",
           "2 findings (1 error, 1 warning). Fix them in the workbook, then run the check again."],
    "ru": ["Проверена таблица {path}", "Каналы!C7: у канала «E-mail рассылки» нет владельца",
           "Роли!B8: предупреждение: у роли «Менеджер проектов» нет исполнителя",
           "2 замечания (1 ошибка, 1 предупреждение). Исправьте их в таблице и запустите проверку снова."],
}
ENGLISH_WORDS = ("No findings", "ready for", "Checked", "warning", "finding", "error", "Fix them", "Workbook")


@pytest.mark.parametrize("lang", LANGS)
def test_check_a_clean_workbook_exits_0_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    lang: str) -> None:
    path = Book(lang).write(tmp_path / "clean.xlsx")
    code, out, err = run_sheetops(["check", str(path)], capsys)
    assert (code, err) == (0, "")
    assert out == SAYS_CLEAN[lang].format(path=path) + "\n"


@pytest.mark.parametrize("lang", LANGS)
def test_check_with_findings_exits_1_and_prints_one_line_per_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    book = Book(lang)
    book.set("channels", 7, "owner", None)
    book.set("roles", 8, "person", None)
    path = book.write(tmp_path / "book.xlsx")
    code, out, err = run_sheetops(["check", str(path)], capsys)
    assert (code, err) == (1, "")
    for line in SAYS_FOUND[lang]:
        assert line.format(path=path) in out
    if lang == "ru":
        said = out.replace(str(path), "")  # the test's own folder name is English
        assert [word for word in ENGLISH_WORDS if word in said] == []


def test_a_russian_workbook_is_checked_in_russian_from_end_to_end(
    run_cli: Callable[..., Any], demo_xlsx_ru: Path
) -> None:
    result = run_cli("check", demo_xlsx_ru)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Замечаний нет: таблица {demo_xlsx_ru} готова к `sheetops sync`.\n"
    assert json.loads(run_cli("check", demo_xlsx_ru, "--json").stdout)["lang"] == "ru"


def test_check_json_lists_every_finding_with_cell_message_severity_and_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = Book("ru")
    book.set("channels", 3, "group", "Pid")
    path = book.write(tmp_path / "book.xlsx")
    code, out, _ = run_sheetops(["check", str(path), "--json"], capsys)
    assert code == 1
    assert json.loads(out) == {
        "source": str(path),
        "ok": False,
        "lang": "ru",
        "findings": [
            {
                "cell": "Каналы!B3",
                "message": "«Pid» не подходит для столбца «Группа»; "
                "выберите одно из значений: Платные, Органика, PR, CRM, Сайт; "
                "пока это не исправлено, правила для групп пропускают этот канал",
                "severity": "warning",
                "code": "bad_value",
            }
        ],
    }
    code, out, _ = run_sheetops(["check", str(Book("en").write(tmp_path / "clean.xlsx")), "--json"], capsys)
    assert (code, json.loads(out)["ok"], json.loads(out)["findings"]) == (0, True, [])


def test_check_does_not_change_the_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = Book("en")
    book.set("channels", 3, "group", "Pid")
    path = book.write(tmp_path / "book.xlsx")
    before = path.read_bytes()
    run_sheetops(["check", str(path)], capsys)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]

