"""The three kinds of job definition, generated on Linux and checked by the tools that read
them: systemd-analyze for the units, plistlib for the LaunchAgent, an XML parser for the
Windows task. Then the command each one would run is run, in an environment as empty as
the scheduler's (``env -i`` with HOME and what the job sets), on a demo workbook."""

from __future__ import annotations

import datetime as dt
import json
import os
import plistlib
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

from sheetops.schedule import build_jobs
from sheetops.schedule.model import Job, Weekly
from sheetops.schedule.units import (
    TASK_NAMESPACE,
    cron_lines,
    cron_names,
    crontab_with,
    launchd_label,
    launchd_plist,
    systemd_units,
    task_xml,
)

NS = {"t": TASK_NAMESPACE}
# A folder name with what breaks careless quoting: spaces, quotes, %, $, a backslash.
AWKWARD = "Marketing 100% $HOME 'q' \"dq\" back\\slash"


FRIDAY_17 = Weekly(4, 17, 0)


def job_for(workbook: str, folder: Path, *, kind: str = "sync", when: Weekly = FRIDAY_17) -> Job:
    jobs = build_jobs(workbook, sync_at=when, remind_at=when, plan_reminder_at=None, interpreter=sys.executable,
                      folder=str(folder))
    return next(j for j in jobs if j.kind == kind)


@pytest.fixture
def awkward_demo(demo_xlsx: Path, tmp_path: Path) -> Path:
    """The demo workbook in a folder whose name needs quoting everywhere."""
    folder = tmp_path / AWKWARD
    folder.mkdir()
    return Path(shutil.copy(demo_xlsx, folder / "demo file.xlsx"))


@pytest.fixture
def job_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "home" / ".local" / "state" / "sheetops"
    folder.mkdir(parents=True)
    return folder


# -- systemd --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.skip("systemd-analyze is not installed (apt install systemd): the units are not verified here")
    return found


def unit_values(text: str, key: str) -> list[str]:
    return [line.split("=", 1)[1] for line in text.splitlines() if line.startswith(f"{key}=")]


def systemd_words(value: str) -> list[str]:
    """A command line of a unit file as systemd splits it (its quoting is the shell's
    double quotes with backslash escapes), with %% and $$ read back as % and $."""
    return [w.replace("%%", "%").replace("$$", "$") for w in shlex.split(value)]


def test_the_systemd_units_pass_systemd_analyze_verify(
    systemd_analyze: str, awkward_demo: Path, job_folder: Path, tmp_path: Path
) -> None:
    units = tmp_path / "units"
    units.mkdir()
    for kind in ("sync", "remind"):
        for name, text in systemd_units(job_for(str(awkward_demo), job_folder, kind=kind)).items():
            (units / name).write_text(text)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    done = subprocess.run([systemd_analyze, "--user", "verify", *sorted(str(p) for p in units.iterdir())],
                          capture_output=True, text=True, env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
                          check=False)
    assert done.returncode == 0, done.stderr
    ours = [line for line in done.stderr.splitlines() if "sheetops-" in line]
    assert not ours, "\n".join(ours)


def test_the_timer_is_weekly_at_the_time_asked_and_catches_up_after_the_computer_was_off(
    systemd_analyze: str, job_folder: Path
) -> None:
    job = job_for("/w/marketing.xlsx", job_folder, when=Weekly(4, 17, 30))
    timer = systemd_units(job)[f"{job.name}.timer"]
    assert unit_values(timer, "Persistent") == ["true"]
    assert unit_values(timer, "Unit") == [f"{job.name}.service"]
    assert unit_values(timer, "WantedBy") == ["timers.target"]
    (calendar,) = unit_values(timer, "OnCalendar")
    done = subprocess.run([systemd_analyze, "calendar", "--iterations=2", calendar], capture_output=True,
                          text=True, check=True, env={**os.environ, "TZ": "UTC"})
    elapses = re.findall(r"(?:Next elapse|Iter\. #2):\s+(\w{3}) (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)", done.stdout)
    assert [(day, clock) for day, _, clock in elapses] == [("Fri", "17:30:00"), ("Fri", "17:30:00")], done.stdout
    first, second = (dt.date.fromisoformat(d) for _, d, _ in elapses)
    assert second - first == dt.timedelta(weeks=1)


def test_the_service_runs_the_absolute_interpreter_once_in_sheetops_folder(job_folder: Path) -> None:
    job = job_for("/w/marketing.xlsx", job_folder)
    service = systemd_units(job)[f"{job.name}.service"]
    assert unit_values(service, "Type") == ["oneshot"]
    assert unit_values(service, "WorkingDirectory") == [f"-{job_folder}"]  # a folder deleted since: run in $HOME
    (exec_start,) = unit_values(service, "ExecStart")
    assert systemd_words(exec_start) == list(job.argv)
    assert os.path.isabs(systemd_words(exec_start)[0])


# -- cron -----------------------------------------------------------------------------------------------


def test_a_crontab_gets_one_named_entry_per_job_and_keeps_every_other_line(job_folder: Path) -> None:
    job = job_for("/w/marketing.xlsx", job_folder, when=Weekly(4, 17, 5))
    mine = "MAILTO=anna@example.com\n# my backup\n0 3 * * * /usr/bin/backup\n"
    once = crontab_with(mine, [job])
    assert once.startswith(mine)
    comment, entry = cron_lines(job)
    assert once.endswith(f"{comment}\n{entry}\n")
    assert entry.startswith("5 17 * * 5 ")  # cron counts Sunday as 0: Friday is 5
    assert crontab_with(once, [job]) == once  # adding again replaces, never doubles
    assert cron_names(once) == {job.name}
    assert crontab_with(once, [], removing=[job.name]) == mine


# -- launchd --------------------------------------------------------------------------------------------


def test_the_launch_agent_reads_back_with_plistlib(job_folder: Path, awkward_demo: Path) -> None:
    job = job_for(str(awkward_demo), job_folder, when=Weekly(6, 9, 15))
    agent = plistlib.loads(launchd_plist(job))
    assert agent["Label"] == launchd_label(job)
    assert agent["ProgramArguments"] == list(job.argv)
    assert agent["WorkingDirectory"] == str(job_folder)
    assert agent["EnvironmentVariables"] == {"PYTHONUTF8": "1"}
    assert agent["StartCalendarInterval"] == {"Weekday": 0, "Hour": 9, "Minute": 15}  # Sunday is 0 for launchd
    assert agent["RunAtLoad"] is False
    assert set(agent) <= {"Label", "ProgramArguments", "WorkingDirectory", "EnvironmentVariables",
                          "StartCalendarInterval", "RunAtLoad", "ProcessType"}


# -- Windows Task Scheduler -----------------------------------------------------------------------------


def windows_argv(command_line: str) -> list[str]:
    """Arguments split as the Microsoft C runtime does (CommandLineToArgvW's rules)."""
    words: list[str] = []
    word, quoted, backslashes, started = "", False, 0, False
    for char in command_line:
        if char == "\\":
            backslashes += 1
            continue
        if char == '"':
            word += "\\" * (backslashes // 2)
            if backslashes % 2:
                word += '"'
            else:
                quoted = not quoted
            backslashes, started = 0, True
            continue
        word += "\\" * backslashes
        backslashes = 0
        if char in " \t" and not quoted:
            if started or word:
                words.append(word)
            word, started = "", False
        else:
            word += char
            started = True
    word += "\\" * backslashes
    if started or word:
        words.append(word)
    return words


def test_the_task_definition_reads_back_with_what_task_scheduler_needs(job_folder: Path, awkward_demo: Path) -> None:
    job = job_for(str(awkward_demo), job_folder, when=Weekly(4, 17, 0))
    encoded = task_xml(job, start=dt.date(2026, 11, 30)).encode("utf-16")
    assert encoded[:2] in (b"\xff\xfe", b"\xfe\xff")  # a byte order mark, as schtasks expects UTF-16
    task = ET.fromstring(encoded)
    assert task.tag == f"{{{TASK_NAMESPACE}}}Task" and task.get("version") == "1.2"
    trigger = task.find("t:Triggers/t:CalendarTrigger", NS)
    assert trigger is not None
    assert trigger.findtext("t:StartBoundary", namespaces=NS) == "2026-11-30T17:00:00"  # local time: no zone
    week = trigger.find("t:ScheduleByWeek", NS)
    assert week is not None and week.findtext("t:WeeksInterval", namespaces=NS) == "1"
    assert [d.tag.split("}")[1] for d in week.find("t:DaysOfWeek", NS) or []] == ["Friday"]
    settings = task.find("t:Settings", NS)
    assert settings is not None
    assert settings.findtext("t:StartWhenAvailable", namespaces=NS) == "true"
    assert settings.findtext("t:MultipleInstancesPolicy", namespaces=NS) == "IgnoreNew"
    assert settings.findtext("t:DisallowStartIfOnBatteries", namespaces=NS) == "false"
    assert settings.findtext("t:ExecutionTimeLimit", namespaces=NS) == "PT4H"  # 2 hours of retries and 2 more
    principal = task.find("t:Principals/t:Principal", NS)
    assert principal is not None and principal.findtext("t:LogonType", namespaces=NS) == "InteractiveToken"
    assert principal.findtext("t:RunLevel", namespaces=NS) == "LeastPrivilege"
    execute = task.find("t:Actions/t:Exec", NS)
    assert execute is not None
    assert execute.findtext("t:Command", namespaces=NS) == job.argv[0]
    assert windows_argv(execute.findtext("t:Arguments", namespaces=NS) or "") == list(job.argv[1:])
    assert execute.findtext("t:WorkingDirectory", namespaces=NS) == str(job_folder)
    assert task.findtext("t:RegistrationInfo/t:URI", namespaces=NS) == f"\\sheetops\\{job.name}"


@pytest.mark.parametrize(("retry_for", "hours"), [(None, 4), ("0", 4), ("3h", 5), ("90m", 4), ("10h", 12)])
def test_task_scheduler_lets_a_run_retry_as_long_as_asked(retry_for: str | None, hours: int) -> None:
    from sheetops.schedule.model import job_command
    from sheetops.schedule.units import execution_limit_hours

    assert execution_limit_hours(job_command("sync", "/w.xlsx", interpreter="/p", retry_for=retry_for)) == hours


@pytest.mark.parametrize("argv", [
    ["plain", "C:\\Users\\Anna\\Marketing 2026\\book.xlsx", "--scheduled"],
    ['say "hi"', "trailing\\", "back\\\\slash\\\\", "", "a b\\"],
])
def test_windows_arguments_come_back_as_they_were(argv: list[str]) -> None:
    from sheetops.schedule.units import windows_command_line

    assert windows_argv(windows_command_line(argv)) == argv


# -- each job's command, run as the scheduler would run it ----------------------------------------------


def clean_run(argv: Sequence[str], env: dict[str, str], cwd: str, home: Path) -> subprocess.CompletedProcess[str]:
    """``env -i HOME=... <what the job sets> argv``: no PATH, no profile, no terminal."""
    settings = [f"HOME={home}", *(f"{k}={v}" for k, v in env.items())]
    return subprocess.run(["env", "-i", *settings, *argv], cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300, check=False)


def assert_synced_by_schedule(workbook: Path, home: Path, done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stdout + done.stderr
    book = openpyxl.load_workbook(workbook, read_only=True)
    rows = [row for row in book["Sync Log"].iter_rows(values_only=True) if any(v is not None for v in row)]
    header, last = rows[0], rows[-1]
    assert last[header.index("Run")] == "scheduled"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC[+-]\d\d:\d\d", str(last[header.index("When")]))
    log = home / ".local" / "state" / "sheetops" / "runs.jsonl"
    (entry,) = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert entry["result"] == "ok" and entry["workbook"] == str(workbook)


@pytest.fixture
def clean_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (home / ".local" / "state" / "sheetops").mkdir(parents=True, exist_ok=True)
    return home


def test_the_systemd_service_command_syncs_in_a_clean_environment(
    awkward_demo: Path, clean_home: Path
) -> None:
    job = job_for(str(awkward_demo), clean_home / ".local" / "state" / "sheetops")
    service = systemd_units(job)[f"{job.name}.service"]
    argv = systemd_words(unit_values(service, "ExecStart")[0])
    env = dict(w.split("=", 1) for value in unit_values(service, "Environment") for w in systemd_words(value))
    (folder,) = unit_values(service, "WorkingDirectory")
    folder = folder.removeprefix("-")
    assert_synced_by_schedule(awkward_demo, clean_home, clean_run(argv, env, folder, clean_home))


def test_the_launch_agent_command_syncs_in_a_clean_environment(awkward_demo: Path, clean_home: Path) -> None:
    agent = plistlib.loads(launchd_plist(job_for(str(awkward_demo), clean_home / ".local" / "state" / "sheetops")))
    done = clean_run(agent["ProgramArguments"], agent["EnvironmentVariables"], agent["WorkingDirectory"], clean_home)
    assert_synced_by_schedule(awkward_demo, clean_home, done)


def test_the_cron_entry_syncs_in_a_clean_environment(awkward_demo: Path, clean_home: Path) -> None:
    _, entry = cron_lines(job_for(str(awkward_demo), clean_home / ".local" / "state" / "sheetops"))
    command = entry.split(" ", 5)[5].replace("\\%", "%")  # what cron hands to /bin/sh
    done = clean_run(["/bin/sh", "-c", command], {"PATH": "/usr/bin:/bin", "SHELL": "/bin/sh"}, "/", clean_home)
    assert_synced_by_schedule(awkward_demo, clean_home, done)


def test_the_task_command_and_arguments_sync_in_a_clean_environment(awkward_demo: Path, clean_home: Path) -> None:
    job = job_for(str(awkward_demo), clean_home / ".local" / "state" / "sheetops")
    task = ET.fromstring(task_xml(job, start=dt.date(2026, 11, 30)).encode("utf-16"))
    execute = task.find("t:Actions/t:Exec", NS)
    assert execute is not None
    argv = [execute.findtext("t:Command", namespaces=NS) or "",
            *windows_argv(execute.findtext("t:Arguments", namespaces=NS) or "")]
    done = clean_run(argv, {}, execute.findtext("t:WorkingDirectory", namespaces=NS) or "/", clean_home)
    assert_synced_by_schedule(awkward_demo, clean_home, done)
