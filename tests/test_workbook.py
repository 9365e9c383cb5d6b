"""The contract is found in a workbook by tab and header names, in either language."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from sheetops.templates import Template
from sheetops.values import CellError, CellValue, UncomputedFormula
from sheetops.workbook import Columns, Sheet, WorkbookData, address, bind, column_index, column_letter


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


# Every kind of value a reader gives, and the same kind repeated, as in a long column.
KINDS_OF_VALUES = [
    ("numbers", [1.5, 0.0, -0.0, 3.0, float("inf")]),
    ("dates", [dt.date(2026, 11, 23), dt.date(1900, 1, 1), dt.date(2026, 11, 23)]),
    ("texts", ["Blog", "Search ads", "Blog", " "]),
    ("empty", [None, None]),
    ("numbers and empty cells", [1.5, None, 0.0, None]),
    ("texts and empty cells", [None, "Blog", None, "Blog", "Search ads"]),
    ("others", [dt.datetime(2026, 11, 23, 9, 30), True, 7, dt.time(8), dt.timedelta(hours=2),
                CellError("#DIV/0!"), UncomputedFormula("A1+1")]),
    ("mixed", ["Spend", 12.0, None, dt.date(2026, 11, 23), "12,5", CellError("#N/A"), 3.0] * 20),
]


@pytest.mark.parametrize(("case", "values"), KINDS_OF_VALUES, ids=[c[0] for c in KINDS_OF_VALUES])
def test_a_tab_kept_by_column_gives_back_every_value_as_it_was(case: str, values: list[CellValue]) -> None:
    rows = [[value, "x"] for value in values]
    kept = Columns.of_rows(rows)
    assert len(kept) == len(rows)
    assert kept == rows and list(kept) == rows and [kept[i] for i in range(len(rows))] == rows
    for got, typed in zip((row[0] for row in kept), values, strict=True):
        assert type(got) is type(typed)
    assert Sheet("Daily", kept).value(1, 0) == rows[1][0]


def test_a_not_a_number_kept_by_column_is_still_not_a_number() -> None:
    kept = Columns.of_rows([[float("nan")]])
    assert math.isnan(kept.cell(0, 0))  # type: ignore[arg-type]


def test_calamines_empty_text_is_an_empty_cell_and_columns_before_the_data_are_empty() -> None:
    kept = Columns()
    kept.extend([["Date", ""], [dt.date(2026, 11, 23), "Blog"]], "", offset=2)
    assert kept == [[None, None, "Date", None], [None, None, dt.date(2026, 11, 23), "Blog"]]


def test_a_cell_put_beyond_a_tab_kept_by_column_widens_and_lengthens_it() -> None:
    kept = Columns.of_rows([[1.0, 2.0]])
    kept.set(2, 3, CellError("#REF!"))
    assert kept == [[1.0, 2.0, None, None], [None] * 4, [None, None, None, CellError("#REF!")]]
    assert kept.cell(9, 9) is None and Sheet("T", kept).value(0, 1) == 2.0


def test_rows_of_unequal_length_are_kept_as_the_longest() -> None:
    assert Columns.of_rows([[1.0], [2.0, "b"], []]) == [[1.0, None], [2.0, "b"], [None, None]]
