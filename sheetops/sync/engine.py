"""The sync engine: read the workbook once, compute the week, write everything at once.

:func:`run_sync` is the only function here that touches a backend. It holds the
backend's lock for the whole run, reads every tab with one :meth:`Backend.read`, hands
the values to the pure :func:`analyze`, builds the :class:`~sheetops.backends.SyncWrite`
and gives it to :meth:`Backend.write`, unless it is a dry run, or ``strict`` met data
issues. A missing tab or required header raises :class:`~sheetops.errors.WorkbookError`
before anything is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from sheetops.backends import Backend, SyncWrite
from sheetops.errors import WorkbookError
from sheetops.issues import workbook_issues
from sheetops.layout import Cell
from sheetops.messages import message
from sheetops.sync import summary
from sheetops.sync.facts import Facts, read_facts
from sheetops.sync.figures import channel_report, totals_month, totals_of
from sheetops.sync.period import ReportPeriod, report_period, week_start
from sheetops.sync.report import ChannelReport, Decisions, Figures, MonthBudget, SyncReport, breach_key
from sheetops.sync.rules import Breach, evaluate_rules
from sheetops.tables import Inputs, read_inputs
from sheetops.templates import Template
from sheetops.values import ValueProblem, parse_date, show_date
from sheetops.workbook import BoundWorkbook, Finding, WorkbookData, bind, find_sheet

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Analysis:
    """The reported week, computed from a workbook's values. No I/O went into it."""

    bound: BoundWorkbook
    inputs: Inputs
    facts: Facts  # as they stood on the as-of day
    period: ReportPeriod
    channels: tuple[ChannelReport, ...]
    totals: Figures
    breaches: tuple[Breach, ...]
    issues: tuple[Finding, ...]
    decisions: Decisions = field(default_factory=Decisions)
    month: MonthBudget | None = None

    @property
    def lang(self) -> str:
        return self.inputs.settings.lang

    @property
    def as_of(self) -> dt.date:
        return self.period.as_of

    @property
    def week(self) -> dt.date:
        return self.period.week


def analyze(
    data: WorkbookData,
    template: Template,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
    *,
    today: dt.date | None = None,
) -> Analysis:
    """Facts, KPIs, breaches, statuses and issues of the reported week.

    ``as_of``: report the week that contains it, as of that day; without it, the latest
    week whose report day has come by ``today`` (see :mod:`sheetops.sync.period`).
    ``progress`` hears, in the workbook's language, when the computing starts.
    """
    bound = bind(data, template)
    if bound.findings:
        raise WorkbookError(unusable_message(data.source, bound.findings))
    inputs = read_inputs(bound)
    if progress is not None:
        progress(message("progress.computing", inputs.settings.lang), 0.6)
    read = read_facts(bound, inputs)
    period = report_period(today=today or dt.date.today(), report_day=inputs.settings.report_day, as_of=as_of)
    facts = read.up_to(period.as_of)
    breaches = tuple(evaluate_rules(inputs, facts, period))
    gross_margin = inputs.settings.gross_margin
    channels = tuple(
        channel_report(channel, facts, period, tuple(b for b in breaches if b.channel.name == channel.name),
                       gross_margin)
        for channel in inputs.channels
    )
    issues = (*workbook_issues(bound, inputs, read), *period_findings(read, inputs, period))
    return Analysis(bound, inputs, facts, period, channels, totals_of(channels, facts, period.week, gross_margin),
                    breaches, issues, decisions_since(bound, inputs, read, period, breaches),
                    totals_month(channels, period))


def decisions_since(
    bound: BoundWorkbook, inputs: Inputs, read: Facts, period: ReportPeriod, breaches: Sequence[Breach]
) -> Decisions:
    """This report's breaches against those of the last report of an earlier week.

    That report's as-of date is the newest Sync Log "As of" before the reported week; with
    none, the same weekday a week earlier. Its breaches are judged again on today's data.
    """
    before = previous_as_of(bound, period) or period.as_of - dt.timedelta(weeks=1)
    earlier = ReportPeriod(week_start(before), before, period.report_day)
    then = evaluate_rules(inputs, read.up_to(before), earlier)
    then_keys = {breach_key(b) for b in then}
    now_keys = {breach_key(b) for b in breaches}
    return Decisions(
        since=before,
        new=frozenset(k for k in now_keys if k not in then_keys),
        resolved=tuple(b for b in then if breach_key(b) not in now_keys),
    )


def previous_as_of(bound: BoundWorkbook, period: ReportPeriod) -> dt.date | None:
    """The newest "As of" in the Sync Log dated before the reported week, if any."""
    log = bound.tab("sync_log")
    if log is None or not log.has("as_of"):
        return None
    found: dt.date | None = None
    for row in range(1, len(log.sheet.rows)):
        try:
            day = parse_date(log.value(row, "as_of"))
        except ValueProblem:
            continue  # not a log row of ours (or typed over): not a report
        if day < period.week and (found is None or day > found):
            found = day
    return found


def period_findings(read: Facts, inputs: Inputs, period: ReportPeriod) -> tuple[Finding, ...]:
    """A warning when the reported week is past all the data: no channel has facts in it or
    after it, while earlier weeks have some (a workbook without any facts has its missing
    reports for that)."""
    latest: dt.date | None = None
    for channel in inputs.channels:
        newest = read.last_with_data(channel.name, "week", dt.date.max)
        if newest is not None and (latest is None or newest > latest):
            latest = newest
    if latest is None or latest >= period.week:
        return ()
    lang = inputs.settings.lang
    week, then = show_date(period.week, lang), show_date(latest, lang)
    return (
        Finding(
            None,
            message("no_facts_for_week", lang, week=week, latest=then),
            "warning",
            "no_facts_for_week",
        ),
    )


def unusable_message(source: str, findings: Sequence[Finding]) -> str:
    """Why a workbook cannot be synced, naming every missing tab and header."""
    return f"{source} cannot be synced, nothing was written: " + "; ".join(f.message for f in findings) + "."


def build_write(analysis: Analysis, *, log_row: tuple[Cell, ...]) -> SyncWrite:
    """The summary tab, the log's header, the log row and the highlights of one sync."""
    bound, template, lang = analysis.bound, analysis.bound.template, analysis.lang
    tab_names = {key: tab.name for key, tab in bound.tabs.items()}
    summary_tab = summary.summary_layout(
        template=template,
        name=owned_tab_name(bound, "summary", lang),
        lang=lang,
        settings=analysis.inputs.settings,
        as_of=analysis.as_of,
        week=analysis.week,
        channels=analysis.channels,
        totals=analysis.totals,
        breaches=analysis.breaches,
        issues=analysis.issues,
        facts=analysis.facts,
        tab_names=tab_names,
        period=analysis.period,
        decisions=analysis.decisions,
        month=analysis.month,
    )
    return SyncWrite(
        tabs=(summary_tab,),
        log_tab=summary.log_layout(template, owned_tab_name(bound, "sync_log", lang), lang),
        log_row=log_row,
        highlights=summary.highlights(analysis.breaches, template, lang),
    )


def owned_tab_name(bound: BoundWorkbook, key: str, lang: str) -> str:
    """The name of a tab sheetops owns: as it is in the workbook, else the template's."""
    spec = bound.template.tab(key)
    sheet = find_sheet(bound.data, spec)
    return sheet.name if sheet is not None else spec.name[lang]


def run_sync(
    backend: Backend,
    template: Template,
    *,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
    now: Callable[[], dt.datetime] = dt.datetime.now,
    today: dt.date | None = None,
) -> SyncReport:
    """One sync: read, compute, and (unless ``dry_run``, or ``strict`` met issues) write.

    ``as_of``: report the week that contains it; without it, the latest week whose report
    day has come by ``today`` (default: ``now()``'s date; see :mod:`sheetops.sync.period`).
    """
    with _collector_paused():
        # The workbook's values and the facts are freed when _run returns, before the
        # collector is back: it then has nothing new to scan.
        return _run(backend, template, as_of=as_of, dry_run=dry_run, strict=strict, progress=progress, now=now,
                    today=today)


def _run(
    backend: Backend,
    template: Template,
    *,
    as_of: dt.date | None,
    dry_run: bool,
    strict: bool,
    progress: Progress | None,
    now: Callable[[], dt.datetime],
    today: dt.date | None,
) -> SyncReport:
    report = progress or _silent
    started = time.perf_counter()
    with backend.lock():
        # The workbook's language is known once it is read: until then, only its name is shown.
        report(backend.source, 0.0)
        data = backend.read()
        analysis = analyze(data, template, as_of, report, today=today or now().date())
        lang = analysis.lang
        stopped = strict and bool(analysis.issues)
        duration = time.perf_counter() - started
        result = summary.log_result(analysis.lang, breaches=len(analysis.breaches),
                                    issues=len(analysis.issues), dry_run=dry_run, stopped=stopped)
        row = summary.log_row(when=now(), as_of=analysis.as_of, rows_read=analysis.facts.rows_read,
                              breaches=len(analysis.breaches), issues=len(analysis.issues), duration=duration,
                              result=result, lang=lang)
        changes = build_write(analysis, log_row=row)
        del data  # the workbook's values, freed before the write, which needs memory of its own
        analysis = without_values(analysis)
        written = False
        if not dry_run and not stopped:
            report(message("progress.writing", lang), 0.8)
            backend.write(changes)
            written = True
        report(message("progress.done", lang), 1.0)
    return SyncReport(
        source=backend.source,
        as_of=analysis.as_of,
        week=analysis.week,
        lang=analysis.lang,
        settings=analysis.inputs.settings,
        channels=analysis.channels,
        totals=analysis.totals,
        breaches=analysis.breaches,
        issues=analysis.issues,
        written=written,
        changes=changes,
        rows_read=analysis.facts.rows_read,
        duration=duration,
        dry_run=dry_run,
        stopped=stopped,
        summary_tab=changes.tabs[0].name,
        period=analysis.period,
        decisions=analysis.decisions,
        month=analysis.month,
    )


def without_values(analysis: Analysis) -> Analysis:
    """The analysis without the workbook's values (every cell of every tab) it was made
    from: all the rest of a sync needs is what was computed from them."""
    bound = analysis.bound
    empty = dataclasses.replace(bound.data, sheets=())
    return dataclasses.replace(analysis, bound=dataclasses.replace(bound, data=empty, tabs={}))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for a whole sync.

    A 100k-row workbook is a million small objects without reference cycles; the
    collector would scan them again and again as they are made, for nothing (it costs
    about a third of the compute time), and once more in full when it is turned back on
    while they still exist. Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _silent(message: str, fraction: float) -> None:
    """The progress callback when nobody watches."""
