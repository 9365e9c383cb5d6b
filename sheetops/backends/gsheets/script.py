"""Adding the "sheetops" menu to a spreadsheet: its bound Apps Script (``sheetops/appsscript/``).

With the user's own sign-in (``sheetops auth login --menu``) :func:`add_menu` installs the
script with the Apps Script API: ``projects.create`` with the spreadsheet as parent, then
``projects.updateContent`` with the code and manifest (two requests). The Apps Script
API does not accept service accounts, so with a service account (or a sign-in without
the script scope) it writes the files to a folder and returns the steps to paste them by
hand. Either way, the service's address is written into the code.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetops.backends.addresses import spreadsheet_id, spreadsheet_url
from sheetops.backends.gsheets.auth import SCRIPT_SCOPE, GoogleCredentials, Warn, warn_on_stderr
from sheetops.backends.gsheets.http import GoogleSettings
from sheetops.errors import CredentialsError, WorkbookError

if TYPE_CHECKING:
    from requests.adapters import BaseAdapter

SCRIPT_PROJECTS_URL = "https://script.googleapis.com/v1/projects"
PROJECT_TITLE = "sheetops menu"
URL_LINE = "var SHEETOPS_SERVICE_URL = '';"
APPS_SCRIPT_SETTINGS = "https://script.google.com/home/usersettings"


@dataclass(frozen=True)
class MenuFile:
    """A file of the script project, as the Apps Script API names it (no extension)."""

    name: str
    type: str  # SERVER_JS or JSON
    source: str

    @property
    def file_name(self) -> str:
        return f"{self.name}.{'json' if self.type == 'JSON' else 'js'}"

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "type": self.type, "source": self.source}


@dataclass(frozen=True)
class MenuInstall:
    """What add-menu did: installed (the script's id), or wrote the files and the steps."""

    spreadsheet: str
    installed: bool
    script_id: str | None = None
    folder: Path | None = None
    steps: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {"spreadsheet": self.spreadsheet, "installed": self.installed, "script_id": self.script_id,
                "folder": str(self.folder) if self.folder else None, "steps": list(self.steps)}


def check_service_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("https://", "http://")) or "'" in url or "\\" in url or any(c.isspace() for c in url):
        raise WorkbookError(f"{url!r} is not the address of a sheetops service; give it as https://host")
    return url


def menu_files(service_url: str) -> tuple[MenuFile, ...]:
    """The project's files with the service's address written into the code."""
    folder = resources.files("sheetops") / "appsscript"
    url = check_service_url(service_url)
    files = [MenuFile("appsscript", "JSON", (folder / "appsscript.json").read_text(encoding="utf-8"))]
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.name.endswith(".js"):
            source = item.read_text(encoding="utf-8")
            if URL_LINE in source:
                source = source.replace(URL_LINE, f"var SHEETOPS_SERVICE_URL = {json.dumps(url)};")
            files.append(MenuFile(item.name.removesuffix(".js"), "SERVER_JS", source))
    return tuple(files)


def manual_steps(url: str, folder: Path, files: tuple[MenuFile, ...], why: str) -> tuple[str, ...]:
    code = [f for f in files if f.type == "SERVER_JS"]
    return (
        why,
        f"1. Open the spreadsheet: {url}",
        "2. Click Extensions > Apps Script. A new tab opens with a file Code.gs.",
        "3. Click Project Settings (the gear on the left) and tick "
        "'Show \"appsscript.json\" manifest file in editor'; go back to the Editor (< > on the left).",
        f"4. Open appsscript.json, select all of it and replace it with the contents of {folder / 'appsscript.json'}.",
        *(f"{5 + i}. Open Code.gs, select all of it and replace it with the contents of {folder / f.file_name}."
          for i, f in enumerate(code)),
        f"{5 + len(code)}. Click Save (the disk icon, or Ctrl+S).",
        f"{6 + len(code)}. Reload the spreadsheet: a 'sheetops' menu appears. Click sheetops > Check once and "
        "allow what Google asks (the script calls the sheetops service as you).",
    )


def write_files(folder: Path, files: tuple[MenuFile, ...]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for item in files:
        (folder / item.file_name).write_text(item.source, encoding="utf-8")


def add_menu(
    target: str,
    *,
    service_url: str,
    folder: Path,
    credentials: str | os.PathLike[str] | GoogleCredentials | None = None,
    settings: GoogleSettings | None = None,
    adapters: Mapping[str, BaseAdapter] | None = None,
    warn: Warn = warn_on_stderr,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> MenuInstall:
    """Install the menu's script in the spreadsheet, or write it to ``folder`` with the steps."""
    from sheetops.backends.gsheets.client import connect
    from sheetops.backends.gsheets.errors import google_errors

    sheet_id = spreadsheet_id(target)
    url = spreadsheet_url(sheet_id)
    files = menu_files(service_url)
    connection = connect(credentials, settings=settings, adapters=adapters, warn=warn, sleep=sleep, clock=clock)
    why = _why_not_installable(connection.credentials)
    if why is not None:
        write_files(folder, files)
        return MenuInstall(url, False, folder=folder, steps=manual_steps(url, folder, files, why))
    client = connection.client
    with google_errors(f"the spreadsheet {url}", credentials=connection.credentials), _apps_script_errors():
        created = client.write_once("post", SCRIPT_PROJECTS_URL, json={"title": PROJECT_TITLE, "parentId": sheet_id})
        if created is None:
            raise WorkbookError(f"Google did not answer whether the menu's script was made; open {url}, "
                                "Extensions > Apps Script, and delete a 'sheetops menu' project before trying again.")
        script_id = created.json()["scriptId"]
        client.request("put", f"{SCRIPT_PROJECTS_URL}/{script_id}/content",
                       json={"files": [f.as_dict() for f in files]})
    return MenuInstall(url, True, script_id=script_id)


def _why_not_installable(credentials: GoogleCredentials) -> str | None:
    if credentials.kind == "service_account":
        return ("Google's Apps Script API does not accept service accounts, so the menu's script is "
                "to be pasted by hand (or sign in as yourself: sheetops auth login --menu).")
    scopes = getattr(credentials.credentials, "scopes", None)
    if credentials.kind == "user" and scopes is not None and SCRIPT_SCOPE not in scopes:
        return ("Your sign-in does not allow installing scripts; sign in again with: sheetops auth login "
                "--client-secrets FILE --menu, or paste the script by hand.")
    return None


@contextlib.contextmanager
def _apps_script_errors() -> Iterator[None]:
    """Google's refusal when the user has the Apps Script API turned off, in words that say
    what to do; every other error goes on to :func:`.errors.google_errors`."""
    from gspread.exceptions import APIError

    try:
        yield
    except APIError as error:
        found = error.error if isinstance(error.error, Mapping) else {}
        if error.code == 403 and "Apps Script API" in str(found.get("message", "")):
            raise CredentialsError(
                f"the Apps Script API is off for your account; turn it on at {APPS_SCRIPT_SETTINGS} "
                "(Google Apps Script API: On), wait a minute and run the command again."
            ) from None
        raise
