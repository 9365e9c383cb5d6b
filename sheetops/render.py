"""Terminal output for people: what check found, what sync computed, progress on big runs.

The CLI hands a finished report to one of these functions; nothing here computes a
result. Output goes through rich, which drops colours and box characters on its own
when stdout is not a terminal (a pipe, a scheduler's log), so the same text reads well
in both places.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sheetops.messages import message
from sheetops.sync import summary
from sheetops.templates import DEFAULT_TEMPLATE, load_template

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID
    from rich.table import Table

    from sheetops.api import CheckReport, ProvisionResult
    from sheetops.notify import RemindResult
    from sheetops.notify.deliver import Delivery
    from sheetops.sync.report import ChannelReport, Figures, SyncReport
    from sheetops.sync.rules import Breach
    from sheetops.workbook import Finding

ProgressCallback = Callable[[str, float], None]

# A run shorter than this shows no progress bar at all: small workbooks sync in a blink.
PROGRESS_DELAY_S = 0.4

_SEVERITY_STYLE = {"error": "red", "warning": "yellow"}
_STATUS_STYLE = {
    "ok": "green",
    "watch": "yellow",
    "breach": "bold red",
    "no_data": "dim",
    "paused": "dim",
    "stopped": "dim",
}
def _console(console: Console | None, *, stderr: bool = False) -> Console:
    if console is not None:
        return console
    from rich.console import Console

    # Lines are never cut by the console (a path or an address stays whole for copying);
    # written to a file or a scheduler's log, tables get room instead of 80 columns.
    out = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out.width = max(out.width, 160)
    return out


def _count(number: int, noun: str, lang: str) -> str:
    """'3 findings', '2 замечания', '1 data issue': a noun of the catalogs (``noun.<noun>``)."""
    return summary.count(number, noun, lang)


def _tab_of(finding: Finding, lang: str) -> str:
    if not finding.cell:
        return message("terminal.workbook", lang)
    return finding.cell.split("!", 1)[0]


def print_findings(findings: tuple[Finding, ...] | list[Finding], console: Console, lang: str = "en") -> None:
    """One finding per line (``Channels!C7: message``), grouped under the tab they are on."""
    from rich.markup import escape

    current: str | None = None
    for finding in findings:
        tab = _tab_of(finding, lang)
        if tab != current:
            console.print(f"[bold]{escape(tab)}[/bold]")
            current = tab
        style = _SEVERITY_STYLE.get(finding.severity, "")
        where = escape(finding.cell) if finding.cell else ""
        mark = f"{summary.text('warning', lang)}: " if finding.severity == "warning" else ""
        text = f"{where}: {mark}{escape(finding.message)}" if where else f"{mark}{escape(finding.message)}"
        console.print(f"  [{style}]{text}[/{style}]" if style else f"  {text}", soft_wrap=True)


def _total(findings: tuple[Finding, ...] | list[Finding], noun: str, lang: str) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    parts = []
    if errors:
        parts.append(_count(errors, "error", lang))
    if warnings:
        parts.append(_count(warnings, "warning", lang))
    return f"{_count(len(findings), noun, lang)} ({', '.join(parts)})"


def print_check(report: CheckReport, *, console: Console | None = None) -> None:
    """What ``sheetops check`` found, grouped by tab, then the total, in the workbook's language."""
    from rich.markup import escape

    out = _console(console)
    lang, source = report.lang, escape(report.source)
    if not report.findings:
        out.print(message("terminal.check_clean", lang, source=source))
        return
    out.print(message("terminal.checked", lang, source=source))
    print_findings(report.findings, out, lang)
    out.print()
    total = _total(report.findings, "finding", lang)
    out.print(message("terminal.check_total", lang, total=total))


# -- init ----------------------------------------------------------------------------------------

def print_init(result: ProvisionResult, *, demo: bool, console: Console | None = None) -> None:
    """What ``sheetops init`` made and what to do next, in the new workbook's language."""
    from rich.markup import escape

    out = _console(console)
    lang, path = result.lang, escape(result.path)
    tabs = load_template(DEFAULT_TEMPLATE)
    summary_tab, roles, channels = (tabs.tab(key).name[lang] for key in ("summary", "roles", "channels"))
    count = _count(result.channels, "channel", lang)
    data = message("init.demo_data", lang) if demo else ""
    out.print(message("init.created", lang, path=path, language=message("init.language", lang),
                      template=result.template, channels=count, data=data), soft_wrap=True)
    if demo:
        out.print(message("init.next_demo", lang, path=path, summary=summary_tab), soft_wrap=True)
    else:
        out.print(message("init.next", lang, path=path, roles=roles, channels=channels), soft_wrap=True)


# -- sync ----------------------------------------------------------------------------------------

_SHARE_METRICS = frozenset({"cr", "romi", "repeat_share", "unsubscribe_rate"})


def _watch_reason(reason: str, lang: str) -> str:
    """Why a channel is watched: a KPI worse than its target, or spend over plan."""
    if reason == "spend":
        return message("watch.spend", lang)
    metric = _metric_name(reason, lang)
    if reason == "roas":
        return message("watch.below", lang, metric=metric)
    return message("watch.above", lang, metric=metric)


def _metric_label(metric: str, lang: str) -> str:
    """The metric as the template names it: 'Spend', 'Расход', 'CPA'."""
    return load_template(DEFAULT_TEMPLATE).enum("metric").label_of(metric, lang)


def _metric_name(metric: str, lang: str) -> str:
    """The metric inside a sentence: 'CPA', 'repeat share', 'доля повторных'."""
    label = _metric_label(metric, lang)
    return label if label.isupper() else label.lower()


def _number(value: float, lang: str, decimals: int) -> str:
    """1,628 in English; 1 628 in Russian, as the CMO Summary and a Russian Excel show it."""
    return summary.format_number(value, lang, decimals)


def _money(value: float | None, lang: str) -> str:
    return "-" if value is None else _number(value, lang, 0)


def _cost(value: float | None, lang: str) -> str:
    return "-" if value is None else _number(value, lang, 2)


def _share(value: float | None, lang: str) -> str:
    """A share as a percentage with the language's separators: 3,114.3% in English, 3 114,3% in Russian."""
    if value is None:
        return "-"
    return _number(value * 100, lang, 1) + "%"


def _amount(value: float | None, lang: str) -> str:
    if value is None:
        return "-"
    return _number(value, lang, 0) if float(value).is_integer() else _number(value, lang, 1)


def _deviation(value: float | None) -> str:
    return "" if value is None else f"{value:+.0%}"


def _date(day: dt.date, lang: str) -> str:
    return summary.format_date(day, lang)


def metric_text(metric: str, value: float | None, lang: str = "en") -> str:
    """A metric's value as the terminal shows it: 2.9% for shares, 212.40 for costs (2,9% and 212,40 in Russian)."""
    if value is not None and math.isinf(value):
        return message("terminal.infinite_cost", lang)
    if metric in _SHARE_METRICS:
        return _share(value, lang)
    if metric in ("leads", "orders"):
        return _amount(value, lang)
    return _cost(value, lang)


def breach_text(breach: Breach, lang: str = "en") -> str:
    """One line about a breach: who, what rule, how long, the last value against the threshold."""
    since = _date(breach.since, lang)
    streak = summary.count(breach.streak, breach.period, lang)
    # One period is not a run: "since 2026-11-23", not "1 week in a row since 2026-11-23".
    run = (message("breach.since", lang, since=since) if breach.streak == 1
           else message("breach.run", lang, streak=streak, since=since))
    target = f"{summary.text('target', lang)} " if breach.uses_target else ""
    threshold = target + metric_text(breach.metric, breach.threshold, lang)
    last = metric_text(breach.metric, breach.values[-1], lang)
    owner = f"; {summary.text('owner', lang).lower()} {breach.channel.owner}" if breach.channel.owner else ""
    action = load_template(DEFAULT_TEMPLATE).enum("action").label_of(breach.rule.action, lang).lower()
    metric = _metric_name(breach.metric, lang)
    return (f"{breach.channel.name}: {breach.rule.name} ({metric} {last} {breach.rule.condition} {threshold}), "
            f"{run}. {summary.text('action', lang)}: {action}{owner}.")


def _status(status: str, lang: str) -> str:
    """'ok', 'watch', 'BREACH' (the summary's status labels, set off for the terminal)."""
    label = summary.status_label(status, lang)
    return label.upper() if status == "breach" else label.lower()


def print_sync(report: SyncReport, *, wide: bool = False, console: Console | None = None) -> None:
    """The week in the terminal: a table of channels, the breaches, missing reports, data issues.

    In the workbook's language (``report.lang``), with the CMO Summary's labels.
    """
    from rich.markup import escape

    out = _console(console)
    lang = report.lang
    if not out.is_terminal:
        out.width = max(out.width, 132)  # a log file or a pipe: no reason to wrap the table
    week, end, as_of = _date(report.week, lang), _date(report.week_end, lang), _date(report.as_of, lang)
    period = report.reported
    heading = (message("terminal.week_whole", lang, week=week, end=end) if period.complete else
               message("terminal.week_to_date", lang, week=week, end=end, as_of=as_of, days=period.days_elapsed))
    out.print(f"[bold]{escape(report.source)}[/bold]: {heading}")
    columns = _week_columns(report)
    shown = list(range(len(columns)))
    table = _week_table(columns, shown, report.channels)
    # Columns give way, least important first, until the table fits; never Channel or Status.
    unbounded = out.options.update_width(10_000)  # measured as if the screen had room for all of it
    for dropped in () if wide else _DROP_ORDER:
        if out.measure(table, options=unbounded).maximum <= out.width:
            break
        shown.remove(dropped)
        table = _week_table(columns, shown, report.channels)
    needed = out.measure(table, options=unbounded).maximum
    if wide and needed > out.width:  # all columns were asked for: wider than the screen, not squeezed
        screen, out.width = out.width, needed
        out.print(table)
        out.width = screen
    else:
        out.print(table)
    if len(shown) < len(columns):
        hidden = _count(len(columns) - len(shown), "column", lang)
        out.print(message("terminal.columns_hidden", lang, hidden=hidden), soft_wrap=True)
    left_out = summary.left_out_note(report.totals, report.channels, lang)
    if left_out:
        out.print(escape(left_out), soft_wrap=True)

    if report.breaches:
        out.print(f"[bold red]{summary.text('decisions', lang)} ({len(report.breaches)})[/bold red]")
        for breach in report.breaches:
            state = summary.text(report.decisions.state(breach), lang)
            out.print(f"  [bold]{escape(state)}[/bold]: {escape(breach_text(breach, lang))}", soft_wrap=True)
    else:
        out.print("[green]" + message("terminal.no_breach", lang)
                  + "[/green]")
    if report.decisions.resolved:
        out.print("[green]" + summary.text("resolved_title", lang) + f" ({len(report.decisions.resolved)})[/green]")
        for breach in report.decisions.resolved:
            out.print(f"  {escape(breach.channel.name)}: {escape(breach.rule.name)}", soft_wrap=True)
    watched = [c for c in report.channels if c.status == "watch"]
    if watched:
        out.print(f"[bold yellow]{summary.status_label('watch', lang)} ({len(watched)})[/bold yellow]")
        for channel in watched:
            reasons = ", ".join(_watch_reason(r, lang) for r in channel.watch)
            out.print(f"  {escape(channel.name)}: {reasons}", soft_wrap=True)
    missing = [c for c in report.channels if c.status == "no_data"]
    if missing:
        out.print(f"[bold]{summary.text('missing', lang)} ({len(missing)})[/bold]: "
                  + message("terminal.missing", lang))
        owner_word = summary.text("owner", lang).lower()
        for channel in missing:
            owner = f" ({owner_word} {channel.channel.owner})" if channel.channel.owner else ""
            out.print(f"  {escape(channel.name)}{escape(owner)}", soft_wrap=True)
    if report.monthly:
        from sheetops.messages import count as catalog_count

        months = catalog_count(len(report.months), "noun.month", lang)
        said = message("review.month_done", lang, months=months, tab=report.changes.tabs[-1].name)
        out.print(escape(said), soft_wrap=True)
        if report.kpi_health is not None and not report.kpi_health.available:
            out.print("[yellow]" + escape(message("review.health_hint", lang)) + "[/yellow]", soft_wrap=True)
    if report.issues:
        out.print(f"[bold yellow]{summary.text('issues', lang)}: {_total(report.issues, 'problem', lang)}"
                  "[/bold yellow]")
        print_findings(report.issues, out, lang)
    out.print()
    out.print(escape(_outcome(report)), soft_wrap=True)


# The week's table, column by column: the header, the total, and a channel's cell.
WeekColumn = tuple[str, str, Callable[["ChannelReport"], str]]
# The columns that give way first when the terminal is narrow (indexes into _week_columns):
# CPL, Leads, Orders, ROAS, revenue vs plan, Revenue, ROMI, CPA, spend vs plan, Spend.
_DROP_ORDER = (8, 4, 5, 10, 7, 6, 11, 9, 3, 2)


def _week_columns(report: SyncReport) -> list[WeekColumn]:
    from rich.markup import escape

    lang, totals = report.lang, report.totals
    vs_plan = summary.text("deviation", lang, metric="").strip()
    # While the week is in progress, "vs plan" is against the plan to date (the title says so).
    whole = report.reported.complete

    def off(figures: Figures, key: str) -> str:
        return _deviation((figures.deviation if whole else figures.deviation_to_date)[key])
    return [
        (summary.text("channel", lang), summary.text("total", lang), lambda c: escape(c.name)),
        (summary.text("status", lang), "", lambda c: f"[{_STATUS_STYLE[c.status]}]{_status(c.status, lang)}[/]"),
        (_metric_label("spend", lang), _money(totals.fact["spend"], lang),
         lambda c: _money(c.figures.fact["spend"], lang)),
        (vs_plan, off(totals, "spend"), lambda c: off(c.figures, "spend")),
        (_metric_label("leads", lang), _amount(totals.fact["leads"], lang),
         lambda c: _amount(c.figures.fact["leads"], lang)),
        (_metric_label("orders", lang), _amount(totals.fact["orders"], lang),
         lambda c: _amount(c.figures.fact["orders"], lang)),
        (_metric_label("revenue", lang), _money(totals.fact["revenue"], lang),
         lambda c: _money(c.figures.fact["revenue"], lang)),
        (vs_plan, off(totals, "revenue"), lambda c: off(c.figures, "revenue")),
        (_metric_label("cpl", lang), _cost(totals.kpi["cpl"], lang), lambda c: _cost(c.figures.kpi["cpl"], lang)),
        (_metric_label("cpa", lang), _cost(totals.kpi["cpa"], lang), lambda c: _cost(c.figures.kpi["cpa"], lang)),
        (_metric_label("roas", lang), _cost(totals.kpi["roas"], lang),
         lambda c: _cost(c.figures.kpi["roas"], lang)),
        (_metric_label("romi", lang), _share(totals.kpi["romi"], lang),
         lambda c: _share(c.figures.kpi["romi"], lang)),
    ]


def _week_table(columns: list[WeekColumn], shown: list[int], channels: tuple[ChannelReport, ...]) -> Table:
    """The table with the ``shown`` columns; Channel and Status are never cut (a long name folds)."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_footer=True, pad_edge=False)
    for index in shown:
        header, footer, _ = columns[index]
        if index == 0:
            table.add_column(header, footer, justify="left", overflow="fold")
        else:
            table.add_column(header, footer, justify="left" if index == 1 else "right", no_wrap=True)
    for channel in channels:
        table.add_row(*(columns[index][2](channel) for index in shown))
    return table


def _outcome(report: SyncReport) -> str:
    changes, lang = report.changes, report.lang
    if report.stopped:
        issues = _count(len(report.issues), "issue", lang)
        return message("outcome.stopped", lang, issues=issues)
    marked = len(changes.highlights)
    cells = _count(marked, "highlighted_cell", lang)
    tab, log = report.summary_tab, changes.log_tab.name
    if report.dry_run:
        return message("outcome.dry_run", lang, tab=tab, cells=_count(marked, "cell_to_mark", lang), log=log)
    if report.written:
        rows = _number(report.rows_read, lang, 0)
        return message("outcome.written", lang, tab=tab, cells=cells, log=log, rows=rows)
    return message("outcome.nothing", lang)


@contextmanager
def progress(enabled: bool, *, console: Console | None = None,
             delay: float = PROGRESS_DELAY_S) -> Iterator[ProgressCallback]:
    """A ``(message, fraction)`` callback that shows a progress bar on stderr.

    The bar appears only when stderr is an interactive terminal and the run has taken
    longer than ``delay`` seconds, that is on large workbooks; it is removed when the run
    ends, so what is printed afterwards stands alone. Disabled (``--json``), it does nothing.
    """
    if not enabled:  # --json, --quiet: not even the terminal is looked at (nor rich loaded)
        yield _ignore
        return
    out = _console(console, stderr=True)
    if not out.is_terminal:
        yield _ignore
        return
    bar = _DelayedBar(out)
    timer = threading.Timer(delay, bar.start)
    timer.daemon = True
    timer.start()
    try:
        yield bar.update
    finally:
        timer.cancel()
        bar.stop()


def _ignore(message: str, fraction: float) -> None:
    """No progress to show."""


class _DelayedBar:
    """A rich progress bar started late (from a timer thread), fed from the run's thread."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.lock = threading.Lock()
        self.message = "Starting"
        self.fraction = 0.0
        self.done = False
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def start(self) -> None:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn

        with self.lock:
            if self.done:
                return
            self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                TaskProgressColumn(), console=self.console, transient=True)
            self.task = self.bar.add_task(self.message, total=1000, completed=round(self.fraction * 1000))
            self.bar.start()

    def update(self, message: str, fraction: float) -> None:
        with self.lock:
            self.message, self.fraction = message, fraction
            if self.bar is not None and self.task is not None:
                self.bar.update(self.task, description=message, completed=round(fraction * 1000))

    def stop(self) -> None:
        with self.lock:
            self.done = True
            if self.bar is not None:
                self.bar.stop()


# -- notifications ---------------------------------------------------------------------------------

_DELIVERY_STYLE = {"sent": "green", "dry_run": "cyan", "failed": "red", "no_contact": "yellow"}


def print_deliveries(deliveries: Sequence[Delivery], lang: str, *, console: Console | None = None,
                     title: str | None = None, channels: Sequence[Sequence[str]] | None = None) -> None:
    """Who got (or would get) which message, and why not where one did not go.

    ``channels``: for reminders, each message's channels, shown in their own column.
    """
    from rich.markup import escape
    from rich.table import Table

    out = _console(console)
    table = Table(title=title or message("notify.terminal.title", lang), title_justify="left", show_lines=False)
    for key in ("person", "contact", *(("channels",) if channels is not None else ()), "message", "status"):
        table.add_column(message(f"notify.terminal.{key}", lang), overflow="fold")
    for index, delivery in enumerate(deliveries):
        status = message(f"notify.terminal.{delivery.status}", lang)
        style = _DELIVERY_STYLE.get(delivery.status, "")
        result = f"[{style}]{escape(status)}[/{style}]"
        if delivery.reason:
            result += f": {escape(delivery.reason)}"
        cells = [escape(delivery.person or "—"), escape(delivery.contact or "—")]
        if channels is not None:
            cells.append(escape(", ".join(channels[index])))
        table.add_row(*cells, escape(delivery.subject), result)
    out.print(table)
    if deliveries and all(d.status in ("dry_run", "no_contact") for d in deliveries) and \
            any(d.status == "dry_run" for d in deliveries):
        out.print(message("notify.terminal.dry_run_note", lang))


def print_reminders(result: RemindResult, *, console: Console | None = None) -> None:
    """``sheetops remind``: which owners lack what, and what became of each reminder."""
    out = _console(console)
    lang = result.lang
    title = message(f"notify.terminal.remind_{result.kind}", lang, week=summary.format_date(result.week, lang))
    if not result.reminders:
        out.print(title)
        out.print(message("notify.terminal.nobody", lang))
        return
    print_deliveries(result.deliveries, lang, console=out, title=title,
                     channels=[r.channels for r in result.reminders])
