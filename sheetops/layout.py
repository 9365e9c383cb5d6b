"""What sheetops writes, described as data that every backend renders the same way.

Pure: :class:`TabLayout` says which values go in which cells with which style, which
columns get a drop-down list, how wide each column is. ``provision`` builds one per tab
for init; the sync builds them for the tabs it owns. The .xlsx, Google Sheets and Excel
backends each turn them into their own calls, so one layout gives one look everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Colours (RGB hex) shared by every backend.
HIGHLIGHT_FILL = "FFC7CE"  # light red: a stop-rule breach in an input cell
STATUS_FILLS = {
    "ok": "C6EFCE",  # green
    "watch": "FFEB9C",  # yellow
    "breach": "FFC7CE",  # red
    "no_data": "D9D9D9",  # grey
    "paused": "D9D9D9",
    "stopped": "D9D9D9",
}
HEADER_FILL = "DDEBF7"

# Number formats, as Excel format codes (Google Sheets reads the same patterns).
INTEGER = "#,##0"
NUMBER = "#,##0.00"
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
DATE_RU = "dd.mm.yyyy"
DATETIME = "yyyy-mm-dd hh:mm:ss"

# The most text a cell (or a note) holds in Excel, counted in UTF-16 code units as Excel
# counts (Google Sheets holds 50,000); sheetops cuts what it writes to this.
CELL_TEXT_LIMIT = 32_767

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "RUB": "₽", "GBP": "£"}


def money_format(currency: str, *, cents: bool = True) -> str:
    """An Excel number format showing amounts in the workbook's currency (without cents: whole units)."""
    code = currency.strip().upper()
    symbol = CURRENCY_SYMBOLS.get(code, code or "")
    number = NUMBER if cents else INTEGER
    if code == "RUB" or symbol == "₽":
        return number + '\\ "₽"'
    if not symbol:
        return number
    if len(symbol) == 1:
        return f'"{symbol}"{number}'
    return number + f'\\ "{symbol}"'


def date_format(lang: str) -> str:
    """Dates as the language writes them: 2026-11-23 in English, 23.11.2026 in Russian."""
    return DATE_RU if lang == "ru" else DATE


@dataclass(frozen=True)
class Style:
    """How a cell looks. ``None`` fields keep the backend's default."""

    bold: bool = False
    italic: bool = False
    fill: str | None = None  # RGB hex, e.g. "FFC7CE"
    font_color: str | None = None
    number_format: str | None = None
    wrap: bool = False
    font_size: float | None = None


PLAIN = Style()
BOLD = Style(bold=True)
HEADER = Style(bold=True, fill=HEADER_FILL)
# The one-line note init leaves on a tab sheetops owns ("sheetops writes this tab").
NOTE = Style(italic=True, font_color="808080")

Value = str | int | float | bool | dt.date | dt.datetime | None


def text_length(text: str) -> int:
    """The length of a text as Excel counts it (UTF-16 code units: an emoji counts two)."""
    return len(text) if text.isascii() else len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def cut_text(text: str, ending: str, limit: int = CELL_TEXT_LIMIT) -> str:
    """``text`` cut so that it and ``ending`` make at most ``limit`` (as :func:`text_length`
    counts), never inside a character, with ``ending`` after it."""
    room = limit - text_length(ending)
    kept = text[:room]
    while (excess := text_length(kept) - room) > 0:
        kept = kept[: len(kept) - max(1, excess // 2)]
    return kept.rstrip() + ending


@dataclass(frozen=True)
class Cell:
    """A value with its style. Text is always written as text, never as a formula."""

    value: Value
    style: Style = PLAIN


@dataclass(frozen=True)
class DropDown:
    """A drop-down list on one column, from fixed values or from another tab's column."""

    col: int  # 0-based
    values: tuple[str, ...] = ()  # fixed values, or
    source_tab: str | None = None  # a column of another tab (e.g. the Channels' names)
    source_col: int | None = None
    first_row: int = 1  # 0-based, below the header
    last_row: int = 1000
    strict: bool = True  # reject other values (False: warn only)


def _letters(col: int) -> str:
    """The column's letters: 0 -> A, 26 -> AA."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class CellRange:
    """A block of cells of the tab it belongs to: rows and columns 0-based, both ends included."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int

    def a1(self) -> str:
        """'B40:I40', the range as a formula writes it (relative, without a tab name)."""
        first = f"{_letters(self.first_col)}{self.first_row + 1}"
        last = f"{_letters(self.last_col)}{self.last_row + 1}"
        return first if first == last else f"{first}:{last}"


@dataclass(frozen=True)
class ChartSeries:
    """One series of a chart: its name, its values and how it is drawn among the others."""

    name: str
    values: CellRange
    colour: str  # RGB hex
    line: bool = False  # drawn as a line over bars (a plan, a target), else as the chart's kind


@dataclass(frozen=True)
class ChartSpec:
    """A native chart sheetops draws on a tab it owns, from cells of that same tab.

    Pure data: every backend draws it its own way (chart parts in an .xlsx, ``addChart``
    in Google Sheets). ``key`` names the chart for good (a sync replaces the chart with
    the same key, never adds a second one); ``anchor`` is the cell its top-left corner
    sits on, and the size is in pixels at 100% zoom."""

    key: str  # e.g. "spend_revenue"
    kind: str  # "column" (vertical bars), "bar" (horizontal bars) or "line"
    title: str
    anchor: tuple[int, int]  # (row, col), 0-based
    categories: CellRange  # the labels along the axis: weeks, channels
    series: tuple[ChartSeries, ...]
    number_format: str | None = None  # of the value axis
    # The row right above the ranges, holding each series' name over its values (Google
    # Sheets names series after that row); None: the names are the series' own only.
    header_row: int | None = None
    width: int = 560
    height: int = 300


@dataclass(frozen=True)
class Sparkline:
    """A small line in one cell, drawn from a row of cells of the same tab (where the backend
    has them: Google Sheets' SPARKLINE, which sheetops composes from the range itself)."""

    row: int
    col: int
    values: CellRange
    colour: str = "4472C4"


@dataclass(frozen=True)
class TabLayout:
    """One tab: its cells (row 0 is row 1), column widths, frozen rows, drop-downs."""

    key: str  # the contract key, e.g. "plan_fact"
    name: str  # the tab name in the workbook's language
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...] = ()
    freeze_rows: int = 1
    freeze_cols: int = 0
    # Rows whose height is set (0-based row -> points): a header of wrapped text must show
    # whole, and Excel does not grow a row for wrapped text on its own when it opens a file.
    row_heights: dict[int, float] = field(default_factory=dict, hash=False)
    dropdowns: tuple[DropDown, ...] = ()
    column_formats: dict[int, str] = field(default_factory=dict, hash=False)
    hidden: bool = False
    owned: bool = False  # written by sheetops only (protected with a warning where supported)
    # Native charts drawn from the tab's own cells (tabs sheetops owns only), and small
    # in-cell trends; a backend that cannot draw them leaves them out.
    charts: tuple[ChartSpec, ...] = ()
    sparklines: tuple[Sparkline, ...] = ()


@dataclass(frozen=True)
class WorkbookLayout:
    """Every tab that init provisions, in order."""

    lang: str
    tabs: tuple[TabLayout, ...]
