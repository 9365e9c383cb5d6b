"""The biggest tab read in chunks (chunks.py) gives exactly what reading it whole gives, and
calamine is given a chunk only once all of its bytes have passed the checks.

Chunks are made small here (about 6 KB), so that tabs of a few hundred rows are cut into
many. Each workbook is read both ways and compared cell by cell, types included: written
by openpyxl (shared strings, rich text, 1900 and 1904 dates, errors, formulas without a
value), by XlsxWriter (inline strings, formulas with their values, styled empty cells),
by hand (what writers may do: rows without numbers, cells without references, line breaks
between rows, rows out of order, comments) and re-saved by LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from xlsx_books import libreoffice_converts, read_parts

from sheetops.backends.xlsx import chunks, package, reader
from sheetops.backends.xlsx.package import PackageLimits, sheet_parts
from sheetops.backends.xlsx.reader import read_workbook
from sheetops.backends.xlsx.repack import _copy_raw, _local_header, _write_central_directory
from sheetops.errors import WorkbookError
from sheetops.values import CellValue
from sheetops.workbook import WorkbookData

ROWS = 700
CHANNELS = [f"Channel {i:02d}" for i in range(1, 21)]


@dataclass
class Seen:
    """What the chunked read did: the rows given to calamine, chunk by chunk, and whether
    the chunks were put together (False: given up, the tab read whole)."""

    chunks: list[bytes] = field(default_factory=list)
    put_together: list[bool] = field(default_factory=list)


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> Seen:
    """Chunks of about 6 KB for any tab over 1 KB, unpacked in pieces of 2 KB; at most a few
    chunks wait to be put together."""
    monkeypatch.setattr(package, "_OUT_CHUNK", 2_000)
    monkeypatch.setattr(chunks, "_CHUNK", 6_000)
    monkeypatch.setattr(chunks, "_SMALLEST", 2_000)
    monkeypatch.setattr(chunks, "_REPEATED_AT_MOST", 1000.0)
    monkeypatch.setattr(chunks, "_AHEAD_BYTES", 20_000)
    monkeypatch.setattr(reader, "_READ_APART_ABOVE", 1_000)
    monkeypatch.setattr(reader, "_BY_COLUMN_ABOVE", 1_000)
    found = Seen()
    parse, put_together = chunks.ChunkedTab._parse, chunks.ChunkedTab._put_together

    def parsing(self: chunks.ChunkedTab, rows: bytes) -> object:
        found.chunks.append(rows)
        return parse(self, rows)

    def putting_together(self: chunks.ChunkedTab) -> object:
        columns = put_together(self)
        found.put_together.append(columns is not None)
        return columns

    monkeypatch.setattr(chunks.ChunkedTab, "_parse", parsing)
    monkeypatch.setattr(chunks.ChunkedTab, "_put_together", putting_together)
    return found


def read_whole(path: Path, monkeypatch: pytest.MonkeyPatch) -> WorkbookData:
    with monkeypatch.context() as m:
        m.setattr(reader, "_chunks", lambda *args: None)
        return read_workbook(path)


def typed(data: WorkbookData) -> list[tuple[str, bool, list[list[tuple[str, CellValue]]]]]:
    """Every cell with its type: 1.0 and True, or a date and a datetime, are not the same."""
    return [(s.name, s.hidden, [[(type(v).__name__, v) for v in row] for row in s.rows]) for s in data.sheets]


def assert_read_alike(path: Path, seen: Seen, monkeypatch: pytest.MonkeyPatch, *, chunked: bool = True) -> WorkbookData:
    """Read ``path`` in chunks and whole: the same values; ``chunked``: the chunks were
    put together (else given up)."""
    data = read_workbook(path)
    assert seen.put_together == [chunked]
    if chunked:
        assert len(seen.chunks) > 3
    whole = read_whole(path, monkeypatch)
    assert typed(data) == typed(whole)
    return data


def openpyxl_book(path: Path, *, epoch: dt.date | None = None) -> Path:
    """A Daily tab starting at column C with every kind of value, gaps and a 2-letter column."""
    book = openpyxl.Workbook()
    if epoch is not None:
        book.epoch = epoch
    book.active.title = "Roles"
    book["Roles"]["A1"] = "Role"
    sheet = book.create_sheet("Daily")
    sheet.append([None, None, "Date", "Channel", "Spend", "Leads", "Paid", "Check", "Formula", "At", "Note"])
    row = 2
    for i in range(ROWS):
        if i % 97 == 5:
            row += 3  # empty rows between
        day = dt.date(2024, 1, 1) + dt.timedelta(days=i // 20)
        values: list[object] = [None, None, day if i % 50 else dt.datetime(2024, 1, 1, 9, 30), CHANNELS[i % 20],
                                100.0 + i / 8, i % 7, i % 11 == 0, None, None, None, None]
        if i % 13 == 0:
            values[7] = "#DIV/0!" if i % 2 else "#N/A"
        if i % 17 == 0:
            values[8] = f"=E{row}*2"
        if i % 19 == 0:
            values[9] = dt.time(10, 15)
        if i % 23 == 0:
            values[10] = CellRichText(["plain ", TextBlock(InlineFont(b=True), "bold"), f" {i} <&>\"'"])
        elif i % 29 == 0:
            values[10] = f"a note ü {i}"
        for col, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row, col, value)
        if i % 31 == 0:
            sheet.cell(row, 28, f"far right {i}")  # AB
        row += 1
    sheet.cell(row + 40, 5, 1.5)  # a last value after a gap
    for cell in sheet["C"][1:]:
        cell.number_format = "yyyy-mm-dd"
    book.create_sheet("Settings")["A1"] = "Setting"
    book.save(path)
    return path


def test_an_openpyxl_workbook_reads_the_same_in_chunks(tmp_path: Path, seen: Seen,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = openpyxl_book(tmp_path / "book.xlsx")
    xml = read_parts(path)["xl/worksheets/sheet2.xml"]
    assert b"<f>" in xml and b"<is><r>" in xml  # formulas without a value, inline rich text
    data = assert_read_alike(path, seen, monkeypatch)
    daily = data.sheet("Daily")
    assert daily is not None and daily.value(2, 2) == dt.date(2024, 1, 1) and daily.value(2, 0) is None
    assert {type(v).__name__ for row in daily.rows for v in row} >= {
        "date", "datetime", "time", "str", "float", "bool", "CellError", "UncomputedFormula", "NoneType"}


def test_a_1904_workbook_reads_the_same_dates_in_chunks(tmp_path: Path, seen: Seen,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = openpyxl_book(tmp_path / "mac.xlsx", epoch=CALENDAR_MAC_1904)
    assert b'date1904="1"' in read_parts(path)["xl/workbook.xml"]
    data = assert_read_alike(path, seen, monkeypatch)
    daily = data.sheet("Daily")
    assert daily is not None and daily.value(2, 2) == dt.date(2024, 1, 1)


@pytest.mark.parametrize("inline", [True, False], ids=["inline strings", "shared strings"])
def test_an_xlsxwriter_workbook_reads_the_same_in_chunks(tmp_path: Path, seen: Seen, inline: bool,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import xlsxwriter

    path = tmp_path / "xlsxwriter.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": inline})
    dates, money = book.add_format({"num_format": "yyyy-mm-dd"}), book.add_format({"num_format": "#,##0.00"})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("Daily")
    sheet.write_row(0, 0, ["Date", "Channel", "Spend", "Leads", "Double", "Empty styled"])
    for i in range(ROWS):
        row = i + 1 + i // 100 * 2  # two empty rows every 100
        sheet.write_datetime(row, 0, dt.datetime(2024, 1, 1) + dt.timedelta(days=i // 20), dates)
        sheet.write_string(row, 1, CHANNELS[i % 20])
        sheet.write_number(row, 2, 10 + i / 3, money)
        sheet.write_number(row, 3, i % 9)
        sheet.write_formula(row, 4, f"=C{row + 1}*2", None, (10 + i / 3) * 2)
        sheet.write_blank(row, 5, None, money)
        if i % 40 == 0:
            sheet.write_boolean(row, 6, i % 80 == 0)
        if i % 30 == 0:
            sheet.write_rich_string(row, 7, "plain ", bold, "bold", f" {i}")
    book.close()
    parts = read_parts(path)
    assert (b't="inlineStr"' in parts["xl/worksheets/sheet1.xml"]) == inline
    assert inline or b"<si><r>" in parts["xl/sharedStrings.xml"]  # rich text among the shared strings
    assert_read_alike(path, seen, monkeypatch)


def test_a_workbook_saved_by_libreoffice_reads_the_same_in_chunks(tmp_path: Path, seen: Seen, soffice: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = libreoffice_converts(soffice, openpyxl_book(tmp_path / "book.xlsx"), tmp_path,
                                "xlsx:Calc MS Excel 2007 XML")
    parts = read_parts(path)
    assert b"customFormat=" in parts[_part(path, "Daily")]  # LibreOffice's own rows
    assert b"<si><r>" in parts["xl/sharedStrings.xml"]  # rich text among the shared strings
    assert_read_alike(path, seen, monkeypatch)


def _part(path: Path, tab: str) -> str:
    with zipfile.ZipFile(path) as package:
        return next(s.part for s in sheet_parts(package) if s.name == tab)


def _rewrite(path: Path, part: str, change: Callable[[bytes], bytes]) -> None:
    parts = read_parts(path)
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def _rows(xml: bytes) -> list[bytes]:
    return re.findall(rb"<row\b.*?</row>", xml, re.S)


def _with_rows(xml: bytes, rows: list[bytes], between: bytes = b"") -> bytes:
    start, end = xml.index(b"<sheetData>") + len(b"<sheetData>"), xml.index(b"</sheetData>")
    return xml[:start] + between.join(rows) + xml[end:]


HAND_WRITTEN: dict[str, tuple[Callable[[bytes], bytes], bool]] = {
    # (how the Daily tab's XML is changed, whether the chunks are still put together)
    "line breaks between rows": (lambda xml: _with_rows(xml, _rows(xml), b"\n  "), True),
    "cells without references": (lambda xml: re.sub(rb'(<c) r="[A-Z]+[0-9]+"( s="1")', rb"\1\2", xml), True),
    "rows and their cells without numbers, here and there": (
        lambda xml: _with_rows(xml, [_unnumbered(r) if i % 3 else r for i, r in enumerate(_rows(xml))]), True),
    "inline rich text, formula texts, booleans, errors": (
        lambda xml: re.sub(rb'(<row r="([0-9]+)"[^>]*>.*?)</row>', lambda m: m[1] + _more_cells(m[2]) + b"</row>",
                           xml, flags=re.S), True),
    "rows out of order": (lambda xml: _with_rows(xml, _moved_row(_rows(xml))), False),
    "a comment between rows": (lambda xml: _with_rows(xml, _rows(xml)[:300] + [b"<!-- </row> -->"] + _rows(xml)[300:]),
                               False),
    "namespace prefixes": (lambda xml: re.sub(rb"<(/?)([A-Za-z]\w*)(?=[\s/>])", rb"<\1x:\2", xml.replace(
        b'xmlns="http', b'xmlns:x="http', 1)), False),
    "every row without a number": (lambda xml: re.sub(rb'<row r="[0-9]+"', b"<row", xml), False),
}


def _unnumbered(row: bytes) -> bytes:
    """The row without its number, and its cells without references: calamine counts them
    from the row before, and from the row's first cell (column A)."""
    return re.sub(rb' r="[A-Z]*[0-9]+"', b"", row)


def _more_cells(row: bytes) -> bytes:
    """Cells in AC to AF as other writers put them."""
    return (b'<c r="AC%s" t="inlineStr"><is><r><t>a</t></r><r><rPr><b/></rPr><t xml:space="preserve"> b &amp; c'
            b'</t></r></is></c><c r="AD%s" t="str"><f>"x"</f><v>x</v></c><c r="AE%s" t="b"><v>1</v></c>'
            b'<c r="AF%s" t="e"><v>#REF!</v></c>') % (row, row, row, row)


def _in_row(xml: bytes, index: int, cells: bytes) -> bytes:
    """The tab with ``cells`` added at the end of its ``index``-th row."""
    rows = _rows(xml)
    rows[index] = rows[index].removesuffix(b"</row>") + cells + b"</row>"
    return _with_rows(xml, rows)


def _moved_row(rows: list[bytes]) -> list[bytes]:
    """Row 3 written after all the others: calamine reads it where it says it is."""
    return [rows[0], rows[1], *rows[3:], rows[2]]


@pytest.mark.parametrize(("change", "put_together"), HAND_WRITTEN.values(), ids=HAND_WRITTEN.keys())
def test_a_tab_written_another_way_reads_the_same_or_is_read_whole(
    tmp_path: Path, seen: Seen, monkeypatch: pytest.MonkeyPatch, change: Callable[[bytes], bytes],
    put_together: bool
) -> None:
    path = openpyxl_book(tmp_path / "book.xlsx")
    _rewrite(path, _part(path, "Daily"), change)
    assert_read_alike(path, seen, monkeypatch, chunked=put_together)


def _relisted(path: Path, part: str, *, size: int | None = None, crc: int | None = None) -> None:
    """The package with ``part`` listed with another size or checksum than its data has."""
    source_path = path.with_suffix(".orig")
    path.rename(source_path)
    with zipfile.ZipFile(source_path) as package, source_path.open("rb") as source, path.open("wb") as out:
        entries = []
        for original in package.infolist():
            offset = out.tell()
            if original.filename != part:
                entries.append((_copy_raw(out, source, original), offset))
                continue
            xml = package.read(part)
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            data = packer.compress(xml) + packer.flush()
            info = zipfile.ZipInfo(part, original.date_time)
            info.compress_type, info.CRC = zipfile.ZIP_DEFLATED, zlib.crc32(xml) if crc is None else crc
            info.compress_size, info.file_size = len(data), len(xml) if size is None else size
            info.create_version = info.extract_version = 20
            out.write(_local_header(info, part.encode()) + data)
            entries.append((info, offset))
        _write_central_directory(out, entries, b"")
    source_path.unlink()


def _checked_then_refused(seen: Seen, path: Path, limits: PackageLimits, says: str) -> Iterator[bytes]:
    with pytest.raises(WorkbookError, match=says):
        read_workbook(path, limits=limits)
    assert len(seen.chunks) > 3, "chunks were parsed before the refusal"
    yield from seen.chunks


def test_a_chunk_reaches_calamine_only_once_its_area_passed(tmp_path: Path, seen: Seen) -> None:
    path = openpyxl_book(tmp_path / "book.xlsx")
    # a value far to the right, at the end of row 650 (650 rows x 16,384 columns: over the limit)
    _rewrite(path, _part(path, "Daily"), lambda xml: _in_row(xml, 649, b'<c r="XFD650"><v>1</v></c>'))
    assert b'<row r="650"' in _rows(read_parts(path)[_part(path, "Daily")])[649]
    for chunk in _checked_then_refused(seen, path, PackageLimits(area=10_000_000), "reaches down to row"):
        assert b"XFD" not in chunk


def test_a_chunk_reaches_calamine_only_once_its_runs_passed(tmp_path: Path, seen: Seen) -> None:
    path = openpyxl_book(tmp_path / "book.xlsx")
    long = b'<c r="AC650" t="inlineStr"><is><t>' + b"x" * 50_000 + b"</t></is></c>"
    _rewrite(path, _part(path, "Daily"), lambda xml: _in_row(xml, 600, long))
    for chunk in _checked_then_refused(seen, path, PackageLimits(run=20_000), "in one run"):
        assert b"x" * 1000 not in chunk


def test_a_chunk_reaches_calamine_only_within_the_size_the_file_gives(tmp_path: Path, seen: Seen) -> None:
    path = openpyxl_book(tmp_path / "book.xlsx")
    part = _part(path, "Daily")
    size = len(read_parts(path)[part])
    _relisted(path, part, size=size // 2)
    chunked = b"".join(_checked_then_refused(seen, path, PackageLimits(), "unpacks to more than"))
    assert len(chunked) <= size // 2


def test_a_tab_that_fails_its_checksum_is_refused_though_its_chunks_were_parsed(tmp_path: Path,
                                                                               seen: Seen) -> None:
    path = openpyxl_book(tmp_path / "book.xlsx")
    part = _part(path, "Daily")
    _relisted(path, part, crc=zlib.crc32(read_parts(path)[part]) ^ 1)
    list(_checked_then_refused(seen, path, PackageLimits(), "damaged"))


@pytest.mark.parametrize("where", ["parse", "put together"])
def test_a_chunk_that_cannot_be_read_has_the_tab_read_whole(tmp_path: Path, seen: Seen, where: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """calamine refusing a chunk, or its values failing to go in: the tab is read whole, and
    the checker, waiting for room for its chunks, is never left waiting."""
    path = openpyxl_book(tmp_path / "book.xlsx")
    monkeypatch.setattr(chunks, "_AHEAD_BYTES", 0)  # the checker waits after 3 chunks
    calls = []

    def failing(original: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            calls.append(1)
            if len(calls) == 3:
                raise ValueError("cannot be read")
            return original(*args, **kwargs)
        return call

    if where == "parse":
        monkeypatch.setattr(chunks.ChunkedTab, "_parse", failing(chunks.ChunkedTab._parse))
    else:
        monkeypatch.setattr(chunks.ChunkedTab, "_put", failing(chunks.ChunkedTab._put))
    assert_read_alike(path, seen, monkeypatch, chunked=False)
    assert len(calls) >= 3


def test_a_tab_is_cut_only_when_big_beside_what_every_chunk_repeats() -> None:
    rels = b'<Relationships><Relationship Id="rId1" Type="officeDocument" Target="xl/workbook.xml"/></Relationships>'
    opening = {"_rels/.rels": rels, "xl/workbook.xml": b"<workbook/>", "xl/_rels/workbook.xml.rels": b"<r/>"}
    assert chunks.chunk_size(26_000_000, opening) == chunks._SMALLEST
    assert chunks.chunk_size(7_000_000, opening) is None  # under two chunks of the largest size
    strings = {**opening, "xl/sharedstrings.xml": b"x" * 2_000_000}
    repeated = sum(map(len, strings.values()))
    assert chunks.chunk_size(40_000_000, strings) == int(repeated / chunks._REPEATED_AT_MOST)  # 8 times it
    assert chunks.chunk_size(26_000_000, strings) is None
    assert chunks.chunk_size(26_000_000, {**opening, "xl/sharedstrings.xml": b"x" * 5_000_000}) is None
    elsewhere = {**opening, "_rels/.rels": rels.replace(b"xl/workbook.xml", b"book/workbook.xml")}
    assert chunks.chunk_size(26_000_000, elsewhere) is None  # calamine would look for its parts elsewhere
