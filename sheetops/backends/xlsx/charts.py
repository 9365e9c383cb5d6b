"""Native charts on a tab sheetops owns: chart parts, their drawing, and its relationships.

A :class:`~sheetops.layout.ChartSpec` becomes a DrawingML chart part
(``xl/charts/chartN.xml``, with a cache of the values it shows, so that a program draws it
before it calculates anything), anchored in the tab's drawing part
(``xl/drawings/drawingN.xml``) by a ``oneCellAnchor`` whose shape is named
``sheetops:<key>``. That name is how a later sync finds its own charts: it rewrites the
chart part of the same key in place (same part name, same relationship), adds the charts
that are new and removes those no longer wanted, with their parts, relationships and
content types. Anchors without that name (a person's picture or chart on the tab) are
left as they are, byte for byte. A drawing part sheetops created and that ends up
empty is removed with the sheet's ``<drawing>``.

Every other tab's drawings and charts are never read.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from sheetops.backends.xlsx import xmlbytes as xb
from sheetops.backends.xlsx.package import NS_REL
from sheetops.backends.xlsx.relations import ContentTypes, Relationships
from sheetops.backends.xlsx.repack import PackageEdit, rels_part_of
from sheetops.backends.xlsx.sheetrender import XML_DECLARATION, excel_serial
from sheetops.layout import CellRange, ChartSeries, ChartSpec, TabLayout, Value

_OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
REL_DRAWING = _OFFICE_REL + "drawing"
REL_CHART = _OFFICE_REL + "chart"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
NS_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NAME_PREFIX = "sheetops:"
EMU_PER_PIXEL = 9525
_ANCHORS = ("twoCellAnchor", "oneCellAnchor", "absoluteAnchor")
# The axes' ids in every chart sheetops writes (a chart's own numbering).
_CAT_AXIS, _VAL_AXIS = 500100, 500200


class SheetCharts:
    """The charts sheetops keeps on one sheet part."""

    def __init__(self, edit: PackageEdit, sheet_part: str, date1904: bool = False) -> None:
        self.edit = edit
        self.sheet_part = sheet_part
        self.date1904 = date1904

    def apply(self, layout: TabLayout, old_sheet: bytes | None) -> bytes | None:
        """Make the sheet's drawing hold exactly ``layout.charts`` among sheetops' anchors.

        Returns the ``<drawing>`` element the rewritten sheet part must carry when it
        changes (a new drawing part), ``b""`` when the sheet's ``<drawing>`` must go
        (sheetops' drawing part was removed), None to keep what the old part has."""
        rels = Relationships(self.edit, self.sheet_part)
        drawing = self._drawing(rels, old_sheet)
        if drawing is None:
            if not layout.charts:
                return None
            part = self.edit.free_name("xl/drawings/drawing{}.xml")
            root = f'<xdr:wsDr xmlns:xdr="{NS_XDR}" xmlns:a="{NS_A}">'.encode()
            self.edit.put(part, XML_DECLARATION + root + b"</xdr:wsDr>")
            ContentTypes(self.edit).add_override(part, CT_DRAWING)
            rel_id = rels.add(REL_DRAWING, part)
            self._fill(part, layout)
            return f'<drawing r:id="{rel_id}"/>'.encode()
        rel_id, part = drawing
        if self._fill(part, layout):
            rels.remove(rel_id)
            self.edit.remove(part)
            ContentTypes(self.edit).remove_override(part)
            return b""
        return None

    def _drawing(self, rels: Relationships, old_sheet: bytes | None) -> tuple[str, str] | None:
        """The sheet's drawing part (the one its ``<drawing r:id>`` names) and its relationship id."""
        found = [(rid, target) for rid, target in rels.of_type(REL_DRAWING) if self.edit.has(target)]
        if not found or old_sheet is None:
            return None
        named = re.search(rb"<(?:[\w.-]+:)?drawing\b" + xb.ATTRS + rb"/?>", old_sheet)
        if named is None:
            return None
        attrs = xb.attributes(named.group(0))
        rel_id = next((v for k, v in attrs.items() if k.endswith(":id")), None)
        return next(((rid, target) for rid, target in found if rid == rel_id), None)

    def _fill(self, part: str, layout: TabLayout) -> bool:
        """Rewrite sheetops' anchors and charts in the drawing ``part``; True when the part
        held only sheetops' anchors and now holds none (the caller removes it)."""
        xml = self.edit.read(part)
        rels = Relationships(self.edit, part)
        targets = rels.all()
        element = xb.root(xml)
        prefix = xb.prefix_of(element.name)
        anchors = [c for c in xb.children(xml, element) if c.local.decode() in _ANCHORS]
        ours: dict[str, tuple[xb.Element, str | None]] = {}
        shape_ids: list[int] = []
        for anchor in anchors:
            body = xml[anchor.start : anchor.end]
            for match in re.finditer(rb"<(?:[\w.-]+:)?cNvPr\b" + xb.ATTRS + rb"/?>", body):
                found = xb.attributes(match.group(0))
                if found.get("id", "").isdigit():
                    shape_ids.append(int(found["id"]))
                name = found.get("name", "")
                if name.startswith(NAME_PREFIX) and name[len(NAME_PREFIX) :] not in ours:
                    chart = re.search(rb"<(?:[\w.-]+:)?chart\b" + xb.ATTRS + rb"/?>", body)
                    rid = None
                    if chart is not None:
                        rid = next((v for k, v in xb.attributes(chart.group(0)).items() if k.endswith(":id")), None)
                    ours[name[len(NAME_PREFIX) :]] = (anchor, rid)
        others = len(anchors) - len(ours)
        edits: list[tuple[int, int, bytes]] = []
        added: list[bytes] = []
        next_id = max(shape_ids, default=1) + 1
        wanted = {spec.key for spec in layout.charts}
        for key, (anchor, rid) in ours.items():
            if key not in wanted:
                edits.append((anchor.start, anchor.end, b""))
                if rid is not None and rid in targets:
                    self._remove_chart(targets[rid][1])
                    rels.remove(rid)
        for spec in layout.charts:
            chart_xml = chart_part(spec, layout, self.date1904)
            existing = ours.get(spec.key)
            rid = existing[1] if existing is not None else None
            if existing is not None and rid is not None and rid in targets and self.edit.has(targets[rid][1]):
                target = targets[rid][1]
                if self.edit.read(target) != chart_xml:
                    self.edit.put(target, chart_xml)
                shape_id = _shape_id(xml[existing[0].start : existing[0].end]) or next_id
                new_anchor = anchor_element(spec, rid, shape_id, prefix)
                if xml[existing[0].start : existing[0].end] != new_anchor:
                    edits.append((existing[0].start, existing[0].end, new_anchor))
                continue
            target = self.edit.free_name("xl/charts/chart{}.xml")
            self.edit.put(target, chart_xml)
            ContentTypes(self.edit).add_override(target, CT_CHART)
            rid = rels.add(REL_CHART, target)
            if existing is not None:  # an anchor whose chart is gone: drawn again
                edits.append((existing[0].start, existing[0].end, b""))
            added.append(anchor_element(spec, rid, next_id, prefix))
            next_id += 1
        if ours and not others and not layout.charts:
            if self.edit.has(rels_part_of(part)):
                self.edit.remove(rels_part_of(part))
            return True
        if added:
            close_at = element.end - len(b"</" + element.name + b">")
            if element.empty:
                tag = xml[element.start : element.start_end]
                edits.append((element.start, element.end, tag[:-2].rstrip() + b">" + b"".join(added)
                              + b"</" + element.name + b">"))
            else:
                edits.append((close_at, close_at, b"".join(added)))
        if edits:
            self.edit.put(part, xb.splice(xml, sorted(edits)))
        return False

    def _remove_chart(self, chart: str) -> None:
        """A chart part sheetops wrote, with the parts only it uses (a program's style and colours of it)."""
        if self.edit.has(rels_part_of(chart)):
            for _kind, target in Relationships(self.edit, chart).all().values():
                if self.edit.has(target) and target.startswith("xl/charts/"):
                    self.edit.remove(target)
                    ContentTypes(self.edit).remove_override(target)
            self.edit.remove(rels_part_of(chart))
        if self.edit.has(chart):
            self.edit.remove(chart)
        ContentTypes(self.edit).remove_override(chart)


def _shape_id(anchor: bytes) -> int | None:
    match = re.search(rb"<(?:[\w.-]+:)?cNvPr\b" + xb.ATTRS + rb"/?>", anchor)
    if match is None:
        return None
    found = xb.attributes(match.group(0)).get("id", "")
    return int(found) if found.isdigit() else None


def anchor_element(spec: ChartSpec, rel_id: str, shape_id: int, prefix: bytes = b"xdr:") -> bytes:
    """The ``oneCellAnchor`` that places a chart on the sheet, its shape named after its key."""
    p = prefix.decode()
    row, col = spec.anchor
    cx, cy = spec.width * EMU_PER_PIXEL, spec.height * EMU_PER_PIXEL
    name = xb.escape_attr(NAME_PREFIX + spec.key)
    title = xb.escape_attr(spec.title)
    return (
        f"<{p}oneCellAnchor><{p}from><{p}col>{col}</{p}col><{p}colOff>0</{p}colOff><{p}row>{row}</{p}row>"
        f"<{p}rowOff>0</{p}rowOff></{p}from><{p}ext cx=\"{cx}\" cy=\"{cy}\"/>"
        f"<{p}graphicFrame macro=\"\"><{p}nvGraphicFramePr><{p}cNvPr id=\"{shape_id}\" name=\"{name}\" "
        f"descr=\"{title}\"/><{p}cNvGraphicFramePr/></{p}nvGraphicFramePr>"
        f"<{p}xfrm><a:off xmlns:a=\"{NS_A}\" x=\"0\" y=\"0\"/><a:ext xmlns:a=\"{NS_A}\" cx=\"0\" cy=\"0\"/></{p}xfrm>"
        f"<a:graphic xmlns:a=\"{NS_A}\"><a:graphicData uri=\"{NS_C}\">"
        f"<c:chart xmlns:c=\"{NS_C}\" xmlns:r=\"{NS_REL}\" r:id=\"{rel_id}\"/></a:graphicData></a:graphic>"
        f"</{p}graphicFrame><{p}clientData/></{p}oneCellAnchor>"
    ).encode()


# -- sparklines ------------------------------------------------------------------------------------

# The extension list entry of sparklines (Excel 2010's x14 namespace), as Excel writes it.
SPARKLINE_EXT = "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}"
NS_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
NS_XM = "http://schemas.microsoft.com/office/excel/2006/main"


def sparkline_extension(layout: TabLayout) -> bytes:
    """The sheet's ``<extLst>`` with its sparklines: one group per colour, a line each, gaps
    for weeks without figures. Excel 2010 and later and LibreOffice 7.4 and later draw them."""
    groups: dict[str, list[bytes]] = {}
    for line in layout.sparklines:
        source = xb.escape_text(f"'{layout.name.replace(chr(39), chr(39) * 2)}'!{line.values.a1()}")
        cell = f"{_letters(line.col)}{line.row + 1}"
        groups.setdefault(line.colour, []).append(
            f"<x14:sparkline><xm:f>{source}</xm:f><xm:sqref>{cell}</xm:sqref></x14:sparkline>".encode())
    body = b""
    for colour, lines in groups.items():
        rgb = "FF" + colour.upper()
        body += (
            f'<x14:sparklineGroup lineWeight="1.5" displayEmptyCellsAs="gap" markers="1"><x14:colorSeries rgb="{rgb}"/>'
            '<x14:colorNegative rgb="FFC00000"/><x14:colorAxis rgb="FF000000"/>'
            f'<x14:colorMarkers rgb="{rgb}"/><x14:colorFirst rgb="{rgb}"/><x14:colorLast rgb="{rgb}"/>'
            f'<x14:colorHigh rgb="{rgb}"/><x14:colorLow rgb="{rgb}"/><x14:sparklines>'
        ).encode() + b"".join(lines) + b"</x14:sparklines></x14:sparklineGroup>"
    return (
        f'<extLst><ext uri="{SPARKLINE_EXT}" xmlns:x14="{NS_X14}"><x14:sparklineGroups xmlns:xm="{NS_XM}">'.encode()
        + body + b"</x14:sparklineGroups></ext></extLst>"
    )


# -- the chart part -----------------------------------------------------------------------------


def chart_part(spec: ChartSpec, layout: TabLayout, date1904: bool = False) -> bytes:
    """The chart part of ``spec``: bars (or lines) and the series drawn as lines over
    them, a category and a value axis, a legend below; formulas point at the tab's
    cells, with their values cached."""
    bars = [s for s in spec.series if not s.line and spec.kind != "line"]
    lines = [s for s in spec.series if s.line or spec.kind == "line"]
    cats = _categories(spec.categories, layout, date1904)
    plots = []
    index = 0
    if bars:
        direction = "bar" if spec.kind == "bar" else "col"
        series = []
        for s in bars:
            series.append(_series(s, index, cats, layout, line=False))
            index += 1
        plots.append(
            f'<c:barChart><c:barDir val="{direction}"/><c:grouping val="clustered"/><c:varyColors val="0"/>'
            + "".join(series)
            + f'<c:gapWidth val="80"/><c:axId val="{_CAT_AXIS}"/><c:axId val="{_VAL_AXIS}"/></c:barChart>'
        )
    if lines:
        series = []
        for s in lines:
            series.append(_series(s, index, cats, layout, line=True))
            index += 1
        plots.append(
            '<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>' + "".join(series)
            + f'<c:marker val="1"/><c:axId val="{_CAT_AXIS}"/><c:axId val="{_VAL_AXIS}"/></c:lineChart>'
        )
    cat_format = cats[1] or "General"
    value_format = xb.escape_attr(spec.number_format or "General")
    horizontal = spec.kind == "bar"
    xml = (
        f'<c:chartSpace xmlns:c="{NS_C}" xmlns:a="{NS_A}" xmlns:r="{NS_REL}">'
        '<c:roundedCorners val="0"/><c:chart>'
        f"<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:pPr><a:defRPr sz=\"1200\" b=\"1\"/></a:pPr>"
        f"<a:r><a:rPr sz=\"1200\" b=\"1\"/><a:t>{xb.escape_text(spec.title)}</a:t></a:r></a:p></c:rich></c:tx>"
        '<c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>'
        + "".join(plots)
        + f'<c:catAx><c:axId val="{_CAT_AXIS}"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{"l" if horizontal else "b"}"/>'
        f'<c:numFmt formatCode="{xb.escape_attr(cat_format)}" sourceLinked="0"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="low"/>'
        f'<c:crossAx val="{_VAL_AXIS}"/><c:crosses val="autoZero"/><c:auto val="0"/><c:lblAlgn val="ctr"/>'
        '<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="{_VAL_AXIS}"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{"b" if horizontal else "l"}"/><c:majorGridlines/>'
        f'<c:numFmt formatCode="{value_format}" sourceLinked="0"/><c:majorTickMark val="out"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="{_CAT_AXIS}"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>'
        '</c:plotArea><c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>'
    )
    return XML_DECLARATION + xml.encode("utf-8")


def _series(series: ChartSeries, index: int, cats: tuple[str, str | None], layout: TabLayout, *, line: bool) -> str:
    colour = xb.escape_attr(series.colour)
    if line:
        look = (f'<c:spPr><a:ln w="28575" cap="rnd"><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill>'
                '<a:prstDash val="dash"/><a:round/></a:ln></c:spPr><c:marker><c:symbol val="none"/></c:marker>')
    else:
        look = f'<c:spPr><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill></c:spPr><c:invertIfNegative val="0"/>'
    values = _numbers(series.values, layout)
    return (
        f'<c:ser><c:idx val="{index}"/><c:order val="{index}"/><c:tx><c:v>{xb.escape_text(series.name)}</c:v></c:tx>'
        + look
        + f"<c:cat>{cats[0]}</c:cat>"
        + f"<c:val>{values}</c:val>"
        + ('<c:smooth val="0"/>' if line else "")
        + "</c:ser>"
    )


def _reference(cells: CellRange, layout: TabLayout) -> str:
    name = layout.name.replace("'", "''")
    first = f"${_letters(cells.first_col)}${cells.first_row + 1}"
    last = f"${_letters(cells.last_col)}${cells.last_row + 1}"
    return xb.escape_text(f"'{name}'!{first}:{last}")


def _letters(col: int) -> str:
    from sheetops.workbook import column_letter

    return column_letter(col)


def _cells(cells: CellRange, layout: TabLayout) -> list[tuple[Value, str | None]]:
    found: list[tuple[Value, str | None]] = []
    for row in range(cells.first_row, cells.last_row + 1):
        for col in range(cells.first_col, cells.last_col + 1):
            cell = layout.rows[row][col] if row < len(layout.rows) and col < len(layout.rows[row]) else None
            found.append((cell.value, cell.style.number_format) if cell is not None else (None, None))
    return found


def _categories(cells: CellRange, layout: TabLayout, date1904: bool) -> tuple[str, str | None]:
    """The ``<c:cat>`` content (dates and numbers as numbers, else texts) and its number format."""
    found = _cells(cells, layout)
    reference = _reference(cells, layout)
    if found and all(isinstance(v, (dt.date, int, float)) and not isinstance(v, bool) or v is None for v, _ in found):
        code = next((f for v, f in found if v is not None and f), None) or "General"
        points = "".join(
            f'<c:pt idx="{i}"><c:v>{_number(v, date1904)}</c:v></c:pt>'
            for i, (v, _) in enumerate(found)
            if v is not None
        )
        cache = (f"<c:numCache><c:formatCode>{xb.escape_text(code)}</c:formatCode>"
                 f'<c:ptCount val="{len(found)}"/>{points}</c:numCache>')
        return f"<c:numRef><c:f>{reference}</c:f>{cache}</c:numRef>", code
    points = "".join(
        f'<c:pt idx="{i}"><c:v>{xb.escape_text(str(v))}</c:v></c:pt>' for i, (v, _) in enumerate(found) if v is not None
    )
    cache = f'<c:strCache><c:ptCount val="{len(found)}"/>{points}</c:strCache>'
    return f"<c:strRef><c:f>{reference}</c:f>{cache}</c:strRef>", None


def _numbers(cells: CellRange, layout: TabLayout) -> str:
    found = _cells(cells, layout)
    code = next((f for v, f in found if v is not None and f), None) or "General"
    points = "".join(
        f'<c:pt idx="{i}"><c:v>{_number(v, False)}</c:v></c:pt>'
        for i, (v, _) in enumerate(found)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    )
    return (f"<c:numRef><c:f>{_reference(cells, layout)}</c:f><c:numCache><c:formatCode>{xb.escape_text(code)}"
            f'</c:formatCode><c:ptCount val="{len(found)}"/>{points}</c:numCache></c:numRef>')


def _number(value: Value, date1904: bool) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        value = excel_serial(value, date1904=date1904)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)
