"""One read of a spreadsheet: the spreadsheets.get mask, and its answer as data. Pure.

A sync reads everything it needs in one spreadsheets.get with ``includeGridData`` and a
tight ``fields`` mask (:data:`READ_FIELDS`): each sheet's id, title, size and
visibility, whether it is protected, and for every cell its value, its note and its
fill. :func:`parse_spreadsheet` turns the answer into a :class:`Snapshot`: the values
as a :class:`~sheetops.workbook.WorkbookData` for the engine, and the ids, fills and
notes that the write of the same sync needs.

Values are the cells' effective values: numbers (dates are day numbers, which the
engine reads as dates), text, TRUE/FALSE, and error values as
:class:`~sheetops.values.CellError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from sheetops.backends.gsheets.bodies import CELL_LIMIT, hex_of
from sheetops.values import CellError, CellValue
from sheetops.workbook import Sheet, WorkbookData

# The mark each sync leaves (spreadsheet developer metadata): the id of the last sync whose
# write Google applied, so that a write whose answer was lost is not applied twice.
SYNC_MARK = "sheetops.last_write"
MARK_FIELDS = "developerMetadata(metadataId,metadataKey,metadataValue)"

READ_FIELDS = (
    "spreadsheetId,properties(title,locale)," + MARK_FIELDS + ","
    "sheets(properties(sheetId,title,index,hidden,gridProperties(rowCount,columnCount)),"
    "protectedRanges(protectedRangeId,range(sheetId)),"
    "data(startRow,startColumn,rowData(values(effectiveValue,note,"
    "userEnteredFormat(backgroundColor,backgroundColorStyle)))))"
)

ERROR_CODES = {
    "ERROR": "#ERROR!",
    "NULL_VALUE": "#NULL!",
    "DIVIDE_BY_ZERO": "#DIV/0!",
    "VALUE": "#VALUE!",
    "REF": "#REF!",
    "NAME": "#NAME?",
    "NUM": "#NUM!",
    "N_A": "#N/A",
    "LOADING": "#LOADING!",
}

Position = tuple[int, int]


@dataclass
class SheetSnapshot:
    """One sheet as read: its properties, values, and the fills and notes that are set."""

    sheet_id: int
    title: str
    index: int
    hidden: bool
    row_count: int
    column_count: int
    protected: bool
    rows: list[list[CellValue]] = field(default_factory=list)
    fills: dict[Position, str] = field(default_factory=dict)  # only cells with a fill
    notes: dict[Position, str] = field(default_factory=dict)  # only cells with a note

    @property
    def used_rows(self) -> int:
        return len(self.rows)


@dataclass
class Snapshot:
    """A whole spreadsheet as one spreadsheets.get returned it."""

    spreadsheet_id: str
    title: str
    locale: str | None
    sheets: list[SheetSnapshot]
    mark: tuple[int, str] | None = None  # the sync mark: (metadataId, the id of the last write)

    def sheet(self, title: str) -> SheetSnapshot | None:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        return None

    @property
    def cell_count(self) -> int:
        """Cells in all grids, which Google counts against its limit of 10 million."""
        return sum(s.row_count * s.column_count for s in self.sheets)

    def workbook_data(self, source: str) -> WorkbookData:
        ordered = sorted(self.sheets, key=lambda s: s.index)
        return WorkbookData(
            source,
            tuple(Sheet(s.title, s.rows, s.hidden) for s in ordered),
            cell_count=self.cell_count,
            cell_limit=CELL_LIMIT,
        )


def cell_value(effective: Any) -> CellValue:
    """An ExtendedValue (a cell's effectiveValue) as the value the engine reads."""
    if not isinstance(effective, dict):
        return None
    if "numberValue" in effective:
        return float(effective["numberValue"])
    if "stringValue" in effective:
        text = effective["stringValue"]
        return text if isinstance(text, str) and text != "" else None
    if "boolValue" in effective:
        return bool(effective["boolValue"])
    if "errorValue" in effective:
        error = effective["errorValue"] or {}
        return CellError(ERROR_CODES.get(str(error.get("type")), "#ERROR!"))
    return None


def fill_of(fmt: Any) -> str | None:
    """A cell's fill as RGB hex, or None when it has none."""
    if not isinstance(fmt, dict):
        return None
    style = fmt.get("backgroundColorStyle")
    if isinstance(style, dict) and isinstance(style.get("rgbColor"), dict):
        return hex_of(style["rgbColor"])
    if isinstance(fmt.get("backgroundColor"), dict):
        return hex_of(fmt["backgroundColor"])
    return None


def parse_sheet(sheet: dict[str, Any]) -> SheetSnapshot:
    """One sheet of the answer. A 100,000-row Daily tab is 700,000 cells, so the common
    cell (a number or text, no note, no fill) is read inline; anything else goes through
    :func:`cell_value` and :func:`fill_of`."""
    props = sheet.get("properties", {})
    grid = props.get("gridProperties", {})
    found = SheetSnapshot(
        sheet_id=int(props.get("sheetId", 0)),
        title=str(props.get("title", "")),
        index=int(props.get("index", 0)),
        hidden=bool(props.get("hidden", False)),
        row_count=int(grid.get("rowCount", 0)),
        column_count=int(grid.get("columnCount", 0)),
        protected=bool(sheet.get("protectedRanges")),
    )
    rows: dict[int, list[CellValue]] = {}
    notes, fills = found.notes, found.fills
    for block in sheet.get("data", []) or []:
        top = int(block.get("startRow", 0))
        left = int(block.get("startColumn", 0))
        for r, row_data in enumerate(block.get("rowData", []) or [], start=top):
            cells = row_data.get("values")
            if not cells:
                continue
            row: list[CellValue] = [None] * (left + len(cells))
            last = -1
            for c, cell in enumerate(cells, start=left):
                if not cell:
                    continue
                effective = cell.get("effectiveValue")
                if effective is not None:
                    number = effective.get("numberValue")
                    if number is not None:
                        row[c] = float(number)
                        last = c
                    else:
                        text = effective.get("stringValue")
                        value = (text or None) if isinstance(text, str) else cell_value(effective)
                        if value is not None:
                            row[c] = value
                            last = c
                if len(cell) > 1 or effective is None:  # a note or a format beside the value
                    note = cell.get("note")
                    if isinstance(note, str) and note:
                        notes[(r, c)] = note
                    fill = fill_of(cell.get("userEnteredFormat"))
                    if fill is not None:
                        fills[(r, c)] = fill
            if last >= 0:
                del row[last + 1:]
                earlier = rows.get(r)
                if earlier is not None:  # the same row in another block of data
                    row = [a if a is not None else b for a, b in zip_longest(row, earlier)]
                rows[r] = row
    height = max(rows, default=-1) + 1
    found.rows = [rows.get(r, []) for r in range(height)]
    return found


def parse_mark(body: dict[str, Any]) -> tuple[int, str] | None:
    """The sync mark among a spreadsheet's developer metadata: (metadataId, value)."""
    for meta in body.get("developerMetadata", []) or []:
        if isinstance(meta, dict) and meta.get("metadataKey") == SYNC_MARK:
            return int(meta.get("metadataId", 0)), str(meta.get("metadataValue", ""))
    return None


def parse_spreadsheet(body: dict[str, Any]) -> Snapshot:
    """The answer of spreadsheets.get (with :data:`READ_FIELDS`) as a :class:`Snapshot`."""
    props = body.get("properties", {})
    return Snapshot(
        spreadsheet_id=str(body.get("spreadsheetId", "")),
        title=str(props.get("title", "")),
        locale=props.get("locale"),
        sheets=[parse_sheet(s) for s in body.get("sheets", []) or []],
        mark=parse_mark(body),
    )
