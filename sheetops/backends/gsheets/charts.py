"""Native charts (and in-cell sparklines) on a tab sheetops owns, as batchUpdate requests. Pure.

A :class:`~sheetops.layout.ChartSpec` becomes an ``addChart`` request: a basic chart
(columns, bars or lines; a combo when some series are lines over columns) floating over
the tab at its anchor cell, its domain and series pointing at the tab's own cells. They
go in the sync's one batchUpdate, after the tab's cells are written.

sheetops knows its own charts by their ids: it gives every chart it adds an id from a
block of its own (:data:`ID_BLOCK` plus a number from the tab's sheet id and the chart's
place in the layout), so a sync first deletes (``deleteEmbeddedObject``) every chart on
the tab with an id in that block, then adds the new ones. Two ids alternate for each
place, so a chart is never added under the id of one deleted in the same batch. A chart
a person adds to the tab gets a random id from Google and is left alone (the chance that
a random id falls in sheetops' block is 65,536 in 2^31, about 1 in 33,000).

A :class:`~sheetops.layout.Sparkline` is a ``=SPARKLINE(C96:J96)`` formula in its cell:
sheetops composes it itself from a range of its own tab, never from a cell's text.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sheetops.backends.gsheets.bodies import JSON, color
from sheetops.layout import CellRange, ChartSpec, Sparkline, TabLayout

# sheetops' chart ids: ID_BLOCK + 256 * (sheet id mod 128) + 2 * place + 0 or 1.
ID_BLOCK = 0x5E0C0000
ID_SPAN = 0x10000
_TYPES = {"column": "COLUMN", "bar": "BAR", "line": "LINE"}


def is_sheetops_chart(chart_id: int) -> bool:
    return ID_BLOCK <= chart_id < ID_BLOCK + ID_SPAN


def chart_ids(sheet_id: int, place: int) -> tuple[int, int]:
    """The two ids the chart at ``place`` on a tab alternates between."""
    first = ID_BLOCK + 256 * (sheet_id % 128) + 2 * (place % 128)
    return first, first + 1


def chart_requests(tab: TabLayout, sheet_id: int, existing: Iterable[int], taken: Collection[int]) -> list[JSON]:
    """Delete sheetops' charts among ``existing`` (the ids on this tab), add ``tab.charts``,
    and write its sparklines; ``taken``: every chart id in the spreadsheet."""
    requests: list[JSON] = []
    gone = [chart for chart in existing if is_sheetops_chart(chart)]
    requests += [{"deleteEmbeddedObject": {"objectId": chart}} for chart in gone]
    for place, spec in enumerate(tab.charts):
        first, second = chart_ids(sheet_id, place)
        chart_id = second if first in taken else first
        requests.append(add_chart(spec, sheet_id, chart_id))
    requests += [sparkline_request(line, sheet_id) for line in tab.sparklines]
    return requests


def add_chart(spec: ChartSpec, sheet_id: int, chart_id: int) -> JSON:
    """The ``addChart`` request of one chart, floating over the tab at its anchor cell."""
    header = spec.header_row is not None and spec.header_row == spec.categories.first_row - 1
    kinds = {"LINE" if s.line or spec.kind == "line" else _TYPES[spec.kind] for s in spec.series}
    chart_type = kinds.pop() if len(kinds) == 1 else "COMBO"
    bottom, left = ("LEFT_AXIS", "BOTTOM_AXIS") if chart_type == "BAR" else ("BOTTOM_AXIS", "LEFT_AXIS")
    value_axis: JSON = {"position": left}  # numbers shown as the source cells format them
    series = []
    for s in spec.series:
        kind = "LINE" if s.line or spec.kind == "line" else _TYPES[spec.kind]
        series.append({
            "series": {"sourceRange": {"sources": [_grid(s.values, sheet_id, header)]}},
            "targetAxis": "BOTTOM_AXIS" if chart_type == "BAR" else "LEFT_AXIS",
            "type": kind,
            "colorStyle": {"rgbColor": color(s.colour)},
        })
    row, col = spec.anchor
    domain = {"domain": {"sourceRange": {"sources": [_grid(spec.categories, sheet_id, header)]}}}
    return {
        "addChart": {
            "chart": {
                "chartId": chart_id,
                "spec": {
                    "title": spec.title,
                    "basicChart": {
                        "chartType": chart_type,
                        "legendPosition": "BOTTOM_LEGEND",
                        "axis": [{"position": bottom}, value_axis],
                        "domains": [domain],
                        "series": series,
                        "headerCount": 1 if header else 0,
                    },
                },
                "position": {
                    "overlayPosition": {
                        "anchorCell": {"sheetId": sheet_id, "rowIndex": row, "columnIndex": col},
                        "widthPixels": spec.width,
                        "heightPixels": spec.height,
                    }
                },
            }
        }
    }


def sparkline_request(line: Sparkline, sheet_id: int) -> JSON:
    """The cell of a sparkline: a SPARKLINE formula sheetops composes from its own range."""
    # The range alone: options would need the separators of the spreadsheet's locale (a
    # Russian spreadsheet writes arguments apart with ";"); a line is SPARKLINE's default.
    formula = f"=SPARKLINE({line.values.a1()})"
    return {
        "updateCells": {
            "rows": [{"values": [{"userEnteredValue": {"formulaValue": formula}}]}],
            "fields": "userEnteredValue",
            "start": {"sheetId": sheet_id, "rowIndex": line.row, "columnIndex": line.col},
        }
    }


def _grid(cells: CellRange, sheet_id: int, header: bool) -> JSON:
    return {
        "sheetId": sheet_id,
        "startRowIndex": cells.first_row - (1 if header else 0),
        "endRowIndex": cells.last_row + 1,
        "startColumnIndex": cells.first_col,
        "endColumnIndex": cells.last_col + 1,
    }
