"""The meeting deck drawn from a Google spreadsheet: the same slides and chart figures as
from the same workbook in a .xlsx file, and the spreadsheet left as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gsheets_world import DEMO_TODAY, Google

from sheetops.backends.xlsx import XlsxBackend
from sheetops.deck import make_deck
from sheetops.layout import WorkbookLayout
from sheetops.ports import ProvisionOptions
from sheetops.templates import Template

pptx = pytest.importorskip("pptx")


def deck_figures(path: Path) -> list[tuple[str, list[tuple[str, list[Any]]]]]:
    """Each slide's title and its charts' series (name, values), read back with python-pptx."""
    from pptx import Presentation

    found = []
    for slide in Presentation(str(path)).slides:
        title = slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""
        series = [(s.name, list(s.values)) for shape in slide.shapes if shape.has_chart
                  for plot in shape.chart.plots for s in plot.series]
        found.append((title, series))
    return found


def test_a_deck_from_google_sheets_is_the_deck_from_the_same_xlsx_workbook(
    google: Google, short_layouts: dict[str, WorkbookLayout], template: Template, tmp_path: Path
) -> None:
    url = google.provision(short_layouts["demo_en"])
    local = tmp_path / "demo.xlsx"
    XlsxBackend(local).provision(short_layouts["demo_en"], ProvisionOptions())
    google.emulator.clear_log()

    from_google = make_deck(google.backend(url), template, out=tmp_path / "google.pptx", as_of=DEMO_TODAY)
    from_file = make_deck(XlsxBackend(local), template, out=tmp_path / "file.pptx", as_of=DEMO_TODAY)

    assert from_google.slides == from_file.slides == 8
    assert deck_figures(from_google.deck) == deck_figures(from_file.deck)
    assert from_google.report.as_dict()["totals"] == from_file.report.as_dict()["totals"]
    requests = google.api_requests()
    assert requests and all(r.method == "GET" for r in requests)  # read, never written
