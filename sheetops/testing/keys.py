"""Fake service-account key files for the emulator.

A key file written by :func:`write_service_account_key` is a real service-account JSON
(a fresh RSA key made with ``cryptography``) whose ``token_uri`` points at the emulator's
OAuth token endpoint, so google-auth, gspread or sheetops load it unmodified and get their
access tokens from the emulator::

    from sheetops.testing import serve
    server = serve()
    server.write_service_account_key("fake-key.json")   # token_uri -> server.token_uri
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

__all__ = ["service_account_info", "write_service_account_key"]


def service_account_info(
    token_uri: str,
    *,
    client_email: str | None = None,
    project_id: str = "sheetops-emulator",
    key_size: int = 2048,
) -> dict[str, Any]:
    """The content of a service-account key file with a freshly generated RSA key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    pem = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode("ascii")
    email = client_email or f"sheetops-{secrets.token_hex(3)}@{project_id}.iam.gserviceaccount.com"
    return {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": secrets.token_hex(20),
        "private_key": pem,
        "client_email": email,
        "client_id": str(secrets.randbelow(10**21)).rjust(21, "1"),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/" + email.replace("@", "%40"),
        "universe_domain": "googleapis.com",
    }


def write_service_account_key(
    path: str | os.PathLike[str],
    *,
    token_uri: str,
    client_email: str | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Write a fake key file to ``path`` (mode 0600); return the path and its content."""
    info = service_account_info(token_uri, client_email=client_email)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(info, fh, indent=2)
        fh.write("\n")
    return target, info
