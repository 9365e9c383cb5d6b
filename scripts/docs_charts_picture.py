"""Render the charts of the demo's CMO Summary to docs/summary-charts.png, through LibreOffice.

Usage: .venv/bin/python scripts/docs_charts_picture.py   (needs soffice and pdftoppm:
Debian's libreoffice-calc-nogui and poppler-utils; with Pillow installed the page's blank
margin is cut off). The demo is made and synced as of Friday 27 November 2026.

The print copy is made as for docs/summary.png (``docs_picture.print_copy``): every other
tab hidden, a print area around the charts, one landscape page.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from docs_picture import missing_tools, render_area, synced_demo

from sheetops.sync.summary import CHART_ROWS

ROOT = Path(__file__).resolve().parent.parent
LAST_COLUMN = "L"  # the two charts side by side end about here


def main() -> int:
    if missing_tools():
        return 2
    with tempfile.TemporaryDirectory() as folder:
        book, report = synced_demo(Path(folder))
        top = report.changes.tabs[0].charts[0].anchor[0] + 1  # 1-based: the first row under the title
        render_area(book, report.summary_tab, f"$A${top}:${LAST_COLUMN}${top + CHART_ROWS}",
                    ROOT / "docs" / "summary-charts.png")
    print(f"wrote {ROOT / 'docs' / 'summary-charts.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
