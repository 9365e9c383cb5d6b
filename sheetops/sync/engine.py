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

from sheetops import __version__
from sheetops.errors import WorkbookError
from sheetops.issues import workbook_issues
from sheetops.layout import HEADER, NOTE, Cell, TabLayout
from sheetops.messages import message
from sheetops.ports import Backend, SyncWrite
from sheetops.sync import summary
from sheetops.sync.facts import Facts, read_facts
from sheetops.sync.figures import channel_report, totals_month, totals_of
from sheetops.sync.health import KpiHealth
from sheetops.sync.months import Month, unit_economics
from sheetops.sync.period import ReportPeriod, report_period, week_start
from sheetops.sync.report import ChannelReport, Decisions, Figures, MonthBudget, SyncReport, breach_key
from sheetops.sync.rules import Breach, evaluate_rules
from sheetops.sync.trend import Trend, weekly_trend
from sheetops.tables import Inputs, read_inputs
from sheetops.templates import Template, normalize
from sheetops.values import ValueProblem, is_blank, parse_date, show_date
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
    trend: Trend | None = None

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
    trend = weekly_trend(channels, facts, period.week, inputs.settings.trend_weeks, gross_margin)
    return Analysis(bound, inputs, facts, period, channels, totals_of(channels, facts, period.week, gross_margin),
                    breaches, issues, decisions_since(bound, inputs, read, period, breaches),
                    totals_month(channels, period), trend)


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


def build_write(analysis: Analysis, *, log_row: tuple[Cell, ...], months: tuple[Month, ...] = (),
                health: KpiHealth | None = None, monthly: bool = False) -> SyncWrite:
    """The summary tab, the log's header, the log row and the highlights of one sync;
    ``monthly`` (``sync --month``): the Unit economics tab too, with ``months`` and
    ``health``, the KPI check.

    ``log_row`` is in the template's column order; it is placed under the Sync Log's own
    headers (see :func:`place_log_row`)."""
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
    placed, new_headers = place_log_row(bound, log_row, lang)
    tabs: tuple[TabLayout, ...] = (summary_tab,)
    if monthly:
        from sheetops.sync.review import review_layout

        tabs += (review_layout(template=template, name=owned_tab_name(bound, "unit_economics", lang), lang=lang,
                               currency=analysis.inputs.settings.currency, as_of=analysis.as_of,
                               months=months, health=health),)
    return SyncWrite(
        tabs=tabs,
        log_tab=summary.log_layout(template, owned_tab_name(bound, "sync_log", lang), lang),
        log_row=placed,
        highlights=summary.highlights(analysis.breaches, template, lang),
        log_header=new_headers,
    )


def place_log_row(
    bound: BoundWorkbook, log_row: tuple[Cell, ...], lang: str
) -> tuple[tuple[Cell, ...], tuple[tuple[int, Cell], ...]]:
    """The log row with each cell under its header in the workbook's Sync Log, and the
    header cells to write for the columns it lacks (a Sync Log made by an older sheetops).

    The new headers go right after the last header sheetops knows, skipping cells a person
    typed in. init's note ("sheetops writes this tab") moves one column past them when a
    new header takes its place. Without a Sync Log, the row as it is: the tab is made whole.
    """
    log = bound.tab("sync_log")
    if log is None:
        return log_row, ()
    header = log.sheet.rows[0] if log.sheet.rows else ()
    known = set(log.columns.values())
    notes = {normalize(text) for text in bound.template.owned_tab_note.variants()}
    others = {col for col, value in enumerate(header) if not is_blank(value) and col not in known}
    note_at: int | None = None
    note = ""
    for at in sorted(others):
        value = header[at]
        if isinstance(value, str) and normalize(value) in notes:
            note_at, note = at, value
            break
    next_col = max(known, default=-1) + 1
    cells: dict[int, Cell] = {}
    new_headers: list[tuple[int, Cell]] = []
    for column, cell in zip(bound.template.tab("sync_log").columns, log_row, strict=False):
        found = log.columns.get(column.key)
        if found is None:
            while next_col in others and next_col != note_at:
                next_col += 1
            found, next_col = next_col, next_col + 1
            new_headers.append((found, Cell(column.header[lang], HEADER)))
        cells[found] = cell
    if note_at is not None and any(col == note_at for col, _ in new_headers):
        past = max([*cells, *(c for c in others if c != note_at)]) + 2  # one column free, as init leaves it
        new_headers.append((past, Cell(note, NOTE)))
    placed = tuple(cells.get(col, Cell(None)) for col in range(max(cells) + 1)) if cells else log_row
    return placed, tuple(new_headers)


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
    scheduled: bool = False,
    monthly: bool = False,
) -> SyncReport:
    """One sync: read, compute, and (unless ``dry_run``, or ``strict`` met issues) write.

    ``as_of``: report the week that contains it; without it, the latest week whose report
    day has come by ``today`` (default: ``now()``'s date; see :mod:`sheetops.sync.period`).
    ``scheduled``: the system's scheduler started the run (the Sync Log says so).
    ``monthly``: also the monthly review, the Unit economics tab with the KPI health check.
    """
    with _collector_paused():
        # The workbook's values and the facts are freed when _run returns, before the
        # collector is back: it then has nothing new to scan.
        return _run(backend, template, as_of=as_of, dry_run=dry_run, strict=strict, progress=progress, now=now,
                    today=today, scheduled=scheduled, monthly=monthly)


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
    scheduled: bool,
    monthly: bool = False,
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
                              result=result, lang=lang, scheduled=scheduled, version=__version__)
        # The monthly review only with --month: the Friday sync does not pay for it.
        months = unit_economics(analysis.inputs.channels, analysis.facts, analysis.as_of,
                                analysis.inputs.settings.gross_margin) if monthly else ()
        health = kpi_check(analysis) if monthly else None
        changes = build_write(analysis, log_row=row, months=months, health=health, monthly=monthly)
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
        roles=analysis.inputs.roles,
        trend=analysis.trend,
        months=months,
        kpi_health=health,
        monthly=monthly,
    )


def kpi_check(analysis: Analysis) -> KpiHealth:
    """The quarterly KPI check over the complete weeks up to the reported one; without
    pandas, a KpiHealth that says the check is off (the rest of the run goes on)."""
    from sheetops.errors import MissingExtraError
    from sheetops.sync.health import kpi_health

    period = analysis.period
    last = period.week if period.complete else period.week - dt.timedelta(weeks=1)
    weeks = analysis.inputs.settings.kpi_health_weeks
    try:
        return kpi_health(analysis.channels, analysis.facts, last, weeks, analysis.inputs.settings.gross_margin)
    except MissingExtraError:
        return KpiHealth(weeks, None, None, available=False)


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
