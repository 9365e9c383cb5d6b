"""The worlds notifications are tested in: a real SMTP server, a real HTTP server, the
settings file, and demo workbooks whose Roles have contacts and one channel whose
report is missing.

E-mail is received for real by aiosmtpd and parsed; webhooks by a local HTTP server.
Telegram, Slack and Power Automate have fixed addresses on the internet: their requests
are checked at the HTTP layer (``responses``, under apprise's own use of requests).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetops.templates import Template

WEEK = dt.date(2026, 11, 23)  # the demo's reported week (as of Friday 27 November 2026)
SMTP_USER = "reports@example.com"
SMTP_PASSWORD = "s3cret-Pa55:w/rd"  # noqa: S105 - a test secret, checked never to be shown
BOT_TOKEN = "123456789:AAHsecretTokenValue_for-tests"  # noqa: S105
SLACK_URL = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
CONTACTS = {  # the demo's people (en) and where they are reached
    "Maria Ivanova": "maria@example.com",  # CMO
    "Anna Kuznetsova": "anna@example.com",  # Search ads, Social ads
    "Oleg Smirnov": "oleg@example.com",  # Blog
    "Dmitry Sokolov": "dmitry@example.com",  # E-mail, Messengers
}
CONTACTS_RU = {
    "Мария Иванова": "maria@example.com",
    "Анна Кузнецова": "anna@example.com",
    "Олег Смирнов": "oleg@example.com",
    "Дмитрий Соколов": "dmitry@example.com",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mailbox:
    """What the SMTP server received: one parsed message per envelope and recipient list."""

    host: str
    port: int
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.received if address in rcpt]

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(("plain",))
        assert part is not None
        return str(part.get_content()).replace("\r\n", "\n")


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1 that takes sheetops' login and keeps every message."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    box = Mailbox("127.0.0.1", free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            parsed = email.message_from_bytes(envelope.original_content or envelope.content,
                                              policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            box.received.append((list(envelope.rcpt_tos), parsed))
            return "250 OK"

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        login, password = auth_data.login.decode(), auth_data.password.decode()
        box.logins.append((login, password))
        if (login, password) == (SMTP_USER, SMTP_PASSWORD):
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False, message="535 5.7.8 Authentication credentials invalid")

    controller = Controller(Handler(), hostname=box.host, port=box.port, authenticator=authenticate,
                            auth_require_tls=False, auth_exclude_mechanism=["CRAM-MD5", "LOGIN"])
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class Hook:
    """A local HTTP server that answers 200 and keeps each request."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def webhook() -> Iterator[Hook]:
    hook = Hook("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            hook.requests.append({"method": "POST", "path": self.path, "headers": dict(self.headers),
                                  "json": json.loads(body) if body else None})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.url = f"127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()


def settings_text(box: Mailbox | None = None, *, extra: str = "") -> str:
    """A settings file: e-mail through the local server (with login), Telegram, a Slack destination."""
    text = ""
    if box is not None:
        text += (f'[email]\nserver = "{box.host}"\nport = {box.port}\nsecurity = "none"\n'
                 f'user = "{SMTP_USER}"\npassword = "{SMTP_PASSWORD}"\nfrom = "{SMTP_USER}"\n\n')
    text += f'[telegram]\nbot_token = "{BOT_TOKEN}"\n[telegram.chats]\nanna_k = 987654321\n\n'
    text += f'[destinations]\nteam-slack = "{SLACK_URL}"\n' + extra
    return text


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where this test's notification settings live (SHEETOPS_NOTIFY_CONFIG); not written yet."""
    path = tmp_path / "config" / "notify.toml"
    monkeypatch.setenv("SHEETOPS_NOTIFY_CONFIG", str(path))
    return path


def write_settings(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def prepare_workbook(path: Path, template: Template, lang: str, *, contacts: dict[str, str],
                     missing: str | None = None, report_week: dt.date = WEEK) -> Path:
    """Type contacts into Roles and, for ``missing``, take the week's facts away (its report is missing)."""
    book = openpyxl.load_workbook(path)

    def sheet(key: str) -> Any:
        return book[template.tab(key).name[lang]]

    def column(key: str, column_key: str) -> int:
        headers = [c.value for c in sheet(key)[1]]
        return headers.index(template.tab(key).column(column_key).header[lang]) + 1

    roles = sheet("roles")
    for row in range(2, roles.max_row + 1):
        person = roles.cell(row, column("roles", "person")).value
        if person in contacts:
            roles.cell(row, column("roles", "contact")).value = contacts[person]
    if missing is not None:
        plan_fact = sheet("plan_fact")
        facts = ("spend", "leads", "orders", "revenue", "traffic", "new_customers", "repeat_orders", "emails_sent",
                 "unsubscribes")
        for row in range(2, plan_fact.max_row + 1):
            week = plan_fact.cell(row, column("plan_fact", "week")).value
            if plan_fact.cell(row, column("plan_fact", "channel")).value == missing and \
                    week is not None and week.date() == report_week:
                for key in facts:
                    plan_fact.cell(row, column("plan_fact", key)).value = None
        daily = sheet("daily")
        for row in range(daily.max_row, 1, -1):
            day = daily.cell(row, column("daily", "date")).value
            if daily.cell(row, column("daily", "channel")).value == missing and day is not None and \
                    day.date() >= report_week:
                daily.delete_rows(row)
    book.save(path)
    return path


@pytest.fixture
def team_xlsx(demo_xlsx: Path, template: Template) -> Path:
    """The English demo with contacts for the CMO and three owners, and Blog's report missing."""
    return prepare_workbook(demo_xlsx, template, "en", contacts=CONTACTS, missing="Blog")


@pytest.fixture
def team_xlsx_ru(demo_xlsx_ru: Path, template: Template) -> Path:
    """The Russian demo, likewise (Блог's report missing)."""
    return prepare_workbook(demo_xlsx_ru, template, "ru", contacts=CONTACTS_RU, missing="Блог")
