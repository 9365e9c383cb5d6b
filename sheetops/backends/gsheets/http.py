"""Talking to Google: the endpoint setting, and an HTTP client that retries within a budget.

gspread sends every call through an :class:`gspread.http_client.HTTPClient`.
:class:`RetryingHTTPClient` is one that retries what is worth retrying (429 quota
answers, 5xx server errors, Drive's 403 rate-limit answers, timeouts) with exponential
backoff and full jitter, waits as long as a ``Retry-After`` header asks, and gives up
once the next wait would overrun the total budget (:class:`GoogleSettings`). gspread's own
``BackOffHTTPClient`` is not used: in gspread 6.2.1 it never gives up.

:class:`EndpointAdapter` points every Sheets and Drive call at another base URL (the
``SHEETOPS_GOOGLE_API_URL`` setting, e.g. a local emulator) without changing gspread: it
is mounted on the session for Google's hosts and forwards each request, with its URL
rewritten, to whatever adapter the session has for the new address.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import random
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from sheetops.errors import BackendError

if TYPE_CHECKING:
    import requests

API_URL_ENV = "SHEETOPS_GOOGLE_API_URL"
RETRY_BUDGET_ENV = "SHEETOPS_GOOGLE_RETRY_BUDGET"
DEFAULT_RETRY_BUDGET = 60.0  # seconds
# Google's hosts that sheetops calls, and the path each keeps under another base URL.
GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com", "https://script.googleapis.com")
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"})


@dataclass(frozen=True)
class GoogleSettings:
    """Where the Google APIs are and how long to keep trying. Read from the environment.

    ``api_url``: a base URL that replaces ``https://sheets.googleapis.com`` and
    ``https://www.googleapis.com`` (``SHEETOPS_GOOGLE_API_URL``), for an emulator.
    ``retry_budget``: seconds a call may spend waiting and retrying in all
    (``SHEETOPS_GOOGLE_RETRY_BUDGET``). ``timeout``: seconds to connect, and to wait for an
    answer, per attempt.
    """

    api_url: str | None = None
    retry_budget: float = DEFAULT_RETRY_BUDGET
    timeout: tuple[float, float] = (10.0, 120.0)
    # Backoff: the n-th retry waits a random time up to min(max_wait, first_wait * 2**n).
    first_wait: float = 1.0
    max_wait: float = 32.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> GoogleSettings:
        env = os.environ if environ is None else environ
        api_url = (env.get(API_URL_ENV) or "").strip().rstrip("/") or None
        if api_url is not None and not api_url.startswith(("http://", "https://")):
            raise BackendError(
                f"{API_URL_ENV}={api_url!r} is not a web address; set it to the emulator's base URL, "
                "e.g. http://127.0.0.1:8765, or unset it to use Google."
            )
        budget_text = (env.get(RETRY_BUDGET_ENV) or "").strip()
        budget = DEFAULT_RETRY_BUDGET
        if budget_text:
            try:
                budget = float(budget_text)
            except ValueError:
                budget = -1.0
            if not 0 <= budget < float("inf"):
                raise BackendError(
                    f"{RETRY_BUDGET_ENV}={budget_text!r} is not a number of seconds; set it to e.g. 60, "
                    "or 0 to never retry."
                )
        return cls(api_url=api_url, retry_budget=budget)


def rewrite_url(url: str, api_url: str) -> str:
    """``https://sheets.googleapis.com/v4/...`` -> ``{api_url}/v4/...`` (same for Drive)."""
    for host in GOOGLE_HOSTS:
        if url == host or url.startswith(host + "/"):
            return api_url + url[len(host) :]
    return url


@cache
def _endpoint_adapter_class() -> type[Any]:
    from requests.adapters import BaseAdapter

    class EndpointAdapter(BaseAdapter):
        """Sends Google API requests to ``api_url`` through the session's adapter for it."""

        def __init__(self, session: requests.Session, api_url: str) -> None:
            super().__init__()
            self.session = session
            self.api_url = api_url

        def send(
            self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
        ) -> requests.Response:
            request.url = rewrite_url(request.url or "", self.api_url)
            adapter = self.session.get_adapter(request.url)
            if adapter is self:  # an api_url on Google's own host would loop forever
                raise BackendError(f"{API_URL_ENV} must not point at {request.url}.")
            return adapter.send(request, *args, **kwargs)

        def close(self) -> None:
            pass

    return EndpointAdapter


def point_session_at(session: requests.Session, api_url: str) -> None:
    """Make every Sheets and Drive call of ``session`` go to ``api_url`` instead of Google."""
    adapter = _endpoint_adapter_class()(session, api_url)
    for host in GOOGLE_HOSTS:
        session.mount(host + "/", adapter)


class AnswerLost(Exception):
    """A write that must not be sent twice got no answer: Google may or may not have applied it."""


def _always_resend() -> bool:
    """For a request that may be sent twice: never applied as far as a retry cares."""
    return False


_ALWAYS_RESEND: Callable[[], bool] = _always_resend


class RetryBudgetExceeded(Exception):
    """Google kept answering with a retryable error until the retry budget ran out."""

    def __init__(self, *, attempts: int, waited: float, budget: float, last: str, retry_after: float | None) -> None:
        super().__init__(last)
        self.attempts = attempts
        self.waited = waited
        self.budget = budget
        self.last = last
        self.retry_after = retry_after


@dataclass
class RequestStats:
    """What a client sent: requests (attempts included) and request body bytes."""

    requests: int = 0
    bytes_sent: int = 0
    retries: int = 0
    calls: list[str] = field(default_factory=list)  # "METHOD path" of each attempt


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """A ``Retry-After`` header (seconds, or an HTTP date) as seconds from now; None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    current = now or dt.datetime.now(dt.timezone.utc)
    return max(0.0, (when - current).total_seconds())


def _is_rate_limit(response: requests.Response) -> bool:
    """Drive answers 403 with reason rateLimitExceeded when its quota is used up."""
    if response.status_code != 403:
        return False
    try:
        error = response.json().get("error", {})
    except ValueError:
        return False
    reasons = {e.get("reason") for e in error.get("errors", []) if isinstance(e, dict)}
    reasons |= {d.get("reason") for d in error.get("details", []) if isinstance(d, dict)}
    return bool(reasons & RATE_LIMIT_REASONS)


def _describe(response: requests.Response) -> str:
    reason = {429: "too many requests: the per-minute quota is used up"}.get(response.status_code)
    if reason is None and response.status_code >= 500:
        reason = "a server error at Google"
    if reason is None and response.status_code == 403:
        reason = "rate limit exceeded"
    return f"{response.status_code} ({reason or response.reason})"


@cache
def retrying_client_class() -> type[Any]:
    """The class, built on first use so that gspread is imported only when needed."""
    import requests
    from gspread.exceptions import APIError
    from gspread.http_client import HTTPClient

    class RetryingHTTPClient(HTTPClient):
        """gspread's client with bounded retries; counts what it sends (see :class:`RequestStats`)."""

        def __init__(
            self,
            auth: Any,
            session: requests.Session | None = None,
            *,
            settings: GoogleSettings | None = None,
            sleep: Callable[[float], None] = time.sleep,
            clock: Callable[[], float] = time.monotonic,
            jitter: Callable[[], float] = random.random,
        ) -> None:
            super().__init__(auth, session)
            self.settings = settings or GoogleSettings()
            self.timeout = self.settings.timeout
            self.sleep = sleep
            self.clock = clock
            self.jitter = jitter
            self.stats = RequestStats()

        def request(
            self,
            method: str,
            endpoint: str,
            params: MutableMapping[str, Any] | None = None,
            data: bytes | None = None,
            json: Mapping[str, Any] | None = None,
            files: Any = None,
            headers: MutableMapping[str, str] | None = None,
        ) -> requests.Response:
            """Send a request that may safely be sent twice (a read, or a write that sets
            things to given values); retried after a timeout like any retryable answer."""
            return self._send(method, endpoint, params=params, data=data, json=json, files=files,
                              headers=headers, applied=_ALWAYS_RESEND)

        def write_once(
            self,
            method: str,
            endpoint: str,
            *,
            json: Mapping[str, Any],
            params: MutableMapping[str, Any] | None = None,
            applied: Callable[[], bool] | None = None,
        ) -> requests.Response | None:
            """Send a write that must not be applied twice (it adds a sheet, a row).

            After a timeout Google may have applied it and only the answer was lost, so it
            is sent again only when ``applied()`` (a read) says it was not; None when it
            was. Without ``applied`` a lost answer raises :class:`AnswerLost`."""
            return self._send(method, endpoint, params=params, json=json, applied=applied)

        def _send(
            self,
            method: str,
            endpoint: str,
            *,
            applied: Callable[[], bool] | None,
            params: MutableMapping[str, Any] | None = None,
            data: bytes | None = None,
            json: Mapping[str, Any] | None = None,
            files: Any = None,
            headers: MutableMapping[str, str] | None = None,
        ) -> requests.Response | Any:
            start = self.clock()
            attempts = 0
            while True:
                attempts += 1
                retry_after: float | None = None
                try:
                    response = self.session.request(
                        method=method,
                        url=endpoint,
                        json=json,
                        params=params,
                        data=data,
                        files=files,
                        headers=headers,
                        timeout=self.timeout,
                    )
                except requests.Timeout:
                    self._count(method, endpoint, None)
                    last = "no answer in time (timeout)"
                    if applied is None:
                        raise AnswerLost(attempts) from None
                    if applied():
                        return None
                else:
                    self._count(method, endpoint, response)
                    if response.ok:
                        return response
                    if response.status_code not in RETRY_STATUSES and not _is_rate_limit(response):
                        raise APIError(response)
                    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                    last = _describe(response)
                ceiling = min(self.settings.max_wait, self.settings.first_wait * 2 ** (attempts - 1))
                wait = retry_after if retry_after is not None else self.jitter() * ceiling
                waited = self.clock() - start
                if waited + wait > self.settings.retry_budget:
                    raise RetryBudgetExceeded(
                        attempts=attempts,
                        waited=waited,
                        budget=self.settings.retry_budget,
                        last=last,
                        retry_after=retry_after,
                    )
                self.stats.retries += 1
                self.sleep(wait)

        def _count(self, method: str, endpoint: str, response: requests.Response | None) -> None:
            self.stats.requests += 1
            self.stats.calls.append(f"{method.upper()} {endpoint}")
            body = response.request.body if response is not None else None
            if isinstance(body, (bytes, str)):
                self.stats.bytes_sent += len(body)

    return RetryingHTTPClient
