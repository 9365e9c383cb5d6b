"""Google credentials: which ones sheetops uses, and signing in as yourself.

In this order (the first that is there is used; see docs/google-sheets.md):

1. a service-account key file: ``--credentials FILE``, else ``GOOGLE_APPLICATION_CREDENTIALS``;
2. a signed-in user: the token that ``sheetops auth login`` cached in the user's
   configuration folder (readable by the user only);
3. application default credentials (``gcloud auth application-default login``, or the
   account of a Google Cloud machine).

Every failure is one :class:`~sheetops.errors.CredentialsError` line that says what to
do. Keys and tokens are never printed, logged or written anywhere but the token cache.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sheetops.errors import CredentialsError, MissingExtraError

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive",
)
# A signed-in user also shares their e-mail address, so that `auth status` can name them.
USER_SCOPES = (*SCOPES, "openid", "https://www.googleapis.com/auth/userinfo.email")
KEY_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
TOKEN_FILE = "google-token.json"
DOCS = "docs/google-sheets.md"

Kind = Literal["service_account", "user", "default"]
Warn = Callable[[str], None]


def warn_on_stderr(message: str) -> None:
    print(f"Warning: {message}", file=sys.stderr)


@dataclass(frozen=True)
class GoogleCredentials:
    """Credentials ready for the Google APIs, and who they are (for messages)."""

    credentials: Any  # google.auth.credentials.Credentials
    kind: Kind
    account: str | None  # the service account's or the signed-in user's e-mail address
    origin: str  # where they came from, e.g. "the key file /path/key.json"

    def share_hint(self) -> str:
        """How to give these credentials access to a spreadsheet, for error messages."""
        if self.kind == "service_account" and self.account:
            return f"share the spreadsheet with the service account {self.account} (as Editor)"
        if self.account:
            return f"ask its owner to share it with {self.account} (as Editor)"
        return "ask its owner to share it with the Google account sheetops uses (as Editor)"


def require_google_libraries() -> None:
    """One line that says how to install the Google extra when it is missing."""
    try:
        import google.auth  # noqa: F401
        import gspread  # noqa: F401
        import msgspec  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError(
            f"Google Sheets needs extra packages ({exc.name} is missing); "
            'install them with: pip install "sheetops[gsheets]"'
        ) from None


def config_dir() -> Path:
    """The user's sheetops configuration folder, e.g. ~/.config/sheetops on Linux."""
    import click

    return Path(click.get_app_dir("sheetops"))


def token_path(folder: Path | None = None) -> Path:
    return (folder or config_dir()) / TOKEN_FILE


def resolve_credentials(
    credentials: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    folder: Path | None = None,
    warn: Warn = warn_on_stderr,
) -> GoogleCredentials:
    """The credentials to use: a key file, else the signed-in user, else application defaults."""
    require_google_libraries()
    env = os.environ if environ is None else environ
    if credentials is not None:
        return load_key_file(Path(credentials), origin="--credentials", warn=warn)
    if env.get(KEY_ENV):
        return load_key_file(Path(env[KEY_ENV]), origin=KEY_ENV, warn=warn)
    cached = token_path(folder)
    if cached.exists():
        return load_user_token(cached)
    return application_default()


def _read_json(path: Path, origin: str, kind: str = "key file") -> dict[str, Any]:
    where = f"{path} (from {origin})"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CredentialsError(f"the {kind} {where} does not exist; check the path, see {DOCS}.") from None
    except IsADirectoryError:
        raise CredentialsError(f"{where} is a folder; give the path of the {kind} (a .json file).") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not text"
        raise CredentialsError(
            f"cannot read the {kind} {where}: {reason}; check the file and its permissions."
        ) from None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise CredentialsError(
            f"{where} is not a Google key file (not JSON); download a service-account key as JSON, see {DOCS}."
        )
    return data


def _warn_if_readable_by_others(path: Path, warn: Warn) -> None:
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if os.name == "posix" and stat.S_IMODE(mode) & 0o077:
        warn(f"the key file {path} can be read by other users of this computer; run: chmod 600 {path}")


def load_key_file(path: Path, *, origin: str, warn: Warn = warn_on_stderr) -> GoogleCredentials:
    """A service-account key (or an authorized-user file, as gcloud writes them)."""
    data = _read_json(path, origin)
    kind = data.get("type")
    where = f"{path} (from {origin})"
    if kind is None and ("installed" in data or "web" in data):
        raise CredentialsError(
            f"{where} is an OAuth client-secrets file, not a service-account key; sign in with it: "
            f"sheetops auth login --client-secrets {path}, or download a service-account key, see {DOCS}."
        )
    if kind == "service_account":
        _warn_if_readable_by_others(path, warn)
        from google.oauth2 import service_account

        key_credentials: Any = service_account.Credentials
        try:
            creds = key_credentials.from_service_account_info(data, scopes=SCOPES)
        except (ValueError, KeyError) as exc:
            raise CredentialsError(
                f"{where} is a damaged service-account key ({_first_line(exc)}); download a new key, see {DOCS}."
            ) from None
        return GoogleCredentials(creds, "service_account", data.get("client_email"), f"the key file {path}")
    if kind == "authorized_user":
        _warn_if_readable_by_others(path, warn)
        return _user_credentials(data, path, f"the user credentials file {path}")
    found = f"a {kind!r} file" if isinstance(kind, str) else "not a key file"
    raise CredentialsError(
        f"{where} is {found}, not a service-account key; download a service-account key (JSON), see {DOCS}."
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _user_credentials(data: Mapping[str, Any], path: Path, origin: str) -> GoogleCredentials:
    from google.oauth2 import credentials as user

    user_credentials: Any = user.Credentials
    try:
        creds = user_credentials.from_authorized_user_info(dict(data))
    except (ValueError, KeyError):
        raise CredentialsError(
            f"the sign-in saved in {path} is incomplete; run: sheetops auth login --client-secrets FILE"
        ) from None
    account = data.get("account")
    return GoogleCredentials(creds, "user", account if isinstance(account, str) else None, origin)


def load_user_token(path: Path) -> GoogleCredentials:
    """The user that ``sheetops auth login`` signed in."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict):
        raise CredentialsError(
            f"the saved Google sign-in {path} cannot be read; run: sheetops auth logout, then sheetops auth login"
        )
    return _user_credentials(data, path, "the signed-in user (sheetops auth login)")


def application_default() -> GoogleCredentials:
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        creds, _project = google.auth.default(scopes=SCOPES)
    except DefaultCredentialsError:
        raise CredentialsError(
            "no Google credentials found; pass --credentials KEY.json (a service-account key), set "
            f"{KEY_ENV}, or sign in with: sheetops auth login --client-secrets FILE (see {DOCS})."
        ) from None
    account = getattr(creds, "service_account_email", None)
    return GoogleCredentials(
        creds,
        "default",
        account if isinstance(account, str) and "@" in account else None,
        "application default credentials",
    )


# Signing in as yourself ------------------------------------------------------------------


@dataclass(frozen=True)
class AuthStatus:
    """Who sheetops would act as, without any secret: for ``sheetops auth status``."""

    signed_in_as: str | None  # the user of the cached sign-in, if any
    token_file: Path | None  # where that sign-in is kept
    key_file: Path | None  # the key GOOGLE_APPLICATION_CREDENTIALS names, if set
    key_account: str | None  # that key's service account, if it can be read
    active: str  # which of them a sync uses now, in words

    def lines(self) -> list[str]:
        """What ``sheetops auth status`` prints: who, where it is kept, what a sync uses."""
        found = [
            f"Signed in as {self.signed_in_as} (kept in {self.token_file})."
            if self.signed_in_as
            else "Not signed in (sign in with: sheetops auth login --client-secrets FILE)."
        ]
        if self.key_file is not None:
            account = f", service account {self.key_account}" if self.key_account else " (cannot be read)"
            found.append(f"{KEY_ENV} names the key {self.key_file}{account}.")
        found.append(f"sheetops uses {self.active}, unless a command is given --credentials FILE.")
        return found


def login(
    client_secrets: Path,
    *,
    folder: Path | None = None,
    open_browser: bool = True,
    port: int = 0,
    timeout: float | None = 300.0,
) -> str:
    """Run Google's sign-in in the browser with an OAuth client (installed app) and cache the
    token for this user only. Returns the e-mail address signed in (or "your Google account")."""
    require_google_libraries()
    data = _read_json(Path(client_secrets), "--client-secrets", "client-secrets file")
    if "installed" not in data and "web" not in data:
        kind = " (it is a service-account key; use it with --credentials)" if data.get("type") else ""
        raise CredentialsError(
            f"{client_secrets} is not an OAuth client-secrets file{kind}; create an OAuth client of type "
            f"Desktop app and download its JSON, see {DOCS}."
        )
    try:
        from google_auth_oauthlib.flow import InstalledAppFlow
    except ImportError:
        raise MissingExtraError(
            'signing in needs google-auth-oauthlib; install it with: pip install "sheetops[gsheets]"'
        ) from None
    from google.auth.exceptions import GoogleAuthError

    flow = InstalledAppFlow.from_client_config(data, scopes=list(USER_SCOPES))
    try:
        creds = flow.run_local_server(
            port=port,
            open_browser=open_browser,
            timeout_seconds=timeout,
            authorization_prompt_message="Sign in to Google in your browser; if it did not open, visit:\n{url}",
            success_message="Signed in. You can close this tab and go back to the terminal.",
        )
    except (GoogleAuthError, ValueError, OSError, _oauth_errors()) as exc:
        raise CredentialsError(f"the Google sign-in did not complete ({_first_line(exc)}); run it again.") from None
    account = _email_from_id_token(getattr(creds, "id_token", None))
    saved = json.loads(creds.to_json())
    saved["account"] = account
    _write_private(token_path(folder), json.dumps(saved, indent=2))
    return account or "your Google account"


def _oauth_errors() -> type[Exception]:
    """oauthlib's base error (the sign-in was refused, or its answer did not match)."""
    import importlib

    errors: Any = importlib.import_module("oauthlib.oauth2.rfc6749.errors")
    found: type[Exception] = errors.OAuth2Error
    return found


def _email_from_id_token(id_token: str | None) -> str | None:
    """The e-mail claim of the ID token Google's token endpoint just sent over TLS."""
    if not id_token:
        return None
    from google.auth import jwt

    decode: Any = jwt.decode
    try:
        claims = decode(id_token, verify=False)
    except ValueError:
        return None
    email = claims.get("email")
    return email if isinstance(email, str) else None


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, replacing any old one in one step."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = path.with_name(f".{path.name}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temp, path)


def logout(*, folder: Path | None = None) -> bool:
    """Forget the cached sign-in. True if there was one."""
    path = token_path(folder)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def status(*, folder: Path | None = None, environ: Mapping[str, str] | None = None) -> AuthStatus:
    """Who is signed in, and which credentials a sync would use. Never reads out a secret."""
    env = os.environ if environ is None else environ
    path = token_path(folder)
    signed_in: str | None = None
    token_file: Path | None = None
    if path.exists():
        token_file = path
        with _ignore_credentials_errors():
            signed_in = load_user_token(path).account or "a Google account (e-mail not known)"
    key_file = Path(env[KEY_ENV]) if env.get(KEY_ENV) else None
    key_account: str | None = None
    if key_file is not None:
        with _ignore_credentials_errors():
            key_account = load_key_file(key_file, origin=KEY_ENV, warn=lambda _: None).account
    if key_file is not None:
        active = f"the key file {key_file} ({KEY_ENV})" + (f", service account {key_account}" if key_account else "")
    elif signed_in is not None:
        active = f"the signed-in user {signed_in}"
    else:
        active = "application default credentials, if this computer has them (see `gcloud auth application-default`)"
    return AuthStatus(signed_in, token_file, key_file, key_account, active)


@contextlib.contextmanager
def _ignore_credentials_errors() -> Iterator[None]:
    with contextlib.suppress(CredentialsError):
        yield
