"""The .xlsx file: sync --month adds the Unit economics tab, replaces it on the next one,
and a Friday sync leaves it as it was; LibreOffice opens the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from tests.conftest import RunCli


def _tab_rows(path: Path, name: str) -> list[tuple[object, ...]]:
    return [r for r in openpyxl.load_workbook(path)[name].iter_rows(values_only=True) if any(v is not None for v in r)]


def test_sync_month_writes_the_tab_once(run_cli: RunCli, demo_xlsx: Path) -> None:
    result = run_cli("sync", demo_xlsx, "--as-of", "2026-11-27", "--month")
    assert result.exit_code == 0, result.stderr
    assert "Unit economics: 2 months written to the 'Unit economics' tab." in result.stdout
    book = openpyxl.load_workbook(demo_xlsx)
    assert book.sheetnames.count("Unit economics") == 1
    rows = _tab_rows(demo_xlsx, "Unit economics")
    header = next(i for i, r in enumerate(rows) if r[0] == "Month")
    assert rows[header][:5] == ("Month", "Channel", "Spend", "New customers", "CAC")
    assert rows[header + 1][:2] == ("2026-11", "Search ads")
    first = rows
    again = run_cli("sync", demo_xlsx, "--as-of", "2026-11-27", "--month")
    assert again.exit_code == 0
    assert openpyxl.load_workbook(demo_xlsx).sheetnames.count("Unit economics") == 1
    assert _tab_rows(demo_xlsx, "Unit economics") == first
    friday = run_cli("sync", demo_xlsx, "--as-of", "2026-11-27")
    assert friday.exit_code == 0 and "Unit economics" not in friday.stdout
    assert _tab_rows(demo_xlsx, "Unit economics") == first


def test_sync_month_json_has_months(run_cli: RunCli, demo_xlsx: Path) -> None:
    import json

    result = run_cli("sync", demo_xlsx, "--as-of", "2026-11-29", "--month", "--json", "--dry-run")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert [m["month"] for m in document["months"]] == ["2026-10", "2026-11"]
    assert document["months"][1]["total"]["complete"] is True or document["months"][1]["total"]["incomplete"]
    health = document["kpi_health"]
    assert health["available"] is True and health["weeks"] == 13
    assert {c["verdict"] for c in health["checks"]} <= {"tracks", "stopped_tracking", "never_tracked",
                                                          "too_few_weeks"}


def test_libreoffice_opens_the_monthly_workbook_and_keeps_the_tab(soffice: str, demo_xlsx_ru: Path,
                                                                   tmp_path: Path) -> None:
    from sheetops import api
    from tests.test_readback import libreoffice_resave

    report = api.sync(demo_xlsx_ru, as_of=dt.date(2026, 11, 29), monthly=True)
    name = report.changes.tabs[-1].name
    assert name == "Юнит-экономика"
    before = _tab_rows(demo_xlsx_ru, name)
    assert before[0][0] == "Юнит-экономика по месяцам, на 29.11.2026"
    assert any(row[:2] == ("11.2026", "Итого") for row in before)
    out = tmp_path / "saved"
    out.mkdir()
    saved = libreoffice_resave(soffice, demo_xlsx_ru, out, tmp_path / "profile")
    after = _tab_rows(saved, name)
    assert [row[:2] for row in after] == [row[:2] for row in before]
