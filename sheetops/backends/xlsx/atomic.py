"""Replacing a workbook file atomically: the old file or the new one, never half of either.

The new package is written to a temporary file in the same folder (so the rename stays
on one file system), flushed and fsynced, given the original's permissions, then renamed
over the original with :func:`os.replace`, and the folder is fsynced so the rename itself
survives a power cut. Any failure removes the temporary file and leaves the original as
it was.

A run killed with SIGKILL (or a power cut) cannot clean up after itself: it may leave a
temporary file named ``.~sheetops.<workbook name>.<random>.tmp`` beside the workbook.
The next run removes such files while it holds the workbook's lock
(:func:`remove_stale_temp_files`).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from sheetops.errors import BackendError

TEMP_SUFFIX = ".tmp"


def temp_prefix(path: Path) -> str:
    """The start of the name of a temporary file written for ``path``."""
    return f".~sheetops.{path.name}."


def replace_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write a new version of ``path`` with ``write`` and swap it in atomically."""
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
            os.fsync(out.fileno())
        _copy_ownership(temp, original)
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


def _copy_ownership(temp: Path, original: os.stat_result) -> None:
    """The permission bits (and, where allowed, the owner and group) of the original."""
    os.chmod(temp, stat.S_IMODE(original.st_mode))
    if hasattr(os, "chown"):
        current = os.stat(temp)
        if (current.st_uid, current.st_gid) != (original.st_uid, original.st_gid):
            with contextlib.suppress(OSError):  # only root may give a file away
                os.chown(temp, original.st_uid, original.st_gid)


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
