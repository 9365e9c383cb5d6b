"""The local .xlsx backend: the default, no account and no network.

Reading goes through python-calamine (:mod:`.reader`). Writing a new workbook (init)
goes through XlsxWriter (:mod:`.writer`). A sync changes an existing workbook by
rewriting only the package parts sheetops owns and copying every other part byte for
byte, then replacing the file atomically (:mod:`.patcher`).

Nothing but the new workbook is ever left in the workbook's folder: the lock that keeps
two syncs apart lives in a private folder of the user's (:func:`lock_file`), and the
only file a sync writes beside the workbook is the temporary one it swaps in.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sheetops.backends import SyncWrite
from sheetops.backends.xlsx.atomic import remove_stale_temp_files
from sheetops.backends.xlsx.package import PartCache, check_not_locked, open_package
from sheetops.errors import BackendError, WorkbookError, WorkbookLockedError
from sheetops.workbook import WorkbookData

LOCK_FOLDER = "sheetops-locks"


def lock_folder() -> Path:
    """The user's private folder for sheetops' lock files.

    ``$XDG_RUNTIME_DIR/sheetops-locks`` where the session has a runtime folder (Linux),
    else ``sheetops-locks-<uid>`` in the temporary folder (which is per user on macOS
    and Windows already; the uid keeps users apart in a shared ``/tmp``).
    """
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime) and os.path.isdir(runtime):
        return Path(runtime) / LOCK_FOLDER
    uid = f"-{os.getuid()}" if hasattr(os, "getuid") else ""
    return Path(tempfile.gettempdir()) / f"{LOCK_FOLDER}{uid}"


def lock_file(workbook: Path) -> Path:
    """The lock file of a workbook: named after its resolved path, in :func:`lock_folder`."""
    resolved = os.path.normcase(str(workbook.resolve()))
    return lock_folder() / f"{hashlib.sha256(resolved.encode('utf-8')).hexdigest()}.lock"


def _private_folder(folder: Path) -> None:
    """Create ``folder`` readable by its owner only, and check that it is the user's own."""
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
        if stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) & 0o077 and os.name == "posix":
            os.chmod(folder, 0o700)
    except OSError as exc:
        raise BackendError(
            f"cannot create the folder {folder} where sheetops keeps its lock files ({exc.strerror or exc}). "
            "Nothing was changed."
        ) from exc
    owner_ok = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    if not stat.S_ISDIR(info.st_mode) or not owner_ok:
        raise BackendError(
            f"{folder} is where sheetops keeps its lock files, but it is not a folder of yours; "
            "remove it and run sheetops again. Nothing was changed."
        )


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes when the file is saved: its inode, size and modification time."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


class XlsxBackend:
    """A workbook in a local .xlsx (or .xlsm) file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._read_stamp: tuple[int, int, int] | None = None
        self._read_parts: PartCache | None = None

    @property
    def source(self) -> str:
        return str(self.path)

    @property
    def lock_path(self) -> Path:
        """The file that holds a sync's lock (see :func:`lock_file`)."""
        return lock_file(self.path)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Refuse a workbook open in Excel or LibreOffice; hold it against a second sync.

        A second sync of the same workbook is refused at once rather than queued: the
        first one's result would be overwritten by a run that read the workbook before
        it. The lock is an OS file lock (``filelock``) on a file in the user's private
        lock folder, never beside the workbook; the OS releases it even when a run is
        killed. The lock file stays in place after the run: deleting it on release would
        let a waiting run and a new one each lock a different file. While it holds the
        lock, a run removes the temporary files a killed run left beside the workbook.
        """
        from filelock import FileLock, Timeout

        if not self.path.exists() or self.path.is_dir():
            open_package(self.path).close()  # raises the error that says what the path is
        check_not_locked(self.path)
        lock_path = self.lock_path
        _private_folder(lock_path.parent)
        guard = FileLock(str(lock_path), timeout=0, mode=0o600)
        try:
            guard.acquire()
        except Timeout:
            raise WorkbookLockedError(
                f"{self.path}: another sheetops sync is running on this workbook; "
                "wait for it to finish, then run sheetops again. Nothing was changed."
            ) from None
        except OSError as exc:
            raise BackendError(
                f"{self.path}: cannot lock the workbook ({exc.strerror or exc}) with the lock file {lock_path}. "
                "Nothing was changed."
            ) from exc
        try:
            remove_stale_temp_files(self.path)
            yield
        finally:
            guard.release()

    def read(self) -> WorkbookData:
        from sheetops.backends.xlsx.reader import read_workbook

        self._read_stamp = _stamp(self.path)
        # The parts the read decompresses are kept for the write that follows (a sheet of
        # 100k rows is 25 MB of XML that would otherwise be decompressed again).
        self._read_parts = PartCache()
        return read_workbook(self.path, self._read_parts)

    def write(self, changes: SyncWrite) -> None:
        """Apply a sync; refused when the file was saved again since :meth:`read` (by a
        person on another machine, say): the sync's figures would not include their changes."""
        from sheetops.backends.xlsx.patcher import apply_sync_write

        known, self._read_parts = self._read_parts, None
        check_not_locked(self.path)
        if not self.path.stat().st_mode & 0o222:
            # Excel will not save over a read-only file either: someone made it so on purpose.
            raise WorkbookError(
                f"{self.path}: the file is read-only, so sheetops leaves it as it is. Make it writable "
                "(or sync a copy) and run sheetops again; `--dry-run` shows the results without writing. "
                "Nothing was changed."
            )
        if self._read_stamp is not None and _stamp(self.path) != self._read_stamp:
            raise WorkbookLockedError(
                f"{self.path}: the workbook was saved again while sheetops was working on it; "
                "run sheetops again so that it uses the new version. Nothing was changed."
            )
        apply_sync_write(self.path, changes, known)
        self._read_stamp = _stamp(self.path) if self._read_stamp is not None else None
