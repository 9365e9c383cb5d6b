"""Small byte-level XML tools for editing package parts in place.

sheetops changes a few bytes of parts it does not own (a cell's ``s`` attribute, one
``<legacyDrawing>`` element), so it edits them as bytes instead of parsing and
re-serialising them: every byte it does not mean to change stays as it was, and a
15 MB sheet part is never loaded into a tree. These helpers find tags, read and set
attributes, list an element's direct children and escape text the way OOXML wants.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

# The attributes of a start tag; quoted values may hold ">" (XML allows it there).
ATTRS = rb"""(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*"""
_ATTR = re.compile(rb"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_TOKEN = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE[^>]*>|<(/?)([\w.:-]+)(" + ATTRS + rb")(/?)>",
    re.DOTALL,
)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_OOXML_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4})_")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_ATTR_WHITESPACE = re.compile(rb"\r\n|[\t\n\r]")
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"


@dataclass(frozen=True)
class Element:
    """An element found in a part: its qualified name and where it starts and ends."""

    name: bytes  # as written, with its prefix: b"x:row"
    start: int  # offset of "<"
    start_end: int  # offset just after the start tag's ">"
    end: int  # offset just after the element (its end tag, or the start tag if empty)

    @property
    def local(self) -> bytes:
        return self.name.rpartition(b":")[2]

    @property
    def empty(self) -> bool:
        return self.start_end == self.end


def local_name(name: bytes) -> bytes:
    return name.rpartition(b":")[2]


def attributes(tag: bytes) -> dict[str, str]:
    """The attributes of a start tag as an XML parser gives them, keyed by their qualified names.

    Either quote, any whitespace around ``=``; values unescaped (named entities and
    character references) with their literal tabs and line breaks read as spaces, as
    XML's attribute-value normalisation says.
    """
    head = re.match(rb"<[\w.:-]+", tag)
    body = tag[head.end() :] if head else tag
    return {m.group(1).decode(): unescape(_value(m).decode("utf-8")) for m in _ATTR.finditer(body)}


def _value(match: re.Match[bytes]) -> bytes:
    value = match.group(2)
    value = value if value is not None else match.group(3) or b""
    return _ATTR_WHITESPACE.sub(b" ", value) if b"\t" in value or b"\n" in value or b"\r" in value else value


@dataclass(frozen=True)
class Node:
    """An element as a namespace-aware XML parser sees it, and where it sits in the part."""

    element: Element
    namespace: str  # the URI its prefix (or the default namespace) is bound to
    attrs: dict[str, str]  # "{uri}local" for a prefixed attribute, "local" for one without
    scope: dict[str, str] = field(repr=False)  # prefix -> URI in scope inside it ("" the default)

    def prefix_of(self, uri: str) -> str | None:
        """A prefix bound to ``uri`` inside this element (None: none is)."""
        return next((p for p, bound in self.scope.items() if p and bound == uri), None)


def expanded(uri: str, local: str) -> str:
    """An expanded name, as :func:`find_elements` takes and gives them: ``{uri}local``."""
    return "{" + uri + "}" + local


def find_elements(xml: bytes, names: Collection[str]) -> list[Node]:
    """The elements whose expanded name (``"{uri}local"``) is among ``names``, in document order.

    Names are read as an XML parser reads them: a prefix means the namespace declared
    for it on the element or the nearest ancestor, an unprefixed name the default
    namespace, whatever the prefixes are; comments and CDATA hold no elements. An
    undeclared prefix or a misnested end tag is a ValueError (the part is not XML).
    """
    wanted = set(names)
    found: list[Node] = []
    scope: dict[str, str] = {"xml": XML_NAMESPACE}
    # open elements: qualified name, the scope outside it, and what is known of it when wanted
    stack: list[tuple[bytes, dict[str, str], tuple[int, int, str, dict[str, str], dict[str, str]] | None]] = []
    for token in iter_tokens(xml):
        name = token.group(2)
        if name is None:
            continue
        if token.group(1) == b"/":
            if not stack or stack[-1][0] != name:
                raise ValueError(f"the end tag </{name.decode('utf-8', 'replace')}> closes no open element")
            _, scope, known = stack.pop()
            if known is not None:
                start, start_end, uri, attrs, inner = known
                found.append(Node(Element(name, start, start_end, token.end()), uri, attrs, inner))
            continue
        raw = attributes(token.group(0))
        inner = scope
        if any(k == "xmlns" or k.startswith("xmlns:") for k in raw):
            inner = dict(scope)
            for k, v in raw.items():
                if k == "xmlns":
                    inner[""] = v
                elif k.startswith("xmlns:"):
                    inner[k[6:]] = v
        prefix, _, local = name.decode("utf-8").rpartition(":")
        uri = _namespace(inner, prefix)
        expanded = "{" + uri + "}" + local if uri else local
        known = None
        if expanded in wanted:
            attrs = {}
            for k, v in raw.items():
                if k == "xmlns" or k.startswith("xmlns:"):
                    continue
                a_prefix, _, a_local = k.rpartition(":")
                attrs["{" + _namespace(inner, a_prefix) + "}" + a_local if a_prefix else a_local] = v
            known = (token.start(), token.end(), uri, attrs, inner)
        if token.group(4) == b"/":
            if known is not None:
                found.append(Node(Element(name, known[0], known[1], known[1]), uri, known[3], inner))
        else:
            stack.append((name, scope, known))
            scope = inner
    if stack:
        raise ValueError(f"the element <{stack[-1][0].decode('utf-8', 'replace')}> is not closed")
    found.sort(key=lambda node: node.element.start)
    return found


def _namespace(scope: dict[str, str], prefix: str) -> str:
    if not prefix:
        return scope.get("", "")
    uri = scope.get(prefix)
    if uri is None:
        raise ValueError(f"the namespace prefix {prefix!r} is not declared")
    return uri


def attribute_span(tag: bytes, name: bytes) -> tuple[int, int] | None:
    """Where `` name="value"`` sits in a start tag (the leading space included), or None."""
    head = re.match(rb"<[\w.:-]+", tag)
    offset = head.end() if head else 0
    for match in _ATTR.finditer(tag, offset):
        if match.group(1) == name:
            start = match.start()
            while start > 0 and tag[start - 1 : start].isspace():
                start -= 1
            return start, match.end()
    return None


def set_attribute(tag: bytes, name: bytes, value: str | None, *, after: bytes | None = None) -> bytes:
    """The start tag with attribute ``name`` set to ``value`` (None removes it).

    A new attribute goes right after the attribute ``after`` when given and present
    (Excel writes ``r`` then ``s`` then ``t``), else before the tag's closing bracket.
    """
    span = attribute_span(tag, name)
    if value is None:
        return tag if span is None else tag[: span[0]] + tag[span[1] :]
    text = b" " + name + b'="' + escape_attr(value).encode("utf-8") + b'"'
    if span is not None:
        return tag[: span[0]] + text + tag[span[1] :]
    anchor = attribute_span(tag, after) if after is not None else None
    if anchor is not None:
        return tag[: anchor[1]] + text + tag[anchor[1] :]
    close = len(tag) - (2 if tag.endswith(b"/>") else 1)
    while close > 0 and tag[close - 1 : close].isspace():
        close -= 1
    return tag[:close] + text + tag[close:]


def tag_end(xml: bytes, start: int) -> int:
    """The offset just after the start tag that begins at ``start``."""
    match = re.compile(rb"<[\w.:-]+" + ATTRS + rb"/?>").match(xml, start)
    if match is None:
        raise ValueError(f"no start tag at offset {start}")
    return match.end()


def iter_tokens(xml: bytes, start: int = 0, end: int | None = None) -> Iterator[re.Match[bytes]]:
    """Tags (and comments, CDATA, processing instructions) between two offsets."""
    return _TOKEN.finditer(xml, start, len(xml) if end is None else end)


def children(xml: bytes, parent: Element) -> list[Element]:
    """The direct child elements of ``parent``."""
    if parent.empty:
        return []
    close_at = parent.end - len(b"</" + parent.name + b">")
    return children_between(xml, parent.start_end, close_at)


def children_between(xml: bytes, start: int, end: int) -> list[Element]:
    """The elements that start at depth 0 between two offsets."""
    found: list[Element] = []
    depth = 0
    opened: tuple[bytes, int, int] | None = None
    for token in iter_tokens(xml, start, end):
        name = token.group(2)
        if name is None:
            continue
        closing, self_closing = token.group(1) == b"/", token.group(4) == b"/"
        if closing:
            depth -= 1
            if depth == 0 and opened is not None:
                found.append(Element(opened[0], opened[1], opened[2], token.end()))
                opened = None
        elif self_closing:
            if depth == 0:
                found.append(Element(name, token.start(), token.end(), token.end()))
        else:
            if depth == 0:
                opened = (name, token.start(), token.end())
            depth += 1
    return found


def root(xml: bytes) -> Element:
    """The document element (its end is the end of the document's last tag)."""
    for token in iter_tokens(xml):
        name = token.group(2)
        if name is None or token.group(1) == b"/":
            continue
        if token.group(4) == b"/":
            return Element(name, token.start(), token.end(), token.end())
        close = xml.rfind(b"</" + name)
        if close == -1:
            raise ValueError("the part has no end tag for its root element")
        return Element(name, token.start(), token.end(), xml.index(b">", close) + 1)
    raise ValueError("the part has no root element")


def prefix_of(name: bytes) -> bytes:
    """b"x:" for b"x:worksheet", b"" for b"worksheet"."""
    head, sep, _ = name.rpartition(b":")
    return head + sep


def namespaces(start_tag: bytes) -> dict[str, str]:
    """Prefix -> namespace URI declared on a start tag ("" for the default namespace)."""
    found = {}
    for name, value in attributes(start_tag).items():
        if name == "xmlns":
            found[""] = value
        elif name.startswith("xmlns:"):
            found[name[6:]] = value
    return found


def prefix_for(start_tag: bytes, uri: str) -> str | None:
    """The prefix a start tag binds to ``uri`` ("" for the default namespace), or None."""
    for prefix, bound in namespaces(start_tag).items():
        if bound == uri:
            return prefix
    return None


def escape_text(text: str) -> str:
    """Text content for OOXML: XML-escaped, with characters XML cannot carry as _xHHHH_."""
    text = _OOXML_ESCAPE.sub(r"_x005F_\1_", text)
    text = _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(text: str) -> str:
    return _ILLEGAL.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def unescape(text: str) -> str:
    """XML entities and character references decoded."""
    if "&" not in text:
        return text

    def entity(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _NAMED[name]

    return _ENTITY.sub(entity, text)


def decode_ooxml_text(text: str) -> str:
    """OOXML text as people see it: _xHHHH_ escapes decoded (after XML unescaping)."""
    return re.sub("_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def preserve_space(text: str) -> bool:
    """Whether a ``<t>`` needs ``xml:space="preserve"`` to keep its text as it is."""
    return bool(text) and (text[0].isspace() or text[-1].isspace() or "\n" in text or "  " in text)


def text_element(text: str, prefix: bytes = b"") -> bytes:
    """``<t>text</t>`` with xml:space="preserve" where spaces must survive."""
    space = b' xml:space="preserve"' if preserve_space(text) else b""
    return b"<" + prefix + b"t" + space + b">" + escape_text(text).encode("utf-8") + b"</" + prefix + b"t>"


_T = re.compile(rb"<(?:[\w.-]+:)?t(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?t>|<(?:[\w.-]+:)?t(?:\s[^>]*)?/>", re.DOTALL)
_PHONETIC = re.compile(rb"<(?:[\w.-]+:)?rPh\b.*?</(?:[\w.-]+:)?rPh>", re.DOTALL)


def rich_text(xml: bytes) -> str:
    """The plain text of a string item (``<si>``, ``<is>``, a comment's ``<text>``)."""
    xml = _PHONETIC.sub(b"", xml)
    return decode_ooxml_text(unescape("".join(m.group(1).decode("utf-8") for m in _T.finditer(xml) if m.group(1))))


def splice(xml: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """``xml`` with each (start, end, replacement) applied; edits must not overlap.

    Insertions at the same offset keep the order in which they are listed.
    """
    if not edits:
        return xml
    ordered = sorted(enumerate(edits), key=lambda item: (item[1][0], item[1][1], item[0]))
    view = memoryview(xml)  # slices of a view are not copies: a big tab is held once, not twice
    pieces: list[bytes | memoryview] = []
    position = 0
    for _, (start, end, replacement) in ordered:
        if start < position:
            raise ValueError("overlapping edits")
        pieces.append(view[position:start])
        pieces.append(replacement)
        position = end
    pieces.append(view[position:])
    return b"".join(pieces)
