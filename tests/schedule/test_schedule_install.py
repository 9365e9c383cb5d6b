"""Adding, listing, removing jobs on each system, and their status: what is written where
and which commands run, on Linux (systemd or cron), macOS and Windows."""

from __future__ import annotations

import datetime as dt
import json
import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from schedule_world import RecordingSystem

from sheetops.errors import SchedulerError
from sheetops.schedule import add_jobs, build_jobs, job_status, remove_jobs
from sheetops.schedule.install import Installer, Places, RunResult
from sheetops.schedule.model import Job, Weekly
from sheetops.schedule.runlog import RunLog

WORKBOOK = "/home/anna/Marketing/marketing.xlsx"
FRIDAY_17 = Weekly(4, 17, 0)
THURSDAY_12 = Weekly(3, 12, 0)
ADDED = dt.datetime(2026, 11, 23, 9, 0).astimezone()  # a Monday


def jobs_of(places: Places, *, remind: bool = True, workbook: str = WORKBOOK) -> list[Job]:
    return build_jobs(workbook, sync_at=FRIDAY_17, remind_at=THURSDAY_12 if remind else None, plan_reminder_at=None,
                      interpreter=sys.executable, folder=str(places.state))


def test_linux_with_a_user_systemd_gets_a_timer_per_job_enabled_at_once(
    places: Places, system: RecordingSystem
) -> None:
    installer = Installer(places, system, "linux")
    added = add_jobs(installer, jobs_of(places), now=ADDED)
    assert added.plan.scheduler == "systemd"
    names = sorted(p.name for p in places.systemd.iterdir())
    sync, remind = (j.name for j in added.plan.jobs)
    assert names == sorted([f"{sync}.service", f"{sync}.timer", f"{remind}.service", f"{remind}.timer"])
    assert system.commands[-2:] == [
        ("systemctl", "--user", "daemon-reload"),
        ("systemctl", "--user", "enable", "--now", f"{sync}.timer", f"{remind}.timer"),
    ]
    assert places.state.is_dir()  # the folder the jobs run in exists before they run
    assert any("loginctl enable-linger anna" in note for note in added.plan.notes)


def test_linger_on_means_no_word_about_it(places: Places) -> None:
    system = RecordingSystem({("loginctl", "show-user"): RunResult(0, "Linger=yes\n")})
    assert add_jobs(Installer(places, system, "linux"), jobs_of(places), now=ADDED).plan.notes == ()


def test_linux_without_a_user_systemd_gets_cron_entries_beside_the_users_own(places: Places) -> None:
    mine = "0 3 * * * /usr/bin/backup\n"
    system = RecordingSystem({("systemctl",): RunResult(1, "", "Failed to connect to bus"),
                              ("crontab", "-l"): RunResult(0, mine)})
    added = add_jobs(Installer(places, system, "linux"), jobs_of(places), now=ADDED)
    assert added.plan.scheduler == "cron"
    ((argv, crontab),) = [(a, i) for a, i in system.calls if a == ("crontab", "-")]
    assert crontab is not None and crontab.startswith(mine)
    assert crontab.count("--scheduled") == 1 and crontab.count(" remind ") == 1
    assert not places.systemd.exists()


def test_linux_with_neither_says_what_to_install(places: Places) -> None:
    system = RecordingSystem({("systemctl",): RunResult(1), ("crontab",): RunResult(127)})
    with pytest.raises(SchedulerError, match="install cron"):
        add_jobs(Installer(places, system, "linux"), jobs_of(places), now=ADDED)


def test_macos_gets_a_launch_agent_loaded_with_launchctl(places: Places) -> None:
    system = RecordingSystem()
    added = add_jobs(Installer(places, system, "macos"), jobs_of(places, remind=False), now=ADDED)
    (job,) = added.plan.jobs
    (plist,) = places.launch_agents.iterdir()
    assert plist.name == f"io.github.sheetops.{job.name}.plist"
    assert plistlib.loads(plist.read_bytes())["ProgramArguments"] == list(job.argv)
    label = f"gui/501/io.github.sheetops.{job.name}"
    assert system.commands == [("launchctl", "bootout", label), ("launchctl", "bootstrap", "gui/501", str(plist))]


def test_macos_a_job_not_loaded_before_is_no_failure(places: Places) -> None:
    system = RecordingSystem({("launchctl", "bootout"): RunResult(113, "", "Could not find service")})
    add_jobs(Installer(places, system, "macos"), jobs_of(places), now=ADDED)
    assert sum(1 for argv in system.commands if argv[:2] == ("launchctl", "bootstrap")) == 2


def test_windows_gets_a_task_created_from_its_xml(places: Places) -> None:
    system = RecordingSystem()
    added = add_jobs(Installer(places, system, "windows"), jobs_of(places, remind=False), now=ADDED)
    (job,) = added.plan.jobs
    (xml_path, _), = added.plan.files
    assert xml_path.read_bytes().decode("utf-16").startswith('<?xml version="1.0" encoding="UTF-16"?>')
    assert system.commands == [("schtasks", "/Create", "/XML", str(xml_path), "/TN", f"\\sheetops\\{job.name}", "/F")]


def test_a_refusing_scheduler_is_named_with_what_it_said(places: Places) -> None:
    system = RecordingSystem({("schtasks",): RunResult(1, "", "ERROR: Access is denied.")})
    with pytest.raises(SchedulerError) as caught:
        add_jobs(Installer(places, system, "windows"), jobs_of(places), now=ADDED)
    assert "schtasks /Create" in str(caught.value) and "Access is denied" in str(caught.value)
    assert Installer(places, system, "windows").recorded() == []  # nothing recorded as scheduled


def test_print_only_writes_and_runs_nothing(places: Places, system: RecordingSystem) -> None:
    added = add_jobs(Installer(places, system, "linux"), jobs_of(places), install=False, now=ADDED)
    assert not added.installed and len(added.plan.files) == 4
    assert not places.home.exists()
    assert all(argv[0] != "systemctl" or argv[2] == "show-environment" for argv in system.commands)


def test_adding_a_workbook_again_replaces_its_jobs_and_drops_a_reminder_no_longer_asked(
    places: Places, system: RecordingSystem
) -> None:
    installer = Installer(places, system, "linux")
    add_jobs(installer, jobs_of(places), now=ADDED)
    add_jobs(installer, jobs_of(places, remind=False), now=ADDED)
    assert [s.job.kind for s in installer.recorded()] == ["sync"]
    assert sorted(p.suffix for p in places.systemd.iterdir()) == [".service", ".timer"]
    assert ("systemctl", "--user", "disable", "--now", installer.recorded()[0].job.name.replace("sync", "remind")
            + ".timer") in system.commands


@pytest.mark.parametrize("kind", ["linux", "macos", "windows"])
def test_removing_a_workbook_takes_its_jobs_out_and_leaves_the_others(
    places: Places, system: RecordingSystem, kind: str
) -> None:
    installer = Installer(places, system, kind)  # type: ignore[arg-type]
    add_jobs(installer, jobs_of(places), now=ADDED)
    add_jobs(installer, jobs_of(places, workbook="/home/anna/other.xlsx"), now=ADDED)
    removed = remove_jobs(installer, WORKBOOK)
    assert {s.job.workbook for s in removed} == {WORKBOOK} and len(removed) == 2
    assert {s.job.workbook for s in installer.recorded()} == {"/home/anna/other.xlsx"}
    for item in removed:
        assert not any(Path(f).exists() for f in item.files)
    stop = {"linux": "disable", "macos": "bootout", "windows": "/Delete"}[kind]
    assert any(stop in argv for argv in system.commands)


def test_the_record_lists_each_job_with_its_interpreter(places: Places, system: RecordingSystem) -> None:
    installer = Installer(places, system, "linux")
    add_jobs(installer, jobs_of(places), now=ADDED)
    data = json.loads(places.registry.read_text("utf-8"))
    assert [job["kind"] for job in data["jobs"]] == ["sync", "remind"]
    assert data["jobs"][0]["argv"][0] == sys.executable and data["jobs"][0]["time"] == "17:00"


# -- status ---------------------------------------------------------------------------------------------


@pytest.fixture
def scheduled(places: Places, system: RecordingSystem) -> Installer:
    installer = Installer(places, system, "linux")
    add_jobs(installer, jobs_of(places, remind=False), now=ADDED)
    return installer


def sync_status(installer: Installer, now: dt.datetime, log: RunLog) -> dict[str, object]:
    (found,) = job_status(installer, log, now=now.astimezone())
    return found.as_dict()


def ran(log: RunLog, installer: Installer, when: dt.datetime, result: str = "ok", **extra: object) -> None:
    job = installer.recorded()[0].job
    log.append({"started": when.astimezone().isoformat(timespec="seconds"), "job": job.name, "kind": "sync",
                "workbook": job.workbook, "result": result, **extra})


def test_before_the_first_friday_a_job_is_waiting_with_its_next_run(scheduled: Installer, places: Places) -> None:
    status = sync_status(scheduled, dt.datetime(2026, 11, 25, 10, 0), RunLog(places.state))
    assert status["state"] == "waiting" and status["next_run"] == "2026-11-27T17:00"
    assert status["last_run"] is None and status["missed"] is None


def test_a_friday_without_a_run_is_named_missed(scheduled: Installer, places: Places) -> None:
    status = sync_status(scheduled, dt.datetime(2026, 11, 30, 9, 0), RunLog(places.state))
    assert status["state"] == "missed" and status["missed"] == "2026-11-27T17:00"
    assert status["next_run"] == "2026-12-04T17:00"


def test_a_run_that_worked_is_the_last_run(scheduled: Installer, places: Places) -> None:
    log = RunLog(places.state)
    ran(log, scheduled, dt.datetime(2026, 11, 27, 17, 0, 3), breaches=2)
    status = sync_status(scheduled, dt.datetime(2026, 11, 30, 9, 0), log)
    assert status["state"] == "ok" and status["missed"] is None
    assert status["last_run"]["breaches"] == 2  # type: ignore[index]


def test_a_run_late_after_the_computer_was_off_is_no_missed_run(scheduled: Installer, places: Places) -> None:
    log = RunLog(places.state)
    ran(log, scheduled, dt.datetime(2026, 11, 30, 8, 2))  # Persistent=true ran it at Monday's start
    assert sync_status(scheduled, dt.datetime(2026, 11, 30, 9, 0), log)["state"] == "ok"


def test_a_failed_run_is_the_state(scheduled: Installer, places: Places) -> None:
    log = RunLog(places.state)
    ran(log, scheduled, dt.datetime(2026, 11, 27, 17, 0), "failed", message="open in Excel")
    assert sync_status(scheduled, dt.datetime(2026, 11, 28, 9, 0), log)["state"] == "failed"


def test_a_job_whose_python_is_gone_is_broken(places: Places, system: RecordingSystem, tmp_path: Path) -> None:
    venv_python = tmp_path / "old-venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text("")
    installer = Installer(places, system, "linux")
    jobs = build_jobs(WORKBOOK, sync_at=FRIDAY_17, remind_at=None, plan_reminder_at=None,
                      interpreter=str(venv_python), folder=str(places.state))
    add_jobs(installer, jobs, now=ADDED)
    shutil.rmtree(tmp_path / "old-venv")
    status = sync_status(installer, dt.datetime(2026, 11, 25, 10, 0), RunLog(places.state))
    assert status["state"] == "broken" and status["interpreter_missing"] is True


def test_a_job_the_scheduler_no_longer_has_is_broken(scheduled: Installer, places: Places) -> None:
    for unit in places.systemd.iterdir():
        unit.unlink()
    status = sync_status(scheduled, dt.datetime(2026, 11, 25, 10, 0), RunLog(places.state))
    assert status["state"] == "broken" and status["installed"] is False


# -- the real user systemd, where there is one ----------------------------------------------------------


def user_systemd() -> bool:
    if shutil.which("systemctl") is None:
        return False
    try:
        return subprocess.run(["systemctl", "--user", "show-environment"], capture_output=True,
                              timeout=10, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(not user_systemd(), reason="no user systemd session here (systemctl --user fails); "
                                              "the units are checked with systemd-analyze instead")
def test_a_real_user_systemd_takes_the_timer_and_lists_it(tmp_path: Path) -> None:
    places = Places.of_user()
    installer = Installer(places, lang="en")
    workbook = str(tmp_path / f"sheetops-test-{os.getpid()}.xlsx")
    Path(workbook).write_bytes(b"")
    try:
        jobs = build_jobs(workbook, sync_at=FRIDAY_17, remind_at=None, plan_reminder_at=None,
                          interpreter=sys.executable, folder=str(places.state))
        add_jobs(installer, jobs)
        listed = subprocess.run(["systemctl", "--user", "list-timers", "--all", "--no-pager"], capture_output=True,
                                text=True, check=True).stdout
        assert jobs[0].name in listed
    finally:
        remove_jobs(installer, workbook)
