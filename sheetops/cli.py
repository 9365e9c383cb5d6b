"""The command line: a thin click layer over :mod:`sheetops.api`.

Each command parses its options, calls one library function and renders the result.
Errors are translated here once, in :func:`main`: a :class:`~sheetops.errors.SheetopsError`
becomes one line on stderr and an exit code, never a traceback; with ``--json``, one JSON
object on stdout (``error``, ``message``, ``exit_code``) and the same exit code.

Exit codes:
    0  done (for ``check``: no findings; for ``sync``: breaches are results, not failures)
    1  findings (``check``), data issues with ``--strict`` (``sync``), or init refused
       to overwrite a file
    2  the workbook or template cannot be used: missing, unreadable, locked, a missing
       tab or header; the notification settings cannot be used; also a usage error
    3  ``sync --fail-on-breach`` and a stop rule is breached
    4  a backend failed: file system, network, Google API, credentials
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from sheetops import __version__
from sheetops.backends.registry import names as backend_names
from sheetops.errors import SheetopsError, error_kind_of, exit_code_of

if TYPE_CHECKING:
    from sheetops.schedule import JobStatus
    from sheetops.schedule.install import Installer, Plan
    from sheetops.schedule.model import Weekly
    from sheetops.sync.report import SyncReport

if TYPE_CHECKING:
    from sheetops.backends.gsheets.script import MenuInstall
    from sheetops.notify.config import NotifyConfig
    from sheetops.notify.deliver import Delivery

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE, EXIT_BREACH, EXIT_BACKEND, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130

SHELLS = ("bash", "zsh", "fish")

F = TypeVar("F", bound=Callable[..., Any])


def _json_option(what: str) -> Callable[[F], F]:
    return click.option("--json", "as_json", is_flag=True, help=f"Print {what} as JSON (see docs/cli.md).")


def _quiet_option(function: F) -> F:
    return click.option("-q", "--quiet", is_flag=True,
                        help="Print nothing but errors; the exit code says the result.")(function)


def message(key: str, lang: str, /, **values: object) -> str:
    """A sentence from the message catalogs (loaded when first needed, not at start-up)."""
    from sheetops.messages import message as catalog_message

    return catalog_message(key, lang, **values)


def _print_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    from sheetops.values import ValueProblem, parse_as_of

    try:
        return parse_as_of(value)
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
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--backend", type=click.Choice(backend_names(provisions=True)), default="xlsx", show_default=True,
              help="Where the workbook lives: a local .xlsx file, or a new Google spreadsheet.")
@click.option("--title", help="Google Sheets: the new spreadsheet's title.")
@click.option("--share", "shares", multiple=True, metavar="EMAIL[:reader|writer]",
              help="Google Sheets: give this person access (writer unless :reader); repeat for more.")
@click.option("--folder", metavar="FOLDER_ID", help="Google Sheets: create the spreadsheet in this Drive folder.")
@click.option("--credentials", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Google Sheets: a service-account key file (default: GOOGLE_APPLICATION_CREDENTIALS, "
                   "then the signed-in user; see docs/google-sheets.md).")
@click.option("--lang", type=click.Choice(["en", "ru"]), default="en", show_default=True,
              help="Language of tab names, headers and values.")
@click.option("--template", "template_name", default="smb-marketing", show_default=True, metavar="NAME|FILE",
              help="A built-in template (see `sheetops templates`) or a template file.")
@click.option("--channels", metavar="A,B,C",
              help="Your channels, comma-separated, instead of the template's examples.")
@click.option("--demo", is_flag=True, help="Fill about 8 weeks of example plan and fact data.")
@click.option("--as-of", "as_of", callback=_parse_date, metavar="DATE",
              help="With --demo: the day the example data runs up to (default: today), so that a demo "
                   "made again with the same date is the same workbook.")
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@click.option("--menu-service", metavar="URL", envvar="SHEETOPS_SERVICE_URL",
              help="Google Sheets: add the sheetops menu, calling the sheetops service at this address "
                   "(see docs/serve.md).")
@_json_option("what was made")
@_quiet_option
def init(path: Path | None, backend: str, title: str | None, shares: tuple[str, ...], folder: str | None,
         credentials: Path | None, lang: str, template_name: str, channels: str | None, demo: bool,
         as_of: dt.date | None, force: bool, menu_service: str | None, as_json: bool, quiet: bool) -> None:
    """Create a workbook from a template: an .xlsx file, or a Google spreadsheet.

    \b
    Examples:
      sheetops init marketing.xlsx
      sheetops init marketing.xlsx --lang ru --channels "Yandex Direct,VK Ads,Telegram"
      sheetops init demo.xlsx --demo
      sheetops init demo.xlsx --demo --as-of 2026-11-27
      sheetops init --backend gsheets --title "Marketing 2026" --share you@company.com
      sheetops init --backend gsheets --title "Marketing" --menu-service https://sheetops-abc.a.run.app
    """
    from sheetops import api
    from sheetops.backends.registry import KINDS

    if KINDS[backend].titled:
        if path is not None:
            raise click.BadParameter("a Google spreadsheet is named with --title, not a file path",
                                     param_hint="PATH")
        if not title:
            raise click.BadParameter('give the new spreadsheet a title, e.g. --title "Marketing 2026"',
                                     param_hint="--title")
    elif path is None:
        raise click.BadParameter("give the file to create, e.g. sheetops init marketing.xlsx", param_hint="PATH")

    channel_names = [c.strip() for c in channels.split(",") if c.strip()] if channels is not None else None
    if channel_names is not None and not channel_names:
        raise click.BadParameter("give at least one channel name, e.g. --channels \"Search ads,Blog\"",
                                 param_hint="--channels")
    if as_of is not None and not demo:
        raise click.BadParameter("--as-of sets the last day of the demo data; use it with --demo",
                                 param_hint="--as-of")
    result = api.provision(path, lang=lang, template=template_name, channels=channel_names, demo=demo, force=force,
                           today=as_of,
                           backend=backend, title=title, shares=shares, folder=folder, credentials=credentials)
    menu = None
    if menu_service and backend == "gsheets":
        menu = api.add_menu(result.path, service_url=menu_service, credentials=credentials)
    if as_json:
        _print_json({**dataclasses.asdict(result), "demo": demo, **({"menu": menu.as_dict()} if menu else {})})
        return
    if not quiet:
        from sheetops.render import print_init

        print_init(result, demo=demo)
    if menu is not None:
        _print_menu(menu, quiet=quiet)


@cli.command()
# A folder is refused by the backend, in one line that names it (click would print three).
@click.argument("path", metavar="WORKBOOK")
@_json_option("the findings")
@_quiet_option
@click.option("--template", "template_name", default="smb-marketing", show_default=True, metavar="NAME|FILE",
              help="The template the workbook was made from.")
@click.option("--credentials", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Google Sheets: a service-account key file (default: GOOGLE_APPLICATION_CREDENTIALS, "
                   "then the signed-in user; see docs/google-sheets.md).")
def check(path: str, as_json: bool, quiet: bool, template_name: str, credentials: Path | None) -> None:
    """Check a workbook: its structure, every cell sync would leave out, and the role map.

    Every finding names its cell; check reports each data issue sync would, with the same
    cell, code and severity. Exit code 0: no findings; 1: findings; 2: the workbook cannot
    be read.

    \b
    Examples:
      sheetops check marketing.xlsx
      sheetops check marketing.xlsx --json
      sheetops check https://docs.google.com/spreadsheets/d/1AbC.../edit
    """
    from sheetops import api

    report = api.check(path, template=template_name, credentials=credentials)
    if as_json:
        _print_json(report.as_dict())
    elif not quiet:
        from sheetops.render import print_check

        print_check(report)
    sys.exit(EXIT_FINDINGS if report.findings else EXIT_OK)


@cli.command()
@click.argument("path", metavar="WORKBOOK")
@click.option("--credentials", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Google Sheets: a service-account key file (default: GOOGLE_APPLICATION_CREDENTIALS, "
                   "then the signed-in user; see docs/google-sheets.md).")
@click.option("--as-of", "as_of", callback=_parse_date, metavar="DATE",
              help="Report the week that contains this date, as of that day, e.g. 2026-11-27 (default: the "
                   "latest week whose report day has come: last week from Monday to Thursday).")
@click.option("--dry-run", is_flag=True, help="Compute and print everything; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (see docs/sync.md).")
@_quiet_option
@click.option("--wide", is_flag=True, help="Show every column of the week's table, even wider than the screen.")
@click.option("--strict", is_flag=True, help="Stop before writing if any cell cannot be read (exit 1).")
@click.option("--fail-on-breach", is_flag=True, help="Exit 3 when a stop rule is breached.")
@click.option("--template", "template_name", default="smb-marketing", show_default=True, metavar="NAME|FILE",
              help="The template the workbook was made from.")
@click.option("--scheduled", is_flag=True,
              help="Run as the scheduler does (see docs/schedule.md): never ask, wait and try again while the "
                   "workbook is open or the network is down, write a line to the run log.")
@click.option("--retry-for", metavar="DURATION",
              help="With --scheduled: how long to keep trying, e.g. 30m, 2h, 0 (default 2h).")
@click.option("--notify", is_flag=True,
              help="Then send the CMO the digest and each breach to its channel's owner (the Contact column of "
                   "Roles; see docs/notifications.md). With --dry-run, show who would get what. A scheduled run "
                   "always does.")
@click.option("--deck", is_flag=True,
              help="With --notify or --scheduled: send the meeting deck (sheetops report) with the CMO's digest, "
                   "where the channel takes files (e-mail, Telegram). Needs sheetops[report].")
@click.option("--month", "monthly", is_flag=True,
              help="Also write the monthly review: the Unit economics tab (spend, CAC, LTV, payback, ROMI by month "
                   "and channel) and the KPI health check (needs sheetops[analysis]; see docs/workbook.md).")
@click.option("--excel", is_flag=True,
              help="Sync the workbook as it is open in Excel (Windows, macOS; needs the excel extra): you keep "
                   "working and see the marks appear (see docs/excel.md).")
def sync(path: str, credentials: Path | None, as_of: dt.date | None, dry_run: bool, as_json: bool, quiet: bool,
         wide: bool, strict: bool, fail_on_breach: bool, template_name: str, scheduled: bool,
         retry_for: str | None, notify: bool, deck: bool, monthly: bool,
         excel: bool) -> None:
    """Compute KPIs, find stop-rule breaches, mark them in the cells, write the CMO summary.

    Run it every Friday (or from a scheduler). Exit codes: 0 done, 1 --strict found data
    issues, 2 the workbook cannot be used, 3 --fail-on-breach and a rule is breached.

    \b
    Examples:
      sheetops sync marketing.xlsx
      sheetops sync marketing.xlsx --as-of 2026-11-27 --dry-run
      sheetops sync marketing.xlsx --json --fail-on-breach
      sheetops sync marketing.xlsx --notify
      sheetops sync marketing.xlsx --month
      sheetops sync marketing.xlsx --excel
      sheetops sync https://docs.google.com/spreadsheets/d/1AbC.../edit
      sheetops sync /home/me/marketing.xlsx --scheduled --retry-for 30m
    """
    from sheetops import api
    from sheetops.render import print_sync, progress

    if retry_for is not None and not scheduled:
        from sheetops.schedule import user_lang

        raise click.BadParameter(message("schedule.retry_for_alone", user_lang()), param_hint="--retry-for")
    if excel and scheduled:
        raise click.BadParameter("a scheduled run syncs the file; --excel syncs a workbook open in Excel now",
                                 param_hint="--excel")
    if deck:
        if not (notify or scheduled):
            raise click.BadParameter("--deck goes with --notify or --scheduled: it is sent with the CMO's digest.",
                                     param_hint="--deck")
        from sheetops.deck.slides import require_pptx

        require_pptx()
    notify_config = None
    if notify and not scheduled:  # settings that cannot be used, or apprise missing, stop the run before it writes
        from sheetops.notify import load_config

        notify_config = load_config()
        if not dry_run:
            from sheetops.notify.deliver import require_apprise

            require_apprise()
    notified = None
    if scheduled:
        report = _scheduled_sync(path, retry_for, quiet=quiet or as_json, as_of=as_of, dry_run=dry_run, strict=strict,
                                 template=template_name, credentials=credentials, monthly=monthly, deck=deck)
    else:
        with progress(enabled=not (as_json or quiet)) as report_progress:
            report = api.sync(path, as_of=as_of, dry_run=dry_run, strict=strict,
                              template=template_name, progress=report_progress, credentials=credentials,
                              monthly=monthly, backend="excel" if excel else None)
        if notify_config is not None:
            from sheetops.notify import after_sync

            if deck:
                import tempfile

                from sheetops.schedule import save_report_deck

                with tempfile.TemporaryDirectory(prefix="sheetops-deck-") as folder:
                    drawn = save_report_deck(report, template_name, Path(folder))
                    notified = after_sync(report, path, notify_config, template=template_name, dry_run=dry_run,
                                          attach=(drawn,))
            else:
                notified = after_sync(report, path, notify_config, template=template_name, dry_run=dry_run)
    if as_json:
        data = report.as_dict()
        if notified is not None:
            data["notifications"] = notified.as_dict()
        _print_json(data)
    elif not quiet and not scheduled:  # a scheduled run has printed its one line
        print_sync(report, wide=wide)
    if notified is not None and not as_json:
        _print_notified(notified.deliveries, report.lang, quiet=quiet)
    if strict and report.issues:
        sys.exit(EXIT_FINDINGS)
    if fail_on_breach and report.breaches:
        sys.exit(EXIT_BREACH)


def _scheduled_sync(path: str, retry_for: str | None, *, quiet: bool, as_of: dt.date | None, dry_run: bool,
                    strict: bool, template: str, credentials: Path | None, monthly: bool = False,
                    deck: bool = False) -> SyncReport:
    """A run started by the scheduler: retried while the workbook is held, logged, one line printed."""
    from sheetops import api
    from sheetops.schedule import after_hook, failure_hook, user_lang
    from sheetops.schedule.model import ScheduleProblem
    from sheetops.schedule.run import Backoff, parse_duration, run_scheduled
    from sheetops.schedule.runlog import RunLog, state_folder
    from sheetops.sync.summary import log_result

    lang = user_lang()
    try:
        seconds = parse_duration(retry_for or "2h")
    except ScheduleProblem as problem:
        raise click.BadParameter(problem.message(lang), param_hint="--retry-for") from None
    from sheetops.backends.addresses import is_google_target

    workbook = path if is_google_target(path) else os.path.abspath(path)

    def retrying(error: SheetopsError, wait: float) -> None:
        click.echo(message("schedule.retrying", lang, error=str(error), seconds=f"{wait:.0f}"), err=True)

    done = run_scheduled(
        workbook,
        lambda: api.sync(workbook, as_of=as_of, dry_run=dry_run, strict=strict, template=template,
                         credentials=credentials, scheduled=True, monthly=monthly),
        log=RunLog(state_folder()),
        backoff=Backoff.within(seconds),
        on_failure=failure_hook(template=template, credentials=credentials),
        after=after_hook(template=template, deck=deck),
        on_retry=retrying,
    )
    report = done.report
    if not quiet:
        result = log_result(report.lang, breaches=len(report.breaches), issues=len(report.issues),
                            dry_run=report.dry_run, stopped=report.stopped)
        click.echo(message("schedule.run_done", report.lang, workbook=report.source, result=result,
                           attempts=done.attempts))
    return report


@cli.command()
@click.argument("path", metavar="WORKBOOK")
@click.option("--as-of", "as_of", callback=_parse_date, metavar="DATE",
              help="Report the week that contains this date, e.g. 2026-11-27 (default: as sync does).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.pptx",
              help="Where to save the deck (default: meeting-<week>.pptx in this folder).")
@click.option("--pdf", is_flag=True, help="Also print the deck to PDF beside it (needs LibreOffice).")
@click.option("--credentials", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Google Sheets: a service-account key file (see docs/google-sheets.md).")
@click.option("--template", "template_name", default="smb-marketing", show_default=True, metavar="NAME|FILE",
              help="The template the workbook was made from.")
@_json_option("where the deck went")
@_quiet_option
def report(path: str, as_of: dt.date | None, out: Path | None, pdf: bool, credentials: Path | None,
           template_name: str, as_json: bool, quiet: bool) -> None:
    """Make the Friday meeting's deck: a CMO slide, then one slide per active channel.

    It reads the workbook as a sync does and writes nothing into it (see docs/meeting.md).
    Exit codes: 0 done, 2 the workbook cannot be used, or python-pptx or (with --pdf)
    LibreOffice is not installed, 4 a file could not be written or LibreOffice failed.

    \b
    Examples:
      sheetops report marketing.xlsx
      sheetops report marketing.xlsx --as-of 2026-11-27 --out meeting.pptx --pdf
      sheetops report https://docs.google.com/spreadsheets/d/1AbC.../edit --pdf
    """
    from sheetops import api
    from sheetops.messages import count

    made = api.report(path, out=out, as_of=as_of, pdf=pdf, template=template_name, credentials=credentials)
    lang = made.report.lang
    if as_json:
        _print_json(made.as_dict())
    elif not quiet:
        click.echo(message("deck.written", lang, path=made.deck, slides=count(made.slides, "noun.slide", lang)))
        if made.pdf is not None:
            click.echo(message("deck.pdf_written", lang, path=made.pdf))


@cli.group()
def schedule() -> None:
    """Run the Friday sync, and reminders before it, on this computer's own scheduler.

    Linux: a systemd user timer (or cron); macOS: a LaunchAgent; Windows: Task Scheduler.
    See docs/schedule.md.

    \b
    Examples:
      sheetops schedule add marketing.xlsx
      sheetops schedule add marketing.xlsx --day fri --at 17:00 --remind thu 12:00 --plan-reminder mon 10:00
      sheetops schedule add marketing.xlsx --print
      sheetops schedule status
      sheetops schedule list
      sheetops schedule remove marketing.xlsx
    """


def _installer(lang: str) -> Installer:
    from sheetops.schedule.install import Installer, Places

    return Installer(Places.of_user(), lang=lang)


def _weekly(lang: str, day: str, time: str, *, day_hint: str, time_hint: str) -> Weekly:
    from sheetops.schedule.model import ScheduleProblem, Weekly, parse_day, parse_time

    try:
        weekday = parse_day(day)
    except ScheduleProblem as problem:
        raise click.BadParameter(problem.message(lang), param_hint=day_hint) from None
    try:
        return Weekly(weekday, *parse_time(time))
    except ScheduleProblem as problem:
        raise click.BadParameter(problem.message(lang), param_hint=time_hint) from None


@schedule.command("add")
@click.argument("workbook", metavar="WORKBOOK")
@click.option("--day", default="fri", show_default=True, metavar="DAY",
              help="The day of the sync: mon, tue, ..., sun, or the whole name (Friday, пятница).")
@click.option("--at", "at", default="17:00", show_default=True, metavar="HH:MM",
              help="The time of the sync, on this computer's clock: 17:00, 9:30, 5pm.")
@click.option("--remind", nargs=2, metavar="DAY HH:MM",
              help="Also remind owners whose facts for the week are missing (sheetops remind), e.g. thu 12:00.")
@click.option("--plan-reminder", nargs=2, metavar="DAY HH:MM",
              help="Also remind owners whose plan for the week is missing (sheetops remind), e.g. mon 10:00.")
@click.option("--retry-for", default="2h", show_default=True, metavar="DURATION",
              help="How long a run keeps trying while the workbook is open or the network is down: 30m, 2h, 0.")
@click.option("--credentials", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Google Sheets: the service-account key file the runs use (default: "
                   "GOOGLE_APPLICATION_CREDENTIALS as set now, then the signed-in user).")
@click.option("--deck", is_flag=True,
              help="Send the meeting deck (sheetops report) with the CMO's digest of each run. Needs "
                   "sheetops[report].")
@click.option("--print", "print_only", is_flag=True, help="Show what would be installed; install nothing.")
@_quiet_option
def schedule_add(workbook: str, day: str, at: str, remind: tuple[str, str] | None,
                 plan_reminder: tuple[str, str] | None, retry_for: str, credentials: Path | None,
                 deck: bool, print_only: bool, quiet: bool) -> None:
    """Run the sync of a workbook every week, and the reminders you ask for.

    Adding a workbook again replaces its jobs. The jobs run the Python and the sheetops
    you run now, by their full paths: no terminal or shell profile is needed.

    \b
    Examples:
      sheetops schedule add marketing.xlsx
      sheetops schedule add marketing.xlsx --day fri --at 17:00 --remind thu 12:00 --plan-reminder mon 10:00
      sheetops schedule add https://docs.google.com/spreadsheets/d/1AbC.../edit --credentials key.json
      sheetops schedule add marketing.xlsx --deck
      sheetops schedule add marketing.xlsx --print
    """
    from sheetops.schedule import add_jobs, build_jobs, job_interpreter, user_lang, workbook_argument
    from sheetops.schedule.model import ScheduleProblem
    from sheetops.schedule.run import parse_duration

    lang = user_lang()
    try:
        target = workbook_argument(workbook)
    except ScheduleProblem as problem:
        raise click.BadParameter(problem.message(lang), param_hint="WORKBOOK") from None
    try:
        parse_duration(retry_for)
    except ScheduleProblem as problem:
        raise click.BadParameter(problem.message(lang), param_hint="--retry-for") from None
    sync_at = _weekly(lang, day, at, day_hint="--day", time_hint="--at")
    remind_at = _weekly(lang, *remind, day_hint="--remind", time_hint="--remind") if remind else None
    plan_at = (_weekly(lang, *plan_reminder, day_hint="--plan-reminder", time_hint="--plan-reminder")
               if plan_reminder else None)
    key = credentials or (Path(os.environ["GOOGLE_APPLICATION_CREDENTIALS"])
                          if "://" in target and os.environ.get("GOOGLE_APPLICATION_CREDENTIALS") else None)
    installer = _installer(lang)
    jobs = build_jobs(target, sync_at=sync_at, remind_at=remind_at, plan_reminder_at=plan_at,
                      interpreter=job_interpreter(installer.system), folder=str(installer.places.state),
                      retry_for=retry_for if retry_for != "2h" else None,
                      credentials=str(key.expanduser().absolute()) if key else None, deck=deck)
    if deck:
        from sheetops.deck.slides import require_pptx

        require_pptx()
    added = add_jobs(installer, jobs, install=not print_only)
    if print_only:
        _print_plan(added.plan, lang)
        return
    if quiet:
        return
    from sheetops.schedule.model import workbook_label

    scheduler = message(f"schedule.scheduler.{added.plan.scheduler}", lang)
    for job in jobs:
        click.echo(message("schedule.added", lang, job=job.description(lang), when=job.when.show(lang),
                           scheduler=scheduler))
    click.echo(message(f"schedule.when_off.{added.plan.scheduler}", lang))
    for note in added.plan.notes:
        click.echo(note)
    click.echo(message("schedule.next_steps", lang, workbook=workbook_label(target)))


def _print_plan(plan: Plan, lang: str) -> None:
    click.echo(message("schedule.print.header", lang, scheduler=message(f"schedule.scheduler.{plan.scheduler}", lang)))
    for path, content in plan.files:
        click.echo(f"\n# {path}")
        click.echo(content.decode("utf-16" if path.suffix == ".xml" else "utf-8").rstrip("\n"))
    if plan.crontab is not None:
        from sheetops.schedule.units import cron_lines

        click.echo(f"\n# {message('schedule.print.crontab', lang)}")
        for job in plan.jobs:
            click.echo("\n".join(cron_lines(job)))
    click.echo(f"\n# {message('schedule.print.commands', lang)}")
    for command in plan.commands:
        click.echo(command.show(plan.system))
    for note in plan.notes:
        click.echo(f"\n{note}")


@schedule.command("list")
@_json_option("the scheduled jobs")
def schedule_list(as_json: bool) -> None:
    """List the scheduled jobs: workbook, job, day and time, scheduler.

    \b
    Examples:
      sheetops schedule list
      sheetops schedule list --json
    """
    from sheetops.schedule import user_lang

    lang = user_lang()
    found = _installer(lang).recorded()
    if as_json:
        _print_json({"jobs": [item.as_dict() for item in found]})
        return
    if not found:
        click.echo(message("schedule.none", lang))
        return
    for item in found:
        click.echo(message("schedule.list_line", lang, job=item.job.description(lang), when=item.job.when.show(lang),
                           scheduler=message(f"schedule.scheduler.{item.scheduler}", lang), workbook=item.job.workbook))


@schedule.command("remove")
@click.argument("workbook", metavar="WORKBOOK", required=False)
@click.option("--all", "remove_all", is_flag=True, help="Remove every scheduled job of every workbook.")
@_quiet_option
def schedule_remove(workbook: str | None, remove_all: bool, quiet: bool) -> None:
    """Stop running a workbook's sync and reminders; the workbook and the run log stay.

    \b
    Examples:
      sheetops schedule remove marketing.xlsx
      sheetops schedule remove --all
    """
    from sheetops.backends.addresses import is_google_target
    from sheetops.schedule import remove_jobs, user_lang

    lang = user_lang()
    if workbook is None and not remove_all:
        raise click.BadParameter(message("schedule.remove_what", lang), param_hint="WORKBOOK")
    target = None
    if workbook is not None:
        target = workbook.strip() if is_google_target(workbook) else os.path.normpath(os.path.abspath(
            os.path.expanduser(workbook)))
    removed = remove_jobs(_installer(lang), target)
    if quiet:
        return
    if not removed:
        click.echo(message("schedule.nothing_removed", lang, workbook=workbook or "-"))
        return
    for item in removed:
        click.echo(message("schedule.removed", lang, job=item.job.description(lang)))


@schedule.command("status")
@_json_option("each job's last and next run")
def schedule_status(as_json: bool) -> None:
    """Show each job's last run and its result, its next run, a missed run, a broken job.

    Exit code 0: all is well; 1: a job is broken, its last run failed, or a run was missed.

    \b
    Examples:
      sheetops schedule status
      sheetops schedule status --json
    """
    from sheetops.schedule import job_status, user_lang
    from sheetops.schedule.runlog import RunLog, state_folder

    lang = user_lang()
    log = RunLog(state_folder())
    found = job_status(_installer(lang), log)
    if as_json:
        _print_json({"log": str(log.path), "jobs": [s.as_dict() for s in found]})
    elif not found:
        click.echo(message("schedule.none", lang))
    else:
        for item in found:
            _print_status(item, lang)
        click.echo(message("schedule.log_at", lang, path=str(log.path)))
    sys.exit(EXIT_FINDINGS if any(s.state in ("broken", "failed", "missed") for s in found) else EXIT_OK)


def _print_status(item: JobStatus, lang: str) -> None:
    from sheetops.values import weekday_name

    job = item.scheduled.job
    click.echo(message("schedule.status.title", lang, job=job.description(lang), when=job.when.show(lang),
                       scheduler=message(f"schedule.scheduler.{item.scheduled.scheduler}", lang)))
    if item.interpreter_missing:
        click.echo("  " + message("schedule.status.no_python", lang, path=job.interpreter))
    if item.package_missing:
        click.echo("  " + message("schedule.status.no_sheetops", lang, path=item.scheduled.package))
    if not item.installed:
        click.echo("  " + message("schedule.status.not_installed", lang))
    if item.state == "broken":
        click.echo("  " + message("schedule.status.add_again", lang, workbook=job.workbook))
    last = item.last
    if last is not None:
        when = str(last.get("started", "?")).replace("T", " ")
        if last.get("result") == "ok":
            from sheetops.sync.summary import log_result

            result = log_result(lang, breaches=int(last.get("breaches", 0)), issues=int(last.get("issues", 0)))
            click.echo("  " + message("schedule.status.last_ok", lang, when=when, result=result))
        else:
            click.echo("  " + message("schedule.status.last_failed", lang, when=when,
                                      error=str(last.get("message", "?"))))
    elif job.kind == "sync":
        click.echo("  " + message("schedule.status.never", lang))
    if item.missed is not None:
        due = f"{weekday_name(item.missed.date(), lang)} {item.missed:%Y-%m-%d %H:%M}"
        click.echo("  " + message(f"schedule.status.missed.{item.scheduled.scheduler}", lang, due=due,
                                  workbook=job.workbook))
    upcoming = item.next_run
    click.echo("  " + message("schedule.status.next", lang,
                              when=f"{weekday_name(upcoming.date(), lang)} {upcoming:%Y-%m-%d %H:%M}"))
def _print_notified(deliveries: Sequence[Delivery], lang: str, *, quiet: bool) -> None:
    """The deliveries as a table; with --quiet, only those that did not go, one line each on stderr."""
    if not quiet:
        from sheetops.render import print_deliveries

        print_deliveries(deliveries, lang)
        return
    for delivery in deliveries:
        if not delivery.ok:
            who = delivery.person or delivery.contact or "?"
            click.echo(f"Not sent to {who} ({delivery.subject}): {delivery.reason}", err=True)


@cli.command()
@click.argument("path", metavar="WORKBOOK")
@click.option("--kind", type=click.Choice(["facts", "plan"]),
              help="facts: owners of channels without facts for the week (\"Friday is facts\"); plan: owners "
                   "of channels without a plan row for it (\"Monday is the plan\"). Default: plan from Monday "
                   "to Wednesday, facts from Thursday to Sunday.")
@click.option("--as-of", "as_of", callback=_parse_date, metavar="DATE",
              help="The day to remind as of (default: today); its week is the one checked.")
@click.option("--dry-run", is_flag=True, help="Show who would get what; send nothing.")
@_json_option("who gets which reminder")
@_quiet_option
@click.option("--template", "template_name", default="smb-marketing", show_default=True, metavar="NAME|FILE",
              help="The template the workbook was made from.")
@click.option("--credentials", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Google Sheets: a service-account key file (default: GOOGLE_APPLICATION_CREDENTIALS, "
                   "then the signed-in user; see docs/google-sheets.md).")
def remind(path: str, kind: str | None, as_of: dt.date | None, dry_run: bool, as_json: bool, quiet: bool,
           template_name: str, credentials: Path | None) -> None:
    """Remind owners whose channels lack the week's facts (or plan), through their Contact in Roles.

    Reads the workbook, changes nothing in it. Exit code 0: every reminder went (or, with
    --dry-run, could go); 1: some could not (no contact, or sending failed: the reason says
    what to do).

    \b
    Examples:
      sheetops remind marketing.xlsx --dry-run
      sheetops remind marketing.xlsx --kind facts
      sheetops remind marketing.xlsx --kind plan --as-of 2026-11-30 --json
    """
    from sheetops.notify import remind as send_reminders

    result = send_reminders(path, kind="plan" if kind == "plan" else "facts" if kind == "facts" else None,
                            as_of=as_of, dry_run=dry_run, template=template_name, credentials=credentials)
    if as_json:
        _print_json(result.as_dict())
    elif not quiet:
        from sheetops.render import print_reminders

        print_reminders(result)
    else:
        _print_notified(result.deliveries, result.lang, quiet=True)
    sys.exit(EXIT_FINDINGS if any(not d.ok for d in result.deliveries) else EXIT_OK)


@cli.group()
def notify() -> None:
    """Set up and try notifications: e-mail, Telegram, Slack, Power Automate, webhooks.

    Passwords and tokens are kept in your own settings file (readable by you only), never
    in the workbook; who gets what is the Contact column of the Roles tab. See
    docs/notifications.md.

    \b
    Examples:
      sheetops notify setup email
      sheetops notify setup telegram
      sheetops notify config
      sheetops notify test
    """


@notify.command("test")
@click.argument("workbook", metavar="[WORKBOOK]", required=False)
@click.option("--to", "to", multiple=True, metavar="CONTACT",
              help="Send to this contact (an e-mail address, @telegram_name or destination name) instead of "
                   "every configured destination; repeat for more.")
@click.option("--lang", type=click.Choice(["en", "ru"]), default="en", show_default=True,
              help="The language of the test message.")
@_json_option("what was sent and what failed")
@click.option("--credentials", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Google Sheets: a service-account key file (default: GOOGLE_APPLICATION_CREDENTIALS, "
                   "then the signed-in user; see docs/google-sheets.md).")
def notify_test(workbook: str | None, to: tuple[str, ...], lang: str, as_json: bool,
                credentials: Path | None) -> None:
    """Send a test message to each configured destination and say which worked.

    Each configured destination: the e-mail sender's own address, each Telegram chat of the
    settings, each named destination. Given a WORKBOOK: every Contact in its Roles tab, in
    the workbook's language. Exit code 0: all arrived; 1: some did not (the reason says
    what to do).

    \b
    Examples:
      sheetops notify test
      sheetops notify test marketing.xlsx
      sheetops notify test --to anna@company.com --to @anna_k
    """
    from sheetops.notify import send_test

    result = send_test(to=to, lang=lang, workbook=workbook, credentials=credentials)
    if as_json:
        _print_json(result.as_dict())
    else:
        from sheetops.render import print_deliveries

        print_deliveries(result.deliveries, result.lang)
    sys.exit(EXIT_FINDINGS if result.failed else EXIT_OK)


@notify.command("config")
@_json_option("the settings (every secret masked)")
def notify_config(as_json: bool) -> None:
    """Show where the notification settings are and what they hold (passwords and tokens masked).

    \b
    Examples:
      sheetops notify config
      sheetops notify config --json
    """
    from sheetops.notify.config import config_path, describe, load_config

    path = config_path()
    config = load_config(path)
    found = describe(config)
    found["exists"] = path.exists()
    if as_json:
        _print_json(found)
        return
    click.echo(f"Settings file: {path}" + ("" if path.exists() else " (not made yet: sheetops notify setup)"))
    for section in ("email", "telegram"):
        if found[section] is not None:
            click.echo(f"[{section}]")
            for key, value in found[section].items():
                if value not in (None, {}):
                    click.echo(f"  {key} = {value}")
    if found["destinations"]:
        click.echo("[destinations]")
        for name, url in found["destinations"].items():
            click.echo(f"  {name} = {url}")
    if found["failure"]["also_notify"]:
        click.echo("[failure]")
        click.echo(f"  also_notify = {', '.join(found['failure']['also_notify'])}")


@notify.group("setup")
def notify_setup() -> None:
    """Save e-mail, Telegram or a named destination in your settings file (readable by you only).

    Whatever is not given as an option is asked for; a password or token is never shown.

    \b
    Examples:
      sheetops notify setup email --server smtp.gmail.com --port 587 --user me@company.com
      sheetops notify setup telegram --chat anna_k=123456789
      sheetops notify setup destination team-slack
    """


def _saved(config: NotifyConfig) -> None:
    from sheetops.notify.config import save_config

    path = save_config(config)
    click.echo(f"Saved in {path} (readable by you only). Try it: sheetops notify test")


@notify_setup.command("email")
@click.option("--server", prompt="SMTP server (e.g. smtp.gmail.com)", help="The SMTP server.")
@click.option("--port", type=click.IntRange(1, 65535), default=587, show_default=True, prompt="Port",
              help="587 for STARTTLS, 465 for SSL.")
@click.option("--security", type=click.Choice(["starttls", "ssl", "none"]), default="starttls",
              show_default=True, prompt="Security", help="How the connection is protected.")
@click.option("--user", prompt="User name (usually your e-mail address)", default="", help="The SMTP user.")
@click.option("--password", envvar="SHEETOPS_SMTP_PASSWORD", prompt="Password (not shown)", default="",
              hide_input=True, show_default=False,
              help="The SMTP password or app password (or SHEETOPS_SMTP_PASSWORD); asked for when not given.")
@click.option("--from", "sender", prompt="Send from (an e-mail address)", default="",
              help="The sender's address (default: the user, when it is an address).")
def setup_email(server: str, port: int, security: str, user: str, password: str, sender: str) -> None:
    """Set up the SMTP server that sends e-mail."""
    from sheetops.notify.config import EmailSettings, load_config, with_changes

    config = load_config()
    email = EmailSettings(server.strip(), port, "ssl" if security == "ssl" else "none" if security == "none"
                          else "starttls", user.strip() or None, password or None, sender.strip() or None)
    if email.from_address is None:
        raise click.BadParameter("give the address e-mail is sent from, e.g. --from reports@company.com",
                                 param_hint="--from")
    _saved(with_changes(config, email=email))


@notify_setup.command("telegram")
@click.option("--bot-token", envvar="SHEETOPS_TELEGRAM_BOT_TOKEN", prompt="Bot token from @BotFather (not shown)",
              hide_input=True, help="The bot's token (or SHEETOPS_TELEGRAM_BOT_TOKEN); asked for when not given.")
@click.option("--chat", "chats", multiple=True, metavar="NAME=CHAT_ID",
              help="A person's chat id for their @name (a bot reaches a person only by id); repeat for more.")
@click.option("--find-chats", is_flag=True,
              help="Also save the chat id of everyone who has opened the chat with the bot and pressed Start.")
def setup_telegram(bot_token: str, chats: tuple[str, ...], find_chats: bool) -> None:
    """Set up the Telegram bot that sends messages, and people's chat ids.

    \b
    Example:
      sheetops notify setup telegram --find-chats
    """
    import re

    from sheetops.notify.config import TelegramSettings, load_config, with_changes

    token = bot_token.strip()
    if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", token):
        raise click.BadParameter("that is not a bot token: @BotFather gives one like 123456789:AAE...",
                                 param_hint="--bot-token")
    config = load_config()
    known = dict(config.telegram.chats) if config.telegram is not None else {}
    for chat in chats:
        name, sep, chat_id = chat.partition("=")
        if not sep or not name.strip() or not re.fullmatch(r"-?\d+", chat_id.strip()):
            raise click.BadParameter(f"{chat!r}: write NAME=CHAT_ID, e.g. anna_k=123456789", param_hint="--chat")
        known[name.strip().lstrip("@").casefold()] = chat_id.strip()
    if find_chats:
        from sheetops.notify.telegram import find_chats as found_chats

        found = found_chats(token)
        for name, chat_id in sorted(found.items()):
            click.echo(f"Found @{name} (chat id {chat_id}).")
        if not found:
            click.echo("No chats found: ask each person to open the chat with your bot and press Start, "
                       "then run this again.")
        known.update(found)
    _saved(with_changes(config, telegram=TelegramSettings(token, known)))


@notify_setup.command("destination")
@click.argument("name")
@click.option("--url", envvar="SHEETOPS_DESTINATION_URL", prompt="Its address, e.g. slack://... (not shown)",
              hide_input=True, help="An apprise address (or SHEETOPS_DESTINATION_URL); asked for when not given.")
def setup_destination(name: str, url: str) -> None:
    """Save an address (Slack, Power Automate, a webhook) under a NAME a Contact cell can give.

    \b
    Example:
      sheetops notify setup destination team-slack
      # then type team-slack in the Contact column of Roles
    """
    from sheetops.notify.config import load_config, with_changes
    from sheetops.notify.contacts import parse_contact

    found = parse_contact(name)
    if found is None or found.kind != "name":
        raise click.BadParameter("a name is letters, digits, '-', '_' or '.', e.g. team-slack", param_hint="NAME")
    if "://" not in url:
        raise click.BadParameter("give an apprise address such as slack://... or json://host/path",
                                 param_hint="--url")
    config = load_config()
    _saved(with_changes(config, destinations={**config.destinations, name.casefold(): url.strip()}))


@cli.group()
def auth() -> None:
    """Sign in to Google as yourself, for Google Sheets (instead of a service-account key).

    \b
    Examples:
      sheetops auth login --client-secrets client_secret.json
      sheetops auth status
      sheetops auth logout
    """


@auth.command()
@click.option("--client-secrets", type=click.Path(dir_okay=False, path_type=Path), required=True, metavar="FILE",
              help="The OAuth client (Desktop app) JSON downloaded from Google Cloud.")
@click.option("--no-browser", is_flag=True, help="Print the sign-in address instead of opening a browser.")
@click.option("--menu", is_flag=True,
              help="Also allow sheetops to add its menu's script to your spreadsheets (the Apps Script API).")
@_quiet_option
def login(client_secrets: Path, no_browser: bool, menu: bool, quiet: bool) -> None:
    """Sign in in the browser; the sign-in is kept for this user only.

    \b
    Examples:
      sheetops auth login --client-secrets ~/Downloads/client_secret.json
      sheetops auth login --client-secrets ~/Downloads/client_secret.json --menu
    """
    from sheetops.backends.gsheets import login as sign_in

    who = sign_in(client_secrets, open_browser=not no_browser, menu=menu)
    if not quiet:
        click.echo(f"Signed in as {who}. sheetops uses this account for Google Sheets unless given a key.")


@auth.command()
@_json_option("who is signed in and which credentials sheetops uses")
def status(as_json: bool) -> None:
    """Show who is signed in and which Google credentials sheetops uses (never a secret).

    \b
    Example:
      sheetops auth status
      sheetops auth status --json
    """
    from sheetops.backends.gsheets import status as auth_status

    found = auth_status()
    if as_json:
        _print_json({key: None if value is None else str(value) for key, value in dataclasses.asdict(found).items()})
        return
    for line in found.lines():
        click.echo(line)


@auth.command()
@_quiet_option
def logout(quiet: bool) -> None:
    """Forget the Google sign-in.

    \b
    Example:
      sheetops auth logout
    """
    from sheetops.backends.gsheets import logout as sign_out

    signed_out = sign_out()
    if not quiet:
        click.echo("Signed out." if signed_out else "Nobody was signed in.")


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="The loopback port to listen on (0 picks a free one).")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also write a service-account key whose sign-in goes to this emulator.")
def emulator(port: int, key_file: Path | None) -> None:
    """Run a local Google Sheets emulator, to try sheetops with Google Sheets offline.

    It listens on 127.0.0.1 only and keeps everything in memory until you stop it
    (Ctrl-C). It needs: pip install "sheetops[emulator]".

    \b
    Example:
      sheetops emulator --port 8765 --key-file emulator-key.json
      # in another terminal:
      export SHEETOPS_GOOGLE_API_URL=http://127.0.0.1:8765
      export GOOGLE_APPLICATION_CREDENTIALS=emulator-key.json
      sheetops init --backend gsheets --title "Try" --demo
    """
    try:
        from sheetops.testing import serve
    except ImportError as exc:
        from sheetops.errors import MissingExtraError

        raise MissingExtraError(
            f"the emulator needs packages that are not installed ({exc.name}); "
            'install them with: pip install "sheetops[emulator]"'
        ) from None
    server = serve("127.0.0.1", port)
    if key_file is not None:
        server.write_service_account_key(key_file)
    click.echo(f"Google Sheets emulator at {server.base_url} (Ctrl-C to stop).")
    click.echo(f"  export SHEETOPS_GOOGLE_API_URL={server.base_url}")
    if key_file is not None:
        click.echo(f"  export GOOGLE_APPLICATION_CREDENTIALS={key_file}")
    server.serve_forever()
    click.echo("Emulator stopped; everything it held is gone.")


@cli.group()
def gsheets() -> None:
    """Google Sheets extras: the sheetops menu inside the spreadsheet.

    \b
    Example:
      sheetops gsheets add-menu https://docs.google.com/spreadsheets/d/1AbC.../edit \\
          --service https://sheetops-abc.a.run.app
    """


@gsheets.command("add-menu")
@click.argument("spreadsheet", metavar="URL")
@click.option("--service", "service_url", required=True, metavar="URL", envvar="SHEETOPS_SERVICE_URL",
              help="The address of the sheetops service the menu calls (sheetops serve; see docs/serve.md).")
@click.option("--credentials", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="A service-account key file: then the script is written to --out with the steps to paste it.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("sheetops-menu"),
              show_default=True, help="Where to write the script's files when it cannot be installed directly.")
@_json_option("what was done")
@_quiet_option
def add_menu(spreadsheet: str, service_url: str, credentials: Path | None, out: Path, as_json: bool,
             quiet: bool) -> None:
    """Add the "sheetops" menu (Sync now, Check, Schedule Friday sync) to a Google spreadsheet.

    With your own sign-in (sheetops auth login --menu) the menu's script is installed in
    the spreadsheet. With a service account, which Google's Apps Script API does not
    accept, the script is written to --out and the steps to paste it are printed.

    \b
    Examples:
      sheetops gsheets add-menu https://docs.google.com/spreadsheets/d/1AbC.../edit \\
          --service https://sheetops-abc.a.run.app
      sheetops gsheets add-menu 1AbC... --service https://sheets.example.com --out menu/
    """
    from sheetops import api

    menu = api.add_menu(spreadsheet, service_url=service_url, folder=out, credentials=credentials)
    if as_json:
        _print_json(menu.as_dict())
    else:
        _print_menu(menu, quiet=quiet)


def _print_menu(menu: MenuInstall, *, quiet: bool) -> None:
    if menu.installed:
        if not quiet:
            click.echo(f"The sheetops menu was added to {menu.spreadsheet}: reload it, then click sheetops > Check "
                       "once and allow what Google asks.")
        return
    for line in menu.steps:  # steps a person must carry out: printed even with --quiet
        click.echo(line)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="SHEETOPS_SERVE_HOST",
              help="The address to listen on (0.0.0.0 in a container).")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True, envvar="PORT",
              help="The port to listen on (Cloud Run sets PORT).")
@click.option("--audience", "audiences", metavar="CLIENT_ID[,CLIENT_ID...]", envvar="SHEETOPS_SERVE_AUDIENCE",
              help="Accept Google identity tokens made for these OAuth client ids (the Apps Script project's).")
@click.option("--allow", "allowed", metavar="EMAIL|DOMAIN[,...]", envvar="SHEETOPS_SERVE_ALLOW",
              help="Whose identity tokens are let in: e-mail addresses and domains (company.com).")
@click.option("--spreadsheets", metavar="ID[,ID...]", envvar="SHEETOPS_SERVE_SPREADSHEETS",
              help="Serve only these spreadsheets.")
@click.option("--rate", type=click.IntRange(1, 10_000), default=6, show_default=True, envvar="SHEETOPS_SERVE_RATE",
              help="Requests a minute each caller may make.")
@click.option("--max-body", type=click.IntRange(256, 1_048_576), default=16 * 1024, show_default=True,
              envvar="SHEETOPS_SERVE_MAX_BODY", help="The largest request accepted, in bytes.")
@click.option("--certs-url", envvar="SHEETOPS_SERVE_CERTS_URL", hidden=True,
              default="https://www.googleapis.com/oauth2/v1/certs")
def serve(host: str, port: int, audiences: str | None, allowed: str | None, spreadsheets: str | None, rate: int,
          max_body: int, certs_url: str) -> None:
    """Run the web service behind the "sheetops" menu in Google Sheets (see docs/serve.md).

    The menu's script sends the spreadsheet's id with the user's own Google access
    token; the service checks who is calling (a Google identity token made for
    --audience by someone --allow lets in, or the shared secret in the variable
    SHEETOPS_SERVE_SECRET) and syncs the spreadsheet as that person. It holds no Google
    credentials of its own. It needs: pip install "sheetops[serve]".

    \b
    Examples:
      sheetops serve --audience 1234-abc.apps.googleusercontent.com --allow company.com
      SHEETOPS_SERVE_SECRET=... sheetops serve --host 0.0.0.0 --port 8080
    """
    from sheetops.serve import ServeConfig, run
    from sheetops.serve.config import secret_from_env, split_list

    config = ServeConfig(audiences=split_list(audiences), allowed=split_list(allowed), secret=secret_from_env(),
                         spreadsheets=split_list(spreadsheets), max_body=max_body, rate_per_minute=rate,
                         certs_url=certs_url)
    click.echo(f"sheetops serve on http://{host}:{port} (Ctrl-C to stop).", err=True)
    run(config, host=host, port=port)


@cli.command("excel-addin")
@click.argument("path", metavar="WORKBOOK", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "folder", type=click.Path(file_okay=False, path_type=Path), metavar="FOLDER",
              help="Where to write the files (default: WORKBOOK's name with -xlwings-lite, beside it).")
@click.option("--template", "template_name", default="smb-marketing", show_default=True, metavar="NAME|FILE",
              help="The template the workbook was made from.")
def excel_addin(path: Path, folder: Path | None, template_name: str) -> None:
    """Write what the xlwings Lite add-in needs to sync WORKBOOK inside Excel, without Python.

    main.py holds the "sync" and "check" scripts; requirements.txt lists sheetops and the
    packages it needs. Paste both into the xlwings Lite editor once and save the workbook:
    Excel on Windows, macOS and the web then runs the sync (docs/excel.md, "xlwings Lite").

    \b
    Example:
      sheetops excel-addin marketing.xlsx
    """
    from sheetops import api

    files = api.excel_addin(path, folder=folder, template=template_name)
    click.echo(f"Wrote {files.main} and {files.requirements}.")
    click.echo("In Excel: Home > xlwings Lite; paste main.py into the editor and requirements.txt into its")
    click.echo("requirements; save the workbook. See docs/excel.md, \"xlwings Lite\".")


@cli.command()
@_json_option("the templates")
def templates(as_json: bool) -> None:
    """List the built-in templates.

    \b
    Examples:
      sheetops templates
      sheetops templates --json
    """
    from sheetops.templates import builtin_templates

    found = builtin_templates()
    if as_json:
        _print_json({"templates": [{"name": name, "description": description} for name, description in found]})
        return
    for name, description in found:
        click.echo(f"{name}\t{description}")


@cli.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the script that completes sheetops commands and options in bash, zsh or fish.

    \b
    Examples:
      sheetops completion bash > ~/.local/share/bash-completion/completions/sheetops
      sheetops completion zsh > "${fpath[1]}/_sheetops"
      sheetops completion fish > ~/.config/fish/completions/sheetops.fish
    """
    from click.shell_completion import get_completion_class

    completer = get_completion_class(shell)
    if completer is None:  # click knows every shell in SHELLS; this guards a future click
        raise click.BadParameter(f"no completion for {shell}", param_hint="SHELL")
    click.echo(completer(cli, {}, "sheetops", "_SHEETOPS_COMPLETE").source())


def _wants_json(args: list[str]) -> bool:
    """Whether the command line asks for JSON; read before parsing, so usage errors honour it too."""
    return "--json" in (args[: args.index("--")] if "--" in args else args)


def _fail(kind: str, message: str, code: int, as_json: bool) -> NoReturn:
    if as_json:
        _print_json({"error": kind, "message": message, "exit_code": code})
    else:
        click.echo(message if kind in ("aborted", "interrupted") else f"Error: {message}", err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the CLI, turning every failure into one line (or, with --json, one JSON object) and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    as_json = _wants_json(args)
    try:
        cli.main(args=args, prog_name="sheetops", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        _fail("aborted", "Aborted.", EXIT_INTERRUPTED, as_json)
    except click.ClickException as exc:
        code = EXIT_UNUSABLE if exc.exit_code == 2 else exc.exit_code
        if not as_json:
            exc.show()
            sys.exit(code)
        _fail("usage", exc.format_message(), code, as_json)
    except SheetopsError as exc:
        _fail(error_kind_of(exc), str(exc), exit_code_of(exc), as_json)
    except KeyboardInterrupt:
        _fail("interrupted", "Interrupted; nothing was written.", EXIT_INTERRUPTED, as_json)
    sys.exit(EXIT_OK)
