"""Raw deflate streams for package parts: ISA-L where it is installed, zlib otherwise.

A sync of a big workbook unpacks its biggest tab at least once (the checks before
calamine reads it) and, when marks land there, deflates it again (a Daily tab of 100k
rows is about 25 MB of XML). python-isal (Intel's ISA-L) does both two to four times
faster than zlib, and its fastest level packs smaller than zlib's fastest. Both write and
read ordinary raw deflate streams, so a workbook written either way opens everywhere and
the two are interchangeable; without python-isal (a platform it has no wheel for,
Pyodide) zlib does the same work more slowly.

Only the big parts (written with ``fast=True``) go through ISA-L on the way out; small
parts keep zlib's level 6, whose output every test knows byte for byte.
"""

from __future__ import annotations

import importlib
import zlib
from types import ModuleType
from typing import Protocol, cast


def _load_isal() -> ModuleType | None:
    try:  # optional: a compiled wheel, not on every platform
        return importlib.import_module("isal.isal_zlib")
    except ImportError:  # pragma: no cover - exercised where python-isal is not installed
        return None


_isal = _load_isal()


class Compressor(Protocol):
    def compress(self, data: bytes | bytearray | memoryview, /) -> bytes: ...

    def flush(self, mode: int = ..., /) -> bytes: ...


class Decompressor(Protocol):
    @property
    def unconsumed_tail(self) -> bytes: ...

    @property
    def eof(self) -> bool: ...

    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...


# What either library raises for a damaged stream (ISA-L's error is not zlib's).
ERRORS: tuple[type[Exception], ...] = (zlib.error,) if _isal is None else (
    zlib.error, cast(type[Exception], _isal.error))
FINISH, SYNC_FLUSH = zlib.Z_FINISH, zlib.Z_SYNC_FLUSH
_RAW = -zlib.MAX_WBITS


def compressor(*, fast: bool, zdict: bytes = b"") -> Compressor:
    """A raw deflate compressor: ``fast`` for big parts (ISA-L's level 1, else zlib's
    level 1), zlib's level 6 otherwise; ``zdict``: the 32 KB the stream refers back to."""
    if fast and _isal is not None:
        if zdict:
            return cast(Compressor, _isal.compressobj(1, _isal.DEFLATED, _RAW, zdict=zdict))
        return cast(Compressor, _isal.compressobj(1, _isal.DEFLATED, _RAW))
    level = 1 if fast else 6
    if zdict:
        return zlib.compressobj(level, zlib.DEFLATED, _RAW, zdict=zdict)
    return zlib.compressobj(level, zlib.DEFLATED, _RAW)


def decompressor() -> Decompressor:
    """A raw deflate decompressor (ISA-L's where installed: about twice zlib's speed)."""
    if _isal is not None:
        return cast(Decompressor, _isal.decompressobj(_RAW))
    return zlib.decompressobj(_RAW)


def inflate(data: bytes, size: int) -> bytes:
    """A whole raw deflate stream unpacked in one go into a buffer of ``size`` bytes."""
    if _isal is not None:
        return cast(bytes, _isal.decompress(data, _RAW, max(size, 1)))
    return zlib.decompress(data, _RAW, max(size, 1))


def crc32(data: bytes | bytearray | memoryview, value: int = 0) -> int:
    """The CRC-32 a ZIP entry records (ISA-L's is several times faster than zlib's)."""
    if _isal is not None:
        return cast(int, _isal.crc32(data, value))
    return zlib.crc32(data, value)
