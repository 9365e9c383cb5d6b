"""The reads of a sync: what they ask for, and their answers as data. Pure.

A sync reads a spreadsheet in two requests, one after the other:

1. spreadsheets.get with ``includeGridData`` under :data:`READ_FIELDS`: each sheet's id,
   title, kind, size and visibility, whether it is protected, the spreadsheet's locale and
   sync mark, and each cell's fill and note (the cells sheetops highlights, and those it
   may highlight next);
2. values.batchGet of every grid sheet (:func:`value_ranges`, :data:`VALUE_PARAMS`): the
   cells' values as the engine reads them, unformatted, dates as day numbers.

Asking the first for the values too would answer each cell as a nested object
(``{"effectiveValue": {"numberValue": 46349}}``): a 100,000-row tab is 30 MB of them,
where the values API says the same in 4 MB of plain rows. :func:`parse_looks` and
:func:`add_values` turn the answers into a :class:`Snapshot`: the values as a
:class:`~sheetops.workbook.WorkbookData` for the engine, and the ids, fills and notes
that the write of the same sync needs.

Values are numbers (dates are day numbers, which the engine reads as dates), text,
TRUE/FALSE, and error values as :class:`~sheetops.values.CellError`. The values API shows
an error as its code (``#DIV/0!``), so a text that is exactly such a code is read as that
error: in Google Sheets typing ``#N/A`` makes the error; only text entered through the API
or after an apostrophe can look like one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sheetops.backends.gsheets.bodies import CELL_LIMIT, hex_of, quote_tab
from sheetops.values import CellError, CellValue
from sheetops.workbook import Sheet, WorkbookData

if TYPE_CHECKING:
    from sheetops.backends.gsheets.answers import RowLooks

# The mark each sync leaves (spreadsheet developer metadata): the id of the last sync whose
# write Google applied, so that a write whose answer was lost is not applied twice.
SYNC_MARK = "sheetops.last_write"
MARK_FIELDS = "developerMetadata(metadataId,metadataKey,metadataValue)"

READ_FIELDS = (
    "spreadsheetId,properties(title,locale)," + MARK_FIELDS + ","
    "sheets(properties(sheetId,title,index,sheetType,hidden,gridProperties(rowCount,columnCount)),"
    "protectedRanges(protectedRangeId,range(sheetId)),charts(chartId),"
    "data(startRow,startColumn,rowData(values(note,userEnteredFormat(backgroundColor,backgroundColorStyle)))))"
)
# values.batchGet: the values as the engine reads them, in rows (the ranges: value_ranges).
VALUE_PARAMS = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER",
                "majorDimension": "ROWS"}

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
_ERRORS = frozenset(ERROR_CODES.values())

Position = tuple[int, int]


@dataclass
class SheetSnapshot:
    """One sheet as read: its properties, values, and the fill and note of any cell."""

    sheet_id: int
    title: str
    index: int
    hidden: bool
    row_count: int
    column_count: int
    protected: bool
    grid: bool = True  # a grid of cells (not a chart or data-source sheet): it has values
    rows: list[list[CellValue]] = field(default_factory=list)
    blocks: Sequence[RowLooks] = ()  # the fills and notes, decoded when looked at
    charts: tuple[int, ...] = ()  # the ids of the charts on it (sheetops' among them: see .charts)

    @property
    def used_rows(self) -> int:
        return len(self.rows)

    def look(self, row: int, col: int) -> tuple[str | None, str | None]:
        """The cell's fill (RGB hex) and note; None for what it does not have."""
        for block in self.blocks:
            cell = block.cell(row, col)
            if cell:
                return _fill(cell), _note(cell)
        return None, None

    @property
    def fills(self) -> dict[Position, str]:
        """Every cell with a fill (decodes every row: for a look at one cell, :meth:`look`)."""
        return {(r, c): fill for r, c, cell in self._cells() if (fill := _fill(cell)) is not None}

    @property
    def notes(self) -> dict[Position, str]:
        """Every cell with a note (decodes every row)."""
        return {(r, c): note for r, c, cell in self._cells() if (note := _note(cell)) is not None}

    def _cells(self) -> Iterable[tuple[int, int, dict[str, Any]]]:
        for block in self.blocks:
            yield from block.cells()


@dataclass
class Snapshot:
    """A whole spreadsheet as one sync read it."""

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


def _fill(cell: dict[str, Any]) -> str | None:
    return fill_of(cell.get("userEnteredFormat"))


def _note(cell: dict[str, Any]) -> str | None:
    note = cell.get("note")
    return note if isinstance(note, str) and note else None


def parse_mark(body: dict[str, Any]) -> tuple[int, str] | None:
    """The sync mark among a spreadsheet's developer metadata: (metadataId, value)."""
    return _mark(body.get("developerMetadata", []))


def _mark(metadata: Any) -> tuple[int, str] | None:
    for meta in metadata or []:
        if isinstance(meta, dict) and meta.get("metadataKey") == SYNC_MARK:
            return int(meta.get("metadataId", 0)), str(meta.get("metadataValue", ""))
    return None


def parse_looks(body: bytes) -> Snapshot:
    """The answer of spreadsheets.get (with :data:`READ_FIELDS`): the sheets without values."""
    from sheetops.backends.gsheets.answers import RowLooks, spreadsheet

    answer = spreadsheet(body)
    sheets = []
    for sheet in answer.sheets:
        props = sheet.properties
        grid = props.get("gridProperties", {})
        sheets.append(
            SheetSnapshot(
                sheet_id=int(props.get("sheetId", 0)),
                title=str(props.get("title", "")),
                index=int(props.get("index", 0)),
                hidden=bool(props.get("hidden", False)),
                row_count=int(grid.get("rowCount", 0)),
                column_count=int(grid.get("columnCount", 0)),
                protected=bool(sheet.protectedRanges),
                grid=props.get("sheetType", "GRID") == "GRID",
                blocks=tuple(RowLooks(block) for block in sheet.data),
                charts=tuple(int(c["chartId"]) for c in sheet.charts if isinstance(c, dict) and "chartId" in c),
            )
        )
    return Snapshot(
        spreadsheet_id=answer.spreadsheetId,
        title=str(answer.properties.get("title", "")),
        locale=answer.properties.get("locale"),
        sheets=sheets,
        mark=_mark(answer.developerMetadata),
    )


def value_ranges(snapshot: Snapshot) -> list[str]:
    """The ranges of the values.batchGet: every grid sheet, whole."""
    return [quote_tab(s.title) for s in snapshot.sheets if s.grid]


def add_values(snapshot: Snapshot, body: bytes) -> Snapshot:
    """The values.batchGet answer for :func:`value_ranges` put into the snapshot's sheets.

    A blank cell between others (``""``) becomes None; a text that is an error code
    becomes that :class:`~sheetops.values.CellError`.
    """
    from sheetops.backends.gsheets.answers import value_ranges as decode

    sheets = [s for s in snapshot.sheets if s.grid]
    for sheet, (decoded, blanks, errors) in zip(sheets, decode(body), strict=True):
        rows = cast(list[list[CellValue]], decoded)  # floats, texts and truth values
        if blanks or errors:
            for r, row in enumerate(rows):
                if ("" in row) or (errors and not _ERRORS.isdisjoint(row)):
                    rows[r] = [_cleaned(v) for v in row]
        sheet.rows = rows
    return snapshot


def _cleaned(value: CellValue) -> CellValue:
    if value == "":
        return None
    if type(value) is str and value in _ERRORS:
        return CellError(value)
    return value
