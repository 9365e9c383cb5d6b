"""``spreadsheets.batchUpdate``: the requests the emulator applies, all or nothing.

:func:`apply_batch_update` works on a copy of the spreadsheet and hands it back only when
every request succeeded, so an invalid request (answered with a 400 naming it:
``Invalid requests[2].deleteSheet: No grid with id: 7``) leaves the state untouched, as
the service does.  Replies are shaped like the service's: ``{}`` for requests without a
reply, ``{"addSheet": {"properties": {...}}}`` and so on.

:data:`SUPPORTED_REQUESTS` lists the request kinds; any other kind is answered with
``501 NOT_IMPLEMENTED`` (the body was still validated against the discovery document).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from functools import cmp_to_key
from typing import Any

from . import a1
from .discovery import SchemaValidator
from .errors import ApiError
from .fieldmask import Mask, apply_update_mask, parse_request_mask
from .model import (
    DEFAULT_COLUMN_PX,
    DEFAULT_COLUMNS,
    DEFAULT_ROWS,
    Sheet,
    Spreadsheet,
    adjust_grid_range,
    cell_is_empty,
    json_copy,
    refresh_cell,
    render_metadata,
    shift_for_delete,
    shift_for_insert,
)

__all__ = ["SUPPORTED_REQUESTS", "apply_batch_update", "shift_dimension"]


class _Ctx:
    """What a request handler needs: the spreadsheet copy, the validator, its position."""

    def __init__(self, ss: Spreadsheet, validator: SchemaValidator, index: int, kind: str) -> None:
        self.ss = ss
        self.validator = validator
        self.index = index
        self.kind = kind

    @property
    def where(self) -> str:
        return f"requests[{self.index}].{self.kind}"

    def fail(self, message: str) -> ApiError:
        return ApiError(400, f"Invalid {self.where}: {message}")

    def mask(self, text: str | None, ref: str) -> Mask | None:
        return parse_request_mask(text, self.validator, ref, self.where)

    def sheet(self, sheet_id: Any) -> Sheet:
        sheet = self.ss.sheet_by_id(int(sheet_id or 0))
        if sheet is None:
            raise self.fail(f"No grid with id: {int(sheet_id or 0)}")
        return sheet

    def grid_range(self, gr: dict[str, Any] | None, *, check: bool = True) -> tuple[Sheet, int, int, int, int]:
        if gr is None:
            raise self.fail("range is required")
        sheet = self.sheet(gr.get("sheetId", 0))
        r0 = int(gr.get("startRowIndex", 0))
        c0 = int(gr.get("startColumnIndex", 0))
        r1 = int(gr.get("endRowIndex", sheet.row_count))
        c1 = int(gr.get("endColumnIndex", sheet.column_count))
        if r0 < 0 or c0 < 0 or r1 < r0 or c1 < c0:
            raise self.fail("Invalid range: startIndex must be less than or equal to endIndex.")
        if check:
            self.check_grid(sheet, r1, c1)
        return sheet, r0, r1, c0, c1

    def check_grid(self, sheet: Sheet, end_row: int, end_col: int) -> None:
        if end_row > sheet.row_count or end_col > sheet.column_count:
            raise self.fail(
                f"Range ('{sheet.title}'!{a1.a1_cell(max(end_row - 1, 0), max(end_col - 1, 0))}) exceeds grid limits. "
                f"Max rows: {sheet.row_count}, max columns: {sheet.column_count}"
            )


Handler = Callable[[_Ctx, dict[str, Any]], dict[str, Any] | None]
_HANDLERS: dict[str, Handler] = {}


def _handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


# --------------------------------------------------------------------- dimensions


def shift_dimension(ss: Spreadsheet, sheet: Sheet, dim: str, op: str, start: int, amount: int) -> None:
    """Insert (``amount`` = count) or delete (``amount`` = end index) rows or columns.

    Moves cells and dimension properties, and adjusts every range that refers to the
    sheet: merges, protected ranges, conditional formats, the basic filter, named
    ranges, groups and dimension-located developer metadata.
    """
    sid = sheet.sheet_id
    rows = dim == "ROWS"

    def move(index: int) -> int | None:
        if op == "insert":
            return index + amount if index >= start else index
        if start <= index < amount:
            return None
        return index - (amount - start) if index >= amount else index

    if rows:
        sheet.cells = {moved: cols for r, cols in sheet.cells.items() if (moved := move(r)) is not None}
        sheet.row_meta = {moved: m for r, m in sheet.row_meta.items() if (moved := move(r)) is not None}
    else:
        for r, cols in list(sheet.cells.items()):
            sheet.cells[r] = {moved: cell for c, cell in cols.items() if (moved := move(c)) is not None}
            if not sheet.cells[r]:
                del sheet.cells[r]
        sheet.col_meta = {moved: m for c, m in sheet.col_meta.items() if (moved := move(c)) is not None}

    def adjust(gr: dict[str, Any]) -> dict[str, Any] | None:
        return adjust_grid_range(gr, sid, dim, op, start, amount)

    sheet.merges = [m for m in (adjust(m) for m in sheet.merges) if m is not None]
    kept = []
    for pr in sheet.protected_ranges:
        if "range" in pr:
            new = adjust(pr["range"])
            if new is None:
                continue
            pr["range"] = new
        kept.append(pr)
    sheet.protected_ranges = kept
    rules = []
    for rule in sheet.conditional_formats:
        rule["ranges"] = [r for r in (adjust(r) for r in rule.get("ranges", [])) if r is not None]
        if rule["ranges"]:
            rules.append(rule)
    sheet.conditional_formats = rules
    if sheet.basic_filter is not None:
        filter_range = adjust(sheet.basic_filter.get("range", {}))
        if filter_range is None:
            sheet.basic_filter = None
        else:
            sheet.basic_filter["range"] = filter_range
    named = []
    for nr in ss.named_ranges:
        named_range = adjust(nr["range"])
        if named_range is not None:
            nr["range"] = named_range
            named.append(nr)
    ss.named_ranges = named

    def adjust_dim_range(dr: dict[str, Any]) -> dict[str, Any] | None:
        if int(dr.get("sheetId", 0)) != sid or dr.get("dimension") != dim:
            return dr
        a, b = dr.get("startIndex", 0), dr.get("endIndex", 0)
        if op == "insert":
            na = shift_for_insert(a, start, amount, is_end=False)
            nb = shift_for_insert(b, start, amount, is_end=True)
        else:
            na = shift_for_delete(a, start, amount)
            nb = shift_for_delete(b, start, amount)
            if na is not None and nb is not None and nb <= na:
                return None
        return {**dr, "startIndex": na, "endIndex": nb}

    groups = sheet.row_groups if rows else sheet.column_groups
    new_groups = []
    for group in groups:
        new_range = adjust_dim_range(group["range"])
        if new_range is not None:
            group["range"] = new_range
            new_groups.append(group)
    if rows:
        sheet.row_groups = new_groups
    else:
        sheet.column_groups = new_groups
    metadata = []
    for meta in ss.developer_metadata:
        loc = meta["location"]
        if "dimensionRange" in loc:
            new_range = adjust_dim_range(loc["dimensionRange"])
            if new_range is None:
                continue
            loc["dimensionRange"] = new_range
        metadata.append(meta)
    ss.developer_metadata = metadata
    key = "rowCount" if rows else "columnCount"
    count = sheet.grid.get(key, 0)
    sheet.grid[key] = count + amount if op == "insert" else count - (amount - start)
    frozen_key = "frozenRowCount" if rows else "frozenColumnCount"
    frozen = sheet.grid.get(frozen_key)
    if frozen:
        new_frozen = (
            shift_for_insert(frozen, start, amount, is_end=True)
            if op == "insert"
            else shift_for_delete(frozen, start, amount)
        )
        sheet.grid[frozen_key] = new_frozen


def _dimension_range(ctx: _Ctx, dr: dict[str, Any] | None) -> tuple[Sheet, str, int, int]:
    if dr is None:
        raise ctx.fail("range is required")
    sheet = ctx.sheet(dr.get("sheetId", 0))
    dim = dr.get("dimension")
    if dim not in ("ROWS", "COLUMNS"):
        raise ctx.fail("dimension must be ROWS or COLUMNS")
    limit = sheet.row_count if dim == "ROWS" else sheet.column_count
    start = int(dr.get("startIndex", 0))
    end = int(dr.get("endIndex", limit))
    if start < 0 or end < start:
        raise ctx.fail("Invalid dimension range: startIndex must be less than or equal to endIndex.")
    return sheet, dim, start, end


@_handler("insertDimension")
def _insert_dimension(ctx: _Ctx, req: dict[str, Any]) -> None:
    sheet, dim, start, end = _dimension_range(ctx, req.get("range"))
    limit = sheet.row_count if dim == "ROWS" else sheet.column_count
    if start > limit:
        raise ctx.fail(f"Cannot insert {dim.lower()} at index {start}: the sheet has only {limit}.")
    if req.get("inheritFromBefore") and start == 0:
        raise ctx.fail("Cannot inherit from before when inserting at index 0.")
    if end > start:
        shift_dimension(ctx.ss, sheet, dim, "insert", start, end - start)
    ctx.ss.check_cell_limit(f"Invalid {ctx.where}: ")
    return None


@_handler("appendDimension")
def _append_dimension(ctx: _Ctx, req: dict[str, Any]) -> None:
    sheet = ctx.sheet(req.get("sheetId", 0))
    dim = req.get("dimension")
    length = int(req.get("length", 0))
    if dim not in ("ROWS", "COLUMNS") or length <= 0:
        raise ctx.fail("length must be positive and dimension ROWS or COLUMNS")
    key = "rowCount" if dim == "ROWS" else "columnCount"
    sheet.grid[key] = sheet.grid.get(key, 0) + length
    ctx.ss.check_cell_limit(f"Invalid {ctx.where}: ")
    return None


@_handler("deleteDimension")
def _delete_dimension(ctx: _Ctx, req: dict[str, Any]) -> None:
    sheet, dim, start, end = _dimension_range(ctx, req.get("range"))
    limit = sheet.row_count if dim == "ROWS" else sheet.column_count
    if end > limit:
        raise ctx.fail(f"Cannot delete {dim.lower()} beyond the grid ({limit}).")
    if start == 0 and end >= limit:
        what = "rows" if dim == "ROWS" else "columns"
        raise ctx.fail(f"You can't delete all the {what} on the sheet.")
    if end > start:
        shift_dimension(ctx.ss, sheet, dim, "delete", start, end)
    return None


@_handler("updateDimensionProperties")
def _update_dimension_properties(ctx: _Ctx, req: dict[str, Any]) -> None:
    sheet, dim, start, end = _dimension_range(ctx, req.get("range"))
    limit = sheet.row_count if dim == "ROWS" else sheet.column_count
    if end > limit:
        raise ctx.fail(f"Invalid dimension range: endIndex {end} is beyond the grid ({limit}).")
    mask = ctx.mask(req.get("fields"), "DimensionProperties")
    props = {k: v for k, v in req.get("properties", {}).items() if k not in ("developerMetadata", "hiddenByFilter")}
    store = sheet.row_meta if dim == "ROWS" else sheet.col_meta
    for i in range(start, end):
        meta = store.setdefault(i, {})
        apply_update_mask(meta, props, mask)
        if not meta:
            store.pop(i, None)
    return None


@_handler("autoResizeDimensions")
def _auto_resize(ctx: _Ctx, req: dict[str, Any]) -> None:
    dims = req.get("dimensions")
    if dims is None:
        raise ctx.fail("dimensions is required")
    sheet, dim, start, end = _dimension_range(ctx, dims)
    for i in range(start, end):
        if dim == "COLUMNS":
            texts = [c.get("formattedValue", "") for r, cols in sheet.cells.items() if (c := cols.get(i))]
            width = max((len(t) for t in texts), default=0)
            size = max(21, width * 7 + 10) if width else DEFAULT_COLUMN_PX
            sheet.col_meta.setdefault(i, {})["pixelSize"] = size
        else:
            lines = [c.get("formattedValue", "").count("\n") + 1 for c in sheet.cells.get(i, {}).values()]
            sheet.row_meta.setdefault(i, {})["pixelSize"] = 21 * max(lines, default=1)
    return None


# ------------------------------------------------------------------------- sheets


def _check_title(ctx: _Ctx, title: str, own: Sheet | None = None) -> None:
    if not title.strip():
        raise ctx.fail("Sheet name cannot be empty.")
    clash = ctx.ss.sheet_by_title(title)
    if clash is not None and clash is not own:
        raise ctx.fail(f'A sheet with the name "{title}" already exists. Please enter another name.')


def _place(ss: Spreadsheet, sheet: Sheet, index: int | None) -> None:
    others = [s for s in ss.ordered_sheets() if s is not sheet]
    index = len(others) if index is None else max(0, min(index, len(others)))
    others.insert(index, sheet)
    for i, s in enumerate(others):
        s.properties["index"] = i


@_handler("addSheet")
def _add_sheet(ctx: _Ctx, req: dict[str, Any]) -> dict[str, Any]:
    props = copy.deepcopy(req.get("properties", {}))
    ss = ctx.ss
    if "sheetId" in props:
        if ss.sheet_by_id(int(props["sheetId"])) is not None:
            raise ctx.fail(f"Sheet with id {props['sheetId']} already exists.")
    else:
        props["sheetId"] = ss.new_sheet_id()
    if "title" not in props:
        n = len(ss.sheets) + 1
        while ss.sheet_by_title(f"Sheet{n}") is not None:
            n += 1
        props["title"] = f"Sheet{n}"
    _check_title(ctx, props["title"])
    props.setdefault("sheetType", "GRID")
    grid = props.setdefault("gridProperties", {})
    grid.setdefault("rowCount", DEFAULT_ROWS)
    grid.setdefault("columnCount", DEFAULT_COLUMNS)
    if grid["rowCount"] < 1 or grid["columnCount"] < 1:
        raise ctx.fail("The sheet must have at least one row and one column.")
    index = props.pop("index", None)
    ordered = {k: props[k] for k in ("sheetId", "title") if k in props}
    ordered["index"] = 0
    ordered.update({k: v for k, v in props.items() if k not in ordered})
    sheet = Sheet(ordered)
    ss.sheets.append(sheet)
    _place(ss, sheet, index)
    ss.check_cell_limit(f"Invalid {ctx.where}: ")
    return {"addSheet": {"properties": sheet.properties_json()}}


@_handler("duplicateSheet")
def _duplicate_sheet(ctx: _Ctx, req: dict[str, Any]) -> dict[str, Any]:
    source = ctx.sheet(req.get("sourceSheetId", 0))
    ss = ctx.ss
    twin = source.detached_copy()
    new_id = int(req["newSheetId"]) if "newSheetId" in req else ss.new_sheet_id()
    if ss.sheet_by_id(new_id) is not None:
        raise ctx.fail(f"Sheet with id {new_id} already exists.")
    title = req.get("newSheetName") or f"Copy of {source.title}"
    _check_title(ctx, title)
    twin.properties["sheetId"] = new_id
    twin.properties["title"] = title
    for group in (twin.merges, [p.get("range", {}) for p in twin.protected_ranges]):
        for gr in group:
            gr["sheetId"] = new_id
    for pr in twin.protected_ranges:
        pr["protectedRangeId"] = ss.new_object_id()
    for rule in twin.conditional_formats:
        for gr in rule.get("ranges", []):
            gr["sheetId"] = new_id
    if twin.basic_filter is not None:
        twin.basic_filter.setdefault("range", {})["sheetId"] = new_id
    for group_list in (twin.row_groups, twin.column_groups):
        for g in group_list:
            g["range"]["sheetId"] = new_id
    ss.sheets.append(twin)
    _place(ss, twin, req.get("insertSheetIndex"))
    ss.check_cell_limit(f"Invalid {ctx.where}: ")
    return {"duplicateSheet": {"properties": twin.properties_json()}}


@_handler("deleteSheet")
def _delete_sheet(ctx: _Ctx, req: dict[str, Any]) -> None:
    sheet = ctx.sheet(req.get("sheetId", 0))
    ss = ctx.ss
    if len(ss.sheets) == 1:
        raise ctx.fail("You can't remove all the sheets in a document.")
    if all(s.hidden for s in ss.sheets if s is not sheet):
        raise ctx.fail("You can't remove all the visible sheets in a document.")
    ss.sheets.remove(sheet)
    sid = sheet.sheet_id
    ss.named_ranges = [n for n in ss.named_ranges if int(n["range"].get("sheetId", 0)) != sid]

    def on_sheet(loc: dict[str, Any]) -> bool:
        if "sheetId" in loc:
            return int(loc["sheetId"]) == sid
        if "dimensionRange" in loc:
            return int(loc["dimensionRange"].get("sheetId", 0)) == sid
        return False

    ss.developer_metadata = [m for m in ss.developer_metadata if not on_sheet(m["location"])]
    ss.reindex()
    return None


@_handler("updateSheetProperties")
def _update_sheet_properties(ctx: _Ctx, req: dict[str, Any]) -> None:
    props = req.get("properties", {})
    sheet = ctx.sheet(props.get("sheetId", 0))
    mask = ctx.mask(req.get("fields"), "SheetProperties")
    before = copy.deepcopy(sheet.properties)
    source = copy.deepcopy(props)
    source["sheetId"] = sheet.sheet_id
    if mask is None:
        source.setdefault("sheetType", before.get("sheetType", "GRID"))
        source.setdefault("gridProperties", {})
    apply_update_mask(sheet.properties, source, mask)
    sheet.properties["sheetId"] = sheet.sheet_id
    if sheet.properties.get("sheetType", "GRID") != before.get("sheetType", "GRID"):
        raise ctx.fail("Cannot change the type of a sheet.")
    if "title" not in sheet.properties:
        raise ctx.fail("Sheet name cannot be empty.")
    _check_title(ctx, sheet.title, sheet)
    grid = sheet.grid
    grid.setdefault("rowCount", before["gridProperties"]["rowCount"])
    grid.setdefault("columnCount", before["gridProperties"]["columnCount"])
    if grid["rowCount"] < 1 or grid["columnCount"] < 1:
        raise ctx.fail("The sheet must have at least one row and one column.")
    if grid.get("frozenRowCount", 0) >= grid["rowCount"] or grid.get("frozenColumnCount", 0) >= grid["columnCount"]:
        raise ctx.fail("You can't freeze all visible rows on the sheet.")
    if sheet.hidden and all(s.hidden for s in ctx.ss.sheets):
        raise ctx.fail("You can't hide all the sheets in a document.")
    new_index = sheet.properties.get("index")
    if new_index != before.get("index"):
        sheet.properties["index"] = before.get("index")
        _place(ctx.ss, sheet, int(new_index) if new_index is not None else None)
    sheet.truncate()
    ctx.ss.check_cell_limit(f"Invalid {ctx.where}: ")
    return None


@_handler("updateSpreadsheetProperties")
def _update_spreadsheet_properties(ctx: _Ctx, req: dict[str, Any]) -> None:
    mask = ctx.mask(req.get("fields"), "SpreadsheetProperties")
    apply_update_mask(ctx.ss.properties, req.get("properties", {}), mask)
    if not ctx.ss.properties.get("title"):
        ctx.ss.properties["title"] = "Untitled spreadsheet"
    return None


# -------------------------------------------------------------------------- cells

_READ_ONLY_CELL_FIELDS = ("effectiveValue", "formattedValue", "effectiveFormat", "hyperlink", "dataSourceFormula")


def _write_cell(sheet: Sheet, row: int, col: int, source: dict[str, Any], mask: Mask | None) -> None:
    source = {k: v for k, v in source.items() if k not in _READ_ONLY_CELL_FIELDS}
    cell = sheet.cell_for_write(row, col)
    kept = {k: cell[k] for k in _READ_ONLY_CELL_FIELDS if k in cell}
    apply_update_mask(cell, source, mask)
    for k, v in kept.items():
        cell.setdefault(k, v)
    if "note" in cell and not cell["note"]:
        del cell["note"]
    if "userEnteredFormat" in cell and not cell["userEnteredFormat"]:
        del cell["userEnteredFormat"]
    refresh_cell(cell)
    if cell_is_empty(cell):
        sheet.prune(row, col)


@_handler("updateCells")
def _update_cells(ctx: _Ctx, req: dict[str, Any]) -> None:
    mask = ctx.mask(req.get("fields"), "CellData")
    rows: list[dict[str, Any]] = req.get("rows", [])
    if ("start" in req) == ("range" in req):
        raise ctx.fail("Must specify exactly one of start or range.")
    if "start" in req:
        start = req["start"]
        sheet = ctx.sheet(start.get("sheetId", 0))
        r0, c0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
        height = len(rows)
        width = max((len(r.get("values", [])) for r in rows), default=0)
        ctx.check_grid(sheet, r0 + height, c0 + width)
        for i, row in enumerate(rows):
            for j, cell in enumerate(row.get("values", [])):
                _write_cell(sheet, r0 + i, c0 + j, cell, mask)
        return None
    sheet, r0, r1, c0, c1 = ctx.grid_range(req["range"])
    if len(rows) > r1 - r0:
        raise ctx.fail(f"Attempting to write row: {r0 + len(rows) - 1}, beyond the last requested row of: {r1 - 1}")
    for row in rows:
        if len(row.get("values", [])) > c1 - c0:
            raise ctx.fail(
                f"Attempting to write column: {c0 + len(row['values']) - 1}, "
                f"beyond the last requested column of: {c1 - 1}"
            )
    # cells the rows give are written; the rest of the range is cleared (for the mask)
    given: set[tuple[int, int]] = set()
    for i, row in enumerate(rows):
        for j, source in enumerate(row.get("values", [])):
            _write_cell(sheet, r0 + i, c0 + j, source, mask)
            given.add((r0 + i, c0 + j))
    for r, c, _ in list(sheet.iter_cells(r0, r1, c0, c1)):
        if (r, c) not in given:
            _write_cell(sheet, r, c, {}, mask)
    return None


@_handler("repeatCell")
def _repeat_cell(ctx: _Ctx, req: dict[str, Any]) -> None:
    mask = ctx.mask(req.get("fields"), "CellData")
    sheet, r0, r1, c0, c1 = ctx.grid_range(req.get("range"))
    cell = req.get("cell", {})
    for r in range(r0, r1):
        for c in range(c0, c1):
            if not cell and sheet.cell(r, c) is None:
                continue
            _write_cell(sheet, r, c, cell, mask)
    return None


@_handler("appendCells")
def _append_cells(ctx: _Ctx, req: dict[str, Any]) -> None:
    sheet = ctx.sheet(req.get("sheetId", 0))
    mask = ctx.mask(req.get("fields"), "CellData")
    rows: list[dict[str, Any]] = req.get("rows", [])
    start = max(sheet.cells, default=-1) + 1
    width = max((len(r.get("values", [])) for r in rows), default=0)
    if start + len(rows) > sheet.row_count:
        sheet.grid["rowCount"] = start + len(rows)
    if width > sheet.column_count:
        sheet.grid["columnCount"] = width
    ctx.ss.check_cell_limit(f"Invalid {ctx.where}: ")
    for i, row in enumerate(rows):
        for j, cell in enumerate(row.get("values", [])):
            _write_cell(sheet, start + i, j, cell, mask)
    return None


@_handler("updateBorders")
def _update_borders(ctx: _Ctx, req: dict[str, Any]) -> None:
    sheet, r0, r1, c0, c1 = ctx.grid_range(req.get("range"))

    def put(r: int, c: int, side: str, border: dict[str, Any] | None) -> None:
        if border is None:
            return
        cell = sheet.cell_for_write(r, c)
        fmt = cell.setdefault("userEnteredFormat", {})
        borders = fmt.setdefault("borders", {})
        if border.get("style") == "NONE":
            borders.pop(side, None)
        else:
            borders[side] = copy.deepcopy(border)
        if not borders:
            fmt.pop("borders")
        if not fmt:
            cell.pop("userEnteredFormat")
        sheet.prune(r, c)

    for r in range(r0, r1):
        for c in range(c0, c1):
            if r == r0:
                put(r, c, "top", req.get("top"))
            else:
                put(r, c, "top", req.get("innerHorizontal"))
            if r == r1 - 1:
                put(r, c, "bottom", req.get("bottom"))
            else:
                put(r, c, "bottom", req.get("innerHorizontal"))
            if c == c0:
                put(r, c, "left", req.get("left"))
            else:
                put(r, c, "left", req.get("innerVertical"))
            if c == c1 - 1:
                put(r, c, "right", req.get("right"))
            else:
                put(r, c, "right", req.get("innerVertical"))
    return None


@_handler("setDataValidation")
def _set_data_validation(ctx: _Ctx, req: dict[str, Any]) -> None:
    sheet, r0, r1, c0, c1 = ctx.grid_range(req.get("range"))
    rule = req.get("rule")
    if rule is not None and "condition" not in rule:
        raise ctx.fail("A data validation rule needs a condition.")
    for r in range(r0, r1):
        for c in range(c0, c1):
            if rule is None:
                if "dataValidation" in (sheet.cell(r, c) or {}):
                    sheet.cell_for_write(r, c).pop("dataValidation", None)
                    sheet.prune(r, c)
            else:
                sheet.cell_for_write(r, c)["dataValidation"] = json_copy(rule)
    return None


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (3, 0)
    if "numberValue" in value:
        return (0, float(value["numberValue"]))
    if "stringValue" in value:
        return (1, str(value["stringValue"]).lower())
    if "boolValue" in value:
        return (2, bool(value["boolValue"]))
    return (3, 0)


@_handler("sortRange")
def _sort_range(ctx: _Ctx, req: dict[str, Any]) -> None:
    sheet, r0, r1, c0, c1 = ctx.grid_range(req.get("range"))
    specs = req.get("sortSpecs", [])
    for spec in specs:
        if "dimensionIndex" not in spec:
            raise ctx.fail("Sorting by data source columns or colors is not supported by the emulator.")
    rows = [{c: sheet.cells.get(r, {}).get(c) for c in range(c0, c1)} for r in range(r0, r1)]

    def compare(a: dict[int, Any], b: dict[int, Any]) -> int:
        for spec in specs:
            col = int(spec["dimensionIndex"])
            ka = _sort_key((a.get(col) or {}).get("effectiveValue"))
            kb = _sort_key((b.get(col) or {}).get("effectiveValue"))
            if ka == kb:
                continue
            empty_a, empty_b = ka[0] == 3, kb[0] == 3
            if empty_a or empty_b:  # blanks always last
                return 1 if empty_a else -1
            result = -1 if ka < kb else 1
            return -result if spec.get("sortOrder") == "DESCENDING" else result
        return 0

    ordered = sorted(rows, key=cmp_to_key(compare))
    for offset, row in enumerate(ordered):
        r = r0 + offset
        for c in range(c0, c1):
            cell = row[c]
            if cell is None:
                sheet.cells.get(r, {}).pop(c, None)
            else:
                sheet.cells.setdefault(r, {})[c] = cell
        if r in sheet.cells and not sheet.cells[r]:
            del sheet.cells[r]
    return None


_PASTE_FIELDS: dict[str, tuple[str, ...] | None] = {
    "PASTE_NORMAL": None,
    "PASTE_VALUES": ("userEnteredValue",),
    "PASTE_FORMAT": ("userEnteredFormat",),
    "PASTE_NO_BORDERS": None,
    "PASTE_FORMULA": ("userEnteredValue",),
    "PASTE_DATA_VALIDATION": ("dataValidation",),
    "PASTE_CONDITIONAL_FORMATTING": (),
}


def _paste(sheet: Sheet, dest_r: int, dest_c: int, block: list[list[dict[str, Any] | None]], paste_type: str) -> None:
    fields = _PASTE_FIELDS.get(paste_type)
    for i, row in enumerate(block):
        for j, cell in enumerate(row):
            r, c = dest_r + i, dest_c + j
            source = json_copy(cell) or {}
            if paste_type == "PASTE_NO_BORDERS":
                source.get("userEnteredFormat", {}).pop("borders", None)
            if fields is None:
                target = sheet.cell_for_write(r, c)
                target.clear()
                target.update(source)
            else:
                target = sheet.cell_for_write(r, c)
                for name in fields:
                    if name in source:
                        target[name] = source[name]
                    else:
                        target.pop(name, None)
            refresh_cell(target)
            if cell_is_empty(target):
                sheet.prune(r, c)


def _block(sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> list[list[dict[str, Any] | None]]:
    return [[json_copy(sheet.cell(r, c)) for c in range(c0, c1)] for r in range(r0, r1)]


@_handler("copyPaste")
def _copy_paste(ctx: _Ctx, req: dict[str, Any]) -> None:
    src_sheet, r0, r1, c0, c1 = ctx.grid_range(req.get("source"))
    dst_sheet, d0, d1, e0, e1 = ctx.grid_range(req.get("destination"))
    block = _block(src_sheet, r0, r1, c0, c1)
    if req.get("pasteOrientation") == "TRANSPOSE":
        block = [list(col) for col in zip(*block, strict=True)]
    height, width = len(block), len(block[0]) if block else 0
    if not height or not width:
        return None
    rows_rep = max(1, (d1 - d0) // height)
    cols_rep = max(1, (e1 - e0) // width)
    ctx.check_grid(dst_sheet, d0 + rows_rep * height, e0 + cols_rep * width)
    for i in range(rows_rep):
        for j in range(cols_rep):
            _paste(dst_sheet, d0 + i * height, e0 + j * width, block, req.get("pasteType", "PASTE_NORMAL"))
    return None


@_handler("cutPaste")
def _cut_paste(ctx: _Ctx, req: dict[str, Any]) -> None:
    src_sheet, r0, r1, c0, c1 = ctx.grid_range(req.get("source"))
    dest = req.get("destination") or {}
    dst_sheet = ctx.sheet(dest.get("sheetId", 0))
    d0, e0 = int(dest.get("rowIndex", 0)), int(dest.get("columnIndex", 0))
    ctx.check_grid(dst_sheet, d0 + r1 - r0, e0 + c1 - c0)
    block = _block(src_sheet, r0, r1, c0, c1)
    for r in range(r0, r1):
        for c in range(c0, c1):
            src_sheet.cells.get(r, {}).pop(c, None)
        if r in src_sheet.cells and not src_sheet.cells[r]:
            del src_sheet.cells[r]
    _paste(dst_sheet, d0, e0, block, req.get("pasteType", "PASTE_NORMAL"))
    return None


# ------------------------------------------------------------------------- merges


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def _merge_box(m: dict[str, Any]) -> tuple[int, int, int, int]:
    return (m["startRowIndex"], m["endRowIndex"], m["startColumnIndex"], m["endColumnIndex"])


@_handler("mergeCells")
def _merge_cells(ctx: _Ctx, req: dict[str, Any]) -> None:
    sheet, r0, r1, c0, c1 = ctx.grid_range(req.get("range"))
    kind = req.get("mergeType", "MERGE_ALL")
    if kind == "MERGE_COLUMNS":
        boxes = [(r0, r1, c, c + 1) for c in range(c0, c1)]
    elif kind == "MERGE_ROWS":
        boxes = [(r, r + 1, c0, c1) for r in range(r0, r1)]
    else:
        boxes = [(r0, r1, c0, c1)]
    boxes = [b for b in boxes if (b[1] - b[0]) * (b[3] - b[2]) > 1]
    for box in boxes:
        for m in sheet.merges:
            mb = _merge_box(m)
            inside = box[0] <= mb[0] and mb[1] <= box[1] and box[2] <= mb[2] and mb[3] <= box[3]
            if _overlaps(box, mb) and not inside:
                raise ctx.fail("You can't merge cells that intersect with other merged cells.")
    whole = (r0, r1, c0, c1)
    sheet.merges = [m for m in sheet.merges if not _overlaps(_merge_box(m), whole)]
    for b0, b1, b2, b3 in boxes:
        for r, c, found in list(sheet.iter_cells(b0, b1, b2, b3)):
            if (r, c) != (b0, b2) and "userEnteredValue" in found:
                cell = sheet.cell_for_write(r, c)
                cell.pop("userEnteredValue", None)
                refresh_cell(cell)
                sheet.prune(r, c)
        sheet.merges.append(
            {
                "sheetId": sheet.sheet_id,
                "startRowIndex": b0,
                "endRowIndex": b1,
                "startColumnIndex": b2,
                "endColumnIndex": b3,
            }
        )
    return None


@_handler("unmergeCells")
def _unmerge_cells(ctx: _Ctx, req: dict[str, Any]) -> None:
    sheet, r0, r1, c0, c1 = ctx.grid_range(req.get("range"))
    box = (r0, r1, c0, c1)
    sheet.merges = [m for m in sheet.merges if not _overlaps(_merge_box(m), box)]
    return None


# ------------------------------------------------------------------- named ranges

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,249}$")


def _check_named_range_name(ctx: _Ctx, name: str, own: str | None) -> None:
    if (
        not _NAME_RE.match(name)
        or re.match(r"^[A-Za-z]{1,3}\d+$|^[Rr]\d*[Cc]\d*$", name)
        or name.upper() in ("TRUE", "FALSE")
    ):
        raise ctx.fail(f"The name {name!r} is not valid for a named range.")
    for nr in ctx.ss.named_ranges:
        if nr["name"].lower() == name.lower() and nr["namedRangeId"] != own:
            raise ctx.fail(f"A named range with the name {name!r} already exists.")


@_handler("addNamedRange")
def _add_named_range(ctx: _Ctx, req: dict[str, Any]) -> dict[str, Any]:
    named = copy.deepcopy(req.get("namedRange", {}))
    if "name" not in named or "range" not in named:
        raise ctx.fail("A named range needs a name and a range.")
    _check_named_range_name(ctx, named["name"], None)
    ctx.grid_range(named["range"])
    named_id = named.get("namedRangeId") or str(ctx.ss.new_object_id())
    if any(n["namedRangeId"] == named_id for n in ctx.ss.named_ranges):
        raise ctx.fail(f"A named range with id {named_id} already exists.")
    stored = {"namedRangeId": named_id, "name": named["name"], "range": named["range"]}
    ctx.ss.named_ranges.append(stored)
    reply = copy.deepcopy(stored)
    reply["range"] = {k: v for k, v in reply["range"].items() if k != "sheetId" or v}
    return {"addNamedRange": {"namedRange": reply}}


def _find_named_range(ctx: _Ctx, named_id: str | None) -> dict[str, Any]:
    found = next((n for n in ctx.ss.named_ranges if n["namedRangeId"] == named_id), None)
    if found is None:
        raise ctx.fail(f"No named range with id: {named_id}")
    return found


@_handler("updateNamedRange")
def _update_named_range(ctx: _Ctx, req: dict[str, Any]) -> None:
    named = req.get("namedRange", {})
    found = _find_named_range(ctx, named.get("namedRangeId"))
    mask = ctx.mask(req.get("fields"), "NamedRange")
    source = {k: v for k, v in named.items() if k != "namedRangeId"}
    source["namedRangeId"] = found["namedRangeId"]
    apply_update_mask(found, source, mask)
    found["namedRangeId"] = source["namedRangeId"]
    if "name" not in found or "range" not in found:
        raise ctx.fail("A named range needs a name and a range.")
    _check_named_range_name(ctx, found["name"], found["namedRangeId"])
    ctx.grid_range(found["range"])
    return None


@_handler("deleteNamedRange")
def _delete_named_range(ctx: _Ctx, req: dict[str, Any]) -> None:
    found = _find_named_range(ctx, req.get("namedRangeId"))
    ctx.ss.named_ranges.remove(found)
    return None


# --------------------------------------------------------------- protected ranges


def _all_protected(ss: Spreadsheet) -> list[tuple[Sheet, dict[str, Any]]]:
    return [(s, p) for s in ss.sheets for p in s.protected_ranges]


@_handler("addProtectedRange")
def _add_protected_range(ctx: _Ctx, req: dict[str, Any]) -> dict[str, Any]:
    pr = copy.deepcopy(req.get("protectedRange", {}))
    if "range" in pr:
        sheet, *_ = ctx.grid_range(pr["range"])
    elif "namedRangeId" in pr:
        named = _find_named_range(ctx, pr["namedRangeId"])
        sheet = ctx.sheet(named["range"].get("sheetId", 0))
    else:
        raise ctx.fail("A protected range needs a range or a namedRangeId.")
    pr_id = int(pr.get("protectedRangeId") or ctx.ss.new_object_id())
    if any(p.get("protectedRangeId") == pr_id for _, p in _all_protected(ctx.ss)):
        raise ctx.fail(f"A protected range with id {pr_id} already exists.")
    if pr.get("warningOnly") and pr.get("editors"):
        raise ctx.fail("Warning-only protected ranges cannot have editors.")
    stored: dict[str, Any] = {"protectedRangeId": pr_id}
    for key in ("range", "namedRangeId", "description", "warningOnly"):
        if key in pr and pr[key] not in (None, False, ""):
            stored[key] = pr[key]
    stored["requestingUserCanEdit"] = True
    if pr.get("unprotectedRanges"):
        stored["unprotectedRanges"] = pr["unprotectedRanges"]
    editors = copy.deepcopy(pr.get("editors") or {})
    stored["editors"] = editors
    sheet.protected_ranges.append(stored)
    reply = copy.deepcopy(stored)
    if "range" in reply and not reply["range"].get("sheetId"):
        reply["range"].pop("sheetId", None)
    return {"addProtectedRange": {"protectedRange": reply}}


@_handler("updateProtectedRange")
def _update_protected_range(ctx: _Ctx, req: dict[str, Any]) -> None:
    pr = req.get("protectedRange", {})
    pr_id = pr.get("protectedRangeId")
    found = next((p for _, p in _all_protected(ctx.ss) if p.get("protectedRangeId") == pr_id), None)
    if found is None:
        raise ctx.fail(f"No protected range with id: {pr_id}")
    mask = ctx.mask(req.get("fields"), "ProtectedRange")
    source = dict(pr)
    source.pop("requestingUserCanEdit", None)
    apply_update_mask(found, source, mask)
    found["protectedRangeId"] = pr_id
    found["requestingUserCanEdit"] = True
    return None


@_handler("deleteProtectedRange")
def _delete_protected_range(ctx: _Ctx, req: dict[str, Any]) -> None:
    pr_id = req.get("protectedRangeId")
    for sheet, pr in _all_protected(ctx.ss):
        if pr.get("protectedRangeId") == pr_id:
            sheet.protected_ranges.remove(pr)
            return None
    raise ctx.fail(f"No protected range with id: {pr_id}")


# ----------------------------------------------------------- conditional formats


@_handler("addConditionalFormatRule")
def _add_conditional_format_rule(ctx: _Ctx, req: dict[str, Any]) -> None:
    rule = copy.deepcopy(req.get("rule"))
    if not rule or not rule.get("ranges"):
        raise ctx.fail("A conditional format rule needs at least one range.")
    if ("booleanRule" in rule) == ("gradientRule" in rule):
        raise ctx.fail("A conditional format rule needs exactly one of booleanRule or gradientRule.")
    sheets = {ctx.grid_range(r)[0].sheet_id for r in rule["ranges"]}
    if len(sheets) != 1:
        raise ctx.fail("All ranges of a conditional format rule must be on the same sheet.")
    sheet = ctx.sheet(sheets.pop())
    index = int(req.get("index", 0))
    if not 0 <= index <= len(sheet.conditional_formats):
        index = len(sheet.conditional_formats)
    sheet.conditional_formats.insert(index, rule)
    return None


def _rule_at(ctx: _Ctx, req: dict[str, Any]) -> tuple[Sheet, int]:
    sheet = ctx.sheet(req.get("sheetId", 0))
    index = int(req.get("index", 0))
    if not 0 <= index < len(sheet.conditional_formats):
        raise ctx.fail(f"No conditional format on sheet {sheet.sheet_id} at index {index}")
    return sheet, index


def _clean_rule(rule: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(rule)
    out["ranges"] = [{k: v for k, v in r.items() if k != "sheetId" or v} for r in out.get("ranges", [])]
    return out


@_handler("updateConditionalFormatRule")
def _update_conditional_format_rule(ctx: _Ctx, req: dict[str, Any]) -> dict[str, Any]:
    sheet, index = _rule_at(ctx, req)
    old = sheet.conditional_formats[index]
    if "rule" in req:
        sheet.conditional_formats[index] = copy.deepcopy(req["rule"])
        new_index = index
    elif "newIndex" in req:
        new_index = int(req["newIndex"])
        rule = sheet.conditional_formats.pop(index)
        sheet.conditional_formats.insert(new_index, rule)
    else:
        raise ctx.fail("Specify a rule or a newIndex.")
    new = sheet.conditional_formats[new_index]
    return {
        "updateConditionalFormatRule": {
            "newRule": _clean_rule(new),
            "oldRule": _clean_rule(old),
            "newIndex": new_index,
            "oldIndex": index,
        }
    }


@_handler("deleteConditionalFormatRule")
def _delete_conditional_format_rule(ctx: _Ctx, req: dict[str, Any]) -> dict[str, Any]:
    sheet, index = _rule_at(ctx, req)
    rule = sheet.conditional_formats.pop(index)
    return {"deleteConditionalFormatRule": {"rule": _clean_rule(rule)}}


# ------------------------------------------------------------------ basic filter


@_handler("setBasicFilter")
def _set_basic_filter(ctx: _Ctx, req: dict[str, Any]) -> None:
    flt = copy.deepcopy(req.get("filter") or {})
    sheet, r0, r1, c0, c1 = ctx.grid_range(flt.get("range", {}))
    flt["range"] = {
        "sheetId": sheet.sheet_id,
        "startRowIndex": r0,
        "endRowIndex": r1,
        "startColumnIndex": c0,
        "endColumnIndex": c1,
    }
    sheet.basic_filter = flt
    return None


@_handler("clearBasicFilter")
def _clear_basic_filter(ctx: _Ctx, req: dict[str, Any]) -> None:
    ctx.sheet(req.get("sheetId", 0)).basic_filter = None
    return None


# ------------------------------------------------------------------------ groups


def _groups_of(sheet: Sheet, dim: str) -> list[dict[str, Any]]:
    return sheet.row_groups if dim == "ROWS" else sheet.column_groups


def _recompute_depths(groups: list[dict[str, Any]]) -> None:
    for g in groups:
        a, b = g["range"]["startIndex"], g["range"]["endIndex"]
        g["depth"] = 1 + sum(
            1
            for o in groups
            if o is not g
            and o["range"]["startIndex"] <= a
            and b <= o["range"]["endIndex"]
            and (o["range"]["startIndex"], o["range"]["endIndex"]) != (a, b)
        )
    groups.sort(key=lambda g: (g["depth"], g["range"]["startIndex"]))


def _group_reply(groups: list[dict[str, Any]]) -> dict[str, Any]:
    out = []
    for g in groups:
        item = copy.deepcopy(g)
        if not item["range"].get("sheetId"):
            item["range"].pop("sheetId", None)
        if not item.get("collapsed"):
            item.pop("collapsed", None)
        out.append(item)
    return {"dimensionGroups": out} if out else {}


@_handler("addDimensionGroup")
def _add_dimension_group(ctx: _Ctx, req: dict[str, Any]) -> dict[str, Any]:
    sheet, dim, start, end = _dimension_range(ctx, req.get("range"))
    groups = _groups_of(sheet, dim)
    for g in groups:
        a, b = g["range"]["startIndex"], g["range"]["endIndex"]
        if (a, b) == (start, end):
            raise ctx.fail("A group with this range already exists.")
    if any(g["depth"] >= 8 for g in groups if g["range"]["startIndex"] <= start and end <= g["range"]["endIndex"]):
        raise ctx.fail("Groups cannot be nested more than 8 levels deep.")
    # the service turns the +/- control on (after the group) with the first group, for good
    sheet.grid.setdefault("rowGroupControlAfter" if dim == "ROWS" else "columnGroupControlAfter", True)
    groups.append(
        {
            "range": {"sheetId": sheet.sheet_id, "dimension": dim, "startIndex": start, "endIndex": end},
            "depth": 1,
            "collapsed": False,
        }
    )
    _recompute_depths(groups)
    return {"addDimensionGroup": _group_reply(groups)}


@_handler("deleteDimensionGroup")
def _delete_dimension_group(ctx: _Ctx, req: dict[str, Any]) -> dict[str, Any]:
    sheet, dim, start, end = _dimension_range(ctx, req.get("range"))
    groups = _groups_of(sheet, dim)
    match = [g for g in groups if g["range"]["startIndex"] <= start and end <= g["range"]["endIndex"]]
    if not match:
        raise ctx.fail("No group covers the given range.")
    deepest = max(match, key=lambda g: g["depth"])
    groups.remove(deepest)
    _recompute_depths(groups)
    return {"deleteDimensionGroup": _group_reply(groups)}


@_handler("updateDimensionGroup")
def _update_dimension_group(ctx: _Ctx, req: dict[str, Any]) -> None:
    group = req.get("dimensionGroup", {})
    sheet, dim, start, end = _dimension_range(ctx, group.get("range"))
    mask = ctx.mask(req.get("fields"), "DimensionGroup")
    for g in _groups_of(sheet, dim):
        if (g["range"]["startIndex"], g["range"]["endIndex"]) == (start, end):
            apply_update_mask(g, {k: v for k, v in group.items() if k == "collapsed"}, mask)
            g.setdefault("collapsed", False)
            return None
    raise ctx.fail("No group with the given range.")


# ------------------------------------------------------------ developer metadata


def _normalise_location(ctx: _Ctx, loc: dict[str, Any] | None) -> dict[str, Any]:
    if not loc:
        raise ctx.fail("A developer metadata needs a location.")
    kinds = [k for k in ("spreadsheet", "sheetId", "dimensionRange") if k in loc]
    if len(kinds) != 1:
        raise ctx.fail("Exactly one of spreadsheet, sheetId or dimensionRange must be set in the location.")
    if "spreadsheet" in loc:
        if not loc["spreadsheet"]:
            raise ctx.fail("location.spreadsheet must be true.")
        return {"locationType": "SPREADSHEET", "spreadsheet": True}
    if "sheetId" in loc:
        ctx.sheet(loc["sheetId"])
        return {"locationType": "SHEET", "sheetId": int(loc["sheetId"])}
    sheet, dim, start, end = _dimension_range(ctx, loc["dimensionRange"])
    limit = sheet.row_count if dim == "ROWS" else sheet.column_count
    if end > limit or end <= start:
        raise ctx.fail("Invalid dimension range for developer metadata.")
    return {
        "locationType": "ROW" if dim == "ROWS" else "COLUMN",
        "dimensionRange": {"sheetId": sheet.sheet_id, "dimension": dim, "startIndex": start, "endIndex": end},
    }


def _location_matches(meta_loc: dict[str, Any], wanted: dict[str, Any], strategy: str) -> bool:
    if "spreadsheet" in wanted:
        return bool(meta_loc.get("spreadsheet")) or strategy == "INTERSECTING_LOCATION"
    if "sheetId" in wanted:
        sid = int(wanted["sheetId"])
        if "sheetId" in meta_loc:
            return int(meta_loc["sheetId"]) == sid
        if strategy == "INTERSECTING_LOCATION" and "dimensionRange" in meta_loc:
            return int(meta_loc["dimensionRange"].get("sheetId", 0)) == sid
        return False
    if "dimensionRange" in wanted:
        dr = wanted["dimensionRange"]
        mine = meta_loc.get("dimensionRange")
        if mine is None:
            return False
        if int(mine.get("sheetId", 0)) != int(dr.get("sheetId", 0)) or mine.get("dimension") != dr.get("dimension"):
            return False
        a, b = int(dr.get("startIndex", 0)), int(dr.get("endIndex", 0))
        if strategy == "INTERSECTING_LOCATION":
            return bool(mine["startIndex"] < b and a < mine["endIndex"])
        return bool((mine["startIndex"], mine["endIndex"]) == (a, b))
    return True


def metadata_matches(ss: Spreadsheet, meta: dict[str, Any], data_filter: dict[str, Any]) -> bool:
    """Whether developer metadata ``meta`` matches a DataFilter."""
    lookup = data_filter.get("developerMetadataLookup")
    if lookup is not None:
        if "metadataId" in lookup and int(lookup["metadataId"]) != meta["metadataId"]:
            return False
        if "metadataKey" in lookup and lookup["metadataKey"] != meta.get("metadataKey"):
            return False
        if "metadataValue" in lookup and lookup["metadataValue"] != meta.get("metadataValue"):
            return False
        if "visibility" in lookup and lookup["visibility"] not in (
            "DEVELOPER_METADATA_VISIBILITY_UNSPECIFIED",
            meta.get("visibility"),
        ):
            return False
        if "locationType" in lookup and lookup["locationType"] not in (
            "DEVELOPER_METADATA_LOCATION_TYPE_UNSPECIFIED",
            meta["location"].get("locationType"),
        ):
            return False
        if "metadataLocation" in lookup:
            strategy = lookup.get("locationMatchingStrategy", "EXACT_LOCATION")
            if not _location_matches(meta["location"], lookup["metadataLocation"], strategy):
                return False
        return True
    box: tuple[Sheet, int, int, int, int] | None = None
    if "gridRange" in data_filter:
        box = ss.grid_range(data_filter["gridRange"])
    elif "a1Range" in data_filter:
        box = ss.resolve_range(data_filter["a1Range"])
    if box is None:
        return False
    sheet, r0, r1, c0, c1 = box
    loc = meta["location"]
    dr = loc.get("dimensionRange")
    if dr is None or int(dr.get("sheetId", 0)) != sheet.sheet_id:
        return "sheetId" in loc and int(loc["sheetId"]) == sheet.sheet_id
    lo, hi = (r0, r1) if dr["dimension"] == "ROWS" else (c0, c1)
    return bool(dr["startIndex"] < hi and lo < dr["endIndex"])


@_handler("createDeveloperMetadata")
def _create_developer_metadata(ctx: _Ctx, req: dict[str, Any]) -> dict[str, Any]:
    meta = copy.deepcopy(req.get("developerMetadata") or {})
    if not meta.get("metadataKey"):
        raise ctx.fail("metadataKey is required.")
    if meta.get("visibility") in (None, "DEVELOPER_METADATA_VISIBILITY_UNSPECIFIED"):
        raise ctx.fail("visibility is required.")
    meta_id = int(meta.get("metadataId") or ctx.ss.new_object_id())
    if any(m["metadataId"] == meta_id for m in ctx.ss.developer_metadata):
        raise ctx.fail(f"Developer metadata with id {meta_id} already exists.")
    stored: dict[str, Any] = {"metadataId": meta_id, "metadataKey": meta["metadataKey"]}
    if "metadataValue" in meta:
        stored["metadataValue"] = meta["metadataValue"]
    stored["location"] = _normalise_location(ctx, meta.get("location"))
    stored["visibility"] = meta["visibility"]
    ctx.ss.developer_metadata.append(stored)
    return {"createDeveloperMetadata": {"developerMetadata": render_metadata(stored)}}


@_handler("updateDeveloperMetadata")
def _update_developer_metadata(ctx: _Ctx, req: dict[str, Any]) -> dict[str, Any]:
    filters = req.get("dataFilters") or []
    if not filters:
        raise ctx.fail("At least one data filter is required.")
    mask = ctx.mask(req.get("fields"), "DeveloperMetadata")
    source = copy.deepcopy(req.get("developerMetadata") or {})
    if "location" in source:
        source["location"] = _normalise_location(ctx, source["location"])
    matched = [m for m in ctx.ss.developer_metadata if any(metadata_matches(ctx.ss, m, f) for f in filters)]
    for meta in matched:
        meta_id = meta["metadataId"]
        apply_update_mask(meta, source, mask)
        meta["metadataId"] = meta_id  # the emulator keeps ids stable
        if not meta.get("metadataKey") or "location" not in meta or "visibility" not in meta:
            raise ctx.fail("metadataKey, location and visibility cannot be cleared.")
    out = [render_metadata(m) for m in matched]
    return {"updateDeveloperMetadata": {"developerMetadata": out} if out else {}}


@_handler("deleteDeveloperMetadata")
def _delete_developer_metadata(ctx: _Ctx, req: dict[str, Any]) -> dict[str, Any]:
    flt = req.get("dataFilter")
    if not flt:
        raise ctx.fail("dataFilter is required.")
    matched = [m for m in ctx.ss.developer_metadata if metadata_matches(ctx.ss, m, flt)]
    ctx.ss.developer_metadata = [m for m in ctx.ss.developer_metadata if m not in matched]
    out = [render_metadata(m) for m in matched]
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": out} if out else {}}


# -- charts -------------------------------------------------------------------------------------


def _chart_sources(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every GridRange a basic chart draws from (its domains' and series' source ranges)."""
    basic = spec.get("basicChart") or {}
    ranges = [d.get("domain", {}) for d in basic.get("domains", [])] + [
        s.get("series", {}) for s in basic.get("series", [])]
    return [src for r in ranges for src in (r.get("sourceRange") or {}).get("sources", [])]


def _embedded_ids(ss: Spreadsheet) -> set[int]:
    return {int(c["chartId"]) for s in ss.sheets for c in s.charts}


@_handler("addChart")
def _add_chart(ctx: _Ctx, req: dict[str, Any]) -> dict[str, Any]:
    chart = copy.deepcopy(req.get("chart") or {})
    ss = ctx.ss
    if "chartId" in chart:
        chart_id = int(chart["chartId"])
        if chart_id in _embedded_ids(ss):
            raise ctx.fail(f"An embedded object with id {chart_id} already exists.")
    else:
        chart_id = ss.new_object_id()
        while chart_id in _embedded_ids(ss):
            chart_id = ss.new_object_id()
    spec = chart.get("spec")
    if not spec:
        raise ctx.fail("chart.spec is required")
    if "basicChart" not in spec:
        raise ApiError(501, f"The emulator draws basic charts only ({ctx.where}).", status="NOT_IMPLEMENTED")
    basic = spec["basicChart"]
    if not basic.get("series"):
        raise ctx.fail("A basic chart needs at least one series.")
    for source in _chart_sources(spec):
        ctx.grid_range(source)  # on a sheet of the spreadsheet, within its grid
    position = chart.get("position") or {}
    overlay = position.get("overlayPosition")
    if overlay is None:
        raise ApiError(501, f"The emulator places charts over a sheet only ({ctx.where}).", status="NOT_IMPLEMENTED")
    anchor = overlay.get("anchorCell") or {}
    sheet = ctx.sheet(anchor.get("sheetId", 0))
    ctx.check_grid(sheet, int(anchor.get("rowIndex", 0)) + 1, int(anchor.get("columnIndex", 0)) + 1)
    overlay.setdefault("offsetXPixels", 0)
    overlay.setdefault("offsetYPixels", 0)
    overlay.setdefault("widthPixels", 600)
    overlay.setdefault("heightPixels", 371)
    stored = {"chartId": chart_id, "spec": spec, "position": {"overlayPosition": overlay}}
    sheet.charts.append(stored)
    return {"addChart": {"chart": copy.deepcopy(stored)}}


@_handler("deleteEmbeddedObject")
def _delete_embedded_object(ctx: _Ctx, req: dict[str, Any]) -> None:
    object_id = int(req.get("objectId", 0))
    for sheet in ctx.ss.sheets:
        for chart in sheet.charts:
            if int(chart["chartId"]) == object_id:
                sheet.charts.remove(chart)
                return None
    raise ctx.fail(f"No embedded object with id: {object_id}")


SUPPORTED_REQUESTS: frozenset[str] = frozenset(_HANDLERS)


def apply_batch_update(
    ss: Spreadsheet, body: dict[str, Any], validator: SchemaValidator
) -> tuple[Spreadsheet, list[dict[str, Any]]]:
    """Apply a validated BatchUpdateSpreadsheetRequest to a copy of ``ss``.

    Returns the updated copy and the replies; raises :class:`ApiError` (leaving ``ss`` as
    it was) when any request fails.
    """
    requests: list[dict[str, Any]] = body.get("requests") or []
    if not requests:
        raise ApiError(400, "Invalid requests: must have at least one request.")
    work = ss.clone()
    replies: list[dict[str, Any]] = []
    for i, request in enumerate(requests):
        kinds = list(request)
        if len(kinds) != 1:
            raise ApiError(
                400,
                f"Invalid requests[{i}]: "
                + ("No request set." if not kinds else "Only one kind of request may be set per request."),
            )
        kind = kinds[0]
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise ApiError(
                501,
                f"The emulator does not implement the {kind} request (requests[{i}]).",
                status="NOT_IMPLEMENTED",
            )
        reply = handler(_Ctx(work, validator, i, kind), request[kind] or {})
        replies.append(reply or {})
    work.recalculate()
    work.touch()
    return work, replies
