"""Decompression bombs: a small file whose parts unpack to gigabytes is refused before they
are unpacked (or as soon as a part unpacks beyond what the file says), exit code 2, one
line that names the part and the limit, nothing written, and memory stays low.

The bombs are made here the way the issue describes them: a tab of a few GB of one
repeated byte packs into a few MB. The packed data is made without ever holding the
unpacked bytes: a 1 MB block is packed once with a full flush, which makes its packed
form the same wherever it stands, and repeated; the checksum is combined arithmetically.
Each sync runs in a child process, so that its peak memory is its own; an address space
limit keeps a regression from taking the machine's memory with it.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from sheetops.backends.xlsx.package import sheet_parts
from sheetops.backends.xlsx.repack import _copy_raw, _local_header, _write_central_directory

BLOCK = 1 << 20
PEAK_MB = 300
HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
CELL_OPEN = b'<row r="1"><c r="A1" t="inlineStr"><is><t>'
CELL_CLOSE = b"</t></is></c></row>"
TAIL = b"</sheetData></worksheet>"


@dataclass(frozen=True)
class Bomb:
    """A part made of ``head``, ``blocks`` MB of ``byte`` and ``tail``; ``listed`` is the
    size the file's directory gives it (None: the true size)."""

    head: bytes
    byte: bytes
    blocks: int
    tail: bytes
    listed: int | None = None
    part: str | None = None  # None: the Daily tab's part; else that part, added if the workbook has none


CASES: dict[str, tuple[Bomb, str]] = {
    # the directory tells the truth: refused from it, before anything is unpacked
    "a 3 GB tab": (Bomb(HEAD + CELL_OPEN, b"a", 3000, CELL_CLOSE + TAIL),
                   "unpacks to 3.1 GB, beyond the 1.0 GB sheetops reads in one part"),
    "1 GB of blank space in a tab": (Bomb(HEAD, b" ", 950, TAIL), "times its size in the file"),
    "a 1 GB cell": (Bomb(HEAD + CELL_OPEN, b"a", 950, CELL_CLOSE + TAIL), "times its size in the file"),
    # the directory lies: refused while unpacking, as soon as the part says too much
    "1 GB of blank space in a tab said to be 40 MB": (Bomb(HEAD, b" ", 1000, TAIL, listed=40_000_000),
                                                      "holds more than 4 MB of blank space in one run"),
    "a 1 GB cell said to be 40 MB": (Bomb(HEAD + CELL_OPEN, b"a", 1000, CELL_CLOSE + TAIL, listed=40_000_000),
                                     "holds more than 4 MB of text or markup without a break in one run"),
    "a 3 GB tab said to be 20 KB": (Bomb(HEAD + CELL_OPEN, b"a", 3000, CELL_CLOSE + TAIL, listed=20_000),
                                    "unpacks to more than the 20 KB the file's table of contents gives for it"),
    # the shared strings, which calamine reads when it opens the workbook, before any tab
    "a 1 GB shared string said to be 40 MB": (
        Bomb(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b"<si><t>", b"a", 1000, b"</t></si></sst>", listed=40_000_000, part="xl/sharedStrings.xml"),
        "the part xl/sharedStrings.xml holds more than 4 MB of text or markup"),
    # not a part calamine reads: still refused before it is held
    "a 3 GB picture": (Bomb(b"", b"\0", 3000, b"", part="xl/media/image9.png"), "unpacks to 3.1 GB"),
    "a 3 GB picture said to be 20 KB": (Bomb(b"", b"\0", 3000, b"", listed=20_000, part="xl/media/image9.png"),
                                        "unpacks to more than the 20 KB"),
}


def packed(bomb: Bomb) -> tuple[bytes, int, int]:
    """The raw deflate data of the bomb, its CRC-32 and its true size."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(bomb.head) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(bomb.byte * BLOCK) + packer.flush(zlib.Z_FULL_FLUSH)
    assert packer.compress(bomb.byte * BLOCK) + packer.flush(zlib.Z_FULL_FLUSH) == block  # the same anywhere
    last = packer.compress(bomb.tail) + packer.flush()
    crc = crc32_combine(zlib.crc32(bomb.head), repeated_crc(zlib.crc32(bomb.byte * BLOCK), BLOCK, bomb.blocks),
                        BLOCK * bomb.blocks)
    crc = crc32_combine(crc, zlib.crc32(bomb.tail), len(bomb.tail))
    return first + block * bomb.blocks + last, crc, len(bomb.head) + BLOCK * bomb.blocks + len(bomb.tail)


def with_bomb(workbook: Path, bomb: Bomb) -> str:
    """Put the bomb in place of the Daily tab's part (or beside the parts); the part's name."""
    source_path = workbook.with_suffix(".orig")
    workbook.rename(source_path)
    with zipfile.ZipFile(source_path) as package, source_path.open("rb") as source, workbook.open("wb") as out:
        part = bomb.part or next(s.part for s in sheet_parts(package) if s.name == "Daily")
        data, crc, size = packed(bomb)
        entries = []
        originals = package.infolist()
        if bomb.part is not None and bomb.part not in package.namelist():
            originals.append(zipfile.ZipInfo(bomb.part))
        for original in originals:
            offset = out.tell()
            if original.filename != part:
                entries.append((_copy_raw(out, source, original), offset))
                continue
            info = zipfile.ZipInfo(part, original.date_time)
            info.compress_type, info.CRC = zipfile.ZIP_DEFLATED, crc
            info.compress_size, info.file_size = len(data), bomb.listed or size
            info.create_version = info.extract_version = 20
            out.write(_local_header(info, part.encode()) + data)
            entries.append((info, offset))
        _write_central_directory(out, entries, b"")
    source_path.unlink()
    return part


@pytest.mark.parametrize("command", [["sync", "--as-of", "2026-11-27"], ["check"]], ids=["sync", "check"])
@pytest.mark.parametrize(("bomb", "says"), CASES.values(), ids=CASES.keys())
def test_a_decompression_bomb_is_refused_with_memory_bounded(demo_xlsx: Path, bomb: Bomb, says: str,
                                                              command: list[str]) -> None:
    part = with_bomb(demo_xlsx, bomb)
    assert demo_xlsx.stat().st_size < 5_000_000
    before = {p.name: p.read_bytes() for p in demo_xlsx.parent.iterdir()}
    code, err, peak_mb = run_limited([sys.executable, "-m", "sheetops", command[0], str(demo_xlsx), *command[1:]])
    assert code == 2, err
    (line,) = err.strip().splitlines()
    assert line.startswith(f"Error: {demo_xlsx}: ")
    assert part in line and says in line
    assert peak_mb < PEAK_MB
    assert {p.name: p.read_bytes() for p in demo_xlsx.parent.iterdir()} == before


def run_limited(argv: list[str]) -> tuple[int, str, float]:
    """Run a command with at most 2 GB of address space: (exit code, stderr, peak memory in MB)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=limit)
    assert child.stderr is not None
    err = child.stderr.read().decode()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    child.stderr.close()
    return child.returncode, err, usage.ru_maxrss / 1024


def test_the_checksum_arithmetic_agrees_with_zlib() -> None:
    block = b"ab" * 100
    assert repeated_crc(zlib.crc32(block), len(block), 7) == zlib.crc32(block * 7)
    assert crc32_combine(zlib.crc32(b"head"), zlib.crc32(block), len(block)) == zlib.crc32(b"head" + block)


# CRC-32 of joined data from the CRC-32s of its pieces (zlib's crc32_combine, which
# Python's zlib does not expose): appending n bytes multiplies the first CRC by x^(8n).

def _times(matrix: list[int], vector: int) -> int:
    result, row = 0, 0
    while vector:
        if vector & 1:
            result ^= matrix[row]
        vector >>= 1
        row += 1
    return result


def _squared(matrix: list[int]) -> list[int]:
    return [_times(matrix, matrix[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    if length2 == 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # one zero bit
    even = _squared(odd)  # two
    odd = _squared(even)  # four
    while True:
        even = _squared(odd)
        if length2 & 1:
            crc1 = _times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = _squared(even)
        if length2 & 1:
            crc1 = _times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


def repeated_crc(crc: int, length: int, times: int) -> int:
    """The CRC-32 of ``times`` copies of data of ``length`` bytes whose CRC-32 is ``crc``."""
    result, result_length = 0, 0
    while times:
        if times & 1:
            result, result_length = crc32_combine(result, crc, length), result_length + length
        crc, length = crc32_combine(crc, crc, length), length * 2
        times >>= 1
    return result


@pytest.mark.parametrize("far", ["BXY100001", "XFD1048576"])
def test_two_values_far_apart_are_refused_before_a_reader_builds_the_rectangle(
    demo_xlsx: Path, far: str
) -> None:
    """A few kilobytes with one value in A1 and one far away: python-calamine alone would
    build every cell between them (BXY100001: 200 million cells, 7.8 GB)."""
    import openpyxl

    book = openpyxl.load_workbook(demo_xlsx)
    book["Daily"][far] = 1
    book.save(demo_xlsx)
    before = demo_xlsx.read_bytes()
    code, err, peak_mb = run_limited([sys.executable, "-m", "sheetops", "sync", str(demo_xlsx),
                                      "--as-of", "2026-11-27"])
    assert code == 2, err
    (line,) = err.strip().splitlines()
    assert "'Daily'" in line and "delete it" in line and far.rstrip("0123456789") in line
    assert peak_mb < PEAK_MB
    assert demo_xlsx.read_bytes() == before


def test_a_tab_as_wide_as_it_is_long_within_the_limit_is_read(demo_xlsx: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(demo_xlsx)
    book["Daily"]["AZ3000"] = "a note far right"  # 3,000 rows x 52 columns: a real, wide tab
    book.save(demo_xlsx)
    code, err, _ = run_limited([sys.executable, "-m", "sheetops", "sync", str(demo_xlsx), "--as-of", "2026-11-27"])
    assert code == 0, err


@pytest.mark.parametrize("isal", [True, False], ids=["isal", "zlib"])
def test_a_part_that_unpacks_beyond_its_listed_size_is_stopped_by_either_inflater(
    demo_xlsx: Path, isal: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts are unpacked by ISA-L where python-isal is installed, else by zlib: both stop
    a part at the first piece beyond the size the file's directory gives."""
    from sheetops.backends.xlsx import deflate
    from sheetops.backends.xlsx.package import unpack
    from sheetops.errors import WorkbookError

    if not isal:
        monkeypatch.setattr(deflate, "_isal", None)
    elif deflate._isal is None:
        pytest.skip("python-isal is not installed here")
    bomb, says = CASES["a 3 GB tab said to be 20 KB"]
    part = with_bomb(demo_xlsx, bomb)
    unpacked = 0
    with (zipfile.ZipFile(demo_xlsx) as package, demo_xlsx.open("rb") as source,
          pytest.raises(WorkbookError, match=says)):
        for piece in unpack(demo_xlsx, source, package, package.getinfo(part)):
            unpacked += len(piece)
    assert unpacked <= 20_000
