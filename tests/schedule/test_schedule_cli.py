"""The schedule commands as a person uses them, on a Linux whose systemctl and loginctl
are stand-in programs that note each call."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def calls(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_add_installs_the_timers_and_says_when_and_what_next(
    run_cli: Any, demo_xlsx: Path, home: Path, fake_systemd: Path
) -> None:
    result = run_cli("schedule", "add", demo_xlsx, "--remind", "thu", "12:00", "--plan-reminder", "Monday", "10am")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "Scheduled: Weekly sync of demo.xlsx, every Friday 17:00 (systemd user timer).",
        "Scheduled: Facts reminder for demo.xlsx, every Thursday 12:00 (systemd user timer).",
        "Scheduled: Plan reminder for demo.xlsx, every Monday 10:00 (systemd user timer).",
    ]
    assert "as soon as it is on again" in result.stdout
    assert "loginctl enable-linger" in result.stdout
    assert "sheetops schedule status" in result.stdout
    units = sorted(p.name for p in (home / ".config" / "systemd" / "user").iterdir())
    assert len(units) == 6 and sum(name.endswith(".timer") for name in units) == 3
    made = calls(fake_systemd)
    assert "systemctl --user daemon-reload" in made
    assert any(line.startswith("systemctl --user enable --now ") and line.count(".timer") == 3 for line in made)


def test_print_shows_the_units_and_commands_and_installs_nothing(
    run_cli: Any, demo_xlsx: Path, home: Path, fake_systemd: Path
) -> None:
    result = run_cli("schedule", "add", demo_xlsx, "--at", "18:30", "--print")
    assert result.exit_code == 0, result.stderr
    assert "nothing was installed" in result.stdout
    assert "OnCalendar=Fri *-*-* 18:30:00" in result.stdout and "Persistent=true" in result.stdout
    assert f"sync {demo_xlsx} --scheduled" in result.stdout
    assert "systemctl --user enable --now" in result.stdout
    assert not (home / ".config" / "systemd").exists()
    assert not any("enable" in line or "daemon-reload" in line for line in calls(fake_systemd))


def test_list_status_and_remove(run_cli: Any, demo_xlsx: Path, home: Path, fake_systemd: Path) -> None:
    assert run_cli("schedule", "add", demo_xlsx).exit_code == 0
    listed = run_cli("schedule", "list")
    assert listed.stdout.strip() == f"Weekly sync of demo.xlsx: every Friday 17:00 (systemd user timer); {demo_xlsx}"
    as_json = json.loads(run_cli("schedule", "list", "--json").stdout)
    assert [(j["kind"], j["day"], j["time"], j["workbook"]) for j in as_json["jobs"]] == [
        ("sync", "friday", "17:00", str(demo_xlsx))]

    status = run_cli("schedule", "status")
    assert status.exit_code == 0, status.stdout  # just added: nothing missed, nothing broken
    assert "last run: none yet" in status.stdout and "next run: Friday" in status.stdout
    assert "runs.jsonl" in status.stdout

    assert run_cli("sync", demo_xlsx, "--scheduled", "-q").exit_code == 0
    status = json.loads(run_cli("schedule", "status", "--json").stdout)
    (job,) = status["jobs"]
    assert job["state"] == "ok" and job["last_run"]["result"] == "ok" and job["interpreter_missing"] is False

    removed = run_cli("schedule", "remove", demo_xlsx)
    assert removed.stdout.strip() == "Removed: Weekly sync of demo.xlsx."
    assert "systemctl --user disable --now" in "\n".join(calls(fake_systemd))
    assert list((home / ".config" / "systemd" / "user").iterdir()) == []
    assert run_cli("schedule", "list").stdout.startswith("Nothing is scheduled.")


def test_status_names_a_failed_last_run_and_exits_1(
    run_cli: Any, demo_xlsx: Path, home: Path, fake_systemd: Path
) -> None:
    assert run_cli("schedule", "add", demo_xlsx).exit_code == 0
    demo_xlsx.with_name(f"~${demo_xlsx.name}").write_bytes(b"x")
    assert run_cli("sync", demo_xlsx, "--scheduled", "--retry-for", "0").exit_code == 2
    status = run_cli("schedule", "status")
    assert status.exit_code == 1
    assert "FAILED" in status.stdout and "open in Excel" in status.stdout


@pytest.mark.parametrize(("args", "hint", "said"), [
    (["--day", "someday"], "--day", "not a day of the week"),
    (["--at", "25:00"], "--at", "the hour must be 0 to 23"),
    (["--remind", "thu", "noon"], "--remind", "is not a time"),
    (["--retry-for", "forever"], "--retry-for", "not a length of time"),
])
def test_a_day_or_time_that_cannot_be_is_refused_naming_the_option(
    run_cli: Any, demo_xlsx: Path, home: Path, fake_systemd: Path, args: list[str], hint: str, said: str
) -> None:
    result = run_cli("schedule", "add", demo_xlsx, *args)
    assert result.exit_code == 2
    assert hint in result.stderr and said in result.stderr
    assert calls(fake_systemd) == []


def test_a_workbook_that_is_not_there_is_refused_now_not_on_friday(
    run_cli: Any, tmp_path: Path, home: Path, fake_systemd: Path
) -> None:
    result = run_cli("schedule", "add", tmp_path / "nowhere.xlsx")
    assert result.exit_code == 2 and "no such file" in result.stderr and "sheetops init" in result.stderr


def test_remove_without_a_workbook_asks_which(run_cli: Any, home: Path) -> None:
    result = run_cli("schedule", "remove")
    assert result.exit_code == 2 and "--all" in result.stderr


def test_nothing_scheduled_says_how_to_start(run_cli: Any, home: Path) -> None:
    result = run_cli("schedule", "status")
    assert result.exit_code == 0 and "sheetops schedule add" in result.stdout


def test_a_russian_user_reads_russian(
    run_cli: Any, demo_xlsx: Path, home: Path, fake_systemd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    result = run_cli("schedule", "add", demo_xlsx, "--day", "пт", "--at", "17:00")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Запланировано: Еженедельная синхронизация demo.xlsx, еженедельно: пятница 17:00")
    refused = run_cli("schedule", "add", demo_xlsx, "--day", "пятн")
    assert "не день недели" in refused.stderr


def test_a_google_spreadsheet_is_scheduled_with_the_key_set_now_by_its_full_path(
    run_cli: Any, home: Path, fake_systemd: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "key.json"
    key.write_text("{}")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", "key.json")
    url = "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/edit"
    result = run_cli("schedule", "add", url, "--print")
    assert result.exit_code == 0, result.stderr
    assert f"sync {url} --scheduled --credentials {key}" in result.stdout
