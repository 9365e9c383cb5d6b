"""`sheetops sync --notify`, `remind`, `notify ...` end to end: the real CLI, a real SMTP server."""

from __future__ import annotations

import json
import logging
import os
import stat
import zipfile
from pathlib import Path

import pytest
import responses

from tests.conftest import RunCli
from tests.notify.conftest import (
    BOT_TOKEN,
    SLACK_URL,
    SMTP_PASSWORD,
    SMTP_USER,
    Mailbox,
    settings_text,
    write_settings,
)

AS_OF = "2026-11-27"
SECRETS = (SMTP_PASSWORD, BOT_TOKEN, BOT_TOKEN.split(":")[1], SLACK_URL, "TIiajkdnlazkcOXrIdevi7FQ")


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"a secret was shown: {secret!r}"


def workbook_text(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return "".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())


def test_the_friday_sync_with_notify_reaches_the_cmo_and_each_breached_owner(
    run_cli: RunCli, team_xlsx: Path, mailbox: Mailbox, settings_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_settings(settings_file, settings_text(mailbox))
    caplog.set_level(logging.DEBUG)
    result = run_cli("sync", team_xlsx, "--as-of", AS_OF, "--notify")
    assert result.exit_code == 0, result.stderr
    assert "Notifications" in result.stdout and "sent" in result.stdout

    assert (SMTP_USER, SMTP_PASSWORD) in mailbox.logins  # the settings' login was used
    assert sorted(r for rcpt, _ in mailbox.received for r in rcpt) == \
        ["anna@example.com", "dmitry@example.com", "maria@example.com"]
    [digest] = mailbox.to("maria@example.com")
    assert digest["Subject"] == "Marketing, week of 2026-11-23: 2 decisions needed, 1 report missing"
    assert digest["From"] == SMTP_USER and digest["To"] == "maria@example.com"
    body = Mailbox.body(digest)
    assert body.startswith("Maria Ivanova, the weekly report is ready.")
    assert "Decisions needed (2):" in body
    assert "• Social ads, new: Stop. CPA above target three days in a row: stop — CPA 262.00 > 150.00" in body
    assert "• E-mail, still open: Rewrite." in body
    assert "Missing reports (1):\n• Blog: no facts for the week (owner: Oleg Smirnov)" in body
    assert "Totals: spend " in body and " USD of 4,530 planned" in body
    assert str(team_xlsx) in body  # where the workbook is

    [alert] = mailbox.to("anna@example.com")
    assert alert["Subject"] == "Stop rule breached on Social ads: CPA above target three days in a row: stop"
    text = Mailbox.body(alert)
    assert "Anna Kuznetsova, a stop rule agreed in advance is breached on Social ads (new)." in text
    assert "CPA 262.00 > 150.00 (target) on 2026-11-27; 4 days in a row since 2026-11-24" in text
    assert "The action agreed in advance: Stop." in text
    [rewrite] = mailbox.to("dmitry@example.com")
    assert "E-mail unsubscribe rate above 1%" in rewrite["Subject"]
    assert "The action agreed in advance: Rewrite." in Mailbox.body(rewrite)
    assert not mailbox.to("oleg@example.com")  # Blog is missing a report, not breached: the CMO hears of it

    # Everything logged on the way, but the test SMTP server's own log of what it received.
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert_no_secret(result.stdout, result.stderr, logged, workbook_text(team_xlsx))


def test_the_digest_is_in_the_workbooks_language(run_cli: RunCli, team_xlsx_ru: Path, mailbox: Mailbox,
                                                 settings_file: Path) -> None:
    write_settings(settings_file, settings_text(mailbox))
    result = run_cli("sync", team_xlsx_ru, "--as-of", AS_OF, "--notify", "--quiet")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")  # --quiet: every message went
    [digest] = mailbox.to("maria@example.com")
    assert digest["Subject"] == "Маркетинг, неделя с 23.11.2026: 2 вопроса на решение, 1 отчёт не сдан"
    body = Mailbox.body(digest)
    assert body.startswith("Мария Иванова, еженедельный отчёт готов.")
    assert "Нужны решения (2):" in body and "Нет отчёта (1):\n• Блог: нет фактов за неделю" in body
    [alert] = mailbox.to("anna@example.com")
    assert alert["Subject"].startswith("Сработало стоп-правило по каналу Таргетированная реклама")
    assert "Действие, согласованное заранее: Остановить." in Mailbox.body(alert)


def test_sync_json_with_notify_lists_each_delivery_and_a_person_without_contact(
    run_cli: RunCli, demo_xlsx: Path, mailbox: Mailbox, settings_file: Path
) -> None:
    write_settings(settings_file, settings_text(mailbox))
    result = run_cli("sync", demo_xlsx, "--as-of", AS_OF, "--notify", "--json")
    assert result.exit_code == 0, result.stderr
    notified = json.loads(result.stdout)["notifications"]
    assert notified["sent"] == 0 and notified["failed"] == 3
    digest = notified["deliveries"][0]
    assert digest["kind"] == "digest" and digest["person"] == "Maria Ivanova" and digest["status"] == "no_contact"
    assert digest["reason"] == ("Maria Ivanova has no Contact (Roles!H2 is empty): type their e-mail address or "
                                "Telegram @name there")
    assert not mailbox.received

    quiet = run_cli("sync", demo_xlsx, "--as-of", AS_OF, "--notify", "--quiet")
    assert quiet.exit_code == 0 and quiet.stdout == ""
    assert quiet.stderr.splitlines()[0] == (
        "Not sent to Maria Ivanova (Marketing, week of 2026-11-23: 2 decisions needed, 0 reports missing): Maria "
        "Ivanova has no Contact (Roles!H2 is empty): type their e-mail address or Telegram @name there")


def test_a_dry_run_with_notify_shows_who_would_get_what_and_sends_nothing(
    run_cli: RunCli, team_xlsx: Path, mailbox: Mailbox, settings_file: Path
) -> None:
    write_settings(settings_file, settings_text(mailbox))
    result = run_cli("sync", team_xlsx, "--as-of", AS_OF, "--notify", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    deliveries = json.loads(result.stdout)["notifications"]["deliveries"]
    assert [(d["person"], d["via"], d["status"]) for d in deliveries] == [
        ("Maria Ivanova", "email", "dry_run"), ("Anna Kuznetsova", "email", "dry_run"),
        ("Dmitry Sokolov", "email", "dry_run")]
    assert not mailbox.received


def test_settings_other_users_can_read_are_refused_before_the_sync_writes(
    run_cli: RunCli, team_xlsx: Path, mailbox: Mailbox, settings_file: Path
) -> None:
    if os.name != "posix":
        pytest.skip("file permissions are POSIX's")
    write_settings(settings_file, settings_text(mailbox), mode=0o644)
    before = team_xlsx.read_bytes()
    result = run_cli("sync", team_xlsx, "--as-of", AS_OF, "--notify")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: the notification settings {settings_file} can be read by other users of this "
                             f"computer and hold passwords, so sheetops does not use them; run: chmod 600 "
                             f"{settings_file}\n")
    assert team_xlsx.read_bytes() == before and not mailbox.received
    assert_no_secret(result.stdout, result.stderr)


def test_remind_dry_run_shows_who_would_get_what(run_cli: RunCli, team_xlsx: Path, mailbox: Mailbox,
                                                 settings_file: Path) -> None:
    write_settings(settings_file, settings_text(mailbox))
    result = run_cli("remind", team_xlsx, "--as-of", "2026-11-26", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "Friday is facts: channels without facts for the week of 2026-11-23" in result.stdout
    assert "Oleg Smirnov" in result.stdout and "Blog" in result.stdout and "would be sent" in result.stdout
    assert "Dry run: nothing was sent." in result.stdout
    assert not mailbox.received


def test_remind_sends_friday_is_facts_to_the_owner_of_the_missing_report(
    run_cli: RunCli, team_xlsx: Path, mailbox: Mailbox, settings_file: Path
) -> None:
    write_settings(settings_file, settings_text(mailbox))
    result = run_cli("remind", team_xlsx, "--as-of", "2026-11-26", "--json")  # a Thursday: facts by default
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["kind"] == "facts" and found["week"] == "2026-11-23" and found["sent"] == 1
    assert [(r["owner"], r["channels"], r["status"]) for r in found["reminders"]] == \
        [("Oleg Smirnov", ["Blog"], "sent")]
    [reminder] = mailbox.to("oleg@example.com")
    assert reminder["Subject"] == "Friday is facts: fill in Plan-Fact for Blog"
    assert Mailbox.body(reminder).startswith("Oleg Smirnov, Friday is facts: fill in Plan-Fact for Blog, week of "
                                             "2026-11-23, before the report on Friday.")
    assert [rcpt for rcpt, _ in mailbox.received] == [["oleg@example.com"]]


def test_monday_is_the_plan_reaches_owners_of_channels_without_a_plan_row(
    run_cli: RunCli, team_xlsx: Path, mailbox: Mailbox, settings_file: Path
) -> None:
    write_settings(settings_file, settings_text(mailbox))
    result = run_cli("remind", team_xlsx, "--as-of", "2026-11-30", "--json")  # a Monday: the plan by default
    assert result.exit_code == 1  # some owners have no contact: each says where to type one
    found = json.loads(result.stdout)
    assert found["kind"] == "plan" and found["week"] == "2026-11-30"
    by_owner = {r["owner"]: r for r in found["reminders"]}
    assert by_owner["Anna Kuznetsova"]["channels"] == ["Search ads", "Social ads"]
    assert by_owner["Anna Kuznetsova"]["status"] == "sent"
    assert by_owner["Pavel Lebedev"]["status"] == "no_contact"
    assert "Roles!H" in by_owner["Pavel Lebedev"]["reason"]
    [plan] = mailbox.to("anna@example.com")
    assert plan["Subject"] == "Monday is the plan: Plan-Fact for Search ads, Social ads"
    assert "type the plan for Search ads, Social ads for the week of 2026-11-30 in Plan-Fact" in Mailbox.body(plan)


def test_notify_setup_email_writes_settings_only_their_owner_can_read(
    run_cli: RunCli, settings_file: Path, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHEETOPS_SMTP_PASSWORD", SMTP_PASSWORD)
    result = run_cli("notify", "setup", "email", "--server", mailbox.host, "--port", mailbox.port, "--security",
                     "none", "--user", SMTP_USER, "--from", SMTP_USER)
    assert result.exit_code == 0, result.stderr
    assert f"Saved in {settings_file} (readable by you only)" in result.stdout
    if os.name == "posix":
        assert stat.S_IMODE(settings_file.stat().st_mode) == 0o600
    assert SMTP_PASSWORD in settings_file.read_text("utf-8")

    shown = run_cli("notify", "config")
    assert shown.exit_code == 0 and "password = ***" in shown.stdout
    assert json.loads(run_cli("notify", "config", "--json").stdout)["email"]["password"] == "***"

    tested = run_cli("notify", "test", "--json")
    assert tested.exit_code == 0, tested.stdout
    assert json.loads(tested.stdout)["sent"] == 1
    [trial] = mailbox.to(SMTP_USER)
    assert trial["Subject"] == "sheetops test message"
    assert_no_secret(result.stdout, result.stderr, shown.stdout, tested.stdout, tested.stderr)


def test_notify_test_says_which_destination_failed_and_why(
    run_cli: RunCli, settings_file: Path, mailbox: Mailbox
) -> None:
    wrong = settings_text(mailbox).replace(SMTP_PASSWORD, "not-the-password")
    write_settings(settings_file, wrong)
    result = run_cli("notify", "test", "--to", "maria@example.com", "--json")
    assert result.exit_code == 1
    [delivery] = json.loads(result.stdout)["deliveries"]
    assert (delivery["contact"], delivery["via"], delivery["status"]) == ("maria@example.com", "email", "failed")
    assert delivery["reason"].startswith('sending failed: Connection error while submitting email to "127.0.0.1" '
                                         "(535, b'5.7.8 Authentication credentials invalid'). "
                                         "Check the server, port, security, user and password")
    assert "not-the-password" not in result.stdout
    assert not mailbox.received


@responses.activate
def test_notify_setup_telegram_finds_the_chats_of_people_who_pressed_start(
    run_cli: RunCli, settings_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHEETOPS_TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    responses.add(responses.GET, f"https://api.telegram.org/bot{BOT_TOKEN}/getUpdates", json={"ok": True, "result": [
        {"update_id": 1, "message": {"message_id": 5, "text": "/start",
                                     "chat": {"id": 123456789, "type": "private", "username": "Anna_K"}}},
        {"update_id": 2, "my_chat_member": {"chat": {"id": -1001234, "type": "channel", "username": "team_news"}}},
        {"update_id": 3, "message": {"chat": {"id": 42, "type": "private"}}},  # no @name: nothing to match
    ]})
    result = run_cli("notify", "setup", "telegram", "--find-chats", "--chat", "oleg_s=555")
    assert result.exit_code == 0, result.stderr
    assert "Found @anna_k (chat id 123456789)." in result.stdout
    assert "Found @team_news (chat id -1001234)." in result.stdout
    from sheetops.notify.config import load_config

    telegram = load_config(settings_file).telegram
    assert telegram is not None
    assert dict(telegram.chats) == {"anna_k": "123456789", "team_news": "-1001234", "oleg_s": "555"}
    assert_no_secret(result.stdout, result.stderr)


@responses.activate
def test_a_wrong_bot_token_is_said_without_showing_it(run_cli: RunCli, settings_file: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEETOPS_TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    responses.add(responses.GET, f"https://api.telegram.org/bot{BOT_TOKEN}/getUpdates", status=401,
                  json={"ok": False, "error_code": 401, "description": "Unauthorized"})
    result = run_cli("notify", "setup", "telegram", "--find-chats")
    assert result.exit_code == 4
    assert result.stderr == ("Error: Telegram does not know this bot token; copy it again from @BotFather "
                             "(/mybots > your bot > API Token).\n")
    assert not settings_file.exists()
    assert_no_secret(result.stdout, result.stderr)


def test_notify_test_with_a_workbook_tries_every_contact_in_roles(
    run_cli: RunCli, team_xlsx_ru: Path, mailbox: Mailbox, settings_file: Path
) -> None:
    write_settings(settings_file, settings_text(mailbox))
    result = run_cli("notify", "test", team_xlsx_ru, "--json")
    assert result.exit_code == 0, result.stdout
    deliveries = json.loads(result.stdout)["deliveries"]
    assert [(d["person"], d["status"]) for d in deliveries] == [
        ("Мария Иванова", "sent"), ("Олег Смирнов", "sent"), ("Анна Кузнецова", "sent"), ("Дмитрий Соколов", "sent")]
    [trial] = mailbox.to("oleg@example.com")
    assert trial["Subject"] == "Проверочное сообщение sheetops"
    assert Mailbox.body(trial).startswith("Это проверка от sheetops: сообщения на oleg@example.com доходят.")
