"""``sheetops check``: is the workbook ready for a sync? Pure: no I/O.

:func:`check_workbook` gathers, from a bound workbook:

* the structure: a missing tab or required header (found by :func:`~sheetops.workbook.bind`);
* every cell of Settings, Roles, Channels and Stop rules that cannot be read
  (:func:`~sheetops.tables.read_inputs`, the same reading the sync uses);
* the role map: a channel without an owner, an owner who is not a Person in Roles, a role
  without a person, one person holding two roles that must be kept apart;
* stop rules whose ``target`` threshold meets a channel without that target;
* a light look at the facts: a Plan-Fact or Daily channel missing from Channels, a
  Plan-Fact week that does not start on a Monday. The sync reports fact cells in detail.

Findings come back sorted by tab order, then row, then column.
"""

from __future__ import annotations

import datetime as dt
import re

from sheetops.tables import Inputs, cell_text, header_name, missing_target_findings, read_inputs, tab_name
from sheetops.templates import normalize
from sheetops.templates.model import say
from sheetops.values import ValueProblem, is_blank, parse_date, show_date, weekday_name
from sheetops.workbook import BoundTab, BoundWorkbook, Finding, column_index


def check_workbook(bound: BoundWorkbook, inputs: Inputs | None = None) -> list[Finding]:
    """Every finding about the workbook, sorted by where it is.

    Findings are said in the workbook's language: the Settings' Language, else the language
    of the tab names (:attr:`~sheetops.tables.Settings.lang`), as in the sync's summary.
    ``inputs``: the workbook's :func:`~sheetops.tables.read_inputs`, when the caller has
    read them already (for that language); else they are read here.
    """
    if inputs is None:
        inputs = read_inputs(bound)
    findings = [*bound.findings, *inputs.findings]
    findings += role_map_findings(bound, inputs)
    findings += missing_target_findings(bound, inputs)
    findings += fact_findings(bound, inputs)
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
                    say(lang,
                        en=f"the channel {channel.name!r} has no owner; type the {person!r} from {roles!r} who runs it",
                        ru=f"у канала «{channel.name}» нет владельца; укажите, кто его ведёт: значение из столбца "
                        f"«{person}» вкладки «{roles}»"),
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
                say(lang,
                    en=f"the role {entry.role!r} has no person; type who holds it (one person may hold several roles)",
                    ru=f"у роли «{entry.role}» нет исполнителя; укажите, кто её занимает (один человек может "
                    "занимать несколько ролей)"),
                "warning",
                "no_person",
            ))
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
                    say(lang, en=f"{later.person!r} holds both {earlier.role!r} ({where}) and {later.role!r}: "
                        f"{conflict.why.en}. Give one of the roles to someone else, "
                        "or agree who checks this person's numbers",
                        ru=f"«{later.person}» занимает сразу две роли: «{earlier.role}» ({where}) и «{later.role}». "
                        f"Это риск: {conflict.why.ru}. Передайте одну из ролей другому человеку или договоритесь, "
                        "кто проверяет цифры этого сотрудника"),
                    "warning",
                    "role_conflict",
                ))
    return findings


def _unknown_owner(bound: BoundWorkbook, owner: str, channel: str, inputs: Inputs, lang: str) -> str:
    holders = [r.person for r in inputs.roles if r.person and normalize(r.role) == normalize(owner)]
    if holders:
        return say(
            lang,
            en=f"{owner!r} (the owner of {channel!r}) is a role, not a person; type the person who holds it "
            f"({', '.join(repr(h) for h in holders)})",
            ru=f"«{owner}» (владелец канала «{channel}») — это роль, а не человек; укажите того, кто её занимает "
            f"({', '.join(f'«{h}»' for h in holders)})",
        )
    person, roles = header_name(bound, "roles", "person"), tab_name(bound, "roles")
    return say(
        lang,
        en=f"{owner!r}, the owner of {channel!r}, is not a {person!r} in {roles!r}; "
        f"add them to {roles!r} or fix the spelling",
        ru=f"«{owner}» (владелец канала «{channel}») не найден в столбце «{person}» вкладки «{roles}»; "
        f"добавьте этого человека во вкладку «{roles}» или исправьте написание",
    )


def fact_findings(bound: BoundWorkbook, inputs: Inputs) -> list[Finding]:
    """Plan-Fact and Daily channels missing from Channels; Plan-Fact weeks not on a Monday."""
    findings: list[Finding] = []
    for key in ("plan_fact", "daily"):
        tab = bound.tab(key)
        if tab is None:
            continue
        if tab.has("channel") and "channels" in inputs.read_tabs:
            findings += _unknown_channels(tab, inputs, tab_name(bound, "channels"), inputs.settings.lang)
        if key == "plan_fact" and tab.has("week"):
            findings += _weeks_not_monday(bound, tab, inputs.settings.lang)
    return findings


def _unknown_channels(tab: BoundTab, inputs: Inputs, channels_tab: str, lang: str) -> list[Finding]:
    """One warning per unknown channel name, at its first row, counting the other rows."""
    first_row: dict[str, int] = {}
    typed: dict[str, str] = {}
    count: dict[str, int] = {}
    known = {normalize(c.name) for c in inputs.channels}
    for row in tab.data_rows():
        name = cell_text(tab.value(row, "channel"))
        if name is None:
            continue
        wanted = normalize(name)
        if wanted in known:
            continue
        first_row.setdefault(wanted, row)
        typed.setdefault(wanted, name)
        count[wanted] = count.get(wanted, 0) + 1
    findings = []
    for wanted, row in first_row.items():
        more = count[wanted] - 1
        also_en = f" (and {more} more row{'s' if more > 1 else ''} in {tab.name!r})" if more else ""
        rows_ru = "строке" if more % 10 == 1 and more % 100 != 11 else "строках"
        also_ru = f" (и ещё в {more} {rows_ru} вкладки «{tab.name}»)" if more else ""
        findings.append(Finding(
            tab.address(row, "channel"),
            say(lang, en=f"the channel {typed[wanted]!r} is not in {channels_tab!r}{also_en}; add it to "
                f"{channels_tab!r} or fix the spelling. Until then its rows are left out of KPIs and stop rules",
                ru=f"канала «{typed[wanted]}» нет во вкладке «{channels_tab}»{also_ru}; добавьте его туда "
                "или исправьте написание. До тех пор его строки не входят в KPI и стоп-правила"),
            "warning",
            "unknown_channel",
        ))
    return findings


def _weeks_not_monday(bound: BoundWorkbook, tab: BoundTab, lang: str) -> list[Finding]:
    findings = []
    for row in tab.data_rows():
        value = tab.value(row, "week")
        if is_blank(value):
            continue
        try:
            week = parse_date(value)
        except ValueProblem as exc:
            header = header_name(bound, "plan_fact", "week")
            findings.append(Finding(tab.address(row, "week"),
                                    say(lang, en=f"{header!r}: {exc}", ru=f"«{header}»: {exc.text.ru}"),
                                    "error", "bad_date"))
            continue
        if week.weekday() != 0:
            monday = week - dt.timedelta(days=week.weekday())
            findings.append(Finding(
                tab.address(row, "week"),
                say(lang, en=f"the week {week:%Y-%m-%d} is a {weekday_name(week, 'en')}, not a Monday; weeks start on "
                    f"Monday: type {monday:%Y-%m-%d} for that week",
                    ru=f"неделя {show_date(week, 'ru')} — это {weekday_name(week, 'ru')}, а не понедельник; недели "
                    f"начинаются с понедельника: введите {show_date(monday, 'ru')} для этой недели"),
                "error",
                "not_monday",
            ))
    return findings


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
