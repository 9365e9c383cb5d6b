"""`sheetops sync` end to end: the real CLI on real .xlsx files, read back by other readers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from sheetops.backends import STATE_TAB
from sheetops.backends.xlsx.package import sheet_parts
from sheetops.templates import Template

DEMO_TODAY = dt.date(2026, 11, 27)  # the day the demo fixtures were made (tests/conftest.py)
AS_OF = DEMO_TODAY.isoformat()
RunCli = Callable[..., Any]
LIGHT_RED = "FFFFC7CE"


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def part_of(path: Path, tab: str) -> str:
    with zipfile.ZipFile(path) as package:
        return next(p.part for p in sheet_parts(package) if p.name == tab)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def red_cells(path: Path) -> dict[str, set[str]]:
    """Per tab, the cells with sheetops' light red fill."""
    book = openpyxl.load_workbook(path)
    found: dict[str, set[str]] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.fill is not None and cell.fill.fgColor is not None and cell.fill.fgColor.rgb == LIGHT_RED:
                    found.setdefault(sheet.title, set()).add(cell.coordinate)
    return found


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_friday_sync_writes_the_summary_the_marks_and_a_log_row(
    run_cli: RunCli, demo_xlsx: Path, demo_xlsx_ru: Path, template: Template, lang: str
) -> None:
    path = demo_xlsx if lang == "en" else demo_xlsx_ru
    result = run_cli("sync", path, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert "Social ads" in result.stdout or "Таргетированная реклама" in result.stdout

    book = openpyxl.load_workbook(path)
    summary = book[template.tab("summary").name[lang]]
    monday, as_of = ("2026-11-23", AS_OF) if lang == "en" else ("23.11.2026", "27.11.2026")
    assert monday in str(summary["A1"].value) and as_of in str(summary["A1"].value)
    log = book[template.tab("sync_log").name[lang]]
    assert [c.value for c in log[1][:2]] == [c.header[lang] for c in template.tab("sync_log").columns[:2]]
    assert log.max_row == 2
    assert book[STATE_TAB].sheet_state == "hidden"

    marked = red_cells(path)
    daily = template.tab("daily").name[lang]
    assert marked.get(daily), "the CPA breach marks the Daily cells it came from"
    notes = [book[daily][ref].comment for ref in marked[daily] if book[daily][ref].comment is not None]
    # one note per breach (the CPA's and the unsubscribe rate's, a week taken from Daily), the other cells filled
    assert len(notes) == 2 and any("CPA" in n.text for n in notes) and len(marked[daily]) > 2

    # Another reader sees the same summary.
    calamine = CalamineWorkbook.from_path(str(path))
    rows = calamine.get_sheet_by_name(template.tab("summary").name[lang]).to_python()
    assert rows[0][0] == summary["A1"].value

    # The first screen: header row and Channel column frozen, the header tall enough for its
    # wrapped labels, dates and money written the language's way.
    assert summary.freeze_panes == "B5"
    assert summary.row_dimensions[4].height == 45
    decisions = next(r for r in range(1, summary.max_row + 1)
                     if summary.cell(r, 1).value in ("Decisions needed", "Нужны решения"))
    since = summary.cell(decisions + 2, 5)
    assert isinstance(since.value, dt.datetime)
    assert since.number_format == ("dd.mm.yyyy" if lang == "ru" else "yyyy-mm-dd")
    spend_fact = next(c for c in summary[4] if c.value in ("Spend fact", "Расход факт"))
    assert ".00" not in summary.cell(5, spend_fact.column).number_format  # whole amounts, no cents


# What the terminal says about the demo week, in each language; and the English words a Russian run must not show.
SAYS = {
    "en": ["week 2026-11-23 to 2026-11-29, as of 2026-11-27", "Channel", "Status", "Spend", "vs plan", "Total",
           "Social ads", "BREACH", "Decisions needed (2)", "in a row since 2026-11-",
           "Action: stop; owner Anna Kuznetsova."],
    "ru": ["неделя с 23.11.2026 по 29.11.2026, данные на 27.11.2026", "Канал", "Статус", "Расход",
           "откл. от плана", "Итого",
           "Таргетированная реклама", "НАРУШЕНИЕ", "Нужны решения (2)", " подряд с ",
           "Действие: остановить; владелец Анна Кузнецова."],
}
OUTCOME = {
    ("en", False): "Written: the 'CMO Summary' tab, 16 highlighted cells and a row in 'Sync Log'",
    ("en", True): "Dry run: nothing written (it would write the 'CMO Summary' tab, 16 highlighted cells",
    ("ru", False): "Записано: обновлена вкладка «Сводка CMO», выделено 16 ячеек, добавлена строка на вкладку "
                   "«Журнал синхронизации»",
    ("ru", True): "Пробный запуск: ничего не записано. Без --dry-run была бы обновлена вкладка «Сводка CMO» и "
                  "добавлена строка на вкладку «Журнал синхронизации»; к выделению: 16 ячеек",
}
ENGLISH_WORDS = ("week ", "as of", "Channel", "Status", "Spend", "vs plan", "Total", "BREACH", "Decisions needed",
                 "in a row", "target", "Action", "owner", "Watch", "Missing reports", "Data issues", "warning",
                 "Written", "Dry run", "highlighted", "rows read", "No stop rule")


@pytest.mark.parametrize(("lang", "dry_run"), OUTCOME.keys(), ids=[f"{lang}-{'dry-run' if dry else 'write'}"
                                                                   for lang, dry in OUTCOME])
def test_the_terminal_report_is_in_the_workbooks_language(
    run_cli: RunCli, demo_xlsx: Path, demo_xlsx_ru: Path, lang: str, dry_run: bool
) -> None:
    path = demo_xlsx if lang == "en" else demo_xlsx_ru
    result = run_cli("sync", path, "--as-of", AS_OF, *(["--dry-run"] if dry_run else []))
    assert result.exit_code == 0, result.stderr
    said = result.stdout.replace(str(path), "")  # the test's own folder name is English
    for phrase in [*SAYS[lang], OUTCOME[lang, dry_run]]:
        assert phrase in said
    thousands = r"\d,\d{3}\b" if lang == "en" else r"\d\u00a0\d{3}\b"  # 1,527 or 1 527, as the summary writes it
    assert re.search(thousands, said)
    if lang == "ru":
        assert [word for word in ENGLISH_WORDS if word in said] == []


def test_json_output_follows_the_documented_contract(run_cli: RunCli, demo_xlsx: Path) -> None:
    result = run_cli("sync", demo_xlsx, "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"as_of", "week", "channels", "totals", "breaches", "issues", "written"} <= set(report)
    assert (report["as_of"], report["week"], report["written"]) == (AS_OF, "2026-11-23", True)
    channel = report["channels"][0]
    assert set(channel) >= {"channel", "group", "owner", "status", "plan", "fact", "kpi", "deviation", "fact_source"}
    assert set(channel["kpi"]) == {"cpl", "cpa", "cr", "roas", "romi", "cac", "ltv", "repeat_share",
                                   "unsubscribe_rate"}
    breach = next(b for b in report["breaches"] if b["metric"] == "cpa")
    assert set(breach) >= {"rule", "channel", "metric", "period", "threshold", "periods", "values", "streak",
                           "action", "owner"}
    assert breach["period"] == "day" and breach["streak"] >= 3 and breach["periods"] == sorted(breach["periods"])
    statuses = {c["channel"]: c["status"] for c in report["channels"]}
    assert statuses["Social ads"] == "breach"


def test_a_dry_run_prints_everything_and_writes_nothing(run_cli: RunCli, demo_xlsx: Path) -> None:
    before = digest(demo_xlsx)
    files = sorted(demo_xlsx.parent.iterdir())
    result = run_cli("sync", demo_xlsx, "--as-of", AS_OF, "--dry-run", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["written"] is False
    assert digest(demo_xlsx) == before
    assert sorted(demo_xlsx.parent.iterdir()) == files


def test_fail_on_breach_exits_3_after_writing(run_cli: RunCli, demo_xlsx: Path) -> None:
    result = run_cli("sync", demo_xlsx, "--as-of", AS_OF, "--fail-on-breach")
    assert result.exit_code == 3
    assert red_cells(demo_xlsx)


def test_a_second_sync_with_the_same_data_changes_only_the_sync_log(
    run_cli: RunCli, demo_xlsx: Path, template: Template
) -> None:
    assert run_cli("sync", demo_xlsx, "--as-of", AS_OF).exit_code == 0
    first = parts(demo_xlsx)
    assert run_cli("sync", demo_xlsx, "--as-of", AS_OF).exit_code == 0
    second = parts(demo_xlsx)
    log_part = part_of(demo_xlsx, template.tab("sync_log").name["en"])
    changed = {name for name in first.keys() | second.keys() if first.get(name) != second.get(name)}
    assert changed == {log_part}


def test_marks_go_when_the_breach_is_over_and_the_cells_are_as_before(
    run_cli: RunCli, demo_xlsx: Path, template: Template
) -> None:
    original = parts(demo_xlsx)
    assert run_cli("sync", demo_xlsx, "--as-of", AS_OF).exit_code == 0
    assert red_cells(demo_xlsx)
    # Three weeks earlier none of the demo's breaches held: a sync as of then clears them.
    assert run_cli("sync", demo_xlsx, "--as-of", "2026-11-06").exit_code == 0
    assert red_cells(demo_xlsx) == {}
    after = parts(demo_xlsx)
    for key in ("plan_fact", "daily"):
        part = part_of(demo_xlsx, template.tab(key).name["en"])
        assert after[part] == original[part], f"{part} is byte for byte as before the first sync"


def test_text_that_looks_like_a_formula_stays_text(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "formula.xlsx"
    assert run_cli("init", path, "--demo", "--channels", "=HYPERLINK(\"http://x\"),Blog").exit_code == 0
    assert run_cli("sync", path, "--as-of", AS_OF).exit_code == 0
    summary = parts(path)[part_of(path, "CMO Summary")].decode()
    assert "<f>" not in summary and "<f " not in summary
    book = openpyxl.load_workbook(path)
    texts = [c.value for row in book["CMO Summary"].iter_rows() for c in row if isinstance(c.value, str)]
    assert '=HYPERLINK("http://x")' in texts


@pytest.mark.parametrize("lock_name", ["~$demo.xlsx", ".~lock.demo.xlsx#"])
def test_a_workbook_open_in_excel_or_libreoffice_is_left_alone(
    run_cli: RunCli, demo_xlsx: Path, lock_name: str
) -> None:
    path = demo_xlsx.rename(demo_xlsx.with_name("demo.xlsx"))
    (path.parent / lock_name).write_text("someone")
    before = digest(path)
    result = run_cli("sync", path, "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "open in" in result.stderr and lock_name in result.stderr
    assert result.stderr.count("\n") == 1
    assert digest(path) == before


def test_a_missing_tab_stops_the_sync_before_anything_is_written(run_cli: RunCli, tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "partial.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Roles").write_row(0, 0, ["Role", "Person"])
    book.close()
    before = digest(path)
    result = run_cli("sync", path, "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "'Channels'" in result.stderr and "'Plan-Fact'" in result.stderr
    assert digest(path) == before


def test_strict_stops_before_writing_when_a_cell_cannot_be_read(run_cli: RunCli, tmp_path: Path) -> None:
    import xlsxwriter

    from sheetops import api

    path = tmp_path / "strict.xlsx"
    api.provision(path, demo=False, today=DEMO_TODAY)
    rows = CalamineWorkbook.from_path(str(path))
    sheets = {name: rows.get_sheet_by_name(name).to_python() for name in rows.sheet_names}
    book = xlsxwriter.Workbook(str(path))
    for name, values in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(values):
            for c, value in enumerate(row):
                if value != "":
                    sheet.write(r, c, value)
    plan_fact = book.get_worksheet_by_name("Plan-Fact")
    plan_fact.write_row(1, 0, ["2026-11-23", "Search ads", 100, "lots", 10, 3, 1, 1, 100, 50])
    book.close()
    before = digest(path)
    result = run_cli("sync", path, "--as-of", AS_OF, "--strict", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["written"] is False
    assert any(i["cell"] == "Plan-Fact!D2" for i in report["issues"])
    assert digest(path) == before


def test_a_read_only_workbook_is_left_alone_but_a_dry_run_works(run_cli: RunCli, demo_xlsx: Path) -> None:
    demo_xlsx.chmod(0o444)
    before = digest(demo_xlsx)
    result = run_cli("sync", demo_xlsx, "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "read-only" in result.stderr and result.stderr.count("\n") == 1
    assert digest(demo_xlsx) == before
    assert run_cli("sync", demo_xlsx, "--as-of", AS_OF, "--dry-run").exit_code == 0


@pytest.mark.parametrize(
    ("typed", "exit_code", "says"),
    [
        ("12/01/2026", 2, ["2026-01-12", "2026-12-01"]),  # two readings: refused, both named
        ("27/11/2026", 0, []),
        ("27.11.2026", 0, []),
    ],
)
def test_the_as_of_date_is_read_only_when_it_has_one_reading(
    run_cli: RunCli, demo_xlsx: Path, typed: str, exit_code: int, says: list[str]
) -> None:
    before = demo_xlsx.read_bytes()
    result = run_cli("sync", demo_xlsx, "--as-of", typed, "--dry-run")
    assert result.exit_code == exit_code, result.stderr
    for text in says:
        assert text in result.stderr
    assert demo_xlsx.read_bytes() == before
