"""A workbook near its storage's cell limit (Google Sheets: 10 million cells) gets a warning."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from sheetops.backends.memory import MemoryBackend
from sheetops.backends.xlsx.reader import read_workbook
from sheetops.sync.engine import run_sync
from sheetops.templates import Template


@pytest.mark.parametrize(
    ("cells", "limit", "warned"),
    [
        (None, None, False),  # a local file: no limit to speak of
        (1_000_000, 10_000_000, False),
        (7_999_999, 10_000_000, False),
        (8_000_000, 10_000_000, True),
        (9_900_000, 10_000_000, True),
    ],
)
def test_the_sync_warns_near_the_cell_limit(
    demo_xlsx: Path, template: Template, cells: int | None, limit: int | None, warned: bool
) -> None:
    data = dataclasses.replace(read_workbook(demo_xlsx), cell_count=cells, cell_limit=limit)
    backend = MemoryBackend(data)
    report = run_sync(backend, template, as_of=dt.date(2026, 11, 27))
    found = [i for i in report.as_dict()["issues"] if "limit of 10,000,000" in i["message"]]
    assert bool(found) is warned
    if warned:
        assert found[0]["severity"] == "warning" and found[0]["cell"] is None
        summary = backend.writes[-1].tabs[0]
        texts = [c.value for row in summary.rows for c in row if isinstance(c.value, str)]
        assert any("limit of 10,000,000" in t for t in texts), "the CMO Summary lists the warning"
