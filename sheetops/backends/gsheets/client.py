"""Building an authorised, retrying gspread client for the Sheets and Drive APIs.

:func:`connect` resolves the credentials (:mod:`.auth`), makes a requests session that
adds the access token to every call (google-auth's ``AuthorizedSession``), points it at
``SHEETOPS_GOOGLE_API_URL`` when that is set, and wraps it in the retrying gspread HTTP
client (:mod:`.http`). ``adapters`` mounts extra requests transport adapters by URL
prefix on both the API session and the token session: the way to run against an
in-process emulator (see :mod:`sheetops.testing`). ``sleep`` and ``clock`` are what the
retries wait with and measure the budget by (tests pass a fake clock).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sheetops.backends.gsheets.auth import GoogleCredentials, Warn, resolve_credentials, warn_on_stderr
from sheetops.backends.gsheets.http import GoogleSettings, point_session_at, retrying_client_class

if TYPE_CHECKING:
    import requests
    from requests.adapters import BaseAdapter

SHEETS_URL = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE_FILES_URL = "https://www.googleapis.com/drive/v3/files"


@dataclass(frozen=True)
class Connection:
    """Credentials and the HTTP client that uses them."""

    credentials: GoogleCredentials
    client: Any  # a RetryingHTTPClient (a gspread HTTPClient)
    settings: GoogleSettings


def build_session(
    credentials: GoogleCredentials,
    settings: GoogleSettings,
    adapters: Mapping[str, BaseAdapter] | None = None,
) -> requests.Session:
    """A session that authorises every call, optionally sending it to ``settings.api_url``."""
    import requests
    from google.auth.transport.requests import AuthorizedSession, Request

    token_session = requests.Session()
    for prefix, adapter in (adapters or {}).items():
        token_session.mount(prefix, adapter)
    authorized: Any = AuthorizedSession
    session: requests.Session = authorized(credentials.credentials, auth_request=Request(token_session))
    for prefix, adapter in (adapters or {}).items():
        session.mount(prefix, adapter)
    if settings.api_url:
        point_session_at(session, settings.api_url)
        point_session_at(token_session, settings.api_url)
    return session


def connect(
    credentials: str | os.PathLike[str] | GoogleCredentials | None = None,
    *,
    settings: GoogleSettings | None = None,
    adapters: Mapping[str, BaseAdapter] | None = None,
    warn: Warn = warn_on_stderr,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Connection:
    """Credentials resolved in the documented order, and a retrying client over them."""
    settings = settings or GoogleSettings.from_env()
    resolved = (
        credentials
        if isinstance(credentials, GoogleCredentials)
        else resolve_credentials(credentials, warn=warn)
    )
    session = build_session(resolved, settings, adapters)
    client = retrying_client_class()(None, session, settings=settings, sleep=sleep, clock=clock)
    return Connection(resolved, client, settings)
