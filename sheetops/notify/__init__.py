"""Notifications: the right message to the right person, after the sync and before it.

* :func:`after_sync`: the CMO's digest of a sync, and each current breach to its channel's
  owner (``sheetops sync --notify``; the scheduled run calls it too);
* :func:`notify_failure`: a run that failed, with the reason and the fix, to the CMO and
  whoever else should know (the scheduled run calls it; it needs no report);
* :func:`remind`: "Friday is facts" and "Monday is the plan" to the owners whose channels
  lack them (``sheetops remind``);
* :func:`send_test`: a test message to each configured destination (``sheetops notify test``).

Who is who comes from the workbook's Roles tab (its Contact column); the passwords and
tokens from the user's settings file (:mod:`sheetops.notify.config`), never from the
workbook. The words are composed in :mod:`sheetops.notify.compose` (pure) and sent by
:mod:`sheetops.notify.deliver` (apprise). A delivery that fails is a result with its
reason, never an exception: one unreachable person does not keep the others' messages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetops.errors import (
    BackendError,
    CredentialsError,
    SheetopsError,
    WorkbookError,
    WorkbookLockedError,
)
from sheetops.messages import message
from sheetops.notify.compose import (
    Outgoing,
    Recipient,
    Reminder,
    ReminderKind,
    after_sync_messages,
    cmo_of,
    failure_message,
    owner_recipient,
    reminder_kind_for,
    reminder_message,
    roles_tab_name,
    trial_message,
)
from sheetops.notify.config import NotifyConfig, load_config
from sheetops.notify.deliver import Delivery, deliver
from sheetops.sync.report import SyncReport
from sheetops.templates import DEFAULT_TEMPLATE, load_template, normalize

if TYPE_CHECKING:
    from sheetops.sync.facts import Facts
    from sheetops.tables import Inputs
    from sheetops.templates import Template

__all__ = [
    "Delivery", "NotifyConfig", "NotifyResult", "RemindResult", "after_sync", "load_config", "notify_failure",
    "remind", "send_test", "workbook_link",
]


@dataclass(frozen=True)
class NotifyResult:
    """Every message of one run and what became of it."""

    deliveries: tuple[Delivery, ...]
    lang: str = "en"  # the language the messages were said in

    @property
    def failed(self) -> tuple[Delivery, ...]:
        """Messages that did not go: a send that failed, or a person without a contact."""
        return tuple(d for d in self.deliveries if not d.ok)

    def as_dict(self) -> dict[str, Any]:
        return {"deliveries": [d.as_dict() for d in self.deliveries],
                "sent": sum(d.status == "sent" for d in self.deliveries), "failed": len(self.failed)}


def workbook_link(workbook: str | Path) -> str:
    """Where the workbook is, for a message: a Google spreadsheet's address, else the file's full path."""
    from sheetops.backends.addresses import is_google_target, spreadsheet_id, spreadsheet_url

    if is_google_target(workbook):
        text = str(workbook)
        return text if text.startswith("http") else spreadsheet_url(spreadsheet_id(text))
    return str(Path(workbook).expanduser().resolve())


def after_sync(
    report: SyncReport,
    workbook_ref: str | Path,
    config: NotifyConfig | None = None,
    *,
    template: str = DEFAULT_TEMPLATE,
    dry_run: bool = False,
    attach: Sequence[str | Path] = (),
) -> NotifyResult:
    """After a sync: the digest to the CMO (decisions new, still open and resolved, missing
    reports, data issues, totals, the workbook's link) and each current breach to its
    channel's owner, in the workbook's language. ``attach``: files sent with the digest
    (the meeting deck), where the channel takes files (e-mail, Telegram).

    ``workbook_ref``: the path or Google address the sync was given (the link in the
    messages). ``config``: the notification settings (default: :func:`load_config`).
    ``dry_run``: compose everything, send nothing (each delivery's status is ``dry_run``).
    """
    config = load_config() if config is None else config
    spec = load_template(template)
    outgoing = after_sync_messages(report, spec, workbook_link(workbook_ref))
    if attach:
        files = tuple(str(f) for f in attach)
        outgoing = [dataclasses.replace(o, message=dataclasses.replace(o.message, attachments=files))
                    if o.message.kind == "digest" else o for o in outgoing]
    return NotifyResult(deliver(outgoing, config, report.lang, dry_run=dry_run,
                                roles_tab=roles_tab_name(spec, report.lang)), report.lang)


# -- failures -----------------------------------------------------------------------------------


def _fix_key(error: BaseException | str) -> str:
    if isinstance(error, WorkbookLockedError):
        return "notify.failure.fix_locked"
    if isinstance(error, CredentialsError):
        return "notify.failure.fix_credentials"
    if isinstance(error, WorkbookError):
        return "notify.failure.fix_workbook"
    if isinstance(error, BackendError):
        return "notify.failure.fix_backend"
    return "notify.failure.fix_other"


def _reason(error: BaseException | str) -> str:
    if isinstance(error, str):
        return error
    if isinstance(error, SheetopsError):
        return str(error)  # the CLI's one line: it says what is wrong and what to do
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def notify_failure(
    workbook: str,
    error: BaseException | str,
    *,
    lang: str | None = None,
    extra_recipients: Sequence[str] = (),
    config: NotifyConfig | None = None,
    template: str = DEFAULT_TEMPLATE,
    credentials: str | Path | None = None,
    dry_run: bool = False,
) -> NotifyResult:
    """A run of ``workbook`` failed with ``error``: tell the CMO (when the workbook's Roles can
    still be read), the settings' ``[failure] also_notify`` and ``extra_recipients``
    (contacts, e.g. whoever set the schedule), with the reason and the fix.

    ``error``: the exception (a :class:`~sheetops.errors.SheetopsError` gives the CLI's own
    one-line message) or a text. ``lang``: the messages' language; by default the
    workbook's, else English. Never raises: each delivery is in the result, and settings
    that cannot be read are one failed delivery whose reason says why and what to do.
    """
    spec = load_template(template)
    recipients: list[Recipient] = []
    roles_lang: str | None = None
    try:
        from sheetops.api import open_backend
        from sheetops.tables import read_inputs
        from sheetops.workbook import bind

        inputs = read_inputs(bind(open_backend(workbook, credentials=credentials).read(), spec))
        roles_lang = inputs.settings.lang
        cmo = cmo_of(inputs.roles, spec, lang or roles_lang)
        if cmo.contact:
            recipients.append(cmo)
    except Exception:  # noqa: S110 - the workbook is what failed: the other recipients still hear of it
        pass
    said = lang or roles_lang or "en"
    if config is None:
        try:
            config = load_config()
        except SheetopsError as exc:  # a failure must still be told: say why it cannot be
            text = failure_message(workbook, _reason(error), message(_fix_key(error), said, workbook=workbook), said)
            return NotifyResult((Delivery("failure", None, None, None, text.subject, "failed", str(exc)),), said)
    seen = {normalize(r.contact) for r in recipients if r.contact}
    for contact in (*config.also_on_failure, *extra_recipients):
        if contact and normalize(contact) not in seen:
            seen.add(normalize(contact))
            recipients.append(Recipient(None, contact))
    text = failure_message(workbook, config.mask(_reason(error)), message(_fix_key(error), said, workbook=workbook),
                           said)
    outgoing = [Outgoing(r, text) for r in recipients]
    if not outgoing:
        outgoing = [Outgoing(Recipient(None, None, role="CMO", unreachable=message(
            "notify.reason.nobody_for_failure", said, path=str(config.path or "notify.toml"))), text)]
    return NotifyResult(deliver(outgoing, config, said, dry_run=dry_run), said)


# -- reminders ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemindResult:
    """The reminders of one run: who lacks what, and what became of each message."""

    kind: ReminderKind
    week: dt.date
    reminders: tuple[Reminder, ...]
    deliveries: tuple[Delivery, ...]
    lang: str = "en"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "week": self.week.isoformat(),
            "reminders": [
                {"owner": r.owner.person, "contact": d.contact, "channels": list(r.channels), "subject": d.subject,
                 "status": d.status, "reason": d.reason}
                for r, d in zip(self.reminders, self.deliveries, strict=True)
            ],
            "sent": sum(d.status == "sent" for d in self.deliveries),
            "failed": sum(not d.ok for d in self.deliveries),
        }


def due_reminders(inputs: Inputs, facts: Facts, kind: ReminderKind, week: dt.date,
                  template: Template) -> list[Reminder]:
    """Per owner, the Active and Testing channels without facts (or without a plan) for the week. Pure."""
    lang = inputs.settings.lang
    by_owner: dict[str, tuple[Recipient, list[str]]] = {}
    for channel in inputs.channels:
        if channel.status not in ("active", "testing"):
            continue
        found = facts.week(channel.name, week)
        if kind == "facts":
            lacking = found is None or not found.has_data
        else:
            lacking = found is None or all(v is None for v in found.plan.values())
        if not lacking:
            continue
        key = normalize(channel.owner) if channel.owner else f"\0{channel.name}"
        if key not in by_owner:
            by_owner[key] = (owner_recipient(inputs.roles, channel, template, lang), [])
        by_owner[key][1].append(channel.name)
    return [Reminder(owner, tuple(channels), kind, week) for owner, channels in by_owner.values()]


def remind(
    workbook: str | Path,
    *,
    kind: ReminderKind | None = None,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    config: NotifyConfig | None = None,
    template: str = DEFAULT_TEMPLATE,
    credentials: str | Path | None = None,
) -> RemindResult:
    """Remind owners before the ritual: ``facts`` ("Friday is facts": channels without facts
    for the week of ``as_of``) or ``plan`` ("Monday is the plan": channels without a plan
    row for it). ``kind`` defaults by weekday: Monday to Wednesday the plan, else the facts.
    Reads the workbook, writes nothing to it."""
    from sheetops.api import open_backend
    from sheetops.errors import WorkbookError
    from sheetops.sync.engine import unusable_message
    from sheetops.sync.facts import read_facts
    from sheetops.sync.period import week_start
    from sheetops.tables import DAYS_OF_WEEK, read_inputs, tab_name
    from sheetops.workbook import bind

    config = (load_config() if not dry_run else _config_or_empty()) if config is None else config
    spec = load_template(template)
    day = as_of or dt.date.today()
    chosen: ReminderKind = kind or reminder_kind_for(day)
    backend = open_backend(workbook, credentials=credentials)
    data = backend.read()
    bound = bind(data, spec)
    if bound.findings:
        raise WorkbookError(unusable_message(data.source, bound.findings))
    inputs = read_inputs(bound)
    lang = inputs.settings.lang
    week = week_start(day)
    reminders = due_reminders(inputs, read_facts(bound, inputs), chosen, week, spec)
    link = workbook_link(workbook)
    report_day = spec.enum("day_of_week").label_of(DAYS_OF_WEEK[inputs.settings.report_day], lang)
    tab = tab_name(bound, "plan_fact")
    outgoing = [Outgoing(r.owner, reminder_message(r, lang, tab=tab, link=link, report_day=report_day))
                for r in reminders]
    deliveries = deliver(outgoing, config, lang, dry_run=dry_run, roles_tab=tab_name(bound, "roles"))
    return RemindResult(chosen, week, tuple(reminders), deliveries, lang)


def _config_or_empty() -> NotifyConfig:
    """A dry run shows who would get what even when the settings cannot be read."""
    try:
        return load_config()
    except SheetopsError:
        return NotifyConfig()


# -- tests --------------------------------------------------------------------------------------


def send_test(
    config: NotifyConfig | None = None,
    *,
    to: Sequence[str] = (),
    lang: str = "en",
    workbook: str | Path | None = None,
    template: str = DEFAULT_TEMPLATE,
    credentials: str | Path | None = None,
) -> NotifyResult:
    """A test message to each configured destination: the e-mail sender's own address, each
    Telegram chat of the settings, each named destination; or to the contacts ``to``; or,
    given a ``workbook``, to every Contact of its Roles tab (in the workbook's language)."""
    config = load_config(required=not to and workbook is None) if config is None else config
    recipients = [Recipient(None, c) for c in to]
    if workbook is not None:
        from sheetops.api import open_backend
        from sheetops.tables import read_inputs
        from sheetops.workbook import bind

        inputs = read_inputs(bind(open_backend(workbook, credentials=credentials).read(), load_template(template)))
        lang = inputs.settings.lang
        recipients += [Recipient(e.person, e.contact, e.contact_cell, e.role) for e in inputs.roles if e.contact]
    if not recipients:
        contacts: list[str] = []
        if config.email is not None and config.email.from_address:
            contacts.append(config.email.from_address)
        if config.telegram is not None:
            contacts += [f"@{name}" for name in config.telegram.chats]
        contacts += list(config.destinations)
        recipients = [Recipient(None, c) for c in contacts]
    if not recipients:
        outgoing = [Outgoing(Recipient(None, None, unreachable=message("notify.reason.nothing_configured", lang,
                                                                         path=str(config.path or "notify.toml"))),
                             trial_message(lang, "-"))]
    else:
        outgoing = [Outgoing(r, trial_message(lang, config.mask(r.contact or ""))) for r in recipients]
    return NotifyResult(deliver(outgoing, config, lang), lang)
