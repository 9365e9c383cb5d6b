"""The meeting deck (``sheetops report``): the sync report as slides, and as a PDF.

:mod:`~sheetops.deck.content` says what each slide holds (pure, from a
:class:`~sheetops.sync.report.SyncReport`); :mod:`~sheetops.deck.slides` draws it with
python-pptx; :func:`convert_to_pdf` has LibreOffice, run headless, print it to PDF.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetops.errors import BackendError, MissingExtraError, WorkbookError

if TYPE_CHECKING:
    from sheetops.backends import Backend
    from sheetops.sync.report import SyncReport
    from sheetops.templates import Template

# How long LibreOffice may take to print a deck; a first start makes its profile (seconds).
PDF_TIMEOUT = 180.0
NO_LIBREOFFICE = ("a PDF needs LibreOffice, which is not installed here (the deck itself is written: {deck}). "
                  "Install LibreOffice (libreoffice.org; on Debian or Ubuntu: sudo apt-get install "
                  "libreoffice-impress-nogui) and run the command again, or open the deck and save it as PDF.")


def find_libreoffice() -> str | None:
    """The LibreOffice program: SHEETOPS_SOFFICE, else soffice or libreoffice on the PATH."""
    return os.environ.get("SHEETOPS_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(deck: Path, pdf: Path | None = None, *, soffice: str | None = None) -> Path:
    """Print ``deck`` to ``pdf`` (default: beside it, .pdf) with LibreOffice, run headless.

    Raises :class:`MissingExtraError` when LibreOffice is not installed, and
    :class:`BackendError` when it fails or makes no PDF.
    """
    program = soffice or find_libreoffice()
    target = pdf or deck.with_suffix(".pdf")
    if program is None:
        raise MissingExtraError(NO_LIBREOFFICE.format(deck=deck))
    with tempfile.TemporaryDirectory(prefix="sheetops-pdf-") as work:
        folder = Path(work)
        # Its own profile, so that a LibreOffice the person has open is neither used nor disturbed.
        command = [program, "--headless", "--norestore", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                   "--convert-to", "pdf", "--outdir", str(folder), str(deck.absolute())]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PDF_TIMEOUT, check=False)
        except FileNotFoundError:
            raise MissingExtraError(NO_LIBREOFFICE.format(deck=deck)) from None
        except subprocess.TimeoutExpired:
            raise BackendError(f"LibreOffice did not print {deck} to PDF within {PDF_TIMEOUT:.0f} seconds; "
                               "the deck itself is written.") from None
        made = folder / (deck.stem + ".pdf")
        if done.returncode != 0 or not made.is_file():
            said = (done.stderr or done.stdout).strip().splitlines()
            raise BackendError(f"LibreOffice could not print {deck} to PDF"
                               + (f" ({said[-1]})" if said else "") + "; the deck itself is written.")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(made), target)
    return target


@dataclass(frozen=True)
class DeckResult:
    """What ``sheetops report`` made: the deck, its PDF, and the sync report it draws."""

    deck: Path
    pdf: Path | None
    slides: int
    report: SyncReport

    def as_dict(self) -> dict[str, Any]:
        return {"deck": str(self.deck), "pdf": str(self.pdf) if self.pdf else None, "slides": self.slides,
                "as_of": self.report.as_of.isoformat(), "week": self.report.week.isoformat()}


def make_deck(
    backend: Backend,
    template: Template,
    *,
    out: Path | None = None,
    as_of: dt.date | None = None,
    pdf: bool = False,
    today: dt.date | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> DeckResult:
    """Compute the week with a dry-run sync (nothing is written into the workbook), draw the
    deck at ``out`` (default ``meeting-<week>.pptx``), and print it to PDF when asked."""
    from sheetops.deck.content import deck_content
    from sheetops.deck.slides import save_deck
    from sheetops.sync.engine import run_sync

    found = run_sync(backend, template, as_of=as_of, dry_run=True, progress=progress, today=today)
    deck = deck_content(found, template)
    target = out if out is not None else Path(f"meeting-{found.week.isoformat()}.pptx")
    if target.suffix.lower() != ".pptx":
        raise WorkbookError(f"the deck is a PowerPoint file: give --out a name ending in .pptx, not {target.name}")
    try:
        save_deck(deck, target)
    except OSError as exc:
        raise BackendError(f"cannot write the deck {target}: {exc.strerror or exc}") from exc
    printed = convert_to_pdf(target) if pdf else None
    return DeckResult(target, printed, len(deck.slides), found)
