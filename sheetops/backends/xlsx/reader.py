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
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, cast

from sheetops.backends.xlsx.package import REPAIR, PartCache, SheetPart, open_package, sheet_parts
from sheetops.errors import WorkbookError
from sheetops.values import CellError, CellValue, UncomputedFormula
from sheetops.workbook import Sheet, WorkbookData, column_index

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?>([^<]*)<")
_CELL_TYPE = re.compile(rb'\bt="(\w+)"')

Special = CellError | UncomputedFormula


def read_workbook(path: Path, keep: PartCache | None = None) -> WorkbookData:
    """All tabs of the workbook at ``path``, in tab order, with error cells marked.

    With ``keep``, every part of the package is kept there as read (see :class:`PartCache`),
    so that a sync writing the same file soon after need not decompress them again.
    """
    with open_package(path, verify=False) as package:
        parts = sheet_parts(package)
        sizes = {info.filename: info.file_size for info in package.infolist()}
    # Checking every part's checksum and scanning the sheets for error cells both mean
    # decompressing the parts (zlib lets other threads run meanwhile), so they are done
    # together, beside calamine's read instead of before it.
    with ThreadPoolExecutor(max_workers=2) as pool:
        scanned = pool.submit(_verify_and_scan, path, parts, keep)
        try:
            values = _read_values(path, {p.name: sizes.get(p.part, 0) for p in parts}, pool)
        except Exception:
            scanned.result()  # a corrupt part is named precisely there
            raise
        errors = scanned.result()
    sheets = []
    states = {p.name: p.state for p in parts}
    for name, rows in values.items():
        for (row, col), special in errors.get(name, {}).items():
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


def _read_values(path: Path, sizes: dict[str, int], pool: ThreadPoolExecutor) -> dict[str, list[list[CellValue]]]:
    """Every tab's values in tab order, empty cells as None.

    calamine lets other threads run while it parses a tab, so the biggest tab (Daily,
    usually), when it is big, is read by a second reader beside the others. Should tabs
    fail, the error raised is that of the first in tab order, as when read one by one.
    """
    book = _open_book(path)
    try:
        names = list(book.sheet_names)
        big = max(range(len(names)), key=lambda i: sizes.get(names[i], 0), default=-1)
        apart = None
        if big >= 0 and sizes.get(names[big], 0) > _READ_APART_ABOVE:
            apart = pool.submit(_read_tab, path, names[big])
        values: dict[str, list[list[CellValue]]] = {}
        failure: tuple[int, Exception] | None = None
        for index, name in enumerate(names):
            if apart is not None and index == big:
                values[name] = []  # its place in tab order, filled in below
                continue
            try:
                values[name] = _cleaned(_values(book, name, path))
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


def _read_tab(path: Path, name: str) -> list[list[CellValue]]:
    book = _open_book(path)
    try:
        return _cleaned(_values(book, name, path))
    finally:
        book.close()


def _values(book: CalamineWorkbook, name: str, path: Path) -> list[list[CellValue]]:
    try:
        return cast(list[list[CellValue]], book.get_sheet_by_name(name).to_python(skip_empty_area=False))
    except Exception as exc:  # calamine raises its own error types for damaged parts
        raise WorkbookError(f"{path}: the tab {name!r} cannot be read (its data is damaged); {REPAIR}.") from exc


def _verify_and_scan(
    path: Path, parts: list[SheetPart], keep: PartCache | None
) -> dict[str, dict[tuple[int, int], Special]]:
    """Read every part (zipfile checks its checksum) and find the error cells and the formula
    cells without a saved result of each tab."""
    by_part = {p.part: p.name for p in parts}
    errors: dict[str, dict[tuple[int, int], Special]] = {}
    with zipfile.ZipFile(path) as package:
        for info in package.infolist():
            try:
                data = package.read(info)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                raise WorkbookError(
                    f"{path}: the workbook is damaged (some of its data is corrupt: {info.filename}); {REPAIR}."
                ) from exc
            if info.filename in by_part:
                found: dict[tuple[int, int], Special] = dict(_uncomputed_cells(data))
                found.update((at, CellError(code)) for at, code in _error_cells(data).items())
                errors[by_part[info.filename]] = found
            if keep is not None:
                keep.add(info, data)
    return errors


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
    start = 0
    while (hit := xml.find(b't="e"', start)) != -1:
        start = hit + 5
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


def _uncomputed_cells(xml: bytes) -> dict[tuple[int, int], UncomputedFormula]:
    """(row, col) -> formula of every cell with a formula (``<f>``) and no saved value.

    A ``<v>`` left empty counts as no value, except in a text-result cell (``t="str"``),
    where it is a formula whose result is the empty text.
    """
    found: dict[tuple[int, int], UncomputedFormula] = {}
    if b"<f" not in xml and not (_prefixed(xml) and b":f" in xml):
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
