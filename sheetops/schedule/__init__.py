"""The Friday sync, and the reminders before it, run by the computer's own scheduler.

``sheetops schedule add`` turns a workbook and the times people type into :class:`Job`
values (:mod:`.model`, pure), those into the files each scheduler reads (:mod:`.units`,
pure), and puts them in place through :mod:`.install` (the only part that writes files or
runs ``systemctl``, ``crontab``, ``launchctl``, ``schtasks``). The job itself runs
``sheetops sync WORKBOOK --scheduled``: :mod:`.run` retries while the workbook is held or
the network fails and writes one line per run to the log (:mod:`.runlog`), which
``schedule status`` reads.

A scheduled run always notifies (:mod:`sheetops.notify`): :func:`after_hook` sends the CMO's
digest and the breach alerts when it is done, :func:`failure_hook` the reason and the fix
when it gives up. Without notification settings both only record, in the run's log line,
that nobody could be told.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any

from sheetops.schedule.install import JOB_ENV, Installer, Plan, Scheduled, scheduled_from
from sheetops.schedule.model import Job, JobKind, ScheduleProblem, Weekly, job_command
from sheetops.schedule.run import After, OnFailure
from sheetops.schedule.runlog import RunLog

__all__ = [
    "Job", "JobStatus", "ScheduleProblem", "Weekly", "add_jobs", "after_hook", "build_jobs", "failure_hook",
    "job_status", "remove_jobs", "user_lang", "workbook_argument",
]


def failure_hook(*, template: str = "smb-marketing", credentials: str | Path | None = None) -> OnFailure:
    """What a scheduled run that gave up calls, with the workbook and the error: the CMO and
    the settings' ``[failure] also_notify`` hear the reason and the fix."""

    def notify(workbook: str, error: BaseException) -> None:
        from sheetops.notify import notify_failure

        result = notify_failure(workbook, error, template=template, credentials=credentials)
        _raise_if_none_sent(result)

    return notify


def after_hook(*, template: str = "smb-marketing", deck: bool = False) -> After:
    """What a scheduled run that worked calls, with ``workbook=`` and ``report=``: the CMO's
    digest and each breach to its channel's owner; with ``deck``, the meeting deck drawn
    from the same report goes with the digest (``schedule add --deck``)."""

    def notify(*, workbook: str, report: Any) -> None:
        from sheetops.notify import after_sync

        if not deck:
            _raise_if_none_sent(after_sync(report, workbook, template=template))
            return
        import tempfile

        with tempfile.TemporaryDirectory(prefix="sheetops-deck-") as folder:
            drawn = save_report_deck(report, template, Path(folder))
            _raise_if_none_sent(after_sync(report, workbook, template=template, attach=(drawn,)))

    return notify


def save_report_deck(report: Any, template: str, folder: Path) -> Path:
    """The meeting deck of a sync's report, saved in ``folder`` as meeting-<week>.pptx."""
    from sheetops.deck.content import deck_content
    from sheetops.deck.slides import save_deck
    from sheetops.templates import load_template

    path = folder / f"meeting-{report.week.isoformat()}.pptx"
    save_deck(deck_content(report, load_template(template)), path)
    return path


def _raise_if_none_sent(result: Any) -> None:
    """A hook's failure goes into the run's log line: say so when a message could not go."""
    failed = [d for d in result.deliveries if not d.ok]
    if failed:
        raise RuntimeError("; ".join(f"{d.person or d.contact or '?'}: {d.reason or d.status}" for d in failed))


def user_lang(environ: Mapping[str, str] | None = None) -> str:
    """The language of the person at the terminal: Russian when their locale is, else English."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(name)
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"


def workbook_argument(text: str, *, cwd: Path | None = None) -> str:
    """A workbook as a job names it: a Google address as it is, a file by its absolute path.

    A file that does not exist (or is a folder) is refused now rather than every Friday.
    """
    from sheetops.backends.addresses import is_google_target

    if is_google_target(text):
        return text.strip()
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    path = Path(os.path.normpath(path))
    if not path.is_file():
        raise ScheduleProblem("schedule.no_workbook", path=str(path))
    return str(path)


def job_interpreter(system: str, executable: str | None = None) -> str:
    """The Python a job runs: this one, by the path it was started with (a virtual
    environment's own, not the one it links to). On Windows its windowless twin, so that
    a Friday run does not open a console window."""
    python = executable or sys.executable
    if system == "windows":
        windowless = PureWindowsPath(python).with_name("pythonw.exe")
        if os.path.exists(str(windowless)):
            return str(windowless)
    return python


def build_jobs(
    workbook: str,
    *,
    sync_at: Weekly,
    remind_at: Weekly | None,
    plan_reminder_at: Weekly | None,
    interpreter: str,
    folder: str,
    retry_for: str | None = None,
    credentials: str | None = None,
    deck: bool = False,
) -> list[Job]:
    """The jobs of one workbook: the sync (``deck``: its digest carries the meeting deck),
    and each reminder asked for."""
    jobs = []
    wanted: list[tuple[JobKind, Weekly | None]] = [("sync", sync_at), ("remind", remind_at),
                                                    ("plan-reminder", plan_reminder_at)]
    for kind, when in wanted:
        if when is None:
            continue
        argv = job_command(kind, workbook, interpreter=interpreter, retry_for=retry_for, credentials=credentials,
                           deck=deck)
        jobs.append(Job(kind, workbook, when, argv, dict(JOB_ENV), folder))
    return jobs


@dataclass(frozen=True)
class Added:
    """What ``schedule add`` did (or, printed only, would do)."""

    plan: Plan
    scheduled: tuple[Scheduled, ...]
    installed: bool


def add_jobs(installer: Installer, jobs: Sequence[Job], *, install: bool = True,
             now: dt.datetime | None = None) -> Added:
    """Put the jobs in the scheduler (replacing a workbook's earlier ones) and record them."""
    import sheetops

    moment = now or dt.datetime.now().astimezone()
    plan = installer.plan_add(jobs, today=moment.date(), only_shown=not install)
    package = str(Path(sheetops.__file__).resolve().parent)
    scheduled = tuple(scheduled_from(plan, package=package, now=moment))
    if not install:
        return Added(plan, scheduled, False)
    workbooks = {job.workbook for job in jobs}
    earlier = [s for s in installer.recorded()
               if s.job.workbook in workbooks and s.job.name not in {j.name for j in jobs}]
    if earlier:  # a reminder dropped from the command: it goes
        installer.apply(installer.plan_remove(earlier))
    installer.places.state.mkdir(parents=True, exist_ok=True)  # the jobs run in it
    installer.apply(plan)
    installer.record(added=scheduled, removed=[s.job.name for s in earlier])
    return Added(plan, scheduled, True)


def remove_jobs(installer: Installer, workbook: str | None) -> list[Scheduled]:
    """Take a workbook's jobs (all jobs, with None) out of the scheduler and the record."""
    found = [s for s in installer.recorded() if workbook is None or s.job.workbook == workbook]
    by_scheduler: dict[str, list[Scheduled]] = {}
    for item in found:
        by_scheduler.setdefault(item.scheduler, []).append(item)
    for group in by_scheduler.values():
        installer.apply(installer.plan_remove(group))
    installer.record(removed=[s.job.name for s in found])
    return found


@dataclass(frozen=True)
class JobStatus:
    """How one job stands: its last run, its next, a missed one, and what is broken."""

    scheduled: Scheduled
    installed: bool
    interpreter_missing: bool
    package_missing: bool
    last: dict[str, Any] | None
    next_run: dt.datetime
    missed: dt.datetime | None

    @property
    def state(self) -> str:
        """``broken``, ``failed``, ``missed``, ``ok`` or ``waiting`` (no run yet, none missed)."""
        if self.interpreter_missing or self.package_missing or not self.installed:
            return "broken"
        if self.missed is not None:
            return "missed"
        if self.last is not None:
            return "ok" if self.last.get("result") == "ok" else "failed"
        return "waiting"

    def as_dict(self) -> dict[str, Any]:
        return {
            "job": self.scheduled.job.name,
            "kind": self.scheduled.job.kind,
            "workbook": self.scheduled.job.workbook,
            "when": {"day": self.scheduled.job.when.day_name, "time": self.scheduled.job.when.clock},
            "scheduler": self.scheduled.scheduler,
            "state": self.state,
            "installed": self.installed,
            "interpreter": self.scheduled.job.interpreter,
            "interpreter_missing": self.interpreter_missing,
            "package_missing": self.package_missing,
            "last_run": self.last,
            "next_run": self.next_run.isoformat(timespec="minutes"),
            "missed": self.missed.isoformat(timespec="minutes") if self.missed else None,
        }


# A run may start a little late (the scheduler, a slow start); this much early is still the run.
GRACE = dt.timedelta(minutes=5)


def job_status(installer: Installer, log: RunLog, *, now: dt.datetime | None = None) -> list[JobStatus]:
    """Every recorded job's status. A sync run is missed when its last due time passed
    after the job was added and no run started since (minus :data:`GRACE`)."""
    moment = now or dt.datetime.now().astimezone()
    local = moment.replace(tzinfo=None)
    found = []
    for item in installer.recorded():
        job = item.job
        last = log.last(job.name) if job.kind == "sync" else None
        due = job.when.last_before(local)
        missed = None
        if job.kind == "sync":
            added = _naive_local(item.added)
            started = _naive_local(str(last.get("started", ""))) if last else None
            if added is not None and due > added and (started is None or started < due - GRACE):
                missed = due
        found.append(JobStatus(
            item,
            installed=installer.is_installed(item),
            interpreter_missing=not os.path.exists(job.interpreter),
            package_missing=bool(item.package) and not os.path.isdir(item.package),
            last=last,
            next_run=job.when.next_after(local),
            missed=missed,
        ))
    return found


def _naive_local(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment
