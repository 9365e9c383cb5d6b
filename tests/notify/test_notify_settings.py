"""The settings file: read, written 0600, refused when others can read it; secrets masked; contacts checked."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import openpyxl
import pytest

from sheetops import api
from sheetops.errors import ConfigError
from sheetops.notify.config import (
    MASK,
    EmailSettings,
    NotifyConfig,
    TelegramSettings,
    describe,
    load_config,
    parse_config,
    render_config,
    save_config,
)
from sheetops.notify.contacts import carries_secret, parse_contact
from sheetops.templates import Template
from tests.notify.conftest import BOT_TOKEN, SLACK_URL, SMTP_PASSWORD, prepare_workbook, settings_text, write_settings

posix_only = pytest.mark.skipif(os.name != "posix", reason="file permissions are POSIX's")


@pytest.mark.parametrize(("text", "kind"), [
    ("anna@company.com", "email"),
    ("mailto:anna@company.com", "email"),
    ("@anna_k", "telegram"),
    ("team-slack", "name"),
    ("json://hooks.company.com/sheetops", "url"),
    ("tgram://123:abc/456", "url"),
    ("Anna Kuznetsova", None),
    ("anna at company", None),
    ("@ab", None),
])
def test_a_contact_is_an_address_a_telegram_name_a_destination_or_a_url(text: str, kind: str | None) -> None:
    found = parse_contact(text)
    assert (found.kind if found else None) == kind


@pytest.mark.parametrize(("url", "secret"), [
    ("json://hooks.company.com/sheetops", False),
    ("slack://T1/B1/xyz", True),
    ("tgram://123:abc/456", True),
    ("workflows://host/flow/signature", True),
    ("mailtos://user:password@smtp.company.com", True),
    ("json://hooks.company.com/x?token=abc", True),
])
def test_an_address_that_carries_a_password_or_token_is_told_apart(url: str, secret: bool) -> None:
    assert carries_secret(url) is secret


def test_the_settings_read_back_what_was_written_and_the_file_is_private(tmp_path: Path) -> None:
    config = NotifyConfig(
        tmp_path / "sheetops" / "notify.toml",
        EmailSettings("smtp.company.com", 465, "ssl", "me@company.com", 'pa"ss\\word', "reports@company.com"),
        TelegramSettings(BOT_TOKEN, {"anna_k": "987654321"}),
        {"team-slack": SLACK_URL},
        ("it@company.com",),
    )
    path = save_config(config)
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_config(path) == config
    assert parse_config(render_config(config), path) == config


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_settings_others_can_read_are_refused_with_the_fix(tmp_path: Path, mode: int) -> None:
    path = write_settings(tmp_path / "notify.toml", settings_text(), mode=mode)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).endswith(f"hold passwords, so sheetops does not use them; run: chmod 600 {path}")
    assert BOT_TOKEN not in str(caught.value)
    os.chmod(path, 0o600)
    assert load_config(path).telegram is not None


@pytest.mark.parametrize(("text", "said"), [
    ("[email]\nport = 25\n", "[email] has no server; add it, or run `sheetops notify setup email`"),
    ('[email]\nserver = "s"\nport = "x"\n', "[email] port must be a number such as 587 or 465"),
    ('[email]\nserver = "s"\nsecurity = "tls"\n', "[email] security must be one of starttls, ssl, none"),
    ('[telegram]\nbot_token = "not a token"\n', "[telegram] bot_token is not a bot token"),
    ('[destinations]\nteam = "no address"\n', "[destinations] team must be an address in quotes"),
    ('password = "hunter22"\n[email\n', "is not a valid settings file"),
])
def test_a_mistake_in_the_settings_names_the_key_and_never_the_secret(text: str, said: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert said in str(caught.value) and "hunter22" not in str(caught.value)


def test_every_secret_is_masked_as_typed_and_url_encoded() -> None:
    config = parse_config(settings_text() + f'\n[email]\nserver = "s"\npassword = "{SMTP_PASSWORD}"\nfrom = "a@b.c"\n')
    from urllib.parse import quote

    for secret in (SMTP_PASSWORD, quote(SMTP_PASSWORD, safe=""), BOT_TOKEN, SLACK_URL, "TIiajkdnlazkcOXrIdevi7FQ"):
        assert config.mask(f"before {secret} after") == f"before {MASK} after"
    shown = str(describe(config))
    for secret in (SMTP_PASSWORD, BOT_TOKEN.split(":")[1], "TIiajkdnlazkcOXrIdevi7FQ"):
        assert secret not in shown


def test_check_names_the_contact_cell_that_cannot_be_used(demo_xlsx: Path, template: Template) -> None:
    prepare_workbook(demo_xlsx, template, "en", contacts={
        "Maria Ivanova": "maria at example", "Anna Kuznetsova": "slack://T1/B1/secret", "Oleg Smirnov": "@oleg_s"})
    findings = {f.cell: f for f in api.check(demo_xlsx).findings if f.code in ("bad_contact", "secret_in_contact")}
    assert set(findings) == {"Roles!H2", "Roles!H4"}
    assert findings["Roles!H2"].severity == "warning"
    assert findings["Roles!H2"].message.startswith(
        "'maria at example' is not a contact sheetops can send to; type an e-mail address (anna@company.com)")
    assert findings["Roles!H2"].message.endswith("Until it is fixed, Maria Ivanova gets no notifications")
    assert findings["Roles!H4"].code == "secret_in_contact"
    assert "anyone who opens the workbook can read it" in findings["Roles!H4"].message


def test_a_workbook_without_the_contact_column_still_checks_syncs_and_says_where_to_add_it(
    demo_xlsx: Path, template: Template
) -> None:
    book = openpyxl.load_workbook(demo_xlsx)
    roles = book[template.tab("roles").name["en"]]
    assert roles.cell(1, 8).value == "Contact"
    roles.delete_cols(8)
    book.save(demo_xlsx)
    assert not [f for f in api.check(demo_xlsx).findings if f.cell and f.cell.startswith("Roles")]
    report = api.sync(demo_xlsx, as_of=dt.date(2026, 11, 27), dry_run=True)
    assert all(r.contact is None and r.contact_cell is None for r in report.roles)
    from sheetops.notify import after_sync

    digest = after_sync(report, demo_xlsx, NotifyConfig(), dry_run=True).deliveries[0]
    assert digest.reason == ("the Roles tab has no Contact column: add one and type Maria Ivanova's e-mail "
                             "address or Telegram @name in it")
