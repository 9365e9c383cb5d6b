"""sheetops: the weekly marketing ritual inside the spreadsheet a team already uses.

The library API is in :mod:`sheetops.api` (``provision``, ``check``, ``sync``), also
reachable from here. Nothing heavy is imported until it is used, so that the command
line starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "check", "provision", "sync"]

if TYPE_CHECKING:
    from sheetops.api import check, provision, sync


def __getattr__(name: str) -> Any:
    if name in ("check", "provision", "sync"):
        from sheetops import api

        return getattr(api, name)
    raise AttributeError(f"module 'sheetops' has no attribute {name!r}")
