"""Credentials: which ones are used, and one clear line for every way they fail."""

from __future__ import annotations

import json
import os
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from gsheets_world import DEMO_TODAY, SERVICE_ACCOUNT, Google

from sheetops.backends.gsheets import auth, spreadsheet_url
from sheetops.backends.gsheets.auth import USER_SCOPES, resolve_credentials
from sheetops.errors import BackendError, CredentialsError
from sheetops.layout import WorkbookLayout
from sheetops.sync.engine import run_sync
from sheetops.templates import Template

USER = "anna@example.com"


def one_line(error: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(error.value)
    assert "\n" not in message and "PRIVATE KEY" not in message and "ya29." not in message
    return message


# Which credentials --------------------------------------------------------------------


def test_no_credentials_anywhere_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    from google.auth.compute_engine import _metadata

    monkeypatch.setattr(_metadata, "_NO_GCE_CHECK", True)  # this is not a Google Cloud machine
    with pytest.raises(CredentialsError) as error:
        resolve_credentials()
    message = one_line(error)
    assert message.startswith("no Google credentials found; pass --credentials KEY.json")
    assert "sheetops auth login" in message and "GOOGLE_APPLICATION_CREDENTIALS" in message


def test_the_key_given_wins_over_the_environment(google: Google, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    other = google.emulator.write_service_account_key(
        tmp_path / "other.json", token_uri="https://oauth2.googleapis.com/token",
        client_email="other@p.iam.gserviceaccount.com",
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(other))
    assert resolve_credentials(google.key).account == SERVICE_ACCOUNT
    found = resolve_credentials()
    assert (found.kind, found.account) == ("service_account", "other@p.iam.gserviceaccount.com")
    assert "other.json" in found.origin


def test_the_environment_wins_over_a_signed_in_user(google: Google, monkeypatch: pytest.MonkeyPatch) -> None:
    write_sign_in(google)
    assert resolve_credentials().kind == "user"
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(google.key))
    assert resolve_credentials().kind == "service_account"


def write(path: Path, content: Any) -> Path:
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist; check the path"),
        ("not json {", "is not a Google key file (not JSON)"),
        ({"installed": {"client_id": "x", "client_secret": "y"}},
         "is an OAuth client-secrets file, not a service-account key; sign in with it: sheetops auth login"),
        ({"type": "external_account"}, "is a 'external_account' file, not a service-account key"),
        ({"type": "service_account", "client_email": "x@y"}, "is a damaged service-account key"),
        ({"hello": "world"}, "is not a key file, not a service-account key"),
    ],
)
def test_an_unusable_key_file_is_named_with_what_to_do(tmp_path: Path, content: Any, message: str) -> None:
    path = tmp_path / "key.json"
    if content is not None:
        write(path, content)
    with pytest.raises(CredentialsError) as error:
        resolve_credentials(path)
    text = one_line(error)
    assert message in text and str(path) in text and "(from --credentials)" in text


def test_a_folder_given_as_the_key(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="is a folder; give the path of the key file"):
        resolve_credentials(tmp_path)


def test_an_unreadable_key_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = write(tmp_path / "key.json", {"type": "service_account"})
    path.chmod(0)
    with pytest.raises(CredentialsError, match="cannot read the key file .*Permission denied"):
        resolve_credentials(path)


def test_a_key_readable_by_other_users_draws_a_warning(google: Google, capsys: pytest.CaptureFixture[str]) -> None:
    google.key.chmod(0o644)
    resolve_credentials(google.key)
    err = capsys.readouterr().err
    assert err == f"Warning: the key file {google.key} can be read by other users of this computer; " \
                  f"run: chmod 600 {google.key}\n"
    google.key.chmod(0o600)
    resolve_credentials(google.key)
    assert capsys.readouterr().err == ""


# What the service refuses --------------------------------------------------------------


def service_disabled(service: str, name: str) -> dict[str, Any]:
    """Google's answer when an API is not enabled in the key's project."""
    url = f"https://console.developers.google.com/apis/api/{service}/overview?project=123456789"
    return {"error": {
        "code": 403,
        "message": f"{name} has not been used in project 123456789 before or it is disabled. Enable it by "
                   f"visiting {url} then retry.",
        "status": "PERMISSION_DENIED",
        "details": [{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "SERVICE_DISABLED",
            "domain": "googleapis.com",
            "metadata": {"service": service, "consumer": "projects/123456789", "activationUrl": url},
        }],
    }}


def test_the_sheets_api_not_enabled(google: Google, short_layouts: dict[str, WorkbookLayout],
                                    template: Template) -> None:
    url = google.provision(short_layouts["blank_en"])
    google.emulator.inject(403, match="spreadsheets.get",
                           body=service_disabled("sheets.googleapis.com", "Google Sheets API"))
    with pytest.raises(CredentialsError) as error:
        run_sync(google.backend(url), template, as_of=DEMO_TODAY)
    assert one_line(error) == (
        "the Google Sheets API is not enabled in the Google Cloud project 123456789; enable it at "
        "https://console.developers.google.com/apis/api/sheets.googleapis.com/overview?project=123456789, "
        "wait a minute and run again (see docs/google-sheets.md)."
    )


def test_the_drive_api_not_enabled_in_its_own_words(google: Google, short_layouts: dict[str, WorkbookLayout]) -> None:
    """Drive v3 answers in its older envelope: reason accessNotConfigured."""
    google.emulator.inject(403, match="permissions.create", body={"error": {
        "code": 403,
        "message": "Access Not Configured. Google Drive API has not been used in project 42 before or it is "
                   "disabled. Enable it by visiting https://console.developers.google.com/apis/api/drive.googleapis"
                   ".com/overview?project=42 then retry.",
        "errors": [{"domain": "usageLimits", "reason": "accessNotConfigured", "message": "Access Not Configured."}],
    }})
    with pytest.raises(CredentialsError) as error:
        google.provision(short_layouts["blank_en"], shares=[("anna@example.com", "writer")])
    message = one_line(error)
    assert message.startswith("the Google Drive API is not enabled in your Google Cloud project; enable it at "
                              "https://console.developers.google.com/apis/api/drive.googleapis.com/overview?project=42")
    assert "was created; share it by hand" in message


def test_a_spreadsheet_not_shared_with_the_service_account(google: Google, template: Template) -> None:
    private = google.emulator.add_foreign_spreadsheet()
    with pytest.raises(CredentialsError) as error:
        run_sync(google.backend(spreadsheet_url(private)), template, as_of=DEMO_TODAY)
    assert one_line(error) == (
        f"the spreadsheet {spreadsheet_url(private)} is not shared with {SERVICE_ACCOUNT}; share the spreadsheet "
        f"with the service account {SERVICE_ACCOUNT} (as Editor), or check the address."
    )


def test_a_spreadsheet_shared_read_only(google: Google, short_layouts: dict[str, WorkbookLayout],
                                        template: Template, tmp_path: Path) -> None:
    owner = google.emulator.write_service_account_key(
        tmp_path / "owner.json", token_uri="https://oauth2.googleapis.com/token",
        client_email="owner@p.iam.gserviceaccount.com",
    )
    url = google.provision(short_layouts["demo_en"], credentials=owner, shares=[(SERVICE_ACCOUNT, "reader")])
    assert run_sync(google.backend(url), template, as_of=DEMO_TODAY, dry_run=True).breaches  # reading works
    with pytest.raises(CredentialsError) as error:
        run_sync(google.backend(url), template, as_of=DEMO_TODAY)
    assert one_line(error) == (
        f"the spreadsheet {url} is not shared as Editor with {SERVICE_ACCOUNT}; share the spreadsheet with the "
        f"service account {SERVICE_ACCOUNT} (as Editor), or check the address."
    )


def test_a_spreadsheet_that_does_not_exist(google: Google, template: Template) -> None:
    missing = "1" + "x" * 43
    with pytest.raises(CredentialsError, match=f"was not found or is not shared with {SERVICE_ACCOUNT}"):
        run_sync(google.backend(missing), template, as_of=DEMO_TODAY)


def test_a_service_account_key_google_refuses(google: Google, short_layouts: dict[str, WorkbookLayout]) -> None:
    google.emulator.inject(400, match="oauth.token", body={"error": "invalid_grant",
                                                          "error_description": "Invalid JWT Signature."})
    with pytest.raises(CredentialsError) as error:
        google.provision(short_layouts["blank_en"])
    message = one_line(error)
    assert message.startswith("Google refused the credentials (invalid_grant): the key (the key file ")
    assert "create a new key for the service account" in message


def test_an_expired_or_revoked_sign_in(google: Google, short_layouts: dict[str, WorkbookLayout]) -> None:
    write_sign_in(google, token="expired")
    google.emulator.inject(400, match="oauth.token", body={"error": "invalid_grant",
                                                          "error_description": "Token has been expired or revoked."})
    with pytest.raises(CredentialsError) as error:
        google.provision(short_layouts["blank_en"], credentials=None, key_file=False)
    assert one_line(error) == (
        "your Google sign-in has expired or was revoked; sign in again with: sheetops auth login --client-secrets FILE"
    )


def test_a_network_that_does_not_reach_google(google: Google, short_layouts: dict[str, WorkbookLayout]) -> None:
    from sheetops.backends.gsheets.http import GoogleSettings

    google.settings = GoogleSettings(api_url="http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(BackendError, match=r"cannot reach Google for the new spreadsheet 'Marketing' \(connection re"):
        google.provision(short_layouts["blank_en"])


# Signing in as yourself ---------------------------------------------------------------


def write_sign_in(google: Google, *, token: str | None = None) -> Path:
    """A cached sign-in as ``sheetops auth login`` leaves it (for the emulator's owner)."""
    path = auth.token_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {
        "token": token or google.emulator.issue_token(),
        "refresh_token": "1//refresh",
        "token_uri": "https://oauth2.googleapis.com/token",
        "client_id": "sheetops-test.apps.googleusercontent.com",
        "client_secret": "secret",
        "scopes": list(USER_SCOPES),
        "expiry": "2000-01-01T00:00:00Z" if token == "expired" else None,
        "account": google.emulator.owner_email,
    }
    return write(path, content)


class FakeGoogleSignIn:
    """Google's sign-in page and token endpoint, as far as the installed-app flow sees them.

    The browser "opens" the sign-in URL and comes back to the local redirect with a code;
    the token endpoint exchanges the code for a token the emulator issued and an ID token
    with the user's e-mail address.
    """

    def __init__(self, google: Google) -> None:
        self.google = google
        self.codes: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                outer.codes.append(form["code"][0])
                claims = json.dumps({"email": USER, "sub": "1"}).encode()
                import base64

                part = base64.urlsafe_b64encode(claims).rstrip(b"=").decode()
                body = json.dumps({
                    "access_token": outer.google.emulator.issue_token(USER),
                    "refresh_token": "1//refresh-token-for-anna",
                    "expires_in": 3600,
                    "token_type": "Bearer",
                    "scope": " ".join(USER_SCOPES),
                    "id_token": f"eyJhbGciOiJub25lIn0.{part}.",
                }).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def client_secrets(self, path: Path) -> Path:
        base = f"http://127.0.0.1:{self.server.server_port}"
        return write(path, {"installed": {
            "client_id": "sheetops-test.apps.googleusercontent.com",
            "client_secret": "not-so-secret",
            "auth_uri": f"{base}/auth",
            "token_uri": f"{base}/token",
            "redirect_uris": ["http://localhost"],
        }})

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        """The person's browser: signs in and is sent back to sheetops' local page."""
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        back = f"{query['redirect_uri'][0]}?code=4/abc&state={query['state'][0]}&scope={'+'.join(USER_SCOPES)}"
        threading.Thread(target=lambda: urllib.request.urlopen(back, timeout=10).read(), daemon=True).start()
        return True

    def __enter__(self) -> FakeGoogleSignIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sign_in(google: Google, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogleSignIn]:
    import webbrowser

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake token endpoint is plain http
    with FakeGoogleSignIn(google) as fake:
        monkeypatch.setattr(webbrowser, "get", lambda using=None: fake)
        yield fake


def test_login_status_logout(google: Google, sign_in: FakeGoogleSignIn, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    assert auth.status().signed_in_as is None
    assert auth.login(sign_in.client_secrets(tmp_path / "client.json")) == USER
    assert sign_in.codes == ["4/abc"]
    cached = auth.token_path()
    assert cached.stat().st_mode & 0o777 == 0o600
    status = auth.status()
    assert (status.signed_in_as, status.token_file) == (USER, cached)
    assert status.active == f"the signed-in user {USER}"
    assert "refresh-token-for-anna" not in repr(status) and "ya29." not in repr(status)
    assert "refresh-token-for-anna" not in capsys.readouterr().out
    assert auth.logout() is True and not cached.exists()
    assert auth.logout() is False
    assert auth.status().signed_in_as is None


def test_the_signed_in_user_provisions_and_syncs(google: Google, sign_in: FakeGoogleSignIn, tmp_path: Path,
                                                 short_layouts: dict[str, WorkbookLayout],
                                                 template: Template) -> None:
    auth.login(sign_in.client_secrets(tmp_path / "client.json"))
    url = google.provision(short_layouts["demo_en"], key_file=False)
    assert google.emulator.files[url.split("/d/")[1].split("/")[0]].owner == USER
    report = run_sync(google.backend(url, key_file=False), template, as_of=DEMO_TODAY)
    assert report.written


def test_a_service_account_key_is_not_a_client_secrets_file(google: Google) -> None:
    with pytest.raises(CredentialsError, match="is not an OAuth client-secrets file \\(it is a service-account key"):
        auth.login(google.key)


def test_status_names_the_key_in_the_environment(google: Google, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(google.key))
    status = auth.status()
    assert (status.key_file, status.key_account) == (google.key, SERVICE_ACCOUNT)
    assert status.active == f"the key file {google.key} (GOOGLE_APPLICATION_CREDENTIALS), service account " \
                            f"{SERVICE_ACCOUNT}"
