"""A failed scheduled run reaches the CMO and whoever else should know, with the reason and the fix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sheetops.errors import CredentialsError, WorkbookLockedError
from sheetops.notify import notify_failure
from sheetops.notify.config import NotifyConfig, parse_config
from sheetops.templates import Template
from tests.notify.conftest import CONTACTS, Mailbox, prepare_workbook, settings_text, write_settings


def test_a_locked_workbook_tells_the_cmo_and_the_scheduler_what_to_do(
    team_xlsx: Path, mailbox: Mailbox, settings_file: Path
) -> None:
    error = WorkbookLockedError(f"{team_xlsx} is open in Excel or LibreOffice; close it and run the sync again.")
    write_settings(settings_file, settings_text(mailbox))  # read from SHEETOPS_NOTIFY_CONFIG
    result = notify_failure(str(team_xlsx), error, extra_recipients=["it@example.com", "MARIA@example.com"])
    assert [(d.contact, d.status) for d in result.deliveries] == [
        ("maria@example.com", "sent"), ("it@example.com", "sent")]  # the CMO once, however it is spelt
    [to_cmo] = mailbox.to("maria@example.com")
    assert to_cmo["Subject"] == f"The sync of {team_xlsx} failed"
    body = Mailbox.body(to_cmo)
    assert f"The scheduled sync of {team_xlsx} did not finish: {error}" in body
    assert "What to do: close the workbook in Excel or LibreOffice (on every computer that has it open)." in body
    assert f"Then run it by hand: sheetops sync {team_xlsx}" in body
    assert mailbox.to("it@example.com")[0]["Subject"] == to_cmo["Subject"]


def test_an_unreadable_workbook_still_reaches_the_settings_recipients_in_the_language_asked(
    tmp_path: Path, mailbox: Mailbox
) -> None:
    settings = parse_config(settings_text(mailbox, extra='\n[failure]\nalso_notify = ["ops@example.com"]\n'))
    gone = str(tmp_path / "gone.xlsx")
    result = notify_failure(gone, CredentialsError("the Google sign-in has expired; run: sheetops auth login"),
                            lang="ru", config=settings)
    assert [(d.contact, d.status) for d in result.deliveries] == [("ops@example.com", "sent")]
    [message] = mailbox.to("ops@example.com")
    assert message["Subject"] == f"Синхронизация {gone} не удалась"
    body = Mailbox.body(message)
    assert "не завершилась: the Google sign-in has expired; run: sheetops auth login" in body
    assert "войдите заново (sheetops auth login)" in body


def test_a_text_reason_works_without_a_report_and_nobody_to_tell_is_said(tmp_path: Path) -> None:
    result = notify_failure(str(tmp_path / "gone.xlsx"), "the run took longer than 2 hours", config=NotifyConfig())
    [delivery] = result.deliveries
    assert delivery.kind == "failure" and delivery.status == "no_contact"
    assert delivery.reason == ("nobody to tell: the workbook's Roles could not be read, and notify.toml has no "
                               "[failure] also_notify")


def test_the_cmos_language_is_the_workbooks(demo_xlsx_ru: Path, template: Template, mailbox: Mailbox) -> None:
    prepare_workbook(demo_xlsx_ru, template, "ru", contacts={"Мария Иванова": "maria@example.com"})
    result = notify_failure(str(demo_xlsx_ru), RuntimeError("disk full"), config=parse_config(settings_text(mailbox)))
    assert [d.status for d in result.deliveries] == ["sent"]
    body = Mailbox.body(mailbox.to("maria@example.com")[0])
    assert "не завершилась: RuntimeError: disk full" in body
    assert CONTACTS["Maria Ivanova"] == "maria@example.com"


@pytest.mark.skipif(os.name != "posix", reason="file permissions are POSIX's")
def test_settings_that_cannot_be_read_are_the_reason_and_nothing_is_raised(
    tmp_path: Path, settings_file: Path
) -> None:
    write_settings(settings_file, settings_text(), mode=0o644)
    result = notify_failure(str(tmp_path / "gone.xlsx"), "the workbook stayed open")
    [delivery] = result.deliveries
    assert delivery.status == "failed" and delivery.kind == "failure"
    assert delivery.reason is not None and delivery.reason.endswith(f"run: chmod 600 {settings_file}")
