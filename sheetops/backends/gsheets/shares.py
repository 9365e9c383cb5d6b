"""``--share EMAIL[:reader|writer]``: who else gets the new spreadsheet. Pure."""

from __future__ import annotations

from sheetops.errors import WorkbookError

ROLES = ("reader", "writer")


def parse_share(text: str) -> tuple[str, str]:
    """``name@example.com`` or ``name@example.com:reader`` -> (address, role); writer by default."""
    address, _, role = text.strip().partition(":")
    address, role = address.strip(), (role.strip().lower() or "writer")
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise WorkbookError(
            f"--share {text!r}: give an e-mail address, e.g. anna@example.com or anna@example.com:reader."
        )
    if role not in ROLES:
        raise WorkbookError(f"--share {text!r}: the role must be reader or writer, e.g. {address}:reader.")
    return address, role
