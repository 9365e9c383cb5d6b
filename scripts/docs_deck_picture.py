"""Render two slides of the demo's meeting deck to docs/meeting-cmo.png and docs/meeting-channel.png,
and the top of its Unit economics tab (sheetops sync --month) to docs/unit-economics.png.

Usage: .venv/bin/python scripts/docs_deck_picture.py   (needs python-pptx, the report extra;
soffice with Impress and pdftoppm: Debian's libreoffice-impress-nogui and poppler-utils).
The demo is made and reported as of Friday 27 November 2026 (the monthly review as of
Sunday the 29th, when November's last week is whole), so the pictures only change when the
layouts do: LibreOffice prints the deck (and the tab) to PDF, pdftoppm draws the pages.
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
PAGES = {1: "meeting-cmo.png", 3: "meeting-channel.png"}  # the CMO slide; Social ads, the breached channel


def main() -> int:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("needs pdftoppm (poppler-utils)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        book = work / "demo.xlsx"
        api.provision(book, demo=True, today=AS_OF)
        made = api.report(book, out=work / "meeting.pptx", as_of=AS_OF, pdf=True)
        assert made.pdf is not None
        for page, name in PAGES.items():
            stem = work / f"page{page}"
            subprocess.run([pdftoppm, "-png", "-r", "60", "-singlefile", "-f", str(page), "-l", str(page),
                            str(made.pdf), str(stem)], check=True, timeout=60)
            shutil.copyfile(stem.with_suffix(".png"), ROOT / "docs" / name)
            print(f"docs/{name}")
        _unit_economics(work, book)
    return 0


def _unit_economics(work: Path, book: Path) -> None:
    """The Unit economics tab's month table and the start of KPI health, as one landscape page."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice is not None
    report = api.sync(book, as_of=dt.date(2026, 11, 29), monthly=True)
    name = report.changes.tabs[-1].name
    workbook = openpyxl.load_workbook(book)
    for other in workbook.sheetnames:
        if other != name:
            del workbook[other]
    sheet = workbook[name]
    sheet.print_area = "A1:L30"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.2, right=0.2, top=0.2, bottom=0.2)
    page = work / "unit.xlsx"
    workbook.save(page)
    subprocess.run([soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(work), str(page)], check=True, capture_output=True, timeout=180)
    subprocess.run(["pdftoppm", "-png", "-r", "90", "-singlefile", "-f", "1", "-l", "1", str(work / "unit.pdf"),
                    str(work / "unit")], check=True, timeout=60)
    shutil.copyfile(work / "unit.png", ROOT / "docs" / "unit-economics.png")
    print("docs/unit-economics.png")


if __name__ == "__main__":
    sys.exit(main())
