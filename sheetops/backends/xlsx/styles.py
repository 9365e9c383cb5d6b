"""The workbook's cell styles (``xl/styles.xml``), appended to and never rewritten.

Cells point at entries of ``cellXfs`` (by their ``s`` attribute); each entry combines a
number format, a font, a fill and a border, all lists in the same part. sheetops only
ever appends to these lists, so every index a cell already uses keeps its meaning, and
it reuses an entry that is already there when it means the same (compared by content,
not by bytes: Excel writes attributes in its own order), so running the same sync twice
appends nothing the second time. Fills 0 and 1 are reserved by Excel (none, gray125).

LibreOffice renumbers every list when it saves a workbook, so an index says nothing
about a style once a person has saved the file there. What a cell shows is judged by
content instead: :meth:`StyleSheet.is_filled_with` tells whether an entry's fill is a
given solid colour, :meth:`StyleSheet.fill_of` gives an entry's fill as text that can
be kept and put back later, and :meth:`StyleSheet.with_fill` makes the style that
restores it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sheetops.backends.xlsx import xmlbytes as xb
from sheetops.errors import BackendError
from sheetops.layout import Style

# Number formats every workbook has without declaring them (ECMA-376 18.8.30).
BUILTIN_FORMATS = {
    "General": 0,
    "0": 1,
    "0.00": 2,
    "#,##0": 3,
    "#,##0.00": 4,
    "0%": 9,
    "0.00%": 10,
    "0.00E+00": 11,
    "# ?/?": 12,
    "# ??/??": 13,
    "h:mm": 20,
    "h:mm:ss": 21,
    "mm:ss": 45,
    "@": 49,
}
FIRST_CUSTOM_FORMAT = 164
_FONT_ORDER = (
    b"b", b"i", b"strike", b"condense", b"extend", b"outline", b"shadow",
    b"u", b"vertAlign", b"sz", b"color", b"name", b"family", b"charset", b"scheme",
)  # fmt: skip
_SECTIONS = (b"numFmts", b"fonts", b"fills", b"borders", b"cellXfs")
_SECTION_ORDER = (b"numFmts", b"fonts", b"fills", b"borders", b"cellStyleXfs", b"cellXfs")
NO_FILL = "none"  # what :meth:`StyleSheet.fill_of` gives for fill 0 (no fill)
_PATTERN_FILL = re.compile(rb"<(?:[\w.-]+:)?patternFill\b" + xb.ATTRS + rb"/?>")
_FG_COLOR = re.compile(rb"<(?:[\w.-]+:)?fgColor\b" + xb.ATTRS + rb"/?>")
_PREFIX = re.compile(rb"<(/?)[\w.-]+:")
_RESERVED_FILLS = (
    b'<fill><patternFill patternType="none"/></fill>',
    b'<fill><patternFill patternType="gray125"/></fill>',
)

MINIMAL_STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    b'<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    b'</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    b'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    b"</styleSheet>"
)

Canonical = tuple[object, ...]


@dataclass
class _Section:
    name: bytes
    element: xb.Element | None
    items: list[bytes]
    keys: dict[Canonical, int] = field(default_factory=dict)
    appended: list[bytes] = field(default_factory=list)

    def index_of(self, item: bytes) -> int:
        """The index of an item that means the same as ``item``, appending it if new."""
        key = canonical(item)
        if key not in self.keys:
            self.keys[key] = len(self.items)
            self.items.append(item)
            self.appended.append(item)
        return self.keys[key]


class StyleSheet:
    """``xl/styles.xml``, with the entries a sync appends."""

    def __init__(self, xml: bytes) -> None:
        self.xml = xml
        self.root = xb.root(xml)
        self.prefix = xb.prefix_of(self.root.name)
        top = {child.local: child for child in xb.children(xml, self.root)}
        self.sections: dict[bytes, _Section] = {}
        for name in _SECTIONS:
            element = top.get(name)
            items = [xml[c.start : c.end] for c in xb.children(xml, element)] if element else []
            section = _Section(name, element, items)
            for index, item in enumerate(items):
                section.keys.setdefault(canonical(item), index)
            self.sections[name] = section
        for name in (b"fonts", b"borders", b"cellXfs"):
            if not self.sections[name].items:
                raise BackendError(
                    f"the workbook's styles (xl/styles.xml) have no {name.decode()}; the file is damaged."
                )
        self._top = top
        fills = self.sections[b"fills"]
        for reserved in _RESERVED_FILLS[len(fills.items) :]:
            fills.items.append(self._prefixed(reserved))
            fills.appended.append(fills.items[-1])
        # What an entry's fill is never changes (lists are only appended to), so each
        # entry is looked at once however many cells a sync marks.
        self._highlights: dict[tuple[int, str], int] = {}
        self._xfs: dict[tuple[Style, str | None], int] = {}
        self._filled_with: dict[tuple[int, str], bool] = {}
        self._fills: dict[int, str] = {}
        self._apply_fills: dict[int, str | None] = {}
        self._formats = {
            xb.unescape(xb.attributes(item).get("formatCode", "")): int(xb.attributes(item).get("numFmtId", "0"))
            for item in self.sections[b"numFmts"].items
        }

    @property
    def changed(self) -> bool:
        return any(section.appended for section in self.sections.values())

    def __len__(self) -> int:
        return len(self.sections[b"cellXfs"].items)

    def xf(self, index: int) -> bytes:
        """The cellXfs entry at ``index`` (entry 0 for an index the list does not have)."""
        items = self.sections[b"cellXfs"].items
        return items[index] if 0 <= index < len(items) else items[0]

    def xf_for(self, style: Style, default_format: str | None = None) -> int:
        """The cellXfs index of a layout style (0, the default, when it asks for nothing).

        A summary asks for the same few styles over and over: each is worked out once."""
        key = (style, default_format)
        found = self._xfs.get(key)
        if found is None:
            found = self._xfs[key] = self._xf_for(style, default_format)
        return found

    def _xf_for(self, style: Style, default_format: str | None) -> int:
        number_format = style.number_format or default_format
        wants_font = style.bold or style.italic or style.font_color is not None or style.font_size is not None
        if not (wants_font or style.fill or number_format or style.wrap):
            return 0
        format_id = self.number_format_id(number_format) if number_format else 0
        font_id = self.sections[b"fonts"].index_of(self._font(style)) if wants_font else 0
        fill_id = self.fill_id(style.fill) if style.fill else 0
        attrs = f'numFmtId="{format_id}" fontId="{font_id}" fillId="{fill_id}" borderId="0" xfId="0"'
        for flag, on in (
            ("applyNumberFormat", format_id != 0),
            ("applyFont", font_id != 0),
            ("applyFill", fill_id != 0),
            ("applyAlignment", style.wrap),
        ):
            if on:
                attrs += f' {flag}="1"'
        p = self.prefix
        if style.wrap:
            xf = b"<" + p + b"xf " + attrs.encode() + b"><" + p + b'alignment wrapText="1"/></' + p + b"xf>"
        else:
            xf = b"<" + p + b"xf " + attrs.encode() + b"/>"
        return self.sections[b"cellXfs"].index_of(xf)

    def highlight_of(self, base: int, rgb: str) -> int:
        """A copy of entry ``base`` with a solid fill of colour ``rgb``, all else kept."""
        key = (base, rgb)
        if key not in self._highlights:
            self._highlights[key] = self._highlight_of(base, rgb)
        return self._highlights[key]

    def _highlight_of(self, base: int, rgb: str) -> int:
        item = self.xf(base)
        end = xb.tag_end(item, 0)
        start_tag = xb.set_attribute(item[:end], b"fillId", str(self.fill_id(rgb)))
        start_tag = xb.set_attribute(start_tag, b"applyFill", "1")
        return self.sections[b"cellXfs"].index_of(start_tag + item[end:])

    def is_filled_with(self, index: int, rgb: str) -> bool:
        """Whether entry ``index`` shows a solid fill of colour ``rgb`` (RRGGBB or AARRGGBB,
        any case; a colour without alpha is opaque)."""
        key = (index, rgb)
        if key not in self._filled_with:
            self._filled_with[key] = self._is_filled_with(index, rgb)
        return self._filled_with[key]

    def _is_filled_with(self, index: int, rgb: str) -> bool:
        fill = self._fill_item(self._fill_id_of(self.xf(index)))
        if fill is None:
            return False
        pattern = _PATTERN_FILL.search(fill)
        colour = _FG_COLOR.search(fill)
        if pattern is None or colour is None or xb.attributes(pattern.group(0)).get("patternType") != "solid":
            return False
        found = xb.attributes(colour.group(0)).get("rgb", "").strip().upper()
        if len(found) == 6:
            found = "FF" + found
        return found.encode() == _argb(rgb)

    def fill_of(self, index: int) -> str:
        """The fill of entry ``index``: its ``<fill>`` element as XML without namespace
        prefixes (to be put back with :meth:`with_fill`), or :data:`NO_FILL` for fill 0."""
        if index not in self._fills:
            fill = self._fill_item(self._fill_id_of(self.xf(index)))
            self._fills[index] = NO_FILL if fill is None else _PREFIX.sub(rb"<\1", fill).decode("utf-8")
        return self._fills[index]

    def apply_fill_of(self, index: int) -> str | None:
        """The ``applyFill`` attribute of entry ``index`` as written (None: it has none)."""
        if index not in self._apply_fills:
            item = self.xf(index)
            self._apply_fills[index] = xb.attributes(item[: xb.tag_end(item, 0)]).get("applyFill")
        return self._apply_fills[index]

    def with_fill(self, index: int, fill: str, apply_fill: str | None, *, same_as: int | None = None) -> int:
        """A copy of entry ``index`` with the fill ``fill`` (as :meth:`fill_of` gives it) and
        ``applyFill`` set to ``apply_fill`` (None: no attribute), everything else kept.

        ``same_as`` is returned when that entry already means exactly this (so a workbook
        whose list did not change gets its old index back, byte for byte); otherwise an
        entry that means the same is reused, or the copy is appended.
        """
        item = self.xf(index)
        end = xb.tag_end(item, 0)
        start_tag = xb.set_attribute(item[:end], b"applyFill", apply_fill)
        wanted = (_without_fill(start_tag + item[end:]), None if fill == NO_FILL else canonical(fill.encode("utf-8")))
        if same_as is not None and 0 <= same_as < len(self):
            other = self.xf(same_as)
            fill_item = self._fill_item(self._fill_id_of(other))
            if (_without_fill(other), None if fill_item is None else canonical(fill_item)) == wanted:
                return same_as
        fill_id = 0 if fill == NO_FILL else self.sections[b"fills"].index_of(self._prefixed(fill.encode("utf-8")))
        start_tag = xb.set_attribute(start_tag, b"fillId", str(fill_id))
        return self.sections[b"cellXfs"].index_of(start_tag + item[end:])

    def _fill_id_of(self, xf: bytes) -> int:
        value = xb.attributes(xf[: xb.tag_end(xf, 0)]).get("fillId", "0")
        return int(value) if value.isdigit() else 0

    def _fill_item(self, fill_id: int) -> bytes | None:
        """The ``<fill>`` element at ``fill_id``; None for fill 0 or one the list does not have."""
        items = self.sections[b"fills"].items
        return items[fill_id] if 0 < fill_id < len(items) else None

    def fill_id(self, rgb: str) -> int:
        p = self.prefix
        fill = (
            b"<" + p + b"fill><" + p + b'patternFill patternType="solid"><' + p + b'fgColor rgb="'
            + _argb(rgb) + b'"/><' + p + b'bgColor indexed="64"/></' + p + b"patternFill></" + p + b"fill>"
        )  # fmt: skip
        return self.sections[b"fills"].index_of(fill)

    def number_format_id(self, code: str) -> int:
        if code in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[code]
        if code not in self._formats:
            used = [*self._formats.values(), FIRST_CUSTOM_FORMAT - 1]
            self._formats[code] = max(used) + 1
            item = (
                b"<" + self.prefix + b'numFmt numFmtId="' + str(self._formats[code]).encode()
                + b'" formatCode="' + xb.escape_attr(code).encode("utf-8") + b'"/>'
            )  # fmt: skip
            self.sections[b"numFmts"].index_of(item)
        return self._formats[code]

    def _font(self, style: Style) -> bytes:
        base = self.sections[b"fonts"].items[0]
        parts: dict[bytes, bytes] = {}
        extra: list[bytes] = []
        for child in xb.children(base, xb.root(base)):
            if child.local in _FONT_ORDER:
                parts[child.local] = base[child.start : child.end]
            else:
                extra.append(base[child.start : child.end])
        p = self.prefix
        parts.pop(b"b", None)
        parts.pop(b"i", None)
        if style.bold:
            parts[b"b"] = b"<" + p + b"b/>"
        if style.italic:
            parts[b"i"] = b"<" + p + b"i/>"
        if style.font_size is not None:
            parts[b"sz"] = b"<" + p + b'sz val="' + _number(style.font_size) + b'"/>'
        if style.font_color is not None:
            parts[b"color"] = b"<" + p + b'color rgb="' + _argb(style.font_color) + b'"/>'
        body = b"".join(parts[name] for name in _FONT_ORDER if name in parts) + b"".join(extra)
        return b"<" + p + b"font>" + body + b"</" + p + b"font>"

    def _prefixed(self, item: bytes) -> bytes:
        if not self.prefix:
            return item
        return re.sub(rb"<(/?)(\w)", lambda m: b"<" + m.group(1) + self.prefix + m.group(2), item)

    def to_bytes(self) -> bytes:
        """The part with every appended entry and its list's count updated."""
        if not self.changed:
            return self.xml
        edits: list[tuple[int, int, bytes]] = []
        for name, section in self.sections.items():
            if not section.appended:
                continue
            element = section.element
            added = b"".join(section.appended)
            if element is None:
                edits.append((self._insert_at(name), self._insert_at(name), self._new_section(name, section)))
                continue
            start_tag = self.xml[element.start : element.start_end]
            if element.empty:
                open_tag = xb.set_attribute(start_tag[:-2].rstrip() + b">", b"count", str(len(section.items)))
                edits.append((element.start, element.end, open_tag + added + b"</" + element.name + b">"))
                continue
            count_tag = xb.set_attribute(start_tag, b"count", str(len(section.items)))
            edits.append((element.start, element.start_end, count_tag))
            close_at = element.end - len(b"</" + element.name + b">")
            edits.append((close_at, close_at, added))
        return xb.splice(self.xml, edits)

    def _new_section(self, name: bytes, section: _Section) -> bytes:
        p = self.prefix
        count = str(len(section.items)).encode()
        return b"<" + p + name + b' count="' + count + b'">' + b"".join(section.appended) + b"</" + p + name + b">"

    def _insert_at(self, name: bytes) -> int:
        """Where a missing list goes: before the first list that follows it in the schema."""
        later = _SECTION_ORDER[_SECTION_ORDER.index(name) + 1 :]
        for child in xb.children(self.xml, self.root):
            if child.local in later or child.local not in _SECTION_ORDER:
                return child.start
        return self.root.end - len(b"</" + self.root.name + b">")


def canonical(element: bytes) -> Canonical:
    """What an element means, whatever the attribute order, prefixes or empty-tag form."""
    tokens: list[object] = []
    position = 0
    for token in xb.iter_tokens(element):
        text = element[position : token.start()].strip()
        if text:
            tokens.append(xb.unescape(text.decode("utf-8")))
        position = token.end()
        name = token.group(2)
        if name is None:
            continue
        local = xb.local_name(name)
        if token.group(1) == b"/":
            tokens.append(("/", local))
            continue
        attrs = tuple(
            sorted(
                (key.rpartition(":")[2], value)
                for key, value in xb.attributes(token.group(0)).items()
                if not key.startswith("xmlns")
            )
        )
        tokens.append((local, attrs))
        if token.group(4) == b"/":
            tokens.append(("/", local))
    return tuple(tokens)


def is_fill_xml(text: str) -> bool:
    """Whether ``text`` is one well-nested ``<fill>`` element (or :data:`NO_FILL`): what
    :meth:`StyleSheet.fill_of` gives, checked before it goes back into a styles part.
    Fills carry everything in attributes, so any text between the tags is refused too."""
    if text == NO_FILL:
        return True
    data = text.strip().encode("utf-8")
    open_names: list[bytes] = []
    position, seen = 0, False
    for token in xb.iter_tokens(data):
        if data[position : token.start()].strip() or b"<" in token.group(0)[1:]:
            return False  # text, or a stray "<"
        position = token.end()
        name = token.group(2)
        if name is None or (not open_names and seen):
            return False  # a comment, a declaration, or a second element
        if not seen and xb.local_name(name) != b"fill":
            return False
        seen = True
        if token.group(1) == b"/":
            if not open_names or open_names.pop() != name:
                return False
        elif token.group(4) != b"/":
            open_names.append(name)
    return seen and not open_names and not data[position:].strip()


def _without_fill(xf: bytes) -> Canonical:
    """What an xf means apart from which fill entry it points at."""
    end = xb.tag_end(xf, 0)
    return canonical(xb.set_attribute(xf[:end], b"fillId", None) + xf[end:])


def _argb(rgb: str) -> bytes:
    code = rgb.strip().lstrip("#").upper()
    if not re.fullmatch("[0-9A-F]{6}|[0-9A-F]{8}", code):
        raise BackendError(f"{rgb!r} is not a colour sheetops can write (expected RRGGBB).")
    return ("FF" + code if len(code) == 6 else code).encode()


def _number(value: float) -> bytes:
    return (str(int(value)) if float(value).is_integer() else repr(float(value))).encode()
