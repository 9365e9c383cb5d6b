"""Render the first screen of the demo's CMO Summary to docs/summary.png, through LibreOffice.

Usage: .venv/bin/python scripts/docs_picture.py   (needs soffice and pdftoppm: Debian's
libreoffice-calc-nogui and poppler-utils; with Pillow installed the page's blank margin
is cut off). The demo is made and synced as of Friday 27 November 2026, so the picture
only changes when the summary's layout does.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from sheetops import api
from sheetops.backends.xlsx.package import sheet_parts
from sheetops.sync.report import SyncReport

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 27)
FIRST_SCREEN_COLUMNS = "M"  # Channel ... Month budget used: the columns of the first screen


def main() -> int:
    if missing_tools():
        return 2
    with tempfile.TemporaryDirectory() as folder:
        book, report = synced_demo(Path(folder))
        # Only the summary, printed as one landscape page: the screen a CMO opens on Friday,
        # the channel table and the decisions below it. The package is edited rather than
        # saved through openpyxl, which would drop the status column's sparklines.
        last_row = 4 + len(report.channels) + 3 + 2 + len(report.breaches) + 3
        render_area(book, report.summary_tab, f"$A$1:${FIRST_SCREEN_COLUMNS}${last_row}", ROOT / "docs" / "summary.png")
    print(f"wrote {ROOT / 'docs' / 'summary.png'}")
    return 0


def missing_tools() -> bool:
    """Whether soffice or pdftoppm is missing (and the message that says so is printed)."""
    if shutil.which("soffice") is None or shutil.which("pdftoppm") is None:
        print("needs soffice (libreoffice-calc-nogui) and pdftoppm (poppler-utils)", file=sys.stderr)
        return True
    return False


def synced_demo(work: Path) -> tuple[Path, SyncReport]:
    """The English demo in ``work``, made and synced as of Friday 27 November 2026."""
    book = work / "demo.xlsx"
    api.provision(book, demo=True, today=AS_OF)
    return book, api.sync(book, as_of=AS_OF)


def render_area(book: Path, tab: str, area: str, target: Path) -> None:
    """``area`` of ``tab`` in ``book``, printed by LibreOffice on one page, as a PNG at ``target``."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        page = work / "page.xlsx"
        print_copy(book, page, tab, area)
        profile = (work / "profile").as_uri()
        subprocess.run([str(shutil.which("soffice")), f"-env:UserInstallation={profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(work), str(page)],
                       check=True, capture_output=True, timeout=180)
        subprocess.run([str(shutil.which("pdftoppm")), "-png", "-r", "110", "-singlefile", "-f", "1", "-l", "1",
                        str(work / "page.pdf"), str(work / "page")], check=True, timeout=60)
        _trim(work / "page.png")
        shutil.copyfile(work / "page.png", target)


def print_copy(source: Path, target: Path, tab: str, area: str) -> None:
    """``source`` with only ``tab`` shown and printed: ``area`` on one landscape page."""
    with zipfile.ZipFile(source) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
        found = {s.name: s for s in sheet_parts(package)}
    names = list(found)
    index = names.index(tab)
    workbook = parts["xl/workbook.xml"].decode()

    def hide(match: re.Match[str]) -> str:
        entry = match.group(0)
        if f'name="{tab}"' in entry or "state=" in entry:
            return entry
        return entry.replace("<sheet ", '<sheet state="hidden" ', 1)

    workbook = re.sub(r"<sheet [^>]*/>", hide, workbook)
    workbook = re.sub(r"<workbookView ", f'<workbookView activeTab="{index}" ', workbook, count=1)
    quoted = tab.replace("'", "''")
    defined = f"<definedName name=\"_xlnm.Print_Area\" localSheetId=\"{index}\">'{quoted}'!{area}</definedName>"
    workbook = workbook.replace("</sheets>", f"</sheets><definedNames>{defined}</definedNames>", 1)
    parts["xl/workbook.xml"] = workbook.encode()
    sheet = parts[found[tab].part].decode()
    sheet = re.sub(r"(<worksheet [^>]*>)", r'\1<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>', sheet, count=1)
    sheet = re.sub(r"<pageMargins [^>]*/>", '<pageMargins left="0.2" right="0.2" top="0.2" bottom="0.2" header="0" '
                   'footer="0"/><pageSetup orientation="landscape" fitToWidth="1" fitToHeight="1"/>', sheet, count=1)
    parts[found[tab].part] = sheet.encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


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
