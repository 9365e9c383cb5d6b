"""Opening an .xlsx package safely: refuse what cannot be used before touching anything.

An .xlsx file is a ZIP package of XML parts. This module checks that a path is such a
package (not missing, not an old .xls, not encrypted, not damaged), maps tab names to
their sheet parts through the relationships, and finds lock files that say someone has
the workbook open. It never writes.
"""

from __future__ import annotations

import contextlib
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

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
    """Parts of a package as one read decompressed them, for a write soon after.

    Each part is kept with what the package's central directory says of it (checksum,
    sizes, offset, compression); :meth:`take` gives it back only while a package being
    read lists the part exactly so, and otherwise the part is read from the file afresh.
    """

    def __init__(self) -> None:
        self._parts: dict[str, tuple[tuple[int, int, int, int, int], bytes]] = {}

    def add(self, info: zipfile.ZipInfo, data: bytes) -> None:
        self._parts[info.filename] = (_listed_as(info), data)

    def take(self, info: zipfile.ZipInfo) -> bytes | None:
        """The part's bytes, if kept and listed the same way; forgotten here either way."""
        found = self._parts.pop(info.filename, None)
        if found is None or found[0] != _listed_as(info):
            return None
        return found[1]


def _listed_as(info: zipfile.ZipInfo) -> tuple[int, int, int, int, int]:
    return info.CRC, info.file_size, info.compress_size, info.header_offset, info.compress_type


def check_not_locked(path: Path) -> None:
    """Refuse a workbook that Excel or LibreOffice has open (their lock files exist)."""
    for lock in (path.with_name(f"~${path.name}"), path.with_name(f".~lock.{path.name}#")):
        if lock.exists():
            program = "Excel" if lock.name.startswith("~$") else "LibreOffice"
            raise WorkbookLockedError(
                f"{path}: the workbook is open in {program} (lock file {lock.name}); "
                "close it there and run sheetops again. Nothing was changed."
            )


def open_package(path: Path, *, verify: bool = True) -> zipfile.ZipFile:
    """Open the file as an .xlsx package or raise a WorkbookError that says why not.

    ``verify`` checks every part's checksum, which means decompressing them all; a caller
    that opens a file already verified (and unchanged since) may skip it.
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
        bad = package.testzip() if verify else None
    except Exception as exc:  # zipfile's errors, and zlib.error from testzip, are jargon: said in words
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
