"""A changed copy of an .xlsx package: new parts written, every other part copied raw.

:class:`PackageEdit` reads parts of the original package and records the parts a sync
replaces, adds or removes. :meth:`PackageEdit.write_to` then writes the new ZIP: each
unchanged entry is copied as its original compressed bytes (same compression, same CRC,
same name, same order, no recompression), changed entries are deflated in place of
the old ones, new entries follow at the end. ``zipfile`` cannot copy an entry without
recompressing it, so this module writes the small ZIP framing itself (local headers,
central directory, end record). Packages beyond the classic ZIP limits (4 GB, 65,535
parts) are refused: no workbook Excel can open comes near them.

A big part that changes in a few places (a Daily tab with its marks) is never held
whole, neither as it was nor as it becomes: it is given as its edits
(:meth:`PackageEdit.put_edits`), and written by unpacking the original piece by piece,
splicing the edits in as their offsets pass, and deflating the result as it comes, into
the new entry (whose local header gets its checksum and sizes once they are known).
"""

from __future__ import annotations

import os
import posixpath
import struct
import zipfile
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from typing import BinaryIO

from sheetops.backends.xlsx import deflate
from sheetops.backends.xlsx.package import PartCache
from sheetops.errors import BackendError, WorkbookLockedError


class SourceChanged(WorkbookLockedError):
    """The workbook's bytes changed under a write that copies them: someone else wrote it
    while this sync ran (the backend names the file; nothing is written)."""

    def __init__(self) -> None:
        super().__init__("someone else wrote the workbook while this sync ran; nothing was written, "
                         "run the sync again.")

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_LOCAL_SIG = b"PK\x03\x04"
_CENTRAL_SIG = b"PK\x01\x02"
_END_SIG = b"PK\x05\x06"
_LIMIT = 0xFFFFFFFF
_UTF8_NAME = 0x800
_DATA_DESCRIPTOR = 0x08
_ENCRYPTED = 0x01
_NEW_PART_TIME = (1980, 1, 1, 0, 0, 0)  # what Excel writes: no time, reproducible output
_CHUNK = 1 << 20
# A part bigger than this that the read did not keep is read in pieces, never whole.
STREAM_ABOVE = 16 << 20
Edits = list[tuple[int, int, bytes]]
Piece = bytes | memoryview  # a part's bytes, in pieces


class _Edited:
    """A changed part given as its original and the edits to splice into it."""

    __slots__ = ("edits", "size")

    def __init__(self, edits: Edits, size: int) -> None:
        self.edits = edits  # (start, end, replacement) in the original's offsets, in order
        self.size = size  # the part's size once edited


class PackageEdit:
    """The parts of a package, and what a sync changes in it."""

    def __init__(self, package: zipfile.ZipFile, source: BinaryIO, known: PartCache | None = None) -> None:
        self.package = package
        self.source = source  # the same file, opened for raw copying
        self._infos = {info.filename: info for info in package.infolist()}
        self._known = known  # parts the read already decompressed
        self._originals: dict[str, bytes] = {}
        self._changed: dict[str, bytes | _Edited] = {}
        self._added: dict[str, bytes] = {}
        self._removed: set[str] = set()

    def has(self, name: str) -> bool:
        return name in self._added or (name in self._infos and name not in self._removed)

    def namelist(self) -> list[str]:
        return [n for n in self._infos if n not in self._removed] + list(self._added)

    def read(self, name: str) -> bytes:
        if name in self._added:
            return self._added[name]
        if name in self._changed:
            changed = self._changed[name]
            if isinstance(changed, _Edited):
                return b"".join(_spliced(self.pieces(name), changed.edits))
            return changed
        if name not in self._infos or name in self._removed:
            raise KeyError(name)
        return self._original(name)

    def held(self, name: str) -> bytes | None:
        """The original part's bytes when they are at hand (kept by the read, or read
        already) or small; None for a big part that would have to be unpacked whole:
        read it with :meth:`pieces` instead."""
        if name in self._added or name in self._changed:
            return self.read(name)
        data = self._originals.get(name)
        if data is not None:
            return data
        info = self._infos[name]
        if self._known is not None:
            data = self._known.take(info)
            if data is not None:
                self._originals[name] = data
                return data
        if info.file_size > STREAM_ABOVE:
            return None
        return self._original(name)

    def pieces(self, name: str) -> Iterator[bytes]:
        """The original part in pieces of at most about 1 MB, unpacked as they are read
        (or, when it is at hand, whole)."""
        data = self._originals.get(name)
        if data is not None:
            yield data
            return
        info = self._infos[name]
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & _ENCRYPTED:
            yield self._original(name)  # not what Excel writes: zipfile reads it
            return
        yield from _unpacked(self.source, info)

    def _original(self, name: str) -> bytes:
        """A part as the package holds it, decompressed once (or taken from the read)."""
        data = self._originals.get(name)
        if data is None:
            info = self._infos[name]
            data = self._known.take(info) if self._known is not None else None
            if data is None and self._known is not None and self._known.checked(info):
                data = self._unpack_checked(info)
            if data is None:
                data = self.package.read(info)
            self._originals[name] = data
        return data

    def _unpack_checked(self, info: zipfile.ZipInfo) -> bytes | None:
        """A deflated part the read checked, unpacked in one go into a buffer of its size
        (``zipfile`` would gather pieces and join them, holding a big tab twice)."""
        if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & _ENCRYPTED:
            return None
        self.source.seek(info.header_offset)
        header = self.source.read(_LOCAL.size)
        if len(header) != _LOCAL.size or header[:4] != _LOCAL_SIG:
            return None
        name_length, extra_length = struct.unpack("<2H", header[26:30])
        self.source.seek(info.header_offset + _LOCAL.size + name_length + extra_length)
        data = deflate.inflate(self.source.read(info.compress_size), info.file_size)
        if len(data) != info.file_size or deflate.crc32(data) != info.CRC:
            raise zlib.error(f"{info.filename} changed since it was read")
        return data

    def put_edits(self, name: str, edits: Edits) -> None:
        """Change a part of the package by splicing ``edits`` into it, (start, end,
        replacement) in its offsets, in order and not overlapping; none: it stays as it
        was. The part is edited as it is copied, never held whole.

        Offsets are those of the part as :meth:`held` or :meth:`pieces` gave it: the
        original, or what this edit already put in its place."""
        current = self._added.get(name, self._changed.get(name))
        if isinstance(current, bytes):  # already replaced in this edit: edited in memory
            self.put(name, b"".join(_spliced((current,), edits)))
            return
        if not edits:
            self._changed.pop(name, None)
            return
        size = self._infos[name].file_size + sum(len(new) - (end - start) for start, end, new in edits)
        self._changed[name] = _Edited(edits, size)

    def put(self, name: str, data: bytes) -> None:
        """Replace a part, or add it when the package has none by that name."""
        if name in self._infos and name not in self._removed:
            if data == self._original(name):
                self._changed.pop(name, None)
            else:
                self._changed[name] = data
                self._originals.pop(name, None)  # not needed any more: a part rewritten whole is not held twice
        else:
            self._removed.discard(name)
            self._added[name] = data

    def remove(self, name: str) -> None:
        self._added.pop(name, None)
        self._changed.pop(name, None)
        if name in self._infos:
            self._removed.add(name)

    def free_name(self, pattern: str) -> str:
        """The first name ``pattern.format(n)`` (n = 1, 2, ...) that no part uses."""
        taken = {n.lower() for n in self.namelist()}
        n = 1
        while pattern.format(n).lower() in taken:
            n += 1
        return pattern.format(n)

    @property
    def added(self) -> set[str]:
        """Names of the parts this edit adds to the package."""
        return set(self._added)

    @property
    def touched(self) -> set[str]:
        """Names of the parts that differ from the original package."""
        return set(self._changed) | set(self._added) | self._removed

    def write_to(self, out: BinaryIO) -> None:
        """Write the new package to ``out``."""
        entries: list[tuple[zipfile.ZipInfo, int]] = []
        for info in self.package.infolist():
            name = info.filename
            if name in self._removed:
                continue
            offset = out.tell()
            changed = self._changed.get(name)
            if changed is None:
                entries.append((_copy_raw(out, self.source, info), offset))
            elif isinstance(changed, _Edited):
                edited = _spliced(self.pieces(name), changed.edits)
                entries.append((_write_new(out, name, edited, changed.size, info), offset))
            else:
                entries.append((_write_new(out, name, (changed,), len(changed), info), offset))
        for name, data in self._added.items():
            offset = out.tell()
            entries.append((_write_new(out, name, (data,), len(data), None), offset))
        _write_central_directory(out, entries, self.package.comment)


def _check_limits(size: int, offset: int) -> None:
    if size >= _LIMIT or offset >= _LIMIT:
        raise BackendError("the workbook is larger than 4 GB, beyond what sheetops can rewrite safely.")


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    year = max(year, 1980)
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def _local_header(info: zipfile.ZipInfo, name: bytes) -> bytes:
    time, date = _dos_time(info.date_time)
    return (
        _LOCAL.pack(
            _LOCAL_SIG,
            info.extract_version,
            0,
            info.flag_bits,
            info.compress_type,
            time,
            date,
            info.CRC,
            info.compress_size,
            info.file_size,
            len(name),
            0,
        )
        + name
    )


def _encoded_name(info: zipfile.ZipInfo) -> bytes:
    if info.flag_bits & _UTF8_NAME:
        return info.filename.encode("utf-8")
    try:
        return info.filename.encode("ascii")
    except UnicodeEncodeError:
        info.flag_bits |= _UTF8_NAME
        return info.filename.encode("utf-8")


def _copy_raw(out: BinaryIO, source: BinaryIO, original: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """Copy an entry's compressed bytes as they are, with a fresh local header."""
    if original.flag_bits & _ENCRYPTED:
        raise BackendError(f"some of the workbook's data ({original.filename}) is encrypted; sheetops cannot copy "
                           "it. Remove the password in Excel (File > Info > Protect Workbook) and try again.")
    source.seek(original.header_offset)
    header = source.read(_LOCAL.size)
    if len(header) != _LOCAL.size or header[:4] != _LOCAL_SIG:
        raise SourceChanged()
    name_length, extra_length = struct.unpack("<2H", header[26:30])
    source.seek(original.header_offset + _LOCAL.size + name_length + extra_length)
    info = _clone(original)
    info.flag_bits &= ~_DATA_DESCRIPTOR  # sizes are known: they go in the local header
    _check_limits(max(info.compress_size, info.file_size), out.tell())
    out.write(_local_header(info, _encoded_name(info)))
    remaining = info.compress_size
    while remaining:
        chunk = source.read(min(remaining, _CHUNK))
        if not chunk:
            raise SourceChanged()
        out.write(chunk)
        remaining -= len(chunk)
    return info


_FAST_COMPRESSION_ABOVE = 1 << 20
_SLICE = 2 << 20  # big parts are deflated in slices of this size, side by side
_WINDOW = 32 << 10  # how far back a deflate stream may refer


def _write_new(
    out: BinaryIO, name: str, pieces: Iterable[Piece], size: int, original: zipfile.ZipInfo | None
) -> zipfile.ZipInfo:
    """Write a new or changed entry of ``size`` bytes, given in pieces: deflated unless the
    original entry was stored. The local header is written first and completed once the
    checksum and the packed size are known."""
    info = zipfile.ZipInfo(name, original.date_time if original else _NEW_PART_TIME)
    if original is not None:
        info.create_system = original.create_system
        info.create_version = original.create_version
        info.external_attr = original.external_attr
        info.flag_bits = original.flag_bits & _UTF8_NAME
    else:
        info.create_system = 0
        info.create_version = 20
    stored = original is not None and original.compress_type == zipfile.ZIP_STORED
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.extract_version = 20
    info.file_size = size
    info.CRC = 0
    start = out.tell()
    _check_limits(size, start)
    encoded = _encoded_name(info)
    out.write(_local_header(info, encoded))  # checksum and packed size to come
    if stored:
        crc, written, packed = _store(pieces, out)
    else:
        # Big sheet parts (a Daily tab of 100k rows is ~25 MB of XML) are compressed fast
        # (see :mod:`~sheetops.backends.xlsx.deflate`): zlib's level 1 takes a third of the
        # time of level 6 for a file a few per cent larger, ISA-L's a tenth.
        crc, written, packed = _deflate(pieces, size, size > _FAST_COMPRESSION_ABOVE, out)
    if written != size:
        raise ValueError(f"{name}: {written} bytes written where {size} were expected")
    info.CRC = crc
    info.compress_size = packed
    _check_limits(max(info.compress_size, info.file_size), start)
    end = out.tell()
    out.seek(start)
    out.write(_local_header(info, encoded))
    out.seek(end)
    return info


def _store(pieces: Iterable[Piece], out: BinaryIO) -> tuple[int, int, int]:
    crc, size = 0, 0
    for piece in pieces:
        crc = deflate.crc32(piece, crc)
        size += len(piece)
        out.write(piece)
    return crc, size, size


def _deflate(pieces: Iterable[Piece], size: int, fast: bool, out: BinaryIO) -> tuple[int, int, int]:
    """Deflate a part of ``size`` bytes, given in pieces, into ``out`` as a raw deflate
    stream; return its CRC-32, its size and the deflated size.

    A part of several slices is deflated slice by slice on all cores (zlib lets threads
    run side by side) while this thread gathers the slices and computes the CRC. Each
    slice starts with the 32 KB before it as its dictionary and all but the last end on a
    byte boundary without ending the stream, so the slices joined are one ordinary
    deflate stream, as pigz writes them. The output depends only on the data, never on
    the number of cores or on how the pieces are cut; only a few slices are in memory at
    a time.
    """
    crc, seen, packed = 0, 0, 0
    if size <= 2 * _SLICE:
        compressor = deflate.compressor(fast=fast)
        if fast:  # ISA-L's output depends on how its input is cut: given in one piece
            whole = bytearray()
            for piece in pieces:
                crc = deflate.crc32(piece, crc)
                whole += piece
            return crc, len(whole), _write(out, compressor.compress(whole) + compressor.flush())
        for piece in pieces:
            crc = deflate.crc32(piece, crc)
            seen += len(piece)
            packed += _write(out, compressor.compress(piece))
        packed += _write(out, compressor.flush())
        return crc, seen, packed
    from concurrent.futures import ThreadPoolExecutor

    workers = min(-(-size // _SLICE), os.cpu_count() or 1, 4)
    pending: deque[Future[bytes]] = deque()
    gathered = bytearray()
    window = b""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for piece in pieces:
            crc = deflate.crc32(piece, crc)
            seen += len(piece)
            gathered += piece
            while len(gathered) >= _SLICE and seen - len(gathered) + _SLICE < size:  # a whole slice, not the last
                while len(pending) >= workers:
                    packed += _write(out, pending.popleft().result())
                data = gathered[:_SLICE]
                del gathered[:_SLICE]
                pending.append(pool.submit(_deflate_slice, data, window, fast, False))
                window = bytes(data[-_WINDOW:])
        pending.append(pool.submit(_deflate_slice, gathered, window, fast, True))
        while pending:
            packed += _write(out, pending.popleft().result())
    return crc, seen, packed


def _write(out: BinaryIO, data: bytes) -> int:
    out.write(data)
    return len(data)


def _deflate_slice(data: bytearray, window: bytes, fast: bool, last: bool) -> bytes:
    """One slice of a part deflated as a piece of the part's stream (see :func:`_deflate`)."""
    compressor = deflate.compressor(fast=fast, zdict=window)
    return compressor.compress(data) + compressor.flush(deflate.FINISH if last else deflate.SYNC_FLUSH)


def _spliced(pieces: Iterable[Piece], edits: Edits) -> Iterator[Piece]:
    """The bytes of ``pieces`` with ``edits`` (start, end, replacement; in order, not
    overlapping) applied as their offsets pass: a piece for each piece given, its edits
    joined in (a long streak's marks are thousands of small edits, each too small to be
    a piece of its own on the way to the deflater)."""
    ordered = iter(edits)
    edit = next(ordered, None)
    offset = 0  # of the piece's first byte in the original
    for piece in pieces:
        view = memoryview(piece)
        size = len(view)
        if edit is None or edit[0] > offset + size:  # no edit starts in this piece
            yield view
            offset += size
            continue
        parts: list[Piece] = []
        at = 0  # in the piece: everything before it is handled
        while edit is not None and edit[0] <= offset + size:
            start, end, replacement = edit
            if start < offset + at:
                raise ValueError("overlapping edits")
            if start > offset + at:
                parts.append(view[at : start - offset])
                at = start - offset
            if end > offset + size:  # the edit replaces bytes beyond this piece
                if replacement:
                    parts.append(replacement)
                edit = (offset + size, end, b"")
                at = size
                break
            if replacement:
                parts.append(replacement)
            at = end - offset
            edit = next(ordered, None)
        if at < size:
            parts.append(view[at:])
        if parts:
            yield parts[0] if len(parts) == 1 else b"".join(parts)
        offset += size
    if edit is not None:
        raise ValueError("an edit beyond the end of the part")


def _unpacked(source: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A stored or deflated entry unpacked piece by piece, its size and checksum checked."""
    changed = SourceChanged()
    source.seek(info.header_offset)
    header = source.read(_LOCAL.size)
    if len(header) != _LOCAL.size or header[:4] != _LOCAL_SIG:
        raise changed
    name_length, extra_length = struct.unpack("<2H", header[26:30])
    position = info.header_offset + _LOCAL.size + name_length + extra_length
    remaining = info.compress_size
    inflater = deflate.decompressor() if info.compress_type == zipfile.ZIP_DEFLATED else None
    crc, size = 0, 0
    try:
        while True:
            data = inflater.unconsumed_tail if inflater is not None else b""
            if not data and remaining:
                source.seek(position)  # the source is shared: other readers may have moved it
                data = source.read(min(remaining, _CHUNK))
                if not data:
                    raise changed
                position += len(data)
                remaining -= len(data)
            elif not data and inflater is None:
                break
            # ISA-L may hold output back with no input left: it comes out of the next calls
            piece = inflater.decompress(data, _CHUNK) if inflater is not None else data
            if piece:
                crc = deflate.crc32(piece, crc)
                size += len(piece)
                if size > info.file_size:
                    raise changed
                yield piece
            elif not data:
                break  # nothing more in, nothing more out
            if inflater is not None and inflater.eof:
                break
    except deflate.ERRORS as exc:
        raise changed from exc
    if size != info.file_size or crc != info.CRC:
        raise changed


def _clone(original: zipfile.ZipInfo) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(original.filename, original.date_time)
    for field in (
        "compress_type",
        "comment",
        "create_system",
        "create_version",
        "extract_version",
        "flag_bits",
        "internal_attr",
        "external_attr",
        "CRC",
        "compress_size",
        "file_size",
    ):
        setattr(info, field, getattr(original, field))
    info.extract_version = min(max(info.extract_version, 20), 45)
    return info


def _write_central_directory(out: BinaryIO, entries: list[tuple[zipfile.ZipInfo, int]], comment: bytes) -> None:
    if len(entries) > 0xFFFF:
        raise BackendError("the workbook has more than 65,535 parts, beyond what sheetops can rewrite safely.")
    start = out.tell()
    for info, offset in entries:
        name = _encoded_name(info)
        time, date = _dos_time(info.date_time)
        out.write(
            _CENTRAL.pack(
                _CENTRAL_SIG,
                info.create_version,
                info.create_system,
                info.extract_version,
                0,
                info.flag_bits,
                info.compress_type,
                time,
                date,
                info.CRC,
                info.compress_size,
                info.file_size,
                len(name),
                0,
                len(info.comment),
                0,
                info.internal_attr,
                info.external_attr,
                offset,
            )
            + name
            + info.comment
        )
    size = out.tell() - start
    _check_limits(size, start)
    out.write(_END.pack(_END_SIG, 0, 0, len(entries), len(entries), size, start, len(comment)) + comment)


def relative_target(source_part: str, target_part: str) -> str:
    """The Target a relationship of ``source_part`` uses to point at ``target_part``."""
    return posixpath.relpath(target_part, posixpath.dirname(source_part) or ".")


def rels_part_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")
