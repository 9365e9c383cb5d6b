"""The state of emulated spreadsheets, stored the way the Sheets service models it.

A :class:`Spreadsheet` holds its properties, named ranges, developer metadata and a list
of :class:`Sheet`.  A sheet keeps its ``SheetProperties``, a sparse grid of ``CellData``
objects (``userEnteredValue``, ``effectiveValue``, ``formattedValue``,
``userEnteredFormat``, ``note``, ``dataValidation``...), per-row and per-column
``DimensionProperties``, merges, protected ranges, conditional formats, a basic filter and
row/column groups.

:meth:`Spreadsheet.to_json` renders it as ``spreadsheets.get`` answers: empty cells and
trailing rows are left out of ``rowData``, ``sheetId`` 0 is left out of ``GridRange``
objects, false booleans and zero counts are left out of the properties, and so on.
"""

from __future__ import annotations

import copy
import datetime as _dt
import random
import string
from collections.abc import Iterator
from typing import Any

from . import a1
from .cellvalues import formatted_value
from .errors import ApiError
from .formula import CellRef, FormulaError, RangeRef, Value, evaluate

__all__ = [
    "CELL_LIMIT",
    "DEFAULT_COLUMN_PX",
    "DEFAULT_ROW_PX",
    "Sheet",
    "Spreadsheet",
    "effective_value_of",
    "new_spreadsheet_id",
]

#: The most cells a spreadsheet may hold (all sheets together).
CELL_LIMIT = 10_000_000
DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26
DEFAULT_ROW_PX = 21
DEFAULT_COLUMN_PX = 100

DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}

DEFAULT_THEME: dict[str, Any] = {
    "primaryFontFamily": "Arial",
    "themeColors": [
        {"colorType": "TEXT", "color": {"rgbColor": {}}},
        {"colorType": "BACKGROUND", "color": {"rgbColor": {"red": 1, "green": 1, "blue": 1}}},
        {"colorType": "ACCENT1", "color": {"rgbColor": {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}}},
        {"colorType": "ACCENT2", "color": {"rgbColor": {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}}},
        {"colorType": "ACCENT3", "color": {"rgbColor": {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}}},
        {"colorType": "ACCENT4", "color": {"rgbColor": {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}}},
        {"colorType": "ACCENT5", "color": {"rgbColor": {"red": 1, "green": 0.42745098, "blue": 0.003921569}}},
        {"colorType": "ACCENT6", "color": {"rgbColor": {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}}},
        {"colorType": "LINK", "color": {"rgbColor": {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}}},
    ],
}

_ID_ALPHABET = string.ascii_letters + string.digits + "-_"


def new_spreadsheet_id(rng: random.Random) -> str:
    """A 44-character id shaped like Google's."""
    return "1" + "".join(rng.choice(_ID_ALPHABET) for _ in range(43))


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _grid_range_json(sheet_id: int, r0: int | None, r1: int | None, c0: int | None, c1: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if sheet_id:
        out["sheetId"] = sheet_id
    if r0 is not None:
        out["startRowIndex"] = r0
    if r1 is not None:
        out["endRowIndex"] = r1
    if c0 is not None:
        out["startColumnIndex"] = c0
    if c1 is not None:
        out["endColumnIndex"] = c1
    return out


def clean_grid_range(gr: dict[str, Any]) -> dict[str, Any]:
    """A GridRange as the API prints it (``sheetId`` 0 left out)."""
    out = dict(gr)
    if not out.get("sheetId"):
        out.pop("sheetId", None)
    return out


def json_copy(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists, scalars); much faster than deepcopy."""
    if type(value) is dict:
        return {k: json_copy(v) for k, v in value.items()}
    if type(value) is list:
        return [json_copy(v) for v in value]
    return value


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` merged into ``base`` recursively, sharing the values it does not change.

    Only for building answers, which are serialised and never changed in place.
    """
    out = dict(base)
    for key, value in over.items():
        below = out.get(key)
        out[key] = _merged(below, value) if isinstance(value, dict) and isinstance(below, dict) else value
    return out


def effective_value_of(cell: dict[str, Any] | None) -> Value:
    """The effective value of a stored cell as a formula operand."""
    if not cell:
        return None
    ev = cell.get("effectiveValue")
    if not ev:
        return None
    if "numberValue" in ev:
        return float(ev["numberValue"])
    if "stringValue" in ev:
        return str(ev["stringValue"])
    if "boolValue" in ev:
        return bool(ev["boolValue"])
    if "errorValue" in ev:
        err = ev["errorValue"]
        return FormulaError(err.get("type", "ERROR"), err.get("message", ""))
    return None


def refresh_cell(cell: dict[str, Any]) -> None:
    """Recompute ``effectiveValue``/``formattedValue`` of a cell holding a literal."""
    uev = cell.get("userEnteredValue")
    if not uev:
        cell.pop("userEnteredValue", None)
        cell.pop("effectiveValue", None)
        cell.pop("formattedValue", None)
        return
    if "formulaValue" in uev:
        ev = cell.get("effectiveValue")
    else:
        ev = dict(uev)
        cell["effectiveValue"] = ev
    number_format = (cell.get("userEnteredFormat") or {}).get("numberFormat")
    if ev:
        text = formatted_value(ev, number_format)
        if text is not None:
            cell["formattedValue"] = text
        else:
            cell.pop("formattedValue", None)


def cell_is_empty(cell: dict[str, Any] | None) -> bool:
    return not cell or not any(v not in (None, {}, []) for v in cell.values())


class Sheet:
    """One grid sheet."""

    def __init__(self, properties: dict[str, Any]) -> None:
        self.properties = properties
        self.cells: dict[int, dict[int, dict[str, Any]]] = {}
        # Copy on write: a clone shares its cell objects with the original until it
        # writes one; ``_owned`` holds the ids of the cell objects this sheet may change.
        self._shared = False
        self._owned: set[int] = set()
        self.row_meta: dict[int, dict[str, Any]] = {}
        self.col_meta: dict[int, dict[str, Any]] = {}
        self.merges: list[dict[str, Any]] = []
        self.protected_ranges: list[dict[str, Any]] = []
        self.conditional_formats: list[dict[str, Any]] = []
        self.basic_filter: dict[str, Any] | None = None
        self.row_groups: list[dict[str, Any]] = []
        self.column_groups: list[dict[str, Any]] = []
        self.charts: list[dict[str, Any]] = []  # EmbeddedChart resources floating over the sheet

    # -- properties -----------------------------------------------------------

    @property
    def sheet_id(self) -> int:
        return int(self.properties.get("sheetId", 0))

    @property
    def title(self) -> str:
        return str(self.properties.get("title", ""))

    @property
    def grid(self) -> dict[str, Any]:
        grid: dict[str, Any] = self.properties.setdefault("gridProperties", {})
        return grid

    @property
    def row_count(self) -> int:
        return int(self.grid.get("rowCount", 0))

    @property
    def column_count(self) -> int:
        return int(self.grid.get("columnCount", 0))

    @property
    def hidden(self) -> bool:
        return bool(self.properties.get("hidden"))

    # -- cells ----------------------------------------------------------------

    def cell(self, row: int, col: int) -> dict[str, Any] | None:
        return self.cells.get(row, {}).get(col)

    def cell_for_write(self, row: int, col: int) -> dict[str, Any]:
        """The cell at (row, col), created if absent, that this sheet may change in place."""
        cols = self.cells.setdefault(row, {})
        cell = cols.get(col)
        if cell is None:
            cell = cols[col] = {}
            if self._shared:
                self._owned.add(id(cell))
        elif self._shared and id(cell) not in self._owned:
            cell = cols[col] = json_copy(cell)
            self._owned.add(id(cell))
        return cell

    def clone(self) -> Sheet:
        """A copy whose cells are shared until written (see :meth:`cell_for_write`)."""
        twin = Sheet(json_copy(self.properties))
        twin.cells = {row: dict(cols) for row, cols in self.cells.items()}
        twin._shared = True
        twin.row_meta = json_copy(self.row_meta)
        twin.col_meta = json_copy(self.col_meta)
        twin.merges = json_copy(self.merges)
        twin.protected_ranges = json_copy(self.protected_ranges)
        twin.conditional_formats = json_copy(self.conditional_formats)
        twin.basic_filter = json_copy(self.basic_filter)
        twin.row_groups = json_copy(self.row_groups)
        twin.column_groups = json_copy(self.column_groups)
        twin.charts = json_copy(self.charts)
        return twin

    def detached_copy(self) -> Sheet:
        """A full copy that shares nothing (for duplicating a sheet)."""
        twin = self.clone()
        twin._shared = False
        twin.cells = {row: {col: json_copy(cell) for col, cell in cols.items()} for row, cols in self.cells.items()}
        return twin

    def prune(self, row: int, col: int) -> None:
        """Drop the cell at (row, col) when nothing is left in it."""
        cols = self.cells.get(row)
        if cols is None:
            return
        if cell_is_empty(cols.get(col)):
            cols.pop(col, None)
        if not cols:
            self.cells.pop(row, None)

    def iter_cells(self, r0: int, r1: int, c0: int, c1: int) -> Iterator[tuple[int, int, dict[str, Any]]]:
        """The stored cells inside the range, row by row (a snapshot of the keys)."""
        if r1 - r0 <= len(self.cells):
            rows = [r for r in range(r0, r1) if r in self.cells]
        else:
            rows = sorted(r for r in self.cells if r0 <= r < r1)
        for row in rows:
            cols = self.cells.get(row)
            if not cols:
                continue
            if c1 - c0 <= len(cols):
                keys = [c for c in range(c0, c1) if c in cols]
            else:
                keys = sorted(c for c in cols if c0 <= c < c1)
            for col in keys:
                cell = cols.get(col)
                if cell is not None:
                    yield row, col, cell

    def has_value(self, row: int, col: int) -> bool:
        cell = self.cell(row, col)
        return bool(cell and cell.get("userEnteredValue"))

    def last_row_with_data(self) -> int:
        """Index of the last row holding a value (-1 for none)."""
        rows = [r for r, cols in self.cells.items() if any(c.get("userEnteredValue") for c in cols.values())]
        return max(rows, default=-1)

    def truncate(self) -> None:
        """Drop what lies outside the grid after it shrank."""
        rows, cols = self.row_count, self.column_count
        for row in [r for r in self.cells if r >= rows]:
            del self.cells[row]
        for row_cells in self.cells.values():
            for col in [c for c in row_cells if c >= cols]:
                del row_cells[col]
        for row in [r for r in self.row_meta if r >= rows]:
            del self.row_meta[row]
        for col in [c for c in self.col_meta if c >= cols]:
            del self.col_meta[col]

    # -- rendering ------------------------------------------------------------

    def properties_json(self) -> dict[str, Any]:
        props = copy.deepcopy(self.properties)
        grid = props.get("gridProperties", {})
        for key in ("frozenRowCount", "frozenColumnCount"):
            if not grid.get(key):
                grid.pop(key, None)
        for key in ("hideGridlines", "rowGroupControlAfter", "columnGroupControlAfter"):
            if grid.get(key) is False:
                grid.pop(key)
        for key in ("hidden", "rightToLeft"):
            if props.get(key) is False:
                props.pop(key)
        order = [
            "sheetId",
            "title",
            "index",
            "sheetType",
            "gridProperties",
            "hidden",
            "tabColor",
            "tabColorStyle",
            "rightToLeft",
        ]
        return {k: props[k] for k in sorted(props, key=lambda k: order.index(k) if k in order else len(order))}

    def dimension_json(self, dim: str, index: int, metadata: list[dict[str, Any]]) -> dict[str, Any]:
        meta = (self.row_meta if dim == "ROWS" else self.col_meta).get(index, {})
        out: dict[str, Any] = {}
        if meta.get("hiddenByUser"):
            out["hiddenByUser"] = True
        if meta.get("hiddenByFilter"):
            out["hiddenByFilter"] = True
        out["pixelSize"] = meta.get("pixelSize", DEFAULT_ROW_PX if dim == "ROWS" else DEFAULT_COLUMN_PX)
        located = [
            m
            for m in metadata
            if m["location"].get("dimensionRange", {}).get("dimension") == dim
            and int(m["location"]["dimensionRange"].get("sheetId", 0)) == self.sheet_id
            and m["location"]["dimensionRange"].get("startIndex", 0)
            <= index
            < m["location"]["dimensionRange"].get("endIndex", 0)
        ]
        if located:
            out["developerMetadata"] = [render_metadata(m) for m in located]
        return out

    def grid_data_json(
        self, r0: int, r1: int, c0: int, c1: int, default_format: dict[str, Any], metadata: list[dict[str, Any]]
    ) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if r0:
            data["startRow"] = r0
        if c0:
            data["startColumn"] = c0
        rows: dict[int, dict[int, dict[str, Any]]] = {}
        for row, col, cell in self.iter_cells(r0, r1, c0, c1):
            if not cell_is_empty(cell):
                rows.setdefault(row, {})[col] = cell
        if rows:
            row_data: list[dict[str, Any]] = []
            for row in range(r0, max(rows) + 1):
                cols = rows.get(row)
                if not cols:
                    row_data.append({})
                    continue
                values = [
                    render_cell(cols[col], default_format) if col in cols else {} for col in range(c0, max(cols) + 1)
                ]
                row_data.append({"values": values})
            data["rowData"] = row_data
        data["rowMetadata"] = [self.dimension_json("ROWS", r, metadata) for r in range(r0, r1)]
        data["columnMetadata"] = [self.dimension_json("COLUMNS", c, metadata) for c in range(c0, c1)]
        return data


_CELL_ORDER = [
    "userEnteredValue",
    "effectiveValue",
    "formattedValue",
    "userEnteredFormat",
    "effectiveFormat",
    "hyperlink",
    "note",
    "textFormatRuns",
    "dataValidation",
    "pivotTable",
]


def render_cell(cell: dict[str, Any], default_format: dict[str, Any]) -> dict[str, Any]:
    """A stored cell as the API prints it (with a simplified ``effectiveFormat``)."""
    out = dict(cell)
    if out.get("userEnteredValue") or out.get("userEnteredFormat"):
        effective = _merged(default_format, out.get("userEnteredFormat") or {})
        ev = out.get("effectiveValue") or {}
        if "horizontalAlignment" not in effective and ev:
            effective["horizontalAlignment"] = "RIGHT" if "numberValue" in ev else "LEFT"
        effective.setdefault("hyperlinkDisplayType", "PLAIN_TEXT")
        out["effectiveFormat"] = effective
    return {
        k: out[k] for k in sorted(out, key=lambda k: _CELL_ORDER.index(k) if k in _CELL_ORDER else len(_CELL_ORDER))
    }


def render_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(meta)
    loc = out.get("location", {})
    if "dimensionRange" in loc:
        dr = loc["dimensionRange"]
        if not dr.get("sheetId"):
            dr.pop("sheetId", None)
    return out


class Spreadsheet:
    """One spreadsheet with its sheets."""

    def __init__(self, spreadsheet_id: str, title: str, rng: random.Random) -> None:
        self.id = spreadsheet_id
        self.rng = rng
        self.properties: dict[str, Any] = {
            "title": title,
            "locale": "en_US",
            "autoRecalc": "ON_CHANGE",
            "timeZone": "Etc/GMT",
            "defaultFormat": copy.deepcopy(DEFAULT_FORMAT),
            "spreadsheetTheme": copy.deepcopy(DEFAULT_THEME),
        }
        self.sheets: list[Sheet] = []
        #: The e-mail of the owner, listed first among the editors of protected ranges.
        self.owner = ""
        self.named_ranges: list[dict[str, Any]] = []
        self.developer_metadata: list[dict[str, Any]] = []
        self.created_time = _now()
        self.modified_time = self.created_time

    def clone(self) -> Spreadsheet:
        """A working copy for a change that may fail (the original stays as it was)."""
        twin = Spreadsheet.__new__(Spreadsheet)
        twin.id = self.id
        twin.rng = self.rng
        twin.properties = json_copy(self.properties)
        twin.sheets = [sheet.clone() for sheet in self.sheets]
        twin.owner = self.owner
        twin.named_ranges = json_copy(self.named_ranges)
        twin.developer_metadata = json_copy(self.developer_metadata)
        twin.created_time = self.created_time
        twin.modified_time = self.modified_time
        return twin

    def touch(self) -> None:
        self.modified_time = _now()

    # -- ids --------------------------------------------------------------------

    def new_sheet_id(self) -> int:
        used = {s.sheet_id for s in self.sheets}
        while True:
            candidate = self.rng.randrange(1, 2**31 - 1)
            if candidate not in used:
                return candidate

    def new_object_id(self) -> int:
        return self.rng.randrange(1, 2**31 - 1)

    # -- lookup -----------------------------------------------------------------

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def sheet_by_title(self, title: str) -> Sheet | None:
        exact = next((s for s in self.sheets if s.title == title), None)
        if exact is not None:
            return exact
        low = title.lower()
        return next((s for s in self.sheets if s.title.lower() == low), None)

    def ordered_sheets(self) -> list[Sheet]:
        return sorted(self.sheets, key=lambda s: int(s.properties.get("index", 0)))

    def reindex(self) -> None:
        for i, sheet in enumerate(self.ordered_sheets()):
            sheet.properties["index"] = i

    def total_cells(self) -> int:
        return sum(s.row_count * s.column_count for s in self.sheets)

    def check_cell_limit(self, where: str) -> None:
        if self.total_cells() > CELL_LIMIT:
            raise ApiError(
                400,
                f"{where}This action would increase the number of cells in the workbook above "
                f"the limit of {CELL_LIMIT} cells.",
            )

    def resolve_range(self, text: str, *, allow_beyond: bool = False) -> tuple[Sheet, int, int, int, int]:
        """An A1 range -> (sheet, r0, r1, c0, c1), bounded by the grid.

        Raises the service's 400s: ``Unable to parse range`` and ``exceeds grid limits``.
        """
        try:
            parsed = a1.parse_range(text)
        except a1.RangeSyntaxError:
            # 'Sheet1'!MyRange names a named range too
            title, _, rest = text.rpartition("!")
            named = next((n for n in self.named_ranges if n["name"].lower() == rest.strip().lower()), None)
            if title and named is not None:
                return self.grid_range(named["range"])
            raise ApiError(400, f"Unable to parse range: {text}") from None
        if not parsed.cells:
            assert parsed.sheet is not None
            sheet = self.sheet_by_title(parsed.sheet) if parsed.sheet is not None else None
            if sheet is not None:
                return sheet, 0, sheet.row_count, 0, sheet.column_count
            named = next((n for n in self.named_ranges if n["name"].lower() == parsed.sheet.lower()), None)
            if named is not None:
                return self.grid_range(named["range"])
            raise ApiError(400, f"Unable to parse range: {text}")
        if parsed.sheet is None:
            visible = [s for s in self.ordered_sheets() if not s.hidden] or self.ordered_sheets()
            sheet = visible[0]
        else:
            found = self.sheet_by_title(parsed.sheet)
            if found is None:
                raise ApiError(400, f"Unable to parse range: {text}")
            sheet = found
        r0 = parsed.start_row or 0
        c0 = parsed.start_col or 0
        r1 = parsed.end_row if parsed.end_row is not None else max(sheet.row_count, r0 + 1)
        c1 = parsed.end_col if parsed.end_col is not None else max(sheet.column_count, c0 + 1)
        if not allow_beyond and (r1 > sheet.row_count or c1 > sheet.column_count):
            shown = a1.format_range(sheet.title, r0, r1, c0, c1).split("!", 1)[1]
            raise ApiError(
                400,
                f"Range ('{sheet.title}'!{shown}) exceeds grid limits. "
                f"Max rows: {sheet.row_count}, max columns: {sheet.column_count}",
            )
        return sheet, r0, r1, c0, c1

    def grid_range(self, gr: dict[str, Any]) -> tuple[Sheet, int, int, int, int]:
        """A GridRange -> (sheet, r0, r1, c0, c1) with open ends closed by the grid."""
        sheet = self.sheet_by_id(int(gr.get("sheetId", 0)))
        if sheet is None:
            raise ApiError(400, f"No grid with id: {gr.get('sheetId', 0)}")
        r0 = int(gr.get("startRowIndex", 0))
        c0 = int(gr.get("startColumnIndex", 0))
        r1 = int(gr.get("endRowIndex", sheet.row_count))
        c1 = int(gr.get("endColumnIndex", sheet.column_count))
        return sheet, r0, r1, c0, c1

    def format_range(self, sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> str:
        return a1.format_range(sheet.title, r0, r1, c0, c1)

    # -- formulas ---------------------------------------------------------------

    def recalculate(self) -> None:
        """Evaluate every formula cell again (after each change, as ``ON_CHANGE`` does)."""
        formula_cells: list[tuple[Sheet, int, int, dict[str, Any]]] = []
        for sheet in self.sheets:
            for row, cols in sheet.cells.items():
                for col, cell in cols.items():
                    if "formulaValue" in (cell.get("userEnteredValue") or {}):
                        formula_cells.append((sheet, row, col, cell))
        if not formula_cells:
            return
        results: dict[tuple[int, int, int], Value] = {}
        in_progress: set[tuple[int, int, int]] = set()

        def value_at(sheet: Sheet, row: int, col: int) -> Value:
            if row >= sheet.row_count or col >= sheet.column_count:
                return FormulaError("REF", "Reference is out of the grid.")
            key = (sheet.sheet_id, row, col)
            cell = sheet.cell(row, col)
            uev = (cell or {}).get("userEnteredValue") or {}
            if "formulaValue" not in uev:
                return effective_value_of(cell)
            if key in results:
                return results[key]
            if key in in_progress:
                return FormulaError(
                    "REF",
                    "Circular dependency detected. To resolve with iterative calculation, see File > Settings.",
                )
            in_progress.add(key)

            def resolve_sheet(name: str | None) -> Sheet | None:
                return sheet if name is None else self.sheet_by_title(name)

            def one(ref: CellRef) -> Value:
                target = resolve_sheet(ref.sheet)
                if target is None:
                    return FormulaError("REF", f"Unresolved sheet name '{ref.sheet}'.")
                return value_at(target, ref.row, ref.col)

            def many(ref: RangeRef) -> list[Value]:
                target = resolve_sheet(ref.sheet)
                if target is None:
                    return [FormulaError("REF", f"Unresolved sheet name '{ref.sheet}'.")]
                out: list[Value] = []
                for r in range(ref.start_row, min(ref.end_row, target.row_count)):
                    for c in range(ref.start_col, min(ref.end_col, target.column_count)):
                        out.append(value_at(target, r, c))
                return out

            value = evaluate(uev["formulaValue"], one, many)
            in_progress.discard(key)
            results[key] = value
            return value

        for sheet, row, col, _ in formula_cells:
            value = value_at(sheet, row, col)
            cell = sheet.cell_for_write(row, col)
            if isinstance(value, FormulaError):
                cell["effectiveValue"] = {"errorValue": {"type": value.kind, "message": value.message}}
            elif isinstance(value, bool):
                cell["effectiveValue"] = {"boolValue": value}
            elif isinstance(value, str):
                cell["effectiveValue"] = {"stringValue": value}
            else:
                number = float(value or 0.0)
                cell["effectiveValue"] = {
                    "numberValue": int(number) if number.is_integer() and abs(number) < 2**53 else number
                }
            refresh_cell(cell)

    # -- rendering --------------------------------------------------------------

    def url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.id}/edit"

    def metadata_json(self, location_type: str, sheet_id: int | None = None) -> list[dict[str, Any]]:
        out = []
        for meta in self.developer_metadata:
            loc = meta["location"]
            on_spreadsheet = location_type == "SPREADSHEET" and loc.get("spreadsheet")
            on_sheet = location_type == "SHEET" and "sheetId" in loc and int(loc["sheetId"]) == sheet_id
            if on_spreadsheet or on_sheet:
                out.append(render_metadata(meta))
        return out

    def sheet_json(self, sheet: Sheet, data_ranges: list[tuple[int, int, int, int]] | None) -> dict[str, Any]:
        out: dict[str, Any] = {"properties": sheet.properties_json()}
        if data_ranges is not None:
            out["data"] = [
                sheet.grid_data_json(r0, r1, c0, c1, self.properties["defaultFormat"], self.developer_metadata)
                for r0, r1, c0, c1 in data_ranges
            ]
        if sheet.merges:
            out["merges"] = [clean_grid_range(m) for m in sheet.merges]
        if sheet.conditional_formats:
            rules = copy.deepcopy(sheet.conditional_formats)
            for rule in rules:
                rule["ranges"] = [clean_grid_range(r) for r in rule.get("ranges", [])]
            out["conditionalFormats"] = rules
        if sheet.protected_ranges:
            prs = copy.deepcopy(sheet.protected_ranges)
            for pr in prs:
                if "range" in pr:
                    pr["range"] = clean_grid_range(pr["range"])
                editors = pr.setdefault("editors", {})
                users = [u for u in editors.get("users", []) if u.lower() != self.owner.lower()]
                editors["users"] = ([self.owner] if self.owner else []) + users
                if not editors["users"]:
                    del editors["users"]
            out["protectedRanges"] = prs
        if sheet.basic_filter is not None:
            bf = copy.deepcopy(sheet.basic_filter)
            bf["range"] = clean_grid_range(bf.get("range", {}))
            out["basicFilter"] = bf
        metadata = self.metadata_json("SHEET", sheet.sheet_id)
        if metadata:
            out["developerMetadata"] = metadata
        if sheet.row_groups:
            out["rowGroups"] = [_group_json(g) for g in sheet.row_groups]
        if sheet.column_groups:
            out["columnGroups"] = [_group_json(g) for g in sheet.column_groups]
        if sheet.charts:
            out["charts"] = copy.deepcopy(sheet.charts)
        return out

    def to_json(
        self,
        *,
        include_grid_data: bool = False,
        ranges: list[tuple[Sheet, int, int, int, int]] | None = None,
    ) -> dict[str, Any]:
        """The ``Spreadsheet`` resource as ``spreadsheets.get`` answers it."""
        sheets_out: list[dict[str, Any]] = []
        if ranges:
            by_sheet: dict[int, list[tuple[int, int, int, int]]] = {}
            for sheet, r0, r1, c0, c1 in ranges:
                by_sheet.setdefault(sheet.sheet_id, []).append((r0, r1, c0, c1))
            for sheet in self.ordered_sheets():
                if sheet.sheet_id in by_sheet:
                    sheets_out.append(self.sheet_json(sheet, by_sheet[sheet.sheet_id] if include_grid_data else None))
        else:
            for sheet in self.ordered_sheets():
                full = [(0, sheet.row_count, 0, sheet.column_count)] if include_grid_data else None
                sheets_out.append(self.sheet_json(sheet, full))
        out: dict[str, Any] = {
            "spreadsheetId": self.id,
            "properties": copy.deepcopy(self.properties),
            "sheets": sheets_out,
        }
        if self.named_ranges:
            out["namedRanges"] = [
                {**copy.deepcopy(n), "range": clean_grid_range(n["range"])} for n in self.named_ranges
            ]
        out["spreadsheetUrl"] = self.url()
        metadata = self.metadata_json("SPREADSHEET")
        if metadata:
            out["developerMetadata"] = metadata
        return out


def _group_json(group: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(group)
    rng = out.get("range", {})
    if not rng.get("sheetId"):
        rng.pop("sheetId", None)
    if not out.get("collapsed"):
        out.pop("collapsed", None)
    return out


# ------------------------------------------------------------------ range shifting


def shift_for_insert(index: int | None, at: int, count: int, *, is_end: bool) -> int | None:
    """Where a start/end index lands after ``count`` rows/columns are inserted at ``at``."""
    if index is None:
        return None
    if index > at or (index == at and not is_end):
        return index + count
    return index


def shift_for_delete(index: int | None, start: int, end: int) -> int | None:
    """Where an index lands after the rows/columns ``[start, end)`` are deleted."""
    if index is None:
        return None
    if index <= start:
        return index
    if index <= end:
        return start
    return index - (end - start)


def adjust_grid_range(
    gr: dict[str, Any], sheet_id: int, dimension: str, op: str, start: int, end_or_count: int
) -> dict[str, Any] | None:
    """Adjust a GridRange on ``sheet_id`` for an insert/delete; None when it vanished."""
    if int(gr.get("sheetId", 0)) != sheet_id:
        return gr
    lo, hi = ("startRowIndex", "endRowIndex") if dimension == "ROWS" else ("startColumnIndex", "endColumnIndex")
    out = dict(gr)
    a, b = gr.get(lo), gr.get(hi)
    if op == "insert":
        na = shift_for_insert(a, start, end_or_count, is_end=False)
        nb = shift_for_insert(b, start, end_or_count, is_end=True)
    else:
        na = shift_for_delete(a, start, end_or_count)
        nb = shift_for_delete(b, start, end_or_count)
        if na is not None and nb is not None and nb <= na:
            return None
    if na is not None:
        out[lo] = na
    if nb is not None:
        out[hi] = nb
    return out
