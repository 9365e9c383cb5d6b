"""An in-process emulator of the Google Sheets API v4 and the Drive v3 calls sheetops makes.

The :class:`Emulator` holds the state (spreadsheets, Drive files, issued tokens, injected
faults, a request log) and answers HTTP requests given as ``(method, url, headers,
body)``.  Two transports put it on the wire:

* :class:`EmulatorAdapter`, a ``requests`` transport adapter.  Mounted on a session it
  answers at Google's real addresses (``https://sheets.googleapis.com/v4/...``,
  ``https://www.googleapis.com/drive/v3/...``, ``https://oauth2.googleapis.com/token``),
  so an unmodified gspread client talks to it::

      emulator = Emulator()
      client = emulator.gspread_client()          # or, by hand:
      client = gspread.Client(auth=emulator.credentials())
      emulator.mount(client.http_client.session)

* :func:`serve` / :meth:`Emulator.serve`, a loopback HTTP server (``ThreadingHTTPServer``)
  answering at ``http://127.0.0.1:PORT/v4/...``, ``/drive/v3/...`` and ``/token``.

Every request body and query is checked against the discovery documents that
google-api-python-client ships (see :mod:`sheetops.testing.discovery`); errors come back
in Google's envelopes.  Requests need a Bearer token issued by the emulator (through its
OAuth token endpoint, which accepts the JWT-bearer grant of a service-account key, or
:meth:`Emulator.issue_token`).  A per-minute quota answers ``429 RESOURCE_EXHAUSTED``,
and tests can script faults (:meth:`Emulator.inject`, :meth:`Emulator.inject_timeout`).
"""

from __future__ import annotations

import base64
import binascii
import collections
import contextlib
import copy
import io
import json
import secrets
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from random import Random
from typing import TYPE_CHECKING, Any, Literal

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict

from . import values_api
from .batch import SUPPORTED_REQUESTS, apply_batch_update, metadata_matches
from .discovery import API_PREFIX, Route, Router, SchemaValidator, validate_query
from .drive import (
    DEFAULT_FILE_FIELDS,
    DEFAULT_PERMISSION_FIELDS,
    FOLDER_MIME,
    ROLE_RANK,
    SPREADSHEET_MIME,
    DriveFile,
    DriveQueryError,
    drive_error,
    drive_not_found,
    export_delimited,
    match_query,
    permission_resource,
)
from .errors import ApiError, FieldViolation
from .fieldmask import Mask, MaskSyntaxError, filter_fields, parse_mask, validate_mask
from .model import Sheet, Spreadsheet, _now, new_spreadsheet_id
from .values_api import read_cell

if TYPE_CHECKING:  # pragma: no cover
    import gspread
    from google.oauth2.credentials import Credentials

__all__ = [
    "DEFAULT_OWNER",
    "Emulator",
    "EmulatorAdapter",
    "EmulatorResponse",
    "EmulatorServer",
    "Fault",
    "GOOGLE_HOSTS",
    "RedirectAdapter",
    "RequestRecord",
    "mount_base_url",
    "serve",
]

#: The identity files belong to when the caller did not authenticate as someone else.
DEFAULT_OWNER = "owner@sheetops-emulator.invalid"
#: The hosts the adapter answers for.
GOOGLE_HOSTS = ("sheets.googleapis.com", "www.googleapis.com", "oauth2.googleapis.com", "script.googleapis.com")
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
FOREIGN_OWNER = "someone-else@sheetops-emulator.invalid"

_AUTH_HELP = (
    "Expected OAuth 2 access token, login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
_DEFAULT_FAULT_MESSAGES: dict[int, str] = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    408: "Request timed out.",
    409: "The operation was aborted.",
    429: "Resource has been exhausted (e.g. check quota).",
    500: "Internal error encountered.",
    502: "Bad Gateway",
    503: "The service is currently unavailable.",
    504: "The request timed out. Please try again.",
}
#: Where a request body is bound in the request message (Google prefixes error paths with it).
_BODY_ROOT: dict[str, str] = {
    "sheets.spreadsheets.values.update": "data",
    "sheets.spreadsheets.values.append": "data",
    "sheets.spreadsheets.create": "spreadsheet",
}
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_READ_ONLY_SHEETS_POSTS = {
    "sheets.spreadsheets.getByDataFilter",
    "sheets.spreadsheets.developerMetadata.search",
    "sheets.spreadsheets.values.batchGetByDataFilter",
}


# ------------------------------------------------------------------------ records


@dataclass(frozen=True)
class RequestRecord:
    """One request the emulator received, for tests to count calls and bytes."""

    method: str
    url: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    status: int
    operation: str | None
    api: str
    response_size: int
    timestamp: float
    identity: str | None
    fault: str | None = None

    @property
    def body_size(self) -> int:
        """The size of the request body in bytes."""
        return len(self.body)

    def json(self) -> Any:
        """The request body decoded as JSON (None when empty)."""
        return json.loads(self.body) if self.body else None


@dataclass
class Fault:
    """A scripted answer, consumed by the next ``times`` matching requests."""

    status: int | None
    times: int | None
    match: str | Callable[[str, str], bool] | None
    body: dict[str, Any] | None = None
    retry_after: float | None = None
    message: str | None = None
    timeout: bool = False
    delay: float = 0.0
    mode: Literal["sleep", "close"] = "sleep"
    after_apply: bool = False
    hits: int = 0

    def matches(self, operation: str, method: str, path: str) -> bool:
        if self.match is None:
            return True
        if callable(self.match):
            return self.match(operation, f"{method} {path}")
        return self.match in operation or self.match in f"{method} {path}"

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times


@dataclass
class EmulatorResponse:
    """What the emulator answers, before a transport puts it on the wire."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    timeout: Fault | None = None

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class _Token:
    subject: str
    expires_at: float
    scopes: str = ""


@dataclass
class _Call:
    """One routed API call."""

    api: str
    route: Route
    path_params: dict[str, str]
    params: dict[str, Any]
    body: Any
    identity: str


def _jsonable(value: Any) -> Any:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return value
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _json_bytes(payload: Any) -> bytes:
    # compact: json's C encoder only runs without indent, and big grids must be quick
    return json.dumps(_jsonable(payload), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


# ----------------------------------------------------------------------- emulator


class Emulator:
    """The emulated Sheets + Drive service (thread-safe; one lock around the state).

    :param quota_per_minute: Sheets API requests accepted per rolling minute (all callers
        together) before ``429 RESOURCE_EXHAUSTED``; ``None`` for no limit.
    :param clock: monotonic seconds, used for the quota window and token expiry (tests
        pass a fake clock to move time forward).
    :param seed: seed of the id generator, for reproducible ids.
    :param owner_email: the identity of tokens from :meth:`issue_token` by default.
    :param accept_any_token: accept any Bearer token (as ``owner_email``) instead of only
        the tokens the emulator issued.
    """

    def __init__(
        self,
        *,
        quota_per_minute: int | None = 300,
        clock: Callable[[], float] = time.monotonic,
        seed: int | None = None,
        owner_email: str = DEFAULT_OWNER,
        accept_any_token: bool = False,
    ) -> None:
        self.quota_per_minute = quota_per_minute
        self.clock = clock
        self.owner_email = owner_email
        self.accept_any_token = accept_any_token
        self.rng = Random(seed)
        self.router = Router()
        self.validators: dict[str, SchemaValidator] = {
            "sheets": SchemaValidator("sheets"),
            "drive": SchemaValidator("drive"),
            "script": SchemaValidator("script"),
        }
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.files: dict[str, DriveFile] = {}
        self.script_projects: dict[str, dict[str, Any]] = {}  # Apps Script API: scriptId -> project and files
        self._tokens: dict[str, _Token] = {}
        self._public_keys: dict[str, Any] = {}
        self._faults: list[Fault] = []
        self._log: list[RequestRecord] = []
        self._window: collections.deque[float] = collections.deque()
        self.root_folder_id = "0A" + "".join(
            self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(17)
        )
        self._default_token: str | None = None

    # -- tokens ---------------------------------------------------------------

    def issue_token(self, subject: str | None = None, expires_in: int = 3600, scopes: str = "") -> str:
        """Issue an access token for ``subject`` (default: the owner), valid ``expires_in`` s."""
        token = "ya29.emulator-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = _Token(subject or self.owner_email, self.clock() + expires_in, scopes)
        return token

    def revoke_token(self, token: str) -> None:
        """Forget ``token``: requests with it get 401."""
        with self._lock:
            self._tokens.pop(token, None)

    def credentials(self, subject: str | None = None) -> Credentials:
        """google-auth credentials holding a fresh token (no refresh needed for an hour)."""
        from google.oauth2.credentials import Credentials

        return Credentials(token=self.issue_token(subject))  # type: ignore[no-untyped-call]

    def register_public_key(self, client_email: str, public_key: Any) -> None:
        """Verify the signature of JWT grants from ``client_email`` with ``public_key``."""
        with self._lock:
            self._public_keys[client_email] = public_key

    def write_service_account_key(self, path: str | Path, *, token_uri: str, client_email: str | None = None) -> Path:
        """Write a fake service-account key file whose ``token_uri`` is ``token_uri``.

        The key's public half is registered, so the token endpoint checks the signature of
        the grants made with it.
        """
        from .keys import write_service_account_key

        target, info = write_service_account_key(path, token_uri=token_uri, client_email=client_email)
        from cryptography.hazmat.primitives import serialization

        private = serialization.load_pem_private_key(info["private_key"].encode(), password=None)
        self.register_public_key(info["client_email"], private.public_key())
        return target

    # -- transports -----------------------------------------------------------

    def adapter(self) -> EmulatorAdapter:
        """A ``requests`` transport adapter answering from this emulator."""
        return EmulatorAdapter(self)

    def mount(self, session: requests.Session) -> requests.Session:
        """Route the Google API hosts of ``session`` (Sheets, Drive, OAuth) to the emulator.

        With a google-auth ``AuthorizedSession`` the token-refresh session is mounted too,
        so service-account credentials whose ``token_uri`` is Google's refresh here.
        """
        adapter = self.adapter()
        for host in GOOGLE_HOSTS:
            session.mount(f"https://{host}/", adapter)
        auth_session = getattr(session, "_auth_request_session", None)
        if isinstance(auth_session, requests.Session):
            for host in GOOGLE_HOSTS:
                auth_session.mount(f"https://{host}/", adapter)
        return session

    def gspread_client(self, subject: str | None = None, http_client: Any = None) -> gspread.Client:
        """A real, unmodified ``gspread.Client`` whose session talks to this emulator."""
        import gspread

        kwargs: dict[str, Any] = {}
        if http_client is not None:
            kwargs["http_client"] = http_client
        client = gspread.Client(auth=self.credentials(subject), **kwargs)
        self.mount(client.http_client.session)
        return client

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> EmulatorServer:
        """Start a loopback HTTP server for this emulator in a background thread."""
        return EmulatorServer(self, host, port)

    # -- faults ---------------------------------------------------------------

    def inject(
        self,
        status: int = 503,
        *,
        times: int | None = 1,
        match: str | Callable[[str, str], bool] | None = None,
        body: dict[str, Any] | None = None,
        retry_after: float | None = None,
        message: str | None = None,
    ) -> Fault:
        """Answer the next ``times`` matching requests with ``status`` (None: forever).

        ``match`` is a substring of the operation (``sheets.spreadsheets.batchUpdate``,
        ``drive.files.create``) or of ``"METHOD /path"``, or a predicate
        ``(operation, "METHOD /path") -> bool``; None matches every request.  The body is
        Google's error envelope for the status unless ``body`` is given; ``retry_after``
        adds a ``Retry-After`` header.
        """
        fault = Fault(status, times, match, body=body, retry_after=retry_after, message=message)
        with self._lock:
            self._faults.append(fault)
        return fault

    def inject_timeout(
        self,
        *,
        times: int | None = 1,
        match: str | Callable[[str, str], bool] | None = None,
        delay: float = 5.0,
        mode: Literal["sleep", "close"] = "sleep",
        after_apply: bool = False,
    ) -> Fault:
        """Make the next ``times`` matching requests time out.

        Through the adapter the call raises ``requests.exceptions.ReadTimeout``.  Through
        the server, ``mode="sleep"`` waits ``delay`` seconds before answering (set the
        client's timeout below it) and ``mode="close"`` drops the connection without an
        answer.  With ``after_apply`` the request is carried out first and only its answer
        is lost, as when a write reaches the service but the reply does not come back.
        """
        fault = Fault(None, times, match, timeout=True, delay=delay, mode=mode, after_apply=after_apply)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # -- request log ----------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the request log, oldest first."""
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    def request_count(self, match: str | None = None) -> int:
        """How many requests were received (whose operation or path contains ``match``)."""
        return len(self.matching_requests(match))

    def bytes_received(self, match: str | None = None) -> int:
        """The total size of the request bodies received."""
        return sum(r.body_size for r in self.matching_requests(match))

    def matching_requests(self, match: str | None = None) -> list[RequestRecord]:
        return [
            r for r in self.requests if match is None or match in (r.operation or "") or match in f"{r.method} {r.path}"
        ]

    # -- direct state access (for tests) -------------------------------------

    def create_spreadsheet(
        self, title: str = "Untitled spreadsheet", owner: str | None = None, spreadsheet_id: str | None = None
    ) -> str:
        """Create a spreadsheet (as files.create would) and return its id."""
        with self._lock:
            ss = self._new_spreadsheet(
                title, owner or self.owner_email, [self.root_folder_id], spreadsheet_id=spreadsheet_id
            )
            return ss.id

    def add_foreign_spreadsheet(self, spreadsheet_id: str | None = None, title: str = "Private") -> str:
        """Create a spreadsheet owned by someone else and shared with nobody (403 to others)."""
        with self._lock:
            ss = self._new_spreadsheet(title, FOREIGN_OWNER, [], spreadsheet_id=spreadsheet_id)
            return ss.id

    def spreadsheet(self, spreadsheet_id: str) -> Spreadsheet:
        """The state object of a spreadsheet (KeyError if absent)."""
        return self.spreadsheets[spreadsheet_id]

    def spreadsheet_json(self, spreadsheet_id: str, include_grid_data: bool = False) -> dict[str, Any]:
        """The spreadsheet as ``spreadsheets.get`` would answer it."""
        with self._lock:
            result: dict[str, Any] = _jsonable(
                self.spreadsheets[spreadsheet_id].to_json(include_grid_data=include_grid_data)
            )
            return result

    def values(self, spreadsheet_id: str, range_text: str, render: str = "FORMATTED_VALUE") -> list[list[Any]]:
        """The values of a range, as ``values.get`` would answer them."""
        with self._lock:
            vr = values_api.values_get(self.spreadsheets[spreadsheet_id], range_text, "ROWS", render, "SERIAL_NUMBER")
            result: list[list[Any]] = _jsonable(vr.get("values", []))
            return result

    def reset(self) -> None:
        """Forget every spreadsheet, file, fault and log entry (tokens stay valid)."""
        with self._lock:
            self.spreadsheets.clear()
            self.files.clear()
            self._faults.clear()
            self._log.clear()
            self._window.clear()

    # -- the HTTP entry point -------------------------------------------------

    def handle(
        self, method: str, url: str, headers: dict[str, str] | None = None, body: bytes | str | None = None
    ) -> EmulatorResponse:
        """Answer one HTTP request.  ``url`` may be absolute or a path."""
        method = method.upper()
        raw_body = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        hdrs = CaseInsensitiveDict(headers or {})
        parts = urllib.parse.urlsplit(url)
        path = parts.path or "/"
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        api, rel = self._classify(path)
        route_match: tuple[Route, dict[str, str]] | None = None
        route_error: ApiError | None = None
        if api in ("sheets", "drive", "script"):
            try:
                route_match = self.router.match(api, method, rel)  # type: ignore[arg-type]
            except ApiError as exc:
                route_error = exc
        operation = route_match[0].method_id if route_match else ("oauth.token" if api == "oauth" else None)
        identity: str | None = None
        fault_name: str | None = None

        fault = self._take_fault(operation or "", method, path)
        response: EmulatorResponse
        if fault is not None and not fault.timeout:
            response = self._fault_response(fault, api)
            fault_name = f"injected {fault.status}"
        elif fault is not None and fault.timeout and not fault.after_apply:
            response = EmulatorResponse(0, timeout=fault)
            fault_name = "timeout"
        else:
            try:
                if api == "oauth":
                    response = self._token_endpoint(method, hdrs, raw_body)
                elif api in ("sheets", "drive", "script"):
                    if route_error is not None:
                        raise route_error
                    identity = self._authenticate(api, hdrs, query, operation)
                    if route_match is None:
                        raise ApiError(404, f"Method not found: {method} {path}", drive_reason="notFound")
                    if api == "sheets":
                        self._charge_quota(method, operation or "")
                    response = self._dispatch(api, route_match, method, query, raw_body, identity)
                elif api == "upload":
                    raise ApiError(
                        501,
                        "The emulator does not implement media uploads.",
                        status="NOT_IMPLEMENTED",
                        drive_reason="notImplemented",
                    )
                else:
                    raise ApiError(404, f"Method not found: {method} {path}")
            except ApiError as exc:
                response = self._error_response(exc, api)
                if exc.code == 429:
                    fault_name = "quota"
            if fault is not None:
                response = EmulatorResponse(0, timeout=fault)
                fault_name = "timeout after apply"
        record = RequestRecord(
            method=method,
            url=url,
            path=path,
            query=query,
            body=raw_body,
            status=response.status,
            operation=operation,
            api=api,
            response_size=len(response.body),
            timestamp=self.clock(),
            identity=identity,
            fault=fault_name,
        )
        with self._lock:
            self._log.append(record)
        return response

    # -- plumbing -------------------------------------------------------------

    @staticmethod
    def _classify(path: str) -> tuple[str, str]:
        for api, prefix in API_PREFIX.items():
            if path.startswith(prefix):
                return api, path[len(prefix) :]
        if path.startswith("/upload/"):
            return "upload", path
        if path.rstrip("/").endswith("/token"):
            return "oauth", path
        return "unknown", path

    def _take_fault(self, operation: str, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if not fault.exhausted and fault.matches(operation, method, path):
                    fault.hits += 1
                    return fault
            self._faults = [f for f in self._faults if not f.exhausted]
        return None

    def _fault_response(self, fault: Fault, api: str) -> EmulatorResponse:
        assert fault.status is not None
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            seconds = fault.retry_after
            headers["Retry-After"] = str(int(seconds)) if float(seconds).is_integer() else str(seconds)
        if fault.body is not None:
            payload: Any = fault.body
        else:
            message = fault.message or _DEFAULT_FAULT_MESSAGES.get(fault.status, "Injected fault.")
            err = ApiError(fault.status, message)
            payload = err.drive_envelope() if api == "drive" else err.sheets_envelope()
        body = _json_bytes(payload)
        return EmulatorResponse(fault.status, body, {"Content-Type": "application/json; charset=UTF-8", **headers})

    def _error_response(self, exc: ApiError, api: str) -> EmulatorResponse:
        payload = exc.drive_envelope() if api == "drive" else exc.sheets_envelope()
        headers = {"Content-Type": "application/json; charset=UTF-8", **exc.headers}
        if exc.code == 401:
            headers.setdefault("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/"')
        return EmulatorResponse(exc.code, _json_bytes(payload), headers)

    def _authenticate(
        self, api: str, headers: CaseInsensitiveDict[str], query: dict[str, list[str]], operation: str | None
    ) -> str:
        auth = headers.get("Authorization", "")
        token: str | None = None
        if auth[:7].lower() == "bearer " and auth[7:].strip():
            token = auth[7:].strip()
        elif query.get("access_token"):
            token = query["access_token"][-1]
        hosts = {"sheets": "sheets.googleapis.com", "script": "script.googleapis.com"}
        service = hosts.get(api, "drive.googleapis.com")
        if token is None:
            raise ApiError(
                401,
                f"Request is missing required authentication credential. {_AUTH_HELP}",
                details=[
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "CREDENTIALS_MISSING",
                        "domain": "googleapis.com",
                        "metadata": {"service": service, "method": operation or ""},
                    }
                ],
                drive_reason="required",
                drive_location="Authorization",
                drive_location_type="header",
            )
        with self._lock:
            info = self._tokens.get(token)
            if info is not None and info.expires_at <= self.clock():
                info = None
        if info is None:
            if self.accept_any_token:
                return self.owner_email
            raise ApiError(
                401,
                f"Request had invalid authentication credentials. {_AUTH_HELP}",
                details=[
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "ACCESS_TOKEN_TYPE_UNSUPPORTED",
                        "domain": "googleapis.com",
                        "metadata": {"service": service, "method": operation or ""},
                    }
                ],
                drive_reason="authError",
                drive_location="Authorization",
                drive_location_type="header",
            )
        return info.subject

    def _charge_quota(self, method: str, operation: str) -> None:
        if self.quota_per_minute is None:
            return
        now = self.clock()
        with self._lock:
            while self._window and self._window[0] <= now - 60:
                self._window.popleft()
            if len(self._window) >= self.quota_per_minute:
                kind = "Read" if method == "GET" or operation in _READ_ONLY_SHEETS_POSTS else "Write"
                raise ApiError(
                    429,
                    f"Quota exceeded for quota metric '{kind} requests' and limit '{kind} requests per minute' "
                    "of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'.",
                    details=[
                        {
                            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                            "reason": "RATE_LIMIT_EXCEEDED",
                            "domain": "googleapis.com",
                            "metadata": {
                                "quota_limit": f"{kind}RequestsPerMinute",
                                "quota_limit_value": str(self.quota_per_minute),
                                "quota_location": "global",
                                "quota_metric": f"sheets.googleapis.com/{kind.lower()}_requests",
                                "service": "sheets.googleapis.com",
                                "consumer": "projects/000000000000",
                            },
                        },
                        {
                            "@type": "type.googleapis.com/google.rpc.Help",
                            "links": [
                                {
                                    "description": "Request a higher quota limit.",
                                    "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                                }
                            ],
                        },
                    ],
                    drive_reason="rateLimitExceeded",
                )
            self._window.append(now)

    # -- OAuth ----------------------------------------------------------------

    def _token_endpoint(self, method: str, headers: CaseInsensitiveDict[str], body: bytes) -> EmulatorResponse:
        def oauth_error(error: str, description: str, status: int = 400) -> EmulatorResponse:
            return EmulatorResponse(
                status,
                _json_bytes({"error": error, "error_description": description}),
                {"Content-Type": "application/json; charset=utf-8"},
            )

        if method != "POST":
            return oauth_error("invalid_request", "The token endpoint only accepts POST.", 405)
        form = {k: v[-1] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items()}
        grant = form.get("grant_type")
        if grant == JWT_GRANT:
            assertion = form.get("assertion", "")
            try:
                head_b64, payload_b64, sig_b64 = assertion.split(".")
                header = json.loads(_b64url_decode(head_b64))
                payload = json.loads(_b64url_decode(payload_b64))
                signature = _b64url_decode(sig_b64)
            except (ValueError, binascii.Error, UnicodeDecodeError):
                return oauth_error("invalid_grant", "Invalid JWT: the assertion is not a JWT.")
            if header.get("alg") != "RS256":
                return oauth_error("invalid_grant", "Invalid JWT: only RS256 assertions are accepted.")
            subject = payload.get("sub") or payload.get("iss")
            if not isinstance(subject, str) or not subject:
                return oauth_error("invalid_grant", "Invalid JWT: no issuer.")
            now = time.time()
            exp = payload.get("exp")
            if not isinstance(exp, (int, float)) or exp < now - 30:
                return oauth_error(
                    "invalid_grant",
                    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
                    "timeframe. Check your iat and exp values in the JWT claim.",
                )
            aud = payload.get("aud")
            if not isinstance(aud, str) or not aud.rstrip("/").endswith("/token"):
                return oauth_error("invalid_grant", "Invalid JWT: the audience must be the token endpoint.")
            if not payload.get("scope") and not payload.get("target_audience"):
                return oauth_error("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
            key = self._public_keys.get(str(payload.get("iss")))
            if key is not None and not _verify_rs256(key, f"{head_b64}.{payload_b64}".encode(), signature):
                return oauth_error("invalid_grant", "Invalid JWT Signature.")
            token = self.issue_token(subject, scopes=str(payload.get("scope", "")))
        elif grant == "refresh_token":
            if not form.get("refresh_token"):
                return oauth_error("invalid_request", "Missing required parameter: refresh_token")
            token = self.issue_token(self.owner_email)
        else:
            return oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant}")
        payload_out = {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}
        return EmulatorResponse(200, _json_bytes(payload_out), {"Content-Type": "application/json; charset=utf-8"})

    # -- dispatch -------------------------------------------------------------

    def _dispatch(
        self,
        api: str,
        route_match: tuple[Route, dict[str, str]],
        method: str,
        query: dict[str, list[str]],
        raw_body: bytes,
        identity: str,
    ) -> EmulatorResponse:
        route, path_params = route_match
        validator = self.validators[api]
        params = validate_query(api, route, query, validator.package)  # type: ignore[arg-type]
        body: Any = None
        request_schema = route.description.get("request")
        if request_schema is not None:
            if raw_body.strip():
                try:
                    decoded = json.loads(raw_body)
                except (ValueError, UnicodeDecodeError):
                    raise ApiError(
                        400,
                        "Invalid JSON payload received. Unexpected token.",
                        violations=[FieldViolation("Invalid JSON payload received. Unexpected token.")],
                        drive_reason="parseError",
                    ) from None
            else:
                decoded = {}
            body = validator.validate_body(decoded, request_schema["$ref"], _BODY_ROOT.get(route.method_id, ""))
        mask: Mask | None = None
        fields_text = params.get("fields")
        if fields_text:
            mask = self._fields_mask(api, route, fields_text)
        handler = getattr(self, "_op_" + route.method_id.replace(".", "_"), None)
        if handler is None:
            raise ApiError(
                501,
                f"The emulator does not implement {route.method_id}.",
                status="NOT_IMPLEMENTED",
                drive_reason="notImplemented",
            )
        call = _Call(api, route, path_params, params, body, identity)
        with self._lock:
            result = handler(call)
        if isinstance(result, EmulatorResponse):
            return result
        status, payload = result
        if status == 204:
            return EmulatorResponse(204, b"", {"Content-Type": "text/html"})
        if mask is not None:
            payload = filter_fields(payload, mask)
        return EmulatorResponse(status, _json_bytes(payload), {"Content-Type": "application/json; charset=UTF-8"})

    def _fields_mask(self, api: str, route: Route, text: str) -> Mask:
        response_ref = (route.description.get("response") or {}).get("$ref")
        try:
            mask = parse_mask(text, lenient_spaces=api == "drive")
        except MaskSyntaxError:
            if api == "drive":
                raise drive_error(400, f"Invalid field selection {text}", "invalidParameter", "fields") from None
            raise ApiError(400, "Request contains an invalid argument.") from None
        if response_ref is not None:
            bad = validate_mask(mask, self.validators[api], response_ref)
            if bad is not None:
                if api == "drive":
                    raise drive_error(
                        400, f"Invalid field selection {bad.rsplit('.', 1)[-1]}", "invalidParameter", "fields"
                    )
                raise ApiError(400, "Request contains an invalid argument.")
        return mask

    # -- spreadsheets: access -------------------------------------------------

    def _new_spreadsheet(
        self, title: str, owner: str, parents: list[str], *, spreadsheet_id: str | None = None, with_sheet: bool = True
    ) -> Spreadsheet:
        sid = spreadsheet_id or new_spreadsheet_id(self.rng)
        if sid in self.files:
            raise ValueError(f"a file with id {sid} exists already")
        ss = Spreadsheet(sid, title, self.rng)
        ss.owner = owner
        if with_sheet:
            ss.sheets.append(
                Sheet(
                    {
                        "sheetId": 0,
                        "title": "Sheet1",
                        "index": 0,
                        "sheetType": "GRID",
                        "gridProperties": {"rowCount": 1000, "columnCount": 26},
                    }
                )
            )
        self.spreadsheets[sid] = ss
        self.files[sid] = DriveFile(
            id=sid,
            name=title,
            mime_type=SPREADSHEET_MIME,
            owner=owner,
            parents=list(parents),
            created_time=ss.created_time,
            modified_time=ss.modified_time,
            permissions=[self._owner_permission(owner)],
        )
        return ss

    def _owner_permission(self, owner: str) -> dict[str, Any]:
        return {
            "id": self._permission_id(owner),
            "type": "user",
            "role": "owner",
            "emailAddress": owner,
            "displayName": owner.partition("@")[0],
        }

    def _permission_id(self, email: str) -> str:
        # Drive's permission ids are stable per user; derive one from the address.
        return str(int.from_bytes(email.lower().encode()[:16].ljust(16, b"\0"), "big") % 10**20).rjust(20, "0")

    def _can(self, f: DriveFile, identity: str, rank: int) -> bool:
        if f.owner.lower() == identity.lower():
            return True
        return f.role_of(identity) >= rank

    def _sheet_for(self, call: _Call, *, write: bool) -> Spreadsheet:
        sid = call.path_params.get("spreadsheetId", "")
        ss = self.spreadsheets.get(sid)
        f = self.files.get(sid)
        if ss is None or f is None or f.trashed and not self._can(f, call.identity, ROLE_RANK["owner"]):
            raise ApiError(404, "Requested entity was not found.")
        if not self._can(f, call.identity, ROLE_RANK["writer"] if write else ROLE_RANK["reader"]):
            raise ApiError(403, "The caller does not have permission")
        return ss

    def _commit(self, ss: Spreadsheet) -> None:
        self.spreadsheets[ss.id] = ss
        f = self.files.get(ss.id)
        if f is not None:
            f.name = ss.properties.get("title", f.name)
            f.modified_time = ss.modified_time

    # -- Apps Script API: a script bound to a spreadsheet ------------------------

    def _script_caller(self, call: _Call) -> None:
        """The Apps Script API does not accept service accounts (Google documents it)."""
        if call.identity.lower().endswith(".gserviceaccount.com"):
            raise ApiError(403, "The caller does not have permission")

    def _op_script_projects_create(self, call: _Call) -> tuple[int, Any]:
        self._script_caller(call)
        body: dict[str, Any] = call.body or {}
        title = body.get("title")
        if not title:
            raise ApiError(400, "Invalid argument: title is required.")
        parent = body.get("parentId")
        if parent:
            f = self.files.get(parent)
            if f is None or f.trashed:
                raise ApiError(404, "Requested entity was not found.")
            if not self._can(f, call.identity, ROLE_RANK["writer"]):
                raise ApiError(403, "The caller does not have permission")
        script_id = "1" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
                                  for _ in range(56))
        now = _now()
        user = {"domain": call.identity.rpartition("@")[2], "email": call.identity, "name": call.identity}
        project = {"scriptId": script_id, "title": title, "createTime": now, "updateTime": now,
                   "creator": user, "lastModifyUser": user}
        if parent:
            project["parentId"] = parent
        manifest = {"name": "appsscript", "type": "JSON", "source": '{"timeZone": "America/New_York", '
                    '"exceptionLogging": "STACKDRIVER", "runtimeVersion": "V8"}'}
        self.script_projects[script_id] = {"project": project, "files": [manifest], "owner": call.identity}
        return 200, project

    def _script_for(self, call: _Call) -> dict[str, Any]:
        self._script_caller(call)
        found = self.script_projects.get(call.path_params.get("scriptId", ""))
        if found is None:
            raise ApiError(404, "Requested entity was not found.")
        parent = found["project"].get("parentId")
        f = self.files.get(parent) if parent else None
        if found["owner"].lower() != call.identity.lower() and (
            f is None or not self._can(f, call.identity, ROLE_RANK["writer"])
        ):
            raise ApiError(403, "The caller does not have permission")
        return found

    def _op_script_projects_updateContent(self, call: _Call) -> tuple[int, Any]:
        found = self._script_for(call)
        files: list[dict[str, Any]] = (call.body or {}).get("files", [])
        names = [(f.get("name"), f.get("type")) for f in files]
        if ("appsscript", "JSON") not in names:
            raise ApiError(400, "Script project must have a manifest file named appsscript of type JSON.")
        if len(set(names)) != len(names):
            raise ApiError(400, "Invalid argument: duplicate file names.")
        for f in files:
            if not f.get("name") or f.get("type") not in ("SERVER_JS", "HTML", "JSON"):
                raise ApiError(400, f"Invalid argument: file {f.get('name')!r} of type {f.get('type')!r}.")
        try:
            json.loads(next(f for f in files if f.get("name") == "appsscript").get("source") or "")
        except ValueError:
            raise ApiError(400, "Invalid manifest: the appsscript file is not JSON.") from None
        found["files"] = [{k: f[k] for k in ("name", "type", "source") if k in f} for f in files]
        found["project"]["updateTime"] = _now()
        return 200, {"scriptId": found["project"]["scriptId"], "files": found["files"]}

    def _op_script_projects_getContent(self, call: _Call) -> tuple[int, Any]:
        found = self._script_for(call)
        return 200, {"scriptId": found["project"]["scriptId"], "files": found["files"]}

    # -- spreadsheets ---------------------------------------------------------

    def _op_sheets_spreadsheets_create(self, call: _Call) -> tuple[int, Any]:
        body: dict[str, Any] = call.body or {}
        props = body.get("properties", {})
        title = props.get("title") or "Untitled spreadsheet"
        if body.get("spreadsheetId"):
            raise ApiError(
                400, "Invalid spreadsheet.spreadsheetId: spreadsheetId cannot be set when creating a spreadsheet."
            )
        ss = self._new_spreadsheet(title, call.identity, [self.root_folder_id], with_sheet=False)
        try:
            for key, value in props.items():
                if key != "title":
                    ss.properties[key] = copy.deepcopy(value)
            requests_: list[dict[str, Any]] = []
            sheets = body.get("sheets") or [{"properties": {"title": "Sheet1"}}]
            for i, sheet in enumerate(sheets):
                sprops = copy.deepcopy(sheet.get("properties", {}))
                if "sheetId" not in sprops and i == 0:
                    sprops["sheetId"] = 0
                sprops.setdefault("index", i)
                requests_.append({"addSheet": {"properties": sprops}})
            work, _ = apply_batch_update(ss, {"requests": requests_}, self.validators["sheets"])
            followups: list[dict[str, Any]] = []
            for sheet, spec in zip(work.ordered_sheets(), sheets, strict=True):
                sid = sheet.sheet_id
                for grid in spec.get("data", []):
                    if grid.get("rowData"):
                        followups.append(
                            {
                                "updateCells": {
                                    "start": {
                                        "sheetId": sid,
                                        "rowIndex": grid.get("startRow", 0),
                                        "columnIndex": grid.get("startColumn", 0),
                                    },
                                    "rows": grid["rowData"],
                                    "fields": "*",
                                }
                            }
                        )
                    for dim, key, start_key in (
                        ("ROWS", "rowMetadata", "startRow"),
                        ("COLUMNS", "columnMetadata", "startColumn"),
                    ):
                        for offset, meta in enumerate(grid.get(key, [])):
                            props_ = {k: v for k, v in meta.items() if k in ("hiddenByUser", "pixelSize")}
                            if props_:
                                start = grid.get(start_key, 0) + offset
                                followups.append(
                                    {
                                        "updateDimensionProperties": {
                                            "range": {
                                                "sheetId": sid,
                                                "dimension": dim,
                                                "startIndex": start,
                                                "endIndex": start + 1,
                                            },
                                            "properties": props_,
                                            "fields": ",".join(props_),
                                        }
                                    }
                                )
                for merge in spec.get("merges", []):
                    followups.append({"mergeCells": {"range": {**merge, "sheetId": sid}, "mergeType": "MERGE_ALL"}})
                for rule in spec.get("conditionalFormats", []):
                    rule = copy.deepcopy(rule)
                    rule["ranges"] = [{**r, "sheetId": sid} for r in rule.get("ranges", [])]
                    followups.append({"addConditionalFormatRule": {"rule": rule, "index": len(followups)}})
                for pr in spec.get("protectedRanges", []):
                    pr = copy.deepcopy(pr)
                    if "range" in pr:
                        pr["range"]["sheetId"] = sid
                    followups.append({"addProtectedRange": {"protectedRange": pr}})
                if "basicFilter" in spec:
                    flt = copy.deepcopy(spec["basicFilter"])
                    flt.setdefault("range", {})["sheetId"] = sid
                    followups.append({"setBasicFilter": {"filter": flt}})
                for meta in spec.get("developerMetadata", []):
                    followups.append({"createDeveloperMetadata": {"developerMetadata": meta}})
            for named in body.get("namedRanges", []):
                followups.append({"addNamedRange": {"namedRange": named}})
            for meta in body.get("developerMetadata", []):
                followups.append({"createDeveloperMetadata": {"developerMetadata": meta}})
            if followups:
                work, _ = apply_batch_update(work, {"requests": followups}, self.validators["sheets"])
        except ApiError as exc:
            del self.spreadsheets[ss.id]
            del self.files[ss.id]
            exc.message = exc.message.replace("Invalid requests[", "Invalid spreadsheet: requests[")
            raise
        self._commit(work)
        return 200, work.to_json()

    def _op_sheets_spreadsheets_get(self, call: _Call) -> tuple[int, Any]:
        ss = self._sheet_for(call, write=False)
        ranges: list[str] = call.params.get("ranges", [])
        include = bool(call.params.get("includeGridData", False))
        fields_text = call.params.get("fields")
        if fields_text:
            mask = parse_mask(fields_text)
            sheets_mask = mask.get("sheets", {}) if "*" not in mask else None
            include = sheets_mask is None or "data" in sheets_mask or "*" in sheets_mask
            if "sheets" not in mask and "*" not in mask:
                include = False
        resolved = [ss.resolve_range(r) for r in ranges]
        return 200, ss.to_json(include_grid_data=include, ranges=resolved or None)

    def _op_sheets_spreadsheets_getByDataFilter(self, call: _Call) -> tuple[int, Any]:
        ss = self._sheet_for(call, write=False)
        body = call.body or {}
        resolved = []
        for flt in body.get("dataFilters", []):
            if "a1Range" in flt:
                resolved.append(ss.resolve_range(flt["a1Range"]))
            elif "gridRange" in flt:
                resolved.append(ss.grid_range(flt["gridRange"]))
            else:
                for meta in ss.developer_metadata:
                    if metadata_matches(ss, meta, flt) and "dimensionRange" in meta["location"]:
                        dr = meta["location"]["dimensionRange"]
                        sheet = ss.sheet_by_id(int(dr.get("sheetId", 0)))
                        if sheet is None:
                            continue
                        if dr["dimension"] == "ROWS":
                            resolved.append((sheet, dr["startIndex"], dr["endIndex"], 0, sheet.column_count))
                        else:
                            resolved.append((sheet, 0, sheet.row_count, dr["startIndex"], dr["endIndex"]))
        include = bool(body.get("includeGridData"))
        if call.params.get("fields"):
            include = True
        return 200, ss.to_json(include_grid_data=include, ranges=resolved or None)

    def _op_sheets_spreadsheets_batchUpdate(self, call: _Call) -> tuple[int, Any]:
        ss = self._sheet_for(call, write=True)
        body = call.body or {}
        work, replies = apply_batch_update(ss, body, self.validators["sheets"])
        self._commit(work)
        out: dict[str, Any] = {"spreadsheetId": work.id, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            ranges = [work.resolve_range(r) for r in body.get("responseRanges", [])]
            out["updatedSpreadsheet"] = work.to_json(
                include_grid_data=bool(body.get("responseIncludeGridData")), ranges=ranges or None
            )
        return 200, out

    def _op_sheets_spreadsheets_developerMetadata_get(self, call: _Call) -> tuple[int, Any]:
        ss = self._sheet_for(call, write=False)
        try:
            meta_id = int(call.path_params.get("metadataId", ""))
        except ValueError:
            raise ApiError(
                400, f"Invalid value at 'metadata_id' (TYPE_INT32), \"{call.path_params.get('metadataId')}\""
            ) from None
        from .model import render_metadata

        for meta in ss.developer_metadata:
            if meta["metadataId"] == meta_id:
                return 200, render_metadata(meta)
        raise ApiError(404, f"No developer metadata with ID: {meta_id}")

    def _op_sheets_spreadsheets_developerMetadata_search(self, call: _Call) -> tuple[int, Any]:
        ss = self._sheet_for(call, write=False)
        from .model import render_metadata

        filters = (call.body or {}).get("dataFilters", [])
        matched: list[dict[str, Any]] = []
        for meta in ss.developer_metadata:
            hits = [f for f in filters if metadata_matches(ss, meta, f)]
            if hits:
                matched.append({"developerMetadata": render_metadata(meta), "dataFilters": hits})
        return 200, ({"matchedDeveloperMetadata": matched} if matched else {})

    def _op_sheets_spreadsheets_sheets_copyTo(self, call: _Call) -> tuple[int, Any]:
        ss = self._sheet_for(call, write=False)
        try:
            sheet_id = int(call.path_params.get("sheetId", ""))
        except ValueError:
            raise ApiError(400, "Invalid sheetId.") from None
        source = ss.sheet_by_id(sheet_id)
        if source is None:
            raise ApiError(404, "Requested entity was not found.")
        dest_id = (call.body or {}).get("destinationSpreadsheetId")
        if not dest_id:
            raise ApiError(400, "Invalid destinationSpreadsheetId: must be set.")
        dest = self._sheet_for(
            _Call(call.api, call.route, {"spreadsheetId": dest_id}, {}, None, call.identity), write=True
        )
        work = dest.clone()
        twin = source.detached_copy()
        twin.properties["sheetId"] = work.new_sheet_id()
        title = f"Copy of {source.title}"
        n = 2
        while work.sheet_by_title(title) is not None:
            title = f"Copy of {source.title} {n}"
            n += 1
        twin.properties["title"] = title
        twin.properties["index"] = len(work.sheets)
        twin.protected_ranges = []
        for m in twin.merges:
            m["sheetId"] = twin.sheet_id
        work.sheets.append(twin)
        work.recalculate()
        work.touch()
        self._commit(work)
        return 200, twin.properties_json()

    # -- values ---------------------------------------------------------------

    def _render_opts(self, params: dict[str, Any], prefix: str = "") -> tuple[str, str]:
        vkey = f"{prefix}ValueRenderOption" if prefix else "valueRenderOption"
        dkey = f"{prefix}DateTimeRenderOption" if prefix else "dateTimeRenderOption"
        return params.get(vkey, "FORMATTED_VALUE"), params.get(dkey, "SERIAL_NUMBER")

    def _op_sheets_spreadsheets_values_get(self, call: _Call) -> tuple[int, Any]:
        ss = self._sheet_for(call, write=False)
        render, dt_render = self._render_opts(call.params)
        major = call.params.get("majorDimension", "ROWS")
        return 200, values_api.values_get(ss, call.path_params["range"], major, render, dt_render)

    def _op_sheets_spreadsheets_values_batchGet(self, call: _Call) -> tuple[int, Any]:
        ss = self._sheet_for(call, write=False)
        render, dt_render = self._render_opts(call.params)
        major = call.params.get("majorDimension", "ROWS")
        return 200, values_api.batch_get(ss, call.params.get("ranges", []), major, render, dt_render)

    def _values_write(self, call: _Call, fn: Callable[[Spreadsheet], dict[str, Any]]) -> tuple[int, Any]:
        ss = self._sheet_for(call, write=True)
        work = ss.clone()
        out = fn(work)
        work.recalculate()
        work.touch()
        self._commit(work)
        return 200, out

    def _op_sheets_spreadsheets_values_update(self, call: _Call) -> tuple[int, Any]:
        render, dt_render = self._render_opts(call.params, "response")
        return self._values_write(
            call,
            lambda ss: values_api.values_update(
                ss,
                call.path_params["range"],
                call.body or {},
                call.params.get("valueInputOption"),
                bool(call.params.get("includeValuesInResponse")),
                render,
                dt_render,
            ),
        )

    def _op_sheets_spreadsheets_values_append(self, call: _Call) -> tuple[int, Any]:
        render, dt_render = self._render_opts(call.params, "response")
        return self._values_write(
            call,
            lambda ss: values_api.values_append(
                ss,
                call.path_params["range"],
                call.body or {},
                call.params.get("valueInputOption"),
                call.params.get("insertDataOption"),
                bool(call.params.get("includeValuesInResponse")),
                render,
                dt_render,
            ),
        )

    def _op_sheets_spreadsheets_values_batchUpdate(self, call: _Call) -> tuple[int, Any]:
        return self._values_write(call, lambda ss: values_api.batch_update(ss, call.body or {}))

    def _op_sheets_spreadsheets_values_clear(self, call: _Call) -> tuple[int, Any]:
        return self._values_write(call, lambda ss: values_api.values_clear(ss, call.path_params["range"]))

    def _op_sheets_spreadsheets_values_batchClear(self, call: _Call) -> tuple[int, Any]:
        return self._values_write(call, lambda ss: values_api.batch_clear(ss, (call.body or {}).get("ranges", [])))

    # -- drive: files ---------------------------------------------------------

    def _visible(self, f: DriveFile, identity: str) -> bool:
        return self._can(f, identity, ROLE_RANK["reader"])

    def _file_for(self, call: _Call, *, rank: int = ROLE_RANK["reader"]) -> DriveFile:
        fid = call.path_params.get("fileId", "")
        if fid == "root":
            fid = self.root_folder_id
        if fid == self.root_folder_id and fid not in self.files:
            self.files[fid] = DriveFile(
                id=fid,
                name="My Drive",
                mime_type=FOLDER_MIME,
                owner=self.owner_email,
                parents=[],
                created_time=_now(),
                modified_time=_now(),
                permissions=[self._owner_permission(self.owner_email)],
            )
        f = self.files.get(fid)
        if f is None or not self._visible(f, call.identity):
            raise drive_not_found(call.path_params.get("fileId", ""))
        if not self._can(f, call.identity, rank):
            raise drive_error(
                403,
                "The user does not have sufficient permissions for this file.",
                "insufficientFilePermissions",
            )
        return f

    def _file_payload(self, f: DriveFile, call: _Call) -> dict[str, Any]:
        resource = f.resource()
        if call.params.get("fields"):
            return resource
        return {k: resource[k] for k in DEFAULT_FILE_FIELDS if k in resource}

    def _check_parents(self, parents: list[str], identity: str) -> list[str]:
        out = []
        for pid in parents:
            if pid == "root":
                pid = self.root_folder_id
            if pid != self.root_folder_id:
                parent = self.files.get(pid)
                if parent is None or not self._visible(parent, identity):
                    raise drive_not_found(pid)
                if parent.mime_type != FOLDER_MIME:
                    raise drive_error(400, "The specified parent is not a folder.", "invalid", "parents")
            out.append(pid)
        if len(out) > 1:
            raise drive_error(
                403,
                "Increasing the number of parents is not allowed.",
                "cannotAddParent",
            )
        return out or [self.root_folder_id]

    def _op_drive_files_create(self, call: _Call) -> tuple[int, Any]:
        body: dict[str, Any] = call.body or {}
        parents = self._check_parents(body.get("parents", []), call.identity)
        mime = body.get("mimeType") or "application/octet-stream"
        if mime == SPREADSHEET_MIME:
            ss = self._new_spreadsheet(body.get("name") or "Untitled spreadsheet", call.identity, parents)
            f = self.files[ss.id]
        else:
            fid = "1" + "".join(
                self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") for _ in range(32)
            )
            now = _now()
            f = DriveFile(
                id=fid,
                name=body.get("name") or "Untitled",
                mime_type=mime,
                owner=call.identity,
                parents=parents,
                created_time=now,
                modified_time=now,
                permissions=[self._owner_permission(call.identity)],
            )
            self.files[fid] = f
        f.description = body.get("description")
        f.starred = bool(body.get("starred", False))
        f.properties = dict(body.get("properties", {}))
        f.app_properties = dict(body.get("appProperties", {}))
        return 200, self._file_payload(f, call)

    def _op_drive_files_get(self, call: _Call) -> tuple[int, Any]:
        f = self._file_for(call)
        if call.params.get("alt") == "media":
            raise drive_error(
                403,
                "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
                "fileNotDownloadable",
                "alt",
            )
        return 200, self._file_payload(f, call)

    def _op_drive_files_list(self, call: _Call) -> tuple[int, Any]:
        q = call.params.get("q")
        files = [f for f in self.files.values() if f.id != self.root_folder_id and self._visible(f, call.identity)]
        if q:
            try:
                files = [f for f in files if match_query(q, f)]
            except DriveQueryError:
                raise drive_error(400, "Invalid Value", "invalid", "q") from None
        else:
            files = [f for f in files if not f.trashed]
        order = call.params.get("orderBy")
        if order:
            for key in reversed([k.strip() for k in order.split(",") if k.strip()]):
                name, _, direction = key.partition(" ")
                attr = {
                    "name": "name",
                    "createdTime": "created_time",
                    "modifiedTime": "modified_time",
                    "folder": "mime_type",
                }.get(name)
                if attr is None:
                    raise drive_error(400, "Invalid Value", "invalid", "orderBy")

                def sort_key(f: DriveFile, attr: str = attr) -> str:
                    return str(getattr(f, attr)).lower()

                files.sort(key=sort_key, reverse=direction.lower() == "desc")
        else:
            files.sort(key=lambda f: (f.modified_time, f.seq), reverse=True)
        page_size = int(call.params.get("pageSize", 100))
        try:
            offset = int(call.params.get("pageToken") or 0)
        except ValueError:
            raise drive_error(400, "Invalid Value", "invalid", "pageToken") from None
        page = files[offset : offset + page_size]
        out: dict[str, Any] = {"kind": "drive#fileList"}
        if offset + page_size < len(files):
            out["nextPageToken"] = str(offset + page_size)
        out["incompleteSearch"] = False
        if call.params.get("fields"):
            out["files"] = [f.resource() for f in page]
        else:
            out["files"] = [{k: f.resource()[k] for k in DEFAULT_FILE_FIELDS} for f in page]
        return 200, out

    def _op_drive_files_update(self, call: _Call) -> tuple[int, Any]:
        f = self._file_for(call, rank=ROLE_RANK["writer"])
        body: dict[str, Any] = call.body or {}
        if "name" in body:
            f.name = body["name"]
            ss = self.spreadsheets.get(f.id)
            if ss is not None:
                ss.properties["title"] = body["name"]
        for key, attr in (("description", "description"), ("starred", "starred"), ("trashed", "trashed")):
            if key in body:
                setattr(f, attr, body[key])
        if "properties" in body:
            f.properties.update(body["properties"])
        if "appProperties" in body:
            f.app_properties.update(body["appProperties"])
        remove = [p for p in str(call.params.get("removeParents", "")).split(",") if p]
        add = [p for p in str(call.params.get("addParents", "")).split(",") if p]
        if add:
            added = self._check_parents(add, call.identity)
            f.parents = [p for p in f.parents if p not in remove] + [p for p in added if p not in f.parents]
        elif remove:
            f.parents = [p for p in f.parents if p not in remove]
        f.modified_time = _now()
        return 200, self._file_payload(f, call)

    def _op_drive_files_copy(self, call: _Call) -> tuple[int, Any]:
        source = self._file_for(call)
        body: dict[str, Any] = call.body or {}
        parents = self._check_parents(
            body.get("parents", []) or [p for p in source.parents if p in self.files or p == self.root_folder_id],
            call.identity,
        )
        name = body.get("name") or f"Copy of {source.name}"
        if source.mime_type == SPREADSHEET_MIME:
            original = self.spreadsheets[source.id]
            new_id = new_spreadsheet_id(self.rng)
            twin = original.clone()
            twin.id = new_id
            twin.owner = call.identity
            twin.properties["title"] = name
            twin.created_time = twin.modified_time = _now()
            self.spreadsheets[new_id] = twin
            f = DriveFile(
                id=new_id,
                name=name,
                mime_type=SPREADSHEET_MIME,
                owner=call.identity,
                parents=parents,
                created_time=twin.created_time,
                modified_time=twin.modified_time,
                permissions=[self._owner_permission(call.identity)],
            )
        else:
            now = _now()
            f = DriveFile(
                id="1"
                + "".join(
                    self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
                    for _ in range(32)
                ),
                name=name,
                mime_type=source.mime_type,
                owner=call.identity,
                parents=parents,
                created_time=now,
                modified_time=now,
                permissions=[self._owner_permission(call.identity)],
            )
        self.files[f.id] = f
        return 200, self._file_payload(f, call)

    def _op_drive_files_delete(self, call: _Call) -> tuple[int, Any]:
        f = self._file_for(call)
        if f.owner.lower() != call.identity.lower() and f.role_of(call.identity) < ROLE_RANK["organizer"]:
            raise drive_error(
                403, "The user does not have sufficient permissions for this file.", "insufficientFilePermissions"
            )
        doomed = [f.id]
        i = 0
        while i < len(doomed):
            doomed.extend(c.id for c in self.files.values() if doomed[i] in c.parents and c.id not in doomed)
            i += 1
        for fid in doomed:
            self.files.pop(fid, None)
            self.spreadsheets.pop(fid, None)
        return 204, None

    def _op_drive_files_export(self, call: _Call) -> EmulatorResponse:
        f = self._file_for(call)
        mime = call.params.get("mimeType")
        if not mime:
            raise drive_error(400, "Required parameter: mimeType", "required", "mimeType")
        if f.mime_type != SPREADSHEET_MIME:
            raise drive_error(403, "Export only supports Docs Editors files.", "fileNotExportable")
        delimiter = {"text/csv": ",", "text/tab-separated-values": "\t"}.get(mime)
        if delimiter is None:
            raise ApiError(
                501,
                f"The emulator exports spreadsheets as text/csv or text/tab-separated-values only, not {mime}.",
                drive_reason="notImplemented",
            )
        ss = self.spreadsheets[f.id]
        sheet = ss.ordered_sheets()[0]
        rows: dict[int, dict[int, str]] = {}
        for r, c, cell in sheet.iter_cells(0, sheet.row_count, 0, sheet.column_count):
            value = read_cell(cell, "FORMATTED_VALUE", "SERIAL_NUMBER")
            if value not in (None, ""):
                rows.setdefault(r, {})[c] = str(value)
        width = max((max(cols) for cols in rows.values()), default=-1) + 1
        table = [[rows.get(r, {}).get(c, "") for c in range(width)] for r in range(max(rows, default=-1) + 1)]
        return EmulatorResponse(200, export_delimited(table, delimiter), {"Content-Type": mime})

    def _op_drive_comments_list(self, call: _Call) -> tuple[int, Any]:
        self._file_for(call)
        return 200, {"kind": "drive#commentList", "comments": []}

    # -- drive: permissions ---------------------------------------------------

    def _perm_payload(self, perm: dict[str, Any], call: _Call) -> dict[str, Any]:
        resource = permission_resource(perm)
        if call.params.get("fields"):
            return resource
        return {k: resource[k] for k in DEFAULT_PERMISSION_FIELDS if k in resource}

    def _op_drive_permissions_create(self, call: _Call) -> tuple[int, Any]:
        f = self._file_for(call, rank=ROLE_RANK["writer"])
        body: dict[str, Any] = call.body or {}
        kind = body.get("type")
        role = body.get("role")
        if not kind:
            raise drive_error(400, "The permission type field is required.", "required", "permission.type")
        if kind not in ("user", "group", "domain", "anyone"):
            raise drive_error(400, "The value of the permission type field is invalid.", "invalid", "permission.type")
        if not role:
            raise drive_error(400, "The permission role field is required.", "required", "permission.role")
        if role not in ROLE_RANK:
            raise drive_error(400, "The value of the permission role field is invalid.", "invalid", "permission.role")
        perm: dict[str, Any] = {"type": kind, "role": role}
        if kind in ("user", "group"):
            email = body.get("emailAddress")
            if not email or "@" not in email:
                raise drive_error(
                    400, "The permission emailAddress field is required.", "required", "permission.emailAddress"
                )
            perm["emailAddress"] = email
            perm["displayName"] = email.partition("@")[0]
            perm["id"] = self._permission_id(email)
        elif kind == "domain":
            if not body.get("domain"):
                raise drive_error(400, "The permission domain field is required.", "required", "permission.domain")
            perm["domain"] = body["domain"]
            perm["id"] = str(self.rng.randrange(10**19, 10**20)) + "k"
        else:
            perm["id"] = "anyoneWithLink" if not body.get("allowFileDiscovery") else "anyone"
        if "allowFileDiscovery" in body and kind in ("domain", "anyone"):
            perm["allowFileDiscovery"] = bool(body["allowFileDiscovery"])
        if role == "owner":
            if not call.params.get("transferOwnership"):
                raise drive_error(
                    403,
                    "The transferOwnership parameter must be enabled when the permission role is 'owner'.",
                    "forbidden",
                    "transferOwnership",
                )
            if kind != "user":
                raise drive_error(400, "Only a user can own a file.", "invalid", "permission.type")
            for other in f.permissions:
                if other.get("role") == "owner":
                    other["role"] = "writer"
            f.owner = perm["emailAddress"]
            if f.id in self.spreadsheets:
                self.spreadsheets[f.id].owner = f.owner
        if call.params.get("sendNotificationEmail") is False and kind not in ("user", "group"):
            raise drive_error(
                400, "sendNotificationEmail is only allowed for users and groups.", "invalidSharingRequest"
            )
        f.permissions = [p for p in f.permissions if p["id"] != perm["id"]] + [perm]
        return 200, self._perm_payload(perm, call)

    def _find_perm(self, f: DriveFile, perm_id: str) -> dict[str, Any]:
        perm = next((p for p in f.permissions if p["id"] == perm_id), None)
        if perm is None:
            raise drive_error(404, f"Permission not found: {perm_id}.", "notFound", "permissionId")
        return perm

    def _op_drive_permissions_list(self, call: _Call) -> tuple[int, Any]:
        f = self._file_for(call)
        page_size = int(call.params.get("pageSize", 100))
        offset = int(call.params.get("pageToken") or 0)
        perms = f.permissions[offset : offset + page_size]
        out: dict[str, Any] = {"kind": "drive#permissionList"}
        if offset + page_size < len(f.permissions):
            out["nextPageToken"] = str(offset + page_size)
        out["permissions"] = [self._perm_payload(p, call) for p in perms]
        return 200, out

    def _op_drive_permissions_get(self, call: _Call) -> tuple[int, Any]:
        f = self._file_for(call)
        return 200, self._perm_payload(self._find_perm(f, call.path_params["permissionId"]), call)

    def _op_drive_permissions_update(self, call: _Call) -> tuple[int, Any]:
        f = self._file_for(call, rank=ROLE_RANK["writer"])
        perm = self._find_perm(f, call.path_params["permissionId"])
        role = (call.body or {}).get("role")
        if role is not None:
            if role not in ROLE_RANK or role == "owner" and not call.params.get("transferOwnership"):
                raise drive_error(
                    400, "The value of the permission role field is invalid.", "invalid", "permission.role"
                )
            perm["role"] = role
        return 200, self._perm_payload(perm, call)

    def _op_drive_permissions_delete(self, call: _Call) -> tuple[int, Any]:
        f = self._file_for(call, rank=ROLE_RANK["writer"])
        perm = self._find_perm(f, call.path_params["permissionId"])
        if perm.get("role") == "owner":
            raise drive_error(403, "The owner of a file cannot be removed.", "cannotRemoveOwner")
        f.permissions.remove(perm)
        return 204, None


def _verify_rs256(public_key: Any, signed: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        public_key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


# ------------------------------------------------------------------------ adapter


class EmulatorAdapter(BaseAdapter):
    """A ``requests`` transport adapter that answers from an :class:`Emulator`."""

    def __init__(self, emulator: Emulator) -> None:
        super().__init__()
        self.emulator = emulator

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        raw: Any = request.body
        if hasattr(raw, "read"):
            raw = raw.read()
        if raw is not None and not isinstance(raw, (bytes, str)):
            raw = b"".join(chunk if isinstance(chunk, bytes) else str(chunk).encode() for chunk in raw)
        body: bytes | str | None = raw
        headers = {k: v.decode("latin-1") if isinstance(v, bytes) else v for k, v in request.headers.items()}
        answer = self.emulator.handle(request.method or "GET", request.url or "/", headers, body)
        if answer.timeout is not None:
            raise requests.exceptions.ReadTimeout(
                f"Read timed out (injected by the Google API emulator) for {request.method} {request.url}",
                request=request,
            )
        response = requests.Response()
        response.status_code = answer.status
        response.reason = _REASONS.get(answer.status, "")
        response.headers = CaseInsensitiveDict({**answer.headers, "Content-Length": str(len(answer.body))})
        response._content = answer.body
        response._content_consumed = True  # iter_content() then serves _content
        response.raw = io.BytesIO(answer.body)
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


_REASONS: dict[int, str] = {
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class RedirectAdapter(HTTPAdapter):
    """Send requests for Google's API hosts to ``base_url`` instead (same paths).

    This is how a client whose URLs are hard-coded (gspread) can be pointed at an emulator
    server: ``mount_base_url(session, "http://127.0.0.1:8765")``.
    """

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base = urllib.parse.urlsplit(base_url.rstrip("/"))

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        parts = urllib.parse.urlsplit(request.url or "")
        request.url = urllib.parse.urlunsplit(
            (self.base.scheme, self.base.netloc, self.base.path + parts.path, parts.query, parts.fragment)
        )
        return super().send(request, *args, **kwargs)


def mount_base_url(session: requests.Session, base_url: str) -> requests.Session:
    """Make ``session`` send its Google API calls to ``base_url`` (an emulator server)."""
    adapter = RedirectAdapter(base_url)
    for host in GOOGLE_HOSTS:
        session.mount(f"https://{host}/", adapter)
    return session


# ------------------------------------------------------------------------- server


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        emulator = self.server.emulator
        answer = emulator.handle(self.command, self.path, dict(self.headers.items()), body)
        if answer.timeout is not None:
            fault = answer.timeout
            if fault.mode == "close":
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            emulator._stop.wait(fault.delay)
            answer = EmulatorResponse(
                504,
                _json_bytes(ApiError(504, _DEFAULT_FAULT_MESSAGES[504]).sheets_envelope()),
                {"Content-Type": "application/json; charset=UTF-8"},
            )
        self.send_response(answer.status, _REASONS.get(answer.status))
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD" and answer.body:
            self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    emulator: Emulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (an injected timeout) leaves a broken pipe: not news.
        import sys

        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class EmulatorServer:
    """A running loopback server: ``base_url`` goes in ``SHEETOPS_GOOGLE_API_URL``.

    Use it as a context manager or call :meth:`close`.  :meth:`serve_forever` blocks (for
    a command-line entry point) until interrupted.
    """

    def __init__(self, emulator: Emulator, host: str = "127.0.0.1", port: int = 0, *, start: bool = True) -> None:
        self.emulator = emulator
        self.httpd = _HTTPServer((host, port), _Handler)
        self.httpd.emulator = emulator
        bound_host = self.httpd.server_address[0]
        self.host: str = bound_host.decode() if isinstance(bound_host, bytes) else str(bound_host)
        self.port: int = int(self.httpd.server_address[1])
        self._thread: threading.Thread | None = None
        if start:
            self._thread = threading.Thread(
                target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def token_uri(self) -> str:
        return f"{self.base_url}/token"

    def write_service_account_key(self, path: str | Path, client_email: str | None = None) -> Path:
        """Write a fake service-account key whose ``token_uri`` is this server's."""
        return self.emulator.write_service_account_key(path, token_uri=self.token_uri, client_email=client_email)

    def serve_forever(self) -> None:
        """Serve in the calling thread until KeyboardInterrupt (when not started already)."""
        if self._thread is not None:
            try:
                while self._thread.is_alive():
                    self._thread.join(0.5)
            except KeyboardInterrupt:
                pass
            finally:
                self.close()
            return
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            self.httpd.server_close()

    def close(self) -> None:
        self.emulator._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.emulator._stop.clear()

    def __enter__(self) -> EmulatorServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    emulator: Emulator | None = None,
    block: bool = False,
    **options: Any,
) -> EmulatorServer:
    """Serve an emulator over HTTP on ``host:port`` (0 picks a free port).

    Returns the running :class:`EmulatorServer` (its ``base_url`` is what
    ``SHEETOPS_GOOGLE_API_URL`` takes).  With ``block=True`` it serves in the calling
    thread until interrupted, then returns.  ``options`` go to :class:`Emulator` when no
    ``emulator`` is given.
    """
    emu = emulator if emulator is not None else Emulator(**options)
    server = EmulatorServer(emu, host, port, start=not block)
    if block:
        server.serve_forever()
    return server


@contextlib.contextmanager
def running(emulator: Emulator | None = None, host: str = "127.0.0.1", port: int = 0) -> Iterator[EmulatorServer]:
    """``with running() as server:`` — a server closed on exit."""
    server = serve(host, port, emulator=emulator)
    try:
        yield server
    finally:
        server.close()


_ = SUPPORTED_REQUESTS  # re-exported through the package
