"""Workbooks written cell by cell for the check and input-tab tests.

``contract_rows(lang)`` gives the rows of a clean workbook made from the built-in
template (tab name -> rows, row 1 is the header). A :class:`Book` starts from them and
lets a test change exactly the cells its case is about, by row number and column key
(``book.set("channels", 3, "group", "Pid")`` is the cell ``Channels!B3``); ``write_xlsx``
writes a real .xlsx with XlsxWriter: text as text, numbers as numbers, dates as dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from sheetops.backends.xlsx.reader import read_workbook
from sheetops.templates import load_template
from sheetops.templates.model import Template
from sheetops.workbook import BoundWorkbook, bind

Cell = str | int | float | dt.date | None
Rows = list[list[Cell]]

MONDAY = dt.date(2026, 11, 16)


def template() -> Template:
    return load_template()


def write_xlsx(path: Path, tabs: Mapping[str, Sequence[Sequence[Cell]]]) -> Path:
    """Write the tabs, in order, into a new .xlsx at ``path``."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in tabs.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                else:
                    sheet.write_number(r, c, value)
    book.close()
    return path


def headers(tab_key: str, lang: str) -> list[Cell]:
    return [c.header[lang] for c in template().tab(tab_key).columns]


def tab_name(tab_key: str, lang: str) -> str:
    return template().tab(tab_key).name[lang]


def contract_rows(lang: str = "en") -> dict[str, Rows]:
    """A clean workbook: every role staffed, every channel owned, rules with their targets."""
    spec = template()

    def label(enum: str, key: str) -> str:
        return spec.enum(enum).label_of(key, lang)

    people = {r.key: r.demo_person[lang] if r.demo_person else None for r in spec.roles}
    roles: Rows = [headers("roles", lang)]
    for role in spec.roles:
        roles.append([role.name[lang], people[role.key], role.responsibilities[lang], role.kpi[lang], None,
                      role.ritual[lang], role.hours_per_week])
    channels: Rows = [headers("channels", lang)]
    for ch in spec.channels:
        channels.append([
            ch.name[lang], label("group", ch.group), people[ch.owner_role] if ch.owner_role else None,
            label("metric", ch.primary_kpi) if ch.primary_kpi else None, ch.monthly_budget,
            ch.target_cpl, ch.target_cpa, ch.target_roas, label("status", ch.status),
        ])
    rules: Rows = [headers("stop_rules", lang)]
    for rule in spec.stop_rules:
        scope = rule.channel if rule.channel == "*" else label("group", rule.channel)
        threshold = rule.threshold if rule.threshold != "target" else ("target" if lang == "en" else "цель")
        rules.append([
            rule.rule[lang], scope, label("metric", rule.metric), rule.condition, threshold,
            rule.periods_in_a_row, label("period", rule.period), label("action", rule.action),
            rule.min_spend, label("yes_no", rule.enabled),
        ])
    first = spec.channels[0].name[lang]
    plan_fact: Rows = [headers("plan_fact", lang),
                       [MONDAY, first, 2000, 1900, 50, 48, 12, 11, 8000, 7600]]
    daily: Rows = [headers("daily", lang), [MONDAY, first, 270, 300, 7, 2, 1100]]
    settings: Rows = [headers("settings", lang)]
    for setting in spec.settings:
        default = setting.default(lang)
        if setting.enum and isinstance(default, str):
            default = spec.enum(setting.enum).label_of(default, lang)
        settings.append([setting.label[lang], default if isinstance(default, (str, int, float)) else None])
    return {
        tab_name("roles", lang): roles,
        tab_name("channels", lang): channels,
        tab_name("stop_rules", lang): rules,
        tab_name("plan_fact", lang): plan_fact,
        tab_name("daily", lang): daily,
        tab_name("settings", lang): settings,
    }


class Book:
    """A clean contract workbook in one language, to change cell by cell and write."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang
        self.tabs = contract_rows(lang)

    def rows(self, tab_key: str) -> Rows:
        return self.tabs[tab_name(tab_key, self.lang)]

    def name(self, tab_key: str) -> str:
        return tab_name(tab_key, self.lang)

    def col(self, tab_key: str, column_key: str) -> int:
        """Where the column's header is in row 1 (0-based), wherever it was moved."""
        header = template().tab(tab_key).column(column_key).header[self.lang]
        return self.rows(tab_key)[0].index(header)

    def get(self, tab_key: str, row: int, column_key: str) -> Cell:
        values = self.rows(tab_key)[row - 1]
        col = self.col(tab_key, column_key)
        return values[col] if col < len(values) else None

    def set(self, tab_key: str, row: int, column_key: str, value: Cell) -> None:
        """Set the cell in sheet row ``row`` (1 is the header row) of that column."""
        rows = self.rows(tab_key)
        while len(rows) < row:
            rows.append([])
        col = self.col(tab_key, column_key)
        values = rows[row - 1]
        values.extend([None] * (col + 1 - len(values)))
        values[col] = value

    def add_row(self, tab_key: str, **values: Cell) -> int:
        """Append a row below the last one; the sheet row number it got."""
        row = len(self.rows(tab_key)) + 1
        for key, value in values.items():
            self.set(tab_key, row, key, value)
        return row

    def drop_tab(self, tab_key: str) -> None:
        del self.tabs[tab_name(tab_key, self.lang)]

    def move_columns(self, tab_key: str, *, own_column: str = "My notes") -> None:
        """Reverse the tab's columns and put a column of the user's own first."""
        rows = self.rows(tab_key)
        width = max(len(r) for r in rows)
        for i, values in enumerate(rows):
            padded = values + [None] * (width - len(values))
            rows[i] = [own_column if i == 0 else f"note {i}", *reversed(padded)]

    def write(self, path: Path) -> Path:
        return write_xlsx(path, self.tabs)

    def bound(self, path: Path) -> BoundWorkbook:
        """Written to ``path`` and read back as sheetops reads it."""
        return bind(read_workbook(self.write(path)), template())


def run_sheetops(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the command line in this process: (exit code, stdout, stderr)."""
    from sheetops.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), out, err
