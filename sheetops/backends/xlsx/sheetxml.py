"""Changing a few cells of a sheet part without parsing it: byte-level edits.

A Daily tab of 100,000 rows is a 10-15 MB part. :class:`SheetEditor` finds the rows it
needs with plain byte searches (``find`` of `` r="14"``), reads and edits only those
rows, and writes every other byte as it was: a highlight changes one ``s`` attribute,
an empty cell that gets a highlight is created in its row in column order, notes add
one ``<legacyDrawing>`` element at the place the schema gives it. The editor also
appends rows (the Sync Log) and reads small sheets cell by cell (sheetops' record).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterable, Iterator
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
# The same, to its end, without a namespace prefix: its style, and whether the tag closes itself.
_PLAIN_START = re.compile(rb'<c r="[A-Z]{1,3}[0-9]+"(?: s="([0-9]+)")?(?: t="[a-zA-Z]+")?\s*(/>|>)')
_COLUMN_SPAN = 1 << 15  # past the last column a reference can name (ZZZ): (row, col) put in order as one number
_COLUMNS = {column_letter(col): col for col in range(702)}  # A to ZZ
_LETTERS = [column_letter(col).encode() for col in range(702)]
# Up to this many rows are found by bisection; past it, one pass indexes every row.
_BISECTIONS = 64
# Elements that come after <legacyDrawing> in a worksheet (ECMA-376 CT_Worksheet).
_AFTER_LEGACY_DRAWING = {
    b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls",
    b"webPublishItems", b"tableParts", b"extLst",
}  # fmt: skip
# Row attributes that do not make an empty row worth keeping.
_PLAIN_ROW_ATTRS = {"r", "spans", "x14ac:dyDescent"}


@functools.lru_cache(maxsize=1 << 16)  # a mark's cell is looked up several times by one sync
def parse_ref(ref: str) -> tuple[int, int]:
    """ "F14" -> (13, 5): 0-based row and column."""
    match = _REF.fullmatch(ref)
    if match is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(match.group(2)) - 1, column_index(match.group(1))


@functools.lru_cache(maxsize=1 << 16)
def cell_ref(row: int, col: int) -> str:
    """(13, 5) -> "F14"."""
    return f"{column_letter(col)}{row + 1}"


@dataclass(frozen=True)
class CellState:
    """A cell as the sheet part has it."""

    exists: bool
    style: str | None  # the ``s`` attribute as written; None when the cell has none
    has_value: bool


_MISSING = CellState(False, None, False)


class _Cell:
    """A cell of a row: where it is in the row's bytes, its style, whether it holds a value."""

    __slots__ = ("col", "end", "has_value", "start", "start_end", "style")

    def __init__(self, col: int, start: int, start_end: int, end: int, style: str | None, has_value: bool) -> None:
        self.col = col
        self.start = start  # offsets within the row's bytes
        self.start_end = start_end
        self.end = end
        self.style = style
        self.has_value = has_value


class _Row:
    """A row element of the part: where it is (offsets in the part) and its bytes."""

    __slots__ = ("body", "by_col", "cells", "end", "number", "start", "start_end")

    def __init__(self, number: int, start: int, start_end: int, end: int, body: bytes) -> None:
        self.number = number
        self.start = start
        self.start_end = start_end
        self.end = end
        self.body = body
        self.cells: list[_Cell] | None = None  # every cell, once the row was read whole
        self.by_col: dict[int, _Cell | None] = {}  # cells looked up one by one

    @property
    def start_tag(self) -> bytes:
        return self.body[: self.start_end - self.start]

    @property
    def empty(self) -> bool:
        return self.start_end == self.end


@dataclass(frozen=True, slots=True)
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
Pieces = Callable[[], Iterable[bytes]]


class SheetEditor:
    """A sheet part and the edits a sync makes to it, applied in one pass.

    Made from the part's bytes (``SheetEditor(xml, tab)``), it finds rows as they are
    asked for. Made with :meth:`streamed` from a source of the part's bytes in pieces, it
    never holds the part: one pass over the pieces keeps the start of the part (up to
    ``<sheetData>``), the rows it is told it will need and the end of the part (from
    ``</sheetData>``); :meth:`edits` then says what to splice into the part as it is
    copied (:meth:`.repack.PackageEdit.put_edits`). Asked for anything else (another
    row, every row), a streamed editor reads the part whole after all.
    """

    def __init__(self, xml: bytes, tab: str) -> None:
        self.tab = tab
        self.xml: bytes | None = xml
        self._source: Pieces | None = None
        xb.root(xml)  # a part without its root element's end tag is damaged
        self._setup_head(xml)
        close = self._data_end_in(xml, self.data.start_end)
        self._setup_tail(xml[close:], close)

    @classmethod
    def streamed(cls, source: Pieces, tab: str, rows: Iterable[int]) -> SheetEditor:
        """An editor of the part ``source`` gives in pieces, knowing where the rows ``rows``
        (0-based) are or would go, found in one pass over it."""
        editor = cls.__new__(cls)
        editor.tab = tab
        editor.xml = None
        editor._source = source
        editor._scan(source(), sorted({row + 1 for row in rows}))
        return editor

    # -- finding the parts of the part ---------------------------------------------

    def _setup_head(self, head: bytes, *, whole: bool = True) -> bool:
        """What comes before the rows: the root element and ``<sheetData>``'s start tag.
        False when ``head`` does not hold them yet (it is not ``whole``)."""
        start = next((t for t in xb.iter_tokens(head) if t.group(2) is not None and t.group(1) != b"/"), None)
        if start is None:
            if whole:
                raise ValueError("the part has no root element")
            return False
        name = start.group(2)
        self.prefix = xb.prefix_of(name)
        open_data = self._open_data_in(head)
        if open_data is None:
            if whole:
                raise self._no_cells()
            return False
        self.root_tag = head[start.start() : start.end()]
        self.root = xb.Element(name, start.start(), start.end(), start.end())  # its end is set with the tail
        self.data = xb.Element(self.prefix + b"sheetData", open_data.start(), open_data.end(), open_data.end())
        self._self_closed_data = bool(open_data.group(1))
        self._head = head[: open_data.end()]
        self._checked_addresses = False
        self._rows: dict[int, _Row | None] = {}
        self._insert_at: dict[int, int] = {}  # row number -> where it would go, for rows found missing
        self._row_index: dict[int, int] | None = None  # row number -> offset, once built
        self._bisections = 0
        self._col_styles: list[tuple[int, int, int]] | None = None
        self._changes: dict[int, dict[int, _Change]] = {}
        self._tail_edits: list[tuple[int, int, bytes]] = []
        self._widen: list[tuple[int, int]] = []
        self._direct: dict[tuple[int, int], _Cell] = {}  # (row, col) -> a cell found by itself, offsets in the part
        self._set_styles: dict[str | None, _SetStyle] = {}  # one change for each style: a sync's marks share a few
        return True

    def _no_cells(self) -> BackendError:
        return BackendError(f"the tab {self.tab!r} has no cells in the file; the file is damaged. Open it in Excel, "
                            "which may repair it, and save it as .xlsx (Excel workbook).")

    def _cut_off(self) -> BackendError:
        return BackendError(f"the tab {self.tab!r} is damaged in the file (its cells are cut off). Open it in "
                            "Excel, which may repair it, and save it as .xlsx (Excel workbook).")

    def _open_data_in(self, head: bytes) -> re.Match[bytes] | None:
        return re.compile(rb"<" + re.escape(self.prefix) + rb"sheetData\b" + xb.ATTRS + rb"(/?)>").search(head)

    def _data_end_in(self, xml: bytes, start: int) -> int:
        """Where ``</sheetData>`` starts (just after the start tag for ``<sheetData/>``)."""
        if self._self_closed_data:
            return start
        close = xml.rfind(b"</" + self.data.name + b">")
        if close < start:
            raise self._cut_off()
        return close

    def _setup_tail(self, tail: bytes, at: int) -> None:
        """What comes after the rows, from ``</sheetData>`` (at offset ``at``) to the end."""
        self._tail, self._tail_at = tail, at
        self._data_close = at
        end = at if self._self_closed_data else at + len(b"</" + self.data.name + b">")
        self.data = xb.Element(self.data.name, self.data.start, self.data.start_end, end)
        close = tail.rfind(b"</" + self.root.name)
        if close == -1:
            raise ValueError("the part has no end tag for its root element")
        self.root = xb.Element(self.root.name, self.root.start, self.root.start_end, at + tail.index(b">", close) + 1)

    def _scan(self, pieces: Iterable[bytes], wanted: list[int]) -> None:
        """One pass over the part in pieces: keep its head and tail, find the ``wanted`` rows."""
        buffer = b""
        base = 0  # the offset of buffer[0] in the part
        head_done = False
        position = 0  # where the rows not yet looked at start, in buffer
        tail: list[bytes] | None = None
        for piece in pieces:
            if tail is not None:
                tail.append(bytes(piece))
                continue
            buffer = buffer[position:] + piece if position else buffer + piece
            base += position
            position = 0
            if not head_done:
                if not self._setup_head(buffer, whole=False):
                    continue
                head_done, position = True, self.data.start_end
                if self._self_closed_data:
                    tail = [buffer[position:]]
                    self._tail_start = position
                    continue
            close = buffer.find(b"</" + self.data.name + b">", position)
            cut = close if close != -1 else self._last_row_start(buffer, position, len(buffer))
            if cut is None or cut <= position:
                continue  # no whole row yet
            wanted = self._locate(buffer, position, cut, base, wanted)
            if close != -1:
                tail = [buffer[close:]]
                self._tail_start = base + close
                continue
            position = cut
        if not head_done:
            self._setup_head(buffer)  # raises what is missing
        if tail is None:
            if buffer.rfind(b"</" + self.root.name) == -1:
                raise ValueError("the part has no end tag for its root element")  # as a part read whole
            raise self._cut_off()
        at = self._tail_start
        for number in wanted:  # beyond the last row
            self._rows[number] = None
            self._insert_at[number] = at
        self._setup_tail(b"".join(tail), at)

    def find_cells(self, positions: Iterable[tuple[int, int]]) -> None:
        """Find the cells at ``positions`` (0-based row, column) ahead of the looks and
        edits that need them, in one pass over the part.

        Each is looked for by its start tag as most programs write it (``<c r="F14"``,
        without a namespace prefix), from where the one before it was: cells are in order,
        so the search passes over the part once, and a cell so found needs no row. The
        rest (a cell out of order, written another way, or not there) are found through
        their rows (:meth:`prefetch`)."""
        wanted = [divmod(key, _COLUMN_SPAN) for key in sorted({row * _COLUMN_SPAN + col for row, col in positions})]
        if self.xml is None or self.prefix:
            self.prefetch(row for row, _ in wanted)
            return
        xml, position, high = self.xml, self.data.start_end, self._data_close
        direct, rest = self._direct, []
        for row, col in wanted:
            if (row, col) in direct:
                continue
            hit = xml.find(b'<c r="' + _column_letters(col) + b'%d"' % (row + 1), position, high)
            cell = _plain_cell(xml, hit, col) if hit != -1 else None
            if cell is None:
                rest.append(row)
                continue
            direct[(row, col)] = cell
            position = cell.end
        if rest:
            self.prefetch(rest)

    def prefetch(self, rows: Iterable[int]) -> None:
        """Find the rows ``rows`` (0-based) in one pass, ahead of the edits that need them."""
        if self.xml is None:
            return  # a streamed editor found them when it was made
        known = self._rows
        wanted = sorted(number for number in {row + 1 for row in rows} if number not in known)
        if wanted:
            for number in self._locate(self.xml, self.data.start_end, self._data_close, 0, wanted):
                self._rows[number] = None
                self._insert_at[number] = self._data_close

    def _locate(self, buffer: bytes, low: int, high: int, base: int, wanted: list[int]) -> list[int]:
        """Find the rows numbered ``wanted`` (ascending) among the whole rows in
        ``buffer[low:high]``, whose first byte is at ``base`` in the part, or where each
        would go; give back those numbered beyond the last row there.

        Rows are in order, so each is looked for from where the one before it was, with
        a plain search for its start tag as most programs write it (`<row r="14"`): one
        pass over the bytes in all. A row not found so is looked for in an index of
        every row there, built once, or by bisection (a row written another way).
        """
        last = self._last_row_start(buffer, low, high)
        if last is None:
            return wanted
        last_number = self._row_tag_in(buffer, last, high)
        assert last_number is not None
        needle = b"<" + self.prefix + b'row r="'
        position = low
        index: dict[int, int] | None = None
        checked = False
        for i, number in enumerate(wanted):
            if number > last_number[1]:
                return wanted[i:]
            at = -1 if index is not None else buffer.find(needle + b'%d"' % number, position, high)
            if at == -1:
                if index is None:
                    index = self._index_rows(buffer, low, high)
                found = index.get(number) if index else None
                if found is None:
                    first = self._first_row_in(buffer, low, high, number)
                    assert first is not None  # the last row is numbered at least this
                    if first[1] != number:
                        if not checked:
                            self._check_addresses(buffer, low, high)
                            checked = True
                        self._rows[number] = None
                        self._insert_at[number] = base + first[0]
                        continue
                    found = first[0]
                at = found
            row = self._row_at(buffer, at, base, number)
            self._rows[number] = row
            position = row.end - base
        return []

    def _row_at(self, buffer: bytes, start: int, base: int, number: int) -> _Row:
        start_end = _tag_end(buffer, start)
        if buffer[start_end - 2 : start_end] == b"/>":
            end = start_end
        else:
            close = b"</" + self.prefix + b"row>"
            end = buffer.index(close, start_end) + len(close)
        return _Row(number, base + start, base + start_end, base + end, buffer[start:end])

    def _last_row_start(self, buffer: bytes, low: int, high: int) -> int | None:
        """The offset of the last row start tag that begins in ``buffer[low:high]`` and whose
        name is whole there."""
        needle = b"<" + self.prefix + b"row"
        while True:
            hit = buffer.rfind(needle, low, high)
            if hit == -1:
                return None
            following = buffer[hit + len(needle) : hit + len(needle) + 1]
            if following and following in b" >/\t\n\r":
                return hit
            high = hit

    def whole(self) -> bytes:
        """The part's bytes; a streamed editor reads them whole now (and keeps them)."""
        if self.xml is None:
            assert self._source is not None
            self.xml = b"".join(bytes(piece) for piece in self._source())
        return self.xml

    # -- reading -------------------------------------------------------------------

    def cell(self, row: int, col: int) -> CellState:
        """The state of the cell at 0-based (row, col) as the part has it now."""
        direct = self._direct.get((row, col))
        if direct is not None:
            return CellState(True, direct.style, direct.has_value)
        found = self._find_row(row + 1)
        if found is None:
            return _MISSING
        cell = self._cell_in(found, col)
        return _MISSING if cell is None else CellState(True, cell.style, cell.has_value)

    def row_exists(self, row: int) -> bool:
        return self._find_row(row + 1) is not None

    def default_style(self, row: int, col: int) -> int:
        """The style an empty cell shows: its row's, else its column's, else 0."""
        found = self._find_row(row + 1)
        if found is not None:
            attrs = xb.attributes(found.start_tag)
            if attrs.get("customFormat") in ("1", "true") and attrs.get("s", "").isdigit():
                return int(attrs["s"])
        if self._col_styles is None:
            self._col_styles = []
            head = self._head[self.root.start_end : self.data.start]
            for tag in re.finditer(rb"<(?:[\w.-]+:)?col\b" + xb.ATTRS + rb"/?>", head):
                attrs = xb.attributes(tag.group(0))
                try:
                    low, high = int(attrs.get("min", "0")), int(attrs.get("max", "0"))
                except ValueError:
                    continue
                if attrs.get("style", "").isdigit():
                    self._col_styles.append((low, high, int(attrs["style"])))
        for low, high, style in self._col_styles:
            if low <= col + 1 <= high:
                return style
        return 0

    def rows(self) -> Iterator[tuple[int, bytes]]:
        """(0-based row, the row's bytes) of every row, in order: for small parts only."""
        xml = self.whole()
        for match in _ROW.finditer(xml, self.data.start_end, self.data.end):
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

    def set_style(self, row: int, col: int, style: str | None, *, exists: bool = False) -> None:
        """Set (or, with None, remove) the ``s`` attribute of an existing cell
        (``exists``: the caller has just seen that it does)."""
        if not exists and not self.cell(row, col).exists:
            raise KeyError(cell_ref(row, col))
        changes = self._changes.get(row)
        if changes is None:
            changes = self._changes[row] = {}
        change = self._set_styles.get(style)
        if change is None:
            change = self._set_styles[style] = _SetStyle(style)
        changes[col] = change

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
        attrs = xb.attributes(self._tail[element.start - self._tail_at : element.start_end - self._tail_at])
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
        for child in self._tail_children(relative=True):
            if _effective_name(self._tail, child) in _AFTER_LEGACY_DRAWING:
                at = child.start + self._tail_at
                break
        self._tail_edits.append((at, at, element))

    def remove_legacy_drawing(self) -> None:
        element = self._tail_child(b"legacyDrawing")
        if element is not None:
            self._tail_edits.append((element.start, element.end, b""))

    @property
    def changed(self) -> bool:
        return bool(self._changes or self._tail_edits)

    def edits(self) -> list[tuple[int, int, bytes]]:
        """Every edit as (start, end, replacement) in the part's offsets, in order, leaving
        out those that change nothing: none when the part stays as it was."""
        if not self.changed:
            return []
        edits: list[tuple[int, int, bytes]] = []
        new_rows: dict[int, bytes] = {}
        direct = self._direct
        for row in sorted(self._changes):
            changes = self._changes[row]
            if all(type(change) is _SetStyle and (row, col) in direct for col, change in changes.items()):
                xml = self.whole()
                for col, change in changes.items():  # the usual mark: cells found by themselves, their start tags only
                    cell = direct[(row, col)]
                    assert isinstance(change, _SetStyle)
                    if change.style != cell.style:
                        edits.append((cell.start, cell.start_end, _restyled_plain(xml, cell, change.style)))
                continue
            found = self._find_row(row + 1)
            if found is None:
                body = self._new_row(row, changes)
                if body:
                    new_rows[row] = body
            elif all(type(change) is _SetStyle for change in changes.values()):
                edits.extend(self._restyle(found, changes))  # the usual mark: its cells' tags only
            else:
                edited = self._edit_row(row, found, changes)
                if edited != found.body:
                    edits.append((found.start, found.end, edited))
        if new_rows:
            edits.extend(self._insert_rows(new_rows))
        edits.extend(self._dimension_edit())
        edits.extend(self._tail_edits)
        return sorted(edits, key=operator.itemgetter(0, 1))  # stable: edits at one place keep their order

    def to_bytes(self) -> bytes:
        """The part with every edit applied; bytes not edited are the original's."""
        return xb.splice(self.whole(), self.edits())

    # -- internals -----------------------------------------------------------------

    def _implicit_positions(self) -> BackendError:
        return BackendError(
            f"the tab {self.tab!r} was saved by a program that leaves out cell addresses; "
            "open the workbook in Excel or LibreOffice, save it, and run sheetops again. Nothing was changed."
        )

    def _check_addresses(self, buffer: bytes, low: int, high: int) -> None:
        """Refuse rows without their number where a row is missing: it may be one of them."""
        if _ROW_WITHOUT_R.search(buffer, low, high):
            raise self._implicit_positions()

    def _find_row(self, number: int) -> _Row | None:
        """The row numbered ``number`` (1-based): found ahead (:meth:`prefetch`), else by
        bisection (rows are in order), else, past a few, in an index of every row."""
        if number in self._rows:
            return self._rows[number]
        xml = self.whole()
        low, high = self.data.start_end, self._data_close
        if self._row_index is None and self._bisections >= _BISECTIONS:
            self._row_index = self._index_rows(xml, low, high)
        if self._row_index:
            at = self._row_index.get(number)
            first = None if at is None else (at, number)
        else:
            self._bisections += 1
            first = self._first_row_in(xml, low, high, number)
        found = None
        if first is not None and first[1] == number:
            found = self._row_at(xml, first[0], 0, number)
        elif not self._checked_addresses:
            self._check_addresses(xml, low, high)
            self._checked_addresses = True
        self._rows[number] = found
        return found

    def _index_rows(self, buffer: bytes, low: int, high: int) -> dict[int, int]:
        """Row number -> offset of every row in ``buffer[low:high]``, in one pass; empty
        (bisection goes on) when a row's number cannot be read that simply, e.g. an
        attribute before it holds a ``>``."""
        starts = len(_ROW_START.findall(buffer, low, high))
        plain = re.compile(rb"<" + re.escape(self.prefix) + rb'row r="([0-9]+)"')  # as most programs write it
        for pattern in (plain, _ROW_NUMBERED):
            index: dict[int, int] = {}
            found = 0
            for match in pattern.finditer(buffer, low, high):
                index.setdefault(int(match.group(1)), match.start())  # the first, as bisection finds it
                found += 1
            if found == starts and index:
                return index
        return {}

    def _row_tag_in(self, buffer: bytes, position: int, high: int) -> tuple[int, int] | None:
        """(offset, number) of the first row start tag at or after ``position``, before ``high``."""
        needle = b"<" + self.prefix + b"row"
        while True:
            hit = buffer.find(needle, position, high)
            if hit == -1:
                return None
            if buffer[hit + len(needle) : hit + len(needle) + 1] in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
                break
            position = hit + len(needle)
        r = xb.attributes(buffer[hit : _tag_end(buffer, hit)]).get("r")
        if r is None or not r.isdigit():
            raise self._implicit_positions()
        return hit, int(r)

    def _first_row_in(self, buffer: bytes, low: int, high: int, number: int) -> tuple[int, int] | None:
        """(offset, number) of the first row in ``buffer[low:high]`` numbered ``number`` or
        more, or None.

        Bisection over byte offsets: every row before ``low`` is numbered below
        ``number``; the first row at or after ``high`` (if any) is not.
        """
        end = high
        while low < high:
            middle = (low + high) // 2
            found = self._row_tag_in(buffer, middle, end)
            if found is None or found[1] >= number:
                high = middle
            else:
                low = found[0] + 1
        return self._row_tag_in(buffer, low, end)

    def _cell_in(self, row: _Row, col: int) -> _Cell | None:
        """A cell of a row found: by its start tag as most programs write it, else by
        reading the whole row."""
        if col in row.by_col:
            return row.by_col[col]
        if row.cells is None:
            body = row.body
            hit = body.find(b"<" + self.prefix + b'c r="' + _column_letters(col) + b'%d"' % row.number)
            if hit != -1 and not self.prefix:
                plain = _plain_cell(body, hit, col)
                if plain is not None:
                    row.by_col[col] = plain
                    return plain
            match = _CELL.match(body, hit) if hit != -1 else None
            if match is not None:
                quick = row.by_col[col] = _cell_of(match, body, self.tab, col)
                return quick
            row.cells = _parse_cells(body, self.tab)
        found = row.by_col[col] = next((c for c in row.cells if c.col == col), None)
        return found

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

    def _restyle(self, found: _Row, changes: dict[int, _Change]) -> Iterator[tuple[int, int, bytes]]:
        """The edits of a row where only styles change, in the part's offsets: each cell's
        start tag, looked up on its own (the row is not read whole)."""
        body, at = found.body, found.start
        for col, change in changes.items():
            cell = self._cell_in(found, col)
            if cell is not None and isinstance(change, _SetStyle):
                tag = body[cell.start : cell.start_end]
                restyled = _with_style(tag, change.style)
                if restyled != tag:
                    yield at + cell.start, at + cell.start_end, restyled

    def _edit_row(self, row: int, found: _Row, changes: dict[int, _Change]) -> bytes:
        body = found.body
        start_tag = found.start_tag
        edits: list[tuple[int, int, bytes]] = []
        if found.cells is None:
            found.cells = _parse_cells(body, self.tab)
        cells = found.cells
        by_col = {cell.col: cell for cell in cells}
        inserted: list[int] = []
        removed: set[int] = set()
        drop_empty = False
        name = self.prefix + b"row"
        content_end = len(body) if found.empty else len(body) - len(b"</" + name + b">")
        for col in sorted(changes):
            change = changes[col]
            cell = by_col.get(col)
            if isinstance(change, _SetStyle) and cell is not None:
                tag = body[cell.start : cell.start_end]
                edits.append((cell.start, cell.start_end, _with_style(tag, change.style)))
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
                    edits.append((cell.start, cell.start_end, _with_style(tag, change.style)))
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
            edits.append((len(body), len(body), b"</" + name + b">"))
        return xb.splice(body, edits)

    def _insert_rows(self, new_rows: dict[int, bytes]) -> list[tuple[int, int, bytes]]:
        if self._self_closed_data:
            p = self.prefix
            body = b"".join(new_rows[r] for r in sorted(new_rows))
            return [(self.data.start, self.data.end, b"<" + p + b"sheetData>" + body + b"</" + p + b"sheetData>")]
        edits = []
        for row in sorted(new_rows):
            at = self._insert_at.get(row + 1)
            if at is None:
                xml = self.whole()
                following = self._first_row_in(xml, self.data.start_end, self._data_close, row + 1)
                at = following[0] if following is not None else self._data_close
            edits.append((at, at, new_rows[row]))
        return edits

    def _dimension_edit(self) -> list[tuple[int, int, bytes]]:
        if not self._widen:
            return []
        match = re.compile(rb"<(?:[\w.-]+:)?dimension\b" + xb.ATTRS + rb"/?>").search(self._head, 0, self.data.start)
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

    def _tail_children(self, *, relative: bool = False) -> list[xb.Element]:
        """The elements after ``<sheetData>``, with offsets in the part (or in the tail)."""
        close_at = self.root.end - len(b"</" + self.root.name + b">") - self._tail_at
        found = xb.children_between(self._tail, self.data.end - self._tail_at, close_at)
        if relative:
            return found
        at = self._tail_at
        return [xb.Element(e.name, e.start + at, e.start_end + at, e.end + at) for e in found]

    def _tail_child(self, local: bytes) -> xb.Element | None:
        return next((c for c in self._tail_children() if c.local == local), None)


_START_TAG = re.compile(rb"<[\w.:-]+" + xb.ATTRS + rb"/?>")
# A cell's start tag as most programs write it, up to its style: its reference, then maybe its style.
_PLAIN_CELL_HEAD = re.compile(rb'<(?:[\w.-]+:)?c r="[A-Z]{1,3}[0-9]+"( s="[0-9]*")?')
_STYLE_ATTR = re.compile(rb"\ss\s*=")


def _tag_end(xml: bytes, start: int) -> int:
    """:func:`.xmlbytes.tag_end`, its pattern compiled once."""
    match = _START_TAG.match(xml, start)
    if match is None:
        raise ValueError(f"no start tag at offset {start}")
    return match.end()


def _with_style(tag: bytes, style: str | None) -> bytes:
    """A cell's start tag with its ``s`` attribute set (None: removed), right after ``r``:
    :func:`.xmlbytes.set_attribute`, quicker for a tag as most programs write it."""
    plain = _PLAIN_CELL_HEAD.match(tag)
    if plain is None or (style is not None and not style.isdigit()) or (
        plain.group(1) is None and _STYLE_ATTR.search(tag, plain.end())  # a style written further on
    ):
        return xb.set_attribute(tag, b"s", style, after=b"r")
    head = tag[: plain.start(1)] if plain.group(1) is not None else tag[: plain.end()]
    return head + (b"" if style is None else b' s="' + style.encode() + b'"') + tag[plain.end() :]


def _column_letters(col: int) -> bytes:
    return _LETTERS[col] if col < len(_LETTERS) else column_letter(col).encode()


def _restyled_plain(xml: bytes, cell: _Cell, style: str | None) -> bytes:
    """The start tag of a cell :func:`_plain_cell` found (``<c r="F14"``, then maybe its
    ``s``, then maybe ``t``) with its style set (None: removed)."""
    if style is not None and not style.isdigit():
        return _with_style(xml[cell.start : cell.start_end], style)
    reference_end = xml.index(b'"', cell.start + 6) + 1
    after = reference_end + (len(cell.style) + 5 if cell.style is not None else 0)  # past ` s="3"`
    new = b"" if style is None else b' s="' + style.encode() + b'"'
    return xml[cell.start : reference_end] + new + xml[after : cell.start_end]


def _plain_cell(body: bytes, start: int, col: int) -> _Cell | None:
    """The cell whose start tag, at ``start`` in a row's bytes, is written as most programs
    write it, without a namespace prefix (else None): read without the general patterns."""
    tag = _PLAIN_START.match(body, start)
    if tag is None:
        return None
    start_end = tag.end()
    style = tag.group(1)
    if tag.group(2) == b"/>":
        return _Cell(col, start, start_end, start_end, None if style is None else style.decode(), False)
    close = body.find(b"</c>", start_end)  # no text in a cell holds a "<"
    if close == -1:
        return None
    content = body[start_end : start_end + 3]
    if content in (b"<v>", b"<is", b"<f>", b"<f "):
        has_value = True
    elif content == b"</c":
        has_value = False
    else:
        has_value = _VALUE.search(body, start_end, close) is not None
    return _Cell(col, start, start_end, close + 4, None if style is None else style.decode(), has_value)


def _cell_of(match: re.Match[bytes], body: bytes, tab: str, col: int | None = None) -> _Cell:
    """The cell a match of :data:`_CELL` found in a row's bytes (in column ``col``, when known)."""
    start_end = match.start() + len(match.group(1)) + len(match.group(2)) + 1
    if match.group(3) == b"/>":
        start_end += 1
    has_value = match.group(3) != b"/>" and bool(_VALUE.search(match.group(3)))
    plain = _PLAIN_CELL_TAG.fullmatch(body, match.start(), start_end)
    if plain is not None:  # the usual shape: no need for the general attribute reader
        style = plain.group(2)
        column = col
        if column is None:
            ref = plain.group(1).decode()
            column = _COLUMNS.get(ref.rstrip("0123456789"))
            if column is None:
                column = parse_ref(ref)[1]
        text = None if style is None else style.decode()
        return _Cell(column, match.start(), start_end, match.end(), text, has_value)
    attrs = xb.attributes(body[match.start() : start_end])
    ref = attrs.get("r")
    if ref is None:
        raise BackendError(
            f"the tab {tab!r} was saved by a program that leaves out cell addresses; "
            "open the workbook in Excel or LibreOffice, save it, and run sheetops again. Nothing was changed."
        )
    return _Cell(parse_ref(ref)[1], match.start(), start_end, match.end(), attrs.get("s"), has_value)


def _parse_cells(body: bytes, tab: str) -> list[_Cell]:
    return [_cell_of(match, body, tab) for match in _CELL.finditer(body)]


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
