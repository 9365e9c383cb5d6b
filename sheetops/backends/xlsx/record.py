"""sheetops' record of the highlights it made, kept in the workbook itself.

The record is the hidden tab ``sheetops_state`` (:data:`sheetops.backends.STATE_TAB`):
one row per highlighted cell with the tab, the cell, the style the cell had before
(its ``s`` index, ``none`` when it had no style, ``new cell`` / ``new row`` when
sheetops created the cell), the style sheetops set, the note text it wrote, whether
it made that note (``no`` when a person's note was already there), and the cell's
fill before (its ``<fill>`` element as XML, ``none`` for no fill) with the ``applyFill``
flag it had. The fill is what lets a later sync put the cell back after LibreOffice
renumbered every style (see docs/xlsx.md); records written before it was kept have
no fill, and fall back to the style index. Kept in the workbook, the record travels
with the file: any machine's next sync can undo exactly what an earlier one did.
Excel and LibreOffice may turn the inline strings into shared strings when they save;
both are read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sheetops.backends.xlsx import xmlbytes as xb
from sheetops.backends.xlsx.sheetrender import plain_cell, render_worksheet
from sheetops.backends.xlsx.sheetxml import SheetEditor, parse_ref
from sheetops.backends.xlsx.styles import StyleSheet, is_fill_xml
from sheetops.errors import BackendError
from sheetops.layout import Cell, TabLayout
from sheetops.ports import STATE_TAB
from sheetops.values import CellValue
from sheetops.workbook import column_letter

HEADER = (
    "Tab", "Cell", "Original style", "Highlight style", "Note", "Note by sheetops",
    "Original fill", "Original applyFill",
)  # fmt: skip
_OLD_HEADER = HEADER[:6]  # records written before the fill was kept
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


@dataclass(frozen=True)
class HighlightRecord:
    """One cell sheetops highlighted, and what it needs to undo the highlight."""

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
    if header not in (HEADER, (*_OLD_HEADER, "", "")):
        raise BackendError(
            f"the hidden tab {STATE_TAB!r}, where sheetops keeps the list of cells it highlighted, was changed "
            f"(its first row should read {', '.join(HEADER)}). Undo the change, or delete the tab to make "
            "sheetops forget its highlights (their red fills then stay until removed by hand)."
        )
    records = []
    fills: dict[str, bool] = {}
    for row in sorted(r for r in rows if r > 0):
        tab, cell, original, highlight, note, by_sheetops, fill, apply_fill = rows[row]
        if not tab or not cell or highlight in (None, ""):
            continue
        fill_text = None if fill in (None, "") else str(fill)
        if fill_text is not None and fill_text not in fills:
            fills[fill_text] = is_fill_xml(fill_text)
        records.append(
            HighlightRecord(
                tab=str(tab),
                cell=str(cell).upper(),
                original=_text_of(original),
                highlight=int(float(str(highlight))),
                note=str(note or ""),
                note_by_sheetops=str(by_sheetops).strip().lower() in ("yes", "true", "1"),
                original_fill=fill_text if fill_text is not None and fills[fill_text] else None,
                original_apply_fill=None if apply_fill in (None, "") else _text_of(apply_fill),
            )
        )
    return records


def record_layout(records: list[HighlightRecord]) -> TabLayout:
    """The state tab as a layout: the header and one row per record."""
    rows = [tuple(Cell(h) for h in HEADER)]
    for record in sorted(records, key=record_order):
        original: str | int = int(record.original) if record.original.isdigit() else record.original
        rows.append(
            (
                Cell(record.tab),
                Cell(record.cell),
                Cell(original),
                Cell(record.highlight),
                Cell(record.note),
                Cell("yes" if record.note_by_sheetops else "no"),
                Cell(record.original_fill or ""),
                Cell(record.original_apply_fill or ""),
            )
        )
    return TabLayout(key="sheetops_state", name=STATE_TAB, rows=tuple(rows), widths=_WIDTHS, hidden=True, owned=True)


def render_record(
    records: list[HighlightRecord], styles: StyleSheet, old: bytes | None = None, *, date1904: bool = False
) -> bytes:
    """The state tab's part: what :func:`.sheetrender.render_worksheet` writes for
    :func:`record_layout`, each record's row written at once rather than cell by cell."""
    rows = []
    # Records differ mostly by their cell: the rest of a row (tab, styles, note, fills) is
    # written once for each set of them, its row number left as a byte that XML text
    # cannot hold (:func:`plain_cell` writes control characters as _xHHHH_), put in after.
    shapes: dict[tuple[str, str, int, str, bool, str | None, str | None], tuple[bytes, bytes]] = {}
    for number, record in enumerate(sorted(records, key=record_order), start=2):
        n = b"%d" % number
        shape = (record.tab, record.original, record.highlight, record.note, record.note_by_sheetops,
                 record.original_fill, record.original_apply_fill)
        found = shapes.get(shape)
        if found is None:
            found = shapes[shape] = _row_shape(record)
        before, after = found
        rows.append(b'<row r="' + n + b'">' + before.replace(_ROW, n) + (plain_cell(b"B" + n, record.cell) or b"")
                    + after.replace(_ROW, n) + b"</row>")
    return render_worksheet(record_layout([]), styles, old, date1904=date1904, more_rows=(rows, len(HEADER) - 1))


_ROW = b"\x00"  # the row number's place in a row's shape


def _row_shape(record: HighlightRecord) -> tuple[bytes, bytes]:
    """A record's row but for its cell reference (column B), before and after it, the row
    number written as :data:`_ROW`."""
    original: str | int = int(record.original) if record.original.isdigit() else record.original
    after = [(b"C", original), (b"D", record.highlight), (b"E", record.note),
             (b"F", "yes" if record.note_by_sheetops else "no"), (b"G", record.original_fill or ""),
             (b"H", record.original_apply_fill or "")]
    return (plain_cell(b"A" + _ROW, record.tab) or b"",
            b"".join(cell for column, value in after if (cell := plain_cell(column + _ROW, value)) is not None))


def read_shared_strings(xml: bytes) -> list[str]:
    """The shared string table (``xl/sharedStrings.xml``) as plain texts."""
    return [xb.rich_text(m.group(2) or b"") for m in _SST_ITEM.finditer(xml)]


def record_order(record: HighlightRecord) -> tuple[str, int, int]:
    """The order of the record's rows: by tab, then row, then column."""
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
