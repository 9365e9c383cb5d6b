"""Google Sheets: sync --month writes the Unit economics tab in the same single batchUpdate,
and the meeting deck is drawn from a spreadsheet with a sync's read and no write."""

from __future__ import annotations

from pathlib import Path

import pytest
from gsheets_world import DEMO_TODAY, Google, cells, sheet_json, text_of

from sheetops.backends.gsheets import spreadsheet_id
from sheetops.deck import make_deck
from sheetops.layout import WorkbookLayout
from sheetops.sync.engine import run_sync
from sheetops.templates import Template

READ = ["sheets.spreadsheets.get", "sheets.spreadsheets.values.batchGet"]  # a sync's read, as the Friday sync's


@pytest.fixture
def demo(google: Google, short_layouts: dict[str, WorkbookLayout]) -> str:
    return google.provision(short_layouts["demo_en"])


def test_sync_month_writes_unit_economics_in_the_one_write(google: Google, demo: str, template: Template) -> None:
    google.emulator.clear_log()
    report = run_sync(google.backend(demo), template, as_of=DEMO_TODAY, monthly=True)
    assert [r.operation for r in google.api_requests()] == READ + ["sheets.spreadsheets.batchUpdate"]
    rows = cells(sheet_json(google.grid(spreadsheet_id(demo)), "Unit economics"))
    texts = [[text_of(c) for c in row] for row in rows]
    header = next(i for i, row in enumerate(texts) if row and row[0] == "Month")
    newest = report.months[-1]
    assert texts[header + 1][:3] == ["2026-11", newest.channels[0].channel, newest.channels[0].spend]
    # a second monthly sync replaces the tab, never adds another
    run_sync(google.backend(demo), template, as_of=DEMO_TODAY, monthly=True)
    titles = [s["properties"]["title"] for s in google.properties(spreadsheet_id(demo))["sheets"]]
    assert titles.count("Unit economics") == 1


def test_the_deck_from_a_spreadsheet_reads_and_writes_nothing(
    google: Google, demo: str, template: Template, tmp_path: Path
) -> None:
    pytest.importorskip("pptx")
    google.emulator.clear_log()
    made = make_deck(google.backend(demo), template, out=tmp_path / "meeting.pptx", as_of=DEMO_TODAY)
    assert [r.operation for r in google.api_requests()] == READ
    assert made.slides == 8 and made.deck.is_file()
    assert made.report.written is False
