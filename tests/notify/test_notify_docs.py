"""The digest shown in docs/notifications.md is what the demo workbook gives."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sheetops import api
from sheetops.notify.compose import after_sync_messages
from sheetops.templates import Template
from tests.notify.conftest import CONTACTS, prepare_workbook

ROOT = Path(__file__).resolve().parents[2]


def test_the_digest_in_the_docs_is_what_the_demo_gives(demo_xlsx: Path, template: Template) -> None:
    text = (ROOT / "docs" / "notifications.md").read_text("utf-8")
    example = re.search(r"```text\nSubject: (.*?)\n\n(.*?)```", text, re.S)
    assert example is not None
    prepare_workbook(demo_xlsx, template, "en", contacts=CONTACTS, missing="Blog")
    report = api.sync(demo_xlsx, as_of=dt.date(2026, 11, 27), dry_run=True)
    digest = after_sync_messages(report, template, "/home/maria/marketing.xlsx")[0].message
    assert digest.subject == example[1]
    assert digest.body.rstrip("\n") == example[2].rstrip("\n")


def test_the_docs_name_every_notify_command_and_the_library_functions() -> None:
    text = (ROOT / "docs" / "notifications.md").read_text("utf-8")
    for command in ("sheetops notify setup email", "sheetops notify setup telegram",
                    "sheetops notify setup destination", "sheetops notify test", "sheetops notify config",
                    "sheetops remind", "sheetops sync marketing.xlsx --notify"):
        assert command in text
    import sheetops.notify as notify

    for name in ("after_sync", "notify_failure", "remind", "send_test"):
        assert f"sheetops.notify.{name}(" in text and callable(getattr(notify, name))
