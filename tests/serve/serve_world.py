"""The world of the service's tests: an emulated Google over HTTP, a Google-like issuer of
identity tokens whose certificates are served over HTTP, and ``sheetops serve`` itself on
a free port, run by uvicorn in a thread.

Nothing of google-auth is replaced: the service verifies the tokens with
``google.oauth2.id_token`` against the certificates this issuer serves, as it would
against Google's, and syncs through the real gspread client against the emulator.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DEMO_TODAY = dt.date(2026, 11, 27)
AUDIENCE = "1234567890-sheetopsmenu.apps.googleusercontent.com"
ANNA = "anna@company.example"
SECRET = "s3cret-" + "x" * 40  # the shared secret the service is given


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Issuer:
    """Signs identity tokens as Google's sign-in does (RS256, a key id, Google's claims) and
    serves its certificates in the format of https://www.googleapis.com/oauth2/v1/certs."""

    private_pem: bytes
    key_id: str
    certs_url: str
    fetches: list[str]

    def token(self, email: str = ANNA, *, audience: str = AUDIENCE, issuer: str = "https://accounts.google.com",
              verified: bool = True, expires_in: int = 3600, **extra: Any) -> str:
        from google.auth import crypt, jwt

        now = int(time.time())
        claims = {"iss": issuer, "aud": audience, "azp": audience, "sub": str(abs(hash(email))), "email": email,
                  "email_verified": verified, "iat": now, "exp": now + expires_in, **extra}
        signer = crypt.RSASigner.from_string(self.private_pem, self.key_id)
        encoded: bytes = jwt.encode(signer, claims)
        return encoded.decode()


@functools.cache
def _key_and_certificate(who: str = "issuer") -> tuple[bytes, bytes]:
    """A key and its certificate for ``who``, made once per test run."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sheetops-test-issuer")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                   .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return private, certificate.public_bytes(serialization.Encoding.PEM)


@contextmanager
def running_issuer() -> Iterator[Issuer]:
    private, certificate = _key_and_certificate()
    key_id = "test-key-1"
    fetches: list[str] = []
    body = json.dumps({key_id: certificate.decode()}).encode()

    class Certs(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            fetches.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Certs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Issuer(private, key_id, f"http://127.0.0.1:{server.server_address[1]}/oauth2/v1/certs", fetches)
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def running_service(config: Any) -> Iterator[str]:
    """``sheetops serve``'s application under uvicorn on a free loopback port; its base URL."""
    import uvicorn

    from sheetops.serve.app import build_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(build_app(config), host="127.0.0.1", port=port, log_config=None,
                                           access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the service did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def make_demo(key: Path) -> str:
    from sheetops.backends.gsheets import provision_gsheets
    from sheetops.provision import build_layout
    from sheetops.templates import load_template

    layout = build_layout(load_template(), lang="en", channels=None, demo=True, today=DEMO_TODAY)
    tabs = tuple(dataclasses.replace(tab, dropdowns=tuple(dataclasses.replace(d, last_row=min(d.last_row, 999))
                                                          for d in tab.dropdowns)) for tab in layout.tabs)
    short = dataclasses.replace(layout, tabs=tabs)
    return provision_gsheets(short, title="Marketing", shares=[(ANNA, "writer")], credentials=key)
