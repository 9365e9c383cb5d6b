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
    from sheetops.backends import Backend
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
    """What check found, each finding with its cell address."""

    source: str
    findings: tuple[Finding, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "ok": not self.findings,
            "findings": [f.as_dict() for f in self.findings],
        }


def open_backend(target: str | Path) -> Backend:
    """The backend for a workbook path (a local .xlsx file)."""
    from sheetops.backends.xlsx import XlsxBackend

    return XlsxBackend(Path(target))


def provision(
    path: str | Path,
    *,
    lang: str = "en",
    template: str = DEFAULT_TEMPLATE,
    channels: Sequence[str] | None = None,
    demo: bool = False,
    force: bool = False,
    today: dt.date | None = None,
) -> ProvisionResult:
    """Create a workbook at ``path`` from a template (``sheetops init``)."""
    from sheetops.backends.xlsx.writer import create_workbook
    from sheetops.provision import build_layout

    spec = load_template(template)
    layout = build_layout(spec, lang=lang, channels=channels, demo=demo, today=today or dt.date.today())
    create_workbook(Path(path), layout, force=force)
    channel_count = len(channels) if channels is not None else len(spec.channels)
    return ProvisionResult(str(path), lang, spec.name, channel_count)


def check(path: str | Path, *, template: str = DEFAULT_TEMPLATE) -> CheckReport:
    """Check a workbook's structure and role map (``sheetops check``)."""
    from sheetops.check import check_workbook

    spec = load_template(template)
    backend = open_backend(path)
    bound = bind(backend.read(), spec)
    return CheckReport(backend.source, tuple(check_workbook(bound)))


def sync(
    path: str | Path,
    *,
    as_of: dt.date,
    dry_run: bool = False,
    strict: bool = False,
    template: str = DEFAULT_TEMPLATE,
    progress: Progress | None = None,
) -> SyncReport:
    """Compute KPIs and breaches, mark them, write the summary and log (``sheetops sync``)."""
    from sheetops.sync.engine import run_sync

    spec = load_template(template)
    return run_sync(open_backend(path), spec, as_of=as_of, dry_run=dry_run, strict=strict, progress=progress)
