"""A scheduled run: the sync with nobody watching.

:func:`run_scheduled` runs a sync and, when the workbook is held (open in Excel or
LibreOffice, another sync on it, saved again during the run) or the network or Google
fails for now, waits and tries again, each wait twice the last (up to ten minutes), for
at most ``retry_for`` seconds. Then it gives up: it tells ``on_failure`` (the notifier)
and raises the last error, whose exit code says why. A failure that waiting cannot fix
(a damaged workbook, refused credentials) gives up at once. Either way one line goes to
the run log (:mod:`.runlog`); nothing else is written but the workbook, and nothing is
ever asked of a person.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sheetops import __version__
from sheetops.errors import (
    ServiceUnavailableError,
    SheetopsError,
    WorkbookLockedError,
    error_kind_of,
    exit_code_of,
)
from sheetops.schedule.model import ScheduleProblem, job_name
from sheetops.schedule.runlog import RunLog

if TYPE_CHECKING:
    from sheetops.sync.report import SyncReport

RETRYABLE: tuple[type[SheetopsError], ...] = (WorkbookLockedError, ServiceUnavailableError)
DEFAULT_RETRY_FOR = 2 * 3600.0
FIRST_WAIT = 30.0
MAX_WAIT = 600.0

OnFailure = Callable[[str, BaseException], None]
After = Callable[..., None]

_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s)?\s*$", re.IGNORECASE)


def parse_duration(text: str) -> float:
    """Seconds from ``2h``, ``90m``, ``1h30m``, ``45s`` or ``0`` (never retry)."""
    if text.strip() == "0":
        return 0.0
    match = _DURATION.match(text)
    if match is None or not any(match.groups()):
        raise ScheduleProblem("schedule.bad_duration", duration=text)
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return float(hours * 3600 + minutes * 60 + seconds)


@dataclass(frozen=True)
class Backoff:
    """The waits between attempts: ``first`` seconds, then twice as long each time, at most
    ``longest``, all within ``retry_for`` seconds of the first attempt."""

    retry_for: float
    first: float = FIRST_WAIT
    longest: float = MAX_WAIT

    @classmethod
    def within(cls, retry_for: float) -> Backoff:
        """A back-off for ``retry_for``: a short budget starts with short waits (a tenth of it)."""
        return cls(retry_for, first=max(0.05, min(FIRST_WAIT, retry_for / 10)))

    def wait(self, attempt: int) -> float:
        """The wait after the ``attempt``-th failed attempt (1, 2, ...)."""
        return min(self.longest, self.first * 2.0 ** (attempt - 1))


@dataclass(frozen=True)
class ScheduledRun:
    """What a scheduled run did: its report, how many attempts, how long it waited."""

    report: SyncReport
    attempts: int
    waited: float


def run_scheduled(
    workbook: str,
    sync: Callable[[], SyncReport],
    *,
    log: RunLog,
    backoff: Backoff,
    on_failure: OnFailure | None = None,
    after: After | None = None,
    on_retry: Callable[[SheetopsError, float], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(),
) -> ScheduledRun:
    """Run ``sync`` until it works, a failure cannot be waited out, or ``backoff`` runs out.

    ``on_failure(workbook, error)`` hears of a run that gave up; ``after(workbook=...,
    report=...)`` of one that worked. Neither may stop the log line being written: what
    they raise is noted in it. ``on_retry(error, seconds)`` hears of each wait before it.
    """
    started_at = now()
    started = clock()
    attempts = 0
    waited = 0.0
    entry: dict[str, Any] = {
        "started": started_at.isoformat(timespec="seconds"),
        "job": job_name(workbook, "sync"),
        "kind": "sync",
        "workbook": workbook,
        "version": __version__,
    }
    while True:
        attempts += 1
        try:
            report = sync()
        except RETRYABLE as exc:
            pause = backoff.wait(attempts)
            left = backoff.retry_for - (clock() - started)
            if left <= 0:
                _give_up(entry, exc, attempts, waited, log, now, on_failure, workbook)
                raise
            pause = min(pause, left)
            if on_retry is not None:
                on_retry(exc, pause)
            sleep(pause)
            waited += pause
            continue
        except SheetopsError as exc:
            _give_up(entry, exc, attempts, waited, log, now, on_failure, workbook)
            raise
        except Exception as exc:  # a fault of sheetops itself: logged and told, then shown as it is
            _give_up(entry, exc, attempts, waited, log, now, on_failure, workbook)
            raise
        break
    entry.update(
        finished=now().isoformat(timespec="seconds"),
        result="ok",
        exit_code=0,
        attempts=attempts,
        waited=round(waited, 1),
        as_of=report.as_of.isoformat(),
        breaches=len(report.breaches),
        issues=len(report.issues),
        written=report.written,
    )
    if after is not None:
        _call_hook(entry, "after_error", lambda: after(workbook=workbook, report=report))
    log.append(entry)
    return ScheduledRun(report, attempts, waited)


def _give_up(
    entry: dict[str, Any], error: BaseException, attempts: int, waited: float, log: RunLog,
    now: Callable[[], dt.datetime], on_failure: OnFailure | None, workbook: str,
) -> None:
    known = isinstance(error, SheetopsError)
    entry.update(
        finished=now().isoformat(timespec="seconds"),
        result="failed",
        exit_code=exit_code_of(error) if isinstance(error, SheetopsError) else 1,
        error=error_kind_of(error) if isinstance(error, SheetopsError) else "crashed",
        message=str(error) if known else f"{type(error).__name__}: {error}",
        attempts=attempts,
        waited=round(waited, 1),
    )
    if on_failure is not None:
        _call_hook(entry, "notify_error", lambda: on_failure(workbook, error))
    log.append(entry)


def _call_hook(entry: dict[str, Any], key: str, hook: Callable[[], object]) -> None:
    try:
        hook()
    except Exception as exc:  # the run's own result stands; the log says the hook failed
        entry[key] = f"{type(exc).__name__}: {exc}"
