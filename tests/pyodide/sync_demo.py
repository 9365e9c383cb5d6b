"""A sync of the demo workbook over the in-memory backend; prints the report as JSON.

Run by tests/test_pyodide.py inside Pyodide (under Node.js) and in CPython: the two
outputs must be the same. Its last line lists the vendor modules the sync loaded.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys

from rich.console import Console

import sheetops.cli  # noqa: F401  the command line imports too (click)
from sheetops.backends.memory import MemoryBackend
from sheetops.provision import build_layout
from sheetops.render import print_sync
from sheetops.sync.engine import run_sync
from sheetops.templates import load_template
from sheetops.workbook import Sheet, WorkbookData

FRIDAY = dt.date(2026, 11, 27)
WHEN = dt.datetime(2026, 11, 27, 18, 0, tzinfo=dt.timezone.utc)

template = load_template()
layout = build_layout(template, lang="en", channels=None, demo=True, today=FRIDAY)
data = WorkbookData(
    "demo.xlsx",
    tuple(Sheet(tab.name, [[cell.value for cell in row] for row in tab.rows]) for tab in layout.tabs),
)
backend = MemoryBackend(data)
report = run_sync(backend, template, as_of=FRIDAY, now=lambda: WHEN)
again = run_sync(backend, template, as_of=FRIDAY, now=lambda: WHEN)  # reads what the first one wrote
print(json.dumps({"first": report.as_dict(), "second": again.as_dict(), "writes": len(backend.writes)},
                 default=str, sort_keys=True))
terminal = io.StringIO()
print_sync(report, console=Console(file=terminal, width=100, color_system=None, force_terminal=False))
print(json.dumps(terminal.getvalue()))
vendors = ("python_calamine", "xlsxwriter", "filelock", "gspread", "apprise", "openpyxl", "xlwings")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in vendors)))
