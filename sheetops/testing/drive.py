"""The Drive v3 side of the emulator: files and permissions.

Files are metadata only (no media upload); a file whose ``mimeType`` is
``application/vnd.google-apps.spreadsheet`` is backed by an emulated spreadsheet with the
same id, whose title is the file name.  Supported: ``files.create`` (with ``parents``),
``files.get``, ``files.list`` (``q`` with ``mimeType``, ``name``, ``'id' in parents``,
``trashed``, joined by ``and``/``or``/``not`` and parentheses; ``orderBy``; paging),
``files.update`` (name, description, starred, trashed, addParents/removeParents),
``files.copy``, ``files.delete``, ``files.export`` (``text/csv``,
``text/tab-separated-values``), ``comments.list`` (always empty), and
``permissions.create/list/get/update/delete``.

Access is modelled: a caller sees a file it owns or that is shared with it (its e-mail, its
domain, or ``anyone``); it may write with role ``writer`` or above.
"""

from __future__ import annotations

import copy
import csv
import io
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError

__all__ = ["DriveFile", "DriveQueryError", "FOLDER_MIME", "ROLE_RANK", "SPREADSHEET_MIME", "match_query"]

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
FOLDER_MIME = "application/vnd.google-apps.folder"

#: How much each role may do (a higher rank includes the lower ones).
ROLE_RANK: dict[str, int] = {
    "reader": 1,
    "commenter": 2,
    "writer": 3,
    "fileOrganizer": 4,
    "organizer": 5,
    "owner": 6,
}


_SEQUENCE = itertools.count(1)


@dataclass
class DriveFile:
    """The metadata of one Drive file."""

    id: str
    name: str
    mime_type: str
    owner: str
    parents: list[str]
    created_time: str
    modified_time: str
    description: str | None = None
    starred: bool = False
    trashed: bool = False
    properties: dict[str, str] = field(default_factory=dict)
    app_properties: dict[str, str] = field(default_factory=dict)
    permissions: list[dict[str, Any]] = field(default_factory=list)
    #: creation order, to sort files whose times are equal (to the millisecond)
    seq: int = field(default_factory=lambda: next(_SEQUENCE))

    def role_of(self, email: str) -> int:
        """The rank of the best role ``email`` holds on the file (0 for none)."""
        best = 0
        domain = email.rpartition("@")[2].lower()
        for perm in self.permissions:
            kind = perm.get("type")
            if (
                (kind in ("user", "group") and str(perm.get("emailAddress", "")).lower() == email.lower())
                or kind == "anyone"
                or (kind == "domain" and str(perm.get("domain", "")).lower() == domain)
            ):
                best = max(best, ROLE_RANK.get(str(perm.get("role")), 0))
        return best

    def resource(self) -> dict[str, Any]:
        """The full File resource."""
        out: dict[str, Any] = {
            "kind": "drive#file",
            "id": self.id,
            "name": self.name,
            "mimeType": self.mime_type,
            "starred": self.starred,
            "trashed": self.trashed,
            "explicitlyTrashed": self.trashed,
            "parents": list(self.parents),
            "webViewLink": (
                f"https://docs.google.com/spreadsheets/d/{self.id}/edit?usp=drivesdk"
                if self.mime_type == SPREADSHEET_MIME
                else f"https://drive.google.com/file/d/{self.id}/view?usp=drivesdk"
            ),
            "createdTime": self.created_time,
            "modifiedTime": self.modified_time,
            "owners": [
                {
                    "kind": "drive#user",
                    "displayName": self.owner.partition("@")[0],
                    "me": True,
                    "permissionId": _owner_permission_id(self),
                    "emailAddress": self.owner,
                }
            ],
            "ownedByMe": True,
            "shared": len(self.permissions) > 1,
            "permissionIds": [p["id"] for p in self.permissions],
            "permissions": [permission_resource(p) for p in self.permissions],
            "version": "1",
        }
        if self.description is not None:
            out["description"] = self.description
        if self.properties:
            out["properties"] = dict(self.properties)
        if self.app_properties:
            out["appProperties"] = dict(self.app_properties)
        return out


def _owner_permission_id(f: DriveFile) -> str:
    owner = next((p for p in f.permissions if p.get("role") == "owner"), None)
    return str(owner["id"]) if owner else ""


def permission_resource(perm: dict[str, Any]) -> dict[str, Any]:
    """The full Permission resource."""
    out: dict[str, Any] = {"kind": "drive#permission", "id": perm["id"], "type": perm["type"]}
    for key in ("emailAddress", "domain", "role", "displayName", "allowFileDiscovery", "expirationTime"):
        if key in perm:
            out[key] = perm[key]
    out["deleted"] = False
    out["pendingOwner"] = False
    return out


DEFAULT_FILE_FIELDS = ("kind", "id", "name", "mimeType")
DEFAULT_PERMISSION_FIELDS = ("kind", "id", "type", "role")


# ------------------------------------------------------------------------ queries


class DriveQueryError(ValueError):
    """The ``q`` of files.list is not something the emulator understands."""


_Q_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<op>!=|<=|>=|=|<|>|\(|\))
    | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)


def _tokens(q: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    q = q.strip()
    while pos < len(q):
        m = _Q_TOKEN.match(q, pos)
        if not m or m.end() == pos:
            raise DriveQueryError(q)
        kind = m.lastgroup or ""
        text = m.group(kind)
        if kind == "str":
            text = re.sub(r"\\(.)", r"\1", text[1:-1])
        out.append((kind, text))
        pos = m.end()
    return out


def match_query(q: str, f: DriveFile) -> bool:
    """Whether ``f`` matches the files.list query ``q``."""
    tokens = _tokens(q)
    pos = 0

    def peek() -> tuple[str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal pos
        if pos >= len(tokens):
            raise DriveQueryError(q)
        pos += 1
        return tokens[pos - 1]

    def word(tok: tuple[str, str] | None, text: str) -> bool:
        return tok is not None and tok[0] == "word" and tok[1].lower() == text

    def expr() -> bool:
        value = conj()
        while word(peek(), "or"):
            take()
            rhs = conj()
            value = value or rhs
        return value

    def conj() -> bool:
        value = unary()
        while word(peek(), "and"):
            take()
            rhs = unary()
            value = value and rhs
        return value

    def unary() -> bool:
        if word(peek(), "not"):
            take()
            return not unary()
        if peek() == ("op", "("):
            take()
            value = expr()
            if take() != ("op", ")"):
                raise DriveQueryError(q)
            return value
        return term()

    def term() -> bool:
        first = take()
        if first[0] == "str":
            if not word(take(), "in"):
                raise DriveQueryError(q)
            target = take()
            if target[0] != "word" or target[1] not in ("parents", "owners", "writers", "readers"):
                raise DriveQueryError(q)
            if target[1] == "parents":
                return first[1] in f.parents or (first[1] == "root" and "root" in f.parents)
            if target[1] == "owners":
                return first[1].lower() == f.owner.lower()
            rank = f.role_of(first[1])
            return rank >= (ROLE_RANK["writer"] if target[1] == "writers" else ROLE_RANK["reader"])
        if first[0] != "word":
            raise DriveQueryError(q)
        fname = first[1]
        op = take()
        if op[0] == "word" and op[1].lower() == "contains":
            value = take()
            if value[0] != "str":
                raise DriveQueryError(q)
            if fname == "name":
                return f.name.lower().startswith(value[1].lower()) or value[1].lower() in f.name.lower()
            if fname == "fullText":
                return value[1].lower() in (f.name + " " + (f.description or "")).lower()
            if fname == "mimeType":
                return value[1] in f.mime_type
            raise DriveQueryError(q)
        if op[0] != "op" or op[1] not in ("=", "!="):
            raise DriveQueryError(q)
        value = take()
        if fname in ("trashed", "starred"):
            if value[0] != "word" or value[1].lower() not in ("true", "false"):
                raise DriveQueryError(q)
            actual = f.trashed if fname == "trashed" else f.starred
            result = actual == (value[1].lower() == "true")
        elif fname in ("name", "mimeType"):
            if value[0] != "str":
                raise DriveQueryError(q)
            result = (f.name if fname == "name" else f.mime_type) == value[1]
        else:
            raise DriveQueryError(q)
        return result if op[1] == "=" else not result

    result = expr()
    if pos != len(tokens):
        raise DriveQueryError(q)
    return result


def export_delimited(rows: list[list[str]], delimiter: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    text = buf.getvalue()
    if text.endswith("\r\n"):
        text = text[:-2]
    return text.encode("utf-8")


def drive_not_found(file_id: str) -> ApiError:
    return ApiError(
        404,
        f"File not found: {file_id}.",
        drive_reason="notFound",
        drive_location="fileId",
        drive_location_type="parameter",
    )


def drive_error(code: int, message: str, reason: str, location: str | None = None) -> ApiError:
    return ApiError(code, message, drive_reason=reason, drive_location=location)


def clone_file(f: DriveFile) -> DriveFile:
    return copy.deepcopy(f)
