"""The web application: POST /sync, POST /check, GET /healthz (Starlette, served by uvicorn).

A request goes through, in order: the size limit (413), the caller's credentials (401,
403: nothing is read or written then), the caller's rate limit (429), the body (400),
then :func:`sheetops.api.sync` or :func:`~sheetops.api.check` with the caller's own
Google access token, in a worker thread. Every request is one JSON log line on stderr
(:mod:`.logs`), which never holds a token.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from typing import TYPE_CHECKING, Any

from sheetops.errors import (
    BackendError,
    CredentialsError,
    MissingExtraError,
    ServiceUnavailableError,
    SheetopsError,
    WorkbookError,
    error_kind_of,
)
from sheetops.serve.callers import Caller, CertsCache, Refused, identify
from sheetops.serve.config import ServeConfig
from sheetops.serve.limits import RateLimiter
from sheetops.serve.logs import log_event

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def require_serve_libraries() -> None:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError(
            f"sheetops serve needs extra packages ({exc.name} is missing); "
            'install them with: pip install "sheetops[serve]"'
        ) from None


class BadRequest(Exception):
    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


def status_of(error: SheetopsError) -> int:
    """The HTTP status of a failed sync: the caller's access refused (403), an unusable
    workbook (422), Google busy (503), another Google failure (502)."""
    if isinstance(error, CredentialsError):
        return 403
    if isinstance(error, WorkbookError):
        return 422
    if isinstance(error, ServiceUnavailableError):
        return 503
    if isinstance(error, BackendError):
        return 502
    return 500


def build_app(config: ServeConfig, *, limiter: RateLimiter | None = None) -> Starlette:
    """The ASGI application for ``config``."""
    import requests
    from google.auth.transport.requests import Request as GoogleRequest
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    limiter = limiter or RateLimiter(config.rate_per_minute)
    certs = CertsCache(GoogleRequest(requests.Session()), config.certs_url)

    def answer(status: int, body: dict[str, Any], started: float, **log: Any) -> JSONResponse:
        log_event(status=status, duration_ms=round((time.monotonic() - started) * 1000), **log)
        headers = {"Cache-Control": "no-store"}
        if status == 429 and "retry_after" in body:
            headers["Retry-After"] = str(body["retry_after"])
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="sheetops"'
        return JSONResponse(body, status_code=status, headers=headers)

    async def read_body(request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > config.max_body):
            raise BadRequest(413, "too_large", f"the request is larger than {config.max_body} bytes")
        chunks = bytearray()
        async for chunk in request.stream():
            chunks += chunk
            if len(chunks) > config.max_body:
                raise BadRequest(413, "too_large", f"the request is larger than {config.max_body} bytes")
        return bytes(chunks)

    def parse(body: bytes) -> dict[str, Any]:
        try:
            data = json.loads(body or b"null")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise BadRequest(400, "bad_body", 'the body must be JSON: {"spreadsheet": ID, "access_token": TOKEN}')
        spreadsheet = data.get("spreadsheet")
        if not isinstance(spreadsheet, str) or not ID_PATTERN.match(spreadsheet):
            raise BadRequest(400, "bad_spreadsheet", "spreadsheet must be the spreadsheet's id")
        token = data.get("access_token")
        if not isinstance(token, str) or not token.strip() or len(token) > 4096:
            raise BadRequest(400, "bad_access_token", "access_token must be the caller's OAuth access token")
        if config.spreadsheets and spreadsheet not in config.spreadsheets:
            raise BadRequest(403, "spreadsheet_not_served", "this service does not serve that spreadsheet")
        return data

    async def handle(request: Request, job: str) -> JSONResponse:
        started = time.monotonic()
        log: dict[str, Any] = {"event": job, "path": request.url.path}
        try:
            body = await read_body(request)
            authorization = request.headers.get("authorization")
            caller: Caller = await run_in_threadpool(identify, authorization, config, certs)
            log.update(caller=caller.key, auth=caller.method)
            wait = limiter.take(caller.key)
            if wait > 0:
                retry = max(1, round(wait))
                return answer(429, {"ok": False, "error": "rate_limited", "retry_after": retry,
                                    "message": f"too many requests; try again in {retry} s"}, started,
                              reason="rate_limited", **log)
            data = parse(body)
            log["spreadsheet"] = data["spreadsheet"]
            result = await run_in_threadpool(run_job, job, data, caller, config)
        except Refused as refused:
            return answer(refused.status, {"ok": False, "error": refused.reason,
                                           "message": "not allowed" if refused.status == 403 else "not signed in"},
                          started, reason=refused.reason, **refused.details, **log)
        except BadRequest as bad:
            return answer(bad.status, {"ok": False, "error": bad.reason, "message": str(bad)}, started,
                          reason=bad.reason, **log)
        except SheetopsError as error:
            return answer(status_of(error), {"ok": False, "error": error_kind_of(error), "message": str(error)},
                          started, reason=error_kind_of(error), **log)
        return answer(200, {"ok": True, **result}, started, **log)

    async def sync(request: Request) -> JSONResponse:
        return await handle(request, "sync")

    async def check(request: Request) -> JSONResponse:
        return await handle(request, "check")

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    return Starlette(routes=[
        Route("/sync", sync, methods=["POST"]),
        Route("/check", check, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ])


def caller_credentials(access_token: str, caller: Caller) -> Any:
    """The caller's own access token as Google credentials: no refresh token, no key."""
    from google.oauth2.credentials import Credentials

    from sheetops.backends.gsheets import GoogleCredentials

    credentials: Any = Credentials
    account = caller.key if "@" in caller.key else None
    return GoogleCredentials(credentials(token=access_token.strip()), "user", account,
                             "the caller's Google sign-in (sheetops serve)")


def run_job(job: str, data: dict[str, Any], caller: Caller, config: ServeConfig) -> dict[str, Any]:
    """The very same library call as ``sheetops sync URL`` / ``sheetops check URL``."""
    from sheetops import api
    from sheetops.backends.addresses import spreadsheet_url

    url = spreadsheet_url(data["spreadsheet"])
    credentials = caller_credentials(data["access_token"], caller)
    if job == "check":
        checked = api.check(url, template=config.template, credentials=credentials)
        return {"report": checked.as_dict()}
    today = config.today or dt.date.today()
    report = api.sync(url, template=config.template, credentials=credentials, today=today)
    return {"report": report.as_dict()}
