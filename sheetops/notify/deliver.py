"""Sending messages through apprise: the only part of notifications that opens a socket.

:func:`deliver` turns each :class:`~sheetops.notify.compose.Outgoing` into one apprise
notification: an e-mail through the settings' SMTP server, a Telegram message through the
settings' bot, or a named destination's (or a Contact's own) apprise URL. Whatever
happens is a :class:`Delivery` whose reason, if any, says what to do, with every secret
of the settings masked. apprise's own log is caught while it works, masked, and used as
the reason of a failure; nothing of it reaches the terminal or a log file.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlencode

from sheetops.errors import MissingExtraError
from sheetops.messages import message
from sheetops.notify.compose import Message, Outgoing
from sheetops.notify.config import CONFIG_FILE, NotifyConfig
from sheetops.notify.contacts import Contact, parse_contact

Status = Literal["sent", "failed", "no_contact", "dry_run"]
Via = Literal["email", "telegram", "destination", "url"]


@dataclass(frozen=True)
class Delivery:
    """What became of one message: sent, failed, not sendable (no contact), or shown only."""

    kind: str
    person: str | None
    contact: str | None  # as typed, secrets masked
    via: Via | None
    subject: str
    status: Status
    reason: str | None = None  # why not, and what to do

    @property
    def ok(self) -> bool:
        return self.status in ("sent", "dry_run")

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "person": self.person, "contact": self.contact, "via": self.via,
                "subject": self.subject, "status": self.status, "reason": self.reason}


class Unreachable(Exception):
    """A contact sheetops cannot send to with these settings; the message says what to do."""


def apprise_url(contact: Contact, config: NotifyConfig, lang: str) -> tuple[str, Via]:
    """The apprise URL that reaches a contact, with the settings' secrets in it."""
    if contact.kind == "email":
        email = config.email
        if email is None:
            raise Unreachable(message("notify.reason.email_not_set_up", lang))
        sender = email.from_address
        if sender is None:
            raise Unreachable(message("notify.reason.email_no_from", lang, path=_settings_path(config)))
        scheme = "mailto" if email.security == "none" else "mailtos"
        login = ""
        if email.user:
            login = quote(email.user, safe="")
            if email.password:
                login += ":" + quote(email.password, safe="")
            login += "@"
        query = urlencode({"smtp": email.server, "mode": "insecure" if email.security == "none" else email.security,
                           "from": sender, "to": contact.text, "format": "text"})
        return f"{scheme}://{login}{email.server}:{email.port}/?{query}", "email"
    if contact.kind == "telegram":
        telegram = config.telegram
        if telegram is None:
            raise Unreachable(message("notify.reason.telegram_not_set_up", lang))
        chat = telegram.chats.get(contact.telegram_name, contact.text)
        return f"tgram://{telegram.bot_token}/{quote(chat, safe='@-')}/?format=text", "telegram"
    if contact.kind == "name":
        url = config.destination(contact.text)
        if url is None:
            raise Unreachable(message("notify.reason.unknown_destination", lang, name=contact.text,
                                      path=_settings_path(config)))
        return url, "destination"
    return contact.text, "url"


def _settings_path(config: NotifyConfig) -> str:
    return str(config.path) if config.path is not None else CONFIG_FILE


def require_apprise() -> Any:
    try:
        with _quiet_imports():
            import apprise
    except ImportError:
        raise MissingExtraError('notifications need extra packages (apprise is missing); install them with: '
                                'pip install "sheetops[notify]"') from None
    return apprise


@contextmanager
def _quiet_imports() -> Iterator[None]:
    # apprise's e-mail plugin imports the standard library's imghdr, deprecated in 3.11.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


class _Caught(logging.Handler):
    """apprise's warnings, and the exceptions it logs only for debugging (the server's own answer)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a malformed log call must not stop a delivery
            text = str(record.msg)
        if record.levelno >= logging.WARNING:
            self.records.append(text)
        elif "Exception:" in text:
            self.records.append(text.split("Exception:", 1)[1].strip())


@contextmanager
def _apprise_log() -> Iterator[_Caught]:
    """apprise's warnings, caught (never printed: they can hold addresses) for the reason of a failure."""
    logger = logging.getLogger("apprise")
    caught = _Caught()
    saved = logger.propagate, logger.level
    logger.addHandler(caught)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    try:
        yield caught
    finally:
        logger.removeHandler(caught)
        logger.propagate, level = saved[0], saved[1]
        logger.setLevel(level)


def send_one(url: str, item: Message, lang: str) -> str | None:
    """Send one message to one apprise URL; None when it went, else apprise's reason (unmasked)."""
    apprise = require_apprise()
    with _quiet_imports(), _apprise_log() as caught:
        asset = apprise.AppriseAsset(app_id="sheetops", app_desc="sheetops")
        sender = apprise.Apprise(asset=asset)
        if not sender.add(url):
            return message("notify.reason.bad_url", lang)
        try:
            sent = sender.notify(body=item.body, title=item.subject, body_format=apprise.NotifyFormat.TEXT,
                                 attach=list(item.attachments) or None)
        except Exception as exc:  # a plugin's own bug must not stop the other deliveries
            return f"{type(exc).__name__}: {exc}"
    if sent:
        return None
    return " ".join(dict.fromkeys(caught.records[-3:])) or message("notify.reason.unknown", lang)


def deliver(outgoing: Sequence[Outgoing], config: NotifyConfig, lang: str, *, dry_run: bool = False,
            roles_tab: str = "Roles") -> tuple[Delivery, ...]:
    """Send each message (or, with ``dry_run``, only say where it would go)."""
    return tuple(_deliver_one(item, config, lang, dry_run=dry_run, roles_tab=roles_tab) for item in outgoing)


def _deliver_one(item: Outgoing, config: NotifyConfig, lang: str, *, dry_run: bool, roles_tab: str) -> Delivery:
    recipient, text = item.recipient, item.message

    def result(status: Status, via: Via | None = None, reason: str | None = None) -> Delivery:
        return Delivery(text.kind, recipient.person, config.mask(recipient.contact) if recipient.contact else None,
                        via, text.subject, status, config.mask(reason) if reason else None)

    if not recipient.contact:
        return result("no_contact", reason=recipient.unreachable or message(
            "notify.reason.no_person", lang, role=recipient.role or "CMO", tab=roles_tab))
    contact = parse_contact(recipient.contact)
    if contact is None:
        return result("failed", reason=message("notify.reason.bad_contact", lang, contact=recipient.contact,
                                               cell=recipient.where or roles_tab))
    try:
        url, via = apprise_url(contact, config, lang)
    except Unreachable as exc:
        return result("failed", reason=str(exc))
    if dry_run:
        return result("dry_run", via)
    problem = send_one(url, text, lang)
    if problem is None:
        return result("sent", via)
    return result("failed", via, message("notify.reason.failed", lang, problem=problem, fix=message(
        f"notify.fix.{via}", lang)))
