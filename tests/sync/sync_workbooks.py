"""Contract workbooks built cell by cell, in memory, for the sync tests.

``Book`` holds the rows of each contract tab as dicts keyed by column key (``{"spend":
300}``); ``book.data()`` lays them out under the template's headers, in English or
Russian, as the :class:`~sheetops.workbook.WorkbookData` a backend would read. A test
changes only the cells its case is about. ``daily_run`` writes a run of consecutive days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sheetops.backends.memory import MemoryBackend
from sheetops.sync.engine import Analysis, analyze
from sheetops.templates import Template, load_template
from sheetops.values import CellValue
from sheetops.workbook import Sheet, WorkbookData

MONDAY = dt.date(2026, 11, 23)  # the reported week: Monday 23 to Sunday 29 November 2026
FRIDAY = dt.date(2026, 11, 27)  # the as-of date: the ritual's facts day
LAST_MONDAY = MONDAY - dt.timedelta(days=7)

Row = dict[str, Any]

ROLES: list[Row] = [
    {"role": "CMO", "person": "Maria Ivanova"},
    {"role": "Performance owner", "person": "Anna Kuznetsova"},
    {"role": "Content owner", "person": "Oleg Smirnov"},
    {"role": "CRM owner", "person": "Dmitry Sokolov"},
]
CHANNELS: list[Row] = [
    {"channel": "Search ads", "group": "Paid", "owner": "Anna Kuznetsova", "target_cpl": 40, "target_cpa": 160,
     "target_roas": 4, "status": "Active"},
    {"channel": "Social ads", "group": "Paid", "owner": "Anna Kuznetsova", "target_cpl": 30, "target_cpa": 150,
     "target_roas": 3.5, "status": "Active"},
    {"channel": "Blog", "group": "Organic", "owner": "Oleg Smirnov", "target_cpl": 25, "status": "Active"},
    {"channel": "E-mail", "group": "CRM", "owner": "Dmitry Sokolov", "target_cpa": 40, "target_roas": 10,
     "status": "Active"},
    {"channel": "PR", "group": "PR", "owner": "Maria Ivanova", "target_cpl": 50, "status": "Paused"},
]
CPA_RULE: Row = {"rule": "CPA above target three days in a row: stop", "channel": "Paid", "metric": "CPA",
                 "condition": ">", "threshold": "target", "periods_in_a_row": 3, "period": "Day", "action": "Stop",
                 "min_spend": 50, "enabled": "Yes"}
UNSUBSCRIBE_RULE: Row = {"rule": "E-mail unsubscribe rate above 1%: rewrite", "channel": "CRM",
                         "metric": "Unsubscribe rate", "condition": ">", "threshold": "1%", "periods_in_a_row": 1,
                         "period": "Week", "action": "Rewrite", "enabled": "Yes"}
ROMI_RULE: Row = {"rule": "ROMI below 0 two weeks in a row: review", "channel": "*", "metric": "ROMI",
                  "condition": "<", "threshold": "0", "periods_in_a_row": 2, "period": "Week", "action": "Review",
                  "min_spend": 100, "enabled": "Yes"}


@dataclass
class Book:
    """A contract workbook as rows of dicts; ``data()`` lays it out as a backend reads it."""

    lang: str = "en"
    settings: dict[str, CellValue] = field(default_factory=lambda: {"Currency": "USD", "Gross margin": "50%"})
    roles: list[Row] = field(default_factory=lambda: [dict(r) for r in ROLES])
    channels: list[Row] = field(default_factory=lambda: [dict(c) for c in CHANNELS])
    rules: list[Row] = field(default_factory=list)
    plan_fact: list[Row] = field(default_factory=list)
    daily: list[Row] = field(default_factory=list)
    missing_tabs: tuple[str, ...] = ()  # tab keys left out
    missing_headers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # tab key -> column keys left out
    extra_tabs: tuple[Sheet, ...] = ()
    template: Template = field(default_factory=load_template)

    def name(self, key: str) -> str:
        return self.template.tab(key).name[self.lang]

    def rows(self, key: str, records: Sequence[Row]) -> list[list[CellValue]]:
        columns = [c for c in self.template.tab(key).columns if c.key not in self.missing_headers.get(key, ())]
        rows: list[list[CellValue]] = [[c.header[self.lang] for c in columns]]
        for record in records:
            unknown = set(record) - {c.key for c in self.template.tab(key).columns}
            assert not unknown, f"no such column in {key}: {unknown}"
            rows.append([record.get(c.key) for c in columns])
        return rows

    def data(self, source: str = "memory.xlsx") -> WorkbookData:
        settings = [{"setting": k, "value": v} for k, v in self.settings.items()]
        tabs = {
            "settings": settings,
            "roles": self.roles,
            "channels": self.channels,
            "stop_rules": self.rules,
            "plan_fact": self.plan_fact,
            "daily": self.daily,
        }
        sheets = [Sheet(self.name(k), self.rows(k, v)) for k, v in tabs.items() if k not in self.missing_tabs]
        return WorkbookData(source, (*sheets, *self.extra_tabs))

    def backend(self) -> MemoryBackend:
        return MemoryBackend(self.data())

    def analyze(self, as_of: dt.date | None = FRIDAY, *, today: dt.date | None = None) -> Analysis:
        """The sync's analysis as of ``as_of``; with None, as a sync run on ``today`` without --as-of."""
        return analyze(self.data(), self.template, as_of, today=today)


def daily_run(channel: str, first: dt.date, **columns: Iterable[CellValue]) -> list[Row]:
    """Daily rows for consecutive days from ``first``: ``daily_run("Blog", d, spend=[1, 2])``."""
    values = {k: list(v) for k, v in columns.items()}
    days = max(len(v) for v in values.values())
    return [
        {"date": first + dt.timedelta(days=i), "channel": channel, **{k: v[i] for k, v in values.items() if i < len(v)}}
        for i in range(days)
    ]


def week_row(channel: str, monday: CellValue = MONDAY, **values: CellValue) -> Row:
    """A Plan-Fact row: ``week_row("Blog", spend=100, leads=4)``."""
    return {"week": monday, "channel": channel, **values}


def cells_of(highlights: Iterable[Any]) -> list[tuple[str, int, int]]:
    return [(h.tab, h.row, h.col) for h in highlights]


def by_name(rows: Iterable[Any], name: str) -> Any:
    for row in rows:
        if row.name == name:
            return row
    raise KeyError(name)
