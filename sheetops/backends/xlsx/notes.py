"""Cell notes (Excel's "Notes", the legacy comments) that sheetops adds and removes.

A sheet's notes live in two parts linked from the sheet: ``xl/commentsN.xml`` (authors,
and each note's cell and text) and a VML drawing ``xl/drawings/vmlDrawingN.vml`` (the
yellow box of each note), which the sheet names in its ``<legacyDrawing>``. When people
already have notes on a sheet, sheetops adds its own to these same parts, as byte edits
that leave their notes exactly as they were; otherwise it creates both parts. Its notes
are signed by the author "sheetops". It removes only notes it made, and only while
their text is still the text it wrote. Threaded comments (``xl/threadedComments/``)
are never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sheetops.backends.xlsx import xmlbytes as xb
from sheetops.backends.xlsx.package import NS_MAIN
from sheetops.backends.xlsx.relations import CT_COMMENTS, CT_VML, REL_COMMENTS, REL_VML, ContentTypes, Relationships
from sheetops.backends.xlsx.repack import PackageEdit
from sheetops.backends.xlsx.sheetxml import SheetEditor

NOTE_AUTHOR = "sheetops"
_COMMENT = re.compile(rb"<((?:[\w.-]+:)?comment)\b(" + xb.ATTRS + rb")(/>|>.*?</\1>)", re.DOTALL)
_TEXT = re.compile(rb"<((?:[\w.-]+:)?text)\b" + xb.ATTRS + rb"(?:/>|>.*?</\1>)", re.DOTALL)
_AUTHOR = re.compile(rb"<((?:[\w.-]+:)?author)\b" + xb.ATTRS + rb"(?:/>|>(.*?)</\1>)", re.DOTALL)
_SHAPE = re.compile(rb"<((?:[\w.-]+:)?shape)\b(" + xb.ATTRS + rb")(/>|>.*?</\1>)", re.DOTALL)
_ROW = re.compile(rb"<(?:[\w.-]+:)?Row>\s*(\d+)\s*</(?:[\w.-]+:)?Row>")
_COLUMN = re.compile(rb"<(?:[\w.-]+:)?Column>\s*(\d+)\s*</(?:[\w.-]+:)?Column>")
_SHAPE_ID = re.compile(rb'id\s*=\s*["\']_x0000_s(\d+)["\']')
_IDMAP = re.compile(rb"<(?:[\w.-]+:)?idmap\b[^>]*\bdata\s*=\s*[\"']([\d,\s]*)[\"']")
_VML_NS = {"v": "urn:schemas-microsoft-com:vml", "o": "urn:schemas-microsoft-com:office:office",
           "x": "urn:schemas-microsoft-com:office:excel"}  # fmt: skip
_NOTE_TYPE = b"_x0000_t202"
# What Excel writes for a note's box; the box is hidden until the cell is pointed at.
_NOTE_SHAPE_TYPE = (
    '<{v}:shapetype id="_x0000_t202" coordsize="21600,21600" {o}:spt="202" path="m,l,21600r21600,l21600,xe">'
    '<{v}:stroke joinstyle="miter"/><{v}:path gradientshapeok="t" {o}:connecttype="rect"/></{v}:shapetype>'
)
_NOTE_SHAPE = (
    '<{v}:shape id="_x0000_s{id}" type="#_x0000_t202" style="position:absolute;margin-left:{left}pt;'
    'margin-top:{top}pt;width:108pt;height:59.25pt;z-index:{z};visibility:hidden" fillcolor="#ffffe1" '
    '{o}:insetmode="auto"><{v}:fill color2="#ffffe1"/><{v}:shadow on="t" color="black" obscured="t"/>'
    '<{v}:path {o}:connecttype="none"/><{v}:textbox style="mso-direction-alt:auto"><div style="text-align:left">'
    '</div></{v}:textbox><{x}:ClientData ObjectType="Note"><{x}:MoveWithCells/><{x}:SizeWithCells/>'
    "<{x}:Anchor>{anchor}</{x}:Anchor><{x}:AutoFill>False</{x}:AutoFill><{x}:Row>{row}</{x}:Row>"
    "<{x}:Column>{col}</{x}:Column></{x}:ClientData></{v}:shape>"
)


@dataclass(frozen=True)
class Note:
    """A note as the comments part has it."""

    ref: str
    author: str
    text: str


class CommentsPart:
    """One ``commentsN.xml``, edited as bytes."""

    def __init__(self, xml: bytes | None) -> None:
        if xml is None:
            xml = (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<comments xmlns="' + NS_MAIN.encode() + b'"><authors/><commentList/></comments>'
            )
        self.xml = xml
        self.prefix = xb.prefix_of(xb.root(xml).name)
        self.authors = [
            xb.decode_ooxml_text(xb.unescape((m.group(2) or b"").decode("utf-8"))) for m in _AUTHOR.finditer(xml)
        ]
        self.notes: dict[str, Note] = {}
        for match in _COMMENT.finditer(xml):
            attrs = xb.attributes(match.group(0)[: len(match.group(1)) + len(match.group(2)) + 1])
            ref = attrs.get("ref", "").upper()
            author_id = int(attrs.get("authorId", "0") or 0)
            author = self.authors[author_id] if 0 <= author_id < len(self.authors) else ""
            self.notes[ref] = Note(ref, author, xb.rich_text(match.group(3)))
        self._new_authors: list[str] = []
        self._added: dict[str, str] = {}
        self._texts: dict[str, str] = {}
        self._removed: set[str] = set()

    def note(self, ref: str) -> Note | None:
        if ref in self._removed:
            return None
        if ref in self._added:
            return Note(ref, NOTE_AUTHOR, self._added[ref])
        note = self.notes.get(ref)
        if note is not None and ref in self._texts:
            return Note(ref, note.author, self._texts[ref])
        return note

    def add(self, ref: str, text: str) -> None:
        self._removed.discard(ref)
        if ref in self.notes:
            self._texts[ref] = text
        else:
            self._added[ref] = text

    def set_text(self, ref: str, text: str) -> None:
        if ref in self._added:
            self._added[ref] = text
        else:
            self._texts[ref] = text

    def remove(self, ref: str) -> None:
        if self._added.pop(ref, None) is None:
            self._removed.add(ref)
        self._texts.pop(ref, None)

    @property
    def changed(self) -> bool:
        return bool(self._added or self._texts or self._removed)

    @property
    def count(self) -> int:
        return len([r for r in self.notes if r not in self._removed]) + len(self._added)

    def _author_id(self) -> int:
        everyone = self.authors + self._new_authors
        if NOTE_AUTHOR in everyone:
            return everyone.index(NOTE_AUTHOR)
        self._new_authors.append(NOTE_AUTHOR)
        return len(everyone)

    def _text(self, text: str) -> bytes:
        p = self.prefix
        run_properties = (
            b"<" + p + b'rPr><' + p + b'sz val="9"/><' + p + b'color indexed="81"/><' + p
            + b'rFont val="Tahoma"/><' + p + b'family val="2"/></' + p + b"rPr>"
        )  # fmt: skip
        return (
            b"<" + p + b"text><" + p + b"r>" + run_properties + xb.text_element(text, p)
            + b"</" + p + b"r></" + p + b"text>"
        )  # fmt: skip

    def to_bytes(self) -> bytes:
        if not self.changed:
            return self.xml
        p = self.prefix
        edits: list[tuple[int, int, bytes]] = []
        author_id = self._author_id() if self._added else 0
        authors_in_use = {author_id} if self._added else set()
        for match in _COMMENT.finditer(self.xml):
            attrs = xb.attributes(match.group(0)[: len(match.group(1)) + len(match.group(2)) + 1])
            ref = attrs.get("ref", "").upper()
            if ref not in self._removed:
                authors_in_use.add(int(attrs.get("authorId", "0") or 0))
            if ref in self._removed:
                edits.append((match.start(), match.end(), b""))
            elif ref in self._texts:
                text = _TEXT.search(self.xml, match.start(), match.end())
                if text is not None:
                    edits.append((text.start(), text.end(), self._text(self._texts[ref])))
        last = len(self.authors) - 1
        if self.authors and self.authors[last] == NOTE_AUTHOR and last not in authors_in_use:
            # sheetops' own notes are all gone: its name goes too (it was added last)
            spans = list(_AUTHOR.finditer(self.xml))
            edits.append((spans[last].start(), spans[last].end(), b""))
        if self._new_authors:
            authors = b"".join(
                b"<" + p + b"author>" + xb.escape_text(a).encode("utf-8") + b"</" + p + b"author>"
                for a in self._new_authors
            )
            edits.append(_append_to(self.xml, b"authors", authors, p))
        if self._added:
            comments = b"".join(
                b"<" + p + b'comment ref="' + ref.encode() + b'" authorId="%d">' % author_id
                + self._text(text) + b"</" + p + b"comment>"
                for ref, text in self._added.items()
            )  # fmt: skip
            edits.append(_append_to(self.xml, b"commentList", comments, p))
        return xb.splice(self.xml, edits)


class VmlDrawing:
    """One ``vmlDrawingN.vml``: the note boxes. VML is often not well-formed XML, so
    it is only ever searched and edited as bytes."""

    def __init__(self, xml: bytes | None, block: int) -> None:
        if xml is None:
            xml = (
                b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
                b'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
                b'<o:idmap v:ext="edit" data="%d"/></o:shapelayout>' % block + _note_shape_type(b"v", b"o") + b"</xml>"
            )
        self.xml = xml
        start = re.search(rb"<(?:[\w.-]+:)?xml\b" + xb.ATTRS + rb">", xml)
        declared = xb.namespaces(start.group(0)) if start else {}
        self.prefixes = {
            key: next((p for p, uri in declared.items() if uri == wanted and p), key).encode()
            for key, wanted in _VML_NS.items()
        }
        own_block = _IDMAP.search(xml)
        numbers = re.findall(rb"\d+", own_block.group(1)) if own_block else []
        self.block = int(numbers[0]) if numbers else block
        self._shapes = self._find_shapes()
        self._at = {(r, c) for *_, r, c in self._shapes}
        self._added: dict[tuple[int, int], None] = {}  # in the order added
        self._removed: set[tuple[int, int]] = set()

    def _find_shapes(self) -> list[tuple[int, int, int, int]]:
        """(start, end, row, column) of every note box."""
        found = []
        for match in _SHAPE.finditer(self.xml):
            body = match.group(0)
            row, col = _ROW.search(body), _COLUMN.search(body)
            if row and col and b"Note" in body:
                found.append((match.start(), match.end(), int(row.group(1)), int(col.group(1))))
        return found

    def has_shape_at(self, row: int, col: int) -> bool:
        if (row, col) in self._added:
            return True
        return (row, col) not in self._removed and (row, col) in self._at

    def add(self, row: int, col: int) -> None:
        if (row, col) in self._removed:
            self._removed.discard((row, col))  # the box it already has stays
        else:
            self._added[(row, col)] = None

    def remove(self, row: int, col: int) -> None:
        self._removed.add((row, col))
        self._added.pop((row, col), None)

    @property
    def changed(self) -> bool:
        return bool(self._added or self._removed_spans())

    @property
    def shape_count(self) -> int:
        return len(_SHAPE.findall(self.xml)) - len(self._removed_spans()) + len(self._added)

    def _removed_spans(self) -> list[tuple[int, int]]:
        return [(s, e) for s, e, r, c in self._shapes if (r, c) in self._removed]

    def to_bytes(self) -> bytes:
        """The part with removed boxes cut out and new ones appended.

        New boxes are numbered after the boxes that remain, so adding and removing the
        same notes again gives the same bytes.
        """
        if not self.changed:
            return self.xml
        removed = self._removed_spans()
        edits = [(s, e, b"") for s, e in removed]
        if self._added:
            remaining = [
                int(n)
                for match in _SHAPE.finditer(self.xml)
                if (match.start(), match.end()) not in removed
                for n in _SHAPE_ID.findall(match.group(0)[: match.group(0).find(b">")])
            ]
            first_id = max(remaining, default=self.block * 1024) + 1
            count = len(_SHAPE.findall(self.xml)) - len(removed)
            added = b"".join(
                self._shape(row, col, first_id + i, count + i + 1) for i, (row, col) in enumerate(self._added)
            )
            if _NOTE_TYPE not in self.xml:
                added = _note_shape_type(self.prefixes["v"], self.prefixes["o"]) + added
            close_at = self.xml.rfind(b"</")
            edits.append((close_at, close_at, added))
        return xb.splice(self.xml, edits)

    def _shape(self, row: int, col: int, shape_id: int, z: int) -> bytes:
        top = max(row - 1, 0)
        return _NOTE_SHAPE.format(
            id=shape_id,
            left=f"{(col + 1) * 48 + 11.25:g}",
            top=f"{top * 15 + 1.5:g}",
            z=z,
            anchor=f"{col + 1}, 15, {top}, 10, {col + 3}, 15, {top + 4}, 4",
            row=row,
            col=col,
            **{key: value.decode() for key, value in self.prefixes.items()},
        ).encode()


def _note_shape_type(v: bytes, o: bytes) -> bytes:
    return _NOTE_SHAPE_TYPE.format(v=v.decode(), o=o.decode()).encode()


def _append_to(xml: bytes, local: bytes, content: bytes, prefix: bytes) -> tuple[int, int, bytes]:
    """An edit that appends ``content`` inside the element ``local`` (made non-empty)."""
    match = re.compile(rb"<" + re.escape(prefix + local) + rb"\b" + xb.ATTRS + rb"(/?)>").search(xml)
    if match is None:
        raise ValueError(f"no {local.decode()} element")
    if match.group(1):
        tag = match.group(0)[:-2].rstrip() + b">"
        return match.start(), match.end(), tag + content + b"</" + prefix + local + b">"
    close = b"</" + prefix + local + b">"
    at = xml.index(close, match.end())
    return at, at, content


class SheetNotes:
    """The notes of one sheet, with the parts they live in created or removed as needed."""

    def __init__(self, edit: PackageEdit, sheet_part: str, sheet: SheetEditor) -> None:
        self.edit = edit
        self.sheet_part = sheet_part
        self.sheet = sheet
        self.rels = Relationships(edit, sheet_part)
        found = self.rels.of_type(REL_COMMENTS)
        self.comments_part = found[0][1] if found and edit.has(found[0][1]) else None
        self.comments = CommentsPart(edit.read(self.comments_part) if self.comments_part else None)
        drawing_id = sheet.legacy_drawing_id()
        target = self.rels.target(drawing_id) if drawing_id else None
        self.vml_part = target if target and edit.has(target) else None
        self.vml = VmlDrawing(edit.read(self.vml_part) if self.vml_part else None, self._free_block())

    def _free_block(self) -> int:
        used = [0]
        for name in self.edit.namelist():
            if name.lower().endswith(".vml"):
                for data in _IDMAP.findall(self.edit.read(name)):
                    used.extend(int(n) for n in re.findall(rb"\d+", data))
        return max(used) + 1

    def note(self, ref: str) -> Note | None:
        return self.comments.note(ref)

    def add(self, row: int, col: int, ref: str, text: str) -> None:
        self.comments.add(ref, text)
        if not self.vml.has_shape_at(row, col):
            self.vml.add(row, col)

    def set_text(self, ref: str, text: str) -> None:
        self.comments.set_text(ref, text)

    def remove(self, row: int, col: int, ref: str) -> None:
        self.comments.remove(ref)
        self.vml.remove(row, col)

    def finish(self) -> None:
        """Write the changed parts; create or drop them and their links as needed."""
        types = ContentTypes(self.edit)
        if self.comments.changed:
            if self.comments.count == 0 and self.comments_part is not None:
                self._drop(self.comments_part)
            elif self.comments.count:
                if self.comments_part is None:
                    self.comments_part = self.edit.free_name("xl/comments{}.xml")
                    self.rels.add(REL_COMMENTS, self.comments_part)
                    types.add_override(self.comments_part, CT_COMMENTS)
                self.edit.put(self.comments_part, self.comments.to_bytes())
        if self.vml.changed:
            if self.vml.shape_count == 0 and self.vml_part is not None:
                self._drop(self.vml_part)
                self.sheet.remove_legacy_drawing()
            elif self.vml.shape_count:
                if self.vml_part is None:
                    self.vml_part = self.edit.free_name("xl/drawings/vmlDrawing{}.vml")
                    rel_id = self.rels.add(REL_VML, self.vml_part)
                    types.add_default("vml", CT_VML)
                    self.sheet.add_legacy_drawing(rel_id)
                self.edit.put(self.vml_part, self.vml.to_bytes())

    def _drop(self, part: str) -> None:
        for rel_id, (_, target) in self.rels.all().items():
            if target == part:
                self.rels.remove(rel_id)
        self.edit.remove(part)
        ContentTypes(self.edit).remove_override(part)
