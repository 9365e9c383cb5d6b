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
from sheetops.backends.xlsx.atomic import remove_stale_temp_files
from sheetops.backends.xlsx.package import check_not_locked
from sheetops.errors import BackendError, WorkbookLockedError
from sheetops.workbook import WorkbookData


class XlsxBackend:
    """A workbook in a local .xlsx (or .xlsm) file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def source(self) -> str:
        return str(self.path)

    @property
    def lock_path(self) -> Path:
        """The file that holds a sync's lock: hidden, beside the workbook, left in place."""
        return self.path.with_name(f".~sheetops.{self.path.name}.lock")

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Refuse a workbook open in Excel or LibreOffice; hold it against a second sync.

        A second sync of the same workbook is refused at once rather than queued: the
        first one's result would be overwritten by a run that read the workbook before
        it. The lock is an OS file lock (``filelock``), released by the OS even when a
        run is killed. The lock file itself stays beside the workbook: deleting it on
        release would let a waiting run and a new one each lock a different file.
        While it holds the lock, a run removes the temporary files a killed run left.
        """
        from filelock import FileLock, Timeout

        check_not_locked(self.path)
        guard = FileLock(str(self.lock_path), timeout=0)
        try:
            guard.acquire()
        except Timeout:
            raise WorkbookLockedError(
                f"{self.path}: another sheetops sync is running on this workbook; "
                "wait for it to finish, then run sheetops again. Nothing was changed."
            ) from None
        except OSError as exc:
            raise BackendError(
                f"{self.path}: cannot lock the workbook ({exc.strerror or exc}); sheetops needs to write "
                f"in the folder {self.path.parent}. Nothing was changed."
            ) from exc
        try:
            remove_stale_temp_files(self.path)
            yield
        finally:
            guard.release()

    def read(self) -> WorkbookData:
        from sheetops.backends.xlsx.reader import read_workbook

        return read_workbook(self.path)

    def write(self, changes: SyncWrite) -> None:
        from sheetops.backends.xlsx.patcher import apply_sync_write

        check_not_locked(self.path)
        apply_sync_write(self.path, changes)
