"""Reading every tab of an .xlsx file fast: python-calamine for values, a scan for errors.

calamine reads all values of a 100k-row workbook in about a second, but shows an error
cell (``#DIV/0!``) as an empty string, and a formula whose result was never saved (what
scripts and openpyxl write: ``<f>`` and no ``<v>``) as an empty cell. Both must be
reported, not taken for a blank that the Daily fallback would then fill in silently, so
the sheet parts are scanned for error cells (``t="e"``) and formula cells (``<f>``), which
is cheap: only those few cells are decoded, and a part without formulas is passed over
by one byte search.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, cast

from sheetops.backends.xlsx.chunks import OPENING, OPENING_UP_TO, ChunkedTab, chunk_size, give_back_freed
from sheetops.backends.xlsx.package import (
    LIMITS,
    REPAIR,
    PackageLimits,
    PartCache,
    SheetPart,
    open_package,
    sheet_parts,
    unpack,
)
from sheetops.errors import WorkbookError
from sheetops.values import CellError, CellValue, UncomputedFormula
from sheetops.workbook import Columns, Sheet, WorkbookData, column_index

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

# Attributes as an XML parser reads them: either quote, whitespace around "=".
_CELL_REF = re.compile(rb"""\br\s*=\s*["']([A-Z]+)(\d+)["']""")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_ANY_FORMULA = re.compile(rb"<f")  # as `b"<f" in xml`, a third faster
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?>([^<]*)<")
_CELL_TYPE = re.compile(rb"""\bt\s*=\s*["'](\w+)["']""")
_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_E_QUOTE = re.compile(rb"""e["']""")  # a search for a literal first byte runs at memchr's speed
_CANDIDATES = 64

Special = CellError | UncomputedFormula
# The parts read are kept for the write up to this many bytes in all (the Daily tab of
# 100k rows is about 25 MB); bigger workbooks have them unpacked again by the write, so
# that memory does not hold a second copy of a big tab's XML.
_KEEP_UP_TO = 64_000_000


def read_workbook(path: Path, keep: PartCache | None = None, *, limits: PackageLimits = LIMITS) -> WorkbookData:
    """All tabs of the workbook at ``path``, in tab order, with error cells marked.

    Every part is unpacked as a stream and checked (size, checksum, see
    :func:`~sheetops.backends.xlsx.package.unpack`) before python-calamine reads it, since
    calamine unpacks parts itself and would hold a part far bigger than the file says.
    With ``keep``, parts read are kept there (up to a budget, see :class:`PartCache`), so
    that a sync writing the same file soon after need not unpack them again.
    """
    with open_package(path, verify=False, limits=limits) as package:  # sizes the directory gives: checked
        parts = sheet_parts(package)
        infos = package.infolist()
    # Checking the parts and scanning the sheets for error cells both mean unpacking them
    # (zlib lets other threads run meanwhile), so they are done beside calamine's read:
    # calamine waits for each part it needs to pass; the biggest tab is read in chunks as
    # it passes (see chunks.py). Five threads: the checker, the biggest tab's reader and
    # the one putting its chunks together, and at least two parsing them.
    with ThreadPoolExecutor(max_workers=5) as pool:
        plan = _Plan(infos, parts, pool)
        scanned = pool.submit(_check_and_scan, path, plan, keep, limits)
        try:
            values = _read_values(path, plan, pool)
        except Exception:
            scanned.result()  # a part refused or corrupt is named precisely there
            raise
        errors = scanned.result()
    sheets = []
    states = {p.name: p.state for p in parts}
    for name, rows in values.items():
        for (row, col), special in errors.get(name, {}).items():
            if isinstance(rows, Columns):
                if isinstance(special, UncomputedFormula) and rows.cell(row, col) is not None:
                    continue  # calamine found a value after all
                rows.set(row, col, special)
                continue
            while len(rows) <= row:
                rows.append([])
            while len(rows[row]) <= col:
                rows[row].append(None)
            if isinstance(special, UncomputedFormula) and rows[row][col] is not None:
                continue  # calamine found a value after all
            rows[row][col] = special
        sheets.append(Sheet(name, rows, states.get(name, "visible") != "visible"))
    return WorkbookData(str(path), tuple(sheets))


_READ_APART_ABOVE = 1 << 20  # a tab with more XML than this is read beside the others
# A tab with more XML than this (about 15,000 rows of 9 columns) is kept by column
# (:class:`~sheetops.workbook.Columns`): a list per row and an object per cell take about
# five times the memory. A smaller tab is read faster as a list of rows.
_BY_COLUMN_ABOVE = 4 << 20
_ROWS_AT_ONCE = 8192  # rows taken from calamine at a time when a tab is kept by column
Rows = list[list[CellValue]] | Columns


class _Plan:
    """In what order the parts are checked, and a future for each stage calamine waits on.

    First the parts calamine reads when it opens the workbook (every XML part that is not
    a tab's), then the tabs, biggest first, then the rest (pictures, embedded files). The
    biggest tab, which calamine reads beside the others, comes first so that its parse
    starts early; but when it is more than four times all the others together, it comes
    after them: they take little time to check, and are read while it is parsed in
    chunks as it passes (see chunks.py).
    """

    def __init__(self, infos: list[zipfile.ZipInfo], parts: list[SheetPart], pool: ThreadPoolExecutor) -> None:
        self.tabs = parts
        self.pool = pool
        self.size = {info.filename: info.file_size for info in infos}
        sheet_names = {p.part for p in parts}
        self.part_of = {p.name: p.part for p in parts}
        xml = [i for i in infos if i.filename not in sheet_names and i.filename.endswith((".xml", ".rels"))]
        sheets = sorted((i for i in infos if i.filename in sheet_names), key=lambda i: -i.file_size)
        self.biggest = sheets[0].filename if sheets else None
        if sheets and sum(i.file_size for i in sheets[1:]) * 4 <= sheets[0].file_size:
            sheets.append(sheets.pop(0))  # the others pass first, read while it is parsed in chunks
        first = {i.filename for i in xml} | sheet_names
        rest = [i for i in infos if i.filename not in first]
        self.order = [*xml, *sheets, *rest]
        self.opened: Future[None] = Future()
        self.every_tab: Future[None] = Future()
        self.tab_ready: dict[str, Future[None]] = {i.filename: Future() for i in sheets}
        self.last_xml = xml[-1].filename if xml else None
        self.last_tab = sheets[-1].filename if sheets else None
        # Set when the checker reaches the biggest tab: whether it is read in chunks.
        self.chunked: Future[ChunkedTab | None] = Future()

    def checked(self, name: str) -> None:
        if name == self.last_xml or (self.last_xml is None and not self.opened.done()):
            self.opened.set_result(None)
        if name in self.tab_ready:
            self.tab_ready[name].set_result(None)
        if name == self.last_tab:
            self.every_tab.set_result(None)

    def done(self) -> None:
        futures: list[Future[None] | Future[ChunkedTab | None]] = [self.opened, self.every_tab, self.chunked]
        for future in (*futures, *self.tab_ready.values()):
            if not future.done():
                future.set_result(None)

    def failed(self, exc: BaseException) -> None:
        futures: list[Future[None] | Future[ChunkedTab | None]] = [self.opened, self.every_tab, self.chunked]
        for future in (*futures, *self.tab_ready.values()):
            if not future.done():
                future.set_exception(exc)

    def wait_for_tab(self, name: str) -> None:
        """Return once the tab's part passed the checks (raise what refused it)."""
        self.opened.result()
        part = self.part_of.get(name)
        self.tab_ready.get(part or "", self.every_tab).result()


def _read_values(path: Path, plan: _Plan, pool: ThreadPoolExecutor) -> dict[str, Rows]:
    """Every tab's values in tab order, empty cells as None.

    calamine lets other threads run while it parses a tab, so the biggest tab (Daily,
    usually), when it is big, is read by a second reader beside the others. Should tabs
    fail, the error raised is that of the first in tab order, as when read one by one.
    """
    plan.opened.result()
    book = _open_book(path)
    try:
        names = list(book.sheet_names)
        sizes = {name: plan.size.get(plan.part_of.get(name, ""), 0) for name in names}
        big = max(range(len(names)), key=lambda i: (plan.part_of.get(names[i]) == plan.biggest, sizes[names[i]]),
                  default=-1)
        apart = None
        if big >= 0 and sizes[names[big]] > _READ_APART_ABOVE:
            apart = pool.submit(_read_big_tab, path, names[big], plan, sizes[names[big]] > _BY_COLUMN_ABOVE)
        values: dict[str, Rows] = {}
        failure: tuple[int, Exception] | None = None
        for index, name in enumerate(names):
            if apart is not None and index == big:
                values[name] = []  # its place in tab order, filled in below
                continue
            try:
                plan.wait_for_tab(name)
                values[name] = _values(book, name, path, by_column=sizes[name] > _BY_COLUMN_ABOVE)
            except Exception as exc:
                failure = (index, exc)
                break
    finally:
        book.close()
    if apart is not None:
        try:
            values[names[big]] = apart.result()
        except Exception as exc:
            if failure is None or big < failure[0]:
                failure = (big, exc)
    if failure is not None:
        raise failure[1]
    return values


def _open_book(path: Path) -> CalamineWorkbook:
    from python_calamine import CalamineWorkbook  # lazy: keeps `sheetops --help` fast

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged parts
        # calamine's own words ("Cfb error: Invalid OLE ...") mean nothing to a marketer.
        raise WorkbookError(f"{path}: the workbook cannot be read (its data is damaged); {REPAIR}.") from exc


def _read_big_tab(path: Path, name: str, plan: _Plan, by_column: bool) -> Rows:
    """The biggest tab's values: put together from the chunks it was read in, or read
    whole once it has passed the checks when it was not (or the chunks were given up)."""
    chunked = plan.chunked.result()
    if chunked is not None and chunked.part == plan.part_of.get(name):
        columns = chunked.columns.result()
        give_back_freed()
        if columns is not None:
            return columns
    return _read_tab(path, name, plan.wait_for_tab, by_column)


def _read_tab(path: Path, name: str, wait: Callable[[str], None], by_column: bool) -> Rows:
    wait(name)
    book = _open_book(path)
    try:
        return _values(book, name, path, by_column=by_column)
    finally:
        book.close()


def _values(book: CalamineWorkbook, name: str, path: Path, *, by_column: bool) -> Rows:
    """A tab's values, empty cells as None: as a list of rows, or ``by_column``, taken from
    calamine a block of rows at a time into :class:`~sheetops.workbook.Columns`, so that
    the rows of a big tab are never all held as Python objects."""
    try:
        sheet = book.get_sheet_by_name(name)
        if not by_column:
            return _cleaned(cast(list[list[CellValue]], sheet.to_python(skip_empty_area=False)))
        columns = Columns()
        start = sheet.start
        if start is None:
            return columns
        # calamine's rows start at row 1 of the sheet, but at the first column with data.
        rows = sheet.iter_rows()
        while block := list(islice(rows, _ROWS_AT_ONCE)):
            columns.extend(cast(list[list[CellValue]], block), "", offset=start[1])
        return columns
    except Exception as exc:  # calamine raises its own error types for damaged parts
        raise WorkbookError(f"{path}: the tab {name!r} cannot be read (its data is damaged); {REPAIR}.") from exc


def _check_and_scan(
    path: Path, plan: _Plan, keep: PartCache | None, limits: PackageLimits
) -> dict[str, dict[tuple[int, int], Special]]:
    """Unpack every part as a stream, checking its size, checksum and (for the XML calamine
    reads) the length of its runs of text; find the error cells and the formula cells
    without a saved result of each tab. Each part that passes is announced to ``plan``.

    The biggest tab is cut into chunks as its pieces pass (see chunks.py), each parsed by
    calamine while the checker goes on. When it is not (too small, or a workbook unusual
    enough that the chunks are not tried), calamine waits for the whole tab to pass before
    parsing it, so that tab is scanned for error cells afterwards, in a second pass beside
    calamine's parse, rather than making calamine wait for the scan too.
    """
    tab_of = {p.part: p.name for p in plan.tabs}
    errors: dict[str, dict[tuple[int, int], Special]] = {}
    budget = _KEEP_UP_TO
    big = plan.biggest if plan.biggest and plan.size[plan.biggest] > _READ_APART_ABOVE else None
    later = big
    opening: dict[str, bytes] = {}
    chunks: ChunkedTab | None = None
    try:
        with zipfile.ZipFile(path) as package, path.open("rb") as source:
            for info in plan.order:
                name = info.filename
                if name == big:
                    chunks = _chunks(plan, name, opening)
                    if chunks is not None:
                        later = None
                    plan.chunked.set_result(chunks)
                runs = _RunCheck(path, name, tab_of.get(name), limits.run) if _read_as_xml(name, tab_of) else None
                area = _AreaCheck(path, name, tab_of[name], limits.area) if name in tab_of else None
                scan = _SheetScan() if name in tab_of and name != later else None
                kept: list[bytes] | None = [] if keep is not None and info.file_size <= budget else None
                whole: list[bytes] | None = [] if name.lower() in OPENING and info.file_size <= OPENING_UP_TO else None
                chunking = chunks if name == big else None
                for piece in unpack(path, source, package, info):
                    if runs is not None:
                        runs.feed(piece)
                    if area is not None:
                        area.feed(piece)
                    if chunking is not None:
                        chunking.feed(piece)  # checked: calamine may parse it
                    if scan is not None:
                        scan.feed(piece)
                    if kept is not None:
                        kept.append(piece)
                    if whole is not None:
                        whole.append(piece)
                if runs is not None:
                    runs.finish()
                if area is not None:
                    area.finish()
                if chunking is not None:
                    chunking.finish()
                if whole is not None:
                    opening[name.lower()] = b"".join(whole)
                if scan is not None:
                    errors[tab_of[name]] = scan.finish()
                if kept is not None and keep is not None:
                    keep.add(info, b"".join(kept))
                    budget -= info.file_size
                elif keep is not None:
                    keep.add_checked(info)
                plan.checked(name)
            if later is not None:
                scan = _SheetScan()
                for piece in unpack(path, source, package, package.getinfo(later)):
                    scan.feed(piece)
                errors[tab_of[later]] = scan.finish()
    except BaseException as exc:
        if chunks is not None:
            chunks.give_up()
        plan.failed(exc)
        raise
    plan.done()
    return errors


def _chunks(plan: _Plan, part: str, opening: dict[str, bytes]) -> ChunkedTab | None:
    """The biggest tab's chunked read, if it is big enough and the workbook's own parts
    (``opening``, by their names in lower case) are what every chunk can repeat."""
    name = next((p.name for p in plan.tabs if p.part == part), None)
    if name is None or len(opening) != len({n.lower() for n in plan.size if n.lower() in OPENING}):
        return None  # names differing only in case: calamine's choice is not ours to guess
    smallest = chunk_size(plan.size[part], opening)
    if smallest is None:
        return None
    opening = {_listed(plan, n): data for n, data in opening.items()}
    return ChunkedTab(name, part, opening, plan.size[part], smallest, plan.pool)


def _listed(plan: _Plan, lower: str) -> str:
    """The part's name as the package lists it."""
    return next(n for n in plan.size if n.lower() == lower)


def _read_as_xml(name: str, tabs: dict[str, str]) -> bool:
    """Whether calamine parses the part as XML: the tabs, and the workbook's own parts."""
    return name in tabs or name.endswith(".rels") or name == "[Content_Types].xml" or (
        name.startswith("xl/") and name.count("/") == 1 and name.endswith(".xml"))


class _RunCheck:
    """Refuses a part with more than ``limit`` bytes between one ``<`` and the next: one
    cell's text, one tag, or blank space between tags, which an XML reader holds at once.

    Looks at ``limit / 2``-byte blocks: a longer run fills at least one block without a
    ``<``, so each block costs one byte search that stops at its first ``<``.
    """

    def __init__(self, path: Path, part: str, tab: str | None, limit: int) -> None:
        self.path, self.part, self.tab, self.limit = path, part, tab, limit
        self.offset = 0  # of the piece being fed, in the part
        self.last_open = 0  # offset of the last ``<`` seen

    def feed(self, piece: bytes) -> None:
        step = max(1, self.limit // 2)
        for start in range(0, len(piece), step):
            end = min(len(piece), start + step)
            first = piece.find(b"<", start, end)
            if first == -1:
                self._check(self.offset + end, piece, start)
            else:
                self._check(self.offset + first, piece, start)
                self.last_open = self.offset + piece.rfind(b"<", first, end)
        self.offset += len(piece)

    def finish(self) -> None:
        self._check(self.offset, b"", 0)

    def _check(self, at: int, piece: bytes, start: int) -> None:
        if at - self.last_open <= self.limit:
            return
        blank = not piece[start:start + 4096].strip()
        what = "blank space" if blank else "text or markup without a break"
        where = f"the tab {self.tab!r} ({self.part})" if self.tab else f"the part {self.part}"
        size = f"{self.limit / 1e6:,.0f} MB"
        raise WorkbookError(
            f"{self.path}: {where} holds more than {size} of {what} in one run, where Excel keeps a cell to "
            f"32,767 characters, so sheetops does not read it; the workbook is damaged or not a real workbook: "
            f"{REPAIR}."
        )


# A cell reference in a tab's XML, as every writer puts it (r="BXY100001" or r='...'):
# the last one of a piece gives the last row (rows come in order), and those of two or
# three letters the columns beyond Z.
_REF_DOUBLE, _REF_SINGLE = re.compile(rb' r="([A-Z]{2,3})[0-9]'), re.compile(rb" r='([A-Z]{2,3})[0-9]")
# Whether a piece may hold such a reference at all: one plain search, which is over twice
# as fast as finding them all (every cell's reference begins the same way), in a tab whose
# columns all have one letter.
_WIDE_DOUBLE, _WIDE_SINGLE = re.compile(rb' r="[A-Z][A-Z]'), re.compile(rb" r='[A-Z][A-Z]")
_LAST_REF = re.compile(rb"""r=["']([A-Z]{1,3})([0-9]+)["']""")


def _last_cell_row(data: bytes, singles: bool = True) -> int:
    """The row of the last cell reference in ``data`` (0 if none): the last ``r="B12"`` that
    is a cell's (``header="0.3"`` and row numbers alone are not). ``singles``: whether
    ``data`` may hold ``r='`` at all (else only double quotes are looked for)."""
    at = len(data)
    for _ in range(64):
        at = max(data.rfind(b' r="', 0, at), data.rfind(b" r='", 0, at) if singles else -1)
        if at == -1:
            return 0
        ref = _LAST_REF.match(data, at + 1)
        if ref is not None:
            return int(ref.group(2))
    return 0


class _AreaCheck:
    """Refuses a tab whose used area (last row x last column) is beyond ``limit`` cells,
    before a reader builds that rectangle. Pieces overlap by a few bytes, so a reference
    cut between two pieces is still seen."""

    _OVERLAP = 32

    def __init__(self, path: Path, part: str, tab: str, limit: int) -> None:
        self.path, self.part, self.tab, self.limit = path, part, tab, limit
        self.tail = b""
        self.last_row = 0
        self.last_col = 0  # 0-based; 25 (Z) until a wider reference is seen
        self.widest = ""

    def feed(self, piece: bytes) -> None:
        data = self.tail + piece if self.tail else piece
        singles = b"'" in data and b"r='" in data  # a quote alone is found at once, and is rare
        wide: set[bytes] = set()
        if _WIDE_DOUBLE.search(data):
            wide.update(_REF_DOUBLE.findall(data))
        if singles and _WIDE_SINGLE.search(data):
            wide.update(_REF_SINGLE.findall(data))
        for letters in wide:
            col = column_index(letters.decode())
            if col > self.last_col:
                self.last_col, self.widest = col, letters.decode()
        self.last_row = max(self.last_row, _last_cell_row(data, singles))
        self.tail = data[-self._OVERLAP:]
        self._check()

    def finish(self) -> None:
        self._check()

    def _check(self) -> None:
        columns = max(self.last_col, 25) + 1 if self.last_row else 0
        if self.last_row * columns <= self.limit:
            return
        far = f"column {self.widest}" if self.widest else f"row {self.last_row:,}"
        raise WorkbookError(
            f"{self.path}: the tab {self.tab!r} ({self.part}) reaches down to row {self.last_row:,} and across to "
            f"{far}: {self.last_row * columns:,} cells in all, more than the {self.limit:,} sheetops reads; a "
            f"value far from the others makes it so: delete it (select the empty rows or columns after the data "
            f"and delete them), save, and sync again."
        )


class _SheetScan:
    """The error cells and the formula cells without a saved value of one tab, from its XML
    fed in pieces: each piece is scanned up to its last row end, the rest carried over, so
    a cell is never cut in two and the tab's XML is never held whole."""

    def __init__(self) -> None:
        self.carry = b""
        self.prefixed: bool | None = None
        self.found: dict[tuple[int, int], Special] = {}

    def feed(self, piece: bytes) -> None:
        data = self.carry + piece if self.carry else piece
        cut = _after_last_row_end(data)
        if cut == -1:
            self.carry = data
            return
        self.carry = data[cut:]
        self._scan(data[:cut] if cut < len(data) else data)

    def finish(self) -> dict[tuple[int, int], Special]:
        if self.carry:
            self._scan(self.carry)
            self.carry = b""
        return self.found

    def _scan(self, xml: bytes) -> None:
        if self.prefixed is None:
            self.prefixed = _prefixed(xml)
        self.found.update(_uncomputed_cells(xml, self.prefixed))
        self.found.update((at, CellError(code)) for at, code in _error_cells(xml).items())


def _after_last_row_end(data: bytes) -> int:
    """The offset just after the last ``</row>`` (or ``</x:row>``) in ``data``; -1 if none.
    Text cannot hold ``</``, so what is found is a tag."""
    at = len(data)
    while (at := data.rfind(b"row>", 0, at)) != -1:
        opening = data.rfind(b"</", 0, at)
        if opening != -1 and re.fullmatch(rb"(?:\w+:)?", data[opening + 2:at]):
            return at + 4
    return -1


def _cleaned(rows: list[list[CellValue]]) -> list[list[CellValue]]:
    """calamine's empty string is an empty cell. This runs over every cell of a large
    workbook, so the empty strings are found by list methods, which run in C."""
    for row in rows:
        count = row.count("")
        if count:
            at = row.index("")
            row[at] = None
            while count > 1:
                at = row.index("", at + 1)
                row[at] = None
                count -= 1
    return rows


def _error_cells(xml: bytes) -> dict[tuple[int, int], str]:
    """(row, col) -> error code of every cell with ``t="e"`` in a sheet part."""
    found: dict[tuple[int, int], str] = {}
    if not _may_hold_errors(xml):
        return found  # the common case: no error cells
    for hit in _error_types(xml):
        open_at = xml.rfind(b"<", 0, hit)
        close_at = xml.find(b">", hit)
        tag = xml[open_at:close_at]
        if not re.match(rb"<(?:\w+:)?c\b", tag):
            continue
        ref = _CELL_REF.search(tag)
        if ref is None:
            continue
        value = None
        if not tag.endswith(b"/"):
            cell_end = xml.find(b"c>", xml.find(b"</", close_at))
            value = _VALUE.search(xml, close_at, cell_end + 2 if cell_end != -1 else len(xml))
        code = value.group(1).decode("utf-8", "replace") if value else "#VALUE!"
        found[(int(ref.group(2)) - 1, column_index(ref.group(1).decode()))] = code
    return found


_SPACE = b" \t\n\r\f\v"  # what \s is in a bytes pattern


def _error_types(xml: bytes) -> list[int]:
    """Where each match of _ERROR_TYPE (`` t="e"``) starts, in order. Found from its value,
    ``"e"``, searched for as it is: the pattern itself begins with a space, which the
    regular expression engine tries at every byte (a quarter of a second in LibreOffice's
    tab of 100,000 rows, against a twentieth)."""
    values = [b'"e"']
    if b"'" in xml:
        values += [b"'e'", b"\"e'", b"'e\""]
    starts = []
    for value in values:
        at = xml.find(value)
        while at != -1:
            start = _error_type_ending(xml, at)
            if start != -1:
                starts.append(start)
            at = xml.find(value, at + 3)
    return sorted(starts)


def _error_type_ending(xml: bytes, value_at: int) -> int:
    """Where `` t = `` (any spaces around =) starts, if it ends at ``value_at``; -1 if not."""
    at = value_at
    while at and xml[at - 1] in _SPACE:
        at -= 1
    if not at or xml[at - 1] != ord("="):
        return -1
    at -= 1
    while at and xml[at - 1] in _SPACE:
        at -= 1
    if at < 2 or xml[at - 1] != ord("t") or xml[at - 2] not in _SPACE:
        return -1
    return at - 2


def _may_hold_errors(xml: bytes) -> bool:
    """False when no ``"e"`` (either quotes) is in ``xml``, as in every match of _ERROR_TYPE.
    ``e"`` also ends other values (``hidden="false"``): after a few such, the answer is yes."""
    for count, hit in enumerate(_E_QUOTE.finditer(xml)):
        at = hit.start()
        if count >= _CANDIDATES or (at and xml[at - 1] in b"\"'"):
            return True
    return False


def _uncomputed_cells(xml: bytes, has_prefix: bool | None = None) -> dict[tuple[int, int], UncomputedFormula]:
    """(row, col) -> formula of every cell with a formula (``<f>``) and no saved value.

    A ``<v>`` left empty counts as no value, except in a text-result cell (``t="str"``),
    where it is a formula whose result is the empty text.
    """
    found: dict[tuple[int, int], UncomputedFormula] = {}
    if has_prefix is None:
        has_prefix = _prefixed(xml)
    if not _ANY_FORMULA.search(xml) and not (has_prefix and b":f" in xml):
        return found  # the common case: no formulas at all, found by one byte search
    for hit in _FORMULA.finditer(xml):
        at = hit.start()
        open_at = max(xml.rfind(b"<c ", 0, at), xml.rfind(b"<c>", 0, at))
        prefixed = xml.rfind(b":c ", 0, at)
        if prefixed > open_at:  # a namespace prefix: <x:c r="D2">
            open_at = xml.rfind(b"<", 0, prefixed)
        if open_at == -1:
            continue
        tag = xml[open_at:xml.find(b">", open_at)]
        ref = _CELL_REF.search(tag)
        if ref is None:
            continue
        closing = xml.find(b"</", at)
        cell_end = xml.find(b"c>", closing) if closing != -1 else -1
        end = cell_end + 2 if cell_end != -1 else len(xml)
        value = _VALUE.search(xml, at, end)
        kind = _CELL_TYPE.search(tag)
        if value is not None and (value.group(1) or (kind is not None and kind.group(1) == b"str")):
            continue
        text = _FORMULA_TEXT.match(xml, at)
        formula = text.group(1).decode("utf-8", "replace") if text else ""
        found[(int(ref.group(2)) - 1, column_index(ref.group(1).decode()))] = UncomputedFormula(formula)
    return found


def _prefixed(xml: bytes) -> bool:
    """True when the sheet's elements carry a namespace prefix (``<x:worksheet>``), which
    some writers use; the root element says so within the first bytes."""
    root = xml.find(b"<", xml.find(b"?>") + 1 if xml.startswith(b"<?") else 0)
    name_end = min((i for i in (xml.find(b" ", root), xml.find(b">", root)) if i != -1), default=root)
    return b":" in xml[root:name_end]
