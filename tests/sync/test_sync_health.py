"""The quarterly KPI check: rank correlations against answers computed by hand, and verdicts."""

from __future__ import annotations

import datetime as dt

import pytest
from sync_workbooks import Book, week_row

from sheetops.sync.engine import run_sync
from sheetops.sync.health import change, spearman, verdict_of

pytest.importorskip("pandas")


@pytest.mark.parametrize(
    ("xs", "ys", "rho", "pairs"),
    [
        ([1, 2, 3], [10, 20, 30], 1.0, 3),
        ([1, 2, 3, 4], [4, 3, 2, 1], -1.0, 4),
        # no ties: 1 − 6·Σd² / (n(n² − 1)) = 1 − 6·4 / 120
        ([1, 2, 3, 4, 5], [2, 1, 4, 3, 5], 0.8, 5),
        # a tie: y's ranks 1, 2, 3.5, 5, 3.5; Pearson's r of the ranks = 8 / √(10 · 9.5)
        ([1, 2, 3, 4, 5], [5, 6, 7, 8, 7], 8 / (10 * 9.5) ** 0.5, 5),
        # a value on one side only: that week is left out
        ([1, None, 3, 4], [1, 2, None, 2], 1.0, 2),
        ([1, 1, 1], [1, 2, 3], None, 3),  # a constant has no order
        ([5], [7], None, 1),
        ([], [], None, 0),
    ],
)
def test_spearman_by_hand(xs: list[float | None], ys: list[float | None], rho: float | None, pairs: int) -> None:
    found, used = spearman(xs, ys)
    assert used == pairs
    assert found == (pytest.approx(rho, abs=1e-6) if rho is not None else None)


@pytest.mark.parametrize(
    ("metric", "rho", "weeks", "before", "weeks_before", "verdict"),
    [
        ("leads", 0.9, 13, None, 0, "tracks"),
        ("leads", 0.5, 8, None, 0, "tracks"),  # exactly the bar
        ("leads", 0.9, 7, None, 0, "too_few_weeks"),  # no verdict from fewer than 8 weeks
        ("cpa", -0.7, 13, None, 0, "tracks"),  # a cost tracks revenue by falling as it grows
        ("cpa", 0.7, 13, -0.8, 13, "stopped_tracking"),
        ("leads", 0.1, 13, 0.8, 13, "stopped_tracking"),
        ("leads", 0.1, 13, 0.8, 7, "never_tracked"),  # the quarter before had too few weeks to count
        ("leads", 0.1, 13, 0.2, 13, "never_tracked"),
        ("roas", None, 13, None, 13, "never_tracked"),  # revenue or the KPI never changed
    ],
)
def test_verdicts(metric: str, rho: float | None, weeks: int, before: float | None, weeks_before: int,
                  verdict: str) -> None:
    assert verdict_of(metric, rho, weeks, before, weeks_before) == verdict


@pytest.mark.parametrize(
    ("values", "moved"),
    [([10, 10, 13, 13], 0.3), ([10, None, 10, 10, 13, 13], 0.3),  # of five, the middle one is in neither half
      ([4, 2], -0.5), ([5], None), ([0, 3], None)],
)
def test_change_compares_the_later_half_with_the_earlier(values: list[float | None], moved: float | None) -> None:
    assert change(values) == (pytest.approx(moved) if moved is not None else None)


MONDAY = dt.date(2026, 11, 23)


def _weeks(count: int) -> list[dt.date]:
    return [MONDAY - dt.timedelta(weeks=i) for i in range(count - 1, -1, -1)]


def test_leads_that_stopped_tracking_revenue_are_flagged(book: Book) -> None:
    """Blog: the quarter before, leads and revenue rose together; this quarter leads keep
    rising while revenue stays flat."""
    rows = []
    for i, monday in enumerate(_weeks(26)):
        if i < 13:
            rows.append(week_row("Blog", monday, spend=100, leads=10 + i, orders=2 + i, revenue=1000 + 100 * i))
        else:
            rows.append(week_row("Blog", monday, spend=100, leads=30 + i, orders=5, revenue=2000 + 7 * (i % 2)))
    book.plan_fact = rows
    report = run_sync(book.backend(), book.template, as_of=MONDAY + dt.timedelta(days=6), dry_run=True,
                      monthly=True)
    health = report.kpi_health
    assert health is not None and health.available
    assert (health.first, health.last, health.weeks) == (_weeks(13)[0], MONDAY, 13)
    leads = next(c for c in health.checks if c.channel == "Blog" and c.metric == "leads")
    assert (leads.weeks, leads.weeks_before, leads.rho_before) == (13, 13, 1.0)
    assert leads.verdict == "stopped_tracking"
    tab = report.changes.tabs[1]
    said = [c.value for row in tab.rows for c in row if isinstance(c.value, str)]
    assert "no longer tracks revenue" in said
    sentence = next(s for s in said if s.startswith("Leads went up"))
    assert "while revenue stayed flat. Blog: Leads no longer tracks revenue" in sentence
    assert sentence.endswith("Judge Blog by ROAS, not Leads.")


def test_without_pandas_the_check_says_how_to_turn_it_on(book: Book, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    book.plan_fact = [week_row("Blog", m, spend=100, leads=10, orders=2, revenue=1000) for m in _weeks(10)]
    report = run_sync(book.backend(), book.template, as_of=MONDAY + dt.timedelta(days=6), dry_run=True,
                      monthly=True)
    assert report.kpi_health is not None and not report.kpi_health.available
    hint = report.as_dict()["kpi_health"]["hint"]
    assert hint == 'the KPI health check needs pandas: pip install "sheetops[analysis]"'
    said = [c.value for row in report.changes.tabs[1].rows for c in row]
    assert any(isinstance(s, str) and 'pip install "sheetops[analysis]"' in s for s in said)


def test_the_friday_sync_never_imports_pandas() -> None:
    import pathlib
    import subprocess
    import sys

    code = ("import sys, datetime as dt\n"
            "from sync_workbooks import Book, week_row\n"
            "from sheetops.sync.engine import run_sync\n"
            "b = Book()\n"
            "b.plan_fact = [week_row('Blog', dt.date(2026, 11, 23), spend=1, leads=1, orders=1, revenue=1)]\n"
            "run_sync(b.backend(), b.template, as_of=dt.date(2026, 11, 27), dry_run=True)\n"
            "print('pandas' in sys.modules)\n")
    here = pathlib.Path(__file__).parent
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=here, check=True)
    assert done.stdout.strip() == "False"
