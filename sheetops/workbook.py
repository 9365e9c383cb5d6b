"""What a backend reads, and how it is bound to the contract. Pure: no I/O.

A backend returns a :class:`WorkbookData`: every tab's cell values as a grid whose row 0
is the sheet's row 1 and column 0 its column A, so that addresses are exact. :func:`bind`
finds the contract's tabs and columns in it by name, in either language, wherever the
user moved them, and reports what is missing as :class:`Finding` objects.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Literal, overload

from sheetops.messages import message
from sheetops.templates import Tab, Template, normalize
from sheetops.templates.model import Column
from sheetops.values import CellValue, is_blank

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
    """One tab as read: its name, visibility and values (row 0 is row 1 of the sheet).

    ``rows`` is a list of rows, or, for a big tab, :class:`Columns`: the same values kept
    by column in a fraction of the memory.
    """

    name: str
    rows: Sequence[Sequence[CellValue]]
    hidden: bool = False

    def value(self, row: int, col: int) -> CellValue:
        rows = self.rows
        if isinstance(rows, Columns):
            return rows.cell(row, col)
        if row < len(rows) and col < len(rows[row]):
            return rows[row][col]
        return None


# How a cell of a ValueColumn is kept: its kind (one byte) and a number (its "payload"): the
# float itself, a date's ordinal, a text's index in the column's texts; anything else
# (a time, a truth value, an error) is kept as it is, by row.
EMPTY, NUMBER, DAY, TEXT, OTHER = 0, 1, 2, 3, 4
_KIND_OF: dict[type, int] = {float: NUMBER, dt.date: DAY, str: TEXT, type(None): EMPTY}
_KIND_BYTES = [bytes((kind,)) for kind in range(OTHER + 1)]
_ROWS_AT_ONCE = 4096  # rows put together at a time when a tab kept by column is read row by row
_SPLIT_BELOW = 64  # a block of mixed kinds is halved until it is this small, then read cell by cell


class ValueColumn:
    """The values of one column, compactly: 9 bytes a cell rather than a Python object each."""

    __slots__ = ("kinds", "payload", "texts", "_codes", "others")

    def __init__(self) -> None:
        self.kinds = bytearray()
        self.payload = array("d")
        self.texts: list[str] = []
        self._codes: dict[str, int] = {}
        self.others: dict[int, CellValue] = {}

    def __len__(self) -> int:
        return len(self.kinds)

    def extend(self, values: Sequence[CellValue], empty: object = None) -> None:
        """Add ``values`` below the others; a value equal to ``empty`` (calamine's "") is an empty cell."""
        # An array is made faster from a list or tuple than extended from an iterator.
        types = set(map(type, values))
        if len(types) == 1:
            kind, count = _KIND_OF.get(types.pop(), OTHER), len(values)
            if kind == NUMBER:
                self.kinds += _KIND_BYTES[NUMBER] * count
                self.payload += array("d", values)  # type: ignore[arg-type]
                return
            if kind == DAY:
                self.kinds += _KIND_BYTES[DAY] * count
                # a day recurs on many rows (one per channel): each is counted once
                days = {day: day.toordinal() for day in set(values)}  # type: ignore[union-attr]
                self.payload += array("d", list(map(days.__getitem__, values)))
                return
            if kind == TEXT and values.count(empty) == count:
                kind = EMPTY
            elif kind == TEXT:
                codes = self._codes
                for text in set(values) - codes.keys():
                    codes[text] = len(self.texts)  # type: ignore[index]
                    self.texts.append(text)  # type: ignore[arg-type]
                if empty in codes:
                    kind_of = dict.fromkeys(codes, TEXT)
                    kind_of[empty] = EMPTY
                    self.kinds += bytes(map(kind_of.__getitem__, values))  # type: ignore[arg-type]
                else:
                    self.kinds += _KIND_BYTES[TEXT] * count
                self.payload += array("d", list(map(codes.__getitem__, values)))  # type: ignore[arg-type]
                return
            if kind == EMPTY:
                self.kinds += _KIND_BYTES[EMPTY] * count
                self.payload.frombytes(bytes(self.payload.itemsize * count))
                return
        if len(values) > _SPLIT_BELOW:
            half = len(values) // 2
            self.extend(values[:half], empty)
            self.extend(values[half:], empty)
            return
        for value in values:
            self.append(value, empty)

    def append(self, value: CellValue, empty: object = None) -> None:
        kind = _KIND_OF.get(type(value), OTHER)
        if kind == TEXT and value == empty:
            kind = EMPTY
        number = 0.0
        if kind == NUMBER:
            number = value  # type: ignore[assignment]
        elif kind == DAY:
            number = value.toordinal()  # type: ignore[union-attr]
        elif kind == TEXT:
            code = self._codes.get(value)  # type: ignore[arg-type]
            if code is None:
                code = self._codes[value] = len(self.texts)  # type: ignore[index]
                self.texts.append(value)  # type: ignore[arg-type]
            number = code
        elif kind == OTHER:
            self.others[len(self.kinds)] = value
        self.kinds.append(kind)
        self.payload.append(number)

    def set(self, row: int, value: CellValue) -> None:
        """Put ``value`` in ``row`` (below the last row: empty cells up to it)."""
        while len(self.kinds) <= row:
            self.append(None)
        self.kinds[row] = OTHER
        self.others[row] = value

    def values(self, first: int, last: int) -> list[CellValue]:
        """The values of the rows ``first`` to ``last`` (not included)."""
        kinds = self.kinds[first:last]
        count = len(kinds)
        if kinds.count(NUMBER) == count:
            return self.payload[first:last].tolist()  # type: ignore[return-value]
        if kinds.count(DAY) == count:
            return list(map(dt.date.fromordinal, map(int, self.payload[first:last])))
        if kinds.count(TEXT) == count:
            return list(map(self.texts.__getitem__, map(int, self.payload[first:last])))
        empty = kinds.count(EMPTY)
        if empty == count:
            return [None] * count
        if empty + kinds.count(NUMBER) == count:  # numbers and empty cells
            return [x if kind else None for kind, x in zip(kinds, self.payload[first:last], strict=True)]
        if empty + kinds.count(TEXT) == count:  # texts and empty cells
            texts = self.texts
            return [texts[int(x)] if kind else None for kind, x in zip(kinds, self.payload[first:last], strict=True)]
        return [self.value(row) for row in range(first, min(last, len(self.kinds)))]

    def value(self, row: int) -> CellValue:
        if row >= len(self.kinds):
            return None
        kind = self.kinds[row]
        if kind == NUMBER:
            return self.payload[row]
        if kind == DAY:
            return dt.date.fromordinal(int(self.payload[row]))
        if kind == TEXT:
            return self.texts[int(self.payload[row])]
        if kind == OTHER:
            return self.others[row]
        return None


class Columns(Sequence[Sequence[CellValue]]):
    """A tab's values by column (see :class:`ValueColumn`), read as a sequence of rows: a row
    asked for is put together then. A reader of a big tab goes through :attr:`columns`."""

    def __init__(self, width: int = 0) -> None:
        self.columns = [ValueColumn() for _ in range(width)]
        self.height = 0

    @classmethod
    def of_rows(cls, rows: Sequence[Sequence[CellValue]], empty: object = None, offset: int = 0) -> Columns:
        """``rows`` by column; each row's cells start at column ``offset``."""
        found = cls()
        found.extend(rows, empty, offset)
        return found

    def extend(self, rows: Sequence[Sequence[CellValue]], empty: object = None, offset: int = 0) -> None:
        """Add ``rows`` below the others (their cells from column ``offset`` on)."""
        if not rows:
            return
        lengths = set(map(len, rows))
        width = offset + max(lengths)
        while len(self.columns) < width:
            column = ValueColumn()
            column.extend([None] * self.height)
            self.columns.append(column)
        if len(lengths) == 1:  # as calamine gives them: the cells in one list, cut by column (no tuples)
            cells: list[CellValue] = []
            for row in rows:
                cells += row
            step = len(rows[0])
            by_column: Sequence[Sequence[CellValue]] = [cells[at::step] for at in range(step)]
        else:
            by_column = list(zip_longest(*rows))
        for col, column in enumerate(self.columns):
            at = col - offset
            if 0 <= at < len(by_column):
                column.extend(by_column[at], empty)
            else:
                column.extend([None] * len(rows))
        self.height += len(rows)

    def cell(self, row: int, col: int) -> CellValue:
        if row >= self.height or col >= len(self.columns):
            return None
        return self.columns[col].value(row)

    def set(self, row: int, col: int, value: CellValue) -> None:
        """Put ``value`` in a cell, making the tab taller or wider as needed."""
        while len(self.columns) <= col:
            column = ValueColumn()
            column.extend([None] * self.height)
            self.columns.append(column)
        if row >= self.height:
            for column in self.columns:
                column.extend([None] * (row + 1 - self.height))
            self.height = row + 1
        self.columns[col].set(row, value)

    def __len__(self) -> int:
        return self.height

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of rows with the same values (a list of lists too)."""
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)) or len(other) != len(self):
            return False
        return all(list(mine) == list(theirs) for mine, theirs in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # like a list's

    def __iter__(self) -> Iterator[list[CellValue]]:
        """Every row, put together a block of rows at a time."""
        if not self.columns:
            yield from ([] for _ in range(self.height))
        for first in range(0, self.height if self.columns else 0, _ROWS_AT_ONCE):
            last = min(self.height, first + _ROWS_AT_ONCE)
            yield from map(list, zip(*(column.values(first, last) for column in self.columns), strict=True))

    @overload
    def __getitem__(self, index: int) -> Sequence[CellValue]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Sequence[CellValue]]: ...

    def __getitem__(self, index: int | slice) -> Sequence[CellValue] | Sequence[Sequence[CellValue]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.height))]
        if index < 0:
            index += self.height
        if not 0 <= index < self.height:
            raise IndexError(index)
        return [column.value(index) for column in self.columns]


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
        message("missing_tab", lang, tab_en=spec.name.en, tab_ru=spec.name.ru),
        code="missing_tab",
    )


def _missing_header(sheet: str, column: Column, lang: str) -> Finding:
    return Finding(
        f"{sheet}!1:1",
        message("missing_header", lang, tab=sheet, column_en=column.header.en, column_ru=column.header.ru),
        code="missing_header",
    )
