"""sync on Google Sheets: the engine of the .xlsx sync behind the backend seam, in three calls."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from gsheets_world import DEMO_TODAY, Google, cells, sheet_json, short, text_of

from sheetops import api
from sheetops.backends import STATE_TAB
from sheetops.backends.gsheets import spreadsheet_id
from sheetops.backends.gsheets.bodies import color, hex_of, quote_tab
from sheetops.layout import HIGHLIGHT_FILL, WorkbookLayout
from sheetops.provision import build_layout
from sheetops.sync.engine import run_sync
from sheetops.sync.report import SyncReport
from sheetops.templates import Template
from sheetops.values import CellError
from sheetops.workbook import address

BLUE, GREEN = "9FC5E8", "B6D7A8"


def sync(google: Google, url: str, template: Template, **options: Any) -> SyncReport:
    return run_sync(google.backend(url), template, as_of=DEMO_TODAY, **options)


def fill_and_note(google: Google, url: str, tab: str, row: int, col: int) -> tuple[str | None, str | None]:
    """A cell's fill (RGB hex, None for none) and note, read back from the service."""
    a1 = address(quote_tab(tab), row, col)
    found = cells(sheet_json(google.grid(spreadsheet_id(url), a1), tab))
    cell = found[0][0] if found and found[0] else {}
    fmt = cell.get("userEnteredFormat", {})
    return (hex_of(fmt["backgroundColor"]) if "backgroundColor" in fmt else None), cell.get("note")


def person_marks(google: Google, url: str, tab: str, row: int, col: int, *, fill: str | None = None,
                 note: str | None = None) -> None:
    """What a person does in the Google Sheets window: colour a cell, or add a note."""
    sheet = google.gspread().open_by_key(spreadsheet_id(url)).worksheet(tab)
    label = address("x", row, col).split("!")[1]
    if fill is not None:
        sheet.format(label, {"backgroundColor": color(fill)})
    if note is not None:
        sheet.update_note(label, note)


@pytest.fixture
def demo(google: Google, short_layouts: dict[str, WorkbookLayout]) -> str:
    """The English demo workbook (about eight weeks of facts) as a Google spreadsheet."""
    return google.provision(short_layouts["demo_en"])


def test_a_sync_makes_two_reads_and_one_write(google: Google, demo: str, template: Template) -> None:
    """The sheets with their fills and notes, then their values, then every write at once."""
    google.emulator.clear_log()
    report = sync(google, demo, template)
    assert report.written and report.breaches
    assert [r.operation for r in google.api_requests()] == [
        "sheets.spreadsheets.get",
        "sheets.spreadsheets.values.batchGet",
        "sheets.spreadsheets.batchUpdate",
    ]
    google.emulator.clear_log()
    sync(google, demo, template)
    assert len(google.api_requests()) == 3


def test_the_summary_log_and_highlights_are_written(google: Google, demo: str, template: Template) -> None:
    report = sync(google, demo, template)
    summary = report.changes.tabs[0]
    grid = google.grid(spreadsheet_id(demo), f"{quote_tab(summary.name)}!A1:C5", "'Sync Log'!A1:I3")
    written = cells(sheet_json(grid, summary.name))
    assert [text_of(c) for c in written[0][:1]] == [summary.rows[0][0].value]
    assert text_of(written[3][0]) == summary.rows[3][0].value
    log = cells(sheet_json(grid, "Sync Log"))
    assert len(log) == 2 and text_of(log[1][2]) == report.rows_read
    for highlight in report.changes.highlights[:3]:
        fill, note = fill_and_note(google, demo, highlight.tab, highlight.row, highlight.col)
        assert (fill, note or "") == (HIGHLIGHT_FILL, highlight.note)
    state = next(s for s in google.properties(spreadsheet_id(demo))["sheets"] if s["properties"]["title"] == STATE_TAB)
    assert state["properties"].get("hidden") is True
    # The summary's header row and Channel column stay in view.
    found = next(s for s in google.properties(spreadsheet_id(demo))["sheets"]
                 if s["properties"]["title"] == summary.name)
    grid_properties = found["properties"]["gridProperties"]
    assert (grid_properties["frozenRowCount"], grid_properties["frozenColumnCount"]) == (4, 1)


def test_a_second_sync_appends_a_log_row_and_keeps_the_highlights(google: Google, demo: str,
                                                                 template: Template) -> None:
    first = sync(google, demo, template)
    second = sync(google, demo, template)
    assert second.changes.highlights == first.changes.highlights
    grid = google.grid(spreadsheet_id(demo), "'Sync Log'!A1:A10", f"{STATE_TAB}!A1:E100")
    assert len(cells(sheet_json(grid, "Sync Log"))) == 3
    records = cells(sheet_json(grid, STATE_TAB))[1:]
    assert len(records) == len(first.changes.highlights)


def test_highlights_clear_and_restore_and_leave_what_people_made(google: Google, demo: str,
                                                                 template: Template) -> None:
    highlights = sync(google, demo, template, dry_run=True).changes.highlights
    a, b, c = highlights[0], highlights[1], highlights[2]
    person_marks(google, demo, a.tab, a.row, a.col, fill=BLUE)  # a fill of their own, before the breach
    person_marks(google, demo, b.tab, b.row, b.col, note="checked with Anna")  # a note of their own
    sync(google, demo, template)
    assert fill_and_note(google, demo, a.tab, a.row, a.col) == (HIGHLIGHT_FILL, a.note)
    assert fill_and_note(google, demo, b.tab, b.row, b.col) == (HIGHLIGHT_FILL, "checked with Anna")
    person_marks(google, demo, c.tab, c.row, c.col, fill=GREEN)  # recoloured while highlighted

    disable_every_stop_rule(google, demo, template)
    report = sync(google, demo, template)
    assert not report.breaches
    assert fill_and_note(google, demo, a.tab, a.row, a.col) == (BLUE, None)
    assert fill_and_note(google, demo, b.tab, b.row, b.col) == (None, "checked with Anna")
    assert fill_and_note(google, demo, c.tab, c.row, c.col) == (GREEN, None)  # their fill, no stale note
    state = cells(sheet_json(google.grid(spreadsheet_id(demo), f"{STATE_TAB}!A1:E50"), STATE_TAB))
    assert [text_of(cell) for cell in state[0]] == ["Tab", "Cell", "Original fill", "Note", "Note by sheetops"]
    assert len(state) == 1


def disable_every_stop_rule(google: Google, url: str, template: Template) -> None:
    rules = template.tab("stop_rules")
    enabled = next(i for i, c in enumerate(rules.columns) if c.key == "enabled")
    sheet = google.gspread().open_by_key(spreadsheet_id(url)).worksheet(rules.name.en)
    count = len(template.stop_rules)
    sheet.update([["No"]] * count, address("x", 1, enabled).split("!")[1], value_input_option="RAW")


def test_facts_typed_through_gspread_are_synced(google: Google, short_layouts: dict[str, WorkbookLayout],
                                                template: Template) -> None:
    """A blank workbook, facts entered the way people or their scripts do, then a sync."""
    url = google.provision(short_layouts["blank_en"])
    demo = short_layouts["demo_en"]
    sheet = google.gspread().open_by_key(spreadsheet_id(url))
    for key in ("roles", "channels", "plan_fact", "daily"):
        tab = next(t for t in demo.tabs if t.key == key)
        rows = [[_typed(cell.value) for cell in row] for row in tab.rows[1:]]
        sheet.worksheet(tab.name).update(rows, "A2", value_input_option="USER_ENTERED")
    report = sync(google, url, template)
    assert report.written and report.breaches
    channels = next(t for t in demo.tabs if t.key == "channels")
    assert [c.channel.name for c in report.channels] == [row[0].value for row in channels.rows[1:]]


def _typed(value: Any) -> Any:
    """What a person types for a value: dates as 2026-11-23, numbers as numbers."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_same_data_gives_the_same_json_as_the_xlsx_sync(
    google: Google, short_layouts: dict[str, WorkbookLayout], template: Template, tmp_path: Any, lang: str
) -> None:
    path = tmp_path / f"demo-{lang}.xlsx"
    api.provision(path, lang=lang, demo=True, today=DEMO_TODAY)
    from_xlsx = api.sync(path, as_of=DEMO_TODAY, dry_run=True).as_dict()
    from_google = sync(google, google.provision(short_layouts[f"demo_{lang}"]), template).as_dict()
    for report in (from_xlsx, from_google):
        del report["source"], report["written"]
    assert from_google == from_xlsx


def test_the_russian_workbook_syncs_in_russian(google: Google, short_layouts: dict[str, WorkbookLayout],
                                               template: Template) -> None:
    url = google.provision(short_layouts["demo_ru"])
    report = sync(google, url, template)
    assert report.lang == "ru" and report.summary_tab == template.tab("summary").name.ru
    highlight = report.changes.highlights[0]
    assert fill_and_note(google, url, highlight.tab, highlight.row, highlight.col) == (HIGHLIGHT_FILL, highlight.note)


def test_a_channel_named_like_a_formula_stays_text_in_the_summary(google: Google, template: Template) -> None:
    name = '=IMPORTXML("https://example.com","//a")'
    workbook = short(build_layout(template, lang="en", channels=[name, "Blog"], demo=True, today=DEMO_TODAY))
    url = google.provision(workbook)
    report = sync(google, url, template)
    summary = report.changes.tabs[0]
    grid = google.grid(spreadsheet_id(url), f"{quote_tab(summary.name)}!A1:A40")
    entered = [c[0].get("userEnteredValue") for c in cells(sheet_json(grid, summary.name)) if c]
    assert {"stringValue": name} in entered
    assert all("formulaValue" not in (e or {}) for e in entered)


def test_the_grid_size_is_known_after_a_read(google: Google, demo: str) -> None:
    backend = google.backend(demo)
    assert backend.cell_count is None
    backend.read()
    grid = google.properties(spreadsheet_id(demo))
    expected = sum(s["properties"]["gridProperties"]["rowCount"] * s["properties"]["gridProperties"]["columnCount"]
                   for s in grid["sheets"])
    assert backend.cell_count == expected


def test_an_old_sync_log_gets_the_new_columns_in_the_same_write(google: Google, template: Template,
                                                                   tmp_path: Any) -> None:
    """A Sync Log made before it had Run and sheetops version: their headers are added in
    the one batchUpdate of the sync, right of Result; init's note moves past them."""
    import dataclasses

    from sheetops import __version__

    log_spec = template.tab("sync_log")
    old_log = dataclasses.replace(log_spec, columns=tuple(c for c in log_spec.columns
                                                          if c.key not in ("run", "version")))
    old = dataclasses.replace(template, tabs=tuple(old_log if t.key == "sync_log" else t for t in template.tabs))
    url = google.provision(short(build_layout(old, lang="en", channels=None, demo=True, today=DEMO_TODAY)))
    run_sync(google.backend(url), old, as_of=DEMO_TODAY)
    google.emulator.clear_log()
    sync(google, url, template)
    assert [r.operation for r in google.api_requests()] == ["sheets.spreadsheets.get",
                                                            "sheets.spreadsheets.values.batchGet",
                                                            "sheets.spreadsheets.batchUpdate"]
    log = cells(sheet_json(google.grid(spreadsheet_id(url), "'Sync Log'!A1:L3"), "Sync Log"))
    header = [text_of(c) if c else None for c in log[0]]
    assert header[:9] == [c.header["en"] for c in log_spec.columns]
    assert header[10] == template.owned_tab_note["en"]
    assert len([c for c in log[1] if c and text_of(c) is not None]) == 7  # the older line as it was
    assert [text_of(c) for c in log[2][7:9]] == ["by hand", __version__]


def test_values_are_read_as_the_engine_reads_them(google: Google, demo: str) -> None:
    """Whole numbers as floats, day numbers for dates, a blank between cells as None, a
    formula's error as that error, a text that only starts with # as text (typed as a person types)."""
    sheet = google.gspread().open_by_key(spreadsheet_id(demo)).worksheet("Roles")
    sheet.update([["=1/0", "", "#1 in sales", 3, "2026-11-23", True]], "A20", raw=False)
    rows = google.backend(demo).read().sheet("Roles")
    assert rows is not None
    assert list(rows.rows[19]) == [CellError("#DIV/0!"), None, "#1 in sales", 3.0, 46349.0, True]
    assert type(rows.rows[19][3]) is float
