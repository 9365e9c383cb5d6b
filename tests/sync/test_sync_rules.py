"""Stop rules: the last N periods with data, consecutive, each meeting the condition."""

from __future__ import annotations

import datetime as dt
import math
import random
from array import array

import pytest
from sync_workbooks import (
    CPA_RULE,
    FRIDAY,
    LAST_MONDAY,
    MONDAY,
    ROMI_RULE,
    UNSUBSCRIBE_RULE,
    Book,
    Row,
    daily_run,
    week_row,
)

from sheetops.sync.facts import DAILY_KEYS, NO_FIGURE, DayTable
from sheetops.sync.kpis import metric_value
from sheetops.sync.rules import DayRun, Point, StreakPeriods, _day_streak, holds, streak
from sheetops.tables import StopRule
from sheetops.values import Threshold

D = [MONDAY + dt.timedelta(days=i) for i in range(7)]  # Mon 23 .. Sun 29 November 2026
W = [MONDAY - dt.timedelta(days=7 * i) for i in range(4)]  # 23, 16, 9, 2 November 2026


def days(*pairs: tuple[int, float | None], spend: float | None = 100) -> list[Point]:
    """Points newest first from (day index into D, value)."""
    return [Point(D[i], value, spend) for i, value in pairs]


@pytest.mark.parametrize(
    ("case", "points", "expected"),
    [
        ("three days above", days((4, 200), (3, 210), (2, 220)), 3),
        ("the run counts back as far as it holds", days((4, 200), (3, 210), (2, 220), (1, 230), (0, 240)), 5),
        ("a day without data breaks the run", days((4, 200), (3, 210), (1, 220), (0, 230)), 2),
        ("a day below the threshold breaks the run", days((4, 200), (3, 100), (2, 220)), 1),
        ("the newest day below: no run", days((4, 100), (3, 210), (2, 220)), 0),
        ("an undefined value breaks the run", days((4, 200), (3, None), (2, 220)), 1),
        ("an infinite cost is above any threshold", days((4, math.inf), (3, math.inf)), 2),
        ("equal is not above", days((4, 150),), 0),
        ("no periods", [], 0),
    ],
)
def test_streak_of_days_above_a_threshold(case: str, points: list[Point], expected: int) -> None:
    assert len(streak(points, period="day", condition=">", threshold=150, min_spend=None)) == expected


@pytest.mark.parametrize(
    ("condition", "value", "threshold", "expected"),
    [
        (">", 151, 150, True), (">", 150, 150, False),
        (">=", 150, 150, True), (">=", 149.99, 150, False),
        ("<", -0.01, 0, True), ("<", 0, 0, False),
        ("<=", 0, 0, True), ("<=", 0.01, 0, False),
        (">", math.inf, 1e12, True), ("<", math.inf, 1e12, False),
        (">", None, 0, False),
    ],
)
def test_conditions(condition: str, value: float | None, threshold: float, expected: bool) -> None:
    assert holds(Point(D[0], value, 100), condition, threshold, None) is expected


@pytest.mark.parametrize(
    ("spend", "min_spend", "expected"),
    [(100, 50, True), (50, 50, True), (49.99, 50, False), (None, 50, False), (0, None, True), (None, None, True)],
)
def test_min_spend(spend: float | None, min_spend: float | None, expected: bool) -> None:
    assert holds(Point(D[0], 200, spend), ">", 150, min_spend) is expected


def test_weeks_must_be_consecutive_calendar_weeks() -> None:
    points = [Point(W[0], -0.5, 500), Point(W[1], -0.2, 500), Point(W[3], -0.9, 500)]
    assert [p.start for p in streak(points, period="week", condition="<", threshold=0, min_spend=100)] == W[:2]


# -- rules judged on workbooks ---------------------------------------------------------------------------


def social_ads_days(cpa_by_day: dict[int, tuple[float, float]]) -> list[Row]:
    """Daily rows of Social ads: day index into D -> (spend, orders)."""
    return [
        {"date": D[i], "channel": "Social ads", "spend": spend, "orders": orders, "leads": 10, "revenue": 0}
        for i, (spend, orders) in sorted(cpa_by_day.items())
    ]


def breaches_of(book: Book, as_of: dt.date = FRIDAY) -> list[tuple[str, str, list[dt.date], int]]:
    return [(b.rule.name, b.channel.name, [p.start for p in b.periods], b.streak)
            for b in book.analyze(as_of).breaches]


CPA = CPA_RULE["rule"]
# Social ads' target CPA is 150; Min spend is 50.
BAD, GOOD, SMALL = (300, 1), (100, 1), (40, 0)
CPA_CASES = [
    ("three days above target", {2: BAD, 3: BAD, 4: BAD}, FRIDAY, [D[2], D[3], D[4]]),
    ("the streak counts back five days", {0: BAD, 1: BAD, 2: BAD, 3: BAD, 4: BAD}, FRIDAY, D[:5]),
    ("two days are not three", {3: BAD, 4: BAD}, FRIDAY, None),
    ("a missing day breaks the run", {0: BAD, 1: BAD, 3: BAD, 4: BAD}, FRIDAY, None),
    ("a good day breaks the run", {0: BAD, 1: BAD, 2: GOOD, 3: BAD, 4: BAD}, FRIDAY, None),
    ("a day under Min spend breaks the run", {0: BAD, 1: BAD, 2: SMALL, 3: BAD, 4: BAD}, FRIDAY, None),
    ("the last days with data need not reach the as-of date", {0: BAD, 1: BAD, 2: BAD}, FRIDAY, D[:3]),
    ("days after the as-of date are not looked at", {0: BAD, 1: BAD, 2: BAD, 3: GOOD}, D[2], D[:3]),
    ("money spent on no orders is above any target", {2: (300, 0), 3: (300, 0), 4: (300, 0)}, FRIDAY, D[2:5]),
]


@pytest.mark.parametrize(("case", "days_", "as_of", "expected"), CPA_CASES, ids=[c[0] for c in CPA_CASES])
def test_cpa_above_target_three_days_in_a_row(
    book: Book, case: str, days_: dict[int, tuple[float, float]], as_of: dt.date, expected: list[dt.date] | None
) -> None:
    book.rules = [dict(CPA_RULE)]
    book.daily = social_ads_days(days_)
    found = breaches_of(book, as_of)
    assert found == ([(CPA, "Social ads", expected, len(expected))] if expected else [])


def test_the_breach_reports_values_threshold_action_and_owner(book: Book) -> None:
    book.rules = [dict(CPA_RULE)]
    book.daily = social_ads_days({2: (320, 2), 3: (212.4, 1), 4: (300, 0)})
    (breach,) = book.analyze().breaches
    assert breach.values == (160.0, 212.4, math.inf)
    assert breach.threshold == 150 and breach.uses_target
    assert breach.rule.action == "stop" and breach.channel.owner == "Anna Kuznetsova"
    assert breach.since == D[2] and breach.metric == "cpa" and breach.period == "day" and breach.streak == 3


def all_paid_days_bad() -> list[Row]:
    """Three days of CPA 1 000 for every channel: any rule on CPA that covers one breaches it."""
    return [
        row
        for channel in ("Search ads", "Social ads", "Blog", "E-mail", "PR")
        for row in daily_run(channel, D[2], spend=[1000] * 3, orders=[1] * 3, leads=[1] * 3, revenue=[0] * 3)
    ]


@pytest.mark.parametrize(
    ("scope", "threshold", "expected"),
    [
        ("Paid", "500", ["Search ads", "Social ads"]),  # a group, by its label
        ("paid", "500", ["Search ads", "Social ads"]),  # by its key
        ("Платные", "500", ["Search ads", "Social ads"]),  # by its Russian label
        ("*", "500", ["Search ads", "Social ads", "Blog", "E-mail"]),  # PR is paused: not judged
        ("Blog", "500", ["Blog"]),  # one channel, by name
        ("E-mail", "target", ["E-mail"]),  # E-mail's target CPA is 40
        ("*", "target*1.5", ["Search ads", "Social ads", "E-mail"]),  # Blog has no target CPA
        ("*", "2000", []),
    ],
)
def test_who_a_rule_covers(book: Book, scope: str, threshold: str, expected: list[str]) -> None:
    book.rules = [{**CPA_RULE, "channel": scope, "threshold": threshold, "min_spend": None}]
    book.daily = all_paid_days_bad()
    assert [channel for _, channel, _, _ in breaches_of(book)] == expected


@pytest.mark.parametrize(
    ("threshold", "cpa", "breached", "resolved"),
    [
        ("target", 151, True, 150),
        ("target", 150, False, 150),
        ("target*1.2", 179, False, 180),
        ("target*1.2", 181, True, 180),
        ("target * 0.5", 76, True, 75),
        ("цель*2", 301, True, 300),
        ("160", 161, True, 160),
    ],
)
def test_a_target_threshold_is_the_channels_target_times_the_factor(
    book: Book, threshold: str, cpa: float, breached: bool, resolved: float
) -> None:
    book.rules = [{**CPA_RULE, "channel": "Social ads", "threshold": threshold, "min_spend": None}]
    book.daily = social_ads_days({2: (cpa, 1), 3: (cpa, 1), 4: (cpa, 1)})
    found = book.analyze().breaches
    assert bool(found) is breached
    if found:
        assert found[0].threshold == pytest.approx(resolved)


def test_a_channel_without_the_target_is_a_data_issue_not_a_silent_pass(book: Book) -> None:
    book.rules = [{**CPA_RULE, "channel": "*"}]  # Blog has no Target CPA
    book.daily = all_paid_days_bad()
    analysis = book.analyze()
    assert "Blog" not in [b.channel.name for b in analysis.breaches]
    (issue,) = [i for i in analysis.issues if "Blog" in i.message]
    assert issue.cell == "Stop rules!E2" and issue.severity == "warning"
    assert "Channels!G4" in issue.message  # where to type Blog's Target CPA


def test_paused_and_stopped_channels_are_not_judged(book: Book) -> None:
    book.channels[0]["status"] = "Stopped"
    book.rules = [{**CPA_RULE, "channel": "*", "threshold": "100"}]
    book.daily = all_paid_days_bad()
    judged = [channel for _, channel, _, _ in breaches_of(book)]
    assert "Search ads" not in judged and "PR" not in judged and "Social ads" in judged


def test_a_disabled_rule_is_not_judged(book: Book) -> None:
    book.rules = [{**CPA_RULE, "enabled": "No"}]
    book.daily = all_paid_days_bad()
    assert breaches_of(book) == []


def email_week(monday: dt.date, sent: float, unsubscribed: float) -> Row:
    return week_row("E-mail", monday, spend=50, emails_sent=sent, unsubscribes=unsubscribed, orders=5, revenue=1000)


UNSUBSCRIBE = UNSUBSCRIBE_RULE["rule"]


def test_a_week_rule_on_the_week_containing_the_as_of_date(book: Book) -> None:
    book.rules = [dict(UNSUBSCRIBE_RULE)]
    book.plan_fact = [email_week(LAST_MONDAY, 1000, 20), email_week(MONDAY, 1000, 11)]
    assert breaches_of(book) == [(UNSUBSCRIBE, "E-mail", [LAST_MONDAY, MONDAY], 2)]
    assert breaches_of(book, as_of=LAST_MONDAY + dt.timedelta(days=6)) == [(UNSUBSCRIBE, "E-mail", [LAST_MONDAY], 1)]


def test_a_week_rule_uses_the_daily_fallback(book: Book) -> None:
    book.rules = [dict(UNSUBSCRIBE_RULE)]
    book.plan_fact = [week_row("E-mail", MONDAY, spend=50)]  # this week's e-mail figures are in Daily
    book.daily = daily_run("E-mail", MONDAY, emails_sent=[500, 500], unsubscribes=[4, 8], spend=[0, 0], leads=[0, 0],
                           orders=[0, 0], revenue=[0, 0])
    (breach,) = book.analyze().breaches
    assert breach.values[0] == pytest.approx(0.012) and breach.streak == 1
    assert breach.periods[0].fact_source == "mixed"


ROMI = ROMI_RULE["rule"]


def romi_week(monday: dt.date, spend: float, revenue: float, **more: float) -> Row:
    return week_row("Search ads", monday, spend=spend, revenue=revenue, **more)


@pytest.mark.parametrize(
    ("case", "weeks", "expected"),
    [
        ("two weeks below zero", [romi_week(W[1], 500, 100), romi_week(W[0], 500, 100)], [W[1], W[0]]),
        ("a week without facts breaks the run", [romi_week(W[2], 500, 100), romi_week(W[0], 500, 100)], None),
        ("a week with only a plan breaks the run",
         [romi_week(W[2], 500, 100), week_row("Search ads", W[1], spend_plan=500), romi_week(W[0], 500, 100)],
         None),
        ("a week under Min spend breaks the run", [romi_week(W[1], 99, 0), romi_week(W[0], 500, 100)], None),
        ("with revenue x margin above spend ROMI is positive",
         [romi_week(W[1], 500, 100), romi_week(W[0], 500, 1100)], None),
        ("the streak counts back three weeks",
         [romi_week(W[2], 500, 0), romi_week(W[1], 500, 100), romi_week(W[0], 500, 100)], [W[2], W[1], W[0]]),
    ],
)
def test_romi_below_zero_two_weeks_in_a_row(
    book: Book, case: str, weeks: list[Row], expected: list[dt.date] | None
) -> None:
    book.rules = [dict(ROMI_RULE)]
    book.plan_fact = weeks
    assert breaches_of(book) == ([(ROMI, "Search ads", expected, len(expected))] if expected else [])


def test_a_day_rule_on_a_metric_daily_cannot_give_is_a_warning(book: Book) -> None:
    book.rules = [{**CPA_RULE, "metric": "CAC", "threshold": "100"}]
    analysis = book.analyze()
    (issue,) = analysis.issues
    assert issue.cell == "Stop rules!G2" and issue.severity == "warning"
    assert "New customers" in issue.message and "per Week" in issue.message


# A threshold is compared as a person compares: target*1.1 with a target of 100 is 110, and a metric
# of exactly 110 meets ">=" (binary floating point says 100*1.1 = 110.00000000000001).
THRESHOLD_EDGES = [
    # (metric, target column, target, condition, threshold typed, spend, the other figure, breached)
    ("CPA", "target_cpa", 100, ">=", "target*1.1", 440, {"orders": 4}, True),
    ("CPA", "target_cpa", 100, ">", "target*1.1", 440, {"orders": 4}, False),
    ("CPA", "target_cpa", 100, ">", "target*1,1", 444, {"orders": 4}, True),
    ("ROAS", "target_roas", 3, "<", "target*0.8", 300, {"revenue": 720}, False),
    ("ROAS", "target_roas", 3, "<=", "target*0.8", 300, {"revenue": 720}, True),
    ("ROAS", "target_roas", 3, "<", "target*0.8", 300, {"revenue": 719}, True),
    ("CPL", "target_cpl", 0.1, ">=", "target*0.7", 0.7, {"leads": 10}, True),  # 0.7/10 = 0.06999999999999999
    ("CPL", "target_cpl", 0.1, ">", "target*0.7", 0.7, {"leads": 10}, False),
]


@pytest.mark.parametrize(("metric", "column", "target", "condition", "typed", "spend", "other", "breached"),
                         THRESHOLD_EDGES)
def test_a_threshold_equal_to_the_metric_is_equal(
    book: Book, metric: str, column: str, target: float, condition: str, typed: str, spend: float,
    other: dict[str, float], breached: bool,
) -> None:
    book.channels[0][column] = target  # Search ads
    book.rules = [{**CPA_RULE, "rule": "edge", "channel": "Search ads", "metric": metric, "condition": condition,
                   "threshold": typed, "periods_in_a_row": 1, "min_spend": None}]
    figures = {"leads": 1, "orders": 1, "revenue": 0, **other}
    book.daily = daily_run("Search ads", FRIDAY, spend=[spend], **{k: [v] for k, v in figures.items()})
    breaches = book.analyze().breaches
    assert bool(breaches) is breached
    if breaches:
        assert breaches[0].threshold == float(round(target * float(typed.split("*")[1].replace(",", ".")), 9))


def test_the_note_and_the_decisions_show_the_threshold_as_typed(book: Book) -> None:
    from sheetops.sync.summary import breach_note

    book.channels[0]["target_cpa"] = 100
    book.rules = [{**CPA_RULE, "rule": "edge", "channel": "Search ads", "condition": ">=", "threshold": "target*1.1",
                   "periods_in_a_row": 1, "min_spend": None}]
    book.daily = daily_run("Search ads", FRIDAY, spend=[440], leads=[1], orders=[4], revenue=[0])
    (breach,) = book.analyze().breaches
    assert "CPA 110.00 >= 110.00 (target*1.1)" in breach_note(breach, book.template, "en")


def _table(rng: random.Random, size: int, threshold: float, upward: bool) -> DayTable:
    """``size`` Daily rows of one channel, mostly on consecutive days: figures mostly above
    ``threshold`` (``upward``, else below), a few on the other side, equal to it or within
    the tolerance of it; now and then a day missing, a figure left empty or a spend at or
    near 100."""
    ordinals, day = [], dt.date(2020, 1, 1).toordinal()
    for _ in range(size):
        day += 2 if rng.random() < 0.002 else 1
        ordinals.append(day)
    figures = [array("d", [NO_FIGURE] * size) for _ in DAILY_KEYS]

    def figure() -> float:
        pick = rng.random()
        if pick < 0.002:
            return NO_FIGURE
        if pick < 0.004:
            return threshold
        if pick < 0.006:
            return threshold * (1 + rng.choice([-1, 1]) * 1e-11)
        if pick < 0.012:
            return threshold * (rng.uniform(0.5, 1) if upward else rng.uniform(1, 2))
        return threshold * (rng.uniform(1, 3) if upward else rng.uniform(0, 1))

    for i in range(size):
        figures[DAILY_KEYS.index("leads")][i] = figure()
        figures[DAILY_KEYS.index("spend")][i] = NO_FIGURE if rng.random() < 0.001 else rng.choice(
            [99.99, 100 * (1 - 1e-11), 100.0]) if rng.random() < 0.003 else rng.uniform(100, 900)
        figures[DAILY_KEYS.index("orders")][i] = float(rng.randint(0, 3))
    return DayTable(array("i", ordinals), array("i", range(1, size + 1)), figures)


def _rule(metric: str, condition: str, threshold: float, min_spend: float | None) -> StopRule:
    return StopRule(2, "r", "*", metric, condition, Threshold(threshold, None, "E2"), 1, "day", "stop", min_spend, True,
                    "Stop rules!E2")


def _one_day_at_a_time(rule: StopRule, table: DayTable, last: dt.date, threshold: float) -> list[Point]:
    """The streak as :func:`streak` finds it from the table's rows, one day at a time."""
    points = []
    for at in range(table.position(last), -1, -1):
        numbers = {k: (None if f[at] < 0 else f[at]) for k, f in zip(DAILY_KEYS, table.figures, strict=True)}
        if all(v is None for v in numbers.values()):
            break
        points.append(Point(dt.date.fromordinal(table.ordinals[at]), metric_value(rule.metric, numbers, 0.3),
                            numbers["spend"]))
    return streak(points, period="day", condition=rule.condition, threshold=threshold, min_spend=rule.min_spend)


@pytest.mark.parametrize("seed", range(40))
def test_a_long_day_streak_found_by_blocks_is_the_one_found_day_by_day(seed: int) -> None:
    """A day rule's streak is tested a block of days at a time (by the block's extreme
    figure) and day by day only where it ends: the same days and values as day by day,
    whatever the condition, the figures near the threshold, the days or figures missing."""
    _compare_streaks(seed)


def test_the_streaks_compared_include_long_ones() -> None:
    assert max(_compare_streaks(seed) for seed in range(40)) > 300


def _compare_streaks(seed: int) -> int:
    """Find the streaks of a random rule on a random table both ways, from its last day and
    from a day within it, and compare them; return the longest streak met."""
    rng = random.Random(seed)
    threshold = rng.choice([0.0, 1.0, 40.0, 150.5])
    condition = rng.choice([">", ">=", "<", "<="])
    metric = rng.choice(["leads", "leads", "cpa"])  # cpa: computed from each row, day by day
    rule = _rule(metric, condition, threshold, rng.choice([None, 100.0]))
    table = _table(rng, rng.choice([50, 3000]), threshold, condition in (">", ">="))
    longest = 0
    for last_at in (len(table) - 1, rng.randrange(len(table))):
        last = dt.date.fromordinal(table.ordinals[last_at])
        starts, values = _day_streak(rule, table, last, threshold, 0.3)
        expected = _one_day_at_a_time(rule, table, last, threshold)[::-1]
        assert list(starts) == [p.start for p in expected]
        assert values == [p.value for p in expected]
        assert len(starts) == len(expected)
        assert starts == DayRun(starts.first, len(expected))
        longest = max(longest, len(expected))
    return longest


@pytest.mark.parametrize("periods", [1, 2, 3, 10])
def test_the_cells_of_a_day_streak_are_those_of_its_days(book: Book, periods: int) -> None:
    """The cells marked for a day streak, read from the channel's Daily rows at once, are
    those of its latest periods' facts, one day at a time."""
    book.rules = [{**CPA_RULE, "periods_in_a_row": min(periods, 3)}]
    book.daily = social_ads_days({2: (320, 2), 3: (212.4, 1), 4: (300, 0)})
    (breach,) = book.analyze().breaches
    assert isinstance(breach.periods, StreakPeriods) and isinstance(breach.periods.starts, DayRun)
    for component in ("spend", "orders", "leads"):
        one_by_one = [cell for fact in breach.periods[-periods:] for cell in fact.cells(component)]
        assert breach.periods.cells(component, periods) == one_by_one
        assert len(one_by_one) == min(periods, 3)
