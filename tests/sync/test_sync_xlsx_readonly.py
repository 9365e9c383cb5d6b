"""The sync on real .xlsx files, read back from disk, nothing written (``dry_run``).

The files are written by XlsxWriter (numbers, text, date cells, an error value) or made
by ``sheetops init --demo``, and read by the .xlsx backend as a sync reads them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sync_workbooks import CPA_RULE, FRIDAY, MONDAY, Book, week_row

from sheetops.backends.xlsx import XlsxBackend
from sheetops.sync.engine import run_sync
from sheetops.templates import load_template
from sheetops.workbook import WorkbookData

DEMO_TODAY = dt.date(2026, 11, 27)


def write_xlsx(path: Path, data: WorkbookData) -> Path:
    """Every tab as typed: text as text, numbers as numbers, dates as date cells, #DIV/0! as an error."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for sheet in data.sheets:
        out = book.add_worksheet(sheet.name)
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    out.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date_format)
                elif isinstance(value, str) and value == "#DIV/0!":
                    out.write_formula(r, c, "=1/0", None, "#DIV/0!")
                elif isinstance(value, str):
                    out.write_string(r, c, value)
                else:
                    out.write_number(r, c, value)
    book.close()
    return path


def test_numbers_and_dates_typed_as_text_in_a_russian_workbook(tmp_path: Path) -> None:
    book = Book(lang="ru", settings={"Формат чисел": "ru", "Валовая маржа": "40%"})
    book.plan_fact = [
        week_row("Search ads", "23.11.2026", spend="1 234,50 ₽", leads="12", orders=3, revenue="10\u00a0000"),
        week_row("Blog", "2026-11-23", spend=250.5, leads="#DIV/0!"),
        week_row("Social ads", (MONDAY - dt.date(1899, 12, 30)).days, spend="-5"),
    ]
    path = write_xlsx(tmp_path / "ru.xlsx", book.data())
    report = run_sync(XlsxBackend(path), load_template(), as_of=FRIDAY, dry_run=True)
    channels = {c.name: c for c in report.channels}
    search = channels["Search ads"].figures
    assert (search.fact["spend"], search.fact["leads"], search.fact["revenue"]) == (1234.5, 12, 10000)
    assert search.kpi["romi"] == pytest.approx((10000 * 0.4 - 1234.5) / 1234.5)
    assert [(i.cell, i.severity) for i in report.issues] == [("План-факт!F3", "error"), ("План-факт!D4", "error")]
    assert "#DIV/0!" in report.issues[0].message and "отрицательное число" in report.issues[1].message
    assert channels["Blog"].status == "no_data"  # its only row was left out
    assert not report.written


@pytest.fixture(params=["en", "ru"])
def demo(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    from sheetops.api import provision

    lang: str = request.param
    path = tmp_path / f"demo-{lang}.xlsx"
    provision(path, lang=lang, demo=True, today=DEMO_TODAY)
    return lang, path


def test_the_demo_workbook_has_a_breach_and_reads_cleanly(demo: tuple[str, Path]) -> None:
    lang, path = demo
    before = path.read_bytes()
    report = run_sync(XlsxBackend(path), load_template(), as_of=DEMO_TODAY, dry_run=True)
    assert report.issues == ()
    assert report.lang == lang
    assert any(b.rule.metric == "cpa" and b.period == "day" and b.streak >= 3 for b in report.breaches)
    assert report.changes.highlights and report.changes.tabs[0].rows
    document: dict[str, Any] = report.as_dict()
    assert document["written"] is False and document["week"] == "2026-11-23"
    assert path.read_bytes() == before  # a dry run leaves the file as it was


def test_a_cpa_rule_marks_the_cells_of_a_real_file(tmp_path: Path) -> None:
    book = Book()
    book.rules = [dict(CPA_RULE)]
    book.daily = [{"date": MONDAY + dt.timedelta(days=i), "channel": "Social ads", "spend": 300, "orders": 1,
                   "leads": 5, "revenue": 0} for i in range(3)]
    path = write_xlsx(tmp_path / "en.xlsx", book.data())
    report = run_sync(XlsxBackend(path), load_template(), as_of=FRIDAY, dry_run=True)
    assert [(h.tab, h.row, h.col) for h in report.changes.highlights] == [
        ("Daily", r, c) for r in (1, 2, 3) for c in (2, 5)
    ]
