"""Terminal output for people: what check found, what sync computed, progress on big runs.

The CLI hands a finished report to one of these functions; nothing here computes a
result. Output goes through rich, which drops colours and box characters on its own
when stdout is not a terminal (a pipe, a scheduler's log), so the same text reads well
in both places.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from sheetops.api import CheckReport
    from sheetops.sync.report import SyncReport
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
_STATUS_LABEL = {
    "ok": "ok",
    "watch": "watch",
    "breach": "BREACH",
    "no_data": "no data",
    "paused": "paused",
    "stopped": "stopped",
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


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _tab_of(finding: Finding) -> str:
    if not finding.cell:
        return "Workbook"
    return finding.cell.split("!", 1)[0]


def print_findings(findings: tuple[Finding, ...] | list[Finding], console: Console) -> None:
    """One finding per line (``Channels!C7: message``), grouped under the tab they are on."""
    from rich.markup import escape

    current: str | None = None
    for finding in findings:
        tab = _tab_of(finding)
        if tab != current:
            console.print(f"[bold]{escape(tab)}[/bold]")
            current = tab
        style = _SEVERITY_STYLE.get(finding.severity, "")
        where = escape(finding.cell) if finding.cell else ""
        mark = "warning: " if finding.severity == "warning" else ""
        text = f"{where}: {mark}{escape(finding.message)}" if where else f"{mark}{escape(finding.message)}"
        console.print(f"  [{style}]{text}[/{style}]" if style else f"  {text}", soft_wrap=True)


def _total(findings: tuple[Finding, ...] | list[Finding], noun: str) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    parts = []
    if errors:
        parts.append(_plural(errors, "error"))
    if warnings:
        parts.append(_plural(warnings, "warning"))
    return f"{_plural(len(findings), noun)} ({', '.join(parts)})"


def print_check(report: CheckReport, *, console: Console | None = None) -> None:
    """What ``sheetops check`` found, grouped by tab, then the total."""
    from rich.markup import escape

    out = _console(console)
    if not report.findings:
        out.print(f"[green]No findings:[/green] {escape(report.source)} is ready for `sheetops sync`.")
        return
    out.print(f"[bold]Checked {escape(report.source)}[/bold]")
    print_findings(report.findings, out)
    out.print()
    out.print(f"{_total(report.findings, 'finding')}. Fix them in the workbook, then run the check again.")


# -- sync ----------------------------------------------------------------------------------------

_WATCH_REASONS = {"cpl": "CPL above target", "cpa": "CPA above target", "roas": "ROAS below target",
                  "spend": "spend over plan"}
_METRIC_NAMES = {"cpl": "CPL", "cpa": "CPA", "cr": "CR", "roas": "ROAS", "romi": "ROMI", "cac": "CAC",
                 "repeat_share": "repeat share", "unsubscribe_rate": "unsubscribe rate"}
_SHARE_METRICS = frozenset({"cr", "romi", "repeat_share", "unsubscribe_rate"})


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _cost(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _count(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _deviation(value: float | None) -> str:
    return "" if value is None else f"{value:+.0%}"


def metric_text(metric: str, value: float | None) -> str:
    """A metric's value as the terminal shows it: 2.9% for shares, 212.40 for costs."""
    if value is not None and math.isinf(value):
        return "no result for the spend"
    if metric in _SHARE_METRICS:
        return _share(value)
    if metric in ("leads", "orders"):
        return _count(value)
    return _cost(value)


def breach_text(breach: Breach) -> str:
    """One line about a breach: who, what rule, how long, the last value against the threshold."""
    unit = "day" if breach.period == "day" else "week"
    run = f"{breach.streak} {unit}{'s' if breach.streak != 1 else ''} in a row since {breach.since.isoformat()}"
    threshold = ("target " if breach.uses_target else "") + metric_text(breach.metric, breach.threshold)
    last = metric_text(breach.metric, breach.values[-1])
    owner = f"; owner {breach.channel.owner}" if breach.channel.owner else ""
    metric = _METRIC_NAMES.get(breach.metric, breach.metric)
    return (f"{breach.channel.name}: {breach.rule.name} ({metric} {last} {breach.rule.condition} {threshold}), "
            f"{run}. Action: {breach.rule.action}{owner}.")


def print_sync(report: SyncReport, *, console: Console | None = None) -> None:
    """The week in the terminal: a table of channels, the breaches, missing reports, data issues."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    out = _console(console)
    if not out.is_terminal:
        out.width = max(out.width, 132)  # a log file or a pipe: no reason to wrap the table
    out.print(f"[bold]{escape(report.source)}[/bold]: week {report.week.isoformat()} to "
              f"{report.week_end.isoformat()}, as of {report.as_of.isoformat()}")
    table = Table(box=box.SIMPLE_HEAD, show_footer=True, pad_edge=False)
    totals = report.totals
    columns = [
        ("Channel", "Total"),
        ("Status", ""),
        ("Spend", _money(totals.fact["spend"])),
        ("vs plan", _deviation(totals.deviation["spend"])),
        ("Leads", _count(totals.fact["leads"])),
        ("Orders", _count(totals.fact["orders"])),
        ("Revenue", _money(totals.fact["revenue"])),
        ("vs plan", _deviation(totals.deviation["revenue"])),
        ("CPL", _cost(totals.kpi["cpl"])),
        ("CPA", _cost(totals.kpi["cpa"])),
        ("ROAS", _cost(totals.kpi["roas"])),
        ("ROMI", _share(totals.kpi["romi"])),
    ]
    for index, (header, footer) in enumerate(columns):
        table.add_column(header, footer, justify="right" if index > 1 else "left", no_wrap=index > 0)
    for channel in report.channels:
        figures = channel.figures
        table.add_row(
            escape(channel.name),
            f"[{_STATUS_STYLE[channel.status]}]{_STATUS_LABEL[channel.status]}[/]",
            _money(figures.fact["spend"]),
            _deviation(figures.deviation["spend"]),
            _count(figures.fact["leads"]),
            _count(figures.fact["orders"]),
            _money(figures.fact["revenue"]),
            _deviation(figures.deviation["revenue"]),
            _cost(figures.kpi["cpl"]),
            _cost(figures.kpi["cpa"]),
            _cost(figures.kpi["roas"]),
            _share(figures.kpi["romi"]),
        )
    out.print(table)

    if report.breaches:
        out.print(f"[bold red]Decisions needed ({len(report.breaches)})[/bold red]")
        for breach in report.breaches:
            out.print(f"  {escape(breach_text(breach))}", soft_wrap=True)
    else:
        out.print("[green]No stop rule is breached.[/green]")
    watched = [c for c in report.channels if c.status == "watch"]
    if watched:
        out.print(f"[bold yellow]Watch ({len(watched)})[/bold yellow]")
        for channel in watched:
            reasons = ", ".join(_WATCH_REASONS.get(r, r) for r in channel.watch)
            out.print(f"  {escape(channel.name)}: {reasons}", soft_wrap=True)
    missing = [c for c in report.channels if c.status == "no_data"]
    if missing:
        out.print(f"[bold]Missing reports ({len(missing)})[/bold]: no facts this week for")
        for channel in missing:
            owner = f" (owner {channel.channel.owner})" if channel.channel.owner else ""
            out.print(f"  {escape(channel.name)}{escape(owner)}", soft_wrap=True)
    if report.issues:
        out.print(f"[bold yellow]Data issues: {_total(report.issues, 'issue')}[/bold yellow]")
        print_findings(report.issues, out)
    out.print()
    out.print(escape(_outcome(report)), soft_wrap=True)


def _outcome(report: SyncReport) -> str:
    changes = report.changes
    if report.stopped:
        return (f"Stopped by --strict: {_plural(len(report.issues), 'data issue')}, so nothing was written. "
                "Fix the cells above and run the sync again.")
    if report.dry_run:
        return (f"Dry run: nothing written (it would write the {report.summary_tab!r} tab, "
                f"{_plural(len(changes.highlights), 'highlighted cell')} and a row in {changes.log_tab.name!r}).")
    if report.written:
        return (f"Written: the {report.summary_tab!r} tab, {_plural(len(changes.highlights), 'highlighted cell')} "
                f"and a row in {changes.log_tab.name!r} ({report.rows_read:,} rows read).")
    return "Nothing was written."


@contextmanager
def progress(enabled: bool, *, console: Console | None = None,
             delay: float = PROGRESS_DELAY_S) -> Iterator[ProgressCallback]:
    """A ``(message, fraction)`` callback that shows a progress bar on stderr.

    The bar appears only when stderr is an interactive terminal and the run has taken
    longer than ``delay`` seconds, that is on large workbooks; it is removed when the run
    ends, so what is printed afterwards stands alone. Disabled (``--json``), it does nothing.
    """
    out = _console(console, stderr=True)
    if not enabled or not out.is_terminal:
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
