"""``sheetops check``: is the workbook ready for a sync? Pure: no I/O.

:func:`check_workbook` gathers, from a bound workbook:

* the structure: a missing tab or required header (found by :func:`~sheetops.workbook.bind`);
* every cell of Settings, Roles, Channels and Stop rules that cannot be read
  (:func:`~sheetops.tables.read_inputs`, the same reading the sync uses);
* every data issue a sync would report, with the same address, code and severity
  (:func:`~sheetops.issues.workbook_issues`: the same reading of Settings, Channels, Stop
  rules, Plan-Fact and Daily as the sync's), so that a workbook check calls ready syncs
  without a data issue;
* the role map: a channel without an owner, an owner who is not a Person in Roles, a role
  without a person, one person holding two roles that must be kept apart, a Contact that
  notifications cannot use (or that shows a password or token to whoever opens the workbook).

Findings come back sorted by tab order, then row, then column.
"""

from __future__ import annotations

import re

from sheetops.issues import workbook_issues
from sheetops.messages import message
from sheetops.sync.facts import Facts, read_facts
from sheetops.tables import Inputs, header_name, read_inputs, tab_name
from sheetops.templates import normalize
from sheetops.values import printable, quote
from sheetops.workbook import BoundWorkbook, Finding, column_index


def check_workbook(bound: BoundWorkbook, inputs: Inputs | None = None, facts: Facts | None = None) -> list[Finding]:
    """Every finding about the workbook, sorted by where it is.

    Findings are said in the workbook's language: the Settings' Language, else the language
    of the tab names (:attr:`~sheetops.tables.Settings.lang`), as in the sync's summary.
    ``inputs``: the workbook's :func:`~sheetops.tables.read_inputs`, when the caller has
    read them already (for that language); else they are read here. ``facts``: likewise
    the workbook's :func:`~sheetops.sync.facts.read_facts`.
    """
    if inputs is None:
        inputs = read_inputs(bound)
    if facts is None:
        facts = read_facts(bound, inputs)
    findings = [*bound.findings, *workbook_issues(bound, inputs, facts)]
    findings += role_map_findings(bound, inputs)
    return sort_findings(bound, findings)


def role_map_findings(bound: BoundWorkbook, inputs: Inputs) -> list[Finding]:
    """Channels without a (known) owner, roles without a person, people in conflicting roles."""
    findings: list[Finding] = []
    roles_tab, channels_tab = bound.tab("roles"), bound.tab("channels")
    people = {normalize(r.person): r.person for r in inputs.roles if r.person}
    roles_read = "roles" in inputs.read_tabs
    lang = inputs.settings.lang
    if channels_tab is not None and "channels" in inputs.read_tabs:
        for channel in inputs.channels:
            cell = channels_tab.address(channel.row, "owner")
            if channel.owner is None:
                person, roles = header_name(bound, "roles", "person"), tab_name(bound, "roles")
                findings.append(Finding(
                    cell,
                    message("no_owner", lang, channel=printable(channel.name), column=printable(person),
                            tab=printable(roles)),
                    "error",
                    "no_owner",
                ))
            elif roles_read and normalize(channel.owner) not in people:
                findings.append(Finding(cell, _unknown_owner(bound, channel.owner, channel.name, inputs, lang),
                                        "error", "unknown_owner"))
    if roles_tab is None or not roles_read:
        return findings
    for entry in inputs.roles:
        if entry.person is None:
            findings.append(Finding(
                roles_tab.address(entry.row, "person"),
                message("no_person", lang, role=printable(entry.role)),
                "warning",
                "no_person",
            ))
    findings += contact_findings(inputs)
    for conflict in bound.template.role_conflicts:
        first_key, second_key = conflict.roles
        for first in (e for e in inputs.roles if e.key == first_key and e.person):
            for second in (e for e in inputs.roles if e.key == second_key and e.person):
                assert first.person and second.person
                if normalize(first.person) != normalize(second.person):
                    continue
                later = max(first, second, key=lambda e: e.row)
                earlier = first if later is second else second
                where = roles_tab.address(earlier.row, "person")
                findings.append(Finding(
                    roles_tab.address(later.row, "person"),
                    message("role_conflict", lang, person=printable(later.person), first=printable(earlier.role),
                            where=where, second=printable(later.role), why=conflict.why[lang]),
                    "warning",
                    "role_conflict",
                ))
    return findings


def contact_findings(inputs: Inputs) -> list[Finding]:
    """Contacts notifications cannot use: not a contact at all, or an address with a password
    or token in it (anyone who opens the workbook could read it)."""
    from sheetops.notify.contacts import carries_secret, parse_contact

    lang = inputs.settings.lang
    findings: list[Finding] = []
    for entry in inputs.roles:
        if not entry.contact or entry.contact_cell is None:
            continue
        who = printable(entry.person or entry.role)
        contact = parse_contact(entry.contact)
        if contact is None:
            findings.append(Finding(entry.contact_cell,
                                    message("bad_contact", lang, contact=printable(entry.contact), person=who),
                                    "warning", "bad_contact"))
        elif contact.kind == "url" and carries_secret(contact.text):
            findings.append(Finding(entry.contact_cell, message("secret_in_contact", lang, person=who),
                                    "warning", "secret_in_contact"))
    return findings


def _unknown_owner(bound: BoundWorkbook, owner: str, channel: str, inputs: Inputs, lang: str) -> str:
    holders = [r.person for r in inputs.roles if r.person and normalize(r.role) == normalize(owner)]
    if holders:
        return message("unknown_owner.role", lang, owner=printable(owner), channel=printable(channel),
                       holders=", ".join(quote(h, lang) for h in holders))
    person, roles = header_name(bound, "roles", "person"), tab_name(bound, "roles")
    return message("unknown_owner", lang, owner=printable(owner), channel=printable(channel),
                   column=printable(person), tab=printable(roles))


_ADDRESS = re.compile(r"^([A-Z]*)(\d+)(?::\d+)?$")


def sort_findings(bound: BoundWorkbook, findings: list[Finding]) -> list[Finding]:
    """Findings in reading order: by the tab's place in the workbook, then row, then column.

    Findings about the whole workbook (a missing tab) come first, in their order.
    """
    order = {sheet.name: i for i, sheet in enumerate(bound.data.sheets)}

    def key(finding: Finding) -> tuple[int, int, int]:
        if finding.cell is None or "!" not in finding.cell:
            return (-1, 0, 0)
        tab, _, ref = finding.cell.rpartition("!")
        m = _ADDRESS.match(ref)
        if m is None:
            return (order.get(tab, -1), 0, 0)
        return (order.get(tab, -1), int(m[2]), column_index(m[1]) if m[1] else -1)

    return sorted(findings, key=key)
