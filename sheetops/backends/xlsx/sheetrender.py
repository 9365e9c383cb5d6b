"""Writing whole sheet parts for the tabs sheetops owns, from a :class:`TabLayout`.

The CMO Summary is rewritten whole on every sync; the Sync Log and sheetops' record are
created this way when missing. Values are written as values: text always as an inline
string (so a text starting with "=" stays text, never a formula), numbers as numbers,
dates as serial numbers with a date format, booleans as booleans. The same layout
always gives the same bytes, so a second identical sync leaves the part unchanged.

When the tab already exists, what people set on it and sheetops does not write is kept:
the tab colour (``sheetPr``), the view options (zoom, selection of the tab), protection,
print settings, and the drawings (a logo, a chart, notes) anchored on it.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from sheetops.backends.xlsx import xmlbytes as xb
from sheetops.backends.xlsx.package import NS_MAIN, NS_REL
from sheetops.backends.xlsx.sheetxml import cell_ref
from sheetops.backends.xlsx.styles import StyleSheet
from sheetops.layout import DATE, DATETIME, Cell, DropDown, Style, TabLayout, Value
from sheetops.workbook import column_letter

EPOCH = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)  # Mac Excel's date system: serial 0 is 1904-01-01
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# Elements of an existing owned tab that are kept, by where they go (ECMA-376 order).
_KEPT_BEFORE = (b"sheetPr",)
_KEPT_AFTER_DATA = (b"sheetProtection",)
_KEPT_PRINT = (b"printOptions", b"pageMargins", b"pageSetup", b"headerFooter")
_KEPT_DRAWINGS = (b"drawing", b"legacyDrawing", b"legacyDrawingHF", b"picture")
_DEFAULT_MARGINS = b'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'


def excel_serial(value: dt.date | dt.datetime, *, date1904: bool = False) -> float:
    """Days since 1899-12-30 (the 1900 date system), or since 1904-01-01 in a workbook
    that uses the 1904 date system, with the time as a fraction."""
    epoch = EPOCH_1904 if date1904 else EPOCH
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - epoch
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return float((value - epoch.date()).days)


def default_format(value: Value) -> str | None:
    """The number format a value needs when its style names none (dates need one)."""
    if isinstance(value, dt.datetime):
        return DATETIME
    if isinstance(value, dt.date):
        return DATE
    return None


def cell_element(
    row: int, col: int, value: Value, style: int, prefix: bytes = b"", *, date1904: bool = False
) -> bytes | None:
    """A ``<c>`` element for a value (None when the cell would be empty and unstyled); a
    date as a serial number in the workbook's date system."""
    return _element(cell_ref(row, col).encode(), value, style, prefix, date1904)


def _element(ref: bytes, value: Value, style: int, prefix: bytes, date1904: bool) -> bytes | None:
    s = b' s="%d"' % style if style else b""
    c = prefix + b"c"
    head = b"<" + c + b' r="' + ref + b'"' + s
    if isinstance(value, bool):
        return head + b' t="b"><' + prefix + b"v>" + (b"1" if value else b"0") + b"</" + prefix + b"v></" + c + b">"
    if isinstance(value, (dt.date, dt.datetime)):
        value = excel_serial(value, date1904=date1904)
    if isinstance(value, (int, float)) and (isinstance(value, int) or math.isfinite(value)):
        number = str(value) if isinstance(value, int) else _float_text(value)
        return head + b"><" + prefix + b"v>" + number.encode() + b"</" + prefix + b"v></" + c + b">"
    if isinstance(value, str) and value != "":
        text = _text_element(value, prefix)
        return head + b' t="inlineStr"><' + prefix + b"is>" + text + b"</" + prefix + b"is></" + c + b">"
    return head + b"/>" if style else None


def _text_element(text: str, prefix: bytes) -> bytes:
    """:func:`.xmlbytes.text_element`, quicker for the usual text (nothing to write as
    ``_xHHHH_``: no control characters, no ``_x``)."""
    if "_x" in text or not text.isprintable():
        return xb.text_element(text, prefix)
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") if "&" in text or "<" in text \
        or ">" in text else text
    space = b' xml:space="preserve"' if xb.preserve_space(text) else b""
    return b"<" + prefix + b"t" + space + b">" + escaped.encode("utf-8") + b"</" + prefix + b"t>"


def _float_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def style_of(cell: Cell, styles: StyleSheet) -> int:
    return styles.xf_for(cell.style, default_format(cell.value))


def row_element(row: int, cells: list[bytes], prefix: bytes = b"", height: float | None = None) -> bytes:
    r = prefix + b"row"
    attrs = b' r="%d"' % (row + 1)
    if height is not None:
        attrs += b' ht="' + repr(float(height)).encode() + b'" customHeight="1"'
    return b"<" + r + attrs + b">" + b"".join(cells) + b"</" + r + b">"


def render_worksheet(
    layout: TabLayout,
    styles: StyleSheet,
    old: bytes | None = None,
    *,
    date1904: bool = False,
    drawing: bytes | None = None,
    extensions: bytes = b"",
) -> bytes:
    """The whole sheet part for ``layout`` (keeping what people set on ``old``, if given);
    dates in the 1904 date system when the workbook uses it.

    ``drawing``: the ``<drawing>`` element to carry instead of the old part's (``b""``:
    none), when sheetops' charts added or removed the tab's drawing part; ``extensions``:
    the part's ``<extLst>`` (sheetops' sparklines), last in the part."""
    kept = _kept_elements(old) if old else {}
    if drawing is not None:
        kept[b"drawing"] = [drawing] if drawing else []
    root_tag = _root_tag(old)
    rows = []
    last_row, last_col = 0, 0
    letters = [column_letter(c).encode() for c in range(max((len(cells) for cells in layout.rows), default=0))]
    # A cell's style depends on its Style and its value's type only: each pair is worked out
    # once (by identity: the layout keeps every Style alive while it is rendered).
    style_ids: dict[tuple[int, type], int] = {}
    for r, cells in enumerate(layout.rows):
        elements = []
        number = b"%d" % (r + 1)
        for c, cell in enumerate(cells):
            key = (id(cell.style), type(cell.value))
            style = style_ids.get(key)
            if style is None:
                style = style_ids[key] = style_of(cell, styles)
            element = _element(letters[c] + number, cell.value, style, b"", date1904)
            if element is not None:
                elements.append(element)
                last_row, last_col = max(last_row, r), max(last_col, c)
        if elements:
            rows.append(row_element(r, elements, height=layout.row_heights.get(r)))
    dimension = cell_ref(0, 0) if not rows else f"A1:{cell_ref(last_row, last_col)}"
    parts = [
        XML_DECLARATION,
        root_tag,
        *kept.get(b"sheetPr", []),
        f'<dimension ref="{dimension}"/>'.encode(),
        _sheet_views(layout, old),
        b'<sheetFormatPr defaultRowHeight="15"/>',
        _columns(layout, styles),
        *((b"<sheetData>", *rows, b"</sheetData>") if rows else (b"<sheetData/>",)),  # joined once, with the rest
        *kept.get(b"sheetProtection", []),
        _data_validations(layout.dropdowns),
    ]
    if any(name in kept for name in _KEPT_PRINT):
        for name in _KEPT_PRINT:
            parts.extend(kept.get(name, []))
    else:
        parts.append(_DEFAULT_MARGINS)
    for name in _KEPT_DRAWINGS:
        parts.extend(kept.get(name, []))
    parts.append(extensions)
    parts.append(b"</worksheet>")
    return b"".join(parts)


def _root_tag(old: bytes | None) -> bytes:
    """``<worksheet>`` with the main and relationship namespaces, and any the old part declared."""
    declared: dict[str, str] = {}
    ignorable = None
    if old:
        element = xb.root(old)
        tag = old[element.start : element.start_end]
        if element.local == b"worksheet" and xb.prefix_of(element.name) == b"":
            declared = xb.namespaces(tag)
            ignorable = xb.attributes(tag).get("mc:Ignorable")
    declared[""] = NS_MAIN
    if declared.get("r", NS_REL) != NS_REL:
        declared = {p: u for p, u in declared.items() if p != "r"}
    declared.setdefault("r", NS_REL)
    attrs = [f'xmlns="{NS_MAIN}"'] + [f'xmlns:{p}="{xb.escape_attr(u)}"' for p, u in declared.items() if p]
    if ignorable and declared.get("mc") == _MC:
        attrs.append(f'mc:Ignorable="{xb.escape_attr(ignorable)}"')
    return ("<worksheet " + " ".join(attrs) + ">").encode("utf-8")


def _kept_elements(old: bytes) -> dict[bytes, list[bytes]]:
    element = xb.root(old)
    if element.local != b"worksheet" or xb.prefix_of(element.name) != b"":
        return {}  # a prefixed part: its elements would not fit an unprefixed one
    kept: dict[bytes, list[bytes]] = {}
    wanted = set(_KEPT_BEFORE + _KEPT_AFTER_DATA + _KEPT_PRINT + _KEPT_DRAWINGS)
    for child in xb.children(old, element):
        if child.local in wanted:
            kept.setdefault(child.local, []).append(old[child.start : child.end])
    return kept


def _sheet_views(layout: TabLayout, old: bytes | None) -> bytes:
    attrs = b' workbookViewId="0"'
    if old:
        found = re.search(rb"<sheetView\b" + xb.ATTRS + rb"/?>", old)
        if found:
            tag = xb.set_attribute(found.group(0), b"topLeftCell", None)
            attrs = tag[len(b"<sheetView") : len(tag) - (2 if tag.endswith(b"/>") else 1)].rstrip()
    frozen, frozen_cols = layout.freeze_rows, layout.freeze_cols
    if frozen <= 0 and frozen_cols <= 0:
        return b"<sheetViews><sheetView" + attrs + b"/></sheetViews>"
    below = f"{column_letter(max(frozen_cols, 0))}{max(frozen, 0) + 1}".encode()
    split = b""
    if frozen_cols > 0:
        split += b' xSplit="%d"' % frozen_cols
    if frozen > 0:
        split += b' ySplit="%d"' % frozen
    active = b"bottomRight" if frozen > 0 and frozen_cols > 0 else b"bottomLeft" if frozen > 0 else b"topRight"
    pane = (
        b"<pane" + split + b' topLeftCell="' + below + b'" activePane="' + active + b'" state="frozen"/>'
        b'<selection pane="' + active + b'" activeCell="' + below + b'" sqref="' + below + b'"/>'
    )
    return b"<sheetViews><sheetView" + attrs + b">" + pane + b"</sheetView></sheetViews>"


def _columns(layout: TabLayout, styles: StyleSheet) -> bytes:
    count = max([len(layout.widths), *(c + 1 for c in layout.column_formats)], default=0)
    cols = []
    for col in range(count):
        width = layout.widths[col] if col < len(layout.widths) else None
        code = layout.column_formats.get(col)
        if width is None and code is None:
            continue
        attrs = f'min="{col + 1}" max="{col + 1}"'
        attrs += f' width="{_width(width)}" customWidth="1"' if width is not None else ' width="9.140625"'
        if code is not None:
            attrs += f' style="{styles.xf_for(Style(number_format=code))}"'
        cols.append(f"<col {attrs}/>".encode())
    return b"<cols>" + b"".join(cols) + b"</cols>" if cols else b""


def _width(width: float) -> str:
    # Excel stores the width plus the cell padding (about 0.71 character at 11 pt).
    return repr(float(width) + 0.7109375)


def _data_validations(dropdowns: tuple[DropDown, ...]) -> bytes:
    items = []
    for drop in dropdowns:
        column = column_letter(drop.col)
        sqref = f"{column}{drop.first_row + 1}:{column}{drop.last_row + 1}"
        if drop.source_tab is not None and drop.source_col is not None:
            source_column = column_letter(drop.source_col)
            tab = drop.source_tab.replace("'", "''")
            formula = f"'{tab}'!${source_column}$2:${source_column}${max(drop.last_row + 1, 2)}"
        else:
            formula = '"' + ",".join(v.replace('"', '""') for v in drop.values) + '"'
        style = "" if drop.strict else ' errorStyle="warning"'
        items.append(
            f'<dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1"{style} '
            f'sqref="{sqref}"><formula1>{xb.escape_text(formula)}</formula1></dataValidation>'
        )
    if not items:
        return b""
    return f'<dataValidations count="{len(items)}">{"".join(items)}</dataValidations>'.encode()
