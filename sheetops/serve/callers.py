"""Who is calling: an identity token Google signed for an allowed person, or the shared secret.

:func:`identify` answers a :class:`Caller` or raises :class:`Refused` with the HTTP status
(401: no or bad credentials; 403: a real Google user who is not allowed) and a reason
for the log. It reads no spreadsheet: a refused request reaches nothing.
"""

from __future__ import annotations

import hmac
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sheetops.serve.config import ServeConfig


@dataclass(frozen=True)
class Caller:
    """A caller let in: its key for the rate limit and the log, and how it proved itself."""

    key: str  # the verified e-mail address, or "shared-secret"
    method: str  # "identity_token" or "shared_secret"


class Refused(Exception):
    """The request is refused before anything is read: ``status`` 401 or 403."""

    def __init__(self, status: int, reason: str, **details: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.details = details  # safe to log: never a token


def bearer(header: str | None) -> str:
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refused(401, "no_credentials")
    return token.strip()


def identify(authorization: str | None, config: ServeConfig, request: Any) -> Caller:
    """Check the Authorization header; ``request`` is a google-auth transport Request
    (used to fetch Google's signing certificates)."""
    token = bearer(authorization)
    if config.secret is not None and hmac.compare_digest(token.encode(), config.secret.encode()):
        return Caller("shared-secret", "shared_secret")
    if not config.audiences:
        raise Refused(401, "bad_secret")
    return _verify_identity(token, config, request)


def _verify_identity(token: str, config: ServeConfig, request: Any) -> Caller:
    from google.auth import exceptions
    from google.oauth2 import id_token

    verify: Any = id_token.verify_token
    try:
        # audience=None here: the signature and expiry are checked by google-auth, the
        # audience below, so that a well-signed token for another app is logged as such.
        claims = verify(token, request, audience=None, certs_url=config.certs_url, clock_skew_in_seconds=10)
    except (ValueError, exceptions.GoogleAuthError):
        raise Refused(401, "invalid_identity_token") from None
    if claims.get("iss") not in config.issuers:
        raise Refused(401, "wrong_issuer")
    audience = claims.get("aud")
    if audience not in config.audiences:
        # Which client the token was made for: what --audience must name (not a secret).
        raise Refused(401, "wrong_audience", audience=str(audience))
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") not in (True, "true"):
        raise Refused(401, "no_verified_email")
    if not config.allows(email):
        raise Refused(403, "caller_not_allowed", caller=email.lower())
    return Caller(email.lower(), "identity_token")


class CertsCache:
    """A google-auth transport Request that keeps Google's signing certificates as long as
    their ``Cache-Control: max-age`` says (an hour when it says nothing), so that a request,
    let in or refused, costs no call to Google; other requests go through unchanged."""

    def __init__(self, request: Any, certs_url: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.request = request
        self.certs_url = certs_url
        self.clock = clock
        self._kept: tuple[float, Any] | None = None
        self._lock = threading.Lock()

    def __call__(self, url: str, method: str = "GET", **kwargs: Any) -> Any:
        if url != self.certs_url or method != "GET":
            return self.request(url, method=method, **kwargs)
        with self._lock:
            if self._kept is not None and self._kept[0] > self.clock():
                return self._kept[1]
            response = self.request(url, method=method, **kwargs)
            if response.status == 200:
                found = re.search(r"max-age=(\d+)", str(response.headers.get("cache-control", "")))
                self._kept = (self.clock() + (int(found[1]) if found else 3600), response)
            return response
