"""The meeting deck with the CMO's digest: a scheduled job added with --deck sends it, by
real e-mail through a local SMTP server; the owners' alerts go without it."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from sheetops.schedule import build_jobs
from sheetops.schedule.model import job_command
from sheetops.schedule.units import systemd_units
from tests.conftest import RunCli
from tests.notify.conftest import Mailbox, settings_text, write_settings
from tests.notify.test_notify_scheduled import FRIDAY_17, home, team_this_week  # noqa: F401  (fixtures)
from tests.schedule.test_schedule_units import clean_run, systemd_words, unit_values

pytest.importorskip("pptx")


def test_a_sync_job_added_with_deck_asks_for_it() -> None:
    argv = job_command("sync", "/data/marketing.xlsx", interpreter="/venv/bin/python", deck=True)
    assert argv == ("/venv/bin/python", "-m", "sheetops", "sync", "/data/marketing.xlsx", "--scheduled", "--deck")
    assert "--deck" not in job_command("remind", "/data/marketing.xlsx", interpreter="/venv/bin/python", deck=True)


def test_the_scheduled_run_sends_the_deck_with_the_digest(
    team_this_week: Path, home: Path, tmp_path: Path, mailbox: Mailbox  # noqa: F811
) -> None:
    from pptx import Presentation

    settings = write_settings(tmp_path / "config" / "notify.toml", settings_text(mailbox))
    folder = home / ".local" / "state" / "sheetops"
    (job,) = build_jobs(str(team_this_week), sync_at=FRIDAY_17, remind_at=None, plan_reminder_at=None,
                        interpreter=sys.executable, folder=str(folder), deck=True)
    service = systemd_units(job)[f"{job.name}.service"]
    argv = systemd_words(unit_values(service, "ExecStart")[0])
    assert argv[-1] == "--deck"
    env = dict(w.split("=", 1) for value in unit_values(service, "Environment") for w in systemd_words(value))
    env["SHEETOPS_NOTIFY_CONFIG"] = str(settings)
    done = clean_run(argv, env, str(folder), home)
    (line,) = (folder / "runs.jsonl").read_text("utf-8").splitlines()
    logged = json.loads(line)
    assert done.returncode == 0 and logged["result"] == "ok" and "after_error" not in logged

    [digest] = mailbox.to("maria@example.com")
    [deck] = list(digest.iter_attachments())
    name = deck.get_filename()
    assert name is not None and name.startswith("meeting-") and name.endswith(".pptx")
    slides = Presentation(io.BytesIO(deck.get_payload(decode=True))).slides
    assert len(slides) == 8  # the CMO slide and the demo's seven active channels
    [alert] = mailbox.to("anna@example.com")
    assert list(alert.iter_attachments()) == []
    assert not list((tmp_path).glob("**/meeting-*.pptx"))  # sent, not left behind


def test_deck_goes_with_notify_or_a_scheduled_run(run_cli: RunCli, demo_xlsx: Path) -> None:
    result = run_cli("sync", demo_xlsx, "--deck")
    assert result.exit_code == 2
    assert "--deck goes with --notify or --scheduled" in result.stderr
