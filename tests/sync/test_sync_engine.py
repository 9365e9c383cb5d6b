"""The engine through the in-memory backend: when it writes, what it writes, what stops it."""

from __future__ import annotations

import datetime as dt

import pytest
from sync_workbooks import CPA_RULE, FRIDAY, MONDAY, UNSUBSCRIBE_RULE, Book, daily_run, week_row

from sheetops import __version__
from sheetops.backends.memory import MemoryBackend
from sheetops.errors import WorkbookError, WorkbookLockedError
from sheetops.sync.engine import run_sync
from sheetops.sync.report import SyncReport

D = [MONDAY + dt.timedelta(days=i) for i in range(7)]
WHEN = dt.datetime(2026, 11, 27, 18, 3, 11, tzinfo=dt.timezone(dt.timedelta(hours=3)))
RESULT = 6  # the Result column of the Sync Log


def breaching(book: Book) -> Book:
    book.rules = [dict(CPA_RULE), dict(UNSUBSCRIBE_RULE)]
    book.plan_fact = [week_row("Search ads", spend_plan=1000, spend=900, leads=40, orders=8, revenue=5000)]
    book.daily = daily_run("Social ads", D[2], spend=[300] * 3, orders=[1] * 3, leads=[9] * 3, revenue=[0] * 3)
    return book


def sync(backend: MemoryBackend, book: Book, *, dry_run: bool = False, strict: bool = False) -> SyncReport:
    return run_sync(backend, book.template, as_of=FRIDAY, dry_run=dry_run, strict=strict, now=lambda: WHEN)


def test_a_sync_writes_the_summary_the_log_row_and_the_highlights_once(book: Book) -> None:
    backend = breaching(book).backend()
    report = sync(backend, book)
    assert report.written and backend.writes == [report.changes]
    (written,) = backend.writes
    assert [t.name for t in written.tabs] == ["CMO Summary"]  # never Plan-Fact or Daily
    assert written.log_tab.name == "Sync Log"
    assert [c.value for c in written.log_row][:5] == ["2026-11-27 18:03:11 UTC+03:00", FRIDAY, 4, 1, 0]
    assert [c.value for c in written.log_row][RESULT + 1:] == ["by hand", __version__]
    assert written.log_row[RESULT].value == "ok, 1 breach"
    assert {h.tab for h in written.highlights} == {"Daily"}


def test_a_dry_run_computes_everything_and_writes_nothing(book: Book) -> None:
    backend = breaching(book).backend()
    report = sync(backend, book, dry_run=True)
    assert backend.writes == [] and not report.written and report.dry_run
    assert len(report.breaches) == 1 and report.changes.highlights
    assert report.changes.log_row[RESULT].value == "dry run, nothing written, 1 breach"


def test_strict_stops_before_writing_when_there_are_issues(book: Book) -> None:
    breaching(book).plan_fact.append(week_row("Blog", spend="n/a"))
    backend = book.backend()
    report = sync(backend, book, strict=True)
    assert backend.writes == [] and not report.written and report.stopped
    assert [i.cell for i in report.issues] == ["Plan-Fact!D3"]
    assert report.changes.log_row[RESULT].value == "stopped: --strict and 1 data issue"


def test_strict_without_issues_writes(book: Book) -> None:
    backend = breaching(book).backend()
    report = sync(backend, book, strict=True)
    assert report.written and not report.stopped and len(backend.writes) == 1


def test_without_strict_issues_are_reported_and_the_rest_is_written(book: Book) -> None:
    breaching(book).plan_fact.append(week_row("Blog", spend="n/a"))
    backend = book.backend()
    report = sync(backend, book)
    assert report.written and len(report.breaches) == 1
    assert backend.writes[0].log_row[RESULT].value == "ok, 1 breach, 1 data issue"


@pytest.mark.parametrize(
    ("missing_tabs", "missing_headers", "named"),
    [
        (("daily",), {}, ["'Daily'"]),
        (("channels", "stop_rules"), {}, ["'Channels'", "'Stop rules'"]),
        ((), {"plan_fact": ("spend", "orders")}, ["'Spend'", "'Orders'", "'Plan-Fact'"]),
        (("settings",), {"daily": ("date",)}, ["'Settings'", "'Date'", "'Daily'"]),
    ],
)
def test_a_missing_tab_or_header_stops_the_sync_before_writing_naming_each(
    book: Book, missing_tabs: tuple[str, ...], missing_headers: dict[str, tuple[str, ...]], named: list[str]
) -> None:
    breaching(book)
    book.missing_tabs, book.missing_headers = missing_tabs, missing_headers
    backend = book.backend()
    with pytest.raises(WorkbookError) as raised:
        sync(backend, book)
    message = str(raised.value)
    assert message.startswith("memory.xlsx cannot be synced, nothing was written: ")
    for name in named:
        assert name in message
    assert backend.writes == []


def test_the_tabs_sheetops_owns_may_be_missing(book: Book) -> None:
    data = breaching(book).data()
    assert data.sheet("CMO Summary") is None and data.sheet("Sync Log") is None
    report = sync(MemoryBackend(data), book)
    assert report.written


def test_a_second_sync_of_the_same_data_writes_the_same_except_the_log_row(book: Book) -> None:
    backend = breaching(book).backend()
    first = sync(backend, book)
    second = sync(backend, book)  # reads the CMO Summary and Sync Log the first one wrote
    assert backend.reads == 2 and [t.name for t in backend.data.sheets][-2:] == ["CMO Summary", "Sync Log"]
    assert second.changes.tabs == first.changes.tabs
    assert second.changes.highlights == first.changes.highlights
    assert second.changes.log_tab == first.changes.log_tab
    assert second.as_dict() == first.as_dict()
    log = backend.data.sheet("Sync Log")
    assert log is not None and len(log.rows) == 3  # the header and one row per run


def test_a_sync_holds_the_lock_for_the_whole_run(book: Book) -> None:
    backend = breaching(book).backend()
    with backend.lock(), pytest.raises(WorkbookLockedError):
        sync(backend, book)
    assert backend.writes == [] and backend.reads == 0


def test_progress_is_reported_from_start_to_end(book: Book) -> None:
    seen: list[tuple[str, float]] = []
    run_sync(breaching(book).backend(), book.template, as_of=FRIDAY, progress=lambda m, f: seen.append((m, f)))
    fractions = [f for _, f in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert seen[0][0] == "memory.xlsx"  # before it is read, the workbook's language is not known


def test_the_language_of_the_workbook_is_the_language_of_what_is_written() -> None:
    book = breaching(Book(lang="ru"))
    report = sync(book.backend(), book)
    assert report.lang == "ru"
    assert report.changes.tabs[0].name == "Сводка CMO" and report.changes.log_tab.name == "Журнал синхронизации"
    assert report.changes.log_row[RESULT].value == "готово, 1 нарушение"
    assert {h.tab for h in report.changes.highlights} == {"По дням"}


def test_the_settings_language_wins_over_the_tab_names(book: Book) -> None:
    book.settings["Language"] = "ru"
    report = sync(breaching(book).backend(), book)
    assert report.changes.tabs[0].name == "Сводка CMO"
