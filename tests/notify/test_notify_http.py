"""Destinations over HTTP: a webhook received by a local server; Telegram, Slack and Power
Automate, whose addresses are fixed, checked at the HTTP layer (URL, method, JSON body)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import responses

from sheetops import api
from sheetops.notify import after_sync, send_test
from sheetops.notify.config import parse_config
from sheetops.sync.report import SyncReport
from sheetops.templates import Template
from tests.notify.conftest import BOT_TOKEN, SLACK_URL, Hook, prepare_workbook, settings_text

AS_OF = dt.date(2026, 11, 27)
TELEGRAM = f"https://api.telegram.org/bot{BOT_TOKEN}/sendMessage"
SLACK = "https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
FLOW = ("workflows://prod-27.westus.logic.azure.com:443/4dd5a19f2a8d4c0a9e2c8d8c5a1f0e3b/"
        "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg")
FLOW_HTTP = re.compile(r"https://prod-27\.westus\.logic\.azure\.com(:443)?/workflows/4dd5a19f2a8d4c0a9e2c8d8c5a1f0e3b/"
                       r"triggers/manual/paths/invoke\?.*sig=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg.*")
SETTINGS = parse_config(settings_text(extra=f'flow = "{FLOW}"\n'))


def synced(path: Path) -> SyncReport:
    return api.sync(path, as_of=AS_OF, dry_run=True)


def test_a_webhook_gets_the_digest_as_json(demo_xlsx: Path, template: Template, webhook: Hook) -> None:
    prepare_workbook(demo_xlsx, template, "en", contacts={"Maria Ivanova": f"json://{webhook.url}/sheetops"})
    result = after_sync(synced(demo_xlsx), demo_xlsx, SETTINGS)
    assert [d.status for d in result.deliveries] == ["sent", "no_contact", "no_contact"]
    [request] = webhook.requests
    assert request["method"] == "POST" and request["path"] == "/sheetops"
    assert request["headers"]["Content-Type"] == "application/json"
    body = request["json"]
    assert body["title"] == "Marketing, week of 2026-11-23: 2 decisions needed, 0 reports missing"
    assert body["message"].startswith("Maria Ivanova, the weekly report is ready.")
    assert "• Social ads, new: Stop." in body["message"]


@responses.activate
def test_telegram_gets_each_breach_for_its_owner_by_chat_id(demo_xlsx: Path, template: Template) -> None:
    prepare_workbook(demo_xlsx, template, "en", contacts={"Anna Kuznetsova": "@Anna_K", "Maria Ivanova": "@maria_cmo"})
    responses.add(responses.POST, TELEGRAM, json={"ok": True, "result": {}})
    result = after_sync(synced(demo_xlsx), demo_xlsx, SETTINGS)
    assert [(d.person, d.via, d.status) for d in result.deliveries] == [
        ("Maria Ivanova", "telegram", "sent"), ("Anna Kuznetsova", "telegram", "sent"),
        ("Dmitry Sokolov", None, "no_contact")]
    digest, alert = responses.calls
    assert digest.request.method == "POST" and digest.request.url == TELEGRAM
    sent = json.loads(digest.request.body or "")
    assert sent["chat_id"] == "@maria_cmo"  # no chat id in the settings: the name as typed
    assert sent["text"].startswith("<b>Marketing, week of 2026-11-23")
    sent = json.loads(alert.request.body or "")
    assert sent["chat_id"] == 987654321  # the settings give @anna_k's chat id
    assert "Stop rule breached on Social ads" in sent["text"]
    assert "CPA 262.00 &gt; 150.00 (target) on 2026-11-27" in sent["text"]
    assert "The action agreed in advance: Stop." in sent["text"]


@responses.activate
def test_slack_and_power_automate_are_reached_by_a_destination_name(demo_xlsx: Path, template: Template) -> None:
    prepare_workbook(demo_xlsx, template, "en", contacts={"Maria Ivanova": "team-slack", "Anna Kuznetsova": "flow"})
    responses.add(responses.POST, SLACK, body="ok")
    responses.add(responses.POST, FLOW_HTTP, body="")
    result = after_sync(synced(demo_xlsx), demo_xlsx, SETTINGS)
    assert [(d.contact, d.via, d.status) for d in result.deliveries][:2] == [
        ("team-slack", "destination", "sent"), ("flow", "destination", "sent")]
    slack, flow = responses.calls
    assert slack.request.method == "POST" and slack.request.url == SLACK
    attachment = json.loads(slack.request.body or "")["attachments"][0]
    assert attachment["title"] == "Marketing, week of 2026-11-23: 2 decisions needed, 0 reports missing"
    assert "Decisions needed (2):" in attachment["text"]
    assert flow.request.method == "POST"
    card = json.loads(flow.request.body or "")["attachments"][0]["content"]
    texts = json.dumps(card, ensure_ascii=False).replace("\\", "")  # the card escapes Markdown: "Stop\\."
    assert "Stop rule breached on Social ads" in texts and "The action agreed in advance: Stop." in texts


@responses.activate
def test_a_refused_bot_token_is_reported_with_the_fix_and_never_shown() -> None:
    responses.add(responses.POST, TELEGRAM, status=401, json={"ok": False, "description": "Unauthorized"})
    [delivery] = send_test(SETTINGS, to=["@anna_k"]).deliveries
    assert delivery.status == "failed" and delivery.via == "telegram"
    assert delivery.reason is not None and "Check the bot token" in delivery.reason
    assert BOT_TOKEN not in delivery.reason and BOT_TOKEN.split(":")[1] not in delivery.reason


@responses.activate
def test_a_failing_slack_hook_is_reported_with_its_address_masked() -> None:
    responses.add(responses.POST, SLACK, status=404, body="no_team")
    [delivery] = send_test(SETTINGS, to=["team-slack"]).deliveries
    assert delivery.status == "failed"
    assert delivery.reason is not None and "Check the destination's address" in delivery.reason
    for part in ("TIiajkdnlazkcOXrIdevi7FQ", SLACK_URL):
        assert part not in delivery.reason and part not in str(delivery.as_dict())


@pytest.mark.parametrize(("contact", "reason"), [
    ("@nobody_here", "Telegram is not set up: run sheetops notify setup telegram"),
    ("anna@example.com", "e-mail is not set up: run sheetops notify setup email"),
    ("no-such-name", "no destination named no-such-name in notify.toml: add it with sheetops notify setup destination "
                     "no-such-name"),
])
def test_a_contact_the_settings_cannot_reach_says_what_to_set_up(contact: str, reason: str) -> None:
    from sheetops.notify.config import NotifyConfig

    [delivery] = send_test(NotifyConfig(), to=[contact]).deliveries
    assert (delivery.status, delivery.reason) == ("failed", reason)
