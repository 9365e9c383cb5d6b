"""Days, times, durations and job names as people type and read them: tables of cases."""

from __future__ import annotations

import datetime as dt

import pytest

from sheetops.schedule.model import ScheduleProblem, Weekly, job_command, job_name, parse_day, parse_time
from sheetops.schedule.run import Backoff, parse_duration


@pytest.mark.parametrize(("typed", "day"), [
    ("fri", 4), ("Fri", 4), ("FRIDAY", 4), ("friday", 4), ("fr", 4), ("Fri.", 4), (" fri ", 4),
    ("mon", 0), ("tue", 1), ("tues", 1), ("wed", 2), ("thu", 3), ("thurs", 3), ("sat", 5), ("sun", 6),
    ("пт", 4), ("пятница", 4), ("Пятница", 4), ("пн", 0), ("вс", 6), ("четверг", 3),
])
def test_a_day_is_read_in_english_or_russian_whole_or_short(typed: str, day: int) -> None:
    assert parse_day(typed) == day


@pytest.mark.parametrize("typed", ["", "f", "fridy", "5", "weekend", "friday 17:00"])
def test_a_day_that_is_not_one_is_refused_with_what_to_type(typed: str) -> None:
    with pytest.raises(ScheduleProblem) as caught:
        parse_day(typed)
    assert caught.value.key == "schedule.bad_day"
    assert "mon, tue, wed, thu, fri, sat or sun" in caught.value.message("en")
    assert "пн, вт, ср, чт, пт, сб или вс" in caught.value.message("ru")


@pytest.mark.parametrize(("typed", "time"), [
    ("17:00", (17, 0)), ("9:30", (9, 30)), ("09:05", (9, 5)), ("17", (17, 0)), ("0:00", (0, 0)),
    ("23:59", (23, 59)), ("17.30", (17, 30)), ("5pm", (17, 0)), ("5:30 pm", (17, 30)), ("12am", (0, 0)),
    ("12pm", (12, 0)), ("11AM", (11, 0)),
])
def test_a_time_is_read_on_a_24_hour_clock_or_with_am_pm(typed: str, time: tuple[int, int]) -> None:
    assert parse_time(typed) == time


@pytest.mark.parametrize(("typed", "key"), [
    ("24:00", "schedule.bad_hour"), ("25:00", "schedule.bad_hour"), ("9:60", "schedule.bad_minute"),
    ("noon", "schedule.bad_time"), ("17:0", "schedule.bad_time"), ("13pm", "schedule.bad_time"),
    ("", "schedule.bad_time"), ("-1:00", "schedule.bad_time"), ("17:00:00", "schedule.bad_time"),
])
def test_a_time_that_cannot_be_is_refused_saying_why(typed: str, key: str) -> None:
    with pytest.raises(ScheduleProblem) as caught:
        parse_time(typed)
    assert caught.value.key == key
    assert repr(typed)[1:-1] in str(caught.value) or typed in str(caught.value)


FRIDAY_17 = Weekly(4, 17, 0)


@pytest.mark.parametrize(("now", "next_run", "last_due"), [
    (dt.datetime(2026, 11, 27, 16, 59), dt.datetime(2026, 11, 27, 17, 0), dt.datetime(2026, 11, 20, 17, 0)),
    (dt.datetime(2026, 11, 27, 17, 0), dt.datetime(2026, 12, 4, 17, 0), dt.datetime(2026, 11, 27, 17, 0)),
    (dt.datetime(2026, 11, 28, 9, 0), dt.datetime(2026, 12, 4, 17, 0), dt.datetime(2026, 11, 27, 17, 0)),
    (dt.datetime(2026, 11, 23, 0, 0), dt.datetime(2026, 11, 27, 17, 0), dt.datetime(2026, 11, 20, 17, 0)),
])
def test_the_next_run_and_the_last_one_due(now: dt.datetime, next_run: dt.datetime, last_due: dt.datetime) -> None:
    assert FRIDAY_17.next_after(now) == next_run
    assert FRIDAY_17.last_before(now) == last_due


def test_a_weekly_time_is_shown_in_the_users_language() -> None:
    assert FRIDAY_17.show("en") == "Friday 17:00"
    assert Weekly(0, 9, 5).show("ru").endswith(" 09:05")


@pytest.mark.parametrize(("typed", "seconds"), [
    ("2h", 7200), ("90m", 5400), ("1h30m", 5400), ("45s", 45), ("0", 0), ("30min", 1800), ("2H", 7200),
])
def test_a_retry_time_is_read_with_its_unit(typed: str, seconds: float) -> None:
    assert parse_duration(typed) == seconds


@pytest.mark.parametrize("typed", ["", "2", "two hours", "2d", "-1h", "h"])
def test_a_retry_time_without_a_unit_is_refused(typed: str) -> None:
    with pytest.raises(ScheduleProblem) as caught:
        parse_duration(typed)
    assert "30m, 2h" in caught.value.message("en")


def test_the_waits_double_up_to_ten_minutes_and_a_short_budget_starts_short() -> None:
    assert [Backoff.within(7200).wait(n) for n in range(1, 8)] == [30, 60, 120, 240, 480, 600, 600]
    assert Backoff.within(2).wait(1) == pytest.approx(0.2)


def test_job_names_are_safe_for_every_scheduler_and_one_per_workbook_and_kind() -> None:
    name = job_name("/home/anna/Маркетинг 2026 (final).xlsx", "sync")
    assert name.startswith("sheetops-") and name.endswith("-sync")
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in name)
    assert job_name("/a/marketing.xlsx", "sync") != job_name("/b/marketing.xlsx", "sync")
    assert job_name("/a/marketing.xlsx", "sync").startswith("sheetops-marketing-")
    assert job_name("https://docs.google.com/spreadsheets/d/1AbC/edit", "remind").startswith("sheetops-google-sheet-")


def test_a_job_runs_the_absolute_interpreter_with_sheetops_as_a_module() -> None:
    assert job_command("sync", "/w/m.xlsx", interpreter="/venv/bin/python") == (
        "/venv/bin/python", "-m", "sheetops", "sync", "/w/m.xlsx", "--scheduled")
    assert job_command("sync", "https://x", interpreter="/p", retry_for="30m", credentials="/k.json")[4:] == (
        "https://x", "--scheduled", "--retry-for", "30m", "--credentials", "/k.json")
    assert job_command("remind", "/w/m.xlsx", interpreter="/p")[3:] == ("remind", "/w/m.xlsx")
    assert job_command("plan-reminder", "/w/m.xlsx", interpreter="/p")[3:] == ("remind", "/w/m.xlsx")
