"""What a backend reads, and how it is bound to the contract. Pure: no I/O.

A backend returns a :class:`WorkbookData`: every tab's cell values as a grid whose row 0
is the sheet's row 1 and column 0 its column A, so that addresses are exact. :func:`bind`
finds the contract's tabs and columns in it by name, in either language, wherever the
user moved them, and reports what is missing as :class:`Finding` objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sheetops.templates import Tab, Template, normalize
from sheetops.templates.model import Column, say
from sheetops.values import CellValue, is_blank, quote

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """Something a person should look at: where, what, how bad. ``cell`` may be a tab only."""

    cell: str | None
    message: str
    severity: Severity = "error"
    code: str = "data"  # a stable machine-readable kind, e.g. "missing_tab", "no_owner"

    def as_dict(self) -> dict[str, str | None]:
        return {"cell": self.cell, "message": self.message, "severity": self.severity, "code": self.code}

    def __str__(self) -> str:
        return f"{self.cell}: {self.message}" if self.cell else self.message


@dataclass(frozen=True)
class Sheet:
    """One tab as read: its name, visibility and values (row 0 is row 1 of the sheet)."""

    name: str
    rows: Sequence[Sequence[CellValue]]
    hidden: bool = False

    def value(self, row: int, col: int) -> CellValue:
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None


@dataclass(frozen=True)
class WorkbookData:
    """Every tab of a workbook as read by a backend, in tab order."""

    source: str  # the file path or spreadsheet URL, for messages
    sheets: tuple[Sheet, ...]
    # Where the storage limits the number of cells (Google Sheets: 10 million in all
    # grids), how many the workbook has and the limit, so that a sync can warn in time.
    cell_count: int | None = None
    cell_limit: int | None = None

    def sheet(self, name: str) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        return None


def column_letter(col: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 0, AA -> 26."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


def address(tab: str, row: int, col: int) -> str:
    """The address people read: ``Plan-Fact!F14`` for row 13, column 5 (both from 0)."""
    return f"{tab}!{column_letter(col)}{row + 1}"


@dataclass(frozen=True)
class BoundTab:
    """A contract tab found in a workbook, with the column of each header it found."""

    spec: Tab
    sheet: Sheet
    columns: dict[str, int] = field(hash=False)

    @property
    def name(self) -> str:
        return self.sheet.name

    def has(self, key: str) -> bool:
        return key in self.columns

    def value(self, row: int, key: str) -> CellValue:
        col = self.columns.get(key)
        return None if col is None else self.sheet.value(row, col)

    def address(self, row: int, key: str) -> str:
        return address(self.sheet.name, row, self.columns[key])

    def data_rows(self) -> Iterator[int]:
        """Indexes of rows below the header with anything in a contract column."""
        cols = list(self.columns.values())
        for row in range(1, len(self.sheet.rows)):
            values = self.sheet.rows[row]
            if any(c < len(values) and not is_blank(values[c]) for c in cols):
                yield row


@dataclass(frozen=True)
class BoundWorkbook:
    """The contract's tabs found in a workbook, the language they are in, and what is missing."""

    data: WorkbookData
    template: Template
    tabs: dict[str, BoundTab] = field(hash=False)
    lang: str
    findings: tuple[Finding, ...]

    def tab(self, key: str) -> BoundTab | None:
        return self.tabs.get(key)


def find_sheet(data: WorkbookData, spec: Tab) -> Sheet | None:
    """The sheet named as the tab in either language (case and spaces ignored)."""
    wanted = {normalize(n) for n in spec.name.variants()}
    for sheet in data.sheets:
        if normalize(sheet.name) in wanted:
            return sheet
    return None


def bind(data: WorkbookData, template: Template, *, include_owned: bool = False) -> BoundWorkbook:
    """Find each contract tab and its columns; report missing tabs and required headers."""
    # What is missing, in template order; said once the workbook's language is known.
    missing: list[Tab | tuple[str, Column]] = []
    tabs: dict[str, BoundTab] = {}
    votes = {"en": 0, "ru": 0}
    for spec in template.tabs:
        sheet = find_sheet(data, spec)
        if sheet is None:
            if not spec.owned or include_owned:
                missing.append(spec)
            continue
        for lang in votes:
            if normalize(sheet.name) == normalize(spec.name[lang]) and spec.name.en != spec.name.ru:
                votes[lang] += 1
        header = sheet.rows[0] if sheet.rows else []
        positions: dict[str, int] = {}
        for col, value in enumerate(header):
            if is_blank(value) or not isinstance(value, str):
                continue
            text = normalize(value)
            for column in spec.columns:
                if column.key not in positions and text in {normalize(h) for h in column.header.variants()}:
                    positions[column.key] = col
                    break
        for column in spec.columns:
            if column.required and column.key not in positions:
                missing.append((sheet.name, column))
        tabs[spec.key] = BoundTab(spec, sheet, positions)
    lang = "ru" if votes["ru"] > votes["en"] else "en"
    findings = [_missing_tab(m, lang) if isinstance(m, Tab) else _missing_header(*m, lang) for m in missing]
    return BoundWorkbook(data, template, tabs, lang, tuple(findings))


def _missing_tab(spec: Tab, lang: str) -> Finding:
    return Finding(
        spec.name.en,
        say(
            lang,
            en=f"the tab {quote(spec.name.en, 'en')} (in Russian {quote(spec.name.ru, 'en')}) is missing; "
            "add it back or make a new workbook with `sheetops init`",
            ru=f"нет вкладки «{spec.name.ru}» (по-английски «{spec.name.en}»); "
            "верните её или создайте новую книгу командой `sheetops init`",
        ),
        code="missing_tab",
    )


def _missing_header(sheet: str, column: Column, lang: str) -> Finding:
    return Finding(
        f"{sheet}!1:1",
        say(
            lang,
            en=f"the required column {quote(column.header.en, 'en')} (in Russian {quote(column.header.ru, 'en')}) "
            f"is missing from row 1 of the tab {quote(sheet, 'en')}; add that header back",
            ru=f"в первой строке вкладки «{sheet}» нет обязательного столбца «{column.header.ru}» "
            f"(по-английски «{column.header.en}»); верните этот заголовок",
        ),
        code="missing_header",
    )
