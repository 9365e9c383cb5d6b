"""Backends: where a workbook lives. One narrow seam, several adapters.

The seam itself (:class:`~sheetops.ports.Backend`, :class:`~sheetops.ports.SyncWrite`,
:class:`~sheetops.ports.Highlight`) belongs to the core, in :mod:`sheetops.ports`, and
is re-exported here (on first use: the CLI imports :mod:`.registry` at start). The
adapters are chosen by name in one place, :mod:`sheetops.backends.registry`, which the
API and the CLI both use. Vendor libraries are imported inside the adapters only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["STATE_TAB", "Backend", "Highlight", "ProvisionOptions", "SyncWrite"]

if TYPE_CHECKING:
    from sheetops.ports import STATE_TAB, Backend, Highlight, ProvisionOptions, SyncWrite
else:

    def __getattr__(name: str) -> Any:
        if name in __all__:
            from sheetops import ports

            return getattr(ports, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
