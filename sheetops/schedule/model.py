"""What a schedule is, as plain values: the weekly time of a job, the job itself, its name.

Pure: nothing here opens a file or runs a program. The days people type (``fri``,
``Friday``, ``пт``) and the times (``17:00``, ``9:30``, ``5pm``) are read by
:func:`parse_day` and :func:`parse_time`; a value that cannot be read raises
:class:`ScheduleProblem`, whose message key and values the CLI words in the user's language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Literal

from sheetops.messages import message
from sheetops.values import WEEKDAYS

JobKind = Literal["sync", "remind", "plan-reminder"]
JOB_KINDS: tuple[JobKind, ...] = ("sync", "remind", "plan-reminder")
PREFIX = "sheetops"

# Every way a day may be typed, lower case: the English name, its 2- and 3-letter forms,
# and the Russian name with its usual short form.
DAY_NAMES: dict[str, int] = {}
for _index, _name in enumerate(WEEKDAYS):
    DAY_NAMES.update({_name: _index, _name[:3]: _index, _name[:2]: _index})
DAY_NAMES.update({"tues": 1, "thur": 3, "thurs": 3, "weds": 2})
for _index, (_full, _short) in enumerate(
    (("понедельник", "пн"), ("вторник", "вт"), ("среда", "ср"), ("четверг", "чт"), ("пятница", "пт"),
     ("суббота", "сб"), ("воскресенье", "вс"))
):
    DAY_NAMES.update({_full: _index, _short: _index})
DAY_NAMES["среду"] = 2
DAY_NAMES["пятницу"] = 4
DAY_NAMES["субботу"] = 5

_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?$")


class ScheduleProblem(ValueError):
    """A day, a time or a workbook of a schedule that cannot be used; worded from the catalogs."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def message(self, lang: str) -> str:
        return message(self.key, lang, **self.values)

    def __str__(self) -> str:
        return message(self.key, "en", **self.values)


def parse_day(text: str) -> int:
    """The day of the week (0 Monday .. 6 Sunday) from ``fri``, ``Friday``, ``пт``."""
    found = DAY_NAMES.get(text.strip().strip(".").lower())
    if found is None:
        raise ScheduleProblem("schedule.bad_day", day=text)
    return found


def parse_time(text: str) -> tuple[int, int]:
    """(hour, minute) from ``17:00``, ``9:30``, ``17``, ``5pm``, ``5:30 pm``, ``17.00``."""
    match = _TIME.match(text.strip().lower())
    if match is None:
        raise ScheduleProblem("schedule.bad_time", time=text)
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3]:
        if not 1 <= hour <= 12:
            raise ScheduleProblem("schedule.bad_time", time=text)
        hour = hour % 12 + (12 if match[3] == "pm" else 0)
    if hour > 23:
        raise ScheduleProblem("schedule.bad_hour", time=text)
    if minute > 59:
        raise ScheduleProblem("schedule.bad_minute", time=text)
    return hour, minute


@dataclass(frozen=True)
class Weekly:
    """Once a week: a day (0 Monday .. 6 Sunday) and a local time."""

    day: int
    hour: int
    minute: int

    @classmethod
    def parse(cls, day: str, time: str) -> Weekly:
        return cls(parse_day(day), *parse_time(time))

    @property
    def day_name(self) -> str:
        """``friday``: the key of the day (``weekday.friday`` in the catalogs)."""
        return WEEKDAYS[self.day]

    @property
    def clock(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    def show(self, lang: str) -> str:
        """'Friday 17:00', 'пятница 17:00'."""
        return f"{message(f'weekday.{self.day_name}', lang)} {self.clock}"

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        """The first run strictly after ``moment`` (a naive local time, or an aware one)."""
        days = (self.day - moment.weekday()) % 7
        candidate = moment.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        candidate += dt.timedelta(days=days)
        return candidate if candidate > moment else candidate + dt.timedelta(weeks=1)

    def last_before(self, moment: dt.datetime) -> dt.datetime:
        """The latest run due at or before ``moment``."""
        return self.next_after(moment) - dt.timedelta(weeks=1)


def parse_when(values: Sequence[str] | None) -> Weekly | None:
    """``--remind thu 12:00`` (two values) as a :class:`Weekly`; None when not given."""
    if not values:
        return None
    day, time = values
    return Weekly.parse(day, time)


@dataclass(frozen=True)
class Job:
    """One scheduled job: which command, on which workbook, when, run by which Python.

    ``argv`` is the whole command line, an absolute interpreter first; ``env`` is all the
    job adds to the environment the system gives it; ``folder`` is the folder it runs in.
    """

    kind: JobKind
    workbook: str
    when: Weekly
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    folder: str = ""

    @property
    def name(self) -> str:
        return job_name(self.workbook, self.kind)

    @property
    def interpreter(self) -> str:
        return self.argv[0]

    def description(self, lang: str = "en") -> str:
        return message(f"schedule.job.{self.kind}", lang, workbook=workbook_label(self.workbook))


def workbook_label(workbook: str) -> str:
    """The workbook's file name, or its Google spreadsheet address as typed."""
    if "://" in workbook:
        return workbook
    return PurePath(workbook).name or workbook


def job_name(workbook: str, kind: JobKind) -> str:
    """``sheetops-marketing-1a2b3c4d-sync``: readable, safe in every scheduler, one per workbook and kind.

    The hash tells apart two workbooks of the same name in different folders.
    """
    digest = hashlib.sha256(workbook.encode("utf-8")).hexdigest()[:8]
    stem = workbook_label(workbook) if "://" not in workbook else "google-sheet"
    stem = PurePath(stem).stem if "://" not in workbook else stem
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:32] or "workbook"
    return f"{PREFIX}-{slug}-{digest}-{kind}"


def job_command(
    kind: JobKind, workbook: str, *, interpreter: str, retry_for: str | None = None,
    credentials: str | None = None, deck: bool = False,
) -> tuple[str, ...]:
    """The command line of a job: ``python -m sheetops sync WORKBOOK --scheduled`` (with
    ``--deck``: the meeting deck goes with the CMO's digest); both reminders run
    ``sheetops remind WORKBOOK``, which tells by the day what to remind of."""
    base = (interpreter, "-m", "sheetops")
    extra = ("--credentials", credentials) if credentials else ()
    if kind == "sync":
        retry = ("--retry-for", retry_for) if retry_for else ()
        return (*base, "sync", workbook, "--scheduled", *retry, *(("--deck",) if deck else ()), *extra)
    return (*base, "remind", workbook, *extra)
