"""A big tab is edited as it is copied, never held whole: the same edits and the same
bytes as when it is read whole, however its bytes come in pieces.

The sheet editor finds the rows it is told about in one pass over the part's pieces;
the package writes the part by splicing the edits into the pieces as they pass and
deflating the result as it comes.
"""

from __future__ import annotations

import io
import os
import random
import struct
import tracemalloc
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_xlsx_parts import CELL_CASES, LINK, Edit, sheet

from sheetops.backends.xlsx import deflate, repack
from sheetops.backends.xlsx import xmlbytes as xb
from sheetops.backends.xlsx.repack import PackageEdit, _deflate, _spliced
from sheetops.backends.xlsx.sheetxml import SheetEditor
from sheetops.errors import BackendError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


class Source:
    """A part's bytes in pieces of ``size``, counting how often they are read."""

    def __init__(self, xml: bytes, size: int) -> None:
        self.xml, self.size, self.reads = xml, size, 0

    def __call__(self) -> Iterator[bytes]:
        self.reads += 1
        return (self.xml[i : i + self.size] for i in range(0, len(self.xml), self.size))


PIECE_SIZES = [1, 7, 64, 1 << 20]


@pytest.mark.parametrize("size", PIECE_SIZES)
@pytest.mark.parametrize(("case", "rows", "edit", "expected"), CELL_CASES, ids=[c[0] for c in CELL_CASES])
def test_a_streamed_sheet_is_edited_as_one_read_whole(case: str, rows: str, edit: Edit, expected: str,
                                                       size: int) -> None:
    source = Source(sheet(rows), size)
    editor = SheetEditor.streamed(source, "Daily", range(12))  # more rows than the edit needs: some missing
    edit(editor)
    assert xb.splice(source.xml, editor.edits()) == sheet(expected)
    assert source.reads == 1, "the part was read once, to find the rows, and not held"


@pytest.mark.parametrize("size", PIECE_SIZES)
def test_a_streamed_sheet_gets_its_notes_link_where_the_schema_puts_it(size: int) -> None:
    source = Source(sheet('<row r="1"/>', '<drawing r:id="rId1"/><tableParts count="0"/>'), size)
    editor = SheetEditor.streamed(source, "Daily", [0])
    assert editor.legacy_drawing_id() is None
    editor.add_legacy_drawing("rId9")
    assert xb.splice(source.xml, editor.edits()) == sheet(
        '<row r="1"/>', f'<drawing r:id="rId1"/>{LINK}<tableParts count="0"/>'
    )
    again = SheetEditor.streamed(Source(xb.splice(source.xml, editor.edits()), size), "Daily", [])
    assert again.legacy_drawing_id() == "rId9"


def _rows(count: int, shape: str) -> str:
    """``count`` rows, every seventh left out, written the way ``shape`` says."""
    rows = []
    for r in range(1, count + 1):
        if r % 7 == 0:
            continue
        if shape == "plain":
            rows.append(f'<row r="{r}" spans="1:3"><c r="A{r}" s="1"><v>{r}</v></c><c r="C{r}"><v>1</v></c></row>')
        elif shape == "foreign":  # single quotes, the number not first, a '>' in an attribute, a prefix
            rows.append(f"<x:row spans='1:3' r='{r}' x14ac:note='a>b'><x:c t='n' r='A{r}' s='1'><x:v>{r}</x:v>"
                        f"</x:c><x:c r = 'C{r}'><x:v>1</x:v></x:c></x:row>")
    return "".join(rows)


@pytest.mark.parametrize("shape", ["plain", "foreign"])
@pytest.mark.parametrize("size", [97, 4096])
def test_a_large_streamed_sheet_finds_every_row_and_gap(shape: str, size: int) -> None:
    rows = _rows(3_000, shape)
    if shape == "foreign":
        xml = (f'<x:worksheet xmlns:x="{MAIN}" xmlns:x14ac="x14ac"><x:dimension ref="A1:C3000"/><x:sheetData>'
               f"{rows}</x:sheetData></x:worksheet>").encode()
    else:
        xml = sheet(rows, dimension="A1:C3000")
    marks = sorted(random.Random(size).sample(range(3_100), 400))  # some in gaps, some past the last row

    def mark(editor: SheetEditor) -> None:
        for r in marks:
            for col in (0, 1):
                if editor.cell(r, col).exists:
                    editor.set_style(r, col, "2")
                else:
                    editor.create_cell(r, col, "3")

    whole = SheetEditor(xml, "Daily")
    mark(whole)
    source = Source(xml, size)
    streamed = SheetEditor.streamed(source, "Daily", marks)
    mark(streamed)
    assert xb.splice(xml, streamed.edits()) == whole.to_bytes()
    assert source.reads == 1


def test_a_streamed_sheet_read_whole_when_asked_for_every_row() -> None:
    source = Source(sheet('<row r="1"><c r="A1"><v>1</v></c></row><row r="4"><c r="A4"><f>A1</f></c></row>'), 5)
    editor = SheetEditor.streamed(source, "Sync Log", [])
    assert editor.last_used_row() == 3
    editor.put_cell(4, 0, lambda kept: b'<c r="A5"><v>2</v></c>')
    assert editor.to_bytes().endswith(b'<row r="5"><c r="A5"><v>2</v></c></row></sheetData></worksheet>')


@pytest.mark.parametrize(
    ("xml", "error"),
    [
        (sheet('<row r="1"/>')[: sheet('<row r="1"/>').index(b"</sheetData>")], ValueError),  # the sync: "damaged"
        (sheet('<row r="1"/>').replace(b"</sheetData>", b""), BackendError),
        (b"<worksheet><nothing/></worksheet>", BackendError),
    ],
    ids=["cut off", "its cells not closed", "no cells"],
)
def test_a_damaged_streamed_sheet_is_refused_as_one_read_whole(xml: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        SheetEditor(xml, "Daily")
    with pytest.raises(error):
        SheetEditor.streamed(Source(xml, 3), "Daily", [0])


# -- splicing and deflating as the bytes pass ----------------------------------------------


def test_edits_are_spliced_into_pieces_as_into_the_whole() -> None:
    rng = random.Random(3)
    for _ in range(300):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 60)))
        cuts = sorted(rng.sample(range(len(data) + 1), rng.randrange(0, min(6, len(data) + 1))))
        edits, at = [], 0
        for cut in cuts:
            if cut >= at:
                end = min(len(data), cut + rng.randrange(0, 5))
                edits.append((cut, end, bytes(rng.randrange(3)) * rng.randrange(3)))
                at = end
        size = rng.randrange(1, 9)
        pieces = [data[i : i + size] for i in range(0, len(data), size)]
        assert b"".join(_spliced(pieces, edits)) == xb.splice(data, edits), (data, edits, size)


def _one_shot(data: bytes) -> bytes:
    """A part deflated whole, as a sync always deflated it: one stream, or slices of 2 MB
    each primed with the 32 KB before it."""
    fast = len(data) > 1 << 20
    if len(data) <= 2 * repack._SLICE:
        compressor = deflate.compressor(fast=fast)
        return compressor.compress(data) + compressor.flush()
    out = []
    for start in range(0, len(data), repack._SLICE):
        window = data[max(0, start - repack._WINDOW) : start]
        compressor = deflate.compressor(fast=fast, zdict=window)
        last = start + repack._SLICE >= len(data)
        out.append(compressor.compress(data[start : start + repack._SLICE])
                   + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
    return b"".join(out)


@pytest.mark.parametrize("isal", [True, False], ids=["isal", "zlib"])
@pytest.mark.parametrize("size", [1_000, 3 << 20, 4 << 20, 9 << 20 | 5])
@pytest.mark.parametrize("piece", [333_333, 1 << 20])
def test_a_part_deflated_as_it_comes_is_the_part_deflated_whole(
    size: int, piece: int, isal: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With python-isal or without it (zlib alone), the same ordinary deflate stream."""
    if not isal:
        monkeypatch.setattr(deflate, "_isal", None)
    elif deflate._isal is None:
        pytest.skip("python-isal is not installed here")
    row = b'<row r="1"><c r="A1" s="1"><v>45000</v></c><c r="B1" t="inlineStr"><is><t>Search ads</t></is></c></row>'
    data = (row * (size // len(row) + 1))[:size]
    out = io.BytesIO()
    crc, seen, packed = _deflate((data[i : i + piece] for i in range(0, size, piece)), size, size > 1 << 20, out)
    assert (crc, seen, packed) == (zlib.crc32(data), size, len(out.getvalue()))
    assert out.getvalue() == _one_shot(data)
    assert zlib.decompress(out.getvalue(), -15) == data


def _big_sheet(rows: int) -> bytes:
    body = b"".join(b'<row r="%d"><c r="A%d" s="1"><v>%d</v></c><c r="B%d"><v>7</v></c></row>' % (r, r, r, r)
                    for r in range(1, rows + 1))
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="' + MAIN.encode()
            + b'"><dimension ref="A1:B%d"/><sheetData>' % rows + body + b"</sheetData></worksheet>")


def test_a_big_part_is_edited_and_written_without_being_held(tmp_path: Path) -> None:
    xml = _big_sheet(600_000)  # about 50 MB
    source = io.BytesIO()
    with zipfile.ZipFile(source, "w") as package:
        package.writestr("[Content_Types].xml", b"<Types/>", zipfile.ZIP_DEFLATED)
        package.writestr("xl/worksheets/sheet1.xml", xml, zipfile.ZIP_DEFLATED, compresslevel=1)
    marks = range(0, 600_000, 1_000)
    expected = SheetEditor(xml, "Daily")
    for r in marks:
        expected.set_style(r, 1, "2")
    expected_xml = expected.to_bytes()
    del xml, expected
    source.seek(0)
    tracemalloc.start()
    try:
        with zipfile.ZipFile(source) as package:
            edit = PackageEdit(package, source)
            assert edit.held("xl/worksheets/sheet1.xml") is None, "too big to be read whole"
            editor = SheetEditor.streamed(lambda: edit.pieces("xl/worksheets/sheet1.xml"), "Daily", marks)
            for r in marks:
                editor.set_style(r, 1, "2")
            edit.put_edits("xl/worksheets/sheet1.xml", editor.edits())
            with (tmp_path / "out.xlsx").open("wb") as out:
                edit.write_to(out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # a few slices of 2 MB being deflated side by side (one per core, up to 4), whatever the size of the part
    bound = (min(os.cpu_count() or 1, 4) + 3) * repack._SLICE + (4 << 20)
    assert peak < bound, f"{peak:,} bytes held at most, for a part of {len(expected_xml):,}"
    written = (tmp_path / "out.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(written)) as copy:
        assert copy.testzip() is None
        assert copy.read("xl/worksheets/sheet1.xml") == expected_xml
        info = copy.getinfo("xl/worksheets/sheet1.xml")
    header = written[info.header_offset : info.header_offset + 30]
    assert struct.unpack("<3L", header[14:26]) == (info.CRC, info.compress_size, info.file_size), \
        "the local header has the checksum and sizes"


def test_edits_to_a_part_this_sync_replaced_apply_to_its_new_bytes() -> None:
    source = io.BytesIO()
    with zipfile.ZipFile(source, "w") as package:
        package.writestr("xl/a.xml", b"<a>old</a>", zipfile.ZIP_DEFLATED)
        package.writestr("xl/b.xml", b"<b>old</b>", zipfile.ZIP_STORED)
    source.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as package:
        edit = PackageEdit(package, source)
        edit.put("xl/a.xml", b"<a>new</a>")
        assert edit.held("xl/a.xml") == b"<a>new</a>"
        edit.put_edits("xl/a.xml", [(3, 6, b"newer")])
        edit.put_edits("xl/b.xml", [(3, 3, b"not "), (6, 6, b"er")])
        assert edit.touched == {"xl/a.xml", "xl/b.xml"}
        edit.write_to(out)
    with zipfile.ZipFile(out) as copy:
        assert copy.testzip() is None
        assert copy.read("xl/a.xml") == b"<a>newer</a>"
        assert copy.read("xl/b.xml") == b"<b>not older</b>"
        assert copy.getinfo("xl/b.xml").compress_type == zipfile.ZIP_STORED


@pytest.mark.parametrize("isal", [True, False], ids=["isal", "zlib"])
@pytest.mark.parametrize("out", [700, 2_000, 1 << 20])
def test_a_part_unpacked_in_small_pieces_is_the_whole_part(
    tmp_path: Path, isal: bool, out: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unpacked a few hundred bytes at a time, for the checks before a read and for the
    write, a well-packed part comes out whole: ISA-L may hold output back once it has read
    all of the input, and it is still all taken."""
    from sheetops.backends.xlsx import package

    if not isal:
        monkeypatch.setattr(deflate, "_isal", None)
    elif deflate._isal is None:
        pytest.skip("python-isal is not installed here")
    monkeypatch.setattr(package, "_OUT_CHUNK", out)
    monkeypatch.setattr(repack, "_CHUNK", out)
    data = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r % 7) for r in range(1, 5_000))
    path = tmp_path / "book.zip"
    with zipfile.ZipFile(path, "w") as made:
        made.writestr("xl/worksheets/sheet1.xml", data, zipfile.ZIP_DEFLATED, compresslevel=9)
    with zipfile.ZipFile(path) as opened, path.open("rb") as source:
        info = opened.getinfo("xl/worksheets/sheet1.xml")
        assert info.compress_size * 5 < len(data)  # packed well: more out than in, call after call
        assert b"".join(package.unpack(path, source, opened, info)) == data
        assert b"".join(repack._unpacked(source, info)) == data
