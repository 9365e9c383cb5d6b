"""Who gets which message and its words: pure functions, tables of cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sheetops.notify.compose import (
    Recipient,
    Reminder,
    cmo_of,
    owner_recipient,
    reminder_kind_for,
    reminder_message,
)
from sheetops.tables import Channel, RoleEntry
from sheetops.templates import Template

ROLES = (
    RoleEntry(1, "CMO", "cmo", "Maria Ivanova", None, "Roles!H2"),
    RoleEntry(2, "CMO", "cmo", "Maria Ivanova", "maria@example.com", "Roles!H3"),
    RoleEntry(3, "Performance owner", "performance_owner", "Anna Kuznetsova", "@anna_k", "Roles!H4"),
    RoleEntry(4, "Content owner", "content_owner", "Oleg Smirnov", None, "Roles!H5"),
)


def channel(owner: str | None) -> Channel:
    return Channel(1, "Social ads", "paid", owner, "cpa", None, None, 150.0, None, "active")


@pytest.mark.parametrize(("day", "kind"), [
    (dt.date(2026, 11, 30), "plan"), (dt.date(2026, 12, 1), "plan"), (dt.date(2026, 12, 2), "plan"),
    (dt.date(2026, 12, 3), "facts"), (dt.date(2026, 12, 4), "facts"), (dt.date(2026, 12, 6), "facts"),
])
def test_the_reminder_of_a_day_is_the_plan_early_in_the_week_and_the_facts_late(day: dt.date, kind: str) -> None:
    assert reminder_kind_for(day) == kind


def test_the_cmo_is_the_cmo_row_with_a_contact(template: Template) -> None:
    assert cmo_of(ROLES, template, "en") == Recipient("Maria Ivanova", "maria@example.com", "Roles!H3", "CMO")
    nobody = cmo_of(ROLES[2:], template, "en")
    assert nobody.contact is None
    assert nobody.unreachable == "nobody holds the role CMO in the Roles tab: type the person and their Contact there"


@pytest.mark.parametrize(("owner", "contact", "unreachable"), [
    ("Anna Kuznetsova", "@anna_k", None),
    ("anna  kuznetsova", "@anna_k", None),  # spaces and case as people type them
    ("Performance owner", "@anna_k", None),  # a role's name: its holder
    ("Oleg Smirnov", None, "Oleg Smirnov has no Contact (Roles!H5 is empty): type their e-mail address or "
                           "Telegram @name there"),
    ("Irina Popova", None, "Irina Popova is not a Person in the Roles tab: add a row with their Contact"),
    (None, None, "Social ads has no Owner in Channels: type one, and their Contact in Roles"),
])
def test_a_channels_owner_is_found_in_roles(template: Template, owner: str | None, contact: str | None,
                                           unreachable: str | None) -> None:
    found = owner_recipient(ROLES, channel(owner), template, "en")
    assert (found.contact, found.unreachable) == (contact, unreachable)


@pytest.mark.parametrize(("kind", "lang", "subject", "start"), [
    ("facts", "en", "Friday is facts: fill in Plan-Fact for Social ads, Search ads",
     "Anna, Friday is facts: fill in Plan-Fact for Social ads, Search ads, week of 2026-11-23, before the report "
     "on Friday."),
    ("plan", "en", "Monday is the plan: Plan-Fact for Social ads, Search ads",
     "Anna, Monday is the plan: type the plan for Social ads, Search ads for the week of 2026-11-23 in Plan-Fact."),
    ("facts", "ru", "Пятница — факты: заполните «План-факт» по каналам: Social ads, Search ads",
     "Anna, пятница — факты: заполните «План-факт» по каналам Social ads, Search ads за неделю с 23.11.2026 до "
     "отчёта (Friday)."),
])
def test_a_reminder_names_the_tab_the_channels_and_the_week(kind: str, lang: str, subject: str, start: str) -> None:
    reminder = Reminder(Recipient("Anna", "@anna"), ("Social ads", "Search ads"), kind,  # type: ignore[arg-type]
                        dt.date(2026, 11, 23))
    tab = "Plan-Fact" if lang == "en" else "План-факт"
    found = reminder_message(reminder, lang, tab=tab, link="/books/m.xlsx", report_day="Friday")
    assert found.kind == "reminder" and found.subject == subject
    assert found.body.startswith(start)
    assert "/books/m.xlsx" in found.body


@pytest.mark.parametrize(("workbook", "link"), [
    ("https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg/edit#gid=0",
     "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg/edit#gid=0"),
    ("1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg",
     "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg/edit"),
])
def test_a_google_workbook_is_linked_by_its_address(workbook: str, link: str) -> None:
    from sheetops.notify import workbook_link

    assert workbook_link(workbook) == link


def test_a_file_is_linked_by_its_full_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sheetops.notify import workbook_link

    monkeypatch.chdir(tmp_path)
    assert workbook_link("marketing.xlsx") == str(tmp_path.resolve() / "marketing.xlsx")


def test_the_digest_lists_data_issues_by_cell(demo_xlsx: Path, template: Template) -> None:
    import openpyxl

    from sheetops import api
    from sheetops.notify.compose import digest

    book = openpyxl.load_workbook(demo_xlsx)
    book["Plan-Fact"]["D2"] = "a lot"
    book.save(demo_xlsx)
    report = api.sync(demo_xlsx, as_of=dt.date(2026, 11, 27), dry_run=True)
    body = digest(report, template, "/books/demo.xlsx", "Maria Ivanova").body
    assert "Data issues (1):\n• Plan-Fact!D2: Spend: cannot read 'a lot' as a number" in body
