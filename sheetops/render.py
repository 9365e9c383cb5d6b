"""Terminal output for people: what check found, what sync computed, progress on big runs.

The CLI hands a finished report to one of these functions; nothing here computes a
result. Output goes through rich, which drops colours and box characters on its own
when stdout is not a terminal (a pipe, a scheduler's log), so the same text reads well
in both places.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from sheetops.api import CheckReport
    from sheetops.workbook import Finding

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

    return Console(stderr=stderr, highlight=False)


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
