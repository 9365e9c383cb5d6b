"""Adding and removing relationships and content types, as byte edits.

A part sheetops adds (a tab, a notes part, a notes drawing) needs a relationship from
the part that uses it and a content type in ``[Content_Types].xml``. These small parts
are edited in place: the new entry is inserted before the closing tag, a removed entry
is cut out, and every other byte stays as it was.
"""

from __future__ import annotations

import re

from sheetops.backends.xlsx import xmlbytes as xb
from sheetops.backends.xlsx.package import NS_PKG_REL, read_rels
from sheetops.backends.xlsx.repack import PackageEdit, relative_target, rels_part_of

CONTENT_TYPES = "[Content_Types].xml"
NS_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
REL_WORKSHEET = _OFFICE_REL + "worksheet"
REL_STYLES = _OFFICE_REL + "styles"
REL_COMMENTS = _OFFICE_REL + "comments"
REL_VML = _OFFICE_REL + "vmlDrawing"
REL_CALC_CHAIN = _OFFICE_REL + "calcChain"
_SPREADSHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
CT_WORKSHEET = _SPREADSHEETML + "worksheet+xml"
CT_STYLES = _SPREADSHEETML + "styles+xml"
CT_COMMENTS = _SPREADSHEETML + "comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_RELATIONSHIP = xb.expanded(NS_PKG_REL, "Relationship")


class Relationships:
    """The relationships of one part (its ``_rels/NAME.rels`` part)."""

    def __init__(self, edit: PackageEdit, source: str) -> None:
        self.edit = edit
        self.source = source
        self.part = rels_part_of(source)

    def all(self) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, absolute target part)."""
        return read_rels(self.edit, self.source)

    def of_type(self, rel_type: str) -> list[tuple[str, str]]:
        return [(rid, target) for rid, (kind, target) in self.all().items() if kind == rel_type]

    def target(self, rel_id: str) -> str | None:
        found = self.all().get(rel_id)
        return found[1] if found else None

    def add(self, rel_type: str, target: str) -> str:
        """Add a relationship to the part ``target``; return its new id."""
        taken = set(self.all())
        numbers = [int(m.group(1)) for rid in taken if (m := re.fullmatch(r"rId(\d+)", rid))]
        n = max(numbers, default=0) + 1
        while f"rId{n}" in taken:
            n += 1
        rel_id = f"rId{n}"
        entry = (
            f'<Relationship Id="{rel_id}" Type="{rel_type}" '
            f'Target="{xb.escape_attr(relative_target(self.source, target))}"/>'
        ).encode()
        if not self.edit.has(self.part):
            head = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            self.edit.put(
                self.part, head + f'<Relationships xmlns="{NS_PKG_REL}">'.encode() + entry + b"</Relationships>"
            )
            return rel_id
        xml = self.edit.read(self.part)
        self.edit.put(self.part, _insert_child(xml, _prefixed(entry, xml)))
        return rel_id

    def remove(self, rel_id: str) -> None:
        if not self.edit.has(self.part):
            return
        xml = self.edit.read(self.part)
        found = xb.find_elements(xml, [_RELATIONSHIP])
        for node in found:
            if node.attrs.get("Id") == rel_id:
                rest = xml[: node.element.start] + xml[node.element.end :]
                if len(found) == 1:
                    self.edit.remove(self.part)  # an empty relationships part is left out
                else:
                    self.edit.put(self.part, rest)
                return


class ContentTypes:
    """``[Content_Types].xml``: the content type of every part."""

    def __init__(self, edit: PackageEdit) -> None:
        self.edit = edit

    def _entries(self, kind: str) -> list[xb.Node]:
        return xb.find_elements(self.edit.read(CONTENT_TYPES), [xb.expanded(NS_CONTENT_TYPES, kind)])

    def has_default(self, extension: str) -> bool:
        return any(n.attrs.get("Extension", "").lower() == extension.lower() for n in self._entries("Default"))

    def add_default(self, extension: str, content_type: str) -> None:
        if self.has_default(extension):
            return
        entry = f'<Default Extension="{extension}" ContentType="{content_type}"/>'.encode()
        xml = self.edit.read(CONTENT_TYPES)
        self.edit.put(CONTENT_TYPES, _insert_child(xml, _prefixed(entry, xml)))

    def add_override(self, part: str, content_type: str) -> None:
        name = "/" + part
        if any(n.attrs.get("PartName", "").lower() == name.lower() for n in self._entries("Override")):
            return
        entry = f'<Override PartName="{xb.escape_attr(name)}" ContentType="{content_type}"/>'.encode()
        xml = self.edit.read(CONTENT_TYPES)
        self.edit.put(CONTENT_TYPES, _insert_child(xml, _prefixed(entry, xml)))

    def remove_override(self, part: str) -> None:
        name = "/" + part
        for node in self._entries("Override"):
            if node.attrs.get("PartName", "").lower() == name.lower():
                xml = self.edit.read(CONTENT_TYPES)
                self.edit.put(CONTENT_TYPES, xml[: node.element.start] + xml[node.element.end :])
                return


def _insert_child(xml: bytes, entry: bytes) -> bytes:
    """``entry`` appended as the last child of the part's root element."""
    element = xb.root(xml)
    if element.empty:
        tag = xml[element.start : element.start_end]
        return (
            xml[: element.start] + tag[:-2].rstrip() + b">" + entry + b"</" + element.name + b">" + xml[element.end :]
        )
    close_at = element.end - len(b"</" + element.name + b">")
    return xml[:close_at] + entry + xml[close_at:]


def _prefixed(entry: bytes, xml: bytes) -> bytes:
    """``entry`` with the prefix the part's root element uses (almost always none)."""
    prefix = xb.prefix_of(xb.root(xml).name)
    return entry if not prefix else b"<" + prefix + entry[1:]
