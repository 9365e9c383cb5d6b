"""sheetops' record of the highlights it made, kept in the workbook itself.

The record is the hidden tab ``sheetops_state`` (:data:`sheetops.backends.STATE_TAB`).
Each row stands for a group of highlighted cells that share everything but their place:
the tab, the cells (their references, separated by spaces), the style they had before
(an ``s`` index, ``none`` when they had no style, ``new cell`` / ``new row`` when sheetops
created the cell), the style sheetops set, the note text it wrote, whether it made that
note (``no`` when a person's note was already there), and the fill they had before (its
``<fill>`` element as XML, ``none`` for no fill) with the ``applyFill`` flag it had. A
breach's note is on one cell, so its text is written once; the many cells of a long
streak that got the fill only share one row (a row holds at most
:data:`CELLS_TEXT_LIMIT` characters of references, well within Excel's 32,767).

The fill is what lets a later sync put the cell back after LibreOffice renumbered every
style (see docs/xlsx.md). Records written by earlier versions are read too: one cell per
row under the header ``Cell`` (with or without the fill columns; without them, a cell
falls back to its style index). Kept in the workbook, the record travels with the file:
any machine's next sync can undo exactly what an earlier one did. Excel and LibreOffice
may turn the inline strings into shared strings when they save; both are read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

from sheetops.backends.xlsx import xmlbytes as xb
from sheetops.backends.xlsx.sheetrender import render_worksheet
from sheetops.backends.xlsx.sheetxml import SheetEditor, parse_ref
from sheetops.backends.xlsx.styles import StyleSheet, is_fill_xml
from sheetops.errors import BackendError
from sheetops.layout import Cell, TabLayout
from sheetops.ports import STATE_TAB
from sheetops.values import CellValue
from sheetops.workbook import column_letter

HEADER = (
    "Tab", "Cells", "Original style", "Highlight style", "Note", "Note by sheetops",
    "Original fill", "Original applyFill",
)  # fmt: skip
# Records of earlier versions, one cell per row: with the fill, and from before it was kept.
_CELL_HEADERS = (("Tab", "Cell", *HEADER[2:]), ("Tab", "Cell", *HEADER[2:6], "", ""))
CELLS_TEXT_LIMIT = 30_000  # characters of cell references in one row of the record
NO_STYLE = "none"  # the cell had no ``s`` attribute
NEW_CELL = "new cell"  # sheetops created the cell in an existing row
NEW_ROW = "new row"  # sheetops created the cell and its row
_WIDTHS = (16.0, 8.0, 14.0, 14.0, 60.0, 16.0, 40.0, 16.0)
_SST_ITEM = re.compile(rb"<((?:[\w.-]+:)?si)\b" + xb.ATTRS + rb"(?:/>|>(.*?)</\1>)", re.DOTALL)
_V = re.compile(rb"<(?:[\w.-]+:)?v>(.*?)</(?:[\w.-]+:)?v>", re.DOTALL)
_IS = re.compile(rb"<((?:[\w.-]+:)?is)>(.*?)</\1>", re.DOTALL)
# A row as sheetops writes the record (inline strings, numbers, no prefix, every cell on
# the row's own number): the whole record is read with this in one pass; a record a
# program saved differently (shared strings, other attributes) is read cell by cell instead.
_WRITTEN_CELL = (
    rb'(?:<c r="%s\1"(?: s="[0-9]+")?(?: t="(inlineStr|n|str)")?'
    rb"(?:(/)>|><v>([^<]*)</v></c>|><is><t(?: xml:space=\"preserve\")?>([^<]*)</t></is></c>))?"
)
_WRITTEN_ROW = re.compile(
    rb'<row r="([0-9]+)">' + b"".join(_WRITTEN_CELL % column_letter(c).encode() for c in range(8)) + rb"</row>"
)


class HighlightRecord(NamedTuple):
    """One cell sheetops highlighted, and what it needs to undo the highlight (a tuple:
    tens of thousands are made in a sync of a long streak)."""

    tab: str
    cell: str  # "F14"
    original: str  # an ``s`` index, NO_STYLE, NEW_CELL or NEW_ROW
    highlight: int  # the ``s`` index sheetops set
    note: str  # the note text sheetops wrote (empty if it made no note)
    note_by_sheetops: bool
    # The cell's fill before, as StyleSheet.fill_of gives it; None in records that predate it.
    original_fill: str | None = None
    original_apply_fill: str | None = None  # its applyFill as written; None: no attribute

    @property
    def key(self) -> tuple[str, str]:
        return self.tab.casefold(), self.cell

    @property
    def note_created(self) -> bool:
        return self.note_by_sheetops


def read_records(sheet: SheetEditor, shared_strings: Callable[[], list[str]]) -> list[HighlightRecord]:
    """The records in the state tab's part (its first row is the header)."""
    rows = _rows_as_written(sheet)
    if rows is None:
        values = _values_cell_by_cell(sheet, shared_strings)
        rows = {row: [values.get((row, c)) for c in range(len(HEADER))] for row in sorted({r for r, _ in values})}
    return _records(rows)


def records_from_values(rows: Iterable[Sequence[CellValue]]) -> list[HighlightRecord]:
    """The records in the state tab's values as a read gives them, row by row, the header
    first (what :func:`read_records` finds in its part, without parsing it again)."""
    width = len(HEADER)
    found: dict[int, list[CellValue]] = {}
    for index, row in enumerate(rows):
        cells = [None if value == "" else value for value in row[:width]]
        if any(value is not None for value in cells):
            found[index] = cells + [None] * (width - len(cells))
    return _records(found)


def _rows_as_written(sheet: SheetEditor) -> dict[int, list[CellValue]] | None:
    """Every row's values in one pass, when every row is as sheetops writes them (else None)."""
    xml, start, end = sheet.whole(), sheet.data.start_end, sheet.data.end
    rows: dict[int, list[CellValue]] = {}
    position = start
    for match in _WRITTEN_ROW.finditer(xml, start, end):
        if match.start() != position:
            return None  # something sheetops does not write between two rows
        position = match.end()
        groups = match.groups()
        values: list[CellValue] = []
        for c in range(1, 33, 4):
            kind, empty, number_text, inline = groups[c : c + 4]
            if empty is None and number_text is None and inline is None:
                values.append(None)  # no such cell
            elif kind == b"inlineStr":
                values.append("" if inline is None else _inline_text(inline))
            elif inline is not None:
                values.append("")
            else:
                text = xb.unescape((number_text or b"").decode("utf-8"))
                values.append(text if kind == b"str" else _number(text))
        rows[int(groups[0]) - 1] = values
    if not sheet.data.empty and not xml.startswith(b"</sheetData>", position):
        return None
    return rows


def _values_cell_by_cell(
    sheet: SheetEditor, shared_strings: Callable[[], list[str]]
) -> dict[tuple[int, int], CellValue]:
    values: dict[tuple[int, int], CellValue] = {}
    strings: list[str] | None = None
    for (row, col), element in sheet.cell_values().items():
        kind = xb.attributes(element[: element.index(b">") + 1]).get("t", "n")
        if kind == "s":
            if strings is None:
                strings = shared_strings()
            found = _V.search(element)
            index = int(found.group(1)) if found and found.group(1).strip().isdigit() else -1
            values[(row, col)] = strings[index] if 0 <= index < len(strings) else None
        elif kind == "inlineStr":
            inline = _IS.search(element)
            values[(row, col)] = xb.rich_text(inline.group(2)) if inline else ""
        else:
            found = _V.search(element)
            text = xb.unescape(found.group(1).decode("utf-8")) if found else ""
            values[(row, col)] = _number(text) if kind == "n" else text
    return values


def _records(rows: dict[int, list[CellValue]]) -> list[HighlightRecord]:
    """The records in the rows of the state tab (row -> its first eight values)."""
    header = tuple(str(v or "") for v in rows.get(0, [None] * len(HEADER)))
    if header != HEADER and header not in _CELL_HEADERS:
        raise BackendError(
            f"the hidden tab {STATE_TAB!r}, where sheetops keeps the list of cells it highlighted, was changed "
            f"(its first row should read {', '.join(HEADER)}). Undo the change, or delete the tab to make "
            "sheetops forget its highlights (their red fills then stay until removed by hand)."
        )
    records: list[HighlightRecord] = []
    fills: dict[str, bool] = {}
    for row in sorted(r for r in rows if r > 0):
        tab, cells, original, highlight, note, by_sheetops, fill, apply_fill = rows[row]
        if not tab or not cells or highlight in (None, ""):
            continue
        fill_text = None if fill in (None, "") else str(fill)
        if fill_text is not None and fill_text not in fills:
            fills[fill_text] = is_fill_xml(fill_text)
        shared = (  # what the row's cells share, after the tab and the cell
            _text_of(original),
            int(float(str(highlight))),
            str(note or ""),
            str(by_sheetops).strip().lower() in ("yes", "true", "1"),
            fill_text if fill_text is not None and fills[fill_text] else None,
            None if apply_fill in (None, "") else _text_of(apply_fill),
        )
        records.extend(HighlightRecord(str(tab), cell, *shared) for cell in _cells_of(cells))
    return records


def _cells_of(cells: CellValue) -> list[str]:
    """The references in a record's Cells (separated by spaces; commas taken too)."""
    text = str(cells).upper()
    return text.replace(",", " ").split() if " " in text or "," in text else [text.strip()]


def record_layout(records: list[HighlightRecord]) -> TabLayout:
    """The state tab as a layout: the header and a row for each group of cells that share
    everything but their place (in the order of their first cell), their references
    split over rows of at most :data:`CELLS_TEXT_LIMIT` characters."""
    groups: dict[tuple[str, str, int, str, bool, str | None, str | None], list[str]] = {}
    for record in sorted(records, key=record_order):
        shape = (record.tab, record.original, record.highlight, record.note, record.note_by_sheetops,
                 record.original_fill, record.original_apply_fill)
        groups.setdefault(shape, []).append(record.cell)
    rows = [tuple(Cell(h) for h in HEADER)]
    for (tab, original, highlight, note, by_sheetops, fill, apply_fill), cells in groups.items():
        rest = (
            Cell(int(original) if original.isdigit() else original),
            Cell(highlight),
            Cell(note),
            Cell("yes" if by_sheetops else "no"),
            Cell(fill or ""),
            Cell(apply_fill or ""),
        )
        rows.extend((Cell(tab), Cell(text), *rest) for text in _joined(cells))
    return TabLayout(key="sheetops_state", name=STATE_TAB, rows=tuple(rows), widths=_WIDTHS, hidden=True, owned=True)


def _joined(cells: list[str]) -> Iterator[str]:
    """The references separated by spaces, in pieces of at most :data:`CELLS_TEXT_LIMIT` characters."""
    start, length = 0, -1
    for i, cell in enumerate(cells):
        if length + 1 + len(cell) > CELLS_TEXT_LIMIT:
            yield " ".join(cells[start:i])
            start, length = i, -1
        length += 1 + len(cell)
    yield " ".join(cells[start:])


def render_record(
    records: list[HighlightRecord], styles: StyleSheet, old: bytes | None = None, *, date1904: bool = False
) -> bytes:
    """The state tab's part (keeping what a program set on ``old``, its view and widths)."""
    return render_worksheet(record_layout(records), styles, old, date1904=date1904)


def read_shared_strings(xml: bytes) -> list[str]:
    """The shared string table (``xl/sharedStrings.xml``) as plain texts."""
    return [xb.rich_text(m.group(2) or b"") for m in _SST_ITEM.finditer(xml)]


def record_order(record: HighlightRecord) -> tuple[str, int, int]:
    """The order of the recorded cells: by tab, then row, then column."""
    try:
        row, col = parse_ref(record.cell)
    except ValueError:
        return record.tab, 0, 0
    return record.tab, row, col


def _inline_text(xml: bytes) -> str:
    """The text of a ``<t>`` as sheetops writes it: entities and _xHHHH_ escapes decoded."""
    text = xml.decode("utf-8")
    if "&" in text:
        text = xb.unescape(text)
    return xb.decode_ooxml_text(text) if "_x" in text else text


def _number(text: str) -> CellValue:
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def _text_of(value: CellValue) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None or value == "":
        return NO_STYLE
    return str(value)
