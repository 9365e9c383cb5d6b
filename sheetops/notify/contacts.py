"""What a Contact cell of the Roles tab says: where a person's notifications go. Pure.

A Contact is one of:

* an e-mail address, ``anna@company.com``: sent through the e-mail server of the
  notification settings;
* a Telegram name, ``@anna_k``: sent by the settings' Telegram bot (a person's numeric
  chat id can be given for the name in the settings, since a bot reaches a person only by
  id);
* the name of a destination in the settings, ``team-slack``: its address, with whatever
  token it carries, stays in the settings file;
* an apprise URL, ``json://hooks.company.com/sheetops``: one without a password or token,
  since anyone who opens the workbook can read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

ContactKind = Literal["email", "telegram", "name", "url"]

_EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\".]+$")
_TELEGRAM = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://\S+$")
# Services whose address is itself the secret: a bot token, a webhook's key or signature.
TOKEN_SCHEMES = frozenset({
    "tgram", "slack", "slacks", "discord", "workflow", "workflows", "msteams", "teams", "pover", "pushover",
    "gchat", "mmost", "mmosts", "zulip", "rocket", "rockets", "ntfy", "ntfys", "signal", "signals", "line",
    "matrix", "matrixs", "mailgun", "sendgrid", "ses", "sns", "twilio", "webex", "wxteams", "opsgenie",
    "pagerduty", "pbul", "gotify", "gotifys", "join", "spush", "ifttt", "flock", "guilded",
})
_SECRET_WORDS = ("token", "key", "secret", "password", "pass", "sig", "signature", "apikey", "auth")


@dataclass(frozen=True)
class Contact:
    """A Contact cell read: its kind and the text as typed (stripped)."""

    kind: ContactKind
    text: str

    @property
    def telegram_name(self) -> str:
        """The Telegram name without its @, case-folded (names are not case-sensitive)."""
        return self.text.lstrip("@").casefold()


def parse_contact(text: str) -> Contact | None:
    """The contact a cell holds, or None when it is none of the forms above."""
    text = text.strip()
    if text.lower().startswith("mailto:") and "://" not in text:
        text = text[len("mailto:"):]
    if _EMAIL.match(text):
        return Contact("email", text)
    if _TELEGRAM.match(text):
        return Contact("telegram", text)
    if _URL.match(text):
        return Contact("url", text)
    if _NAME.match(text):
        return Contact("name", text)
    return None


def carries_secret(url: str) -> bool:
    """Whether an address holds a password or token: a service whose address is its key,
    a password before the host, or a query value named like a key."""
    match = _URL.match(url.strip())
    if match is None:
        return False
    if match[1].lower() in TOKEN_SCHEMES:
        return True
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return True  # unreadable: say so rather than guess it harmless
    if parts.password:
        return True
    return any(any(word in name.lower() for word in _SECRET_WORDS) and value
               for name, value in parse_qsl(parts.query, keep_blank_values=True))
