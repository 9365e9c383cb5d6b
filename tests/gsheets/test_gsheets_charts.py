"""The CMO Summary's charts on Google Sheets: addChart in the sync's one batchUpdate, the
previous ones deleted first, validated by the emulator against Google's discovery document."""

from __future__ import annotations

from typing import Any

import pytest
from gsheets_world import DEMO_TODAY, Google

from sheetops.backends.gsheets import spreadsheet_id
from sheetops.backends.gsheets.charts import chart_ids, is_sheetops_chart
from sheetops.layout import WorkbookLayout
from sheetops.sync.engine import run_sync
from sheetops.sync.report import SyncReport
from sheetops.templates import Template


def sync(google: Google, url: str, template: Template) -> SyncReport:
    return run_sync(google.backend(url), template, as_of=DEMO_TODAY)


@pytest.fixture
def demo(google: Google, short_layouts: dict[str, WorkbookLayout]) -> str:
    return google.provision(short_layouts["demo_en"])


def last_batch(google: Google) -> list[dict[str, Any]]:
    batch = [r for r in google.api_requests() if r.operation == "sheets.spreadsheets.batchUpdate"][-1]
    requests: list[dict[str, Any]] = batch.json()["requests"]
    return requests


def charts_on(google: Google, url: str, title: str) -> list[dict[str, Any]]:
    sheets = google.properties(spreadsheet_id(url))["sheets"]
    sheet = next(s for s in sheets if s["properties"]["title"] == title)
    charts: list[dict[str, Any]] = sheet.get("charts", [])
    return charts


def test_the_sync_adds_the_charts_pointing_at_the_summarys_figures(
    google: Google, demo: str, template: Template
) -> None:
    report = sync(google, demo, template)
    summary = report.changes.tabs[0]
    requests = last_batch(google)
    added = [r["addChart"]["chart"] for r in requests if "addChart" in r]
    assert not any("deleteEmbeddedObject" in r for r in requests)  # nothing to replace yet
    assert [c["spec"]["title"] for c in added] == [spec.title for spec in summary.charts]
    sheet_id = next(s["properties"]["sheetId"] for s in google.properties(spreadsheet_id(demo))["sheets"]
                    if s["properties"]["title"] == summary.name)
    for chart, spec in zip(added, summary.charts, strict=True):
        basic = chart["spec"]["basicChart"]
        assert basic["headerCount"] == 1
        domain = basic["domains"][0]["domain"]["sourceRange"]["sources"][0]
        assert domain == {"sheetId": sheet_id, "startRowIndex": spec.categories.first_row - 1,
                          "endRowIndex": spec.categories.last_row + 1, "startColumnIndex": 0, "endColumnIndex": 1}
        for series, wanted in zip(basic["series"], spec.series, strict=True):
            source = series["series"]["sourceRange"]["sources"][0]
            assert (source["startColumnIndex"], source["endRowIndex"]) == (wanted.values.first_col,
                                                                           wanted.values.last_row + 1)
            header = summary.rows[source["startRowIndex"]][source["startColumnIndex"]].value
            assert header == wanted.name  # Google names the series after the header row
            assert series["type"] == ("LINE" if wanted.line else "COLUMN")
        assert chart["position"]["overlayPosition"]["anchorCell"] == {
            "sheetId": sheet_id, "rowIndex": spec.anchor[0], "columnIndex": spec.anchor[1]}
    money = summary.charts[0]
    first = money.series[0].values
    assert [row[first.first_col].value for row in summary.rows[first.first_row : first.last_row + 1]] == list(
        report.trend.totals["spend"] if report.trend else ())
    stored = charts_on(google, demo, summary.name)  # the emulator's answer lists them
    assert [c["chartId"] for c in stored] == [c["chartId"] for c in added]
    assert all(is_sheetops_chart(c["chartId"]) for c in stored)


def test_a_resync_deletes_the_old_charts_first_and_keeps_one_of_each(
    google: Google, demo: str, template: Template
) -> None:
    report = sync(google, demo, template)
    summary = report.changes.tabs[0]
    before = [c["chartId"] for c in charts_on(google, demo, summary.name)]
    sync(google, demo, template)
    requests = last_batch(google)
    kinds = [next(iter(r)) for r in requests]
    deletes = [r["deleteEmbeddedObject"]["objectId"] for r in requests if "deleteEmbeddedObject" in r]
    assert sorted(deletes) == sorted(before)
    assert max(i for i, k in enumerate(kinds) if k == "deleteEmbeddedObject") < kinds.index("addChart")
    after = charts_on(google, demo, summary.name)
    assert len(after) == len(summary.charts) == 2
    assert {c["chartId"] for c in after}.isdisjoint(before)  # the other id of each pair
    assert [c["spec"]["title"] for c in after] == [s.title for s in summary.charts]
    sync(google, demo, template)
    assert sorted(c["chartId"] for c in charts_on(google, demo, summary.name)) == sorted(before)


def test_a_persons_chart_on_the_summary_is_left_alone(google: Google, demo: str, template: Template) -> None:
    report = sync(google, demo, template)
    summary = report.changes.tabs[0]
    sheet_id = next(s["properties"]["sheetId"] for s in google.properties(spreadsheet_id(demo))["sheets"]
                    if s["properties"]["title"] == summary.name)
    source = {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 5, "startColumnIndex": 4, "endColumnIndex": 5}
    persons = {"spec": {"title": "Mine", "basicChart": {"chartType": "LINE", "series": [
        {"series": {"sourceRange": {"sources": [source]}}}]}},
        "position": {"overlayPosition": {"anchorCell": {"sheetId": sheet_id, "rowIndex": 1, "columnIndex": 30}}}}
    google.gspread().open_by_key(spreadsheet_id(demo)).batch_update({"requests": [{"addChart": {"chart": persons}}]})
    sync(google, demo, template)
    titles = [c["spec"]["title"] for c in charts_on(google, demo, summary.name)]
    assert titles.count("Mine") == 1 and len(titles) == 3


def test_the_emulator_refuses_a_chart_outside_the_grid_and_an_unknown_object(google: Google, demo: str) -> None:
    from gspread.exceptions import APIError

    book = google.gspread().open_by_key(spreadsheet_id(demo))
    sheet_id = book.sheet1.id
    far = {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 5_000_000, "startColumnIndex": 0,
           "endColumnIndex": 1}
    chart = {"spec": {"basicChart": {"chartType": "LINE", "series": [{"series": {"sourceRange": {"sources": [far]}}}]}},
             "position": {"overlayPosition": {"anchorCell": {"sheetId": sheet_id}}}}
    with pytest.raises(APIError, match="exceeds grid limits"):
        book.batch_update({"requests": [{"addChart": {"chart": chart}}]})
    with pytest.raises(APIError, match="No embedded object"):
        book.batch_update({"requests": [{"deleteEmbeddedObject": {"objectId": chart_ids(sheet_id, 0)[0]}}]})
    with pytest.raises(APIError, match="chartTyp"):  # a misspelt field: refused by the discovery document
        book.batch_update({"requests": [{"addChart": {"chart": {"spec": {"basicChart": {"chartTyp": "LINE"}}}}}]})


def test_the_status_trend_is_a_sparkline_formula_sheetops_composes(
    google: Google, demo: str, template: Template
) -> None:
    report = sync(google, demo, template)
    summary = report.changes.tabs[0]
    requests = last_batch(google)
    formulas = {
        (r["updateCells"]["start"]["rowIndex"], r["updateCells"]["start"]["columnIndex"]):
            r["updateCells"]["rows"][0]["values"][0]["userEnteredValue"]["formulaValue"]
        for r in requests if "updateCells" in r and "formulaValue" in str(r["updateCells"]["rows"])
    }
    assert len(formulas) == len(summary.sparklines) > 0
    for line in summary.sparklines:
        assert formulas[(line.row, line.col)] == f"=SPARKLINE({line.values.a1()})"
        assert summary.rows[line.row][1].value  # the status stays beside it, as text
    # no text of a cell became a formula: the only formulas are the sparklines
    assert all(f.startswith("=SPARKLINE(") for f in formulas.values())
