"""Putting jobs in each system's scheduler, taking them out, and finding what is there.

Everything that touches the system goes through two seams, so that tests can see what
would happen on macOS or Windows from Linux: :class:`Places` (the folders: home, state,
systemd's and launchd's) and a :data:`Runner` (runs one command: ``systemctl``,
``crontab``, ``launchctl``, ``schtasks``). A :class:`Plan` is what adding jobs means on a
system: the files to write and the commands to run, in order; ``schedule add --print``
shows it, :func:`apply` carries it out.

What was scheduled is recorded in ``schedule.json`` in the user's data folder, so that
``schedule list``, ``status`` and ``remove`` work the same on every system.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sheetops.errors import SchedulerError
from sheetops.messages import message
from sheetops.schedule import units
from sheetops.schedule.model import Job, JobKind, Weekly

System = Literal["linux", "macos", "windows"]
Scheduler = Literal["systemd", "cron", "launchd", "task-scheduler"]
REGISTRY = "schedule.json"
# What every job adds to its environment: Python reads and writes UTF-8 whatever the
# locale the scheduler gives it (often none at all).
JOB_ENV = {"PYTHONUTF8": "1"}


@dataclass(frozen=True)
class RunResult:
    """What a command did: its exit code and what it printed."""

    code: int
    out: str = ""
    err: str = ""


Runner = Callable[[Sequence[str], "str | None"], RunResult]


def run_command(argv: Sequence[str], input_text: str | None = None) -> RunResult:
    """Run a program and wait; a program that is not installed gives exit code 127."""
    try:
        done = subprocess.run(list(argv), input=input_text, capture_output=True, text=True, timeout=60, check=False)
    except FileNotFoundError:
        return RunResult(127, "", f"{argv[0]}: not found")
    except subprocess.TimeoutExpired:
        return RunResult(124, "", f"{argv[0]}: no answer in 60 seconds")
    return RunResult(done.returncode, done.stdout, done.stderr)


def current_system() -> System:
    if sys.platform == "darwin":
        return "macos"
    if sys.platform.startswith("win"):
        return "windows"
    return "linux"


@dataclass(frozen=True)
class Places:
    """The folders a schedule uses on this system, for this user."""

    home: Path
    state: Path  # the run log; the folder the jobs run in
    data: Path  # schedule.json
    systemd: Path  # systemd user units
    launch_agents: Path  # macOS LaunchAgents
    uid: int = 0
    user: str = ""

    @classmethod
    def of_user(cls) -> Places:
        import platformdirs

        from sheetops.schedule.runlog import state_folder

        home = Path.home()
        config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
        return cls(
            home=home,
            state=state_folder(),
            data=Path(platformdirs.user_data_dir("sheetops", appauthor=False)),
            systemd=config / "systemd" / "user",
            launch_agents=home / "Library" / "LaunchAgents",
            uid=os.getuid() if hasattr(os, "getuid") else 0,
            user=os.environ.get("USER") or os.environ.get("USERNAME") or "",
        )

    @property
    def registry(self) -> Path:
        return self.data / REGISTRY


@dataclass(frozen=True)
class Command:
    """One command of a plan; ``input_text`` goes to its standard input."""

    argv: tuple[str, ...]
    input_text: str | None = None
    may_fail: bool = False  # e.g. unloading a job that was not loaded

    def show(self, system: System) -> str:
        import shlex

        line = units.windows_command_line(self.argv) if system == "windows" else shlex.join(self.argv)
        return line + (" < (the new crontab, above)" if self.input_text is not None else "")


@dataclass(frozen=True)
class Plan:
    """What adding (or removing) jobs does: files written or removed, then commands run."""

    system: System
    scheduler: Scheduler
    jobs: tuple[Job, ...]
    files: tuple[tuple[Path, bytes], ...] = ()
    removed: tuple[Path, ...] = ()
    commands: tuple[Command, ...] = ()
    notes: tuple[str, ...] = ()  # said to the user after it is done (in their language already)
    crontab: str | None = None  # the whole new crontab, when cron is the scheduler


@dataclass(frozen=True)
class Scheduled:
    """One job as recorded in schedule.json."""

    job: Job
    system: System
    scheduler: Scheduler
    files: tuple[str, ...]
    package: str  # the sheetops package folder the interpreter imported when it was added
    added: str  # ISO time with zone

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.job.name,
            "kind": self.job.kind,
            "workbook": self.job.workbook,
            "day": self.job.when.day_name,
            "time": self.job.when.clock,
            "argv": list(self.job.argv),
            "env": dict(self.job.env),
            "folder": self.job.folder,
            "system": self.system,
            "scheduler": self.scheduler,
            "files": list(self.files),
            "package": self.package,
            "added": self.added,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scheduled:
        from sheetops.schedule.model import parse_day, parse_time

        when = Weekly(parse_day(str(data["day"])), *parse_time(str(data["time"])))
        job = Job(data["kind"], str(data["workbook"]), when, tuple(str(a) for a in data["argv"]),
                  {str(k): str(v) for k, v in dict(data.get("env") or {}).items()}, str(data.get("folder", "")))
        return cls(job, data["system"], data["scheduler"], tuple(str(f) for f in data.get("files", ())),
                   str(data.get("package", "")), str(data.get("added", "")))


@dataclass
class Installer:
    """Adds, removes and lists jobs on one system, through ``runner`` and ``places``."""

    places: Places
    runner: Runner = run_command
    system: System = field(default_factory=current_system)
    lang: str = "en"

    # -- which scheduler ----------------------------------------------------------------------------------

    def scheduler(self) -> Scheduler:
        """systemd's user instance where it runs, else cron (Linux); launchd; Task Scheduler."""
        if self.system == "macos":
            return "launchd"
        if self.system == "windows":
            return "task-scheduler"
        if self.runner(("systemctl", "--user", "show-environment"), None).code == 0:
            return "systemd"
        if self.runner(("crontab", "-l"), None).code != 127:
            return "cron"
        raise SchedulerError(message("schedule.no_scheduler", self.lang))

    # -- plans --------------------------------------------------------------------------------------------

    def plan_add(self, jobs: Sequence[Job], *, scheduler: Scheduler | None = None,
                 today: dt.date | None = None, only_shown: bool = False) -> Plan:
        """What adding ``jobs`` means here. ``only_shown``: for ``--print``, where a Linux
        without systemd or cron is shown the systemd units it would get with them."""
        try:
            chosen = scheduler or self.scheduler()
        except SchedulerError:
            if not only_shown:
                raise
            chosen = "systemd"
        jobs = tuple(jobs)
        if chosen == "systemd":
            return self._plan_systemd(jobs)
        if chosen == "cron":
            return self._plan_cron(jobs)
        if chosen == "launchd":
            return self._plan_launchd(jobs)
        return self._plan_task_scheduler(jobs, today or dt.date.today())

    def _plan_systemd(self, jobs: tuple[Job, ...]) -> Plan:
        files = tuple((self.places.systemd / name, text.encode("utf-8"))
                      for job in jobs for name, text in units.systemd_units(job).items())
        timers = tuple(f"{job.name}.timer" for job in jobs)
        commands = (
            Command(("systemctl", "--user", "daemon-reload")),
            Command(("systemctl", "--user", "enable", "--now", *timers)),
        )
        return Plan(self.system, "systemd", jobs, files, commands=commands, notes=self._linger_notes())

    def _linger_notes(self) -> tuple[str, ...]:
        user = self.places.user or str(self.places.uid)
        found = self.runner(("loginctl", "show-user", user, "--property=Linger"), None)
        if found.code == 0 and found.out.strip() == "Linger=yes":
            return ()
        return (message("schedule.linger", self.lang, user=self.places.user or "$USER"),)

    def _plan_cron(self, jobs: tuple[Job, ...], removing: Iterable[str] = ()) -> Plan:
        existing = self.runner(("crontab", "-l"), None)
        current = existing.out if existing.code == 0 else ""
        crontab = units.crontab_with(current, jobs, removing=removing)
        notes = (message("schedule.cron_note", self.lang),) if jobs else ()
        return Plan(self.system, "cron", jobs, commands=(Command(("crontab", "-"), crontab),), notes=notes,
                    crontab=crontab)

    def _launchd_path(self, job: Job) -> Path:
        return self.places.launch_agents / f"{units.launchd_label(job)}.plist"

    def _plan_launchd(self, jobs: tuple[Job, ...]) -> Plan:
        domain = f"gui/{self.places.uid}"
        files = tuple((self._launchd_path(job), units.launchd_plist(job)) for job in jobs)
        commands: list[Command] = []
        for job in jobs:
            commands.append(Command(("launchctl", "bootout", f"{domain}/{units.launchd_label(job)}"), may_fail=True))
            commands.append(Command(("launchctl", "bootstrap", domain, str(self._launchd_path(job)))))
        return Plan(self.system, "launchd", jobs, files, commands=tuple(commands))

    def _task_file(self, job: Job) -> Path:
        return self.places.state / "tasks" / f"{job.name}.xml"

    def _plan_task_scheduler(self, jobs: tuple[Job, ...], today: dt.date) -> Plan:
        files = tuple((self._task_file(job), units.task_xml(job, start=today).encode("utf-16")) for job in jobs)
        commands = tuple(
            Command(("schtasks", "/Create", "/XML", str(self._task_file(job)), "/TN", units.task_path(job), "/F"))
            for job in jobs
        )
        return Plan(self.system, "task-scheduler", jobs, files, commands=commands)

    def plan_remove(self, scheduled: Sequence[Scheduled]) -> Plan:
        """Stop and forget jobs: unload them, then remove their files."""
        if not scheduled:
            return Plan(self.system, "systemd", ())
        kind = scheduled[0].scheduler
        jobs = tuple(s.job for s in scheduled)
        removed = tuple(Path(f) for s in scheduled for f in s.files)
        if kind == "systemd":
            timers = tuple(f"{job.name}.timer" for job in jobs)
            commands: tuple[Command, ...] = (
                Command(("systemctl", "--user", "disable", "--now", *timers), may_fail=True),
            )
            return Plan(self.system, kind, jobs, removed=removed,
                        commands=(*commands, Command(("systemctl", "--user", "daemon-reload"))))
        if kind == "cron":
            plan = self._plan_cron((), removing=[job.name for job in jobs])
            return Plan(self.system, kind, jobs, removed=removed, commands=plan.commands, crontab=plan.crontab)
        if kind == "launchd":
            domain = f"gui/{self.places.uid}"
            commands = tuple(Command(("launchctl", "bootout", f"{domain}/{units.launchd_label(job)}"), may_fail=True)
                             for job in jobs)
            return Plan(self.system, kind, jobs, removed=removed, commands=commands)
        commands = tuple(Command(("schtasks", "/Delete", "/TN", units.task_path(job), "/F"), may_fail=True)
                         for job in jobs)
        return Plan(self.system, kind, jobs, removed=removed, commands=commands)

    # -- carrying a plan out ------------------------------------------------------------------------------

    def apply(self, plan: Plan) -> None:
        """Write the files, run the commands, then remove the files a removal names.

        A command that fails stops everything with a message that names it and what it
        said; the files written so far stay (adding the same jobs again replaces them).
        """
        for path, content in plan.files:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
            except OSError as exc:
                raise SchedulerError(message("schedule.cannot_write", self.lang, path=str(path),
                                             error=exc.strerror or str(exc))) from exc
        for command in plan.commands:
            done = self.runner(command.argv, command.input_text)
            if done.code != 0 and not command.may_fail:
                said = (done.err or done.out).strip().splitlines()
                raise SchedulerError(message("schedule.command_failed", self.lang, command=command.show(self.system),
                                             code=done.code, said=said[-1] if said else "-"))
        for path in plan.removed:
            path.unlink(missing_ok=True)

    # -- the record ---------------------------------------------------------------------------------------

    def recorded(self) -> list[Scheduled]:
        try:
            data = json.loads(self.places.registry.read_text("utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise SchedulerError(message("schedule.bad_registry", self.lang, path=str(self.places.registry),
                                         error=str(exc))) from exc
        found = []
        for item in data.get("jobs", []) if isinstance(data, dict) else []:
            try:
                found.append(Scheduled.from_dict(item))
            except (KeyError, TypeError, ValueError):
                continue  # a hand-edited entry that cannot be read: shown by nothing, removed by nothing
        return found

    def record(self, added: Sequence[Scheduled] = (), removed: Iterable[str] = ()) -> None:
        gone = set(removed) | {s.job.name for s in added}
        kept = [s for s in self.recorded() if s.job.name not in gone] + list(added)
        self.places.data.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"jobs": [s.as_dict() for s in kept]}, ensure_ascii=False, indent=2) + "\n"
        temp = self.places.registry.with_suffix(".json.tmp")
        temp.write_text(text, "utf-8")
        os.replace(temp, self.places.registry)

    def is_installed(self, scheduled: Scheduled) -> bool:
        """Whether the system still has the job (its files, its crontab entry, its task)."""
        if scheduled.scheduler == "cron":
            found = self.runner(("crontab", "-l"), None)
            return found.code == 0 and scheduled.job.name in units.cron_names(found.out)
        if scheduled.scheduler == "task-scheduler":
            return self.runner(("schtasks", "/Query", "/TN", units.task_path(scheduled.job)), None).code == 0
        return all(Path(f).exists() for f in scheduled.files)


def scheduled_from(plan: Plan, *, package: str, now: dt.datetime) -> list[Scheduled]:
    """The record of each job a carried-out plan added, with the files it wrote."""
    found = []
    for job in plan.jobs:
        files = tuple(str(path) for path, _ in plan.files if path.name.startswith(job.name)
                      or path.name.startswith(f"{units.LAUNCHD_DOMAIN}.{job.name}"))
        found.append(Scheduled(job, plan.system, plan.scheduler, files, package, now.isoformat(timespec="seconds")))
    return found


def kinds_of(scheduled: Iterable[Scheduled]) -> list[JobKind]:
    return [s.job.kind for s in scheduled]
