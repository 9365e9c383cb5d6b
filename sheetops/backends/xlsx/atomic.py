"""Replacing a workbook file atomically: the old file or the new one, never half of either.

The new package is written to a temporary file in the same folder (so the rename stays
on one file system), given the original's owner, group and permissions, fsynced, then
renamed over the original with :func:`os.replace`, and the folder is fsynced so the
rename itself survives a power cut. Any failure removes the temporary file and leaves the
original as it was.

Just before the rename the file must still be the one the sync read (compare and swap on
its :class:`Stamp`), checked under a byte-range lock on the workbook that every sync
takes for that moment, so that of two syncs that read the same version only one replaces
it. The caller passes the path of the file itself, never of a symbolic link to it.

A run killed with SIGKILL (or a power cut) cannot clean up after itself: it may leave a
temporary file named ``.~sheetops.<workbook name>.<random>.tmp`` beside the workbook.
The next run removes such files while it holds the workbook's lock
(:func:`remove_stale_temp_files`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from sheetops.errors import BackendError, WorkbookLockedError

TEMP_SUFFIX = ".tmp"
# The byte sheetops locks in the workbook while it checks and replaces it: far beyond the
# end of any workbook it accepts (packages over 4 GB are refused), so that no reader is
# kept from the file's data even where byte-range locks are mandatory (SMB).
GUARD_BYTE = 1 << 40
GUARD_WAIT = 10.0  # seconds: another sync holds the guard for a moment only


class Stamp(NamedTuple):
    """What changes when a file is saved again or replaced: its identity, size and time."""

    device: int
    inode: int
    size: int
    mtime_ns: int


def stamp_of(info: os.stat_result) -> Stamp:
    return Stamp(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def file_stamp(path: Path) -> Stamp | None:
    """The file's :class:`Stamp`, or None if it cannot be looked at."""
    try:
        return stamp_of(os.stat(path))
    except OSError:
        return None


def written_meanwhile(path: Path) -> WorkbookLockedError:
    """The refusal of a write over a workbook that changed since this sync read it."""
    return WorkbookLockedError(
        f"{path}: someone else wrote the workbook while this sync ran (a person saved it, or a sync "
        "ran on another computer), so this sync's figures would miss their changes. Nothing was written; "
        "run the sync again so that it uses the new version."
    )


def temp_prefix(path: Path) -> str:
    """The start of the name of a temporary file written for ``path``."""
    return f".~sheetops.{path.name}."


def replace_atomically(
    path: Path, write: Callable[[BinaryIO], None], *, expected: Stamp | None = None
) -> Stamp:
    """Write a new version of ``path`` with ``write`` and swap it in atomically.

    ``expected``: the stamp of the file as it was read. Just before the swap, under a lock
    on the workbook itself that every sync takes for this moment (:func:`_guard`), the
    file must still have it; otherwise the swap is refused with nothing changed
    (:func:`written_meanwhile`). Returns the stamp of the new file.
    """
    try:
        original = os.stat(path)
    except OSError as exc:
        raise BackendError(f"{path}: cannot read the workbook: {exc.strerror or exc}.") from exc
    try:
        fd, temp_name = tempfile.mkstemp(prefix=temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise BackendError(
            f"{path}: cannot write in the folder {path.parent} ({exc.strerror or exc}); "
            "check that the folder is writable. Nothing was changed."
        ) from exc
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            _copy_ownership(out.fileno(), temp, original)
            os.fsync(out.fileno())
            written = stamp_of(os.fstat(out.fileno()))  # a rename changes none of it
        with _guard(path) as current_stamp:
            # Nothing but an open and a stat stands between the check and the rename.
            if expected is not None and current_stamp() != expected:
                raise written_meanwhile(path)
            os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):
            raise BackendError(
                f"{path}: cannot save the workbook ({exc.strerror or exc}); "
                "check the free disk space and permissions. Nothing was changed."
            ) from exc
        raise
    _fsync_folder(path.parent)
    return written


@contextlib.contextmanager
def _guard(path: Path) -> Iterator[Callable[[], Stamp | None]]:
    """Hold a lock on one byte of the workbook (:data:`GUARD_BYTE`) while it is checked and
    replaced; give the function that reads its current stamp.

    Every sync takes it, whoever runs it: two syncs that each hold their own user's lock
    (two people on one machine, or two machines on a shared folder whose file system
    passes byte-range locks on, as NFS and SMB do) cannot both check the old file and then
    both replace it. A sync that opened the old file waits for the other's moment, then
    finds the file replaced. Where the file system has no such locks, the check and the
    rename still follow each other directly.

    The stamp is read by opening the path afresh (an NFS client asks the server again on
    open, where a plain stat may answer from its cache), and every file opened here stays
    open until the rename is done: closing any descriptor of a file drops the process's
    POSIX locks on it.
    """
    opened: list[int] = []

    def current_stamp() -> Stamp | None:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return None
        opened.append(fd)
        return stamp_of(os.fstat(fd))

    try:
        _lock_guard_byte(path, opened)
        yield current_stamp
    finally:
        for fd in opened:
            os.close(fd)  # the first one holds the lock: it goes with it


def _lock_guard_byte(path: Path, opened: list[int]) -> None:
    """Lock :data:`GUARD_BYTE` of the workbook, waiting up to :data:`GUARD_WAIT` seconds."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the check alone
        return
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
    except OSError:  # the check that follows still stands
        return
    opened.append(fd)
    deadline = time.monotonic() + GUARD_WAIT
    while True:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, GUARD_BYTE)
            return
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                return  # no byte-range locks on this file system (ENOLCK, EOPNOTSUPP...)
            if time.monotonic() > deadline:
                raise WorkbookLockedError(
                    f"{path}: another program kept the workbook locked for {GUARD_WAIT:.0f} seconds while "
                    "this sync was about to save it. Nothing was written; run the sync again."
                ) from None
            time.sleep(0.002)


def _copy_ownership(fd: int, temp: Path, original: os.stat_result) -> None:
    """The owner and group of the original where allowed, then its permission bits.

    Only root may give a file to another user; a person who may write a file they do not
    own (through its group or others' permissions) becomes the new file's owner, and the
    group is kept when they belong to it.
    """
    if hasattr(os, "fchown"):
        current = os.fstat(fd)
        if (current.st_uid, current.st_gid) != (original.st_uid, original.st_gid):
            try:
                os.fchown(fd, original.st_uid, original.st_gid)
            except OSError:
                with contextlib.suppress(OSError):
                    os.fchown(fd, -1, original.st_gid)
    os.chmod(fd if os.chmod in os.supports_fd else temp, stat.S_IMODE(original.st_mode))


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some file systems cannot fsync a folder
            os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Remove temporary files that a killed run left beside ``path``; return them.

    Call it only while holding the workbook's lock, so no running sync owns them.
    """
    prefix = temp_prefix(path)
    removed = []
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return []
    for entry in entries:
        if entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX):
            with contextlib.suppress(OSError):
                entry.unlink()
                removed.append(entry)
    return removed
