"""One sync's changes as the requests of one spreadsheets.batchUpdate. Pure.

:func:`sync_requests` compares a :class:`~sheetops.backends.SyncWrite` with the
:class:`~.snapshot.Snapshot` the same sync read, and lists, in the order the API applies
them: the owned tabs (added where missing, resized, cleared and written), the Sync Log
row (appended below its last row), the highlights (fills and notes) and the record of
them in the hidden state tab. Google applies a batchUpdate whole or not at all, so the
spreadsheet never shows half a sync.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sheetops.backends.fillrecord import CellChange, Look, Record, plan_highlights, read_records, state_layout
from sheetops.backends.gsheets.bodies import (
    FILL_FIELDS,
    JSON,
    add_sheet,
    append_row,
    cell_data,
    color,
    fit_sheet,
    grid_size,
    mark_request,
    set_cell,
    tab_requests,
)
from sheetops.backends.gsheets.snapshot import SYNC_MARK, Snapshot
from sheetops.layout import TabLayout
from sheetops.ports import STATE_TAB, SyncWrite
from sheetops.workbook import address


@dataclass(frozen=True)
class SyncRequests:
    """The requests of one sync's batchUpdate, and the highlight record they leave."""

    requests: tuple[JSON, ...]
    records: tuple[Record, ...]


def _used_columns(tab: TabLayout) -> int:
    return max([len(r) for r in tab.rows] + [len(tab.widths), *(c + 1 for c in tab.column_formats), 1])


def sync_requests(
    snapshot: Snapshot, changes: SyncWrite, new_sheet_id: Callable[[], int], write_id: str
) -> SyncRequests:
    """Every request of the sync's single batchUpdate, in order; the last one marks the
    spreadsheet with ``write_id`` (see :data:`~.snapshot.SYNC_MARK`)."""
    requests: list[JSON] = []
    for tab in changes.tabs:
        requests += _replace_tab(snapshot, tab, new_sheet_id)
    requests += _append_log(snapshot, changes, new_sheet_id)
    records = _state_records(snapshot)
    plan = plan_highlights(changes.highlights, records, _looker(snapshot))
    ids = {s.title: s.sheet_id for s in snapshot.sheets}
    requests += [_cell_change(ids[c.tab], c) for c in plan.changes]
    if plan.records != tuple(records) or (snapshot.sheet(STATE_TAB) is None and plan.records):
        requests += _replace_tab(snapshot, state_layout(STATE_TAB, plan.records), new_sheet_id)
    requests.append(mark_request(SYNC_MARK, write_id, snapshot.mark[0] if snapshot.mark else None))
    return SyncRequests(tuple(requests), plan.records)


def _replace_tab(snapshot: Snapshot, tab: TabLayout, new_sheet_id: Callable[[], int]) -> list[JSON]:
    """A tab sheetops owns, made to hold exactly ``tab`` (added when missing)."""
    from sheetops.backends.gsheets.charts import chart_requests

    sheet = snapshot.sheet(tab.name)
    taken = {chart for s in snapshot.sheets for chart in s.charts}
    if sheet is None:
        sheet_id = new_sheet_id()
        rows, _columns = grid_size(tab)
        return [add_sheet(tab, sheet_id), *tab_requests(tab, sheet_id, row_count=rows),
                *chart_requests(tab, sheet_id, (), taken)]
    rows = max(sheet.row_count, len(tab.rows))
    columns = max(sheet.column_count, _used_columns(tab))
    resize = fit_sheet(sheet.sheet_id, rows=rows, columns=columns, frozen=tab.freeze_rows, hidden=tab.hidden,
                        frozen_cols=tab.freeze_cols)
    return [resize, *tab_requests(tab, sheet.sheet_id, row_count=rows, protect=not sheet.protected),
            *chart_requests(tab, sheet.sheet_id, sheet.charts, taken)]


def _append_log(snapshot: Snapshot, changes: SyncWrite, new_sheet_id: Callable[[], int]) -> list[JSON]:
    log = changes.log_tab
    sheet = snapshot.sheet(log.name)
    requests: list[JSON] = []
    if sheet is None:
        sheet_id = new_sheet_id()
        rows, _columns = grid_size(log)
        requests += [add_sheet(log, sheet_id), *tab_requests(log, sheet_id, row_count=rows)]
        row = len(log.rows)
    else:
        sheet_id = sheet.sheet_id
        row = sheet.used_rows
        if len(changes.log_row) > sheet.column_count:
            requests.append(
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": sheet_id, "gridProperties": {"columnCount": len(changes.log_row)}},
                        "fields": "gridProperties.columnCount",
                    }
                }
            )
        # The columns a Sync Log made by an older sheetops lacks: their headers, in its first row.
        requests += [set_cell(sheet_id, 0, col, cell_data(cell), ("userEnteredValue", "userEnteredFormat"))
                     for col, cell in changes.log_header]
    requests.append(append_row(changes.log_row, sheet_id, where=address(log.name, row, 0)))
    return requests


def _state_records(snapshot: Snapshot) -> list[Record]:
    sheet = snapshot.sheet(STATE_TAB)
    return read_records(sheet.rows) if sheet is not None else []


def _looker(snapshot: Snapshot) -> Callable[[str, int, int], Look | None]:
    def look(tab: str, row: int, col: int) -> Look | None:
        sheet = snapshot.sheet(tab)
        if sheet is None or row >= sheet.row_count or col >= sheet.column_count:
            return None
        return Look(*sheet.look(row, col))

    return look


def _cell_change(sheet_id: int, change: CellChange) -> JSON:
    data: JSON = {}
    fields: list[str] = []
    if change.set_fill:
        fields.append(FILL_FIELDS)
        if change.fill is not None:
            data["userEnteredFormat"] = {
                "backgroundColor": color(change.fill),
                "backgroundColorStyle": {"rgbColor": color(change.fill)},
            }
    if change.set_note:
        fields.append("note")
        if change.note is not None:
            data["note"] = change.note
    return set_cell(sheet_id, change.row, change.col, data, fields)


def sheet_ids(snapshot: Snapshot, pick: Callable[[], int]) -> Iterator[int]:
    """New sheet ids, none of them in use (``pick`` proposes candidates)."""
    taken = {s.sheet_id for s in snapshot.sheets}
    while True:
        candidate = pick()
        if candidate not in taken:
            taken.add(candidate)
            yield candidate
