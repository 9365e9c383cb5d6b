"""Every backend, registered in one place; the API and the CLI both choose from here.

A :class:`BackendKind` names an adapter, says which targets it takes on its own (a
Google spreadsheet's URL; the .xlsx file is the default) and opens it. Opening imports
the adapter (and its vendor library) only then, so the CLI's start stays as fast as
``import click``. A new backend is one adapter module and one entry in :data:`KINDS`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Union

from sheetops.errors import WorkbookError

if TYPE_CHECKING:  # the CLI reads the names at start: the core is not imported for that
    from sheetops.backends.gsheets.auth import GoogleCredentials
    from sheetops.ports import Backend

# A key file, or Google credentials already made (as `sheetops serve` makes them from its
# caller's access token).
Credentials = Union[str, "os.PathLike[str]", "GoogleCredentials", None]


@dataclass(frozen=True)
class BackendKind:
    """One backend: its name (``--backend NAME``), what it is, and how it is opened.

    ``claims``: whether a target names a workbook of this kind on its own (chosen without
    being asked for); ``opens``: the backend for a target (for ``init``, the file to
    create, or "" where the backend names the new workbook itself).
    """

    name: str
    help: str
    opens: Callable[[str, Credentials], Backend]
    claims: Callable[[str], bool] = lambda target: False
    provisions: bool = True  # ``sheetops init --backend NAME`` can make one
    titled: bool = False  # init names the new workbook by a title (``--title``), not a path


def _open_xlsx(target: str, credentials: Credentials) -> Backend:
    from sheetops.backends.xlsx import XlsxBackend

    if not target:
        raise WorkbookError("give the file to create, e.g. sheetops init marketing.xlsx")
    return XlsxBackend(Path(target))


def _open_gsheets(target: str, credentials: Credentials) -> Backend:
    from sheetops.backends.gsheets import GSheetsBackend, open_gsheets_backend

    if not target:  # init: the spreadsheet does not exist yet
        from sheetops.backends.gsheets.client import connect

        return GSheetsBackend("", connect(credentials))
    return open_gsheets_backend(target, credentials=credentials)


def _claims_gsheets(target: str) -> bool:
    from sheetops.backends.addresses import is_google_target

    return is_google_target(target)


def _open_excel(target: str, credentials: Credentials) -> Backend:
    from sheetops.backends.excel import open_excel_backend

    return open_excel_backend(Path(target))


KINDS: dict[str, BackendKind] = {
    kind.name: kind
    for kind in (
        BackendKind("xlsx", "a local .xlsx file", _open_xlsx),
        BackendKind("gsheets", "a Google spreadsheet", _open_gsheets, _claims_gsheets, titled=True),
        BackendKind("excel", "a workbook open in Excel (Windows, macOS), through xlwings", _open_excel,
                    provisions=False),
    )
}
DEFAULT = "xlsx"


def names(*, provisions: bool = False) -> list[str]:
    """The registered backends' names (those ``init`` can use, with ``provisions``)."""
    return [name for name, kind in KINDS.items() if kind.provisions or not provisions]


def kind_for(target: str | os.PathLike[str], name: str | None = None) -> BackendKind:
    """The backend asked for by ``name``, else the one that claims ``target``, else .xlsx."""
    if name is not None:
        if name not in KINDS:
            raise WorkbookError(f"no backend named {name!r}; the backends are {', '.join(KINDS)}")
        return KINDS[name]
    text = os.fspath(target)
    return next((kind for kind in KINDS.values() if kind.claims(text)), KINDS[DEFAULT])


def open_backend(target: str | os.PathLike[str], *, name: str | None = None,
                 credentials: Credentials = None) -> Backend:
    """The backend for a workbook (see :func:`kind_for`)."""
    return kind_for(target, name).opens(os.fspath(target), credentials)
