"""Render two slides of the demo's meeting deck to docs/meeting-cmo.png and docs/meeting-channel.png.

Usage: .venv/bin/python scripts/docs_deck_picture.py   (needs python-pptx, the report extra;
soffice with Impress and pdftoppm: Debian's libreoffice-impress-nogui and poppler-utils).
The demo is made and reported as of Friday 27 November 2026, so the pictures only change
when the deck's layout does: LibreOffice prints the deck to PDF, pdftoppm draws the pages.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
