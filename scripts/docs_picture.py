"""Render the first screen of the demo's CMO Summary to docs/summary.png, through LibreOffice.

Usage: .venv/bin/python scripts/docs_picture.py   (needs soffice and pdftoppm: Debian's
libreoffice-calc-nogui and poppler-utils; with Pillow installed the page's blank margin
is cut off). The demo is made and synced as of Friday 27 November 2026, so the picture
only changes when the summary's layout does.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from openpyxl.worksheet.page import PageMargins

from sheetops import api

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 27)
FIRST_SCREEN_COLUMNS = "L"  # Channel ... Month budget used: the columns of the first screen


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
        # Only the summary, printed as one landscape page: the screen a CMO opens on Friday.
        workbook = openpyxl.load_workbook(book)
        for name in workbook.sheetnames:
            if name != report.summary_tab:
                del workbook[name]
        sheet = workbook[report.summary_tab]
        # the channel table and the decisions below it
        last_row = 4 + len(report.channels) + 3 + 2 + len(report.breaches) + 3
        sheet.print_area = f"A1:{FIRST_SCREEN_COLUMNS}{last_row}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 1
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_margins = PageMargins(left=0.2, right=0.2, top=0.2, bottom=0.2)
        page = work / "summary.xlsx"
        workbook.save(page)
        profile = (work / "profile").as_uri()
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(work), str(page)], check=True, capture_output=True, timeout=180)
        subprocess.run([pdftoppm, "-png", "-r", "110", "-singlefile", "-f", "1", "-l", "1", str(work / "summary.pdf"),
                        str(work / "summary")], check=True, timeout=60)
        _trim(work / "summary.png")
        shutil.copyfile(work / "summary.png", ROOT / "docs" / "summary.png")
    print(f"wrote {ROOT / 'docs' / 'summary.png'}")
    return 0


def _trim(png: Path) -> None:
    """Cut the blank part of the page off, where Pillow is installed."""
    try:
        from PIL import Image, ImageChops
    except ImportError:
        return
    with Image.open(png) as image:
        page = image.convert("RGB")
    box = ImageChops.difference(page, Image.new("RGB", page.size, "white")).getbbox()
    if box is not None:
        left, top, right, bottom = box
        page.crop((max(0, left - 12), max(0, top - 12), min(page.width, right + 12),
                   min(page.height, bottom + 12))).save(png)


if __name__ == "__main__":
    sys.exit(main())
