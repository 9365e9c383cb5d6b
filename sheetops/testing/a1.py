"""A1 (and R1C1) notation: parsing ranges and printing them the way the Sheets API does.

The API answers ranges as ``Sheet1!A1:B2`` and quotes a sheet title only when it has to
(``'My sheet'!A1``, ``'D3'!A1:D4`` because ``D3`` would read as a cell, apostrophes
doubled), and it always answers bounded ranges: ``A:A`` on a 1000-row sheet comes back as
``A1:A1000``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ParsedRange",
    "a1_cell",
    "column_index",
    "column_letters",
    "format_range",
    "parse_range",
    "quote_title",
]

_CELL_RE = re.compile(r"^\$?([A-Za-z]{1,3})?\$?(\d+)?$")
_R1C1_RE = re.compile(r"^R(\d+)?C(\d+)?$", re.IGNORECASE)
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOKS_LIKE_CELL = re.compile(r"^[A-Za-z]{1,3}\d+$|^R\d*C\d*$", re.IGNORECASE)


def column_letters(index: int) -> str:
    """0 -> ``A``, 25 -> ``Z``, 26 -> ``AA``."""
    out = ""
    n = index + 1
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def column_index(letters: str) -> int:
    """``A`` -> 0, ``AA`` -> 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def a1_cell(row: int, col: int) -> str:
    """0-based (row, col) -> ``B3``."""
    return f"{column_letters(col)}{row + 1}"


def quote_title(title: str) -> str:
    """Quote a sheet title for use in a range, as the API does in its answers."""
    if _PLAIN_TITLE.match(title) and not _LOOKS_LIKE_CELL.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


@dataclass(frozen=True)
class ParsedRange:
    """A range as written: an optional sheet title and 0-based, end-exclusive bounds.

    ``None`` bounds are open (``A:A`` has no row bounds).  ``cells`` is False when only a
    sheet title (or a named range) was given.
    """

    sheet: str | None
    start_row: int | None = None
    end_row: int | None = None
    start_col: int | None = None
    end_col: int | None = None
    cells: bool = True


class RangeSyntaxError(ValueError):
    """The text is not an A1/R1C1 range."""


def _split_sheet(text: str) -> tuple[str | None, str | None]:
    """Split ``'Sheet'!A1:B2`` into (title, cells); (title, None) for a bare title."""
    if text.startswith("'"):
        i = 1
        title = ""
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    title += "'"
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return title, None
                if rest.startswith("!"):
                    return title, rest[1:]
                raise RangeSyntaxError(text)
            title += ch
            i += 1
        raise RangeSyntaxError(text)
    if "!" in text:
        title, _, cells = text.rpartition("!")
        return title, cells
    return None, text


def _parse_cell(part: str) -> tuple[int | None, int | None]:
    """``B3`` -> (2, 1); ``B`` -> (None, 1); ``3`` -> (2, None)."""
    m = _R1C1_RE.match(part)
    if m and (m.group(1) or m.group(2)) and part[:1] in "Rr":
        row = int(m.group(1)) - 1 if m.group(1) else None
        col = int(m.group(2)) - 1 if m.group(2) else None
        if (row is not None and row < 0) or (col is not None and col < 0):
            raise RangeSyntaxError(part)
        return row, col
    m = _CELL_RE.match(part)
    if not m or (m.group(1) is None and m.group(2) is None):
        raise RangeSyntaxError(part)
    col = column_index(m.group(1)) if m.group(1) else None
    row = int(m.group(2)) - 1 if m.group(2) else None
    if row is not None and row < 0:
        raise RangeSyntaxError(part)
    return row, col


def parse_cells(cells: str) -> tuple[int | None, int | None, int | None, int | None]:
    """Parse the cell part of a range into (start_row, end_row, start_col, end_col)."""
    first, sep, second = cells.partition(":")
    r0, c0 = _parse_cell(first)
    if not sep:
        if r0 is None or c0 is None:
            raise RangeSyntaxError(cells)
        return r0, r0 + 1, c0, c0 + 1
    r1, c1 = _parse_cell(second)
    # "A2:2" (start cell to the end of a row) and "A2:B" (to the end of a column)
    if r0 is None and r1 is not None and c1 is not None:
        raise RangeSyntaxError(cells)
    if (c0 is None) != (c1 is None) and not (c0 is not None and r0 is not None):
        raise RangeSyntaxError(cells)
    rows = sorted(x for x in (r0, r1) if x is not None)
    cols = sorted(x for x in (c0, c1) if x is not None)
    start_row = rows[0] if r0 is not None and r1 is not None else r0
    end_row = rows[-1] + 1 if r0 is not None and r1 is not None else None
    if r0 is None and r1 is None:
        start_row, end_row = None, None
    start_col = cols[0] if c0 is not None and c1 is not None else c0
    end_col = cols[-1] + 1 if c0 is not None and c1 is not None else None
    if c0 is None and c1 is None:
        start_col, end_col = None, None
    return start_row, end_row, start_col, end_col


def parse_range(text: str) -> ParsedRange:
    """Parse ``text`` (``Sheet1``, ``'My sheet'!A1:B2``, ``A:A``, ``2:3``, ``R1C1:R2C2``...).

    A text without ``!`` that is not a valid cell reference is read as a sheet title (or a
    named range); the caller resolves it.
    """
    text = text.strip()
    if not text:
        raise RangeSyntaxError(text)
    title, cells = _split_sheet(text)
    if cells is None:
        return ParsedRange(title, cells=False)
    if title is None:
        try:
            r0, r1, c0, c1 = parse_cells(cells)
        except RangeSyntaxError:
            return ParsedRange(cells, cells=False)
        return ParsedRange(None, r0, r1, c0, c1)
    r0, r1, c0, c1 = parse_cells(cells)
    return ParsedRange(title, r0, r1, c0, c1)


def format_range(title: str, start_row: int, end_row: int, start_col: int, end_col: int) -> str:
    """Bounded 0-based range -> ``Sheet1!A1:B2`` (``Sheet1!A1`` for one cell)."""
    start = a1_cell(start_row, start_col)
    if end_row - start_row <= 1 and end_col - start_col <= 1:
        return f"{quote_title(title)}!{start}"
    return f"{quote_title(title)}!{start}:{a1_cell(end_row - 1, end_col - 1)}"
