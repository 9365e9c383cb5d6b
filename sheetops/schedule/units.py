"""The files each system's scheduler reads, generated from a :class:`~sheetops.schedule.model.Job`.

Pure: each function returns text (or bytes) and writes nothing; :mod:`.install` puts
them in place. Every job runs an absolute interpreter with ``-m sheetops`` in a folder
of sheetops' own, with the environment it needs spelled out, so that it works without a
login shell or a profile:

- Linux: a systemd user service and its timer (``Persistent=true``: a run missed while the
  computer was off happens at the next start), or a crontab entry where there is no user
  systemd (cron skips a missed run);
- macOS: a LaunchAgent property list with ``StartCalendarInterval`` (a run missed while
  the Mac slept happens when it wakes);
- Windows: a Task Scheduler task definition, a weekly calendar trigger with
  ``StartWhenAvailable`` (a run missed while the computer was off happens when it can).
"""

from __future__ import annotations

import datetime as dt
import math
import plistlib
import re
import shlex
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from xml.sax.saxutils import escape

from sheetops.schedule.model import Job

TASK_NAMESPACE = "http://schemas.microsoft.com/windows/2004/02/mit/task"
TASK_FOLDER = "\\sheetops\\"
LAUNCHD_DOMAIN = "io.github.sheetops"
CRON_MARK = "# sheetops job "
TASK_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SYSTEMD_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SYSTEMD_PLAIN = re.compile(r"^[A-Za-z0-9_@%+=:,./-]+$")


# -- systemd --------------------------------------------------------------------------------------------


def systemd_escape(value: str) -> str:
    """A value for a unit file: specifiers (%) and variables ($) kept literal."""
    return value.replace("%", "%%").replace("$", "$$")


def systemd_word(value: str) -> str:
    """One word of ``ExecStart=``, quoted when it has spaces or quotes (systemd's own rules)."""
    escaped = systemd_escape(value)
    if _SYSTEMD_PLAIN.match(escaped):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_units(job: Job) -> dict[str, str]:
    """The service and timer of a job, by file name: ``<name>.service`` and ``<name>.timer``."""
    description = systemd_escape(job.description("en"))
    environment = "".join(f"Environment={systemd_word(f'{k}={v}')}\n" for k, v in sorted(job.env.items()))
    service = (
        "[Unit]\n"
        f"Description={description}\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        # "-": a folder deleted since is no reason to skip the Friday run (it then runs in $HOME).
        f"WorkingDirectory=-{systemd_escape(job.folder)}\n"
        f"{environment}"
        f"ExecStart={' '.join(systemd_word(a) for a in job.argv)}\n"
    )
    when = job.when
    timer = (
        "[Unit]\n"
        f"Description={description} (timer)\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={SYSTEMD_DAYS[when.day]} *-*-* {when.hour:02d}:{when.minute:02d}:00\n"
        "Persistent=true\n"
        f"Unit={job.name}.service\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {f"{job.name}.service": service, f"{job.name}.timer": timer}


# -- cron -----------------------------------------------------------------------------------------------


def cron_lines(job: Job) -> tuple[str, str]:
    """A job's two crontab lines: a comment that names it, then the entry (cron's Sunday is 0)."""
    when = job.when
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(job.env.items()))
    # A folder deleted since is no reason to skip the run: then it runs in $HOME, cron's own default.
    run = f"{env + ' ' if env else ''}{shlex.join(job.argv)}"
    command = f"{{ cd {shlex.quote(job.folder)} 2>/dev/null || cd; }} && {run}"
    # In a crontab an unescaped % ends the command; \% is a literal one.
    command = command.replace("%", "\\%")
    return f"{CRON_MARK}{job.name}", f"{when.minute} {when.hour} * * {(when.day + 1) % 7} {command}"


def crontab_with(existing: str, jobs: Iterable[Job], *, removing: Iterable[str] = ()) -> str:
    """The user's crontab with these jobs' entries (replacing older ones of the same names)
    and without those named in ``removing``; every other line is kept as it was."""
    jobs = list(jobs)
    dropped = {j.name for j in jobs} | set(removing)
    kept: list[str] = []
    skip_next = False
    for line in existing.splitlines():
        if skip_next:
            skip_next = False
            continue
        if line.startswith(CRON_MARK) and line[len(CRON_MARK):].strip() in dropped:
            skip_next = True
            continue
        kept.append(line)
    for job in jobs:
        kept.extend(cron_lines(job))
    return "".join(line + "\n" for line in kept)


def cron_names(crontab: str) -> set[str]:
    """The names of the sheetops jobs in a crontab."""
    return {line[len(CRON_MARK):].strip() for line in crontab.splitlines() if line.startswith(CRON_MARK)}


# -- launchd --------------------------------------------------------------------------------------------


def launchd_label(job: Job) -> str:
    return f"{LAUNCHD_DOMAIN}.{job.name}"


def launchd_plist(job: Job) -> bytes:
    """A LaunchAgent: the command, its folder and environment, a weekly StartCalendarInterval.

    launchd's Weekday counts from Sunday (0); a job is not run at load, only on its day.
    """
    when = job.when
    agent: dict[str, object] = {
        "Label": launchd_label(job),
        "ProgramArguments": list(job.argv),
        "WorkingDirectory": job.folder,
        "StartCalendarInterval": {"Weekday": (when.day + 1) % 7, "Hour": when.hour, "Minute": when.minute},
        "RunAtLoad": False,
        "ProcessType": "Background",
    }
    if job.env:
        agent["EnvironmentVariables"] = dict(sorted(job.env.items()))
    return plistlib.dumps(agent, fmt=plistlib.FMT_XML, sort_keys=False)


# -- Windows Task Scheduler -----------------------------------------------------------------------------


def task_path(job: Job) -> str:
    """The task's name in Task Scheduler, in a folder of sheetops' own: ``\\sheetops\\<name>``."""
    return TASK_FOLDER + job.name


def windows_command_line(argv: Iterable[str]) -> str:
    """Arguments quoted as Windows programs read them (the rules of the C runtime)."""
    return subprocess.list2cmdline(list(argv))


def task_xml(job: Job, *, start: dt.date, author: str = "sheetops") -> str:
    """A Task Scheduler task definition (schema 1.2, Windows 7 and later).

    A weekly calendar trigger from ``start`` (the first such day is found by Task
    Scheduler), ``StartWhenAvailable`` so that a run missed while the computer was off
    happens as soon as it can, the least privileges, only while the user is logged on
    (no password is stored), and never two runs at once. The environment is not part of
    a task: the command sets nothing that the job needs from it.
    """
    when = job.when
    boundary = dt.datetime.combine(start, dt.time(when.hour, when.minute)).isoformat()
    limit = execution_limit_hours(job.argv)
    arguments = windows_command_line(job.argv[1:])

    def text(value: str) -> str:
        return escape(value)

    return (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        f'<Task version="1.2" xmlns="{TASK_NAMESPACE}">\n'
        "  <RegistrationInfo>\n"
        f"    <Author>{text(author)}</Author>\n"
        f"    <Description>{text(job.description('en'))}</Description>\n"
        f"    <URI>{text(task_path(job))}</URI>\n"
        "  </RegistrationInfo>\n"
        "  <Triggers>\n"
        "    <CalendarTrigger>\n"
        f"      <StartBoundary>{boundary}</StartBoundary>\n"
        "      <Enabled>true</Enabled>\n"
        "      <ScheduleByWeek>\n"
        f"        <DaysOfWeek><{TASK_DAYS[when.day]} /></DaysOfWeek>\n"
        "        <WeeksInterval>1</WeeksInterval>\n"
        "      </ScheduleByWeek>\n"
        "    </CalendarTrigger>\n"
        "  </Triggers>\n"
        "  <Principals>\n"
        '    <Principal id="Author">\n'
        "      <LogonType>InteractiveToken</LogonType>\n"
        "      <RunLevel>LeastPrivilege</RunLevel>\n"
        "    </Principal>\n"
        "  </Principals>\n"
        "  <Settings>\n"
        "    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\n"
        "    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>\n"
        "    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>\n"
        "    <StartWhenAvailable>true</StartWhenAvailable>\n"
        "    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>\n"
        f"    <ExecutionTimeLimit>PT{limit}H</ExecutionTimeLimit>\n"
        "    <Enabled>true</Enabled>\n"
        "  </Settings>\n"
        '  <Actions Context="Author">\n'
        "    <Exec>\n"
        f"      <Command>{text(job.argv[0])}</Command>\n"
        f"      <Arguments>{text(arguments)}</Arguments>\n"
        f"      <WorkingDirectory>{text(job.folder)}</WorkingDirectory>\n"
        "    </Exec>\n"
        "  </Actions>\n"
        "</Task>\n"
    )


def execution_limit_hours(argv: Sequence[str]) -> int:
    """How long Task Scheduler lets a run take: the time it may spend retrying and two hours
    more, at least four hours (Task Scheduler stops a task that runs longer)."""
    from sheetops.schedule.run import DEFAULT_RETRY_FOR, parse_duration

    retry = DEFAULT_RETRY_FOR
    if "--retry-for" in argv[:-1]:
        retry = parse_duration(argv[list(argv).index("--retry-for") + 1])
    return max(4, math.ceil(retry / 3600) + 2)


def env_lines(env: Mapping[str, str]) -> list[str]:
    """``KEY=value`` lines, sorted, as ``--print`` shows a job's environment."""
    return [f"{k}={v}" for k, v in sorted(env.items())]
