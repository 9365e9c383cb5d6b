"""Which week a sync reports, how much of it has passed, and which breaches are current. Pure.

The ritual: the plan is typed on Monday, the facts are reported on the Report day
(Settings, Friday unless changed), and on Monday the last week is reviewed.

* Without ``--as-of``, a sync reports the latest week whose report day has come: run on
  Monday to Thursday it reports last week (as of its Sunday), on Friday to Sunday this
  week (as of today). An explicit ``--as-of`` reports the week that contains that date,
  as of that date.
* Facts count up to the as-of day: Daily rows after it are left for a later sync.
* A week rule judges a week once that week's report day has come, never a week that has
  barely started.
* The reported week is *in progress* while its as-of day is before its Sunday; its plan is
  then also compared pro rata, by the days elapsed (the plan to date).
* A breach is *current*, a decision to take, when its streak's newest period falls in
  the reported week, or, while that week is in progress, in the week before it. An older
  streak is history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WEEK_DAYS = 7


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week (Monday to Sunday) that contains ``day``."""
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class ReportPeriod:
    """The reported week and the day its facts are counted up to."""

    week: dt.date  # the Monday
    as_of: dt.date  # the last day counted, within the week
    report_day: int = 4  # Monday 0 .. Sunday 6

    @property
    def end(self) -> dt.date:
        """The Sunday of the reported week."""
        return self.week + dt.timedelta(days=WEEK_DAYS - 1)

    @property
    def days_elapsed(self) -> int:
        """Days of the week counted: 1 (Monday) to 7 (the whole week)."""
        return (self.as_of - self.week).days + 1

    @property
    def complete(self) -> bool:
        """True once the as-of day is the week's Sunday: the whole week is counted."""
        return self.days_elapsed >= WEEK_DAYS

    @property
    def pace(self) -> float:
        """The share of the week counted, by days: 5/7 on a Friday, 1 for a whole week."""
        return min(self.days_elapsed, WEEK_DAYS) / WEEK_DAYS

    @property
    def judged_week(self) -> dt.date:
        """The newest week a week rule judges: the reported week once its report day has come,
        else the week before it."""
        if self.as_of.weekday() >= self.report_day or self.complete:
            return self.week
        return self.week - dt.timedelta(weeks=1)

    @property
    def current_since(self) -> dt.date:
        """The first day a breach's newest period may fall on for it to be current."""
        return self.week if self.complete else self.week - dt.timedelta(weeks=1)

    def month_start(self) -> dt.date:
        """The first day of the as-of day's month."""
        return self.as_of.replace(day=1)


def report_period(*, today: dt.date, report_day: int = 4, as_of: dt.date | None = None) -> ReportPeriod:
    """The week a sync run on ``today`` reports, or the week containing an explicit ``as_of``."""
    if as_of is not None:
        return ReportPeriod(week_start(as_of), as_of, report_day)
    week = week_start(today)
    if today.weekday() < report_day:
        week -= dt.timedelta(weeks=1)
    return ReportPeriod(week, min(today, week + dt.timedelta(days=WEEK_DAYS - 1)), report_day)


def default_as_of(today: dt.date, report_day: int = 4) -> dt.date:
    """The as-of day of a sync run on ``today`` without ``--as-of``."""
    return report_period(today=today, report_day=report_day).as_of
