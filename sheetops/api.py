"""The library API: one function per job. The CLI is a thin layer over these.

>>> from sheetops import provision, check, sync
>>> provision("marketing.xlsx", lang="en", demo=True)            # doctest: +SKIP
>>> check("marketing.xlsx").findings                             # doctest: +SKIP
>>> sync("marketing.xlsx", as_of=datetime.date(2026, 11, 27))   # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetops.templates import DEFAULT_TEMPLATE, load_template
from sheetops.workbook import Finding, bind

if TYPE_CHECKING:
    from sheetops.backends.gsheets.auth import GoogleCredentials
    from sheetops.backends.gsheets.script import MenuInstall
    from sheetops.deck import DeckResult
    from sheetops.lite.addin import AddinFiles
    from sheetops.ports import Backend
    from sheetops.sync.report import SyncReport

Progress = Callable[[str, float], None]  # (what is happening, fraction done 0..1)


@dataclass(frozen=True)
class ProvisionResult:
    """What init made."""

    path: str
    lang: str
    template: str
    channels: int


@dataclass(frozen=True)
class CheckReport:
    """What check found, each finding with its cell address, in the workbook's language."""

    source: str
    findings: tuple[Finding, ...]
    lang: str = "en"  # the language of the messages: Settings → Language, else the tab names'

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "ok": not self.findings,
            "lang": self.lang,
            "findings": [f.as_dict() for f in self.findings],
        }


def open_backend(
    target: str | Path, *, credentials: str | Path | GoogleCredentials | None = None, backend: str | None = None
) -> Backend:
    """The backend for a workbook: ``backend`` by name (see :mod:`sheetops.backends.registry`),
    else a Google spreadsheet's URL or ID, else a local .xlsx file.

    ``credentials``: a Google service-account key file, or credentials already made (as
    ``sheetops serve`` makes them from its caller's access token); otherwise the documented
    order: GOOGLE_APPLICATION_CREDENTIALS, the signed-in user, application default credentials.
    """
    from sheetops.backends import registry

    return registry.open_backend(target, name=backend, credentials=credentials)


def provision(
    path: str | Path | None = None,
    *,
    lang: str = "en",
    template: str = DEFAULT_TEMPLATE,
    channels: Sequence[str] | None = None,
    demo: bool = False,
    force: bool = False,
    today: dt.date | None = None,
    backend: str = "xlsx",
    title: str | None = None,
    shares: Sequence[str] = (),
    folder: str | None = None,
    credentials: str | Path | GoogleCredentials | None = None,
) -> ProvisionResult:
    """Create a workbook from a template (``sheetops init``): an .xlsx file at ``path``, or
    with ``backend="gsheets"`` a Google spreadsheet titled ``title`` (``path`` is then its URL)."""
    from sheetops.backends import registry
    from sheetops.ports import ProvisionOptions
    from sheetops.provision import build_layout

    spec = load_template(template)
    layout = build_layout(spec, lang=lang, channels=channels, demo=demo, today=today or dt.date.today())
    channel_count = len(channels) if channels is not None else len(spec.channels)
    people: tuple[tuple[str, str], ...] = ()
    if shares:
        from sheetops.backends.gsheets.shares import parse_share

        people = tuple(parse_share(s) for s in shares)
    options = ProvisionOptions(force=force, title=title or "", shares=people, folder=folder)
    made = registry.open_backend("" if path is None else path, name=backend, credentials=credentials)
    where = made.provision(layout, options)
    return ProvisionResult(where, lang, spec.name, channel_count)


def check(
    path: str | Path, *, template: str = DEFAULT_TEMPLATE, credentials: str | Path | GoogleCredentials | None = None
) -> CheckReport:
    """Check a workbook (``sheetops check``): its structure, every data issue a sync would
    report (the same reader, the same cells, codes and severities), and its role map."""
    from sheetops.check import check_workbook
    from sheetops.tables import read_inputs

    spec = load_template(template)
    backend = open_backend(path, credentials=credentials)
    bound = bind(backend.read(), spec)
    inputs = read_inputs(bound)
    return CheckReport(backend.source, tuple(check_workbook(bound, inputs)), inputs.settings.lang)


def sync(
    path: str | Path,
    *,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    strict: bool = False,
    template: str = DEFAULT_TEMPLATE,
    progress: Progress | None = None,
    credentials: str | Path | GoogleCredentials | None = None,
    today: dt.date | None = None,
    scheduled: bool = False,
    monthly: bool = False,
    backend: str | None = None,
) -> SyncReport:
    """Compute KPIs and breaches, mark them, write the summary and log (``sheetops sync``).

    ``as_of``: report the week that contains this date; without it, the latest week whose
    report day (Settings, Friday by default) has come by ``today`` (default: the clock's).
    ``scheduled``: the run was started by the system's scheduler (``sheetops schedule``);
    the Sync Log row says so. ``monthly`` (``sync --month``): also write the Unit economics
    tab, with the KPI health check where pandas is installed (``sheetops[analysis]``).
    ``backend``: a backend by name, e.g. ``"excel"`` to sync the workbook as it is open in
    Excel (see :mod:`sheetops.backends.registry`).
    """
    from sheetops.sync.engine import run_sync

    spec = load_template(template)
    opened = open_backend(path, credentials=credentials, backend=backend)
    return run_sync(opened, spec, as_of=as_of, dry_run=dry_run, strict=strict, progress=progress, today=today,
                    scheduled=scheduled, monthly=monthly)


def add_menu(
    target: str,
    *,
    service_url: str,
    folder: str | Path = "sheetops-menu",
    credentials: str | Path | GoogleCredentials | None = None,
) -> MenuInstall:
    """Add the "sheetops" menu (Sync now, Check, Schedule Friday sync) to a Google spreadsheet
    (``sheetops gsheets add-menu``): its bound Apps Script, calling the service at
    ``service_url`` (``sheetops serve``). Installed through the Apps Script API with the
    user's own sign-in; otherwise the files are written to ``folder`` with the steps to
    paste them (``MenuInstall.steps``)."""
    from sheetops.backends.gsheets.script import add_menu as install

    return install(target, service_url=service_url, folder=Path(folder), credentials=credentials)


def report(
    path: str | Path,
    *,
    out: str | Path | None = None,
    as_of: dt.date | None = None,
    pdf: bool = False,
    template: str = DEFAULT_TEMPLATE,
    credentials: str | Path | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> DeckResult:
    """The meeting deck (``sheetops report``): a CMO slide and one slide per active channel,
    drawn from a dry-run sync (the workbook is read, never written), saved as .pptx at
    ``out`` (default ``meeting-<week>.pptx`` in the current folder); with ``pdf``, printed
    to PDF beside it by LibreOffice."""
    from sheetops.deck import make_deck
    from sheetops.deck.slides import require_pptx

    require_pptx()  # before reading a workbook, maybe over the network
    spec = load_template(template)
    backend = open_backend(path, credentials=credentials)
    return make_deck(backend, spec, out=Path(out) if out is not None else None, as_of=as_of, pdf=pdf, today=today,
                     progress=progress)


def excel_addin(path: str | Path, *, folder: str | Path | None = None, template: str = DEFAULT_TEMPLATE) -> AddinFiles:
    """Write what xlwings Lite needs to sync ``path`` inside Excel (``sheetops excel-addin``):
    ``main.py`` (the "sync" and "check" scripts, the button on the CMO Summary tab) and
    ``requirements.txt``, in ``folder`` (default: ``<workbook>-xlwings-lite`` beside it)."""
    from sheetops.lite.addin import write_addin
    from sheetops.sync.engine import owned_tab_name

    spec = load_template(template)
    bound = bind(open_backend(path).read(), spec, include_owned=True)
    target = Path(folder) if folder is not None else Path(path).with_name(f"{Path(path).stem}-xlwings-lite")
    return write_addin(target, button_sheet=owned_tab_name(bound, "summary", bound.lang))
