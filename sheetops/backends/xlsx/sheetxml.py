"""Changing a few cells of a sheet part without parsing it: byte-level edits.

A Daily tab of 100,000 rows is a 10-15 MB part. :class:`SheetEditor` finds the rows it
needs with plain byte searches (``find`` of `` r="14"``), reads and edits only those
rows, and writes every other byte as it was: a highlight changes one ``s`` attribute,
an empty cell that gets a highlight is created in its row in column order, notes add
one ``<legacyDrawing>`` element at the place the schema gives it. The editor also
appends rows (the Sync Log) and reads small sheets cell by cell (sheetops' record).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sheetops.backends.xlsx import xmlbytes as xb
from sheetops.backends.xlsx.package import NS_REL
from sheetops.errors import BackendError
from sheetops.workbook import column_index, column_letter

_REF = re.compile(r"([A-Za-z]{1,3})([0-9]+)")
_CELL = re.compile(rb"<((?:[\w.-]+:)?c)(" + xb.ATTRS + rb")(/>|>.*?</\1>)", re.DOTALL)
_ROW = re.compile(rb"<((?:[\w.-]+:)?row)(" + xb.ATTRS + rb")(/>|>(.*?)</\1>)", re.DOTALL)
_ROW_WITHOUT_R = re.compile(rb"<(?:[\w.-]+:)?row(?![^>]*\sr\s*=)(?=[\s/>])")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:v|f|is)\b")
# Rows and their numbers, for the index of every row a sheet with many marks gets.
_ROW_NUMBERED = re.compile(rb"<(?:[\w.-]+:)?row\b[^>]*?\sr\s*=\s*[\"']([0-9]+)[\"']")
_ROW_NUMBERED_FIRST = re.compile(rb'<(?:[\w.-]+:)?row r="([0-9]+)"')  # as most programs write it: faster
_ROW_START = re.compile(rb"<(?:[\w.-]+:)?row[\s/>]")
# A cell's start tag as most programs write it (up to its ">"): its reference, then maybe
# its style and type.
_PLAIN_CELL_TAG = re.compile(rb'<(?:[\w.-]+:)?c r="([A-Z]{1,3}[0-9]+)"(?: s="([0-9]+)")?(?: t="[a-zA-Z]+")?\s*/?')
_COLUMNS = {column_letter(col): col for col in range(702)}  # A to ZZ
# Up to this many rows are found by bisection; past it, one pass indexes every row.
_BISECTIONS = 64
# Elements that come after <legacyDrawing> in a worksheet (ECMA-376 CT_Worksheet).
_AFTER_LEGACY_DRAWING = {
    b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls",
    b"webPublishItems", b"tableParts", b"extLst",
}  # fmt: skip
# Row attributes that do not make an empty row worth keeping.
_PLAIN_ROW_ATTRS = {"r", "spans", "x14ac:dyDescent"}


def parse_ref(ref: str) -> tuple[int, int]:
    """ "F14" -> (13, 5): 0-based row and column."""
    match = _REF.fullmatch(ref)
    if match is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(match.group(2)) - 1, column_index(match.group(1))


def cell_ref(row: int, col: int) -> str:
    """(13, 5) -> "F14"."""
    return f"{column_letter(col)}{row + 1}"


@dataclass(frozen=True)
class CellState:
    """A cell as the sheet part has it."""

    exists: bool
    style: str | None  # the ``s`` attribute as written; None when the cell has none
    has_value: bool


@dataclass(frozen=True)
class _Cell:
    col: int
    start: int  # offsets within the row's bytes
    start_end: int
    end: int
    style: str | None
    has_value: bool


@dataclass(frozen=True)
class _SetStyle:
    style: str | None


@dataclass(frozen=True)
class _Create:
    style: str


@dataclass(frozen=True)
class _Remove:
    drop_empty_row: bool


@dataclass(frozen=True)
class _Put:
    render: Callable[[str | None], bytes]  # the cell element, given the style to keep


_Change = _SetStyle | _Create | _Remove | _Put


class SheetEditor:
    """A sheet part and the edits a sync makes to it, applied in one pass."""

    def __init__(self, xml: bytes, tab: str) -> None:
        self.xml = xml
        self.tab = tab
        self.root = xb.root(xml)
        self.prefix = xb.prefix_of(self.root.name)
        self.root_tag = xml[self.root.start : self.root.start_end]
        open_data = re.compile(rb"<" + re.escape(self.prefix) + rb"sheetData\b" + xb.ATTRS + rb"(/?)>").search(xml)
        if open_data is None:
            raise BackendError(f"the tab {tab!r} has no cells in the file; the file is damaged. Open it in Excel, "
                               "which may repair it, and save it as .xlsx (Excel workbook).")
        self.data = xb.Element(self.prefix + b"sheetData", open_data.start(), open_data.end(), open_data.end())
        if not open_data.group(1):
            close = xml.rfind(b"</" + self.prefix + b"sheetData>")
            if close < open_data.end():
                raise BackendError(f"the tab {tab!r} is damaged in the file (its cells are cut off). Open it in Excel, "
                                   "which may repair it, and save it as .xlsx (Excel workbook).")
            self.data = xb.Element(self.data.name, open_data.start(), open_data.end(), close + len(self.data.name) + 3)
        self._data_close = self.data.end - (0 if self.data.empty else len(b"</" + self.data.name + b">"))
        self._checked_addresses = False
        self._rows: dict[int, xb.Element | None] = {}
        self._row_index: dict[int, int] | None = None  # row number -> offset, once built
        self._bisections = 0
        self._cells: dict[int, list[_Cell]] = {}
        self._changes: dict[int, dict[int, _Change]] = {}
        self._tail_edits: list[tuple[int, int, bytes]] = []
        self._widen: list[tuple[int, int]] = []

    # -- reading -------------------------------------------------------------------

    def cell(self, row: int, col: int) -> CellState:
        """The state of the cell at 0-based (row, col) as the part has it now."""
        for cell in self._row_cells(row):
            if cell.col == col:
                return CellState(True, cell.style, cell.has_value)
        return CellState(False, None, False)

    def row_exists(self, row: int) -> bool:
        return self._find_row(row + 1) is not None

    def default_style(self, row: int, col: int) -> int:
        """The style an empty cell shows: its row's, else its column's, else 0."""
        found = self._find_row(row + 1)
        if found is not None:
            attrs = xb.attributes(self.xml[found.start : found.start_end])
            if attrs.get("customFormat") in ("1", "true") and attrs.get("s", "").isdigit():
                return int(attrs["s"])
        head = self.xml[self.root.start_end : self.data.start]
        for tag in re.finditer(rb"<(?:[\w.-]+:)?col\b" + xb.ATTRS + rb"/?>", head):
            attrs = xb.attributes(tag.group(0))
            try:
                low, high = int(attrs.get("min", "0")), int(attrs.get("max", "0"))
            except ValueError:
                continue
            if low <= col + 1 <= high and attrs.get("style", "").isdigit():
                return int(attrs["style"])
        return 0

    def rows(self) -> Iterator[tuple[int, bytes]]:
        """(0-based row, the row's bytes) of every row, in order: for small parts only."""
        for match in _ROW.finditer(self.xml, self.data.start_end, self.data.end):
            r = xb.attributes(match.group(0)[: len(match.group(1)) + len(match.group(2)) + 2]).get("r")
            if r is None or not r.isdigit():
                raise self._implicit_positions()
            yield int(r) - 1, match.group(0)

    def last_used_row(self) -> int:
        """The 0-based index of the last row with a value or formula (-1 if none)."""
        last = -1
        for row, body in self.rows():
            if _VALUE.search(body):
                last = max(last, row)
        return last

    def cell_values(self) -> dict[tuple[int, int], bytes]:
        """(row, col) -> the cell element's bytes, for every cell: for small parts only."""
        found = {}
        for row, body in self.rows():
            for cell in _parse_cells(body, self.tab):
                found[(row, cell.col)] = body[cell.start : cell.end]
        return found

    # -- editing -------------------------------------------------------------------

    def set_style(self, row: int, col: int, style: str | None) -> None:
        """Set (or, with None, remove) the ``s`` attribute of an existing cell."""
        if not self.cell(row, col).exists:
            raise KeyError(cell_ref(row, col))
        self._changes.setdefault(row, {})[col] = _SetStyle(style)

    def create_cell(self, row: int, col: int, style: str) -> None:
        """Create an empty cell with a style, in its row (created too if missing)."""
        self._changes.setdefault(row, {})[col] = _Create(style)
        self._widen.append((row, col))

    def remove_cell(self, row: int, col: int, *, drop_empty_row: bool) -> None:
        """Remove a cell; with ``drop_empty_row``, its row too when nothing else is in it."""
        self._changes.setdefault(row, {})[col] = _Remove(drop_empty_row)

    def put_cell(self, row: int, col: int, render: Callable[[str | None], bytes]) -> None:
        """Write a whole cell; ``render`` gets the style of the cell it replaces (if any)."""
        self._changes.setdefault(row, {})[col] = _Put(render)
        self._widen.append((row, col))

    def legacy_drawing_id(self) -> str | None:
        """The relationship id of the sheet's ``<legacyDrawing>`` (its notes' drawing)."""
        element = self._tail_child(b"legacyDrawing")
        if element is None:
            return None
        attrs = xb.attributes(self.xml[element.start : element.start_end])
        return next((v for k, v in attrs.items() if k.endswith(":id")), None)

    def add_legacy_drawing(self, rel_id: str) -> None:
        """Insert ``<legacyDrawing r:id=...>`` where the schema puts it."""
        prefix = xb.prefix_for(self.root_tag, NS_REL)
        if prefix:
            attr = f'{prefix}:id="{xb.escape_attr(rel_id)}"'
        else:
            attr = f'xmlns:r="{NS_REL}" r:id="{xb.escape_attr(rel_id)}"'
        element = b"<" + self.prefix + b"legacyDrawing " + attr.encode() + b"/>"
        at = self.root.end - len(b"</" + self.root.name + b">")
        for child in self._tail_children():
            if _effective_name(self.xml, child) in _AFTER_LEGACY_DRAWING:
                at = child.start
                break
        self._tail_edits.append((at, at, element))

    def remove_legacy_drawing(self) -> None:
        element = self._tail_child(b"legacyDrawing")
        if element is not None:
            self._tail_edits.append((element.start, element.end, b""))

    @property
    def changed(self) -> bool:
        return bool(self._changes or self._tail_edits)

    def to_bytes(self) -> bytes:
        """The part with every edit applied; bytes not edited are the original's."""
        if not self.changed:
            return self.xml
        edits: list[tuple[int, int, bytes]] = []
        new_rows: dict[int, bytes] = {}
        for row in sorted(self._changes):
            found = self._find_row(row + 1)
            if found is None:
                body = self._new_row(row, self._changes[row])
                if body:
                    new_rows[row] = body
            else:
                edits.append((found.start, found.end, self._edit_row(row, found, self._changes[row])))
        if new_rows:
            edits.extend(self._insert_rows(new_rows))
        edits.extend(self._dimension_edit())
        edits.extend(self._tail_edits)
        return xb.splice(self.xml, edits)

    # -- internals -----------------------------------------------------------------

    def _implicit_positions(self) -> BackendError:
        return BackendError(
            f"the tab {self.tab!r} was saved by a program that leaves out cell addresses; "
            "open the workbook in Excel or LibreOffice, save it, and run sheetops again. Nothing was changed."
        )

    def _find_row(self, number: int) -> xb.Element | None:
        """The row element numbered ``number`` (1-based), found by bisection: rows are in order."""
        if number in self._rows:
            return self._rows[number]
        found = None
        if self._row_index is None and self._bisections >= _BISECTIONS:
            self._row_index = self._index_rows()
        if self._row_index:
            at = self._row_index.get(number)
            first = None if at is None else (at, number)
        else:
            self._bisections += 1
            first = self._first_row_from(number)
        if first is not None and first[1] == number:
            start = first[0]
            start_end = xb.tag_end(self.xml, start)
            name = self.prefix + b"row"
            if self.xml[start_end - 2 : start_end] == b"/>":
                end = start_end
            else:
                close = b"</" + name + b">"
                end = self.xml.index(close, start_end) + len(close)
            found = xb.Element(name, start, start_end, end)
        elif not self._checked_addresses:
            if _ROW_WITHOUT_R.search(self.xml, self.data.start_end, self.data.end):
                raise self._implicit_positions()
            self._checked_addresses = True
        self._rows[number] = found
        return found

    def _index_rows(self) -> dict[int, int]:
        """Row number -> offset of every row, in one pass; empty (bisection goes on) when a
        row's number cannot be read that simply, e.g. an attribute before it holds a ``>``."""
        low, high = self.data.start_end, self._data_close
        starts = len(_ROW_START.findall(self.xml, low, high))
        for pattern in (_ROW_NUMBERED_FIRST, _ROW_NUMBERED):
            index: dict[int, int] = {}
            found = 0
            for match in pattern.finditer(self.xml, low, high):
                index.setdefault(int(match.group(1)), match.start())  # the first, as bisection finds it
                found += 1
            if found == starts and index:
                return index
        return {}

    def _row_tag_from(self, position: int) -> tuple[int, int] | None:
        """(offset, number) of the first row start tag at or after ``position``."""
        needle = b"<" + self.prefix + b"row"
        close_at = self._data_close
        while True:
            hit = self.xml.find(needle, position, close_at)
            if hit == -1:
                return None
            if self.xml[hit + len(needle) : hit + len(needle) + 1] in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
                break
            position = hit + len(needle)
        r = xb.attributes(self.xml[hit : xb.tag_end(self.xml, hit)]).get("r")
        if r is None or not r.isdigit():
            raise self._implicit_positions()
        return hit, int(r)

    def _first_row_from(self, number: int) -> tuple[int, int] | None:
        """(offset, number) of the first row numbered ``number`` or more, or None.

        Bisection over byte offsets: every row before ``low`` is numbered below
        ``number``; the first row at or after ``high`` (if any) is not.
        """
        low, high = self.data.start_end, self._data_close
        while low < high:
            middle = (low + high) // 2
            found = self._row_tag_from(middle)
            if found is None or found[1] >= number:
                high = middle
            else:
                low = found[0] + 1
        return self._row_tag_from(low)

    def _row_cells(self, row: int) -> list[_Cell]:
        if row not in self._cells:
            found = self._find_row(row + 1)
            self._cells[row] = [] if found is None else _parse_cells(self.xml[found.start : found.end], self.tab)
        return self._cells[row]

    def _cell_element(self, row: int, col: int, style: str | None) -> bytes:
        s = b"" if style is None else b' s="' + style.encode() + b'"'
        return b"<" + self.prefix + b'c r="' + cell_ref(row, col).encode() + b'"' + s + b"/>"

    def _new_row(self, row: int, changes: dict[int, _Change]) -> bytes:
        cells = []
        for col in sorted(changes):
            change = changes[col]
            if isinstance(change, _Create):
                cells.append(self._cell_element(row, col, change.style))
            elif isinstance(change, _Put):
                cells.append(change.render(None))
        if not cells:
            return b""
        p = self.prefix
        return b"<" + p + b'row r="' + str(row + 1).encode() + b'">' + b"".join(cells) + b"</" + p + b"row>"

    def _edit_row(self, row: int, found: xb.Element, changes: dict[int, _Change]) -> bytes:
        body = self.xml[found.start : found.end]
        start_tag = body[: found.start_end - found.start]
        cells = self._row_cells(row)
        by_col = {cell.col: cell for cell in cells}
        edits: list[tuple[int, int, bytes]] = []
        inserted: list[int] = []
        removed: set[int] = set()
        drop_empty = False
        content_end = len(body) if found.empty else len(body) - len(b"</" + found.name + b">")
        for col in sorted(changes):
            change = changes[col]
            cell = by_col.get(col)
            if isinstance(change, _SetStyle) and cell is not None:
                tag = body[cell.start : cell.start_end]
                edits.append((cell.start, cell.start_end, xb.set_attribute(tag, b"s", change.style, after=b"r")))
            elif isinstance(change, _Remove):
                if cell is not None:
                    edits.append((cell.start, cell.end, b""))
                    removed.add(col)
                drop_empty = drop_empty or change.drop_empty_row
            elif isinstance(change, (_Create, _Put)):
                if cell is not None and isinstance(change, _Put):
                    edits.append((cell.start, cell.end, change.render(cell.style)))
                    continue
                if isinstance(change, _Put):
                    element = change.render(None)
                elif cell is not None:  # a cell appeared where one was to be created: style it
                    tag = body[cell.start : cell.start_end]
                    edits.append((cell.start, cell.start_end, xb.set_attribute(tag, b"s", change.style, after=b"r")))
                    continue
                else:
                    element = self._cell_element(row, col, change.style)
                following = next((c for c in cells if c.col > col), None)
                at = following.start if following is not None else content_end
                edits.append((at, at, element))
                inserted.append(col)
        remaining = [c for c in cells if c.col not in removed]
        if drop_empty and not remaining and not inserted and set(xb.attributes(start_tag)) <= _PLAIN_ROW_ATTRS:
            return b""
        new_start = start_tag
        if inserted and found.empty:
            new_start = start_tag[:-2].rstrip() + b">"
        spans = xb.attributes(start_tag).get("spans")
        if inserted and spans:
            new_start = xb.set_attribute(new_start, b"spans", _widen_spans(spans, inserted))
        if new_start != start_tag:
            edits.append((0, len(start_tag), new_start))
        if inserted and found.empty:
            edits.append((len(body), len(body), b"</" + found.name + b">"))
        return xb.splice(body, edits)

    def _insert_rows(self, new_rows: dict[int, bytes]) -> list[tuple[int, int, bytes]]:
        if self.data.empty:
            p = self.prefix
            body = b"".join(new_rows[r] for r in sorted(new_rows))
            return [(self.data.start, self.data.end, b"<" + p + b"sheetData>" + body + b"</" + p + b"sheetData>")]
        edits = []
        for row in sorted(new_rows):
            following = self._first_row_from(row + 1)
            at = following[0] if following is not None else self._data_close
            edits.append((at, at, new_rows[row]))
        return edits

    def _dimension_edit(self) -> list[tuple[int, int, bytes]]:
        if not self._widen:
            return []
        match = re.compile(rb"<(?:[\w.-]+:)?dimension\b" + xb.ATTRS + rb"/?>").search(self.xml, 0, self.data.start)
        if match is None:
            return []
        ref = xb.attributes(match.group(0)).get("ref", "")
        try:
            corners = [parse_ref(part) for part in ref.split(":")]
        except ValueError:
            return []
        rows = [r for r, _ in corners] + [r for r, _ in self._widen]
        cols = [c for _, c in corners] + [c for _, c in self._widen]
        first, last = cell_ref(min(rows), min(cols)), cell_ref(max(rows), max(cols))
        widened = first if first == last else f"{first}:{last}"
        if widened == ref:
            return []
        return [(match.start(), match.end(), xb.set_attribute(match.group(0), b"ref", widened))]

    def _tail_children(self) -> list[xb.Element]:
        close_at = self.root.end - len(b"</" + self.root.name + b">")
        return xb.children_between(self.xml, self.data.end, close_at)

    def _tail_child(self, local: bytes) -> xb.Element | None:
        return next((c for c in self._tail_children() if c.local == local), None)


def _parse_cells(body: bytes, tab: str) -> list[_Cell]:
    cells = []
    for match in _CELL.finditer(body):
        start_end = match.start() + len(match.group(1)) + len(match.group(2)) + 1
        if match.group(3) == b"/>":
            start_end += 1
        plain = _PLAIN_CELL_TAG.fullmatch(body, match.start(), start_end)
        if plain is not None:  # the usual shape: no need for the general attribute reader
            ref, style = plain.group(1).decode(), plain.group(2)
            has_value = match.group(3) != b"/>" and bool(_VALUE.search(match.group(3)))
            column = _COLUMNS.get(ref.rstrip("0123456789"))
            if column is None:
                column = parse_ref(ref)[1]
            cells.append(_Cell(column, match.start(), start_end, match.end(),
                               None if style is None else style.decode(), has_value))
            continue
        attrs = xb.attributes(body[match.start() : start_end])
        ref = attrs.get("r")
        if ref is None:
            raise BackendError(
                f"the tab {tab!r} was saved by a program that leaves out cell addresses; "
                "open the workbook in Excel or LibreOffice, save it, and run sheetops again. Nothing was changed."
            )
        _, col = parse_ref(ref)
        has_value = match.group(3) != b"/>" and bool(_VALUE.search(match.group(3)))
        cells.append(_Cell(col, match.start(), start_end, match.end(), attrs.get("s"), has_value))
    return cells


def _widen_spans(spans: str, cols: list[int]) -> str:
    try:
        numbers = [int(n) for part in spans.split() for n in part.split(":")]
    except ValueError:
        return spans
    low, high = min(numbers), max(numbers)
    wanted = [c + 1 for c in cols]
    if all(low <= c <= high for c in wanted):
        return spans
    return f"{min(low, *wanted)}:{max(high, *wanted)}"


def _effective_name(xml: bytes, element: xb.Element) -> bytes:
    """An element's local name; for mc:AlternateContent, that of the element it wraps."""
    if element.local != b"AlternateContent":
        return element.local
    for token in xb.iter_tokens(xml, element.start_end, element.end):
        name = token.group(2)
        if name is not None and token.group(1) != b"/" and xb.local_name(name) not in (b"Choice", b"Fallback"):
            return xb.local_name(name)
    return element.local
