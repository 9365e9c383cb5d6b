"""Opening an .xlsx package safely: refuse what cannot be used before touching anything.

An .xlsx file is a ZIP package of XML parts. This module checks that a path is such a
package (not missing, not an old .xls, not encrypted, not damaged, no part bigger than
:class:`PackageLimits` allows), unpacks parts as a stream with their real size checked
(:func:`unpack`), maps tab names to their sheet parts through the relationships, and finds
lock files that say someone has the workbook open. It never writes.
"""

from __future__ import annotations

import contextlib
import posixpath
import struct
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from sheetops.backends.xlsx import deflate
from sheetops.backends.xlsx import xmlbytes as xb
from sheetops.errors import WorkbookError, WorkbookLockedError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_MAIN_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
NS_REL_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships"
XLSX_SUFFIXES = (".xlsx", ".xlsm")
REPAIR = "open it in Excel, which may repair it, or restore it from a backup or version history"
# What a person is told about the files that are not an .xlsx workbook (no format jargon).
GIVE_XLSX = "give the path of an .xlsx file (Excel workbook)"
TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
ONE_TABLE = ("this is a CSV file: it holds one table, not a workbook with tabs. sheetops needs the whole workbook "
             "saved as .xlsx (Excel workbook); make one with `sheetops init marketing.xlsx` if you have none.")
OLD_EXCEL = ("this workbook is in the old Excel format (.xls, Excel 97-2003); open it in Excel or LibreOffice and "
             "save it as .xlsx (Excel workbook).")
OPEN_DOCUMENT = ("this is an OpenDocument spreadsheet (.ods), not an Excel workbook; open it in LibreOffice and "
                 "save it as Excel 2007-365 (.xlsx), or in Excel as Excel Workbook (.xlsx).")


@dataclass(frozen=True)
class PackageLimits:
    """How big a workbook's parts may be when unpacked; docs/xlsx.md ("Limits") says why.

    A part is refused before it is unpacked when the file's directory gives it a size
    beyond ``part``, or beyond ``ratio`` times its packed size (for parts over
    ``ratio_from``), or all parts together beyond ``total``. The directory can lie, so
    :func:`unpack` also stops a part as soon as it unpacks to more than the directory
    said. ``run`` bounds the bytes between one ``<`` and the next in the XML that is read
    (one cell's text, one tag, or blank space between tags), which is what an XML
    reader holds at once: a cell holds at most 32,767 characters, at most about 330 KB
    even when every character is written as a character reference. ``area`` bounds a tab's
    used area, its last row times its last column: a reader builds the whole rectangle, so
    two values far apart (A1 and BXY100001) in a 5 KB file would ask for 200 million cells.
    """

    part: int = 1_000_000_000
    total: int = 2_000_000_000
    ratio: int = 100
    ratio_from: int = 50_000_000
    run: int = 4_000_000
    area: int = 50_000_000


LIMITS = PackageLimits()


class PartSource(Protocol):
    """Where parts are read from: an open package, or a package being changed."""

    def namelist(self) -> list[str]: ...

    def read(self, name: str) -> bytes: ...


@dataclass(frozen=True)
class SheetPart:
    """A tab of the workbook and the package part that holds it."""

    name: str
    part: str  # e.g. "xl/worksheets/sheet3.xml"
    state: str  # "visible", "hidden" or "veryHidden"
    sheet_id: int
    rel_id: str


class PartCache:
    """Parts of a package as one read unpacked and checked them, for a write soon after.

    Each part is kept with what the package's central directory says of it (checksum,
    sizes, offset, compression); :meth:`take` gives it back only while a package being
    read lists the part exactly so, and otherwise the part is read from the file afresh.
    Parts the read checked but did not keep (beyond its budget) are remembered as checked:
    :meth:`checked` tells the write it may unpack them in one go, into a buffer of the
    size the directory gives, without holding the part twice.
    """

    def __init__(self) -> None:
        self._parts: dict[str, tuple[tuple[int, int, int, int, int], bytes]] = {}
        self._checked: dict[str, tuple[int, int, int, int, int]] = {}

    def add(self, info: zipfile.ZipInfo, data: bytes) -> None:
        self._parts[info.filename] = (_listed_as(info), data)

    def add_checked(self, info: zipfile.ZipInfo) -> None:
        self._checked[info.filename] = _listed_as(info)

    def take(self, info: zipfile.ZipInfo) -> bytes | None:
        """The part's bytes, if kept and listed the same way; forgotten here either way."""
        found = self._parts.pop(info.filename, None)
        if found is None or found[0] != _listed_as(info):
            return None
        return found[1]

    def checked(self, info: zipfile.ZipInfo) -> bool:
        """Whether the read checked this part (its real size and checksum), listed the same way."""
        return self._checked.get(info.filename) == _listed_as(info)


def _listed_as(info: zipfile.ZipInfo) -> tuple[int, int, int, int, int]:
    return info.CRC, info.file_size, info.compress_size, info.header_offset, info.compress_type


def check_not_locked(path: Path) -> None:
    """Refuse a workbook that Excel or LibreOffice has open (their lock files exist)."""
    for lock in (path.with_name(f"~${path.name}"), path.with_name(f".~lock.{path.name}#")):
        if lock.exists():
            program = "Excel" if lock.name.startswith("~$") else "LibreOffice"
            if program == "Excel" and sys.platform in ("win32", "darwin"):
                raise WorkbookLockedError(
                    f"{path}: the workbook is open in Excel (lock file {lock.name}); sync it there with "
                    f"`sheetops sync {path} --excel` (you keep working and see the marks appear), or close it "
                    "and run sheetops again. Nothing was changed."
                )
            raise WorkbookLockedError(
                f"{path}: the workbook is open in {program} (lock file {lock.name}); "
                "close it there and run sheetops again. Nothing was changed."
            )


def open_package(path: Path, *, verify: bool = True, limits: PackageLimits = LIMITS) -> zipfile.ZipFile:
    """Open the file as an .xlsx package or raise a WorkbookError that says why not.

    Parts the file's directory says are too big (see :class:`PackageLimits`) are refused
    here, before anything is unpacked. ``verify`` checks every part's checksum, which
    means decompressing them all; a caller that opens a file already verified (and
    unchanged since) may skip it.
    """
    if not path.exists():
        raise WorkbookError(f"{path}: no such file. Check the path, or create one with `sheetops init {path}`.")
    if path.is_dir():
        raise WorkbookError(f"{path}: this is a folder, not a workbook file; give the path of an .xlsx file "
                            "(Excel workbook).")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise WorkbookError(f"{path}: cannot read the file: {exc.strerror or exc}.") from exc
    if not head:
        raise WorkbookError(
            f"{path}: the file is empty (0 bytes); restore it from a backup or make a new one with "
            f"`sheetops init {path} --force`."
        )
    if head.startswith(OLE_MAGIC):
        if _is_encrypted_ole(path):
            raise WorkbookError(
                f"{path}: the workbook is password-protected (encrypted). "
                "Remove the password in Excel (File > Info > Protect Workbook) and try again."
            )
        raise WorkbookError(f"{path}: {OLD_EXCEL}")
    if not head.startswith(b"PK"):
        if path.suffix.lower() in TABLE_SUFFIXES:
            raise WorkbookError(f"{path}: {ONE_TABLE}")
        raise WorkbookError(
            f"{path}: not an Excel workbook (the file holds {'text' if _looks_like_text(head) else 'something else'}); "
            f"{GIVE_XLSX}, or open this one in your spreadsheet program and save it as .xlsx (Excel workbook)."
        )
    try:
        package = zipfile.ZipFile(path)
    except Exception as exc:  # zipfile's errors are jargon: said in words
        raise WorkbookError(f"{path}: the workbook is damaged (it cannot be opened as an .xlsx file); {REPAIR}.") \
            from exc
    try:
        check_sizes(path, package, limits)
        bad = package.testzip() if verify else None
    except WorkbookError:
        package.close()
        raise
    except Exception as exc:  # zlib.error from testzip, and the like: said in words
        package.close()
        raise WorkbookError(f"{path}: the workbook is damaged (it cannot be opened as an .xlsx file); {REPAIR}.") \
            from exc
    if bad is not None:
        package.close()
        raise WorkbookError(f"{path}: the workbook is damaged (some of its data is corrupt: {bad}); {REPAIR}.")
    names = set(package.namelist())
    if "xl/workbook.xml" not in names:
        package.close()
        raise WorkbookError(f"{path}: {_what_else(names, path)}")
    return package


def check_sizes(path: Path, package: zipfile.ZipFile, limits: PackageLimits = LIMITS) -> None:
    """Refuse parts that the file's directory says unpack beyond ``limits``, before any is
    unpacked; and a directory whose parts overlap (several names for the same packed data,
    a way to unpack far more than the file could hold)."""
    infos = package.infolist()
    packed = sum(info.compress_size for info in infos)
    if packed > path.stat().st_size:
        raise WorkbookError(f"{path}: the workbook is damaged (its table of contents lists more data than the file "
                            f"holds); {REPAIR}.")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.part:
            raise WorkbookError(
                f"{path}: {_part_named(package, info.filename)} unpacks to {_size(info.file_size)}, beyond the "
                f"{_size(limits.part)} sheetops reads in one part (Excel's 1,048,576 rows of 20 columns of "
                f"numbers are about 900 MB); {TOO_BIG}."
            )
        if info.file_size > limits.ratio_from and ratio > limits.ratio:
            raise WorkbookError(
                f"{path}: {_part_named(package, info.filename)} unpacks to {_size(info.file_size)} from "
                f"{_size(info.compress_size)}, {ratio:,.0f} times its size in the file; sheetops reads parts of "
                f"up to {limits.ratio} times (real tabs: 5 to 30 times), so that a small file cannot fill the "
                f"memory; the workbook is damaged or not a real workbook: {REPAIR}."
            )
    total = sum(info.file_size for info in infos)
    if total > limits.total:
        raise WorkbookError(
            f"{path}: the workbook unpacks to {_size(total)}, beyond the {_size(limits.total)} sheetops reads; "
            f"{TOO_BIG}."
        )


TOO_BIG = ("remove data it no longer needs (old rows, tabs no one uses), or split it into several workbooks, "
           "and run sheetops again")


def _size(n: int) -> str:
    """A size as people read it: 3.0 GB, 750 MB, 12 KB (decimal units, like file managers)."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= scale:
            value = n / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:,.0f} {unit}"
    return f"{n} bytes"


def _part_named(package: zipfile.ZipFile, part: str) -> str:
    """``the tab 'Daily' (xl/worksheets/sheet5.xml)`` when the part is a tab's, else the part's name."""
    listed = {info.filename: info.file_size for info in package.infolist()}
    small = 1 << 20  # the workbook's list of tabs is read only when it is small
    if part.startswith("xl/") and listed.get("xl/workbook.xml", small + 1) <= small \
            and listed.get("xl/_rels/workbook.xml.rels", small + 1) <= small:
        with contextlib.suppress(Exception):
            for sheet in sheet_parts(package):
                if sheet.part == part:
                    return f"the tab {sheet.name!r} ({part})"
    return f"the part {part}"


_LOCAL_HEADER = 30
_OUT_CHUNK = 1 << 20


def unpack(path: Path, source: BinaryIO, package: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's bytes, unpacked as a stream of pieces of at most about 1 MB.

    Stops, with a WorkbookError, as soon as the part unpacks to more than the file's
    directory gives for it (which :func:`check_sizes` has held to the limits), and checks
    that its data ends where it should and matches its checksum. python-calamine unpacks
    parts itself and trusts the data rather than the directory, so a part must pass here
    before calamine reads it.
    """
    damaged = f"{path}: the workbook is damaged (some of its data is corrupt: {info.filename}); {REPAIR}."
    crc, size = 0, 0
    for piece in _inflate(source, package, info, damaged):
        size += len(piece)
        if size > info.file_size:
            raise WorkbookError(
                f"{path}: {_part_named(package, info.filename)} unpacks to more than the {_size(info.file_size)} "
                f"the file's table of contents gives for it, so sheetops stopped reading it; the workbook is "
                f"damaged: {REPAIR}."
            )
        crc = deflate.crc32(piece, crc)
        yield piece
    if size != info.file_size or crc != info.CRC:
        raise WorkbookError(damaged)


def _inflate(source: BinaryIO, package: zipfile.ZipFile, info: zipfile.ZipInfo, damaged: str) -> Iterator[bytes]:
    if info.flag_bits & 0x01:
        raise WorkbookError(damaged.replace("corrupt", "encrypted"))
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        # not what Excel writes; zipfile stops at the size the directory gives
        try:
            with package.open(info) as stream:
                while piece := stream.read(_OUT_CHUNK):
                    yield piece
        except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, RuntimeError, ValueError) as exc:
            raise WorkbookError(damaged) from exc
        return
    source.seek(info.header_offset)
    header = source.read(_LOCAL_HEADER)
    if len(header) != _LOCAL_HEADER or header[:4] != b"PK\x03\x04":
        raise WorkbookError(damaged)
    name_length, extra_length = struct.unpack("<2H", header[26:30])
    source.seek(info.header_offset + _LOCAL_HEADER + name_length + extra_length)
    remaining = info.compress_size
    if info.compress_type == zipfile.ZIP_STORED:
        while remaining:
            piece = source.read(min(remaining, _OUT_CHUNK))
            if not piece:
                raise WorkbookError(damaged)
            remaining -= len(piece)
            yield piece
        return
    inflater = deflate.decompressor()
    try:
        while not inflater.eof:
            data = inflater.unconsumed_tail
            if not data and remaining:
                data = source.read(min(remaining, _OUT_CHUNK))
                if not data:
                    raise WorkbookError(damaged)
                remaining -= len(data)
            # at most 1 MB out of each call, however well the input is packed (ISA-L may
            # hold output back with no input left: it comes out of the next calls)
            piece = inflater.decompress(data, _OUT_CHUNK)
            if piece:
                yield piece
            elif not data:
                raise WorkbookError(damaged)  # the data ends before the part does
    except deflate.ERRORS as exc:
        raise WorkbookError(damaged) from exc


def _looks_like_text(head: bytes) -> bool:
    return all(b in b"\t\r\n" or 32 <= b < 127 or b >= 128 for b in head)


def _what_else(names: set[str], path: Path) -> str:
    """What a packed file without a workbook is, and what to do with it, in words."""
    with contextlib.suppress(OSError, KeyError, zipfile.BadZipFile), zipfile.ZipFile(path) as package:
        if package.read("mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            return OPEN_DOCUMENT
    if any(name.startswith("word/") for name in names):
        return f"this is a Word document, not an Excel workbook; {GIVE_XLSX}."
    if any(name.startswith("ppt/") for name in names):
        return f"this is a PowerPoint presentation, not an Excel workbook; {GIVE_XLSX}."
    if "xl/workbook.bin" in names:
        return "this is an Excel binary workbook (.xlsb); open it in Excel and save it as .xlsx (Excel workbook)."
    if "content.xml" in names:
        return OPEN_DOCUMENT
    return f"not an Excel workbook, though it is packed like one; {GIVE_XLSX}."
    return package


def _is_encrypted_ole(path: Path) -> bool:
    """Encrypted .xlsx files are OLE containers holding an 'EncryptedPackage' stream."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data


# Strict Open XML names the same elements in other namespaces; a tab is a tab in either.
_SHEET_NAMES = (xb.expanded(NS_MAIN, "sheet"), xb.expanded(NS_MAIN_STRICT, "sheet"))
_REL_ID_NAMES = (xb.expanded(NS_REL, "id"), xb.expanded(NS_REL_STRICT, "id"))


def read_rels(package: PartSource, part: str) -> dict[str, tuple[str, str]]:
    """The relationships of a part: rel id -> (type, absolute target part)."""
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels_part not in package.namelist():
        return {}
    rels = {}
    for node in _parsed(rels_part, package.read(rels_part), xb.expanded(NS_PKG_REL, "Relationship")):
        attrs = node.attrs
        target = attrs.get("Target", "")
        if attrs.get("TargetMode") == "External":
            absolute = target
        elif target.startswith("/"):
            absolute = target.lstrip("/")
        else:
            absolute = posixpath.normpath(posixpath.join(folder, target))
        rels[attrs.get("Id", "")] = (attrs.get("Type", ""), absolute)
    return rels


def sheet_parts(package: PartSource) -> list[SheetPart]:
    """Every tab in tab order, resolved to its part through the workbook's relationships."""
    rels = read_rels(package, "xl/workbook.xml")
    sheets = []
    for node in _parsed("xl/workbook.xml", package.read("xl/workbook.xml"), *_SHEET_NAMES):
        attrs = node.attrs
        rel_id = next((attrs[k] for k in _REL_ID_NAMES if k in attrs), "")
        target = rels.get(rel_id, ("", ""))[1]
        sheets.append(
            SheetPart(
                name=attrs.get("name", ""),
                part=target,
                state=attrs.get("state", "visible"),
                sheet_id=int(attrs.get("sheetId", "0") or 0),
                rel_id=rel_id,
            )
        )
    return sheets


def uses_1904_dates(package: PartSource) -> bool:
    """Whether the workbook counts dates from 1904 (``<workbookPr date1904="1"/>``, Mac Excel)."""
    names = [xb.expanded(ns, "workbookPr") for ns in (NS_MAIN, NS_MAIN_STRICT)]
    found = _parsed("xl/workbook.xml", package.read("xl/workbook.xml"), *names)
    return bool(found) and found[0].attrs.get("date1904", "").strip() in ("1", "true")


def _parsed(part: str, xml: bytes, *names: str) -> list[xb.Node]:
    """The elements of a part named so, read as an XML parser reads them (any quotes,
    any prefixes, entity references); a part that is not XML is a damaged workbook."""
    try:
        return xb.find_elements(xml, names)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WorkbookError(f"the workbook is damaged ({part} is not well-formed XML: {exc}); {REPAIR}.") from exc
