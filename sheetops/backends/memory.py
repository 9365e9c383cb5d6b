"""A workbook held in memory: the smallest backend, for tests and for embedding sheetops.

It is handed a :class:`~sheetops.workbook.WorkbookData`, returns it from :meth:`read`, and
records every :class:`~sheetops.backends.SyncWrite` it is given. It also applies the
values of a write to its data (the owned tabs replaced, the log row appended), so that a
second sync reads what the first one wrote, as it would from a file. Fills and notes
have no place in ``WorkbookData``; the recorded writes hold the highlights.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sheetops.errors import BackendError, WorkbookLockedError
from sheetops.layout import TabLayout, WorkbookLayout
from sheetops.ports import ProvisionOptions, SyncWrite
from sheetops.values import CellValue
from sheetops.workbook import Sheet, WorkbookData


class MemoryBackend:
    """A backend over values in memory. ``writes`` lists what each sync wrote, in order."""

    def __init__(self, data: WorkbookData) -> None:
        self.data = data
        self.writes: list[SyncWrite] = []
        self.reads = 0
        self._held = False

    @property
    def source(self) -> str:
        return self.data.source

    @contextmanager
    def lock(self) -> Iterator[None]:
        if self._held:
            raise WorkbookLockedError(f"{self.source}: another sheetops sync is running on this workbook.")
        self._held = True
        try:
            yield
        finally:
            self._held = False

    def read(self) -> WorkbookData:
        self.reads += 1
        return self.data

    def provision(self, layout: WorkbookLayout, options: ProvisionOptions) -> str:
        """Hold the values of a new workbook (``init``): each tab of ``layout``."""
        self.data = WorkbookData(self.source, tuple(Sheet(t.name, _values(t), t.hidden) for t in layout.tabs))
        return self.source

    def write(self, changes: SyncWrite) -> None:
        if not self._held:
            raise BackendError(f"{self.source}: a write outside the lock; hold backend.lock() for the whole run.")
        self.writes.append(changes)
        sheets = list(self.data.sheets)
        for tab in changes.tabs:
            _put(sheets, Sheet(tab.name, _values(tab), tab.hidden))
        log = next((s for s in sheets if s.name == changes.log_tab.name), None)
        header = _values(changes.log_tab)
        rows = [list(r) for r in log.rows] if log is not None and log.rows else header
        for col, cell in changes.log_header:
            rows[0].extend([None] * (col + 1 - len(rows[0])))
            rows[0][col] = cell.value
        rows.append([c.value for c in changes.log_row])
        _put(sheets, Sheet(changes.log_tab.name, rows))
        self.data = WorkbookData(self.data.source, tuple(sheets))


def _values(tab: TabLayout) -> list[list[CellValue]]:
    return [[cell.value for cell in row] for row in tab.rows]


def _put(sheets: list[Sheet], sheet: Sheet) -> None:
    for index, existing in enumerate(sheets):
        if existing.name == sheet.name:
            sheets[index] = sheet
            return
    sheets.append(sheet)
