"""The JSON of the two reads of a sync, decoded with msgspec into the shapes that are used.

A 100,000-row tab is 700,000 cells: the answers are decoded straight from bytes into
typed objects, without a Python dict per cell:

* the values (values.batchGet): each tab's rows as lists of floats, texts and truth values
  (msgspec turns the whole numbers JSON has into floats on the way);
* the spreadsheets.get with the fills and notes: sheets' properties as dicts, and each
  block of grid data kept as its raw JSON, cut into rows only when a cell of it is looked
  at, one row decoded at a time (:class:`RowLooks`). Nearly every cell of a big tab has
  neither fill nor note and is never decoded.

Imported only when a Google spreadsheet is read (msgspec comes with the gsheets extra).
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

Value = float | str | bool | None
# Below, the answers as typed objects; the field names are the API's.


class GridData(msgspec.Struct):
    startRow: int = 0
    startColumn: int = 0
    rowData: msgspec.Raw = msgspec.Raw(b"[]")


class SheetAnswer(msgspec.Struct):
    properties: dict[str, Any] = {}
    protectedRanges: list[Any] = []
    charts: list[Any] = []
    data: list[GridData] = []


class SpreadsheetAnswer(msgspec.Struct):
    spreadsheetId: str = ""
    properties: dict[str, Any] = {}
    developerMetadata: list[Any] = []
    sheets: list[SheetAnswer] = []


class _Row(msgspec.Struct):
    values: msgspec.Raw = msgspec.Raw(b"[]")


class _ValueRange(msgspec.Struct):
    values: msgspec.Raw = msgspec.Raw(b"[]")


class _BatchGet(msgspec.Struct):
    valueRanges: list[_ValueRange] = []


_spreadsheet = msgspec.json.Decoder(SpreadsheetAnswer)
_rows = msgspec.json.Decoder(list[_Row])
_cells = msgspec.json.Decoder(list[dict[str, Any]])
_batch = msgspec.json.Decoder(_BatchGet)
_values = msgspec.json.Decoder(list[list[Value]])

DecodeError = msgspec.DecodeError  # a ValidationError (a wrong type) is one too


def spreadsheet(body: bytes) -> SpreadsheetAnswer:
    """A spreadsheets.get answer, its grid data left undecoded."""
    return _spreadsheet.decode(body)


class RowLooks:
    """One block of grid data (fills and notes), decoded a row at a time when asked."""

    def __init__(self, block: GridData) -> None:
        self.top = block.startRow
        self.left = block.startColumn
        self._raw: msgspec.Raw | None = block.rowData
        self._rows: list[_Row] = []
        self._decoded: dict[int, list[dict[str, Any]]] = {}

    def _split(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None and b'"' in bytes(raw):  # without a key in it, no cell has anything
            self._rows = _rows.decode(raw)

    def _row(self, at: int) -> list[dict[str, Any]]:
        cells = self._decoded.get(at)
        if cells is None:
            raw = self._rows[at].values
            cells = self._decoded[at] = _cells.decode(raw) if len(raw) > 2 else []
        return cells

    def cell(self, row: int, col: int) -> dict[str, Any] | None:
        """The cell at ``row``, ``col`` of the sheet as the answer has it; None if absent."""
        if self._raw is not None:
            self._split()
        at, c = row - self.top, col - self.left
        if not 0 <= at < len(self._rows) or c < 0:
            return None
        cells = self._row(at)
        return cells[c] if c < len(cells) else None

    def cells(self) -> list[tuple[int, int, dict[str, Any]]]:
        """Every cell of the block that has something: (row, col, cell)."""
        if self._raw is not None:
            self._split()
        return [
            (self.top + at, self.left + c, cell)
            for at in range(len(self._rows))
            for c, cell in enumerate(self._row(at))
            if cell
        ]


# Where a range may hold an empty text (a blank cell between others) or an error (``#N/A``):
# only those ranges' rows are looked through (a text that ends with a quote or starts with #
# also matches, and is left as it is).
_TO_CLEAN = re.compile(rb'""|"#')


def value_ranges(body: bytes) -> list[tuple[list[list[Value]], bool, bool]]:
    """A values.batchGet answer: each range's rows, with whether any of its texts is empty
    (a blank cell between others) and whether any may be an error (``#N/A``...)."""
    found = []
    for value_range in _batch.decode(body).valueRanges:
        raw = value_range.values
        marks = set(_TO_CLEAN.findall(raw))  # a Raw is a buffer: no copy
        found.append((_values.decode(raw), b'""' in marks, b'"#' in marks))
    return found
