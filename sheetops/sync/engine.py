"""The sync engine: read the workbook once, compute the week, write everything at once.

:func:`run_sync` is the only function here that touches a backend. It holds the
backend's lock for the whole run, reads every tab with one :meth:`Backend.read`, hands
the values to the pure :func:`analyze`, builds the :class:`~sheetops.backends.SyncWrite`
and gives it to :meth:`Backend.write`, unless it is a dry run, or ``strict`` met data
issues. A missing tab or required header raises :class:`~sheetops.errors.WorkbookError`
before anything is written.
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sheetops.backends import Backend, SyncWrite
from sheetops.errors import WorkbookError
from sheetops.issues import workbook_issues
from sheetops.layout import Cell
from sheetops.sync import summary
from sheetops.sync.facts import FACT_KEYS, PLAN_KEYS, Facts, read_facts, week_start
from sheetops.sync.kpis import add_up, deviations, kpis, lifetime_value
from sheetops.sync.report import ChannelReport, Figures, SyncReport
from sheetops.sync.rules import Breach, evaluate_rules
from sheetops.sync.status import channel_status
from sheetops.tables import Channel, Inputs, read_inputs
from sheetops.templates import Template
from sheetops.templates.model import say
from sheetops.workbook import BoundWorkbook, Finding, WorkbookData, bind, find_sheet

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Analysis:
    """The reported week, computed from a workbook's values. No I/O went into it."""

    bound: BoundWorkbook
    inputs: Inputs
    facts: Facts
    as_of: dt.date
    week: dt.date
    channels: tuple[ChannelReport, ...]
    totals: Figures
    breaches: tuple[Breach, ...]
    issues: tuple[Finding, ...]

    @property
    def lang(self) -> str:
        return self.inputs.settings.lang


def analyze(data: WorkbookData, template: Template, as_of: dt.date, progress: Progress | None = None) -> Analysis:
    """Facts, KPIs, breaches, statuses and issues of the week that contains ``as_of``.

    ``progress`` hears, in the workbook's language, when the computing starts.
    """
    bound = bind(data, template)
    if bound.findings:
        raise WorkbookError(unusable_message(data.source, bound.findings))
    inputs = read_inputs(bound)
    if progress is not None:
        progress(say(inputs.settings.lang, en="Computing KPIs and stop rules", ru="Считаем KPI и стоп-правила"), 0.6)
    facts = read_facts(bound, inputs)
    issues = workbook_issues(bound, inputs, facts)
    breaches = tuple(evaluate_rules(inputs, facts, as_of))
    week = week_start(as_of)
    gross_margin = inputs.settings.gross_margin
    channels = tuple(
        channel_report(channel, facts, week, tuple(b for b in breaches if b.channel.name == channel.name),
                       gross_margin)
        for channel in inputs.channels
    )
    return Analysis(bound, inputs, facts, as_of, week, channels, totals_of(channels, facts, week, gross_margin),
                    breaches, issues)


def unusable_message(source: str, findings: Sequence[Finding]) -> str:
    """Why a workbook cannot be synced, naming every missing tab and header."""
    return f"{source} cannot be synced, nothing was written: " + "; ".join(f.message for f in findings) + "."


def channel_report(
    channel: Channel, facts: Facts, week: dt.date, breaches: tuple[Breach, ...], gross_margin: float
) -> ChannelReport:
    """One channel's figures and status for the week starting ``week``."""
    fact = facts.week(channel.name, week)
    has_facts = fact is not None and fact.has_data
    values = dict(fact.values) if fact is not None and has_facts else dict.fromkeys(FACT_KEYS)
    plan = dict(fact.plan) if fact is not None else dict.fromkeys(PLAN_KEYS)
    history = add_up((f.values for f in facts.weeks_of(channel.name, week)), ("revenue", "new_customers"))
    ltv = lifetime_value(history["revenue"], history["new_customers"], gross_margin)
    figures = Figures(plan, values, kpis(values, gross_margin, ltv), deviations(values, plan))
    status = channel_status(channel, values if has_facts else None, plan, breached=bool(breaches),
                            gross_margin=gross_margin)
    return ChannelReport(
        channel=channel,
        status=status.status,
        figures=figures,
        fact_source=fact.fact_source if fact is not None else None,
        from_daily=tuple(k for k in FACT_KEYS if fact is not None and k in fact.from_daily
                         and fact.values.get(k) is not None),
        breaches=breaches,
        watch=status.reasons,
        conclusion=fact.conclusion if fact is not None else None,
        action=fact.action if fact is not None else None,
    )


def totals_of(channels: Sequence[ChannelReport], facts: Facts, week: dt.date, gross_margin: float) -> Figures:
    """All channels together: KPIs from the summed components, never averaged ratios."""
    fact = add_up(c.figures.fact for c in channels)
    plan = add_up((c.figures.plan for c in channels), PLAN_KEYS)
    history = add_up(
        (f.values for c in channels for f in facts.weeks_of(c.name, week)), ("revenue", "new_customers")
    )
    ltv = lifetime_value(history["revenue"], history["new_customers"], gross_margin)
    return Figures(plan, fact, kpis(fact, gross_margin, ltv), deviations(fact, plan))


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
    as_of: dt.date,
    dry_run: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
    now: Callable[[], dt.datetime] = dt.datetime.now,
) -> SyncReport:
    """One sync: read, compute, and (unless ``dry_run``, or ``strict`` met issues) write."""
    with _collector_paused():
        # The workbook's values and the facts are freed when _run returns, before the
        # collector is back: it then has nothing new to scan.
        return _run(backend, template, as_of=as_of, dry_run=dry_run, strict=strict, progress=progress, now=now)


def _run(
    backend: Backend,
    template: Template,
    *,
    as_of: dt.date,
    dry_run: bool,
    strict: bool,
    progress: Progress | None,
    now: Callable[[], dt.datetime],
) -> SyncReport:
    report = progress or _silent
    started = time.perf_counter()
    with backend.lock():
        # The workbook's language is known once it is read: until then, only its name is shown.
        report(backend.source, 0.0)
        data = backend.read()
        analysis = analyze(data, template, as_of, report)
        lang = analysis.lang
        stopped = strict and bool(analysis.issues)
        duration = time.perf_counter() - started
        result = summary.log_result(analysis.lang, breaches=len(analysis.breaches),
                                    issues=len(analysis.issues), dry_run=dry_run, stopped=stopped)
        row = summary.log_row(when=now(), as_of=as_of, rows_read=analysis.facts.rows_read,
                              breaches=len(analysis.breaches), issues=len(analysis.issues), duration=duration,
                              result=result)
        changes = build_write(analysis, log_row=row)
        written = False
        if not dry_run and not stopped:
            report(say(lang, en="Writing the summary, highlights and log", ru="Записываем сводку, выделения и журнал"),
                   0.8)
            backend.write(changes)
            written = True
        report(say(lang, en="Done", ru="Готово"), 1.0)
    return SyncReport(
        source=backend.source,
        as_of=as_of,
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
    )


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
