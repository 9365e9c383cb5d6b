"""``check`` reports every issue ``sync`` would report, at the same cell, with the same code and severity.

Each case is a workbook made by ``sheetops.api.provision`` (the demo), edited with openpyxl as a
person or a script would, then run through the command line: ``check --json`` and
``sync --json --dry-run``. check adds only its role-map findings on top.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from check_helpers import run_sheetops

from sheetops.api import provision

AS_OF = dt.date(2026, 11, 27)
ROLE_MAP_CODES = {"no_owner", "unknown_owner", "no_person", "role_conflict"}

Edits = dict[str, Any]  # "Tab!A1" -> value; a str starting with "=" is a formula (openpyxl keeps no result)

CASES: list[tuple[str, str, Edits, set[tuple[str, str, str]]]] = [
    ("a percentage in Plan-Fact Spend", "en", {"Plan-Fact!D2": "12%"},
     {("Plan-Fact!D2", "percent_in_amount", "error")}),
    ("a percentage in Plan-Fact Revenue plan", "en", {"Plan-Fact!I3": "15%"},
     {("Plan-Fact!I3", "percent_in_amount", "error")}),
    ("a percentage in Daily Orders", "en", {"Daily!F2": "3%"}, {("Daily!F2", "percent_in_amount", "error")}),
    ("a percentage in Channels Monthly budget", "en", {"Channels!E2": "10%"},
     {("Channels!E2", "percent_in_amount", "warning")}),
    ("a percentage in Channels Target CPA", "en", {"Channels!G3": "150%"},
     {("Channels!G3", "percent_in_amount", "warning")}),
    ("a percentage in Stop rules Min spend", "en", {"Stop rules!I2": "5%"},
     {("Stop rules!I2", "percent_in_amount", "error")}),
    ("a decimal comma in an English workbook", "en", {"Plan-Fact!D2": "1 234,5"},
     {("Plan-Fact!D2", "bad_value", "error")}),
    ("a dot and three digits in a Russian-format workbook", "en", {"Settings!B4": "ru", "Daily!C2": "1.234"},
     {("Daily!C2", "ambiguous_number", "error")}),
    ("a Russian workbook: 12.345 in Выручка", "ru", {"План-факт!J2": "12.345"},
     {("План-факт!J2", "ambiguous_number", "error")}),
    ("a formula whose result was never saved", "en", {"Plan-Fact!D2": "=1+1"},
     {("Plan-Fact!D2", "uncomputed_formula", "error")}),
    ("a Daily formula whose result was never saved", "ru", {"По дням!G2": "=2*3"},
     {("По дням!G2", "uncomputed_formula", "error")}),
    ("an empty Orders on a day with spend", "en", {"Daily!F2": None}, {("Daily!F2", "empty_cell", "error")}),
    ("a channel missing from Channels", "en", {"Plan-Fact!B2": "Radio", "Daily!B3": "Radio"},
     {("Plan-Fact!B2", "unknown_channel", "error"), ("Daily!B3", "unknown_channel", "error")}),
    ("a week that is not a Monday", "en", {"Plan-Fact!A2": dt.datetime(2026, 10, 7)},
     {("Plan-Fact!A2", "not_monday", "error")}),
    ("a status not in its set", "en", {"Channels!I2": "Live"}, {("Channels!I2", "bad_value", "warning")}),
    ("an empty group", "ru", {"Каналы!B3": None}, {("Каналы!B3", "empty_cell", "warning")}),
    ("a gross margin of 1.5", "en", {"Settings!B3": 1.5}, {("Settings!B3", "bad_setting", "error")}),
    ("a gross margin of 0.5%", "ru", {"Настройки!B3": "0,5%"}, {("Настройки!B3", "bad_setting", "error")}),
    ("a factor with two readings", "en", {"Stop rules!E2": "target*1,125"},
     {("Stop rules!E2", "ambiguous_number", "error")}),
    ("a factor with a decimal comma in an English workbook", "en", {"Stop rules!E2": "target*1,2"}, set()),
]


def edited_demo(folder: Path, lang: str, edits: Edits) -> Path:
    import openpyxl

    path = folder / f"demo-{lang}.xlsx"
    provision(path, lang=lang, demo=True, today=AS_OF)
    book = openpyxl.load_workbook(path)
    for where, value in edits.items():
        tab, _, cell = where.rpartition("!")
        book[tab][cell] = value
    book.save(path)
    return path


def cells(items: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(i["cell"], i["code"], i["severity"]) for i in items}


@pytest.mark.parametrize(("case", "lang", "edits", "expected"), CASES, ids=[c[0] for c in CASES])
def test_check_reports_what_sync_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, lang: str, edits: Edits,
    expected: set[tuple[str, str, str]],
) -> None:
    path = edited_demo(tmp_path, lang, edits)
    check_code, check_out, _ = run_sheetops(["check", str(path), "--json"], capsys)
    sync_code, sync_out, _ = run_sheetops(
        ["sync", str(path), "--json", "--dry-run", "--as-of", AS_OF.isoformat()], capsys)
    found = json.loads(check_out)["findings"]
    issues = json.loads(sync_out)["issues"]
    assert sync_code == 0
    assert check_code == (1 if found else 0)
    assert cells([f for f in found if f["code"] not in ROLE_MAP_CODES]) == cells(issues)
    assert cells(issues) == expected
    for issue in issues:
        assert "\\x" not in issue["message"]  # typed text is quoted as typed, never as a Python repr
