"""What xlwings Lite needs to run sheetops inside Excel: ``main.py`` and ``requirements.txt``.

``sheetops excel-addin WORKBOOK`` writes them into a folder beside the workbook; the person
pastes them into the xlwings Lite editor once (docs/excel.md, "xlwings Lite", shows the
clicks) and saves the workbook: xlwings Lite keeps both inside it from then on, so a
colleague needs only the add-in.

The requirements are sheetops and the pure-Python packages it runs on under Pyodide, at
the versions installed here. The .xlsx backend's python-calamine is compiled and has no
Pyodide build: sheetops declares it only outside Pyodide (``sys_platform != "emscripten"``),
so the add-in's installer does not look for it; it is never loaded inside Excel.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sheetops import __version__

# sheetops' dependencies that run under Pyodide as they are on the package index.
PURE_PYTHON = ("click", "rich", "markdown-it-py", "mdurl", "pygments", "platformdirs", "filelock", "xlsxwriter")

MAIN_PY = '''\
"""sheetops: the Friday marketing sync, run inside Excel by xlwings Lite.

Written by `sheetops excel-addin`. Run "sync" from the xlwings Lite pane (or the button on
the {button_sheet} tab) after the week's facts are in; "check" lists what to fix first.
"""

import xlwings as xw
from xlwings import script

from sheetops.lite import check_book, sync_book


@script(button="[sheetops_sync]{button_sheet}!{button_cell}")
def sync(book: xw.Book):
    """Compute the week's KPIs, mark the stop-rule breaches, write the CMO Summary and the Sync Log."""
    result = sync_book(book)
    report = result.report
    print(f"{{report.source}}: {{len(report.breaches)}} breach(es), {{len(report.issues)}} data issue(s).")
    if result.without_notes:
        print("This Excel gives scripts no cell notes: the reasons are on the CMO Summary tab.")


@script
def check(book: xw.Book):
    """List what sheetops would stop at or warn about, with each cell's address."""
    report = check_book(book)
    if not report.findings:
        print("All good: nothing to fix.")
    for finding in report.findings:
        print(finding.as_dict())
'''


@dataclass(frozen=True)
class AddinFiles:
    folder: Path
    main: Path
    requirements: Path


def requirements() -> list[str]:
    """The add-in's requirements.txt lines: sheetops at this version and its pure-Python dependencies."""
    lines = [f"sheetops=={__version__}"]
    for name in PURE_PYTHON:
        try:
            lines.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            lines.append(name)
    return lines


def main_py(*, button_sheet: str, button_cell: str = "H2") -> str:
    return MAIN_PY.format(button_sheet=button_sheet, button_cell=button_cell)


def write_addin(folder: Path, *, button_sheet: str, button_cell: str = "H2") -> AddinFiles:
    """Write ``main.py`` and ``requirements.txt`` for xlwings Lite into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    main = folder / "main.py"
    main.write_text(main_py(button_sheet=button_sheet, button_cell=button_cell), "utf-8")
    reqs = folder / "requirements.txt"
    reqs.write_text("\n".join(requirements()) + "\n", "utf-8")
    return AddinFiles(folder, main, reqs)
