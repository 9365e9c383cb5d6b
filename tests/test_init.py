"""`sheetops init`: the workbook it makes, tab by tab, in both languages.

Every expectation is read from the template (the contract), never typed here, and every
workbook is a real file written to disk and opened again with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from sheetops import api, layout
from sheetops.templates import Template
from sheetops.workbook import column_letter

LANGS = ["en", "ru"]
DEMO_TODAY = dt.date(2026, 11, 27)  # as the demo fixtures of conftest.py
RunCli = Callable[..., Any]
Made = dict[tuple[str, bool], Any]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    """openpyxl workbooks of ``init`` with and without demo data, by (lang, demo)."""
    folder = tmp_path_factory.mktemp("init")
    books = {}
    for lang in LANGS:
        for demo in (False, True):
            path = folder / f"{lang}-{demo}.xlsx"
            api.provision(path, lang=lang, demo=demo, today=DEMO_TODAY)
            books[(lang, demo)] = openpyxl.load_workbook(path)
    yield books
    for book in books.values():
        book.close()


def values(sheet: Worksheet) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def column_values(sheet: Worksheet, col: int) -> list[Any]:
    return [row[col] if col < len(row) else None for row in sheet.iter_rows(min_row=2, values_only=True)]


def validation_for(sheet: Worksheet, col: int, row: int = 2) -> Any:
    """The data validation that covers a cell (row 1-based), or None."""
    cell = f"{column_letter(col)}{row}"
    found = [dv for dv in sheet.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) <= 1, f"{sheet.title}!{cell} has {len(found)} validations"
    return found[0] if found else None


def column_dimension(sheet: Worksheet, col: int) -> Any:
    """The <col> entry that covers a column (0-based); adjacent equal columns share one."""
    for dimension in sheet.column_dimensions.values():
        if dimension.min is not None and dimension.min <= col + 1 <= dimension.max:
            return dimension
    raise AssertionError(f"{sheet.title}: column {column_letter(col)} has no width or format")


def index(template: Template, tab: str, column: str) -> int:
    return [c.key for c in template.tab(tab).columns].index(column)


# ---- tabs, headers, looks ----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_init_makes_every_contract_tab_in_template_order(made: Made, template: Template, lang: str) -> None:
    book = made[(lang, False)]
    assert book.sheetnames == [tab.name[lang] for tab in template.tabs if not tab.on_demand]


def test_init_leaves_the_unit_economics_tab_to_sync_month(made: Made, template: Template) -> None:
    assert template.tab("unit_economics").on_demand
    assert "Unit economics" not in made[("en", False)].sheetnames


@pytest.mark.parametrize("lang", LANGS)
def test_row_1_holds_exactly_the_contract_headers(made: Made, template: Template, lang: str) -> None:
    book = made[(lang, False)]
    for tab in template.tabs:
        if not tab.columns:
            continue
        header = values(book[tab.name[lang]])[0]
        assert header[: len(tab.columns)] == [c.header[lang] for c in tab.columns], tab.key
        if not tab.owned:
            assert len(header) == len(tab.columns), tab.key


@pytest.mark.parametrize("lang", LANGS)
def test_header_row_is_bold_and_frozen_and_columns_have_the_contract_widths(
    made: Made, template: Template, lang: str
) -> None:
    book = made[(lang, False)]
    for tab in template.tabs:
        if not tab.columns:
            continue
        sheet = book[tab.name[lang]]
        assert sheet.freeze_panes == "A2", tab.key
        for col, column in enumerate(tab.columns):
            assert sheet.cell(1, col + 1).font.b, f"{tab.key}.{column.key} header is not bold"
            width = column_dimension(sheet, col).width
            assert width == pytest.approx(column.width, abs=1), f"{tab.key}.{column.key}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_enum_column_has_a_strict_drop_down_of_its_values_in_that_language(
    made: Made, template: Template, lang: str
) -> None:
    book = made[(lang, False)]
    checked = 0
    for tab in template.tabs:
        for col, column in enumerate(tab.columns):
            if column.type != "enum":
                continue
            sheet = book[tab.name[lang]]
            validation = validation_for(sheet, col)
            assert validation is not None, f"{tab.key}.{column.key} has no drop-down"
            assert validation.type == "list"
            assert validation.formula1 == '"' + ",".join(template.enum(column.enum or "").labels(lang)) + '"'
            assert validation.errorStyle in (None, "stop")
            assert validation_for(sheet, col, row=900) is validation
            checked += 1
    assert checked >= 8


@pytest.mark.parametrize("lang", LANGS)
def test_channel_columns_draw_their_drop_down_from_the_channels_tab(made: Made, template: Template, lang: str) -> None:
    book = made[(lang, False)]
    channels = template.tab("channels")
    source = f"'{channels.name[lang]}'!${column_letter(index(template, 'channels', 'channel'))}$2:$"
    for key in ("plan_fact", "daily"):
        tab = template.tab(key)
        validation = validation_for(book[tab.name[lang]], index(template, key, "channel"))
        assert validation is not None, key
        assert validation.formula1.startswith(source), validation.formula1
        assert validation.errorStyle in (None, "stop")


@pytest.mark.parametrize("lang", LANGS)
def test_owner_draws_from_roles_person_and_only_warns(made: Made, template: Template, lang: str) -> None:
    book = made[(lang, False)]
    validation = validation_for(book[template.tab("channels").name[lang]], index(template, "channels", "owner"))
    person = column_letter(index(template, "roles", "person"))
    assert validation.formula1.startswith(f"'{template.tab('roles').name[lang]}'!${person}$2:$")
    assert validation.errorStyle == "warning"


@pytest.mark.parametrize("lang", LANGS)
def test_stop_rule_scope_lists_groups_star_and_channels_and_only_warns(
    made: Made, template: Template, lang: str
) -> None:
    book = made[(lang, False)]
    validation = validation_for(book[template.tab("stop_rules").name[lang]], index(template, "stop_rules", "channel"))
    listed = validation.formula1.strip('"').split(",")
    assert listed[: len(template.enum("group").values) + 1] == [*template.enum("group").labels(lang), "*"]
    assert template.channels[0].name[lang] in listed
    assert validation.errorStyle == "warning"


@pytest.mark.parametrize("lang", LANGS)
def test_settings_that_take_a_fixed_set_have_a_drop_down_on_their_value(
    made: Made, template: Template, lang: str
) -> None:
    sheet = made[(lang, False)][template.tab("settings").name[lang]]
    value_col = index(template, "settings", "value")
    for row, setting in enumerate(template.settings, start=2):
        validation = validation_for(sheet, value_col, row)
        if setting.enum is None:
            assert validation is None, setting.key
        else:
            assert validation.formula1 == '"' + ",".join(template.enum(setting.enum).labels(lang)) + '"'


@pytest.mark.parametrize("lang", LANGS)
def test_cells_get_the_number_format_of_their_column_type(made: Made, template: Template, lang: str) -> None:
    book = made[(lang, True)]
    money = layout.money_format(str(template.setting("currency").default(lang)))
    channels = book[template.tab("channels").name[lang]]
    budget = channels.cell(2, index(template, "channels", "monthly_budget") + 1)
    assert budget.number_format == money
    plan_fact = book[template.tab("plan_fact").name[lang]]
    week = plan_fact.cell(2, index(template, "plan_fact", "week") + 1)
    assert week.is_date and week.number_format == layout.DATE
    spend = plan_fact.cell(2, index(template, "plan_fact", "spend") + 1)
    assert spend.number_format == money
    # Empty cells below take the column's format too, for what people type later.
    assert column_dimension(plan_fact, index(template, "plan_fact", "spend")).number_format == money


# ---- pre-filled content ------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_roles_are_pre_filled_from_the_template_with_people_only_in_the_demo(
    made: Made, template: Template, lang: str
) -> None:
    tab = template.tab("roles")
    for demo in (False, True):
        rows = values(made[(lang, demo)][tab.name[lang]])[1:]
        assert [r[index(template, "roles", "role")] for r in rows] == [role.name[lang] for role in template.roles]
        people = [r[index(template, "roles", "person")] for r in rows]
        if demo:
            assert people == [role.demo_person[lang] for role in template.roles if role.demo_person]
        else:
            assert people == [None] * len(template.roles)
        hours = [r[index(template, "roles", "hours_per_week")] for r in rows]
        assert hours == [role.hours_per_week for role in template.roles]


@pytest.mark.parametrize("lang", LANGS)
def test_channels_are_the_template_examples_with_labels_in_that_language(
    made: Made, template: Template, lang: str
) -> None:
    rows = values(made[(lang, False)][template.tab("channels").name[lang]])[1:]
    assert len(rows) == len(template.channels)
    for row, seed in zip(rows, template.channels, strict=True):
        assert row[index(template, "channels", "channel")] == seed.name[lang]
        assert row[index(template, "channels", "group")] == template.enum("group").label_of(seed.group, lang)
        assert row[index(template, "channels", "status")] == template.enum("status").label_of(seed.status, lang)
        assert row[index(template, "channels", "monthly_budget")] == seed.monthly_budget
        assert row[index(template, "channels", "target_cpa")] == seed.target_cpa
        assert row[index(template, "channels", "owner")] is None


@pytest.mark.parametrize("lang", LANGS)
def test_stop_rules_show_the_group_label_or_star(made: Made, template: Template, lang: str) -> None:
    rows = values(made[(lang, False)][template.tab("stop_rules").name[lang]])[1:]
    assert len(rows) == len(template.stop_rules)
    groups = {v.key for v in template.enum("group").values}
    for row, seed in zip(rows, template.stop_rules, strict=True):
        expected = template.enum("group").label_of(seed.channel, lang) if seed.channel in groups else seed.channel
        assert row[index(template, "stop_rules", "channel")] == expected
        assert row[index(template, "stop_rules", "rule")] == seed.rule[lang]
        assert row[index(template, "stop_rules", "metric")] == template.enum("metric").label_of(seed.metric, lang)
        assert row[index(template, "stop_rules", "periods_in_a_row")] == seed.periods_in_a_row
        assert row[index(template, "stop_rules", "enabled")] == template.enum("yes_no").label_of(seed.enabled, lang)
    thresholds = [r[index(template, "stop_rules", "threshold")] for r in rows]
    assert thresholds == [{"en": "target", "ru": "цель"}[lang], 0.01, 0]


@pytest.mark.parametrize("lang", LANGS)
def test_settings_rows_hold_the_defaults_for_that_language(made: Made, template: Template, lang: str) -> None:
    sheet = made[(lang, False)][template.tab("settings").name[lang]]
    rows = values(sheet)[1:]
    assert [r[0] for r in rows] == [s.label[lang] for s in template.settings]
    by_key = {s.key: (r[1], sheet.cell(n, 2)) for n, (s, r) in enumerate(zip(template.settings, rows, strict=True), 2)}
    assert by_key["currency"][0] == template.setting("currency").default(lang)
    margin, margin_cell = by_key["gross_margin"]
    assert margin == 1 and margin_cell.number_format == layout.PERCENT
    assert by_key["week_starts"][0] == template.enum("weekday").label_of("monday", lang)
    assert by_key["language"][0] == lang
    assert by_key["trend_weeks"][0] == 8


@pytest.mark.parametrize("lang", LANGS)
def test_owned_tabs_carry_the_note_not_to_type_there(made: Made, template: Template, lang: str) -> None:
    book = made[(lang, False)]
    note = template.owned_tab_note[lang]
    assert values(book[template.tab("summary").name[lang]]) == [[note]]
    log = template.tab("sync_log")
    rows = values(book[log.name[lang]])
    assert len(rows) == 1, "the Sync Log has only its header row, for sync to append below"
    assert rows[0][len(log.columns) :] == [None, note]


@pytest.mark.parametrize("lang", LANGS)
def test_input_tabs_other_than_the_pre_filled_ones_start_empty(made: Made, template: Template, lang: str) -> None:
    book = made[(lang, False)]
    for key in ("plan_fact", "daily"):
        assert len(values(book[template.tab(key).name[lang]])) == 1


# ---- --channels ----------------------------------------------------------------------


def test_channels_option_replaces_the_example_channels(run_cli: RunCli, template: Template, tmp_path: Path) -> None:
    path = tmp_path / "mine.xlsx"
    result = run_cli("init", path, "--channels", "Search ads, TikTok ,Telegram")
    assert result.exit_code == 0, result.stderr
    assert "3 channels" in result.stdout
    book = openpyxl.load_workbook(path)
    rows = values(book["Channels"])[1:]
    assert [r[0] for r in rows] == ["Search ads", "TikTok", "Telegram"]
    known, new = rows[0], rows[1]
    assert known[index(template, "channels", "group")] == "Paid"
    assert known[index(template, "channels", "target_cpa")] == template.channels[0].target_cpa
    assert new[index(template, "channels", "group")] is None
    assert new[index(template, "channels", "status")] == "Active"
    # Rules scoped by group or * stay; the scope drop-down lists the new channels.
    rules = values(book["Stop rules"])[1:]
    assert [r[1] for r in rules] == ["Paid", "CRM", "*"]
    scope = validation_for(book["Stop rules"], index(template, "stop_rules", "channel"))
    assert "TikTok" in scope.formula1


@pytest.mark.parametrize(
    ("channels", "scopes"),
    [("Search ads,TikTok", ["Paid", "CRM", "*"]), ("Блог,TikTok", ["Paid", "CRM", "*", "Блог"])],
    ids=["its channel left out", "its channel kept, named as given"],
)
def test_a_rule_on_an_example_channel_follows_the_channels_option(
    run_cli: RunCli, tmp_path: Path, channels: str, scopes: list[str]
) -> None:
    from importlib import resources

    data = json.loads(resources.files("sheetops.templates").joinpath("smb-marketing.json").read_text("utf-8"))
    blog_rule = dict(data["stop_rules"][0], channel="Blog", rule={"en": "Blog CPL too high", "ru": "CPL блога"})
    data["stop_rules"].append(blog_rule)
    template_file = tmp_path / "with-blog-rule.json"
    template_file.write_text(json.dumps(data), "utf-8")
    path = tmp_path / "mine.xlsx"
    result = run_cli("init", path, "--template", template_file, "--channels", channels)
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(path)
    assert column_values(book["Stop rules"], 1) == scopes


def test_a_channel_named_like_a_formula_stays_text(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "formula.xlsx"
    name = '=HYPERLINK("http://example.com")'
    result = run_cli("init", path, "--channels", f"Blog,{name}", "--demo")
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(path)
    assert column_values(book["Channels"], 0) == ["Blog", name]
    assert book["Channels"]["A3"].data_type == "s"
    assert name in column_values(book["Daily"], 1)
    with zipfile.ZipFile(path) as package:
        for part in package.namelist():
            if part.startswith("xl/worksheets/"):
                assert b"<f>" not in package.read(part), part


def test_channels_given_twice_are_refused(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "twice.xlsx"
    result = run_cli("init", path, "--channels", "Blog,blog")
    assert result.exit_code == 2
    assert "'blog' is given twice" in result.stderr
    assert not path.exists()


# ---- demo ----------------------------------------------------------------------------


def read_all(path: Path) -> dict[str, list[list[Any]]]:
    book = openpyxl.load_workbook(path)
    try:
        return {sheet.title: values(sheet) for sheet in book.worksheets}
    finally:
        book.close()


@pytest.mark.parametrize("lang", LANGS)
def test_demo_is_the_same_for_the_same_today(lang: str, tmp_path: Path) -> None:
    first, second, other = tmp_path / "1.xlsx", tmp_path / "2.xlsx", tmp_path / "3.xlsx"
    api.provision(first, lang=lang, demo=True, today=DEMO_TODAY)
    api.provision(second, lang=lang, demo=True, today=DEMO_TODAY)
    api.provision(other, lang=lang, demo=True, today=DEMO_TODAY + dt.timedelta(days=1))
    assert read_all(first) == read_all(second)
    assert read_all(first) != read_all(other)


def demo_tables(template: Template, book: Any, lang: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Plan-Fact and Daily rows as dicts by column key."""
    tables = []
    for key in ("plan_fact", "daily"):
        tab = template.tab(key)
        rows = values(book[tab.name[lang]])[1:]
        tables.append([dict(zip([c.key for c in tab.columns], r, strict=False)) for r in rows])
    return tables[0], tables[1]


def day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@pytest.mark.parametrize("lang", LANGS)
def test_demo_has_eight_weeks_of_plan_fact_and_every_day_in_daily(made: Made, template: Template, lang: str) -> None:
    plan_fact, daily = demo_tables(template, made[(lang, True)], lang)
    names = [c.name[lang] for c in template.channels]
    current = DEMO_TODAY - dt.timedelta(days=DEMO_TODAY.weekday())
    weeks = sorted({day(r["week"]) for r in plan_fact})
    assert weeks == [current - dt.timedelta(weeks=n) for n in range(7, -1, -1)]
    assert all(w.weekday() == 0 for w in weeks)
    assert len(plan_fact) == len(weeks) * len(names)
    days = sorted({day(r["date"]) for r in daily})
    assert days[0] == weeks[0] and days[-1] == DEMO_TODAY
    assert len(days) == (DEMO_TODAY - weeks[0]).days + 1
    assert len(daily) == len(days) * len(names)
    assert {r["channel"] for r in daily} == set(names)


@pytest.mark.parametrize("lang", LANGS)
def test_demo_weekly_facts_are_the_sums_of_daily_and_the_current_week_has_plans_only(
    made: Made, template: Template, lang: str
) -> None:
    plan_fact, daily = demo_tables(template, made[(lang, True)], lang)
    current = DEMO_TODAY - dt.timedelta(days=DEMO_TODAY.weekday())
    facts = ("spend", "leads", "orders", "revenue", "traffic", "emails_sent", "unsubscribes")
    for row in plan_fact:
        monday = day(row["week"])
        assert all(row[k] is not None for k in ("spend_plan", "leads_plan", "orders_plan", "revenue_plan"))
        if monday == current:
            assert all(row.get(k) is None for k in (*facts, "new_customers", "repeat_orders", "conclusion"))
            continue
        sunday = monday + dt.timedelta(days=6)
        week = [d for d in daily if d["channel"] == row["channel"] and monday <= day(d["date"]) <= sunday]
        assert len(week) == 7
        for key in facts:
            numbers = [d[key] for d in week if d.get(key) is not None]
            assert row.get(key) == (sum(numbers) if numbers else None), (monday, row["channel"], key)
        assert row["new_customers"] + row["repeat_orders"] == row["orders"]
        assert row["conclusion"] and row["action"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("today", [dt.date(2026, 11, 23) + dt.timedelta(days=n) for n in range(7)], ids=str)
def test_demo_breaches_the_stop_rules_whatever_the_weekday(
    template: Template, tmp_path: Path, lang: str, today: dt.date
) -> None:
    path = tmp_path / "demo.xlsx"
    api.provision(path, lang=lang, demo=True, today=today)
    book = openpyxl.load_workbook(path)
    plan_fact, daily = demo_tables(template, book, lang)
    cpa_rule, unsubscribe_rule = template.stop_rules[0], template.stop_rules[1]
    social, email = template.channels[1], template.channels[5]
    assert (cpa_rule.metric, cpa_rule.threshold, cpa_rule.channel) == ("cpa", "target", social.group)
    # The sync run today reports up to this day: today from Friday on, else last Sunday.
    reported = today if today.weekday() >= 4 else today - dt.timedelta(days=today.weekday() + 1)
    # Social ads: CPA above its target on each of the four days up to it, spend above Min spend.
    four_days = [reported - dt.timedelta(days=n) for n in range(4)]
    last_days = [d for d in daily if d["channel"] == social.name[lang] and day(d["date"]) in four_days]
    assert len(last_days) == 4
    for row in last_days:
        assert row["spend"] > (cpa_rule.min_spend or 0)
        assert row["orders"] == 0 or row["spend"] / row["orders"] > (social.target_cpa or 0)
    # E-mail: unsubscribe rate above 1% in the reported week, and in the week before it.
    assert unsubscribe_rule.metric == "unsubscribe_rate" and email.group == unsubscribe_rule.channel
    current = reported - dt.timedelta(days=reported.weekday())
    previous = current - dt.timedelta(weeks=1)
    latest = next(r for r in plan_fact if r["channel"] == email.name[lang] and day(r["week"]) == previous)
    assert latest["unsubscribes"] / latest["emails_sent"] > 0.01
    this_week = [d for d in daily if d["channel"] == email.name[lang] and current <= day(d["date"]) <= reported]
    assert sum(d["unsubscribes"] for d in this_week) / sum(d["emails_sent"] for d in this_week) > 0.01
    book.close()


@pytest.mark.parametrize("lang", LANGS)
def test_demo_role_map_is_complete_and_no_person_holds_conflicting_roles(
    made: Made, template: Template, lang: str
) -> None:
    book = made[(lang, True)]
    roles = values(book[template.tab("roles").name[lang]])[1:]
    person_of = {template.role_key_of(r[0]): r[index(template, "roles", "person")] for r in roles}
    assert all(person_of.values())
    for conflict in template.role_conflicts:
        first, second = conflict.roles
        assert person_of[first] != person_of[second]
    owners = column_values(book[template.tab("channels").name[lang]], index(template, "channels", "owner"))
    assert set(owners) <= set(person_of.values())
    assert all(owners)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("today", [dt.date(2026, 11, 23) + dt.timedelta(days=n) for n in range(7)], ids=str)
def test_a_sync_on_the_demo_day_finds_its_breaches(
    template: Template, tmp_path: Path, lang: str, today: dt.date
) -> None:
    path = tmp_path / "demo.xlsx"
    api.provision(path, lang=lang, demo=True, today=today)
    report = api.sync(path, today=today, dry_run=True)
    found = {(b.channel.name, b.metric) for b in report.breaches}
    assert (template.channels[1].name[lang], "cpa") in found
    assert (template.channels[5].name[lang], "unsubscribe_rate") in found
    assert report.issues == ()


@pytest.mark.parametrize("fixture", ["demo_xlsx", "demo_xlsx_ru"])
def test_check_finds_nothing_to_fix_in_a_demo_workbook(fixture: str, request: pytest.FixtureRequest) -> None:
    report = api.check(request.getfixturevalue(fixture))
    assert report.findings == ()


# ---- refusing and replacing files --------------------------------------------------


def test_init_refuses_to_overwrite_a_file(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "marketing.xlsx"
    path.write_bytes(b"my work")
    result = run_cli("init", path)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert str(path) in result.stderr and "--force" in result.stderr
    assert path.read_bytes() == b"my work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["marketing.xlsx"]


def test_init_with_force_overwrites_and_keeps_the_permissions(run_cli: RunCli, blank_xlsx: Path) -> None:
    os.chmod(blank_xlsx, 0o640)
    result = run_cli("init", blank_xlsx, "--force", "--lang", "ru")
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(blank_xlsx.stat().st_mode) == 0o640
    assert openpyxl.load_workbook(blank_xlsx).sheetnames[0] == "Роли"
    assert sorted(p.name for p in blank_xlsx.parent.iterdir()) == [blank_xlsx.name]


def test_init_with_force_refuses_a_workbook_open_in_libreoffice(run_cli: RunCli, blank_xlsx: Path) -> None:
    before = blank_xlsx.read_bytes()
    (blank_xlsx.parent / f".~lock.{blank_xlsx.name}#").write_text("someone")
    result = run_cli("init", blank_xlsx, "--force")
    assert result.exit_code == 2
    assert "open in LibreOffice" in result.stderr
    assert blank_xlsx.read_bytes() == before


@pytest.mark.parametrize("name", ["marketing.xls", "marketing.csv", "marketing", "marketing.xlsm"])
def test_init_refuses_a_name_that_is_not_xlsx(run_cli: RunCli, tmp_path: Path, name: str) -> None:
    result = run_cli("init", tmp_path / name)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert ".xlsx" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_refuses_a_missing_folder(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("init", tmp_path / "nowhere" / "marketing.xlsx")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "does not exist" in result.stderr and str(tmp_path / "nowhere") in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_no_file_behind(run_cli: RunCli, tmp_path: Path) -> None:
    """A template whose drop-down cannot be written fails cleanly, keeping the folder clean."""
    from importlib import resources

    data = json.loads(resources.files("sheetops.templates").joinpath("smb-marketing.json").read_text("utf-8"))
    data["enums"]["status"][0]["en"] = "Active, running"
    template_file = tmp_path / "mine.json"
    template_file.write_text(json.dumps(data), "utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    result = run_cli("init", folder / "marketing.xlsx", "--template", template_file)
    assert result.exit_code == 2
    assert "comma" in result.stderr and result.stderr.count("\n") == 1
    assert list(folder.iterdir()) == []


# What init prints, in the new workbook's language: what it made, then what to do next.
INIT_SAYS: dict[str, tuple[list[str], list[str]]] = {
    "en demo": (["--demo"], [
        "Created {path} (English, template smb-marketing, 7 channels, demo data).",
        "Next: run `sheetops sync {path}` and open the 'CMO Summary' tab.",
    ]),
    "en blank": ([], [
        "Created {path} (English, template smb-marketing, 7 channels).",
        "Next: fill in the 'Roles' and 'Channels' tabs, then run `sheetops check {path}`.",
    ]),
    "en one channel": (["--channels", "Blog"], [
        "Created {path} (English, template smb-marketing, 1 channel).",
        "Next: fill in the 'Roles' and 'Channels' tabs, then run `sheetops check {path}`.",
    ]),
    "ru demo": (["--demo", "--lang", "ru"], [
        "Создана таблица {path} (русский язык, шаблон smb-marketing, 7 каналов, демо-данные).",
        "Дальше: запустите `sheetops sync {path}` и откройте вкладку «Сводка CMO».",
    ]),
    "ru blank": (["--lang", "ru", "--channels", "Блог,Яндекс Директ"], [
        "Создана таблица {path} (русский язык, шаблон smb-marketing, 2 канала).",
        "Дальше: заполните вкладки «Роли» и «Каналы», затем запустите `sheetops check {path}`.",
    ]),
}


@pytest.mark.parametrize(("args", "lines"), INIT_SAYS.values(), ids=INIT_SAYS.keys())
def test_init_prints_what_it_made_and_what_to_do_next_in_the_workbooks_language(
    run_cli: RunCli, tmp_path: Path, args: list[str], lines: list[str]
) -> None:
    path = tmp_path / "made.xlsx"
    result = run_cli("init", path, *args)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [line.format(path=path) for line in lines]
