"""What ``sheetops serve`` accepts: who may call it, how much, and how it checks them."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass

from sheetops.errors import ConfigError

GOOGLE_CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"
GOOGLE_ISSUERS = ("accounts.google.com", "https://accounts.google.com")
SECRET_ENV = "SHEETOPS_SERVE_SECRET"
DEFAULT_MAX_BODY = 16 * 1024  # bytes: a request is a spreadsheet id and two tokens
DEFAULT_RATE = 6  # requests per caller per minute


@dataclass(frozen=True)
class ServeConfig:
    """How the service authenticates callers and limits them.

    ``audiences``: the OAuth client ids identity tokens must be made for (the Apps Script
    project's); with none, identity tokens are not accepted. ``allowed``: e-mail addresses
    (``anna@company.com``) and domains (``company.com`` or ``@company.com``) whose identity
    tokens are let in. ``secret``: a shared secret the script may send instead (kept in its
    Script Properties). ``spreadsheets``: if given, the only spreadsheet ids served.
    ``today``: the date a sync reports from (None: the clock's), for tests.
    """

    audiences: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    secret: str | None = None
    spreadsheets: tuple[str, ...] = ()
    max_body: int = DEFAULT_MAX_BODY
    rate_per_minute: int = DEFAULT_RATE
    certs_url: str = GOOGLE_CERTS_URL
    issuers: tuple[str, ...] = GOOGLE_ISSUERS
    template: str = "smb-marketing"
    today: dt.date | None = None

    def __post_init__(self) -> None:
        if not self.audiences and not self.secret:
            raise ConfigError(
                "sheetops serve needs a way to check callers: --audience CLIENT_ID with --allow EMAIL_OR_DOMAIN "
                f"(identity tokens), or a shared secret in {SECRET_ENV}; see docs/serve.md."
            )
        if self.audiences and not self.allowed:
            raise ConfigError(
                "--audience needs --allow: the e-mail addresses or domains whose identity tokens are let in "
                "(e.g. --allow company.com); see docs/serve.md."
            )
        if self.secret is not None and len(self.secret) < 32:
            raise ConfigError(f"{SECRET_ENV} is too short: use at least 32 random characters, e.g. the output of "
                              "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'.")
        if self.max_body < 256 or self.rate_per_minute < 1:
            raise ConfigError("--max-body must be at least 256 bytes and --rate at least 1 a minute.")

    def allows(self, email: str) -> bool:
        """Whether an (already verified) e-mail address is on the allow list."""
        email = email.strip().lower()
        domain = email.rpartition("@")[2]
        for entry in self.allowed:
            entry = entry.strip().lower()
            if "@" in entry.lstrip("@"):
                if email == entry:
                    return True
            elif domain == entry.lstrip("@"):
                return True
        return False


def split_list(text: str | None) -> tuple[str, ...]:
    """``"a, b,,c"`` -> ``("a", "b", "c")``: lists given in one option or variable."""
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def secret_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    return (env.get(SECRET_ENV) or "").strip() or None
