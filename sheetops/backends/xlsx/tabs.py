"""Adding a tab to an existing workbook: the only time sync touches the workbook's list.

A new tab (the CMO Summary or the Sync Log when people deleted them, sheetops' hidden
record on the first highlight) is appended after the last tab, so the positions that
defined names and the active tab refer to do not move. It takes a sheet part, a
``<sheet>`` entry in ``xl/workbook.xml`` with the next free sheetId, a relationship
from the workbook, a content type, and its name in ``docProps/app.xml``'s list of
titles, each added as a byte edit.
"""

from __future__ import annotations

import re

from sheetops.backends.xlsx import xmlbytes as xb
from sheetops.backends.xlsx.package import NS_MAIN, NS_MAIN_STRICT, NS_REL, NS_REL_STRICT, sheet_parts
from sheetops.backends.xlsx.relations import CT_WORKSHEET, REL_WORKSHEET, ContentTypes, Relationships
from sheetops.backends.xlsx.repack import PackageEdit
from sheetops.errors import BackendError

WORKBOOK = "xl/workbook.xml"
APP = "docProps/app.xml"
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_VECTOR = re.compile(rb"<((?:[\w.-]+:)?vector)\b(" + xb.ATTRS + rb")>(.*?)</\1>", re.DOTALL)
_VARIANT_TEXT = re.compile(rb"<(?:[\w.-]+:)?lpstr>(.*?)</(?:[\w.-]+:)?lpstr>", re.DOTALL)
_VARIANT_COUNT = re.compile(rb"<((?:[\w.-]+:)?i4)>\s*(\d+)\s*</\1>")


def check_tab_name(name: str) -> None:
    """Refuse a name Excel would not accept for a tab."""
    if not name or len(name) > 31 or _FORBIDDEN.search(name) or name.startswith("'") or name.endswith("'"):
        raise BackendError(
            f"{name!r} cannot be a tab name in Excel (at most 31 characters, none of [ ] : * ? / \\, "
            "not starting or ending with an apostrophe)."
        )


def add_tab(edit: PackageEdit, name: str, *, hidden: bool = False) -> str:
    """Append an empty tab called ``name``; return its (not yet written) sheet part name."""
    check_tab_name(name)
    part = edit.free_name("xl/worksheets/sheet{}.xml")
    rel_id = Relationships(edit, WORKBOOK).add(REL_WORKSHEET, part)
    ContentTypes(edit).add_override(part, CT_WORKSHEET)
    xml = edit.read(WORKBOOK)
    sheet_ids = [sheet.sheet_id for sheet in sheet_parts(edit)]
    lists = xb.find_elements(xml, [xb.expanded(ns, "sheets") for ns in (NS_MAIN, NS_MAIN_STRICT)])
    if not lists:
        raise BackendError("the workbook's list of tabs (xl/workbook.xml) is missing; the file is damaged.")
    sheets = lists[0]
    p = xb.prefix_of(sheets.element.name)  # bound to the list's namespace inside it, whatever it is
    rel_ns = NS_REL_STRICT if sheets.namespace == NS_MAIN_STRICT else NS_REL
    r_prefix = sheets.prefix_of(rel_ns)
    rel_attr = f'{r_prefix}:id="{rel_id}"' if r_prefix else f'xmlns:r="{rel_ns}" r:id="{rel_id}"'
    state = ' state="hidden"' if hidden else ""
    entry = (
        b"<"
        + p
        + f'sheet name="{xb.escape_attr(name)}" sheetId="{max(sheet_ids, default=0) + 1}"{state} {rel_attr}/>'.encode()
    )
    if sheets.element.empty:
        tag = xml[sheets.element.start : sheets.element.start_end]
        opened = tag[:-2].rstrip() + b">"
        xml = xb.splice(xml, [(sheets.element.start, sheets.element.end, opened + entry + b"</" + p + b"sheets>")])
    else:
        close_at = sheets.element.end - len(b"</" + sheets.element.name + b">")
        xml = xml[:close_at] + entry + xml[close_at:]
    edit.put(WORKBOOK, xml)
    if edit.has(APP):
        edit.put(APP, _app_with_title(edit.read(APP), name))
    return part


def hide_tab(edit: PackageEdit, name: str) -> None:
    """Hide the tab ``name`` again after a program showed it (gnumeric shows every tab it saves).

    Its ``<sheet>`` gets ``state="hidden"``; a workbook view whose active tab or first tab
    in the tab bar was this one moves to the nearest shown tab (the next, else the one
    before), as Excel does when a person hides the tab they are on; the tab's own part
    loses ``tabSelected``. A workbook with no other shown tab is left as it is.
    """
    xml = edit.read(WORKBOOK)
    wanted = [xb.expanded(ns, local) for ns in (NS_MAIN, NS_MAIN_STRICT) for local in ("sheet", "workbookView")]
    found = xb.find_elements(xml, wanted)
    sheets = [node for node in found if node.element.local == b"sheet"]
    at = next((i for i, n in enumerate(sheets) if n.attrs.get("name", "").casefold() == name.casefold()), None)
    if at is None or sheets[at].attrs.get("state", "visible") != "visible":
        return
    shown = [i for i, n in enumerate(sheets) if i != at and n.attrs.get("state", "visible") == "visible"]
    if not shown:
        return
    instead = next((i for i in shown if i > at), shown[-1])
    edits = []
    for node in found:
        start, start_end = node.element.start, node.element.start_end
        tag = xml[start:start_end]
        if node is sheets[at]:
            edits.append((start, start_end, xb.set_attribute(tag, b"state", "hidden", after=b"sheetId")))
        elif node.element.local == b"workbookView":
            changed = tag
            for attr in (b"activeTab", b"firstSheet"):
                value = node.attrs.get(attr.decode(), "0").strip()
                if value.isdigit() and int(value) == at:
                    changed = xb.set_attribute(changed, attr, str(instead))
            if changed != tag:
                edits.append((start, start_end, changed))
    edit.put(WORKBOOK, xb.splice(xml, edits))
    part = next((p.part for p in sheet_parts(edit) if p.name.casefold() == name.casefold()), None)
    if part is not None and edit.has(part):
        _unselect(edit, part)


def _unselect(edit: PackageEdit, part: str) -> None:
    """The sheet part without ``tabSelected`` on its views (a hidden tab is not the one open)."""
    xml = edit.read(part)
    views = xb.find_elements(xml, [xb.expanded(ns, "sheetView") for ns in (NS_MAIN, NS_MAIN_STRICT)])
    edits = []
    for view in views:
        if "tabSelected" in view.attrs:
            tag = xml[view.element.start : view.element.start_end]
            edits.append((view.element.start, view.element.start_end, xb.set_attribute(tag, b"tabSelected", None)))
    if edits:
        edit.put(part, xb.splice(xml, edits))


def _app_with_title(xml: bytes, name: str) -> bytes:
    """``docProps/app.xml`` with ``name`` added to the worksheets in its list of titles.

    The titles list worksheets first, then other groups (named ranges, charts) in the
    order HeadingPairs gives; the new title goes after the last worksheet. A file whose
    lists do not have that shape is left as it is (Excel rewrites them on save).
    """
    vectors = list(_VECTOR.finditer(xml))
    if len(vectors) < 2:
        return xml
    pairs, titles = vectors[0], vectors[1]
    names = [xb.unescape(t.decode("utf-8")) for t in _VARIANT_TEXT.findall(pairs.group(3))]
    counts = list(_VARIANT_COUNT.finditer(pairs.group(3)))
    if len(names) != len(counts) or not any(n in ("Worksheets", "Листы") for n in names):
        return xml
    group = next(i for i, n in enumerate(names) if n in ("Worksheets", "Листы"))
    before = sum(int(c.group(2)) for c in counts[:group])
    position = before + int(counts[group].group(2))
    items = list(re.finditer(rb"<((?:[\w.-]+:)?lpstr)>.*?</\1>", titles.group(3), re.DOTALL))
    if position > len(items):
        return xml
    prefix = xb.prefix_of(titles.group(1))
    title = b"<" + prefix + b"lpstr>" + xb.escape_text(name).encode("utf-8") + b"</" + prefix + b"lpstr>"
    offset = titles.start(3)
    at = offset + (items[position - 1].end() if position else 0)
    count = counts[group]
    count_at = pairs.start(3) + count.start(2), pairs.start(3) + count.end(2)
    vector_tag_start = titles.start(2)
    tag = titles.group(2)
    size = xb.attributes(b"<v" + tag + b">").get("size")
    edits = [(count_at[0], count_at[1], str(int(count.group(2)) + 1).encode()), (at, at, title)]
    if size is not None and size.isdigit():
        new_tag = xb.set_attribute(b"<v" + tag + b">", b"size", str(int(size) + 1))[2:-1]
        edits.append((vector_tag_start, vector_tag_start + len(tag), new_tag))
    return xb.splice(xml, edits)
