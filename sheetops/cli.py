"""The command line: a thin click layer over :mod:`sheetops.api`.

Each command parses its options, calls one library function and renders the result.
Errors are translated here once, in :func:`main`: a :class:`~sheetops.errors.SheetopsError`
becomes one line on stderr and an exit code, never a traceback.

Exit codes:
    0  done (for ``check``: no findings; for ``sync``: breaches are results, not failures)
    1  findings (``check``), data issues with ``--strict`` (``sync``), or init refused
       to overwrite a file
    2  the workbook or template cannot be used: missing, unreadable, locked, a missing
       tab or header; also a usage error
    3  ``sync --fail-on-breach`` and a stop rule is breached
    4  a backend failed: file system, network, Google API, credentials
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import NoReturn

import click

from sheetops import __version__
from sheetops.errors import BackendError, SheetopsError, TargetExistsError

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE, EXIT_BREACH, EXIT_BACKEND = 0, 1, 2, 3, 4


def _exit_code(error: SheetopsError) -> int:
    if isinstance(error, TargetExistsError):
        return EXIT_FINDINGS
    if isinstance(error, BackendError):
        return EXIT_BACKEND
    return EXIT_UNUSABLE


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    from sheetops.values import ValueProblem, parse_date

    try:
        return parse_date(value)
    except ValueProblem as exc:
        raise click.BadParameter(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="sheetops")
def cli() -> None:
    """The weekly marketing ritual in your spreadsheet: plan on Monday, facts on Friday,
    KPIs, stop rules and a CMO summary.

    \b
    Start with a demo workbook:
      sheetops init demo.xlsx --demo
      sheetops check demo.xlsx
      sheetops sync demo.xlsx
    """


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["en", "ru"]), default="en", show_default=True,
              help="Language of tab names, headers and values.")
@click.option("--template", "template_name", default="smb-marketing", show_default=True, metavar="NAME|FILE",
              help="A built-in template (see `sheetops templates`) or a template file.")
@click.option("--channels", metavar="A,B,C",
              help="Your channels, comma-separated, instead of the template's examples.")
@click.option("--demo", is_flag=True, help="Fill about 8 weeks of example plan and fact data.")
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
def init(path: Path, lang: str, template_name: str, channels: str | None, demo: bool, force: bool) -> None:
    """Create a workbook from a template.

    \b
    Examples:
      sheetops init marketing.xlsx
      sheetops init marketing.xlsx --lang ru --channels "Yandex Direct,VK Ads,Telegram"
      sheetops init demo.xlsx --demo
    """
    from sheetops import api

    channel_names = [c.strip() for c in channels.split(",") if c.strip()] if channels is not None else None
    if channel_names is not None and not channel_names:
        raise click.BadParameter("give at least one channel name, e.g. --channels \"Search ads,Blog\"",
                                 param_hint="--channels")
    result = api.provision(path, lang=lang, template=template_name, channels=channel_names, demo=demo, force=force)
    click.echo(f"Created {result.path} ({result.lang}, template {result.template}, "
               f"{result.channels} channels{', demo data' if demo else ''}).")
    if demo:
        click.echo(f"Next: run `sheetops sync {path}` and open the CMO Summary tab.")
    else:
        click.echo(f"Next: fill in Roles and Channels, then run `sheetops check {path}`.")


@cli.command()
# A folder is refused by the backend, in one line that names it (click would print three).
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--template", "template_name", default="smb-marketing", show_default=True, metavar="NAME|FILE",
              help="The template the workbook was made from.")
def check(path: Path, as_json: bool, template_name: str) -> None:
    """Check a workbook's structure and role map; every finding names its cell.

    Exit code 0: no findings; 1: findings; 2: the workbook cannot be read.

    \b
    Examples:
      sheetops check marketing.xlsx
      sheetops check marketing.xlsx --json
    """
    from sheetops import api

    report = api.check(path, template=template_name)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        from sheetops.render import print_check

        print_check(report)
    sys.exit(EXIT_FINDINGS if report.findings else EXIT_OK)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--as-of", "as_of", callback=_parse_date, metavar="DATE",
              help="Report the week that contains this date (default: today), e.g. 2026-11-27.")
@click.option("--dry-run", is_flag=True, help="Compute and print everything; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (see docs/sync.md).")
@click.option("--strict", is_flag=True, help="Stop before writing if any cell cannot be read (exit 1).")
@click.option("--fail-on-breach", is_flag=True, help="Exit 3 when a stop rule is breached.")
@click.option("--template", "template_name", default="smb-marketing", show_default=True, metavar="NAME|FILE",
              help="The template the workbook was made from.")
def sync(path: Path, as_of: dt.date | None, dry_run: bool, as_json: bool, strict: bool, fail_on_breach: bool,
         template_name: str) -> None:
    """Compute KPIs, find stop-rule breaches, mark them in the cells, write the CMO summary.

    Run it every Friday (or from a scheduler). Exit codes: 0 done, 1 --strict found data
    issues, 2 the workbook cannot be used, 3 --fail-on-breach and a rule is breached.

    \b
    Examples:
      sheetops sync marketing.xlsx
      sheetops sync marketing.xlsx --as-of 2026-11-27 --dry-run
      sheetops sync marketing.xlsx --json --fail-on-breach
    """
    from sheetops import api
    from sheetops.render import print_sync, progress

    with progress(enabled=not as_json) as report_progress:
        report = api.sync(path, as_of=as_of or dt.date.today(), dry_run=dry_run, strict=strict,
                          template=template_name, progress=report_progress)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print_sync(report)
    if strict and report.issues:
        sys.exit(EXIT_FINDINGS)
    if fail_on_breach and report.breaches:
        sys.exit(EXIT_BREACH)


@cli.command()
def templates() -> None:
    """List the built-in templates.

    \b
    Example:
      sheetops templates
    """
    from sheetops.templates import builtin_templates

    for name, description in builtin_templates():
        click.echo(f"{name}\t{description}")


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the CLI, turning every sheetops error into one line and an exit code."""
    try:
        cli.main(args=argv, prog_name="sheetops", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_UNUSABLE if exc.exit_code == 2 else exc.exit_code)
    except SheetopsError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(_exit_code(exc))
    except KeyboardInterrupt:
        click.echo("Interrupted; nothing was written.", err=True)
        sys.exit(130)
    sys.exit(EXIT_OK)

