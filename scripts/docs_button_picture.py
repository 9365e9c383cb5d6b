"""Render the top of the demo's CMO Summary with the sheet button xlwings Lite runs the sync
from (a shape named ``sheetops_sync`` over H2, as docs/excel.md tells a person to draw it)
to docs/excel-button.png, through LibreOffice.

Usage: .venv/bin/python scripts/docs_button_picture.py   (needs soffice and pdftoppm, like
scripts/docs_picture.py). The shape is added here the way Excel saves one a person drew (a
rounded rectangle in the sheet's drawing part); sheetops itself never adds it.
"""

from __future__ import annotations

import sys
import tempfile
import zipfile
from pathlib import Path

from docs_picture import missing_tools, render_area, synced_demo

ROOT = Path(__file__).resolve().parent.parent
EMU = 9525  # per pixel
BUTTON = (
    '<xdr:oneCellAnchor><xdr:from><xdr:col>7</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row>'
    '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="{cx}" cy="{cy}"/>'
    '<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="90" name="sheetops_sync"/><xdr:cNvSpPr/></xdr:nvSpPr>'
    '<xdr:spPr><a:prstGeom prst="roundRect"><a:avLst/></a:prstGeom><a:solidFill><a:srgbClr val="2E7D32"/></a:solidFill>'
    '<a:ln><a:noFill/></a:ln></xdr:spPr>'
    '<xdr:txBody><a:bodyPr anchor="ctr"/><a:lstStyle/><a:p><a:pPr algn="ctr"/><a:r><a:rPr lang="en-US" sz="1200" b="1">'
    '<a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill></a:rPr><a:t>Sync</a:t></a:r></a:p></xdr:txBody>'
    '</xdr:sp><xdr:clientData/></xdr:oneCellAnchor>'
)


def with_button(book: Path) -> None:
    """Add the button to the summary's drawing part (the one holding sheetops' charts)."""
    with zipfile.ZipFile(book) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    drawing = next(name for name, data in parts.items()
                   if name.startswith("xl/drawings/drawing") and b"sheetops:" in data)
    shape = BUTTON.format(cx=110 * EMU, cy=30 * EMU)  # its link to H2 is made in Excel (docs/excel.md)
    parts[drawing] = parts[drawing].replace(b"</xdr:wsDr>", shape.encode() + b"</xdr:wsDr>")
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def main() -> int:
    if missing_tools():
        return 2
    with tempfile.TemporaryDirectory() as folder:
        book, report = synced_demo(Path(folder))
        with_button(book)
        render_area(book, report.summary_tab, "$A$1:$J$6", ROOT / "docs" / "excel-button.png")
    print(f"wrote {ROOT / 'docs' / 'excel-button.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
