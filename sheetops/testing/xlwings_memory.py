"""An in-memory Excel for xlwings: the real ``xw.Book`` / ``Sheet`` / ``Range`` on any OS.

xlwings keeps its engines in a registry (``xlwings.engines``); an engine supplies the
``impl`` objects behind the public classes. This module is such an engine, built on the
BSD core of xlwings only (``xlwings.base_classes``, ``xlwings.utils``; nothing from
``xlwings.pro``). Workbooks live in Python dictionaries, so code written against the public
xlwings API runs on Linux, without Excel and without a licence key::

    from sheetops.testing import xlwings_memory

    book = xlwings_memory.new_book()                  # an xw.Book, like a fresh Book1
    sheet = book.sheets[0]
    sheet["A1:B2"].value = [["Date", "Spend"], [dt.date(2026, 11, 27), 120]]
    sheet["A2:B2"].value                              # [datetime(2026, 11, 27), 120.0]
    sheet["B2"].color = "#ffc7ce"
    sheet["B2"].add_note("Over the target CPA")

    book = xlwings_memory.open_xlsx("plan.xlsx")      # values, fills, notes, hidden tabs
    xlwings_memory.save_xlsx(book, "out.xlsx")        # and back (openpyxl)

It behaves as Excel does where sheetops relies on it: numbers come back as floats (Excel
keeps doubles), dates as ``datetime``, empty cells (and cells written ``""`` or ``None``)
as ``None``; a 1x1 range reads as a scalar, a row or a column as a list, a block as a list
of rows; a range's colour is an RGB tuple, ``None`` without a fill or when its cells
differ; a sheet cannot be deleted or hidden when it is the last visible one; sheet names
are unique regardless of case. Reading and writing .xlsx needs openpyxl (the test extra):
values are the cached results of formulas, fills are solid fills with an RGB colour.

The engine registers itself as ``xw.engines["memory"]`` when first used; it does not
become the active engine unless :func:`activate` is called (then ``xw.Book()``,
``xw.books`` and ``xw.Book("file.xlsx")`` use it, as they would use Excel).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlwings as xw
from xlwings import base_classes

ENGINE_NAME = "memory"
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384

Coordinate = tuple[int, int]


class ExcelRefusal(xw.XlwingsError):
    """What Excel would refuse with a dialog or a COM error (hiding the last visible sheet, ...)."""


class CellError(str):
    """A cell holding an error (``#N/A``, ``#DIV/0!``): read as ``None`` unless ``err_to_str``."""


# --- the workbook data ---------------------------------------------------------------------


@dataclass
class SheetData:
    """One worksheet: cell values, solid fills (``#rrggbb``) and notes, by (row, column)."""

    name: str
    values: dict[Coordinate, Any] = field(default_factory=dict)
    fills: dict[Coordinate, str] = field(default_factory=dict)
    notes: dict[Coordinate, str] = field(default_factory=dict)
    visible: bool = True


@dataclass
class BookData:
    name: str
    fullname: str
    sheets: list[SheetData] = field(default_factory=list)
    active_sheet: int = 0


# --- cell addresses ----------------------------------------------------------------------------

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_COLUMNS = re.compile(r"^\$?([A-Za-z]{1,3}):\$?([A-Za-z]{1,3})$")
_ROWS = re.compile(r"^\$?(\d+):\$?(\d+)$")


def column_letter(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def _parse_cell(text: str) -> Coordinate:
    match = _CELL.match(text.strip())
    if not match:
        raise ValueError(f"Not a cell address: {text!r}")
    return int(match.group(2)), column_number(match.group(1))


def _parse_address(text: str) -> tuple[int, int, int, int]:
    """``"B2"``, ``"$A$1:C3"``, ``"A:C"``, ``"2:4"`` as (row, column, rows, columns)."""
    text = text.split("!")[-1].strip()
    if match := _COLUMNS.match(text):
        first, last = sorted((column_number(match.group(1)), column_number(match.group(2))))
        return 1, first, MAX_ROWS, last - first + 1
    if match := _ROWS.match(text):
        first, last = sorted((int(match.group(1)), int(match.group(2))))
        return first, 1, last - first + 1, MAX_COLUMNS
    parts = text.split(":")
    if len(parts) > 2:
        raise ValueError(f"Not a range address: {text!r}")
    (row1, col1), (row2, col2) = _parse_cell(parts[0]), _parse_cell(parts[-1])
    top, bottom = sorted((row1, row2))
    left, right = sorted((col1, col2))
    return top, left, bottom - top + 1, right - left + 1


# --- the values as Excel holds them ------------------------------------------------------------


def _to_excel(value: Any) -> Any:
    """What Excel keeps for a written Python value: doubles, datetimes, text, booleans."""
    if value is None or value == "":
        return None
    if isinstance(value, bool | str):
        return value
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, dt.time):
        return dt.datetime(1899, 12, 30, value.hour, value.minute, value.second, value.microsecond)
    if isinstance(value, int | float):
        if value != value:  # NaN: Excel has no such number, the cell stays empty
            return None
        return float(value)
    try:
        return float(value)  # numpy and Decimal numbers
    except (TypeError, ValueError):
        raise TypeError(f"Excel cannot hold a {type(value).__name__} in a cell") from None


def _from_excel(value: Any, datetime_builder: Any, empty_as: Any, number_builder: Any, err_to_str: bool) -> Any:
    if value is None:
        return empty_as
    if isinstance(value, CellError):
        return str(value) if err_to_str else None
    if isinstance(value, dt.datetime):
        return datetime_builder(
            year=value.year,
            month=value.month,
            day=value.day,
            hour=value.hour,
            minute=value.minute,
            second=value.second,
            microsecond=value.microsecond,
        )
    if number_builder is not None and isinstance(value, float):
        return number_builder(value)
    return value


def _to_hex(color: Any) -> str | None:
    """``"#FFC7CE"``, ``(255, 199, 206)`` or Excel's integer (red + 256 green + 65536 blue) as ``#ffc7ce``."""
    if color is None:
        return None
    if isinstance(color, str):
        digits = color.removeprefix("#")
        if not re.fullmatch(r"[0-9A-Fa-f]{6}", digits):
            raise ValueError(f"Not a colour: {color!r}")
        return "#" + digits.lower()
    if isinstance(color, int):
        color = (color % 256, color // 256 % 256, color // 65536 % 256)
    red, green, blue = (int(part) for part in color)
    return f"#{red:02x}{green:02x}{blue:02x}"


def _to_rgb(fill: str) -> tuple[int, int, int]:
    return int(fill[1:3], 16), int(fill[3:5], 16), int(fill[5:7], 16)


# --- the engine: the impl objects behind xlwings' public classes --------------------------------


class Engine:
    """``xw.engines["memory"].impl``."""

    def __init__(self) -> None:
        self._apps = Apps(self)

    @property
    def apps(self) -> Apps:
        return self._apps

    @property
    def name(self) -> str:
        return ENGINE_NAME

    @property
    def type(self) -> str:
        return "desktop"

    @staticmethod
    def prepare_xl_data_element(x: Any, options: Any) -> Any:
        return _to_excel(x)

    @staticmethod
    def clean_value_data(
        data: list[list[Any]], datetime_builder: Any, empty_as: Any, number_builder: Any, err_to_str: bool
    ) -> list[list[Any]]:
        return [[_from_excel(c, datetime_builder, empty_as, number_builder, err_to_str) for c in row] for row in data]


class Apps(base_classes.Apps):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._apps: list[App] = []
        self._pids = itertools.count(1)

    def keys(self) -> list[int]:
        return [app.pid for app in self._apps]

    def add(self, spec: Any = None, add_book: bool | None = True, xl: Any = None, visible: bool | None = None) -> App:
        app = App(self, next(self._pids))
        self._apps.insert(0, app)  # the new app is the active one
        if add_book or add_book is None:
            app.books.add()
        return app

    @staticmethod
    def cleanup() -> None:
        pass

    def __iter__(self) -> Iterator[App]:
        return iter(list(self._apps))

    def __len__(self) -> int:
        return len(self._apps)

    def __getitem__(self, pid: int) -> App:
        for app in self._apps:
            if app.pid == pid:
                return app
        raise KeyError(f"Could not find an Excel instance with this PID: {pid}")

    def remove(self, app: App) -> None:
        if app in self._apps:
            self._apps.remove(app)


class App(base_classes.App):
    def __init__(self, apps: Apps, pid: int) -> None:
        self._apps_impl = apps
        self._pid = pid
        self._books = Books(self)
        self._untitled = itertools.count(1)
        self._visible = True
        self._screen_updating = True
        self._display_alerts = True
        self._enable_events = True
        self._calculation = "automatic"
        self._status_bar: str | bool = False

    @property
    def engine(self) -> Engine:
        return self._apps_impl.engine

    @property
    def api(self) -> App:
        return self

    @property
    def books(self) -> Books:
        return self._books

    @property
    def pid(self) -> int:
        return self._pid

    @property
    def version(self) -> str:
        return "16.0"

    @property
    def selection(self) -> None:
        return None

    @property
    def hwnd(self) -> None:
        return None

    @property
    def path(self) -> str:
        return ""

    @property
    def startup_path(self) -> str:
        return ""

    def activate(self, steal_focus: bool = False) -> None:
        self._apps_impl._apps.remove(self)
        self._apps_impl._apps.insert(0, self)

    @property
    def visible(self) -> bool:
        return self._visible

    @visible.setter
    def visible(self, value: bool) -> None:
        self._visible = bool(value)

    @property
    def screen_updating(self) -> bool:
        return self._screen_updating

    @screen_updating.setter
    def screen_updating(self, value: bool) -> None:
        self._screen_updating = bool(value)

    @property
    def display_alerts(self) -> bool:
        return self._display_alerts

    @display_alerts.setter
    def display_alerts(self, value: bool) -> None:
        self._display_alerts = bool(value)

    @property
    def enable_events(self) -> bool:
        return self._enable_events

    @enable_events.setter
    def enable_events(self, value: bool) -> None:
        self._enable_events = bool(value)

    @property
    def calculation(self) -> str:
        return self._calculation

    @calculation.setter
    def calculation(self, value: str) -> None:
        if value not in ("automatic", "manual", "semiautomatic"):
            raise ValueError(f"Unknown calculation mode: {value!r}")
        self._calculation = value

    def calculate(self) -> None:
        pass  # values are stored, not computed: there are no formulas to recalculate

    @property
    def status_bar(self) -> str | bool:
        return self._status_bar

    @status_bar.setter
    def status_bar(self, value: str | bool) -> None:
        self._status_bar = value

    def quit(self) -> None:
        self._apps_impl.remove(self)

    def kill(self) -> None:
        self.quit()

    def alert(self, prompt: str, title: str | None, buttons: str, mode: str | None, callback: str | None) -> str:
        return "ok"


class Books(base_classes.Books):
    def __init__(self, app: App) -> None:
        self.app = app
        self._books: list[Book] = []

    @property
    def api(self) -> Books:
        return self

    @property
    def active(self) -> Book:
        if not self._books:
            raise xw.XlwingsError("No workbook is open in this Excel instance.")
        return self._books[0]

    def __call__(self, name_or_index: int | str) -> Book:
        if isinstance(name_or_index, int):
            if not 1 <= name_or_index <= len(self._books):
                raise IndexError(name_or_index)
            return self._books[name_or_index - 1]
        for book in self._books:
            if book.name.lower() == str(name_or_index).lower():
                return book
        raise KeyError(name_or_index)

    def __len__(self) -> int:
        return len(self._books)

    def __iter__(self) -> Iterator[Book]:
        return iter(list(self._books))

    def add(self) -> Book:
        name = f"Book{next(self.app._untitled)}"
        return self._open(BookData(name=name, fullname=name, sheets=[SheetData("Sheet1")]))

    def open(self, fullname: str, *args: Any, **kwargs: Any) -> Book:
        return self._open(read_xlsx(fullname))

    def _open(self, data: BookData) -> Book:
        book = Book(self, data)
        self._books.insert(0, book)
        return book

    def remove(self, book: Book) -> None:
        if book in self._books:
            self._books.remove(book)


class Book(base_classes.Book):
    def __init__(self, books: Books, data: BookData) -> None:
        self._books_impl = books
        self.data = data

    @property
    def api(self) -> BookData:
        return self.data

    @property
    def name(self) -> str:
        return self.data.name

    @property
    def fullname(self) -> str:
        return self.data.fullname

    @property
    def sheets(self) -> Sheets:
        return Sheets(self)

    @property
    def app(self) -> App:
        return self._books_impl.app

    def close(self) -> None:
        self._books_impl.remove(self)

    def save(self, path: str | None = None, password: str | None = None) -> None:
        if password:
            raise NotImplementedError("The in-memory engine does not encrypt workbooks.")
        target = path or self.data.fullname
        if not str(target).lower().endswith((".xlsx", ".xlsm")):
            target = os.path.join(os.getcwd(), f"{self.data.name}.xlsx")
        write_xlsx(self.data, target)
        self.data.fullname = os.path.realpath(target)
        self.data.name = os.path.basename(target)

    def activate(self) -> None:
        self._books_impl._books.remove(self)
        self._books_impl._books.insert(0, self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Book) and other.data is self.data

    def __hash__(self) -> int:
        return id(self.data)


class Sheets(base_classes.Sheets):
    def __init__(self, book: Book) -> None:
        self.book = book

    @property
    def api(self) -> list[SheetData]:
        return self.book.data.sheets

    @property
    def active(self) -> Sheet:
        return Sheet(self.book, self.book.data.sheets[self.book.data.active_sheet])

    def __call__(self, name_or_index: int | str) -> Sheet:
        sheets = self.book.data.sheets
        if isinstance(name_or_index, int):
            if not 1 <= name_or_index <= len(sheets):
                raise IndexError(f"Sheet index {name_or_index} out of range ({len(sheets)} sheets)")
            return Sheet(self.book, sheets[name_or_index - 1])
        for data in sheets:
            if data.name.lower() == name_or_index.lower():
                return Sheet(self.book, data)
        raise KeyError(name_or_index)

    def __contains__(self, name: str) -> bool:
        return any(data.name.lower() == name.lower() for data in self.book.data.sheets)

    def __len__(self) -> int:
        return len(self.book.data.sheets)

    def __iter__(self) -> Iterator[Sheet]:
        for data in list(self.book.data.sheets):
            yield Sheet(self.book, data)

    def add(self, before: Sheet | None = None, after: Sheet | None = None, name: str | None = None) -> Sheet:
        sheets = self.book.data.sheets
        if name is None:
            taken = {s.name.lower() for s in sheets}
            name = next(f"Sheet{n}" for n in itertools.count(1) if f"sheet{n}" not in taken)
        elif name.lower() in (s.name.lower() for s in sheets):
            raise ExcelRefusal(f"That name is already taken: {name!r}")
        if before is not None:
            position = sheets.index(before.data)
        elif after is not None:
            position = sheets.index(after.data) + 1
        else:
            position = self.book.data.active_sheet  # Excel inserts before the active sheet
        data = SheetData(name)
        sheets.insert(position, data)
        self.book.data.active_sheet = position
        return Sheet(self.book, data)


class Sheet(base_classes.Sheet):
    def __init__(self, book: Book, data: SheetData) -> None:
        self._book = book
        self.data = data

    @property
    def api(self) -> SheetData:
        return self.data

    @property
    def name(self) -> str:
        return self.data.name

    @name.setter
    def name(self, value: str) -> None:
        if any(s is not self.data and s.name.lower() == value.lower() for s in self._book.data.sheets):
            raise ExcelRefusal(f"That name is already taken: {value!r}")
        self.data.name = value

    @property
    def book(self) -> Book:
        return self._book

    @property
    def index(self) -> int:
        return self._book.data.sheets.index(self.data) + 1

    def range(self, arg1: Any, arg2: Any = None) -> Range:
        top, left, rows, columns = _bounds(arg1)
        if arg2 is not None:
            top2, left2, rows2, columns2 = _bounds(arg2)
            bottom = max(top + rows - 1, top2 + rows2 - 1)
            right = max(left + columns - 1, left2 + columns2 - 1)
            top, left = min(top, top2), min(left, left2)
            rows, columns = bottom - top + 1, right - left + 1
        return Range(self, top, left, rows, columns)

    @property
    def cells(self) -> Range:
        return Range(self, 1, 1, MAX_ROWS, MAX_COLUMNS)

    @property
    def used_range(self) -> Range:
        used = list(self.data.values) + list(self.data.fills)
        if not used:
            return Range(self, 1, 1, 1, 1)
        top = min(r for r, _ in used)
        left = min(c for _, c in used)
        bottom = max(r for r, _ in used)
        right = max(c for _, c in used)
        return Range(self, top, left, bottom - top + 1, right - left + 1)

    @property
    def notes(self) -> list[Note]:
        return [Note(Range(self, row, col, 1, 1)) for row, col in sorted(self.data.notes)]

    @property
    def visible(self) -> bool:
        return self.data.visible

    @visible.setter
    def visible(self, value: bool) -> None:
        if not value and self.data.visible and _visible_count(self._book.data) == 1:
            raise ExcelRefusal("A workbook must contain at least one visible worksheet.")
        self.data.visible = bool(value)

    def activate(self) -> None:
        if not self.data.visible:
            raise ExcelRefusal("A hidden sheet cannot be activated.")
        self._book.data.active_sheet = self.index - 1

    def select(self) -> None:
        self.activate()

    def clear_contents(self) -> None:
        self.data.values.clear()

    def clear_formats(self) -> None:
        self.data.fills.clear()

    def clear(self) -> None:
        self.data.values.clear()
        self.data.fills.clear()

    def delete(self) -> None:
        book = self._book.data
        if self.data.visible and _visible_count(book) == 1:
            raise ExcelRefusal("A workbook must contain at least one visible worksheet.")
        position = book.sheets.index(self.data)
        book.sheets.remove(self.data)
        if book.active_sheet >= position and book.active_sheet > 0:
            book.active_sheet -= 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sheet) and other.data is self.data

    def __hash__(self) -> int:
        return id(self.data)


def _visible_count(book: BookData) -> int:
    return sum(1 for s in book.sheets if s.visible)


def _bounds(arg: Any) -> tuple[int, int, int, int]:
    if isinstance(arg, Range):
        return arg.row, arg.column, *arg.shape
    if isinstance(arg, str):
        return _parse_address(arg)
    if isinstance(arg, tuple) and len(arg) == 2:
        return int(arg[0]), int(arg[1]), 1, 1
    if isinstance(arg, tuple) and len(arg) == 4:
        return int(arg[0]), int(arg[1]), int(arg[2]), int(arg[3])
    raise ValueError(f"Not a range: {arg!r}")


class Range(base_classes.Range):
    """A block of cells: (row, column) of its top-left cell and its size."""

    def __init__(self, sheet: Sheet, row: int, column: int, rows: int, columns: int) -> None:
        if row < 1 or column < 1 or row + rows - 1 > MAX_ROWS or column + columns - 1 > MAX_COLUMNS:
            raise ValueError("The range is outside the sheet.")
        self._sheet = sheet
        self._row, self._column, self._rows, self._columns = row, column, rows, columns
        self.options: dict[str, Any] = {}

    def _coordinates(self) -> Iterator[Coordinate]:
        for r in range(self._row, self._row + self._rows):
            for c in range(self._column, self._column + self._columns):
                yield r, c

    @property
    def api(self) -> Range:
        return self

    @property
    def sheet(self) -> Sheet:
        return self._sheet

    @property
    def coords(self) -> tuple[Sheet, int, int, int, int]:
        return self._sheet, self._row, self._column, self._rows, self._columns

    def __len__(self) -> int:
        return self._rows * self._columns

    @property
    def row(self) -> int:
        return self._row

    @property
    def column(self) -> int:
        return self._column

    @property
    def shape(self) -> tuple[int, int]:
        return self._rows, self._columns

    @property
    def max_cells_per_read(self) -> None:
        return None

    @property
    def max_cells_per_write(self) -> None:
        return None

    @property
    def raw_value(self) -> Any:
        values = self._sheet.data.values
        if self._rows == 1 and self._columns == 1:
            return values.get((self._row, self._column))
        if self._rows * self._columns > 4_000_000:
            raise MemoryError("Reading more than four million cells at once.")
        return [
            [values.get((r, c)) for c in range(self._column, self._column + self._columns)]
            for r in range(self._row, self._row + self._rows)
        ]

    @raw_value.setter
    def raw_value(self, data: Any) -> None:
        values = self._sheet.data.values
        if not isinstance(data, list | tuple):  # a scalar fills the whole range, as in Excel
            rows = [[data] * self._columns] * self._rows
        elif data and not isinstance(data[0], list | tuple):
            rows = [list(data)]
        else:
            rows = [list(row) for row in data]
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                key = (self._row + i, self._column + j)
                value = _to_excel(value)
                if value is None:
                    values.pop(key, None)
                else:
                    values[key] = value

    def clear_contents(self) -> None:
        for key in self._coordinates():
            self._sheet.data.values.pop(key, None)

    def clear_formats(self) -> None:
        for key in self._coordinates():
            self._sheet.data.fills.pop(key, None)

    def clear(self) -> None:
        self.clear_contents()
        self.clear_formats()
        for key in self._coordinates():
            self._sheet.data.notes.pop(key, None)

    @property
    def has_array(self) -> bool:
        return False

    def end(self, direction: str) -> Range:
        step = {"up": (-1, 0), "u": (-1, 0), "down": (1, 0), "d": (1, 0),
                "left": (0, -1), "l": (0, -1), "right": (0, 1), "r": (0, 1)}[direction]  # fmt: skip
        values = self._sheet.data.values
        row, col = self._row, self._column

        def inside(r: int, c: int) -> bool:
            return 1 <= r <= MAX_ROWS and 1 <= c <= MAX_COLUMNS

        def filled(r: int, c: int) -> bool:
            return (r, c) in values

        nxt = (row + step[0], col + step[1])
        if not inside(*nxt):
            return Range(self._sheet, row, col, 1, 1)
        if filled(row, col) and filled(*nxt):
            while inside(nxt[0] + step[0], nxt[1] + step[1]) and filled(nxt[0] + step[0], nxt[1] + step[1]):
                nxt = (nxt[0] + step[0], nxt[1] + step[1])
            return Range(self._sheet, nxt[0], nxt[1], 1, 1)
        # Jump to the next filled cell, or to the sheet's edge.
        line = [(r, c) for r, c in values if (c == col if step[0] else r == row)]
        ahead = [(r, c) for r, c in line if (r - row) * step[0] > 0 or (c - col) * step[1] > 0]
        if not ahead:
            edge_row = {-1: 1, 1: MAX_ROWS}.get(step[0], row)
            edge_col = {-1: 1, 1: MAX_COLUMNS}.get(step[1], col)
            return Range(self._sheet, edge_row, edge_col, 1, 1)
        target = min(ahead, key=lambda rc: abs(rc[0] - row) + abs(rc[1] - col))
        return Range(self._sheet, target[0], target[1], 1, 1)

    def get_address(self, row_absolute: bool = True, col_absolute: bool = True, external: bool = False) -> str:
        def cell(r: int, c: int) -> str:
            return f"{'$' if col_absolute else ''}{column_letter(c)}{'$' if row_absolute else ''}{r}"

        address = cell(self._row, self._column)
        if self._rows > 1 or self._columns > 1:
            address += ":" + cell(self._row + self._rows - 1, self._column + self._columns - 1)
        if external:
            return f"[{self._sheet.book.name}]{self._sheet.name}!{address}"
        return address

    @property
    def address(self) -> str:
        return self.get_address(True, True, False)

    def __call__(self, arg1: int, arg2: int | None = None) -> Range:
        if arg2 is None:  # the n-th cell, row by row, as Excel's Range.Item(n)
            row_offset, col_offset = divmod(arg1 - 1, self._columns)
        else:
            row_offset, col_offset = arg1 - 1, arg2 - 1
        return Range(self._sheet, self._row + row_offset, self._column + col_offset, 1, 1)

    @property
    def color(self) -> tuple[int, int, int] | None:
        fills = {self._sheet.data.fills.get(key) for key in self._coordinates()}
        if len(fills) != 1:
            return None
        (fill,) = fills
        return _to_rgb(fill) if fill else None

    @color.setter
    def color(self, color_or_rgb: Any) -> None:
        fill = _to_hex(color_or_rgb)
        for key in self._coordinates():
            if fill is None:
                self._sheet.data.fills.pop(key, None)
            else:
                self._sheet.data.fills[key] = fill

    def set_colors(self, colors: Any) -> None:
        for i, row in enumerate(colors):
            for j, color in enumerate(row):
                if color is not ...:
                    self(i + 1, j + 1).color = color

    @property
    def note(self) -> Note | None:
        # Excel answers for the top-left cell of a block.
        key = (self._row, self._column)
        return Note(Range(self._sheet, *key, 1, 1)) if key in self._sheet.data.notes else None

    def add_note(self, text: str) -> Note:
        key = (self._row, self._column)
        if key in self._sheet.data.notes:
            raise ExcelRefusal("This cell already has a note.")
        self._sheet.data.notes[key] = text
        return Note(Range(self._sheet, *key, 1, 1))

    @property
    def current_region(self) -> Range:
        return self.expand("table")  # type: ignore[no-untyped-call,no-any-return]

    @property
    def number_format(self) -> str:
        value = self._sheet.data.values.get((self._row, self._column))
        return "m/d/yyyy" if isinstance(value, dt.datetime) else "General"

    @number_format.setter
    def number_format(self, value: str) -> None:
        pass  # formats are not kept: values are what sheetops reads


class Note(base_classes.Note):
    def __init__(self, cell: Range) -> None:
        self.cell = cell

    @property
    def api(self) -> Note:
        return self

    @property
    def _key(self) -> Coordinate:
        return self.cell.row, self.cell.column

    @property
    def text(self) -> str:
        return self.cell.sheet.data.notes.get(self._key, "")

    @text.setter
    def text(self, value: str) -> None:
        if self._key not in self.cell.sheet.data.notes:
            raise ExcelRefusal("The note was deleted.")
        self.cell.sheet.data.notes[self._key] = value

    @property
    def author(self) -> str:
        return ""

    @property
    def location(self) -> Range:
        return self.cell

    def delete(self) -> None:
        self.cell.sheet.data.notes.pop(self._key, None)


# --- the engine in xlwings' registry -------------------------------------------------------------


def engine() -> xw.Engine:
    """The memory engine, registered in ``xlwings.engines`` on first use."""
    if ENGINE_NAME not in xw.engines.engines_by_name:
        xw.engines.add(xw.Engine(impl=Engine()))
    return xw.engines[ENGINE_NAME]


def activate() -> xw.Engine:
    """Make the memory engine the active one: ``xw.Book()``, ``xw.books``, ``xw.apps`` use it."""
    memory = engine()
    memory.activate()
    return memory


def app() -> xw.App:
    """The memory engine's active app, started (without a book) if there is none."""
    apps = engine().apps
    active = apps.active
    if active is None:
        return xw.App(impl=apps.impl.add(add_book=False))
    return active


def new_book() -> xw.Book:
    """A new workbook with one empty sheet, ``Sheet1``, as Excel makes it."""
    return xw.Book(impl=app().impl.books.add())


def open_xlsx(path: str | os.PathLike[str]) -> xw.Book:
    """An .xlsx file opened in the memory engine: values, solid fills, notes, hidden sheets."""
    return xw.Book(impl=app().impl.books.open(os.fspath(path)))


def save_xlsx(book: xw.Book, path: str | os.PathLike[str]) -> None:
    """Write the book to an .xlsx file (openpyxl): values, fills, notes, hidden sheets."""
    write_xlsx(book.impl.data, os.fspath(path))


def reset() -> None:
    """Close every app of the memory engine (between tests)."""
    for app_impl in list(engine().impl.apps):
        app_impl.quit()


# --- .xlsx files through openpyxl ----------------------------------------------------------------


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - the test extra brings it
        raise ImportError("Reading and writing .xlsx needs openpyxl: pip install 'sheetops[test]'") from exc
    return openpyxl


def read_xlsx(path: str) -> BookData:
    openpyxl = _openpyxl()
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such file: {path!r}")
    workbook = openpyxl.load_workbook(path, data_only=True)
    book = BookData(name=os.path.basename(path), fullname=os.path.realpath(path))
    for worksheet in workbook.worksheets:
        sheet = SheetData(worksheet.title, visible=worksheet.sheet_state == "visible")
        for row in worksheet.iter_rows():
            for cell in row:
                key = (cell.row, cell.column)
                if cell.data_type == "e" and cell.value is not None:
                    sheet.values[key] = CellError(cell.value)
                else:
                    value = _to_excel(cell.value)
                    if value is not None:
                        sheet.values[key] = value
                fill = cell.fill
                if fill is not None and fill.fill_type == "solid":
                    rgb = fill.fgColor.rgb if fill.fgColor is not None else None
                    if isinstance(rgb, str) and len(rgb) in (6, 8):
                        sheet.fills[key] = "#" + rgb[-6:].lower()
                if cell.comment is not None:
                    sheet.notes[key] = cell.comment.text
        book.sheets.append(sheet)
    book.active_sheet = min(workbook.index(workbook.active), len(book.sheets) - 1) if book.sheets else 0
    return book


def write_xlsx(book: BookData, path: str) -> None:
    openpyxl = _openpyxl()
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for sheet in book.sheets:
        worksheet = workbook.create_sheet(sheet.name)
        worksheet.sheet_state = "visible" if sheet.visible else "hidden"
        for (row, col), value in sheet.values.items():
            cell = worksheet.cell(row=row, column=col)
            if isinstance(value, CellError):
                cell.value = str(value)
                cell.data_type = "e"
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            cell.value = value
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text stays text: never a formula
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd" if value.time() == dt.time() else "yyyy-mm-dd hh:mm:ss"
        for (row, col), fill in sheet.fills.items():
            rgb = "FF" + fill.lstrip("#").upper()
            worksheet.cell(row=row, column=col).fill = PatternFill("solid", fgColor=rgb, bgColor=rgb)
        for (row, col), text in sheet.notes.items():
            worksheet.cell(row=row, column=col).comment = Comment(text, "sheetops")
    if book.sheets:
        workbook.active = book.active_sheet
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
