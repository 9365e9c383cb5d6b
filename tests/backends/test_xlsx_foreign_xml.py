"""Workbooks whose XML other programs wrote their own way, synced twice.

Any XML writer may quote attributes with apostrophes, put a namespace prefix on every
element, spell characters of a tab name as entity references or put spaces around
``=``: it is the same workbook to every XML parser, and so it must be to sheetops. Each
case is made from the demo workbook the way the reproduction in issue 8 makes it, then
synced twice; the workbook must keep one CMO Summary and one Sync Log, unique
relationship ids and sheetIds, and open in openpyxl and LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from xlsx_books import libreoffice_converts, read_parts

from sheetops import api

DEMO_TODAY = dt.date(2026, 11, 27)  # as the demo fixtures of conftest.py

WORKBOOK = "xl/workbook.xml"
RELS = "xl/_rels/workbook.xml.rels"
NS_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = b"http://schemas.openxmlformats.org/package/2006/relationships"


def _in_tags(local: bytes, change: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """Apply ``change`` to every start tag ``<local ...>`` of a part."""
    pattern = re.compile(rb"<" + local + rb"\b[^>]*>")
    return lambda xml: pattern.sub(lambda m: change(m.group(0)), xml)


def _single_quotes(tag: bytes) -> bytes:
    return re.sub(rb'="([^"]*)"', rb"='\1'", tag)


def _spaces_around_equals(tag: bytes) -> bytes:
    return re.sub(rb'(\w)="([^"]*)"', rb'\1 =\n\t"\2"', tag)


def _prefixed(xml: bytes, prefix: bytes, uri: bytes) -> bytes:
    """Every element of the part in ``uri`` written with ``prefix`` instead of the default namespace."""
    xml = xml.replace(b'xmlns="' + uri + b'"', b'xmlns:' + prefix + b'="' + uri + b'"')
    return re.sub(rb"<(/?)([A-Za-z]\w*)(?=[\s/>])", rb"<\1" + prefix + rb":\2", xml)


def _prefixed_workbook(xml: bytes) -> bytes:
    xml = _prefixed(xml, b"ss-x", NS_MAIN)
    # the relationships namespace under another prefix than the usual r:
    return xml.replace(b'xmlns:r="' + NS_REL + b'"', b'xmlns:rel="' + NS_REL + b'"').replace(b" r:id=", b" rel:id=")


def _names_as_references(tag: bytes) -> bytes:
    def spelled(match: re.Match[bytes]) -> bytes:
        name = match.group(1).decode("utf-8")
        return b'name="' + "".join(f"&#{ord(ch)};" if ch in " -" else ch for ch in name).encode() + b'"'

    return re.sub(rb'name="([^"]*)"', spelled, tag)


CASES: dict[str, dict[str, Callable[[bytes], bytes]]] = {
    "single quotes": {
        WORKBOOK: _in_tags(b"sheet", _single_quotes),
        RELS: _in_tags(b"Relationship", _single_quotes),
    },
    "namespace prefixes": {
        WORKBOOK: _prefixed_workbook,
        RELS: lambda xml: _prefixed(xml, b"pkg.rel", NS_PKG_REL),
    },
    "entity references in names": {
        WORKBOOK: _in_tags(b"sheet", _names_as_references),
    },
    "whitespace around =": {
        WORKBOOK: _in_tags(b"sheet", _spaces_around_equals),
        RELS: _in_tags(b"Relationship", _spaces_around_equals),
    },
}


def _rewrite(path: Path, changes: dict[str, Callable[[bytes], bytes]]) -> None:
    parts = read_parts(path)
    for part, change in changes.items():
        changed = change(parts[part])
        assert changed != parts[part], f"the case did not change {part}"
        parts[part] = changed
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def _ids(path: Path) -> tuple[list[str], list[str], list[str]]:
    """Relationship ids of the workbook, sheetIds and the targets of its worksheets, as an
    XML parser reads them."""
    from xml.etree import ElementTree

    with zipfile.ZipFile(path) as package:
        rels = ElementTree.fromstring(package.read(RELS))
        book = ElementTree.fromstring(package.read(WORKBOOK))
        names = set(package.namelist())
    rel_ids = [r.get("Id", "") for r in rels]
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    sheets = book.findall(f"{{{NS_MAIN.decode()}}}sheets/{{{NS_MAIN.decode()}}}sheet")
    sheet_ids = [s.get("sheetId", "") for s in sheets]
    parts = [targets.get(s.get(f"{{{NS_REL.decode()}}}id")) or "" for s in sheets]
    assert all("xl/" + p.removeprefix("/xl/") in names for p in parts), (parts, sorted(names))
    return rel_ids, sheet_ids, parts


@pytest.mark.parametrize("case", CASES)
def test_a_workbook_written_another_way_is_synced_like_any_other(
    demo_xlsx: Path, tmp_path: Path, soffice: str, case: str
) -> None:
    _rewrite(demo_xlsx, CASES[case])
    api.sync(demo_xlsx, as_of=DEMO_TODAY)
    api.sync(demo_xlsx, as_of=DEMO_TODAY)

    rel_ids, sheet_ids, parts = _ids(demo_xlsx)
    assert [i for i, n in Counter(rel_ids).items() if n > 1] == []
    assert [i for i, n in Counter(sheet_ids).items() if n > 1] == []
    assert len(set(parts)) == len(parts)
    names = openpyxl.load_workbook(demo_xlsx).sheetnames
    assert names.count("CMO Summary") == 1 and names.count("Sync Log") == 1, names
    log = openpyxl.load_workbook(demo_xlsx)["Sync Log"]
    assert log.max_row == 3  # the header and one row per sync
    converted = libreoffice_converts(soffice, demo_xlsx, tmp_path, "xlsx:Calc MS Excel 2007 XML")
    assert openpyxl.load_workbook(converted).sheetnames == names



@pytest.mark.parametrize(
    ("xml", "found"),
    [
        (b'<workbook xmlns="M"><sheets><sheet name="A"/></sheets></workbook>', [{"name": "A"}]),
        (b"<w:workbook xmlns:w='M'><w:sheets><w:sheet name='A&amp;B'/></w:sheets></w:workbook>", [{"name": "A&B"}]),
        (b'<workbook xmlns="M"><sheet name = "A&#x20;B&#39;s"\n/></workbook>', [{"name": "A B's"}]),
        (b'<workbook xmlns="M"><!-- <sheet name="old"/> --><sheet name="A\tB"/></workbook>', [{"name": "A B"}]),
        (b'<workbook xmlns="M"><other xmlns="N"><sheet name="not ours"/></other></workbook>', []),
        (b'<workbook xmlns="M" xmlns:q="R"><sheet q:id="rId1" id="x"/></workbook>', [{"{R}id": "rId1", "id": "x"}]),
        (b'<a:workbook xmlns:a="M"><a:sheet xmlns:a="N" name="B"/><sheet xmlns="M" name="C"/></a:workbook>',
         [{"name": "C"}]),
    ],
)  # fmt: skip
def test_elements_are_found_as_an_xml_parser_reads_them(xml: bytes, found: list[dict[str, str]]) -> None:
    from sheetops.backends.xlsx import xmlbytes as xb

    assert [n.attrs for n in xb.find_elements(xml, ["{M}sheet"])] == found


@pytest.mark.parametrize(
    "xml",
    [b'<workbook xmlns="M"><x:sheet name="A"/></workbook>', b'<workbook xmlns="M"><sheets></workbook>'],
)
def test_a_part_that_is_not_xml_is_refused(xml: bytes) -> None:
    from sheetops.backends.xlsx import xmlbytes as xb

    with pytest.raises(ValueError):
        xb.find_elements(xml, ["{M}sheet"])


def test_a_styles_part_the_relationships_do_not_name_is_kept_not_overwritten(demo_xlsx: Path) -> None:
    """A program that dropped the styles relationship leaves the workbook's styles in place:
    sync links them again rather than writing a fresh styles part over them."""
    before = read_parts(demo_xlsx)["xl/styles.xml"]
    _rewrite(demo_xlsx, {RELS: lambda xml: re.sub(rb"<Relationship [^>]*styles\.xml\"/>", b"", xml)})
    api.sync(demo_xlsx, as_of=DEMO_TODAY)
    after = read_parts(demo_xlsx)
    def entries(xml: bytes, tag: bytes) -> list[bytes]:
        body = re.search(rb"<" + tag + rb"\b[^>]*>(.*)</" + tag + rb">", xml, re.S)
        assert body is not None
        return re.findall(rb"<(?:xf|fill|font)\b.*?(?:/>|</(?:xf|fill|font)>)", body[1], re.S)

    for tag in (b"cellXfs", b"fills", b"fonts"):  # the workbook's own styles, first and unchanged
        kept = entries(before, tag)
        assert entries(after["xl/styles.xml"], tag)[: len(kept)] == kept, tag
    assert b"styles.xml" in after[RELS]
