"""The ``spreadsheets.values`` methods: get, batchGet, update, batchUpdate, append, clear.

Reads answer like the service: the range is echoed bounded by the grid
(``Sheet1!A1:Z1000``), trailing empty cells and rows are left out, and ``values`` is left
out altogether when the range is empty.  Writes check that the data fits the range
(``Requested writing within range [...], but tried writing to row [3]``) and the grid
(``exceeds grid limits``); ``append`` finds the table in the range the way the service
does and grows the grid when the rows do not fit.
"""

from __future__ import annotations

from typing import Any

from . import a1
from .cellvalues import is_date_format, raw_value, user_entered
from .errors import ApiError
from .model import Sheet, Spreadsheet, cell_is_empty, refresh_cell

__all__ = [
    "batch_clear",
    "batch_get",
    "batch_update",
    "read_cell",
    "values_append",
    "values_clear",
    "values_get",
    "values_update",
]

_DATE_TYPES = ("DATE", "TIME", "DATE_TIME")


def read_cell(cell: dict[str, Any] | None, render: str, dt_render: str) -> Any:
    """The value of one cell in a values response (None for an empty cell)."""
    if not cell:
        return None
    ev = cell.get("effectiveValue")
    uev = cell.get("userEnteredValue") or {}
    if not ev and not uev:
        return None
    if render == "FORMULA" and "formulaValue" in uev:
        return uev["formulaValue"]
    if render == "FORMATTED_VALUE":
        return cell.get("formattedValue", "")
    ev = ev or {}
    if "numberValue" in ev:
        number_format = (cell.get("userEnteredFormat") or {}).get("numberFormat")
        if is_date_format(number_format) and dt_render == "FORMATTED_STRING":
            return cell.get("formattedValue", "")
        value = ev["numberValue"]
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if "stringValue" in ev:
        return ev["stringValue"]
    if "boolValue" in ev:
        return ev["boolValue"]
    if "errorValue" in ev:
        return cell.get("formattedValue", "#ERROR!")
    return None


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    out: list[list[Any]] = []
    for row in rows:
        end = len(row)
        while end and row[end - 1] is None:
            end -= 1
        out.append(["" if v is None else v for v in row[:end]])
    while out and not out[-1]:
        out.pop()
    return out


def value_range(
    ss: Spreadsheet, sheet: Sheet, r0: int, r1: int, c0: int, c1: int, major: str, render: str, dt_render: str
) -> dict[str, Any]:
    """A ValueRange for the bounded range."""
    grid: dict[int, dict[int, Any]] = {}
    for row, col, cell in sheet.iter_cells(r0, r1, c0, c1):
        value = read_cell(cell, render, dt_render)
        if value is not None:
            grid.setdefault(row, {})[col] = value
    major = "COLUMNS" if major == "COLUMNS" else "ROWS"
    out: dict[str, Any] = {"range": ss.format_range(sheet, r0, r1, c0, c1), "majorDimension": major}
    if grid:
        last_row = max(grid)
        last_col = max(max(cols) for cols in grid.values())
        rows = [[grid.get(r, {}).get(c) for c in range(c0, last_col + 1)] for r in range(r0, last_row + 1)]
        if major == "COLUMNS":
            rows = [list(col) for col in zip(*rows, strict=True)]
        values = _trim(rows)
        if values:
            out["values"] = values
    return out


def values_get(ss: Spreadsheet, range_text: str, major: str, render: str, dt_render: str) -> dict[str, Any]:
    sheet, r0, r1, c0, c1 = ss.resolve_range(range_text)
    return value_range(ss, sheet, r0, r1, c0, c1, major, render, dt_render)


def batch_get(ss: Spreadsheet, ranges: list[str], major: str, render: str, dt_render: str) -> dict[str, Any]:
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if ranges:
        out["valueRanges"] = [values_get(ss, r, major, render, dt_render) for r in ranges]
    return out


# ----------------------------------------------------------------------- writing


def _rows_of(body: dict[str, Any]) -> list[list[Any]]:
    values: list[list[Any]] = body.get("values") or []
    if body.get("majorDimension") == "COLUMNS":
        height = max((len(col) for col in values), default=0)
        return [[col[r] if r < len(col) else None for col in values] for r in range(height)]
    return [list(row) for row in values]


def _check_fits(ss: Spreadsheet, sheet: Sheet, r0: int, r1: int, c0: int, c1: int, rows: list[list[Any]]) -> None:
    """Data must fit a multi-cell range; a single cell is only the top-left anchor.

    Either way it must fit the grid (``exceeds grid limits``).
    """
    height = len(rows)
    width = max((len(r) for r in rows), default=0)
    if r1 - r0 == 1 and c1 - c0 == 1:
        if r0 + height > sheet.row_count or c0 + width > sheet.column_count:
            shown = ss.format_range(sheet, r0, r0 + max(height, 1), c0, c0 + max(width, 1)).split("!", 1)[1]
            raise ApiError(
                400,
                f"Range ('{sheet.title}'!{shown}) exceeds grid limits. "
                f"Max rows: {sheet.row_count}, max columns: {sheet.column_count}",
            )
        return
    shown = ss.format_range(sheet, r0, r1, c0, c1)
    if r0 + height > r1:
        raise ApiError(400, f"Requested writing within range [{shown}], but tried writing to row [{r1 + 1}]")
    if c0 + width > c1:
        raise ApiError(
            400, f"Requested writing within range [{shown}], but tried writing to column [{a1.column_letters(c1)}]"
        )


def write_rows(sheet: Sheet, r0: int, c0: int, rows: list[list[Any]], input_option: str) -> set[tuple[int, int]]:
    """Write ``rows`` at (r0, c0) (``None`` skips a cell); return the cells written."""
    written: set[tuple[int, int]] = set()
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is None:
                continue
            r, c = r0 + i, c0 + j
            written.add((r, c))
            if input_option == "USER_ENTERED":
                uev, auto_format = user_entered(value)
            else:
                uev, auto_format = raw_value(value), None
            cell = sheet.cell_for_write(r, c)
            if uev is None:
                cell.pop("userEnteredValue", None)
            else:
                cell["userEnteredValue"] = uev
                if auto_format is not None:
                    fmt = cell.setdefault("userEnteredFormat", {})
                    current = fmt.get("numberFormat")
                    if current is None or (
                        (current.get("type") in _DATE_TYPES) != (auto_format["type"] in _DATE_TYPES)
                    ):
                        fmt["numberFormat"] = auto_format
            refresh_cell(cell)
            if cell_is_empty(cell):
                sheet.prune(r, c)
    return written


def _update_result(
    ss: Spreadsheet,
    sheet: Sheet,
    r0: int,
    c0: int,
    rows: list[list[Any]],
    written: set[tuple[int, int]],
    include_values: bool,
    major: str,
    render: str,
    dt_render: str,
) -> dict[str, Any]:
    height = len(rows)
    width = max((len(r) for r in rows), default=0)
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if height and width:
        out["updatedRange"] = ss.format_range(sheet, r0, r0 + height, c0, c0 + width)
        # the counts are of the cells actually written (None values skip a cell)
        out["updatedRows"] = len({r for r, _ in written})
        out["updatedColumns"] = len({c for _, c in written})
        out["updatedCells"] = len(written)
        if include_values:
            out["updatedData"] = value_range(ss, sheet, r0, r0 + height, c0, c0 + width, major, render, dt_render)
    elif include_values:
        out["updatedData"] = {"range": ss.format_range(sheet, r0, r0 + 1, c0, c0 + 1), "majorDimension": "ROWS"}
    return out


def _require_input_option(option: str | None) -> str:
    if not option or option == "INPUT_VALUE_OPTION_UNSPECIFIED":
        raise ApiError(400, "'valueInputOption' is required but not specified")
    return option


def _check_body_range(body: dict[str, Any], range_text: str) -> None:
    given = body.get("range")
    if given is not None and given != range_text:
        raise ApiError(
            400,
            f"Invalid values[0] range: Requested range [{given}] must match the range in the URL [{range_text}].",
        )


def values_update(
    ss: Spreadsheet,
    range_text: str,
    body: dict[str, Any],
    input_option: str | None,
    include_values: bool = False,
    render: str = "FORMATTED_VALUE",
    dt_render: str = "SERIAL_NUMBER",
) -> dict[str, Any]:
    option = _require_input_option(input_option)
    _check_body_range(body, range_text)
    sheet, r0, r1, c0, c1 = ss.resolve_range(range_text)
    rows = _rows_of(body)
    _check_fits(ss, sheet, r0, r1, c0, c1, rows)
    written = write_rows(sheet, r0, c0, rows, option)
    return _update_result(ss, sheet, r0, c0, rows, written, include_values, "ROWS", render, dt_render)


def batch_update(ss: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    option = _require_input_option(body.get("valueInputOption"))
    include = bool(body.get("includeValuesInResponse"))
    render = body.get("responseValueRenderOption", "FORMATTED_VALUE")
    dt_render = body.get("responseDateTimeRenderOption", "SERIAL_NUMBER")
    data: list[dict[str, Any]] = body.get("data") or []
    planned = []
    for i, vr in enumerate(data):
        if "range" not in vr:
            raise ApiError(400, f"Invalid data[{i}]: No range specified.")
        sheet, r0, r1, c0, c1 = ss.resolve_range(vr["range"])
        rows = _rows_of(vr)
        _check_fits(ss, sheet, r0, r1, c0, c1, rows)
        planned.append((sheet, r0, c0, rows))
    responses = []
    cells: set[tuple[int, int, int]] = set()
    for sheet, r0, c0, rows in planned:
        written = write_rows(sheet, r0, c0, rows, option)
        responses.append(_update_result(ss, sheet, r0, c0, rows, written, include, "ROWS", render, dt_render))
        cells |= {(sheet.sheet_id, r, c) for r, c in written}
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if responses:
        # totals count distinct rows, columns and cells over all the ranges
        out.update(
            {
                "totalUpdatedRows": len({(s, r) for s, r, _ in cells}),
                "totalUpdatedColumns": len({(s, c) for s, _, c in cells}),
                "totalUpdatedCells": len(cells),
                "totalUpdatedSheets": len({s for s, _, _ in cells}),
                "responses": responses,
            }
        )
    return out


def _find_table(sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> tuple[int, int, int, int] | None:
    """The table (bounding box, end-exclusive) the service appends after.

    The service starts from the last value inside the range and takes the data region
    around it (its "current region": the box grows while a neighbouring row or column,
    diagonals included, holds a value; the region may reach beyond the range).  So
    ``A1`` appends below the table that starts at A1, and a first row ``x, "", y``
    appends under ``y`` (as recorded from the real service).
    """
    last: tuple[int, int] | None = None
    for row, col, cell in sheet.iter_cells(r0, r1, c0, c1):
        if cell.get("userEnteredValue"):
            last = (row, col)
    if last is None:
        return None
    top, bottom, left, right = last[0], last[0] + 1, last[1], last[1] + 1
    rows, cols = sheet.row_count, sheet.column_count

    def any_value(ra: int, rb: int, ca: int, cb: int) -> bool:
        ra, rb, ca, cb = max(ra, 0), min(rb, rows), max(ca, 0), min(cb, cols)
        if ra >= rb or ca >= cb:
            return False
        return any(cell.get("userEnteredValue") for _, _, cell in sheet.iter_cells(ra, rb, ca, cb))

    while True:
        grown = False
        if top > 0 and any_value(top - 1, top, left - 1, right + 1):
            top -= 1
            grown = True
        if bottom < rows and any_value(bottom, bottom + 1, left - 1, right + 1):
            bottom += 1
            grown = True
        if left > 0 and any_value(top - 1, bottom + 1, left - 1, left):
            left -= 1
            grown = True
        if right < cols and any_value(top - 1, bottom + 1, right, right + 1):
            right += 1
            grown = True
        if not grown:
            return top, bottom, left, right


def insert_rows(ss: Spreadsheet, sheet: Sheet, at: int, count: int) -> None:
    """Insert ``count`` empty rows before row ``at`` (used by append's INSERT_ROWS)."""
    from .batch import shift_dimension  # local import: batch builds on this module

    shift_dimension(ss, sheet, "ROWS", "insert", at, count)


def values_append(
    ss: Spreadsheet,
    range_text: str,
    body: dict[str, Any],
    input_option: str | None,
    insert_option: str | None = None,
    include_values: bool = False,
    render: str = "FORMATTED_VALUE",
    dt_render: str = "SERIAL_NUMBER",
) -> dict[str, Any]:
    option = _require_input_option(input_option)
    _check_body_range(body, range_text)
    sheet, r0, r1, c0, c1 = ss.resolve_range(range_text)
    rows = _rows_of(body)
    table = _find_table(sheet, r0, r1, c0, c1)
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if table is None:
        start_row, start_col = r0, c0
    else:
        top, bottom, left, right = table
        out["tableRange"] = ss.format_range(sheet, top, bottom, left, right)
        start_row, start_col = bottom, left
    height = len(rows)
    width = max((len(r) for r in rows), default=0)
    if insert_option == "INSERT_ROWS" and height and start_row < sheet.row_count:
        insert_rows(ss, sheet, start_row, height)
    if start_row + height > sheet.row_count:
        sheet.grid["rowCount"] = start_row + height
    if start_col + width > sheet.column_count:
        sheet.grid["columnCount"] = start_col + width
    ss.check_cell_limit("")
    written = write_rows(sheet, start_row, start_col, rows, option)
    out["updates"] = _update_result(
        ss, sheet, start_row, start_col, rows, written, include_values, "ROWS", render, dt_render
    )
    return out


def values_clear(ss: Spreadsheet, range_text: str) -> dict[str, Any]:
    sheet, r0, r1, c0, c1 = ss.resolve_range(range_text)
    _clear(sheet, r0, r1, c0, c1)
    return {"spreadsheetId": ss.id, "clearedRange": ss.format_range(sheet, r0, r1, c0, c1)}


def _clear(sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> None:
    for row, col, found in list(sheet.iter_cells(r0, r1, c0, c1)):
        if "userEnteredValue" not in found:
            continue
        cell = sheet.cell_for_write(row, col)
        cell.pop("userEnteredValue", None)
        refresh_cell(cell)
        sheet.prune(row, col)


def batch_clear(ss: Spreadsheet, ranges: list[str]) -> dict[str, Any]:
    resolved = [ss.resolve_range(r) for r in ranges]
    cleared = []
    for sheet, r0, r1, c0, c1 in resolved:
        _clear(sheet, r0, r1, c0, c1)
        cleared.append(ss.format_range(sheet, r0, r1, c0, c1))
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if cleared:
        out["clearedRanges"] = cleared
    return out
