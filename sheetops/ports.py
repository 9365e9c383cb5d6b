"""The seam between the pure core and the places a workbook lives. No I/O here.

The engine is handed a :class:`Backend`: it reads everything once with
:meth:`Backend.read`, computes, and hands every change back at once to
:meth:`Backend.write`. ``init`` is :meth:`Backend.provision`. The adapters (.xlsx file,
Google Sheets, live Excel, memory) live in :mod:`sheetops.backends` and are found by
name in its registry (:mod:`sheetops.backends.registry`); the highlight rules every
adapter follows are planned once, in :mod:`sheetops.sync.marks`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from sheetops.layout import Cell, TabLayout, WorkbookLayout
from sheetops.workbook import WorkbookData

# The hidden tab where a backend keeps the record of the highlights it made.
STATE_TAB = "sheetops_state"


@dataclass(frozen=True)
class Highlight:
    """A cell sheetops marks: a light red fill and a note that explains the breach."""

    tab: str  # the tab name as it is in the workbook
    row: int  # 0-based: row 0 is the header row
    col: int  # 0-based
    note: str


@dataclass(frozen=True)
class SyncWrite:
    """Everything one sync writes, applied all at once.

    ``tabs`` replace the contents of the tabs sheetops owns (the CMO Summary), creating
    them where missing. ``log_row`` is appended below the last row of the Sync Log (whose
    header is ``log_tab``; the backend creates it from that layout when missing), each
    cell under its column's header; ``log_header`` are the header cells an existing Sync
    Log lacks (one made by an older sheetops), by column, written into its first row.
    ``highlights`` is the whole set that should be visible after the write: the backend
    compares it with its own record (:func:`sheetops.sync.marks.plan_marks` says how),
    adds the new ones, updates changed notes, removes the ones no longer wanted
    (restoring the fill each cell had before) and never touches a fill or a note that a
    person made.
    """

    tabs: tuple[TabLayout, ...]
    log_tab: TabLayout
    log_row: tuple[Cell, ...]
    highlights: tuple[Highlight, ...]
    log_header: tuple[tuple[int, Cell], ...] = ()


@dataclass(frozen=True)
class ProvisionOptions:
    """What ``init`` is asked besides the layout; each backend uses the options it knows.

    ``force``: replace an existing file; ``title``, ``shares`` (``(email, role)``) and
    ``folder``: a new Google spreadsheet's title, who it is shared with and where it goes.
    """

    force: bool = False
    title: str = ""
    shares: tuple[tuple[str, str], ...] = ()
    folder: str | None = None


class Backend(Protocol):
    """A workbook sheetops can read and write."""

    @property
    def source(self) -> str:
        """The path or URL, for messages."""
        ...

    def lock(self) -> AbstractContextManager[None]:
        """Hold the workbook for one run: refuse if a person or another run has it open."""
        ...

    def read(self) -> WorkbookData:
        """Every tab's values, error values as :class:`~sheetops.values.CellError`."""
        ...

    def write(self, changes: SyncWrite) -> None:
        """Apply every change at once, or none of them (or, where the place cannot, so
        that the next sync repairs a write cut short; see docs/excel.md)."""
        ...

    def provision(self, layout: WorkbookLayout, options: ProvisionOptions) -> str:
        """Create the workbook ``layout`` describes (``sheetops init``); its path or URL."""
        ...
