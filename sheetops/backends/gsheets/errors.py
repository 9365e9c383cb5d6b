"""Google's errors as sheetops errors, translated in one place: :func:`google_errors`.

gspread raises :class:`gspread.exceptions.APIError` with Google's error envelope,
google-auth raises ``RefreshError`` when a token cannot be had, requests raises its own
connection errors, and :mod:`.http` raises :class:`~.http.RetryBudgetExceeded`. Each
becomes one line that says what is wrong and what to do; access problems are
:class:`~sheetops.errors.CredentialsError` (exit code 4 like every backend failure).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from typing import Any

from sheetops.backends.gsheets.auth import DOCS, GoogleCredentials
from sheetops.backends.gsheets.http import RETRY_BUDGET_ENV, AnswerLost, RetryBudgetExceeded
from sheetops.errors import BackendError, CredentialsError, ServiceUnavailableError

API_NAMES = {
    "sheets.googleapis.com": "Google Sheets API",
    "drive.googleapis.com": "Google Drive API",
}
_SERVICE_IN_MESSAGE = re.compile(r"(Google \w+ API|\b[a-z]+\.googleapis\.com)")
_URL_IN_MESSAGE = re.compile(r"https://console\.developers\.google\.com/\S+?(?=[\s,]|\.?\s|\.?$)")


def _reasons(error: Mapping[str, Any]) -> tuple[set[str], dict[str, str]]:
    """The machine-readable reasons of an error envelope, and the ErrorInfo metadata."""
    reasons: set[str] = set()
    metadata: dict[str, str] = {}
    for item in error.get("errors", []) or []:
        if isinstance(item, dict) and isinstance(item.get("reason"), str):
            reasons.add(item["reason"])
    for item in error.get("details", []) or []:
        if isinstance(item, dict):
            if isinstance(item.get("reason"), str):
                reasons.add(item["reason"])
            if isinstance(item.get("metadata"), dict):
                metadata.update({k: str(v) for k, v in item["metadata"].items()})
    return reasons, metadata


def _api_not_enabled(error: Mapping[str, Any], metadata: Mapping[str, str]) -> str:
    message = str(error.get("message", ""))
    service = metadata.get("service") or ""
    name = API_NAMES.get(service)
    if name is None:
        found = _SERVICE_IN_MESSAGE.search(message)
        name = API_NAMES.get(found.group(1), found.group(1)) if found else "Google Sheets or Drive API"
    url = metadata.get("activationUrl")
    if url is None and (found_url := _URL_IN_MESSAGE.search(message)):
        url = found_url.group(0)
    project = metadata.get("consumer", "").removeprefix("projects/")
    where = f" in the Google Cloud project {project}" if project else " in your Google Cloud project"
    enable = f"enable it at {url}" if url else "enable it in the Google Cloud console (APIs & Services > Library)"
    return f"the {name} is not enabled{where}; {enable}, wait a minute and run again (see {DOCS})."


def describe_api_error(
    error: Mapping[str, Any], *, what: str, credentials: GoogleCredentials | None, writing: bool = False
) -> BackendError:
    """The sheetops error for one Google error envelope (``{"code", "message", "status", ...}``)."""
    code = int(error.get("code", 0) or 0)
    message = " ".join(str(error.get("message", "")).split()) or "no details"
    reasons, metadata = _reasons(error)
    if reasons & {"SERVICE_DISABLED", "accessNotConfigured"}:
        return CredentialsError(_api_not_enabled(error, metadata))
    if "storageQuotaExceeded" in reasons:
        return CredentialsError(
            f"Google Drive refused to store {what}: the account's storage is full "
            "(a service account has no Drive storage of its own); create it in a shared drive folder with "
            f"--folder FOLDER_ID, or sign in as yourself with `sheetops auth login` (see {DOCS})."
        )
    hint = credentials.share_hint() if credentials is not None else "check that you have access to it"
    if code in (403, 404):
        state = "was not found or is not shared" if code == 404 else "is not shared"
        if code == 403 and writing:
            state = "is not shared as Editor"
        account = f" with {credentials.account}" if credentials is not None and credentials.account else ""
        return CredentialsError(f"{what} {state}{account}; {hint}, or check the address.")
    if code == 401:
        return CredentialsError(f"Google refused the credentials ({message}); {_renew(credentials)}")
    if code == 400:
        return BackendError(f"Google refused the request for {what}: {message}")
    failed = ServiceUnavailableError if code == 429 or code >= 500 else BackendError
    return failed(f"Google answered {code} for {what}: {message}; run again later.")


def _renew(credentials: GoogleCredentials | None) -> str:
    if credentials is None or credentials.kind == "user":
        return "sign in again with: sheetops auth login --client-secrets FILE"
    if credentials.kind == "service_account":
        return (
            f"the key ({credentials.origin}) was deleted or disabled, or this computer's clock is wrong; "
            f"create a new key for the service account (see {DOCS})."
        )
    return "renew them with: gcloud auth application-default login"


def _refresh_failed(exc: Exception, credentials: GoogleCredentials | None) -> CredentialsError:
    data = exc.args[1] if len(exc.args) > 1 else None
    reason = data.get("error") if isinstance(data, dict) else None
    text = str(exc.args[0]) if exc.args else ""
    if reason == "invalid_grant" or "invalid_grant" in text:
        if credentials is not None and credentials.kind == "user":
            return CredentialsError(
                "your Google sign-in has expired or was revoked; sign in again with: "
                "sheetops auth login --client-secrets FILE"
            )
        return CredentialsError(f"Google refused the credentials (invalid_grant): {_renew(credentials)}")
    if reason == "invalid_client" or "invalid_client" in text or "unauthorized_client" in text:
        return CredentialsError(
            f"Google does not know these credentials (invalid_client); {_renew(credentials)}"
        )
    summary = reason or (text.split(":")[0] if text else type(exc).__name__)
    return CredentialsError(f"cannot get a Google access token ({summary}); {_renew(credentials)}")


def _budget_exceeded(exc: RetryBudgetExceeded, what: str, writing: bool) -> BackendError:
    unchanged = " Nothing was written." if writing else ""
    asked = f"; Google asked to wait {exc.retry_after:.0f} s" if exc.retry_after is not None else ""
    return ServiceUnavailableError(
        f"Google did not complete the request for {what} after {exc.attempts} attempts in {exc.waited:.0f} s "
        f"(last answer: {exc.last}{asked}).{unchanged} Wait a minute and run again, or allow longer waits "
        f"with {RETRY_BUDGET_ENV} (now {exc.budget:g} s)."
    )


@contextlib.contextmanager
def google_errors(
    what: str, *, credentials: GoogleCredentials | None = None, writing: bool = False
) -> Iterator[None]:
    """Translate every Google, gspread and network error raised inside into a sheetops error.

    ``what`` names the thing being used, e.g. "the spreadsheet https://...": it starts the
    messages. ``writing``: the block writes, so a failure says that nothing was written
    (a batchUpdate is applied whole or not at all).
    """
    import requests
    from google.auth.exceptions import RefreshError, TransportError
    from gspread.exceptions import APIError

    from sheetops.backends.gsheets.answers import DecodeError

    try:
        yield
    except RetryBudgetExceeded as exc:
        raise _budget_exceeded(exc, what, writing) from None
    except AnswerLost:
        raise BackendError(
            f"Google did not answer in time about {what}, so it is not known whether it was made; "
            "look for it in Google Drive before running init again."
        ) from None
    except APIError as exc:
        error = exc.error if isinstance(exc.error, Mapping) else {"code": exc.code, "message": str(exc)}
        raise describe_api_error(error, what=what, credentials=credentials, writing=writing) from None
    except RefreshError as exc:
        raise _refresh_failed(exc, credentials) from None
    except (TransportError, requests.ConnectionError) as exc:
        raise ServiceUnavailableError(
            f"cannot reach Google for {what} ({_connection_reason(exc)}); check the internet connection "
            "and run again."
        ) from None
    except (requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
        raise ServiceUnavailableError(
            f"the request to Google for {what} failed ({type(exc).__name__}); run again."
        ) from None
    except requests.RequestException as exc:
        raise BackendError(f"the request to Google for {what} failed ({type(exc).__name__}); run again.") from None
    except DecodeError:
        raise BackendError(f"Google's answer about {what} could not be read (it is not what the API sends); "
                           "run again.") from None


def _connection_reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out", "Temporary failure"):
        if marker in text:
            return marker.lower()
    return type(exc).__name__
