"""The Friday ritual end to end: the command line a scheduled job runs, in an environment
as empty as the scheduler's, on a demo workbook with two breaches and a missing report;
then who received what, by e-mail through a real SMTP server. And a scheduled run that
cannot get at the workbook tells the CMO why and what to do."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest

from sheetops import api
from sheetops.schedule import build_jobs
from sheetops.schedule.model import Weekly
from sheetops.schedule.units import systemd_units
from sheetops.sync.period import default_as_of, week_start
from sheetops.templates import Template
from tests.notify.conftest import CONTACTS, Mailbox, prepare_workbook, settings_text, write_settings
from tests.schedule.test_schedule_units import clean_run, systemd_words, unit_values

FRIDAY_17 = Weekly(4, 17, 0)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (home / ".local" / "state" / "sheetops").mkdir(parents=True)
    return home


@pytest.fixture
def team_this_week(tmp_path: Path, template: Template) -> Path:
    """The demo as of the day a job started now reports (its built-in breaches fall in that
    week), contacts typed in Roles, Blog's facts for the week taken away."""
    as_of = default_as_of(dt.date.today())
    path = tmp_path / "Marketing team" / "marketing.xlsx"
    path.parent.mkdir()
    api.provision(path, lang="en", demo=True, today=as_of)
    return prepare_workbook(path, template, "en", contacts=CONTACTS, missing="Blog", report_week=week_start(as_of))


def run_job(workbook: Path, home: Path, settings: Path, *,
            retry_for: str | None = None) -> tuple[int, dict[str, object]]:
    """Run the systemd service's ExecStart as systemd would: its environment only, plus where
    the notification settings are. Returns the exit code and the run's log line."""
    folder = home / ".local" / "state" / "sheetops"
    (job,) = [j for j in build_jobs(str(workbook), sync_at=FRIDAY_17, remind_at=None, plan_reminder_at=None,
                                    interpreter=sys.executable, folder=str(folder), retry_for=retry_for)]
    service = systemd_units(job)[f"{job.name}.service"]
    argv = systemd_words(unit_values(service, "ExecStart")[0])
    env = dict(w.split("=", 1) for value in unit_values(service, "Environment") for w in systemd_words(value))
    env["SHEETOPS_NOTIFY_CONFIG"] = str(settings)
    done = clean_run(argv, env, str(folder), home)
    (line,) = (folder / "runs.jsonl").read_text("utf-8").splitlines()
    return done.returncode, json.loads(line)


def test_the_scheduled_friday_run_sends_the_digest_and_each_breach_to_its_owner(
    team_this_week: Path, home: Path, tmp_path: Path, mailbox: Mailbox
) -> None:
    settings = write_settings(tmp_path / "config" / "notify.toml", settings_text(mailbox))
    code, logged = run_job(team_this_week, home, settings)

    assert code == 0 and logged["result"] == "ok"
    assert "after_error" not in logged  # every message went
    assert sorted(r for rcpt, _ in mailbox.received for r in rcpt) == \
        ["anna@example.com", "dmitry@example.com", "maria@example.com"]
    [digest] = mailbox.to("maria@example.com")
    assert digest["Subject"].endswith(": 2 decisions needed, 1 report missing")
    body = Mailbox.body(digest)
    assert "Missing reports (1):\n• Blog: no facts for the week (owner: Oleg Smirnov)" in body
    assert str(team_this_week) in body
    [alert] = mailbox.to("anna@example.com")
    assert alert["Subject"] == "Stop rule breached on Social ads: CPA above target three days in a row: stop"
    assert "The action agreed in advance: Stop." in Mailbox.body(alert)
    assert "The action agreed in advance: Rewrite." in Mailbox.body(mailbox.to("dmitry@example.com")[0])
    assert not mailbox.to("oleg@example.com")  # a missing report goes to the CMO, not as an alert


def test_a_scheduled_run_that_cannot_get_the_workbook_tells_the_cmo_why_and_what_to_do(
    team_this_week: Path, home: Path, tmp_path: Path, mailbox: Mailbox
) -> None:
    lock = team_this_week.with_name("~$" + team_this_week.name)  # Excel has it open, and keeps it
    lock.write_bytes(b"\x0bMaria Ivanova")
    before = team_this_week.read_bytes()
    settings = write_settings(tmp_path / "config" / "notify.toml", settings_text(mailbox))
    code, logged = run_job(team_this_week, home, settings, retry_for="0")

    assert code == 2 and logged["result"] != "ok"
    assert "notify_error" not in logged
    assert team_this_week.read_bytes() == before  # nothing written
    [notice] = mailbox.to("maria@example.com")
    body = Mailbox.body(notice)
    assert "the workbook is open in Excel (lock file ~$marketing.xlsx)" in body
    assert "What to do: close the workbook in Excel" in body
    assert f'run it by hand: sheetops sync "{team_this_week}"' in body  # one argument, copied as it is
    assert sorted(r for rcpt, _ in mailbox.received for r in rcpt) == ["maria@example.com"]
