"""Render the charts of the demo's CMO Summary to docs/summary-charts.png, through LibreOffice.

Usage: .venv/bin/python scripts/docs_charts_picture.py   (needs soffice and pdftoppm:
Debian's libreoffice-calc-nogui and poppler-utils; with Pillow installed the page's blank
margin is cut off). The demo is made and synced as of Friday 27 November 2026.

The print copy is made as for docs/summary.png (``docs_picture.print_copy``): every other
tab hidden, a print area around the charts, one landscape page.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from docs_picture import _trim, print_copy

from sheetops import api
from sheetops.sync.summary import CHART_ROWS

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 27)
LAST_COLUMN = "L"  # the two charts side by side end about here


def main() -> int:
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if soffice is None or pdftoppm is None:
        print("needs soffice (libreoffice-calc-nogui) and pdftoppm (poppler-utils)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        book = work / "demo.xlsx"
        api.provision(book, demo=True, today=AS_OF)
        report = api.sync(book, as_of=AS_OF)
        top = report.changes.tabs[0].charts[0].anchor[0] + 1  # 1-based: the first row under the title
        page = work / "charts.xlsx"
        print_copy(book, page, report.summary_tab, f"$A${top}:${LAST_COLUMN}${top + CHART_ROWS}")
        profile = (work / "profile").as_uri()
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(work), str(page)], check=True, capture_output=True, timeout=180)
        subprocess.run([pdftoppm, "-png", "-r", "110", "-singlefile", "-f", "1", "-l", "1", str(work / "charts.pdf"),
                        str(work / "charts")], check=True, timeout=60)
        _trim(work / "charts.png")
        shutil.copyfile(work / "charts.png", ROOT / "docs" / "summary-charts.png")
    print(f"wrote {ROOT / 'docs' / 'summary-charts.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
