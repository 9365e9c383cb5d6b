"""Reading the biggest tab in chunks, each parsed as soon as it has passed the checks.

calamine reads a part only once it has passed the checks (its size and run lengths as it
is unpacked, its used area: see ``reader._check_and_scan``), and one calamine reader
parses a tab on one core. So for the biggest tab (Daily, usually) the checker cuts the
XML it has checked at row ends into chunks of a few MB, and each chunk becomes a small
workbook of its own, stored rather than deflated: the workbook's own parts as they are
(relationships, workbook with its date system, styles, shared strings) and the tab, its
opening up to ``<sheetData>``, the chunk's rows and the closing tags. calamine reads each
from memory on whichever core is free while the checker goes on with the next, and
skips unpacking. Cells keep their addresses (``r="B50001"``), so calamine puts each
chunk's values where the whole tab has them, and the chunks are put together by column
in order (:class:`~sheetops.workbook.Columns`).

A chunk is sent once every byte of it has passed the checks made as the tab is unpacked
(size, runs, area). The tab's checksum is known only at its end: a tab that fails it
fails the read, and the values of its chunks are never used.

A chunk is cut only before a row that gives its number (``<row r="50001"``): calamine
counts rows without one from the row before, which a chunk would not know. Anything
unusual (a namespace prefix; comments, CDATA sections or a document type, which can hold
anything; rows that overlap; calamine refusing a chunk; big shared strings) makes the
reader give the chunks up and read the whole tab as before, once it has passed: the
chunks are a shortcut to the same values, never another reading of them.
"""

from __future__ import annotations

import functools
import io
import queue
import re
import sys
import zipfile
from concurrent.futures import Executor, Future
from typing import TYPE_CHECKING, Any, cast

from sheetops.values import CellValue
from sheetops.workbook import Columns

if TYPE_CHECKING:
    from python_calamine import CalamineSheet

# The parts calamine reads when it opens a workbook whose package relationships point to
# xl/workbook.xml (it finds them by these names, in any case).
OPENING = ("[content_types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
           "xl/sharedstrings.xml")
_WORKBOOK_AT = re.compile(rb"""Target\s*=\s*["']/?xl/workbook\.xml["']""")
# A chunk holds up to about this much of the tab's XML; the first and the last few are
# smaller, so that calamine starts early and the last chunk's parse ends soon after the
# checks. A chunk is at least this many times the bytes of the parts every chunk repeats
# (calamine parses them again for each).
_CHUNK, _SMALLEST = 4 << 20, 1 << 20
_REPEATED_AT_MOST = 1 / 8
OPENING_UP_TO = 4 << 20  # more than this of styles and shared strings: no chunks
# Chunks cut but not yet put together, at most (their bytes, then calamine's values).
_AHEAD_BYTES = 32 << 20
_HEAD_UP_TO = 1 << 20  # the tab's opening, up to <sheetData>
_ROOT = re.compile(rb"""\s*(?:<\?xml[^>]*\?>)?\s*<worksheet[\s>]""")
_NEXT_ROW = re.compile(rb"""[ \t\r\n]*<row r="[0-9]+\"""")
_ROWS_START, _ROWS_END = b"<sheetData>", b"</sheetData>"
_END = b"</sheetData></worksheet>"


@functools.cache
def _glibc() -> Any:
    """The process's C library when it is glibc (on Linux), else None."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # lazy: only big workbooks need it

    try:
        libc = ctypes.CDLL(None)  # the process's own C library
        return libc if libc.mallopt and libc.malloc_trim else None
    except (OSError, AttributeError):
        return None


@functools.cache
def return_big_buffers() -> None:
    """Have glibc's malloc give each buffer of 8 MB or more pages of its own, returned to
    the system as soon as the buffer is freed.

    glibc raises that threshold to the biggest buffer freed so far (up to 32 MB), after
    which such buffers come from its heaps, one per thread, where memory freed stays held:
    after the read of 500,000 rows in chunks the process held 220 MB rather than 150 MB,
    and the computing built its peak on top (1.33 times the floor's). A threshold of 1 MB
    held 120 MB, but cost a tenth of the read's time in fresh pages for every chunk.
    Other C libraries and systems are left as they are.
    """
    libc = _glibc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, 8 << 20)


def give_back_freed() -> None:
    """Have glibc return the memory freed in its heaps (the chunks', mostly) to the system:
    about 40 MB after a read of 500,000 rows, in a few milliseconds."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


_M_MMAP_THRESHOLD = -3  # glibc's malloc.h


def chunk_size(part_size: int, opening: dict[str, bytes]) -> int | None:
    """The fewest bytes of the tab a chunk holds (but the last), or None when the tab is
    better read whole: too small to be cut in two chunks of the largest size, or workbook
    parts that each chunk would repeat (shared strings, styles) too big beside it."""
    repeated = sum(map(len, opening.values()))
    if repeated > OPENING_UP_TO or not _WORKBOOK_AT.search(opening.get("_rels/.rels", b"")):
        return None
    if "xl/workbook.xml" not in opening or "xl/_rels/workbook.xml.rels" not in opening:
        return None
    smallest = max(_SMALLEST, int(repeated / _REPEATED_AT_MOST))
    return smallest if part_size >= 2 * max(_CHUNK, smallest) else None


class ChunkedTab:
    """One tab read in chunks: the checker feeds it the tab's XML as it passes, pieces in
    order (:meth:`feed`, then :meth:`finish` or :meth:`give_up`); chunks are parsed on
    ``pool``, and put together there as they come (:attr:`columns`: the tab's values, or
    None when the chunks were given up and the tab is to be read whole).

    At most about ``_AHEAD_BYTES`` of chunks wait to be put together: the checker waits
    beyond that, so that memory holds a few chunks, not the tab. ``pool`` needs two
    workers for this besides the checker's: one puts the chunks together, one parses.
    """

    def __init__(self, name: str, part: str, opening: dict[str, bytes], part_size: int, smallest: int,
                 pool: Executor) -> None:
        return_big_buffers()
        self.name, self.part = name, part
        self._smallest, self._largest = smallest, max(_CHUNK, smallest)
        self._opening = opening
        self._pool = pool
        self._waiting: queue.Queue[Future[CalamineSheet | None] | None] = queue.Queue(
            max(3, _AHEAD_BYTES // self._largest))
        self._pieces: list[bytes] = []
        self._held = 0
        self._left = part_size  # bytes of the tab not sent yet, as the file's directory gives them
        self._next = smallest  # bytes the next chunk holds (about)
        self._head: bytes | None = None
        self._closed = False  # no more chunks will come: the end of them was sent
        self.usable = True
        self.columns: Future[Columns | None] = pool.submit(self._put_together)

    # The checker's side.

    def feed(self, piece: bytes) -> None:
        """Take the next piece of the tab's XML, which has passed the checks."""
        if self._closed:
            return
        if not self.usable:
            self.give_up()
            return
        self._pieces.append(piece)
        self._held += len(piece)
        if self._head is None:
            self._find_head()
            return
        if _ROWS_END in piece or (len(self._pieces) > 1 and _ROWS_END in self._pieces[-2][-16:] + piece[:16]):
            data = b"".join(self._pieces)
            self._pieces, self._held = [], 0
            if self._send(data[:data.find(_ROWS_END)]):
                self._close()
        elif self._held >= self._next:
            data = b"".join(self._pieces)
            cut = _cut(data)
            if cut == -1:
                if len(data) > 4 * self._largest:
                    self.give_up()  # rows without numbers, or one row of several MB
                else:
                    self._pieces, self._held = [data], len(data)
                return
            self._pieces, self._held = ([data[cut:]], len(data) - cut) if cut < len(data) else ([], 0)
            self._left -= cut
            self._next = min(self._largest, max(self._smallest, self._left // 3))
            self._send(data[:cut])

    def finish(self) -> None:
        """The tab passed every check (its checksum too): every chunk has been sent."""
        if not self._closed:
            self.give_up()  # the rows never ended: not a tab as expected

    def give_up(self) -> None:
        """No more chunks: the tab is read whole (or the read fails)."""
        self.usable = False
        self._pieces = []
        self._close()

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self._waiting.put(None)

    def _find_head(self) -> None:
        data = b"".join(self._pieces)
        at = data.find(_ROWS_START)
        if at == -1:
            if self._held > _HEAD_UP_TO:
                self.give_up()
            return
        head = data[:at + len(_ROWS_START)]
        if not _ROOT.match(head) or b"<!" in head or b"<?" in head[5:]:
            self.give_up()  # a namespace prefix, a comment, a document type: read whole
            return
        self._head = head
        rest = data[len(head):]
        self._pieces, self._held = [], 0
        if rest:
            self.feed(rest)

    def _send(self, chunk: bytes) -> bool:
        """Have ``chunk`` (rows) parsed; False when it shows the chunks must be given up."""
        if _markup(chunk, b"!") or _markup(chunk, b"?"):
            self.give_up()  # comments and CDATA sections can hold anything, "</row>" too
            return False
        if self.usable:
            self._waiting.put(self._pool.submit(self._parse, chunk))
        return self.usable

    # The parsers' side.

    def _parse(self, rows: bytes) -> CalamineSheet | None:
        from python_calamine import CalamineWorkbook  # lazy: keeps `sheetops --help` fast

        if not self.usable:
            return None
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as package:  # stored: nothing for calamine to unpack
            for name, data in self._opening.items():
                package.writestr(name, data)
            with package.open(self.part, "w") as out:
                out.write(self._head or b"")
                out.write(rows)
                out.write(_END)
        del rows
        buffer.seek(0)
        book = CalamineWorkbook.from_filelike(buffer)
        del buffer
        try:
            return book.get_sheet_by_name(self.name)
        finally:
            book.close()

    def _put_together(self) -> Columns | None:
        """The chunks' values by column, in order, as they are parsed. Takes every chunk
        sent, whatever happens, so that the checker never waits for room in vain."""
        columns = Columns()
        last_row = -1
        while (waiting := self._waiting.get()) is not None:
            if not self.usable:
                continue
            try:
                last_row = self._put(columns, waiting.result(), last_row)
            except BaseException as exc:  # calamine refused a chunk: the whole tab's read says why
                self.usable = False
                if not isinstance(exc, Exception):
                    while self._waiting.get() is not None:
                        pass
                    raise
        return columns if self.usable else None

    def _put(self, columns: Columns, sheet: CalamineSheet | None, last_row: int) -> int:
        """Put a chunk's values in ``columns``; the last row it filled (``last_row``, the
        one before, if it holds no values)."""
        if sheet is None or sheet.start is None or sheet.end is None:
            return last_row
        (first, left), (last, _) = sheet.start, sheet.end
        if first <= last_row:
            self.usable = False  # rows out of order: the chunks overlap
            return last_row
        if first > len(columns):
            columns.extend([[]] * (first - len(columns)))
        columns.extend(cast(list[list[CellValue]], sheet.to_python()), "", offset=left)
        return int(last)


def _markup(data: bytes, kind: bytes) -> bool:
    """Whether ``data`` holds ``<`` then ``kind`` (``<!``, ``<?``). Tabs are full of ``<``,
    which makes searching for the pair slow; ``!`` and ``?`` are rare, found at once."""
    return kind in data and b"<" + kind in data


def _cut(data: bytes) -> int:
    """Where to end a chunk in ``data``: just after the last ``</row>`` that a row giving its
    number follows (-1 if none among the last few)."""
    at = len(data)
    for _ in range(64):
        at = data.rfind(b"</row>", 0, at)
        if at == -1:
            return -1
        if _NEXT_ROW.match(data, at + 6):
            return at + 6
    return -1
