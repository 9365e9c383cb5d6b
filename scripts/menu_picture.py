"""Draw the sheetops menu as it appears in Google Sheets to docs/menu.png, with headless Chromium.

Usage: .venv/bin/python scripts/menu_picture.py   (needs Debian's chromium). The picture
is an HTML drawing, not a screenshot of Google Sheets: the menu's labels and the message
after Sync now are taken from the script (sheetops/appsscript/Code.js), with the counts
the demo's sync gives as of Friday 27 November 2026.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sheetops import api

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 27)
BAR = ["File", "Edit", "View", "Insert", "Format", "Data", "Tools", "Extensions", "Help"]


def english_texts() -> dict[str, str]:
    code = (ROOT / "sheetops" / "appsscript" / "Code.js").read_text("utf-8")
    block = code[code.index("  en: {"):code.index("  ru: {")]
    return {key: value.replace("\\'", "'") for key, value in re.findall(r"(\w+): '((?:[^'\\]|\\.)*)'", block)}


def page(texts: dict[str, str], toast: str) -> str:
    e = html.escape
    bar = "".join(f"<span>{e(item)}</span>" for item in BAR)
    rows = "".join(f'<tr><td class="h">{e(c)}</td>' + "<td></td>" * 6 + "</tr>" for c in "12345678")
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
body {{ margin:0; font: 14px "DejaVu Sans", Arial, sans-serif; background:#f9fbfd; width:900px; height:430px;
       position:relative; overflow:hidden; color:#1f1f1f }}
.title {{ padding:10px 16px 0; font-size:18px }}
.bar {{ padding:4px 10px 6px }} .bar span {{ padding:4px 8px; border-radius:4px }}
.bar .open {{ background:#e1e5ea }}
table {{ border-collapse:collapse; margin-left:0; background:white; width:100% }}
td {{ border:1px solid #e2e2e2; height:24px; width:110px }} td.h {{ width:40px; background:#f8f9fa; text-align:center;
       color:#5f6368; font-size:12px }}
.menu {{ position:absolute; left:503px; top:56px; background:white; border-radius:6px; padding:6px 0;
        box-shadow:0 2px 6px rgba(0,0,0,.3); min-width:230px }}
.menu div {{ padding:8px 24px }} .menu div.hover {{ background:#e8eaed }} .menu hr {{ border:0;
        border-top:1px solid #dadce0; margin:6px 0 }}
.toast {{ position:absolute; right:18px; bottom:18px; width:330px; background:white; border-radius:8px;
         box-shadow:0 2px 8px rgba(0,0,0,.3); padding:14px 16px; font-size:13px }}
.toast b {{ display:block; margin-bottom:6px; font-size:14px }}
.note {{ position:absolute; left:16px; bottom:8px; font-size:11px; color:#80868b }}
</style></head><body>
<div class="title">Marketing 2026</div>
<div class="bar">{bar}<span class="open">sheetops</span></div>
<table>{rows}</table>
<div class="menu"><div class="hover">{e(texts["syncNow"])}</div><div>{e(texts["check"])}</div><hr>
<div>{e(texts["schedule"])}</div></div>
<div class="toast"><b>sheetops</b>{e(toast)}</div>
<div class="note">A drawing of the menu (labels and message from sheetops/appsscript/Code.js), not a screenshot.</div>
</body></html>"""


def main() -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("needs chromium (Debian's package chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        book = work / "demo.xlsx"
        api.provision(book, demo=True, today=AS_OF)
        report = api.sync(book, as_of=AS_OF)
        texts = english_texts()
        toast = texts["synced"].format(breaches=len(report.breaches), issues=len(report.issues))
        (work / "menu.html").write_text(page(texts, toast), "utf-8")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={work / 'profile'}", "--window-size=900,430",
                        f"--screenshot={work / 'menu.png'}", (work / "menu.html").as_uri()],
                       check=True, capture_output=True, timeout=120)
        shutil.copyfile(work / "menu.png", ROOT / "docs" / "menu.png")
    print(f"wrote {ROOT / 'docs' / 'menu.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
