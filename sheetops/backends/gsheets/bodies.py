"""Sheets API request bodies built from layouts. Pure: JSON-ready dicts, no I/O.

One :class:`~sheetops.layout.TabLayout` becomes the ``properties`` of its sheet and the
batchUpdate requests that fill it (:func:`tab_requests`): its cells as one updateCells,
its column widths, number formats, drop-downs and, for the tabs sheetops owns, a
warning-only protected range. init and sync both use them, so one layout gives one look.

Text is always sent as ``stringValue``, never as ``formulaValue``: a channel named
``=IMPORTXML(...)`` stays text. Colours are RGB fractions, as the API takes them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sheetops import layout
from sheetops.errors import WorkbookError
from sheetops.layout import Cell, DropDown, Style, TabLayout
from sheetops.values import EXCEL_EPOCH
from sheetops.workbook import address, column_letter

JSON = dict[str, Any]

# Google counts every cell of every grid against its limit of 10 million cells per
# spreadsheet, so a new tab is not sized to the drop-downs' full reach (200,000 rows on
# Daily): it gets at most this many rows, and Google adds rows as people type below.
MAX_NEW_ROWS = 20_001
DEFAULT_ROWS = 1000  # what Google gives a new sheet
# Column number formats reach this far down a new tab (Google's default sheet size): every
# formatted cell is sent back by each sync's read, even when it is empty.
FORMATTED_ROWS = DEFAULT_ROWS
DEFAULT_COLUMNS = 26
WIDE_TAB_CELLS = 50_000  # a tab this small gets Google's 26 columns, at least
CELL_LIMIT = 10_000_000
# Fields of CellData that a sheetops-owned tab gets from its layout.
CELL_FIELDS = "userEnteredValue,userEnteredFormat"
FILL_FIELDS = "userEnteredFormat.backgroundColor,userEnteredFormat.backgroundColorStyle"
PROTECTION_NOTES = {
    "en": "Written by sheetops: changes here are replaced at the next sync.",
    "ru": "Заполняет sheetops: изменения здесь заменяются при следующей синхронизации.",
}
LOCALES = {"en": "en_US", "ru": "ru_RU"}
_EPOCH = dt.datetime.combine(EXCEL_EPOCH, dt.time())


# Colours and formats ---------------------------------------------------------------------


def color(hex_rgb: str) -> JSON:
    """``"FFC7CE"`` -> ``{"red": 1.0, "green": 0.78, "blue": 0.81}`` (zero parts left out)."""
    text = hex_rgb.strip().lstrip("#")
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", text):
        raise ValueError(f"not an RGB colour: {hex_rgb!r}")
    parts = {"red": text[0:2], "green": text[2:4], "blue": text[4:6]}
    # Full precision: Google keeps 8 bits per channel, flooring value * 255.
    return {name: int(part, 16) / 255 for name, part in parts.items() if int(part, 16)}


def hex_of(rgb: Any) -> str:
    """``{"red": 1, "green": 0.78, "blue": 0.81}`` -> ``"FFC7CE"``; missing parts are 0."""
    if not isinstance(rgb, dict):
        return "000000"

    def part(name: str) -> str:
        value = rgb.get(name, 0)
        number = float(value) if isinstance(value, (int, float)) else 0.0
        return f"{max(0, min(255, round(number * 255))):02X}"

    return part("red") + part("green") + part("blue")


_QUOTED = re.compile(r'"[^"]*"|\\.')


def number_format(pattern: str) -> JSON:
    """A NumberFormat for an Excel-style pattern, with the type Google expects for it."""
    bare = _QUOTED.sub("", pattern).lower()
    if "%" in bare:
        kind = "PERCENT"
    elif re.search(r"[yd]", bare) and re.search(r"[hs]", bare):
        kind = "DATE_TIME"
    elif re.search(r"[yd]", bare):
        kind = "DATE"
    elif re.search(r"[hs]", bare):
        kind = "TIME"
    else:
        kind = "NUMBER"
    return {"type": kind, "pattern": pattern}


def cell_format(style: Style, pattern: str | None) -> JSON:
    """The userEnteredFormat of a style (and a number format pattern, if any)."""
    fmt: JSON = {}
    if style.fill:
        fmt["backgroundColor"] = color(style.fill)
        fmt["backgroundColorStyle"] = {"rgbColor": color(style.fill)}
    text: JSON = {}
    if style.bold:
        text["bold"] = True
    if style.italic:
        text["italic"] = True
    if style.font_color:
        text["foregroundColor"] = color(style.font_color)
        text["foregroundColorStyle"] = {"rgbColor": color(style.font_color)}
    if style.font_size:
        text["fontSize"] = int(round(style.font_size))
    if text:
        fmt["textFormat"] = text
    if style.wrap:
        fmt["wrapStrategy"] = "WRAP"
    if pattern:
        fmt["numberFormat"] = number_format(pattern)
    return fmt


def serial(value: dt.date) -> float | int:
    """A date as the day number the Sheets API uses (days since 1899-12-30)."""
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - _EPOCH
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return (value - EXCEL_EPOCH).days


def _is_date_pattern(pattern: str | None) -> bool:
    return pattern is not None and number_format(pattern)["type"] in ("DATE", "DATE_TIME")


def cell_data(cell: Cell, *, column_format: str | None = None, where: str = "") -> JSON:
    """One CellData: its value as entered (text always as stringValue) and its format."""
    value, style = cell.value, cell.style
    pattern = style.number_format or column_format
    if isinstance(value, dt.date) and not _is_date_pattern(pattern):
        pattern = layout.DATETIME if isinstance(value, dt.datetime) else layout.DATE
    data: JSON = {}
    if value is None:
        pass
    elif isinstance(value, bool):
        data["userEnteredValue"] = {"boolValue": value}
    elif isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise WorkbookError(f"{where or 'a cell'}: {value} is not a number a spreadsheet can hold.")
        data["userEnteredValue"] = {"numberValue": value}
    elif isinstance(value, dt.date):
        data["userEnteredValue"] = {"numberValue": serial(value)}
    else:
        data["userEnteredValue"] = {"stringValue": str(value)}
    fmt = cell_format(style, pattern)
    if fmt:
        data["userEnteredFormat"] = fmt
    return data


def pixels(width: float) -> int:
    """An Excel column width (in characters) as the pixels Google Sheets sizes columns in."""
    return max(2, round(width * 7 + 5))


# Sheets ---------------------------------------------------------------------------------


def grid_size(tab: TabLayout) -> tuple[int, int]:
    """Rows and columns of a new sheet for ``tab``: room for its cells and its drop-downs."""
    used_rows = len(tab.rows)
    used_cols = max([len(r) for r in tab.rows] + [len(tab.widths), *(c + 1 for c in tab.column_formats)], default=1)
    reach = max([d.last_row + 1 for d in tab.dropdowns] + [0])
    rows = max(DEFAULT_ROWS, used_rows, min(reach, MAX_NEW_ROWS))
    # Room for people's own columns, except on the long tabs where every cell counts.
    columns = max(DEFAULT_COLUMNS, used_cols) if rows * DEFAULT_COLUMNS <= WIDE_TAB_CELLS else max(1, used_cols)
    return rows, columns


def sheet_properties(tab: TabLayout, sheet_id: int, index: int | None = None) -> JSON:
    """SheetProperties of a new sheet: title, size, frozen header rows, hidden."""
    rows, columns = grid_size(tab)
    grid: JSON = {"rowCount": rows, "columnCount": columns}
    if tab.freeze_rows:
        grid["frozenRowCount"] = tab.freeze_rows
    if tab.freeze_cols:
        grid["frozenColumnCount"] = tab.freeze_cols
    props: JSON = {"sheetId": sheet_id, "title": tab.name, "gridProperties": grid}
    if index is not None:
        props["index"] = index
    if tab.hidden:
        props["hidden"] = True
    return props


def _row_data(tab: TabLayout, formatted_cols: int) -> list[JSON]:
    """Every row of ``tab``, padded so that empty cells of formatted columns keep the format."""
    rows = []
    for r, cells in enumerate(tab.rows):
        padded = list(cells)
        if r >= tab.freeze_rows and formatted_cols > len(padded):
            padded += [Cell(None)] * (formatted_cols - len(padded))
        values = [
            cell_data(
                cell,
                column_format=tab.column_formats.get(c) if r >= tab.freeze_rows else None,
                where=address(tab.name, r, c),
            )
            for c, cell in enumerate(padded)
        ]
        rows.append({"values": values})
    return rows


def grid_range(sheet_id: int, rows: tuple[int, int] | None = None, cols: tuple[int, int] | None = None) -> JSON:
    found: JSON = {"sheetId": sheet_id}
    if rows is not None:
        found["startRowIndex"], found["endRowIndex"] = rows
    if cols is not None:
        found["startColumnIndex"], found["endColumnIndex"] = cols
    return found


def write_cells(tab: TabLayout, sheet_id: int) -> JSON:
    """One updateCells that replaces the whole sheet's values and formats with ``tab``'s
    (cells the layout leaves out are cleared)."""
    formatted_cols = max((c + 1 for c in tab.column_formats), default=0)
    return {
        "updateCells": {
            "range": grid_range(sheet_id),
            "rows": _row_data(tab, formatted_cols),
            "fields": CELL_FIELDS,
        }
    }


def width_requests(tab: TabLayout, sheet_id: int) -> list[JSON]:
    """updateDimensionProperties for the column widths, one per run of equal widths."""
    found: list[JSON] = []
    start = 0
    widths = [pixels(w) for w in tab.widths]
    for col in range(1, len(widths) + 1):
        if col == len(widths) or widths[col] != widths[start]:
            found.append(
                {
                    "updateDimensionProperties": {
                        "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": start, "endIndex": col},
                        "properties": {"pixelSize": widths[start]},
                        "fields": "pixelSize",
                    }
                }
            )
            start = col
    return found


def height_requests(tab: TabLayout, sheet_id: int) -> list[JSON]:
    """updateDimensionProperties for each row whose height the layout sets (points to pixels)."""
    return [
        {
            "updateDimensionProperties": {
                "range": {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": row, "endIndex": row + 1},
                "properties": {"pixelSize": round(height * 4 / 3)},
                "fields": "pixelSize",
            }
        }
        for row, height in sorted(tab.row_heights.items())
    ]


def column_format_requests(tab: TabLayout, sheet_id: int, row_count: int) -> list[JSON]:
    """The number format of each formatted column, on the empty rows below the layout's
    (down to :data:`FORMATTED_ROWS`). Not on a tab sheetops owns: its rows bring their own
    formats, and appendCells counts a formatted row as one with data."""
    if tab.owned:
        return []
    first = max(len(tab.rows), tab.freeze_rows)
    last = min(row_count, max(FORMATTED_ROWS, first))
    if first >= last:
        return []
    return [
        {
            "repeatCell": {
                "range": grid_range(sheet_id, (first, last), (col, col + 1)),
                "cell": {"userEnteredFormat": {"numberFormat": number_format(pattern)}},
                "fields": "userEnteredFormat.numberFormat",
            }
        }
        for col, pattern in sorted(tab.column_formats.items())
    ]


def quote_tab(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def listable(value: str) -> bool:
    """Whether a drop-down can list ``value`` as typed: the API reads a list entry as if it
    were typed in a cell, so one that starts with = or + would become a formula."""
    return bool(value.strip()) and not value.lstrip().startswith(("=", "+"))


def validation_request(tab: TabLayout, dropdown: DropDown, sheet_id: int, row_count: int) -> JSON | None:
    """setDataValidation for one drop-down, within the sheet's rows (None: nothing to list)."""
    last = min(dropdown.last_row + 1, row_count)
    if dropdown.first_row >= last:
        return None
    condition: JSON
    if dropdown.source_tab is not None and dropdown.source_col is not None:
        letter = column_letter(dropdown.source_col)
        source = f"={quote_tab(dropdown.source_tab)}!${letter}$2:${letter}"
        condition = {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": source}]}
    else:
        values = [v for v in dict.fromkeys(dropdown.values) if listable(v)]
        if not values:
            return None
        condition = {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in values]}
    return {
        "setDataValidation": {
            "range": grid_range(sheet_id, (dropdown.first_row, last), (dropdown.col, dropdown.col + 1)),
            "rule": {"condition": condition, "strict": dropdown.strict, "showCustomUi": True},
        }
    }


def protection_request(sheet_id: int, lang: str | None = None) -> JSON:
    """A warning-only protected range over a whole sheet that sheetops owns."""
    return {
        "addProtectedRange": {
            "protectedRange": {
                "range": {"sheetId": sheet_id},
                "description": PROTECTION_NOTES.get(lang or "en", PROTECTION_NOTES["en"]),
                "warningOnly": True,
            }
        }
    }


def tab_requests(tab: TabLayout, sheet_id: int, *, row_count: int, lang: str | None = None,
                 protect: bool = True) -> list[JSON]:
    """Everything that fills a sheet from its layout: cells, widths, formats, drop-downs,
    and (for an owned tab, with ``protect``) the warning-only protection."""
    found = [write_cells(tab, sheet_id), *width_requests(tab, sheet_id), *height_requests(tab, sheet_id)]
    found += column_format_requests(tab, sheet_id, row_count)
    for dropdown in tab.dropdowns:
        request = validation_request(tab, dropdown, sheet_id, row_count)
        if request is not None:
            found.append(request)
    if tab.owned and protect:
        found.append(protection_request(sheet_id, lang))
    return found


def add_sheet(tab: TabLayout, sheet_id: int, index: int | None = None) -> JSON:
    return {"addSheet": {"properties": sheet_properties(tab, sheet_id, index)}}


def fit_sheet(sheet_id: int, *, rows: int, columns: int, frozen: int, hidden: bool, frozen_cols: int = 0) -> JSON:
    """updateSheetProperties: the grid size, frozen rows and columns and visibility of an existing sheet."""
    return {
        "updateSheetProperties": {
            "properties": {
                "sheetId": sheet_id,
                "hidden": hidden,
                "gridProperties": {"rowCount": rows, "columnCount": columns, "frozenRowCount": frozen,
                                   "frozenColumnCount": frozen_cols},
            },
            "fields": "hidden,gridProperties.rowCount,gridProperties.columnCount,gridProperties.frozenRowCount,"
            "gridProperties.frozenColumnCount",
        }
    }


def append_row(cells: Sequence[Cell], sheet_id: int, *, where: str = "") -> JSON:
    """appendCells: one row below the last row with data (the API adds rows as needed)."""
    return {
        "appendCells": {
            "sheetId": sheet_id,
            "rows": [{"values": [cell_data(c, where=where) for c in cells]}],
            "fields": CELL_FIELDS,
        }
    }


def set_cell(sheet_id: int, row: int, col: int, data: JSON, fields: Iterable[str]) -> JSON:
    """updateCells on one cell, changing only ``fields`` (e.g. the fill and the note)."""
    return {
        "updateCells": {
            "range": grid_range(sheet_id, (row, row + 1), (col, col + 1)),
            "rows": [{"values": [data]}],
            "fields": ",".join(fields),
        }
    }


def mark_request(key: str, value: str, existing: int | None) -> JSON:
    """Set the spreadsheet's developer metadata ``key`` to ``value`` (create it if missing)."""
    if existing is not None:
        return {
            "updateDeveloperMetadata": {
                "dataFilters": [{"developerMetadataLookup": {"metadataId": existing}}],
                "developerMetadata": {"metadataValue": value},
                "fields": "metadataValue",
            }
        }
    return {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataKey": key,
                "metadataValue": value,
                "location": {"spreadsheet": True},
                "visibility": "DOCUMENT",
            }
        }
    }
