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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sheetops.backends.xlsx.atomic import Stamp, file_stamp, remove_stale_temp_files, written_meanwhile
from sheetops.backends.xlsx.package import PartCache, check_not_locked, open_package
from sheetops.errors import BackendError, WorkbookError, WorkbookLockedError
from sheetops.layout import WorkbookLayout
from sheetops.ports import STATE_TAB, ProvisionOptions, SyncWrite
from sheetops.values import CellValue
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


def resolve_link(path: Path) -> Path:
    """The file ``path`` names, through any symbolic links (a chain, relative ones), once.

    A sync reads, locks and replaces the file itself, so a link stays a link and the
    workbook it points to is the one that changes. A link that leads nowhere is kept as
    given, and refused as a missing file.
    """
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a loop of links
        return path


def check_may_replace(path: Path) -> None:
    """Refuse, before anything is written, a file the user could not write in place.

    Replacing a file takes only the right to write in its folder; saving it takes the
    right to write the file. A sync needs the second, as Excel does: replacing a file
    someone else owns and keeps to themselves (say 0644) would make it the syncing
    user's and change who may edit it. The test is the operating system's own, for the
    effective user and groups (ACLs included): root may write any file that has a write
    permission for someone, and keeps its owner, group and mode when it replaces it.
    """
    info = path.stat()
    if not info.st_mode & 0o222:
        # Excel will not save over a read-only file either: someone made it so on purpose.
        raise WorkbookError(
            f"{path}: the file is read-only, so sheetops leaves it as it is. Make it writable "
            "(or sync a copy) and run sheetops again; `--dry-run` shows the results without writing. "
            "Nothing was changed."
        )
    if os.name == "posix" and not os.access(path, os.W_OK, effective_ids=os.access in os.supports_effective_ids):
        raise WorkbookError(
            f"{path}: you may not change this file: it belongs to {_user_name(info.st_uid)} and its permissions "
            "do not let you write it, so sheetops leaves it as it is (saving it anyway would make it yours and "
            "change who may edit it). Ask its owner to let you write it, or sync a copy of it; `--dry-run` "
            "shows the results without writing. Nothing was changed."
        )


def _user_name(uid: int) -> str:
    try:
        import pwd

        return f"the user {pwd.getpwuid(uid).pw_name}"
    except (ImportError, KeyError):
        return f"the user with id {uid}"


@contextmanager
def held_against_other_syncs(path: Path, lock_path: Path) -> Iterator[None]:
    """Hold the OS file lock of the workbook at ``path`` (``lock_path``, in the user's private
    lock folder) for the run, or refuse at once when another sync holds it."""
    from filelock import FileLock, Timeout

    _private_folder(lock_path.parent)
    guard = FileLock(str(lock_path), timeout=0, mode=0o600)
    try:
        guard.acquire()
    except Timeout:
        raise WorkbookLockedError(
            f"{path}: another sheetops sync is running on this workbook; "
            "wait for it to finish, then run sheetops again. Nothing was changed."
        ) from None
    except OSError as exc:
        raise BackendError(
            f"{path}: cannot lock the workbook ({exc.strerror or exc}) with the lock file {lock_path}. "
            "Nothing was changed."
        ) from exc
    try:
        yield
    finally:
        guard.release()


class XlsxBackend:
    """A workbook in a local .xlsx (or .xlsm) file.

    ``path`` is kept as given for what is said about the workbook; the file itself is
    found once, through any symbolic links (:func:`resolve_link`), and is what is read,
    locked and replaced.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = resolve_link(path)
        self._read_stamp: Stamp | None = None
        self._read_parts: PartCache | None = None
        self._recorded: Sequence[Sequence[CellValue]] | None = None

    @property
    def source(self) -> str:
        return str(self.path)

    @property
    def lock_path(self) -> Path:
        """The file that holds a sync's lock (see :func:`lock_file`)."""
        return lock_file(self.file)

    def _check_not_open(self) -> None:
        """Excel's or LibreOffice's lock file beside the workbook, or beside the link to it."""
        check_not_locked(self.file)
        if self.path.absolute() != self.file:
            check_not_locked(self.path)

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
        if not self.file.exists() or self.file.is_dir():
            open_package(self.file).close()  # raises the error that says what the path is
        self._check_not_open()
        with held_against_other_syncs(self.path, self.lock_path):
            remove_stale_temp_files(self.file)
            yield

    def read(self) -> WorkbookData:
        from sheetops.backends.xlsx.reader import read_workbook

        self._read_stamp = file_stamp(self.file)  # before the file is opened
        # The parts the read decompresses are kept for the write that follows (a sheet of
        # 100k rows is 25 MB of XML that would otherwise be decompressed again).
        self._read_parts = PartCache()
        data = read_workbook(self.file, self._read_parts)
        # the record of the marks, for the write (which would otherwise parse its part again)
        self._recorded = next((s.rows for s in data.sheets if s.name.casefold() == STATE_TAB.casefold()), None)
        return data

    def write(self, changes: SyncWrite) -> None:
        """Apply a sync; refused when the file was saved again since :meth:`read` (by a
        person, or a sync on another machine): the sync's figures would not include their
        changes. The file is checked here, and again just before it is replaced."""
        from sheetops.backends.xlsx.patcher import apply_sync_write
        from sheetops.backends.xlsx.repack import SourceChanged

        known, self._read_parts = self._read_parts, None
        recorded, self._recorded = self._recorded, None
        self._check_not_open()
        check_may_replace(self.file)
        now = file_stamp(self.file)
        if self._read_stamp is not None and now != self._read_stamp:
            raise written_meanwhile(self.path)
        # Without a read (a write on its own), the file as it is now is what it changes.
        try:
            written = apply_sync_write(self.file, changes, known, expected=self._read_stamp or now,
                                       recorded=recorded if self._read_stamp is not None else None)
        except SourceChanged:  # replaced while its parts were being copied
            raise written_meanwhile(self.path) from None
        if written is not None and self._read_stamp is not None:
            self._read_stamp = written

    def provision(self, layout: WorkbookLayout, options: ProvisionOptions) -> str:
        """Write a new workbook at the path (``sheetops init``): refused where a file is,
        unless ``options.force``."""
        from sheetops.backends.xlsx.writer import create_workbook

        create_workbook(self.path, layout, force=options.force)
        return str(self.path)
