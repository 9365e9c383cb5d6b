"""Who gets which message, and its words: pure, no I/O.

Every text is in the workbook's language, from the message catalogs. The functions here
turn a :class:`~sheetops.sync.report.SyncReport` (or the facts of a week, or an error)
into :class:`Outgoing` messages, each addressed to a person of the Roles tab through the
Contact typed there; :mod:`sheetops.notify.deliver` sends them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sheetops.messages import count, message
from sheetops.sync.report import SyncReport
from sheetops.sync.rules import Breach
from sheetops.sync.summary import breach_note, format_date, format_metric, format_number, title
from sheetops.tables import Channel, RoleEntry
from sheetops.templates import Template, normalize

Kind = Literal["digest", "breach", "reminder", "failure", "test"]
ReminderKind = Literal["facts", "plan"]
# At most this many data issues are listed in the digest; the CMO Summary lists them all.
DIGEST_ISSUES = 10


@dataclass(frozen=True)
class Message:
    """One message: its subject line, its plain-text body, and the files sent with it."""

    kind: Kind
    subject: str
    body: str
    attachments: tuple[str, ...] = ()  # paths: the meeting deck, with the digest (schedule add --deck)


@dataclass(frozen=True)
class Recipient:
    """A person of the Roles tab (or a contact given directly) and where to reach them."""

    person: str | None  # as typed in Roles; None for a contact given directly
    contact: str | None  # the Contact cell as typed; None when there is none
    where: str | None = None  # the Contact cell, e.g. "Roles!H3", for messages about it
    role: str | None = None
    unreachable: str | None = None  # without a contact: why, and what to type where


@dataclass(frozen=True)
class Outgoing:
    """A message for one recipient."""

    recipient: Recipient
    message: Message


# -- people -------------------------------------------------------------------------------------


def roles_tab_name(template: Template, lang: str) -> str:
    return template.tab("roles").name[lang]


def recipient_of(entry: RoleEntry, template: Template, lang: str) -> Recipient:
    """A Roles row as a recipient; an empty Contact (or none) says where to type one."""
    unreachable = None
    if not entry.contact:
        person = entry.person or entry.role
        unreachable = (message("notify.reason.no_contact", lang, person=person, cell=entry.contact_cell)
                       if entry.contact_cell else
                       message("notify.reason.no_contact_column", lang, person=person,
                               tab=roles_tab_name(template, lang)))
    return Recipient(entry.person, entry.contact, entry.contact_cell, entry.role, unreachable)


def _entry_named(roles: Sequence[RoleEntry], name: str) -> RoleEntry | None:
    wanted = normalize(name)
    for entry in roles:
        if entry.person and normalize(entry.person) == wanted:
            return entry
    holders = [e for e in roles if e.person and normalize(e.role) == wanted]
    return next((e for e in holders if e.contact), holders[0] if holders else None)


def cmo_of(roles: Sequence[RoleEntry], template: Template, lang: str) -> Recipient:
    """The marketing director: the Roles row whose role is CMO (the first with a contact)."""
    found = [entry for entry in roles if entry.key == "cmo"]
    chosen = next((e for e in found if e.contact), found[0] if found else None)
    if chosen is None:
        role = template.role("cmo").name[lang] if _has_role(template, "cmo") else "CMO"
        return Recipient(None, None, role="CMO", unreachable=message(
            "notify.reason.no_person", lang, role=role, tab=roles_tab_name(template, lang)))
    return recipient_of(chosen, template, lang)


def _has_role(template: Template, key: str) -> bool:
    return any(role.key == key for role in template.roles)


def owner_recipient(roles: Sequence[RoleEntry], channel: Channel, template: Template, lang: str) -> Recipient:
    """Whoever owns a channel (Channels: Owner), through their Roles row."""
    if not channel.owner:
        return Recipient(None, None, unreachable=message("notify.reason.no_owner", lang, channel=channel.name))
    entry = _entry_named(roles, channel.owner)
    if entry is None:
        return Recipient(channel.owner, None, unreachable=message(
            "notify.reason.not_in_roles", lang, person=channel.owner, tab=roles_tab_name(template, lang)))
    return recipient_of(entry, template, lang)


# -- the digest and the breach alerts --------------------------------------------------------------


def _note(breach: Breach, template: Template, lang: str) -> str:
    return breach_note(breach, template, lang).removeprefix("sheetops: ")


def _money(value: float | None, lang: str) -> str:
    return "—" if value is None else format_number(value, lang, 0)


def digest(report: SyncReport, template: Template, link: str, person: str | None = None) -> Message:
    """The CMO's digest of a sync: decisions needed (new, still open, resolved), missing
    reports, data issues, the totals, and where the workbook is."""
    lang = report.lang
    actions = template.enum("action")
    decisions = report.decisions
    missing = [c for c in report.channels if c.status == "no_data"]
    lines = [message("notify.greeting", lang, person=person) if person else message("notify.greeting_all", lang),
             "", title(report.reported, lang), ""]
    lines.append(message("notify.digest.decisions", lang, count=len(report.breaches)))
    if not report.breaches:
        lines.append(message("summary.no_decisions", lang))
    for breach in report.breaches:
        state = decisions.state(breach)
        lines.append(message("notify.digest.breach", lang, channel=breach.channel.name,
                             state=message(f"summary.{state}", lang),
                             action=actions.label_of(breach.rule.action, lang), note=_note(breach, template, lang)))
    if decisions.resolved:
        lines += ["", message("summary.resolved_title", lang) + ":"]
        for breach in decisions.resolved:
            lines.append(message("notify.digest.resolved", lang, channel=breach.channel.name, rule=breach.rule.name,
                                 action=actions.label_of(breach.rule.action, lang)))
    lines += ["", message("notify.digest.missing", lang, count=len(missing))]
    if not missing:
        lines.append(message("summary.no_missing", lang))
    for channel in missing:
        lines.append(message("notify.digest.missing_line", lang, channel=channel.name,
                             owner=channel.channel.owner or message("notify.no_owner", lang)))
    if report.issues:
        lines += ["", message("notify.digest.issues", lang, count=len(report.issues))]
        for issue in report.issues[:DIGEST_ISSUES]:
            lines.append(message("notify.digest.issue", lang, cell=issue.cell or report.source,
                                 message=issue.message))
        if len(report.issues) > DIGEST_ISSUES:
            lines.append(message("notify.digest.more_issues", lang, count=len(report.issues) - DIGEST_ISSUES,
                                 tab=report.summary_tab or message("notify.summary_tab", lang)))
    totals = report.totals
    cpa, romi = totals.kpi.get("cpa"), totals.kpi.get("romi")
    lines += ["", message(
        "notify.digest.totals", lang, currency=report.settings.currency,
        spend=_money(totals.fact.get("spend"), lang), spend_plan=_money(totals.plan.get("spend"), lang),
        revenue=_money(totals.fact.get("revenue"), lang), revenue_plan=_money(totals.plan.get("revenue"), lang),
        leads=_money(totals.fact.get("leads"), lang), orders=_money(totals.fact.get("orders"), lang),
        cpa="—" if cpa is None else format_metric("cpa", cpa, lang),
        romi="—" if romi is None else format_metric("romi", romi, lang),
    )]
    lines += ["", message("notify.workbook", lang, link=link, tab=report.summary_tab), "",
              message("notify.footer", lang)]
    subject = message("notify.digest.subject", lang, week=format_date(report.week, lang),
                      decisions=count(len(report.breaches), "noun.decision", lang),
                      missing=count(len(missing), "noun.missing_report", lang))
    return Message("digest", subject, "\n".join(lines))


def breach_alert(report: SyncReport, breach: Breach, template: Template, link: str, person: str | None) -> Message:
    """A breach for its channel's owner: the rule, the values, and the action agreed in advance."""
    lang = report.lang
    state = report.decisions.state(breach)
    action = template.enum("action").label_of(breach.rule.action, lang)
    body = [
        message("notify.breach.body", lang, person=person or breach.channel.owner or "",
                channel=breach.channel.name, state=message(f"summary.{state}", lang)),
        "",
        _note(breach, template, lang),
        "",
        message("notify.breach.action", lang, action=action),
        "",
        message("notify.workbook", lang, link=link, tab=report.summary_tab),
        "",
        message("notify.footer", lang),
    ]
    subject = message("notify.breach.subject", lang, channel=breach.channel.name, rule=breach.rule.name)
    return Message("breach", subject, "\n".join(body))


def after_sync_messages(report: SyncReport, template: Template, link: str) -> list[Outgoing]:
    """The digest for the CMO and one alert per current breach for its channel's owner."""
    roles, lang = report.roles, report.lang
    cmo = cmo_of(roles, template, lang)
    found = [Outgoing(cmo, digest(report, template, link, cmo.person))]
    for breach in report.breaches:
        owner = owner_recipient(roles, breach.channel, template, lang)
        found.append(Outgoing(owner, breach_alert(report, breach, template, link, owner.person)))
    return found


# -- reminders ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    """One owner's channels that lack their facts (or their plan) for a week."""

    owner: Recipient
    channels: tuple[str, ...]
    kind: ReminderKind
    week: dt.date


def reminder_kind_for(day: dt.date) -> ReminderKind:
    """Monday to Wednesday: the plan of this week; Thursday to Sunday: its facts."""
    return "plan" if day.weekday() < 3 else "facts"


def reminder_message(reminder: Reminder, lang: str, *, tab: str, link: str, report_day: str) -> Message:
    channels = ", ".join(reminder.channels)
    week = format_date(reminder.week, lang)
    person = reminder.owner.person or ""
    if reminder.kind == "facts":
        subject = message("notify.remind.facts.subject", lang, tab=tab, channels=channels)
        text = message("notify.remind.facts.body", lang, person=person, tab=tab, channels=channels, week=week,
                       day=report_day)
    else:
        subject = message("notify.remind.plan.subject", lang, tab=tab, channels=channels)
        text = message("notify.remind.plan.body", lang, person=person, tab=tab, channels=channels, week=week)
    body = "\n".join([text, "", message("notify.workbook", lang, link=link, tab=tab), "",
                      message("notify.footer", lang)])
    return Message("reminder", subject, body)


# -- failures and tests -------------------------------------------------------------------------


def failure_message(workbook: str, reason: str, fix: str, lang: str) -> Message:
    """A scheduled run that failed: which workbook, why, and what to do."""
    subject = message("notify.failure.subject", lang, workbook=workbook)
    body = "\n".join([
        message("notify.failure.body", lang, workbook=workbook, reason=reason),
        "",
        message("notify.failure.fix", lang, fix=fix, workbook=_as_argument(workbook)),
        "",
        message("notify.footer", lang),
    ])
    return Message("failure", subject, body)


def _as_argument(workbook: str) -> str:
    """The workbook as typed after `sheetops sync`: in double quotes when it has a space or a
    quote (what both a Unix shell and Windows' command line read as one argument)."""
    if any(c in workbook for c in " \t'\"&;|()<>$`"):
        return '"' + workbook.replace('"', '\\"') + '"'
    return workbook


def trial_message(lang: str, destination: str) -> Message:
    return Message("test", message("notify.test.subject", lang),
                   message("notify.test.body", lang, destination=destination))
