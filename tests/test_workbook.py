"""The contract is found in a workbook by tab and header names, in either language."""

from __future__ import annotations

import pytest

from sheetops.templates import Template
from sheetops.workbook import Sheet, WorkbookData, address, bind, column_index, column_letter


@pytest.mark.parametrize(("col", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (701, "ZZ"), (702, "AAA")])
def test_column_letters_round_trip(col: int, letters: str) -> None:
    assert column_letter(col) == letters
    assert column_index(letters) == col


def test_addresses_read_like_a_spreadsheet() -> None:
    assert address("Plan-Fact", 13, 5) == "Plan-Fact!F14"


def contract_workbook(template: Template, lang: str, *, drop_tab: str | None = None,
                      drop_header: tuple[str, str] | None = None, shuffle: bool = False) -> WorkbookData:
    sheets = []
    for tab in template.tabs:
        if tab.key == drop_tab:
            continue
        headers = [c.header[lang] for c in tab.columns if (tab.key, c.key) != drop_header]
        if shuffle:
            headers = ["My own column", *reversed(headers)]
        sheets.append(Sheet(tab.name[lang], [headers]))
    return WorkbookData("test.xlsx", tuple(sheets))


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_complete_workbook_binds_every_tab_and_column(template: Template, lang: str) -> None:
    bound = bind(contract_workbook(template, lang), template)
    assert bound.findings == ()
    assert bound.lang == lang
    for tab in template.tabs:
        assert bound.tabs[tab.key].name == tab.name[lang]
        assert set(bound.tabs[tab.key].columns) == {c.key for c in tab.columns}


def test_columns_are_found_wherever_the_user_moved_them(template: Template) -> None:
    bound = bind(contract_workbook(template, "en", shuffle=True), template)
    plan_fact = bound.tabs["plan_fact"]
    keys = [c.key for c in template.tab("plan_fact").columns]
    assert plan_fact.columns["week"] == len(keys)  # reversed, after "My own column"
    assert plan_fact.columns[keys[-1]] == 1
    assert bound.findings == ()


def test_tab_and_header_names_ignore_case_and_spaces(template: Template) -> None:
    data = WorkbookData("t", (Sheet("  plan-FACT ", [["week", " CHANNEL", "spend", "Leads", "orders", "revenue"]]),))
    bound = bind(data, template)
    assert set(bound.tabs["plan_fact"].columns) >= {"week", "channel", "spend", "leads", "orders", "revenue"}


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "the tab 'Channels' (in Russian 'Каналы') is missing"),
    ("ru", "нет вкладки «Каналы» (по-английски «Channels»)"),
])
def test_a_missing_tab_is_named_in_both_languages_in_the_workbook_language(
    template: Template, lang: str, said: str
) -> None:
    bound = bind(contract_workbook(template, lang, drop_tab="channels"), template)
    assert [f.code for f in bound.findings] == ["missing_tab"]
    assert said in bound.findings[0].message


def test_owned_tabs_may_be_missing(template: Template) -> None:
    assert bind(contract_workbook(template, "en", drop_tab="summary"), template).findings == ()


def test_a_missing_required_header_names_the_tab_and_the_column(template: Template) -> None:
    bound = bind(contract_workbook(template, "en", drop_header=("plan_fact", "spend")), template)
    [finding] = bound.findings
    assert finding.code == "missing_header"
    assert finding.cell == "Plan-Fact!1:1"
    assert "'Spend'" in finding.message and "'Расход'" in finding.message


def test_a_missing_header_of_a_russian_workbook_is_said_in_russian(template: Template) -> None:
    bound = bind(contract_workbook(template, "ru", drop_header=("plan_fact", "spend")), template)
    [finding] = bound.findings
    assert finding.cell == f"{template.tab('plan_fact').name.ru}!1:1"
    assert finding.message.startswith(f"в первой строке вкладки «{template.tab('plan_fact').name.ru}» "
                                      "нет обязательного столбца «Расход» (по-английски «Spend»)")
