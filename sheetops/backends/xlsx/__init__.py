"""The local .xlsx backend: the default, no account and no network.

Reading goes through python-calamine (:mod:`.reader`). Writing a new workbook (init)
goes through XlsxWriter (:mod:`.writer`). A sync changes an existing workbook by
rewriting only the package parts sheetops owns and copying every other part byte for
byte, then replacing the file atomically (:mod:`.patcher`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sheetops.backends import SyncWrite
from sheetops.backends.xlsx.package import check_not_locked
from sheetops.errors import WorkbookLockedError
from sheetops.workbook import WorkbookData


class XlsxBackend:
    """A workbook in a local .xlsx (or .xlsm) file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def source(self) -> str:
        return str(self.path)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Refuse a workbook open in Excel or LibreOffice; hold it against a second sync."""
        from filelock import FileLock, Timeout

        check_not_locked(self.path)
        guard = FileLock(str(self.path.with_name(f".~sheetops.{self.path.name}.lock")), timeout=0)
        try:
            guard.acquire()
        except Timeout:
            raise WorkbookLockedError(
                f"{self.path}: another sheetops sync is running on this workbook; wait for it to finish."
            ) from None
        try:
            yield
        finally:
            guard.release()
            Path(guard.lock_file).unlink(missing_ok=True)

    def read(self) -> WorkbookData:
        from sheetops.backends.xlsx.reader import read_workbook

        return read_workbook(self.path)

    def write(self, changes: SyncWrite) -> None:
        from sheetops.backends.xlsx.patcher import apply_sync_write

        check_not_locked(self.path)
        apply_sync_write(self.path, changes)
