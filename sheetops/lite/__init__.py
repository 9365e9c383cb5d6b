"""sheetops inside Excel through xlwings Lite: the Friday sync and the check as scripts.

xlwings Lite runs Python in Excel (Windows, macOS, the web) through Pyodide, with the
code stored in the workbook. Its ``main.py`` (written by ``sheetops excel-addin``, see
:mod:`sheetops.lite.addin`) is a few lines that hand the open ``xw.Book`` to
:func:`sync_book` or :func:`check_book`.

The book goes through the desktop Excel adapter,
:meth:`sheetops.backends.excel.ExcelBackend.of_book` (xlwings' public ``Book`` / ``Sheet``
/ ``Range`` API only), so the same code runs in xlwings Lite, in desktop Excel through
classic xlwings, and in tests over :mod:`sheetops.testing.xlwings_memory`.

What Lite cannot do is said, not hidden: where Excel gives the script no cell notes
(xlwings Lite needs Excel API 1.18 for them; older Excel has none), the adapter writes
the reasons for the marked cells on the CMO Summary tab, under a visible "why" heading,
and the result says so (:attr:`LiteResult.without_notes`, ``why`` in :meth:`LiteResult.as_dict`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sheetops.backends.excel import NO_NOTES, WHY_HEADING, ExcelBackend

if TYPE_CHECKING:
    from sheetops.api import CheckReport
    from sheetops.sync.report import SyncReport

__all__ = ["NO_NOTES", "WHY_HEADING", "LiteResult", "check_book", "sync_book"]


@dataclass(frozen=True)
class LiteResult:
    """What a sync from inside Excel did: the report, and what Excel could not take."""

    report: SyncReport
    without_notes: bool  # the marks' reasons went to the CMO Summary tab, not into notes

    def as_dict(self) -> dict[str, Any]:
        return {**self.report.as_dict(), "notes": not self.without_notes,
                "why": NO_NOTES if self.without_notes else None}  # fmt: skip


def sync_book(
    book: Any,
    *,
    template: str | None = None,
    as_of: dt.date | None = None,
    now: Any = None,
) -> LiteResult:
    """The Friday sync of the open workbook ``book`` (an ``xw.Book``)."""
    from sheetops.sync.engine import run_sync
    from sheetops.templates import DEFAULT_TEMPLATE, load_template

    backend = ExcelBackend.of_book(book)
    kwargs: dict[str, Any] = {"as_of": as_of}
    if now is not None:
        kwargs["now"] = now
    report = run_sync(backend, load_template(template or DEFAULT_TEMPLATE), **kwargs)
    return LiteResult(report, without_notes=backend.without_notes)


def check_book(book: Any, *, template: str | None = None) -> CheckReport:
    """The findings of ``sheetops check`` for the open workbook ``book`` (an ``xw.Book``)."""
    from sheetops.api import CheckReport
    from sheetops.check import check_workbook
    from sheetops.tables import read_inputs
    from sheetops.templates import DEFAULT_TEMPLATE, load_template
    from sheetops.workbook import bind

    spec = load_template(template or DEFAULT_TEMPLATE)
    bound = bind(ExcelBackend.of_book(book).read(), spec)
    inputs = read_inputs(bound)
    return CheckReport(str(book.name), tuple(check_workbook(bound, inputs)), inputs.settings.lang)
