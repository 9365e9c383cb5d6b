"""The xlwings Lite script that `sheetops excel-addin` writes, run on the demo workbook
held by the in-memory Excel engine; prints the marks, the log and the summary as JSON.

Run by tests/test_pyodide.py inside Pyodide (the runtime of xlwings Lite) and in CPython:
the two outputs must be the same.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import json
import runpy
import sys
import tempfile
from pathlib import Path

import sheetops
from sheetops.lite import sync_book
from sheetops.lite.addin import write_addin
from sheetops.provision import build_layout
from sheetops.templates import load_template

FRIDAY = dt.date(2026, 11, 27)
WHEN = dt.datetime(2026, 11, 27, 18, 0, tzinfo=dt.timezone.utc)

# The engine module alone: sheetops.testing's package also holds the Google emulator.
path = Path(sheetops.__file__).parent / "testing" / "xlwings_memory.py"
spec = importlib.util.spec_from_file_location("xlwings_memory", path)
assert spec is not None and spec.loader is not None
xlwings_memory = importlib.util.module_from_spec(spec)
sys.modules["xlwings_memory"] = xlwings_memory
spec.loader.exec_module(xlwings_memory)

book = xlwings_memory.new_book()
layout = build_layout(load_template(), lang="en", channels=None, demo=True, today=FRIDAY)
for tab in layout.tabs:
    sheet = book.sheets.add(tab.name, after=book.sheets[len(book.sheets) - 1])
    width = max(len(row) for row in tab.rows)
    sheet.range((1, 1)).value = [[c.value for c in row] + [None] * (width - len(row)) for row in tab.rows]
book.sheets["Sheet1"].delete()

folder = Path(tempfile.mkdtemp())
scripts = runpy.run_path(str(write_addin(folder, button_sheet="CMO Summary").main))
scripts["sync"].__globals__["sync_book"] = functools.partial(sync_book, as_of=FRIDAY, now=lambda: WHEN)
scripts["sync"](book)

marks = sorted(
    [sheet.name, sheet.range(key).get_address(False, False), note.text if (note := sheet.range(key).note) else None]
    for sheet in book.sheets
    for key, fill in sheet.impl.data.fills.items()
    if fill == "#ffc7ce" and sheet.name not in ("CMO Summary", "Sync Log")
)
log = book.sheets["Sync Log"].used_range.options(ndim=2).value
duration = log[0].index("Duration, s")
log = [[None if i == duration and n else v for i, v in enumerate(row)] for n, row in enumerate(log)]  # timing varies
print(
    json.dumps(
        {
            "marks": marks,
            "log": log,
            "summary": book.sheets["CMO Summary"].used_range.options(ndim=2).value,
        },
        default=str,
        sort_keys=True,
    )
)
