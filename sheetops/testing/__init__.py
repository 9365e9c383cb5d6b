"""Test helpers for sheetops: a local emulator of the Google Sheets v4 and Drive v3 APIs.

Nothing in ``sheetops`` imports this package; it needs the test/gsheets extra
dependencies (``requests``, ``google-auth``, ``google-api-python-client`` for the
discovery documents, and ``gspread`` for :meth:`Emulator.gspread_client`).

In-process, on a gspread client (or any ``requests`` session)::

    from sheetops.testing import Emulator
    emulator = Emulator()
    client = emulator.gspread_client()
    spreadsheet = client.create("Plan")

As a loopback HTTP server::

    from sheetops.testing import serve
    server = serve(port=8765)               # server.base_url == "http://127.0.0.1:8765"
    server.write_service_account_key("key.json")

See docs/emulator.md.
"""

from __future__ import annotations

from .batch import SUPPORTED_REQUESTS
from .discovery import DiscoveryUnavailable
from .emulator import (
    DEFAULT_OWNER,
    Emulator,
    EmulatorAdapter,
    EmulatorResponse,
    EmulatorServer,
    Fault,
    RedirectAdapter,
    RequestRecord,
    mount_base_url,
    running,
    serve,
)
from .errors import ApiError
from .keys import service_account_info, write_service_account_key

__all__ = [
    "DEFAULT_OWNER",
    "SUPPORTED_REQUESTS",
    "ApiError",
    "DiscoveryUnavailable",
    "Emulator",
    "EmulatorAdapter",
    "EmulatorResponse",
    "EmulatorServer",
    "Fault",
    "RedirectAdapter",
    "RequestRecord",
    "mount_base_url",
    "running",
    "serve",
    "service_account_info",
    "write_service_account_key",
]
