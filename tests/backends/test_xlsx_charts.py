"""Native charts on the CMO Summary of an .xlsx: real chart parts, replaced on every sync.

The charts are DrawingML chart parts anchored in the summary tab's drawing part; a
person's chart on another tab (the Dashboard of the people's workbook) and a person's
picture on the summary itself are kept byte for byte. Read back by parsing the parts
(openpyxl drops charts when it loads a workbook), by openpyxl for the cells the charts
point at, and by LibreOffice, which turns them into chart objects of an .ods.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from xlsx_books import (
    PeopleWorkbook,
    changed,
    headers,
    libreoffice_converts,
    log_row,
    open_in_openpyxl,
    read_parts,
    sheet_part,
    summary_layout,
    sync_write,
    tiny_png,
)

from sheetops import api
from sheetops.backends.xlsx import XlsxBackend
from sheetops.layout import Cell, CellRange, ChartSeries, ChartSpec, Style, TabLayout

NS = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
}
AS_OF = dt.date(2026, 11, 27)
# The people's workbook's own parts: the Dashboard's chart and drawing.
PEOPLES_CHART_PARTS = ("xl/charts/chart1.xml", "xl/drawings/drawing1.xml", "xl/drawings/drawing2.xml")


def charted_summary(*, keys: tuple[str, ...] = ("money", "kpi"), spend: float = 1200.0) -> TabLayout:
    """The test summary with a block of weekly figures under it and charts drawn from it."""
    base = summary_layout()
    first = len(base.rows) + 1
    weeks = [dt.date(2026, 11, 2) + dt.timedelta(weeks=i) for i in range(4)]
    block = [(Cell("Week"), Cell("Spend"), Cell("Revenue"))] + [
        (Cell(w, Style(number_format="yyyy-mm-dd")), Cell(spend + 10 * i), Cell(5000.0 + 100 * i))
        for i, w in enumerate(weeks)
    ]
    rows = (*base.rows, (), *block)
    top, bottom = first + 1, first + len(weeks)

    def column(col: int) -> CellRange:
        return CellRange(top, col, bottom, col)

    charts = {
        "money": ChartSpec("money", "column", "Spend and revenue", (len(base.rows), 4), column(0),
                           (ChartSeries("Spend", column(1), "4472C4"),
                            ChartSeries("Revenue", column(2), "70AD47", line=True)), "#,##0"),
        "kpi": ChartSpec("kpi", "line", "Revenue by week", (len(base.rows), 10), column(0),
                         (ChartSeries("Revenue", column(2), "ED7D31"),)),
    }
    return dataclasses.replace(base, rows=rows, charts=tuple(charts[k] for k in keys))


def write(book: PeopleWorkbook, summary: TabLayout, when: str = "2026-11-27 18:30") -> dict[str, bytes]:
    XlsxBackend(book.path).write(dataclasses.replace(sync_write(summary=summary), log_row=log_row(when)))
    return read_parts(book.path)


def summary_drawing(path: Path, parts: dict[str, bytes], tab: str) -> str | None:
    """The drawing part the summary tab's ``<drawing r:id>`` names."""
    part = sheet_part(path, tab)
    sheet = ElementTree.fromstring(parts[part])
    drawing = sheet.find("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}drawing")
    if drawing is None:
        return None
    rel_id = drawing.get(f"{{{NS['r']}}}id")
    rels = ElementTree.fromstring(parts[part.replace("worksheets/", "worksheets/_rels/") + ".rels"])
    target = next(r.get("Target") for r in rels.findall("rel:Relationship", NS) if r.get("Id") == rel_id)
    assert target is not None
    return "xl/" + target.removeprefix("../")


def sheetops_charts(path: Path, parts: dict[str, bytes], tab: str) -> dict[str, str]:
    """The charts anchored on the tab whose shape is named ``sheetops:<key>``: key -> chart part."""
    drawing = summary_drawing(path, parts, tab)
    if drawing is None:
        return {}
    rels_part = drawing.replace("drawings/", "drawings/_rels/") + ".rels"
    rels = {r.get("Id"): "xl/" + (r.get("Target") or "").removeprefix("../")
            for r in ElementTree.fromstring(parts[rels_part]).findall("rel:Relationship", NS)}
    found = {}
    for frame in ElementTree.fromstring(parts[drawing]).iter(f"{{{NS['xdr']}}}graphicFrame"):
        name = frame.find("xdr:nvGraphicFramePr/xdr:cNvPr", NS)
        chart = frame.find(".//c:chart", NS)
        assert name is not None and chart is not None
        if (name.get("name") or "").startswith("sheetops:"):
            found[(name.get("name") or "")[len("sheetops:"):]] = rels[chart.get(f"{{{NS['r']}}}id")]
    return found


def content_types(parts: dict[str, bytes]) -> dict[str, str]:
    root = ElementTree.fromstring(parts["[Content_Types].xml"])
    return {(o.get("PartName") or "")[1:]: o.get("ContentType") or "" for o in root.findall("ct:Override", NS)}


def series_refs(chart_xml: bytes) -> list[tuple[str, str]]:
    """Each series' name and its values' formula."""
    root = ElementTree.fromstring(chart_xml)
    return [(s.findtext("c:tx/c:v", "", NS), s.findtext("c:val/c:numRef/c:f", "", NS))
            for s in root.iter(f"{{{NS['c']}}}ser")]


# -- the parts ----------------------------------------------------------------------------


def test_charts_are_chart_parts_in_a_drawing_of_the_summary_and_nothing_else_changes(
    workbook: PeopleWorkbook,
) -> None:
    before = read_parts(workbook.path)
    after = write(workbook, charted_summary())

    charts = sheetops_charts(workbook.path, after, workbook.summary)
    assert set(charts) == {"money", "kpi"}
    drawing = summary_drawing(workbook.path, after, workbook.summary)
    assert drawing is not None
    added = {*charts.values(), drawing, drawing.replace("drawings/", "drawings/_rels/") + ".rels"}
    summary = sheet_part(workbook.path, workbook.summary)
    summary_rels = summary.replace("worksheets/", "worksheets/_rels/") + ".rels"
    assert added.isdisjoint(before)
    assert changed(before, after) == added | {
        summary, summary_rels, sheet_part(workbook.path, workbook.log), "[Content_Types].xml", "xl/styles.xml",
    }
    for name in PEOPLES_CHART_PARTS:  # the person's chart on the Dashboard, byte for byte
        assert after[name] == before[name], name
    types = content_types(after)
    assert types[drawing] == "application/vnd.openxmlformats-officedocument.drawing+xml"
    for part in charts.values():
        assert types[part] == "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
        ElementTree.fromstring(after[part])  # well-formed
    tab = workbook.summary.replace("'", "''")
    assert series_refs(after[charts["money"]]) == [("Spend", f"'{tab}'!$B$10:$B$13"),
                                                   ("Revenue", f"'{tab}'!$C$10:$C$13")]


def test_a_resync_rewrites_the_charts_in_place_never_adding_a_second(workbook: PeopleWorkbook) -> None:
    first = write(workbook, charted_summary())
    charts = sheetops_charts(workbook.path, first, workbook.summary)
    again = write(workbook, charted_summary(), when="2026-11-27 19:00")
    assert changed(first, again) == {sheet_part(workbook.path, workbook.log)}  # only the log row
    changed_figures = write(workbook, charted_summary(spend=900.0), when="2026-11-27 19:30")
    assert sheetops_charts(workbook.path, changed_figures, workbook.summary) == charts  # same parts, same names
    assert len([n for n in changed_figures if n.startswith("xl/charts/")]) == 3  # the person's and sheetops' two
    assert b"<c:v>900</c:v>" in changed_figures[charts["money"]]


def test_charts_no_longer_wanted_go_with_their_parts(workbook: PeopleWorkbook) -> None:
    before = read_parts(workbook.path)
    write(workbook, charted_summary())
    one = write(workbook, charted_summary(keys=("kpi",)))
    assert set(sheetops_charts(workbook.path, one, workbook.summary)) == {"kpi"}
    none = write(workbook, summary_layout())
    assert summary_drawing(workbook.path, none, workbook.summary) is None
    assert {n for n in none if "chart" in n or "drawing" in n} == {n for n in before if "chart" in n or "drawing" in n}
    assert content_types(none).keys() == content_types(before).keys()


def test_a_persons_picture_on_the_summary_stays_beside_the_charts(workbook: PeopleWorkbook, tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "pictured.xlsx"
    image = tmp_path / "logo.png"
    image.write_bytes(tiny_png())
    book = xlsxwriter.Workbook(str(path))
    summary = book.add_worksheet(workbook.summary)
    summary.insert_image("H2", str(image))
    book.add_worksheet(workbook.log).write_row(0, 0, headers("sync_log"))
    book.close()
    pictured = PeopleWorkbook(path, workbook.plan_fact, workbook.daily, workbook.summary, workbook.log, 0)
    before = read_parts(path)
    after = write(pictured, charted_summary())
    drawing = summary_drawing(path, after, workbook.summary)
    assert drawing == "xl/drawings/drawing1.xml"  # the person's drawing part, with the charts added
    assert before[drawing].split(b"</xdr:wsDr>")[0].split(b"<xdr:twoCellAnchor")[1] in after[drawing]
    assert set(sheetops_charts(path, after, workbook.summary)) == {"money", "kpi"}
    none = write(pictured, summary_layout())
    assert none[drawing] == before[drawing]  # the picture alone again, as the person left it
    assert summary_drawing(path, none, workbook.summary) == drawing


# -- the demo, read back ------------------------------------------------------------------


@pytest.fixture
def synced_demo(demo_xlsx: Path) -> Path:
    api.sync(demo_xlsx, as_of=AS_OF)
    return demo_xlsx


def test_the_demo_summary_charts_point_at_its_figures(synced_demo: Path) -> None:
    parts = read_parts(synced_demo)
    charts = sheetops_charts(synced_demo, parts, "CMO Summary")
    assert set(charts) == {"spend_revenue", "kpi_target"}
    sheet = open_in_openpyxl(synced_demo)["CMO Summary"]
    for part in charts.values():
        root = ElementTree.fromstring(parts[part])
        for series in root.iter(f"{{{NS['c']}}}ser"):
            formula = series.findtext("c:val/c:numRef/c:f", "", NS)
            found = re.fullmatch(r"'CMO Summary'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
            assert found is not None, formula
            cells = sheet[f"{found[1]}{found[2]}:{found[3]}{found[4]}"]
            values = [row[0].value for row in cells]
            cached = {int(p.get("idx") or 0): float(p.findtext("c:v", "", NS))
                      for p in series.findall("c:val/c:numRef/c:numCache/c:pt", NS)}
            assert cached == {i: pytest.approx(v) for i, v in enumerate(values) if v is not None}
            assert cached, formula
    money = ElementTree.fromstring(parts[charts["spend_revenue"]])
    names = [s.findtext("c:tx/c:v", "", NS) for s in money.iter(f"{{{NS['c']}}}ser")]
    assert names == ["Spend fact", "Revenue fact", "Spend plan", "Revenue plan"]
    assert money.find(".//c:barChart", NS) is not None and money.find(".//c:lineChart", NS) is not None


def test_a_resync_of_the_demo_keeps_one_chart_of_each_kind(synced_demo: Path) -> None:
    first = read_parts(synced_demo)
    api.sync(synced_demo, as_of=AS_OF)
    again = read_parts(synced_demo)
    assert sheetops_charts(synced_demo, again, "CMO Summary") == sheetops_charts(synced_demo, first, "CMO Summary")
    assert sorted(n for n in again if n.startswith("xl/charts/")) == ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]
    assert sorted(n for n in again if n.startswith("xl/drawings/drawing")) == ["xl/drawings/drawing1.xml"]


def test_libreoffice_opens_the_charts(synced_demo: Path, tmp_path: Path, soffice: str) -> None:
    ods = libreoffice_converts(soffice, synced_demo, tmp_path, "ods")
    with zipfile.ZipFile(ods) as package:
        content = package.read("content.xml").decode()
        objects = re.findall(r'<draw:object [^>]*draw:notify-on-update-of-ranges="([^"]+)"', content)
        assert len(objects) == 2
        assert all("CMO Summary" in ranges.replace("&apos;", "") for ranges in objects)
        for name in package.namelist():
            if name.endswith("/content.xml") and name.startswith("Object"):
                assert "<chart:chart" in package.read(name).decode()
    libreoffice_converts(soffice, synced_demo, tmp_path, "pdf")


def test_the_status_trend_is_a_sparkline_excel_and_libreoffice_draw(
    synced_demo: Path, tmp_path: Path, soffice: str
) -> None:
    parts = read_parts(synced_demo)
    sheet = parts[sheet_part(synced_demo, "CMO Summary")]
    root = ElementTree.fromstring(sheet)
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    assert root[-1].tag == main + "extLst"  # last, where the schema puts it
    x14 = "{http://schemas.microsoft.com/office/spreadsheetml/2009/9/main}"
    xm = "{http://schemas.microsoft.com/office/excel/2006/main}"
    lines = {s.findtext(xm + "sqref"): s.findtext(xm + "f") for s in root.iter(x14 + "sparkline")}
    assert lines and all(cell and cell.startswith("C") for cell in lines)
    values = open_in_openpyxl(synced_demo)["CMO Summary"]
    header = [c.value for c in values[4]]
    assert header[1:3] == ["Status", "Main KPI, last weeks"]
    for cell, source in lines.items():
        row = int((cell or "C0")[1:])
        assert values[f"B{row}"].value  # the status text beside it
        found = re.fullmatch(r"'CMO Summary'!C(\d+):J\1", source or "")
        assert found is not None, source
        assert values[f"A{found[1]}"].value == values[f"A{row}"].value  # the same channel's figures
    ods = libreoffice_converts(soffice, synced_demo, tmp_path, "ods")
    with zipfile.ZipFile(ods) as package:
        content = package.read("content.xml").decode()
    assert content.count("<calcext:sparkline ") == len(lines)


def test_a_summary_created_by_the_sync_gets_its_charts(tmp_path: Path) -> None:
    from xlsx_books import people_workbook

    book = people_workbook(tmp_path / "no-summary.xlsx", owned_tabs=False)
    first = write(book, charted_summary())
    charts = sheetops_charts(book.path, first, book.summary)
    assert set(charts) == {"money", "kpi"} and "xl/charts/chart1.xml" not in charts.values()  # the person's
    again = write(book, charted_summary(), when="2026-11-27 19:00")
    assert sheetops_charts(book.path, again, book.summary) == charts


def test_after_a_save_in_libreoffice_a_sync_still_finds_its_charts(
    synced_demo: Path, tmp_path: Path, soffice: str
) -> None:
    saved = libreoffice_converts(soffice, synced_demo, tmp_path, "xlsx")
    before = read_parts(saved)
    assert set(sheetops_charts(saved, before, "CMO Summary")) == {"spend_revenue", "kpi_target"}
    api.sync(saved, as_of=AS_OF)
    after = read_parts(saved)
    charts = sheetops_charts(saved, after, "CMO Summary")
    assert charts == sheetops_charts(saved, before, "CMO Summary")  # rewritten in place, none added
    assert sorted(n for n in after if n.startswith("xl/charts/chart")) == sorted(charts.values())
