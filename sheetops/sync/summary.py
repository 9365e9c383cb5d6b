"""What a sync writes, as data: the CMO Summary tab, the Sync Log row, the highlights' notes.

Pure: these functions build :class:`~sheetops.layout.TabLayout` objects, cells and
:class:`~sheetops.backends.Highlight` objects from a computed week; a backend renders
them. Everything is in the workbook's language. The same data and as-of date always give
the same summary and highlights (nothing here reads the clock), so a second sync changes
nothing but the Sync Log.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sheetops import layout, messages
from sheetops.layout import Cell, Style, TabLayout
from sheetops.ports import Highlight
from sheetops.sync.facts import Facts, PeriodFact
from sheetops.sync.kpis import COSTS, METRIC_INPUTS, MONEY, SHARES, add_up, metric_value, shown
from sheetops.sync.period import ReportPeriod
from sheetops.sync.report import ChannelReport, Decisions, Figures, MonthBudget
from sheetops.sync.rules import Breach, StreakPeriods
from sheetops.tables import Settings
from sheetops.templates import Enum, Template
from sheetops.workbook import Finding

TREND_METRICS = ("spend", "leads", "cpa", "romi")
# The channel table's figures: plan, fact and deviation of these, then these KPIs.
_PLANNED = ("spend", "leads", "orders", "revenue")
_KPI_COLUMNS = ("cpl", "cpa", "cr", "roas", "romi", "cac")
RATIO = "0.00"  # ROAS: revenue per unit of spend, e.g. 4.25

Labeller = Callable[[str], str]


def text(key: str, lang: str, **values: object) -> str:
    """A label of the summary in the language (``summary.<key>`` in the message catalogs)."""
    return messages.message(f"summary.{key}", lang, **values)


def status_label(status: str, lang: str) -> str:
    """A channel's status as the summary names it: OK, Watch, Breach... (``status.<key>``)."""
    return messages.message(f"status.{status}", lang)


def count(number: int, noun: str, lang: str) -> str:
    """'3 days', '2 дня', '5 дней': the noun's plural forms are in the message catalogs."""
    return messages.count(number, f"noun.{noun}", lang)


def fit_text(text: str, lang: str, *, source: dict[str, str] | None = None) -> str:
    """A text as a cell can hold it: one longer than ``layout.CELL_TEXT_LIMIT`` is cut and
    ends "… (cut: the whole text has 40000 characters; a cell holds at most 32,767)", and,
    given ``source`` (its ``tab``, ``channel`` and ``week``), where the whole text is."""
    if len(text) <= layout.CELL_TEXT_LIMIT // 2 or layout.text_length(text) <= layout.CELL_TEXT_LIMIT:
        return text
    values = {"length": count(len(text), "character", lang),
              "limit": format_number(layout.CELL_TEXT_LIMIT, lang, 0), **(source or {})}
    return layout.cut_text(text, messages.message("cut_text.source" if source else "cut_text", lang, **values))


def _fitted(rows: list[tuple[Cell, ...]], lang: str) -> tuple[tuple[Cell, ...], ...]:
    """The rows with every text cut to what a cell holds."""
    return tuple(
        tuple(Cell(fit_text(c.value, lang), c.style) if isinstance(c.value, str) else c for c in row) for row in rows
    )


def format_date(day: dt.date, lang: str) -> str:
    return day.strftime("%d.%m.%Y") if lang == "ru" else day.isoformat()


def format_number(number: float, lang: str, decimals: int = 2) -> str:
    """1,234.50 in English; 1 234,50 in Russian (with a no-break space)."""
    shown_text = f"{number:,.{decimals}f}"
    if lang == "ru":
        shown_text = shown_text.replace(",", "\u00a0").replace(".", ",")
    return shown_text


def format_metric(metric: str, value: float, lang: str) -> str:
    if metric in SHARES:
        return format_number(value * 100, lang) + "%"
    if metric in ("leads", "orders"):
        return format_number(value, lang, 0) if float(value).is_integer() else format_number(value, lang)
    return format_number(value, lang)


# -- the CMO Summary tab ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Formats:
    """The number formats of the summary's cells, for the workbook's currency and language."""

    money: str  # amounts: spend, revenue, budgets (whole units unless the workbook's have cents)
    share: str = layout.PERCENT
    count: str = layout.INTEGER
    ratio: str = RATIO
    cost: str | None = None  # costs per lead, order, customer: always with cents
    date: str = layout.DATE

    def of(self, metric: str) -> str:
        if metric in SHARES:
            return self.share
        if metric in COST_METRICS:
            return self.cost or self.money
        if metric in MONEY:
            return self.money
        if metric == "roas":
            return self.ratio
        return self.count


# Costs keep their cents whatever the amounts: a CPL of 2.35 is not 2.
COST_METRICS = frozenset({"cpl", "cpa", "cac", "ltv"})
# The first screen: deviations of these, in this order, next to the channel and its status.
_FIRST_SCREEN = ("spend", "revenue", "leads", "orders")
# Unfavourable deviations beyond this share are red, favourable ones green.
NOTABLE = 0.10
RED_TEXT, GREEN_TEXT = "C00000", "006100"
HEADER_HEIGHT = 45.0  # points: three lines of the channel table's wrapped headers
# Which way is good: more leads is good, more spend than planned is not.
_MORE_IS_BETTER = {"spend": None, "leads": True, "orders": True, "revenue": True, "cpl": False, "cpa": False,
                   "cac": False, "cr": True, "roas": True, "romi": True, "repeat_share": True,
                   "unsubscribe_rate": False, "ltv": True}


def deviation_colour(metric: str, deviation: float | None) -> str | None:
    """Red for an unfavourable deviation of 10% or more, green for a favourable one (spend: red above plan)."""
    if deviation is None or abs(deviation) < NOTABLE - 1e-9:
        return None
    better = _MORE_IS_BETTER.get(metric)
    if better is None:  # spend: over plan is the thing to see; under plan is no alarm
        return RED_TEXT if deviation > 0 else None
    good = deviation > 0 if better else deviation < 0
    return GREEN_TEXT if good else RED_TEXT


def has_cents(channels: Sequence[ChannelReport]) -> bool:
    """True when an amount of the report (spend, revenue, a budget) has cents."""
    amounts: list[float | None] = []
    for report in channels:
        figures = report.figures
        amounts += [figures.plan.get("spend"), figures.plan.get("revenue"), figures.fact.get("spend"),
                    figures.fact.get("revenue"), report.channel.monthly_budget]
    return any(a is not None and not float(a).is_integer() for a in amounts)


def summary_layout(
    *,
    template: Template,
    name: str,
    lang: str,
    settings: Settings,
    as_of: dt.date,
    week: dt.date,
    channels: Sequence[ChannelReport],
    totals: Figures,
    breaches: Sequence[Breach],
    issues: Sequence[Finding],
    facts: Facts,
    tab_names: dict[str, str],
    period: ReportPeriod | None = None,
    decisions: Decisions | None = None,
    month: MonthBudget | None = None,
) -> TabLayout:
    """The CMO Summary tab. Its first screen answers "what needs my decision, and who acts":
    each channel with its status, the decision or action and its owner, the deviations
    from plan and the main KPI against last week; the header row and the channel column
    stay in place while scrolling. Then the details, the decisions needed, missing reports,
    the trend and the data issues.

    ``tab_names`` maps "plan_fact" and "daily" to those tabs' names in the workbook.
    """
    period = period or ReportPeriod(week, as_of, settings.report_day)
    decisions = decisions or Decisions()
    cents = has_cents(channels)
    formats = Formats(layout.money_format(settings.currency, cents=cents),
                      cost=layout.money_format(settings.currency), date=layout.date_format(lang))
    metric_label = _metric_labeller(template, lang)
    rows: list[tuple[Cell, ...]] = [
        (Cell(title(period, lang), Style(bold=True, font_size=14)),),
        (Cell(template.owned_tab_note[lang], Style(italic=True, font_color="808080")),),
        (Cell(text("pace_note", lang, days=period.days_elapsed), Style(italic=True)),) if not period.complete else (),
    ]
    vs = "deviation_to_date" if not period.complete else "deviation"
    header = [text("channel", lang), text("status", lang), text("status_trend", lang), text("decision", lang),
              text("owner", lang)]
    header += [text(vs, lang, metric=metric_label(m)) for m in _FIRST_SCREEN]
    header += [text("main_kpi", lang), text("this_week", lang), text("vs_last_week", lang),
               text("budget_used", lang, days=month.days_elapsed if month else period.as_of.day,
                    total=month.days if month else 30)]
    for metric in _PLANNED:
        label = metric_label(metric)
        header += [text("plan", lang, metric=label), text("fact", lang, metric=label)]
    header += [metric_label(m) for m in _KPI_COLUMNS]
    header += [text("monthly_budget", lang), text("month_spend", lang), text("group", lang), text("rules", lang),
               text("facts_from", lang), text("conclusion", lang)]
    header_style = Style(bold=True, fill=layout.HEADER_FILL, wrap=True)
    rows.append(tuple(Cell(h, header_style) for h in header))
    freeze_rows = len(rows)
    groups = template.enum("group")
    actions = template.enum("action")
    for report in channels:
        group = report.channel.group
        figures = report.figures
        deviation = figures.deviation_to_date if not period.complete else figures.deviation
        change = report.change
        main = change.metric if change is not None else None
        rows.append((
            Cell(report.name, Style(bold=True)),
            Cell(status_label(report.status, lang), Style(fill=layout.STATUS_FILLS[report.status])),
            Cell(None),  # the channel's main KPI over the last weeks, drawn in the cell (a sparkline)
            Cell(_decision(report, actions, decisions, lang), Style(wrap=True)),
            Cell(report.channel.owner),
            *(_deviation_cell(m, deviation.get(m), formats) for m in _FIRST_SCREEN),
            Cell(metric_label(main) if main else None),
            Cell(change.value if change is not None else None, Style(number_format=formats.of(main or "spend"))),
            _change_cell(main, change.change if change is not None else None, formats),
            _budget_cell(report.month, formats),
            *_detail_cells(figures, formats),
            Cell(report.channel.monthly_budget, Style(number_format=formats.money)),
            Cell(report.month.spend if report.month else None, Style(number_format=formats.money)),
            Cell(groups.label_of(group, lang) if group else None),
            Cell("; ".join(b.rule.name for b in report.breaches) or None, Style(wrap=True)),
            Cell(_facts_from(report, tab_names, lang, template)),
            Cell(_conclusion(report, tab_names, week, lang), Style(wrap=True)),
        ))
    bold = Style(bold=True)
    total_deviation = totals.deviation_to_date if not period.complete else totals.deviation
    rows.append((
        Cell(text("total", lang), bold), Cell(None), Cell(None), Cell(None), Cell(None),
        *(_deviation_cell(m, total_deviation.get(m), formats, bold=True) for m in _FIRST_SCREEN),
        Cell(None), Cell(None), Cell(None),
        _budget_cell(month, formats, bold=True),
        *_detail_cells(totals, formats, bold=True),
        Cell(month.budget if month else None, Style(bold=True, number_format=formats.money)),
        Cell(month.spend if month else None, Style(bold=True, number_format=formats.money)),
    ))
    left_out = left_out_note(totals, channels, lang)
    if left_out:
        rows.append((Cell(left_out, Style(italic=True)),))
    rows.append(())

    rows += _decisions(breaches, decisions, template, lang, metric_label, formats)
    rows.append(())
    rows += _missing(channels, lang)
    rows.append(())
    rows += _trend(channels, facts, week, settings, lang, metric_label, formats)
    rows.append(())
    rows += _issues(issues, lang)
    rows.append(())
    chart_rows, charts, sparklines = chart_section(len(rows), channels, facts, week, settings, lang, metric_label,
                                                   formats, first_channel_row=freeze_rows)
    rows += chart_rows

    widths = (24.0, 12.0, 14.0, 24.0, 20.0, *([11.0] * len(_FIRST_SCREEN)), 12.0, 11.0, 11.0, 17.0,
              *([12.0] * (2 * len(_PLANNED) + len(_KPI_COLUMNS))), 12.0, 12.0, 11.0, 36.0, 20.0, 40.0)
    return TabLayout(key="summary", name=name, rows=_fitted(rows, lang), widths=widths, freeze_rows=freeze_rows,
                     freeze_cols=1, row_heights={freeze_rows - 1: HEADER_HEIGHT}, owned=True, charts=charts,
                     sparklines=sparklines)


def _metric_labeller(template: Template, lang: str) -> Labeller:
    metrics = template.enum("metric")

    def label(metric: str) -> str:
        return metrics.label_of(metric, lang)

    return label


def title(period: ReportPeriod, lang: str) -> str:
    """'CMO Summary: week of 2026-11-23 to 2026-11-29, as of 2026-11-27 (week to date, 5 of 7 days)'."""
    week, end, as_of = (format_date(d, lang) for d in (period.week, period.end, period.as_of))
    if period.complete:
        return text("title_whole", lang, week=week, end=end)
    return text("title", lang, week=week, end=end, as_of=as_of, days=period.days_elapsed)


def _deviation_cell(metric: str, value: float | None, formats: Formats, *, bold: bool = False) -> Cell:
    return Cell(value, Style(bold=bold, number_format=formats.share, font_color=deviation_colour(metric, value)))


def _change_cell(metric: str | None, value: float | None, formats: Formats) -> Cell:
    colour = deviation_colour(metric, value) if metric is not None and metric != "spend" else None
    return Cell(value, Style(number_format=formats.share, font_color=colour))


def _budget_cell(month: MonthBudget | None, formats: Formats, *, bold: bool = False) -> Cell:
    used = month.used if month is not None else None
    ahead = month is not None and used is not None and used > month.days_elapsed / month.days + NOTABLE
    return Cell(used, Style(bold=bold, number_format=formats.share, font_color=RED_TEXT if ahead else None))


def _detail_cells(figures: Figures, formats: Formats, *, bold: bool = False) -> list[Cell]:
    def cell(value: float | None, number_format: str) -> Cell:
        return Cell(value, Style(bold=bold, number_format=number_format))

    cells = []
    for metric in _PLANNED:
        number_format = formats.of(metric)
        cells += [cell(figures.plan.get(metric), number_format), cell(figures.fact.get(metric), number_format)]
    cells += [cell(figures.kpi.get(m), formats.of(m)) for m in _KPI_COLUMNS]
    return cells


def _conclusion(report: ChannelReport, tab_names: dict[str, str], week: dt.date, lang: str) -> str | None:
    """What the owner wrote in Plan-Fact; a text too long for a cell says where it is whole."""
    if not report.conclusion or "plan_fact" not in tab_names:
        return report.conclusion
    source = {"tab": tab_names["plan_fact"], "channel": report.name, "week": format_date(week, lang)}
    return fit_text(report.conclusion, lang, source=source)


def _decision(report: ChannelReport, actions: Enum, decisions: Decisions, lang: str) -> str | None:
    """The breached rules' actions, each with whether it is new; else what the owner typed in Plan-Fact."""
    if report.breaches:
        seen: list[str] = []
        for breach in report.breaches:
            label = f"{actions.label_of(breach.rule.action, lang)} ({text(decisions.state(breach), lang)})"
            if label not in seen:
                seen.append(label)
        return "; ".join(seen)
    return report.action


def left_out_note(totals: Figures, channels: Sequence[ChannelReport], lang: str) -> str | None:
    """Which channels the Total's deviations leave out, and why; None when none is."""
    named: dict[str, str] = {}
    by_name = {c.name: c for c in channels}
    for key in _PLANNED:
        for name in totals.left_out.get(key, ()):
            if name in named:
                continue
            has_plan = by_name[name].figures.plan.get(key) is not None
            named[name] = text("no_facts" if has_plan else "no_plan", lang)
    if not named:
        return None
    listed = ", ".join(f"{name} ({why})" for name, why in named.items())
    return text("left_out", lang, channels=listed)


def _facts_from(report: ChannelReport, tab_names: dict[str, str], lang: str, template: Template) -> str | None:
    pf, daily = tab_names.get("plan_fact", "Plan-Fact"), tab_names.get("daily", "Daily")
    if report.fact_source == "plan_fact":
        return pf
    if report.fact_source == "daily":
        return daily
    if report.fact_source == "mixed":
        columns = template.tab("plan_fact")
        what = ", ".join(columns.column(c).header[lang] for c in report.from_daily)
        return text("mixed_from", lang, first=pf, second=daily, what=what)
    return None


def _decisions(
    breaches: Sequence[Breach], decisions: Decisions, template: Template, lang: str, metric_label: Labeller,
    formats: Formats,
) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = [(Cell(text("decisions", lang), Style(bold=True, font_size=12)),)]
    actions = template.enum("action")
    if not breaches:
        rows.append((Cell(text("no_decisions", lang)),))
    else:
        # The rule's name goes last: long text overflows into the empty cells to its right.
        rows.append(tuple(Cell(text(k, lang), layout.HEADER) for k in (
            "channel", "action", "owner", "state", "since", "in_a_row", "last_value", "condition", "threshold",
            "rule")))
        for breach in breaches:
            number_format = formats.of(breach.metric)
            last = shown(breach.values[-1])
            condition = f"{metric_label(breach.metric)} {breach.rule.condition}"
            if breach.uses_target:
                typed = breach.rule.threshold.typed
                condition += f" {typed if typed and '*' in typed else text('target', lang)}"  # as typed: target*1.1
            state = decisions.state(breach)
            rows.append((
                Cell(breach.channel.name),
                Cell(actions.label_of(breach.rule.action, lang)),
                Cell(breach.channel.owner),
                Cell(text(state, lang), Style(bold=state == "new")),
                Cell(breach.since, Style(number_format=formats.date)),
                Cell(count(breach.streak, breach.period, lang)),
                Cell(last if last is not None else "∞", Style(number_format=number_format)),
                Cell(condition),
                Cell(breach.threshold, Style(number_format=number_format)),
                Cell(breach.rule.name),
            ))
    if decisions.resolved:
        rows.append((Cell(text("resolved_title", lang), Style(bold=True)),))
        rows.append(tuple(Cell(text(k, lang), layout.HEADER) for k in ("channel", "action", "owner", "rule")))
        for breach in decisions.resolved:
            rows.append((Cell(breach.channel.name), Cell(actions.label_of(breach.rule.action, lang)),
                         Cell(breach.channel.owner), Cell(breach.rule.name)))
    if decisions.since is not None and (breaches or decisions.resolved):
        rows.append((Cell(text("decisions_since", lang, since=format_date(decisions.since, lang)),
                          Style(italic=True, font_color="808080")),))
    return rows


def _missing(channels: Sequence[ChannelReport], lang: str) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = [(Cell(text("missing", lang), Style(bold=True, font_size=12)),)]
    missing = [c for c in channels if c.status == "no_data"]
    if not missing:
        return [*rows, (Cell(text("no_missing", lang)),)]
    rows.append(tuple(Cell(text(k, lang), layout.HEADER) for k in ("channel", "owner", "status")))
    for report in missing:
        rows.append((Cell(report.name), Cell(report.channel.owner), Cell(text("missing_note", lang))))
    return rows


def _trend(
    channels: Sequence[ChannelReport],
    facts: Facts,
    week: dt.date,
    settings: Settings,
    lang: str,
    metric_label: Labeller,
    formats: Formats,
) -> list[tuple[Cell, ...]]:
    """One small table per metric: a row per channel (and the total), a column per week."""
    count_weeks = max(1, settings.trend_weeks)
    mondays = [week - dt.timedelta(days=7 * i) for i in range(count_weeks - 1, -1, -1)]
    rows: list[tuple[Cell, ...]] = [(Cell(text("trend", lang, n=count(count_weeks, "week_acc", lang)),
                                          Style(bold=True, font_size=12)),)]
    by_week = {
        (c.name, m): fact.values
        for c in channels
        for m in mondays
        if (fact := facts.week(c.name, m)) is not None and fact.has_data
    }
    shown_channels = [c for c in channels if any((c.name, m) in by_week for m in mondays)]
    totals = {m: add_up(v for (_, w), v in by_week.items() if w == m) for m in mondays}
    gross_margin = settings.gross_margin
    for metric in TREND_METRICS:
        week_style = Style(bold=True, fill=layout.HEADER_FILL, number_format=formats.date)
        rows.append((Cell(metric_label(metric), layout.HEADER), *(Cell(m, week_style) for m in mondays)))
        style = Style(number_format=formats.of(metric))
        for report in shown_channels:
            values = [by_week.get((report.name, m)) for m in mondays]
            rows.append((Cell(report.name), *(
                Cell(shown(metric_value(metric, v, gross_margin)) if v is not None else None, style) for v in values
            )))
        bold = Style(bold=True, number_format=formats.of(metric))
        rows.append((Cell(text("total", lang), Style(bold=True)), *(
            Cell(shown(metric_value(metric, totals[m], gross_margin)) if any(
                (c.name, m) in by_week for c in shown_channels) else None, bold)
            for m in mondays
        )))
    return rows


# -- the charts ------------------------------------------------------------------------------------------

# The rows left empty under the Charts title, for the charts to sit on (20 px each).
CHART_ROWS = 16
SPEND_COLOUR, REVENUE_COLOUR = "4472C4", "70AD47"
SPEND_PLAN_COLOUR, REVENUE_PLAN_COLOUR = "A5B8E0", "A9D18E"
KPI_COLOUR, TARGET_COLOUR = "ED7D31", "7F7F7F"
# Costs are better below target: their share of target is target / fact; the others fact / target.
_LOWER_IS_BETTER = frozenset({"cpl", "cpa", "cac"})


def target_share(metric: str, value: float | None, target: float | None) -> float | None:
    """How a KPI stands against its target, more being better: 1.0 on target, 1.25 a
    quarter better (a CPA of 80 against 100, a ROAS of 5 against 4); None without both."""
    if value is None or target is None or value <= 0 or target <= 0 or not math.isfinite(value):
        return None
    return target / value if metric in _LOWER_IS_BETTER else value / target


def chart_section(
    first_row: int,
    channels: Sequence[ChannelReport],
    facts: Facts,
    week: dt.date,
    settings: Settings,
    lang: str,
    metric_label: Labeller,
    formats: Formats,
    *,
    first_channel_row: int | None = None,
) -> tuple[list[tuple[Cell, ...]], tuple[layout.ChartSpec, ...], tuple[layout.Sparkline, ...]]:
    """The Charts title, room for the charts, and the figures they are drawn from (rows
    starting at ``first_row``): spend and revenue by week against plan over the last
    Trend weeks, and each channel's main KPI against its target. The charts point at
    those cells of the same tab. Then each channel's main KPI week by week, from which
    the cell beside its status (column C of the channel table, whose rows start at
    ``first_channel_row``) draws a sparkline."""
    from sheetops.layout import CellRange, ChartSeries, ChartSpec, Sparkline
    from sheetops.sync.trend import weekly_trend

    trend = weekly_trend(channels, facts, week, settings.trend_weeks, settings.gross_margin)
    section = Style(bold=True, font_size=12)
    rows: list[tuple[Cell, ...]] = [(Cell(text("charts", lang), section),)]
    chart_row = first_row + 1
    rows += [()] * CHART_ROWS
    rows.append((Cell(text("chart_data", lang), section),))
    money = Style(number_format=formats.money)
    spend, revenue = metric_label("spend"), metric_label("revenue")
    rows.append(tuple(Cell(h, layout.HEADER) for h in (
        text("week", lang), text("plan", lang, metric=spend), text("fact", lang, metric=spend),
        text("plan", lang, metric=revenue), text("fact", lang, metric=revenue))))
    top = first_row + len(rows)
    date_style = Style(number_format=formats.date)
    for index, monday in enumerate(trend.weeks):
        rows.append((Cell(monday, date_style), Cell(trend.plan["spend"][index], money),
                     Cell(trend.totals["spend"][index], money), Cell(trend.plan["revenue"][index], money),
                     Cell(trend.totals["revenue"][index], money)))
    bottom = first_row + len(rows) - 1

    def column(col: int) -> CellRange:
        return CellRange(top, col, bottom, col)

    charts = [ChartSpec(
        key="spend_revenue", kind="column", title=text("chart_money", lang), anchor=(chart_row, 0),
        categories=column(0), number_format=formats.money, header_row=top - 1,
        series=(ChartSeries(text("fact", lang, metric=spend), column(2), SPEND_COLOUR),
                ChartSeries(text("fact", lang, metric=revenue), column(4), REVENUE_COLOUR),
                ChartSeries(text("plan", lang, metric=spend), column(1), SPEND_PLAN_COLOUR, line=True),
                ChartSeries(text("plan", lang, metric=revenue), column(3), REVENUE_PLAN_COLOUR, line=True)),
    )]
    against: list[tuple[str, str, float, float, float]] = []
    for report in channels:
        metric = report.channel.primary_kpi
        target = report.channel.target(metric) if metric else None
        value = report.figures.kpi.get(metric) if metric else None
        share = target_share(metric, value, target) if metric else None
        if metric and share is not None and value is not None and target is not None:
            against.append((report.name, metric, value, target, share))
    if against:
        target_line = text("target_line", lang) + " = 100%"
        rows.append(())
        rows.append(tuple(Cell(text(k, lang), layout.HEADER) for k in ("channel", "main_kpi", "this_week")) + (
            Cell(text("target_line", lang), layout.HEADER), Cell(text("of_target", lang), layout.HEADER),
            Cell(target_line, layout.HEADER)))
        top = first_row + len(rows)
        share_style = Style(number_format=formats.share)
        for name, metric, value, target, share in against:
            number = Style(number_format=formats.of(metric))
            rows.append((Cell(f"{name}: {metric_label(metric)}"), Cell(metric_label(metric)), Cell(value, number),
                         Cell(target, number), Cell(share, share_style), Cell(1.0, share_style)))
        bottom = first_row + len(rows) - 1
        charts.append(ChartSpec(
            key="kpi_target", kind="column", title=text("chart_kpi", lang), anchor=(chart_row, 4),
            categories=column(0), number_format=formats.share, header_row=top - 1,
            series=(ChartSeries(text("of_target", lang), column(4), KPI_COLOUR),
                    ChartSeries(target_line, column(5), TARGET_COLOUR, line=True)),
        ))
    sparklines: list[Sparkline] = []
    if first_channel_row is not None and channels:
        rows.append(())
        week_style = Style(bold=True, fill=layout.HEADER_FILL, number_format=formats.date)
        rows.append((Cell(text("channel", lang), layout.HEADER), Cell(text("main_kpi", lang), layout.HEADER),
                     *(Cell(m, week_style) for m in trend.weeks)))
        for index, report in enumerate(channels):
            metric = report.change.metric if report.change is not None else (report.channel.primary_kpi or "revenue")
            values = trend.channels.get(report.name, {}).get(metric, (None,) * len(trend.weeks))
            at = first_row + len(rows)
            number = Style(number_format=formats.of(metric))
            rows.append((Cell(report.name), Cell(metric_label(metric)), *(Cell(v, number) for v in values)))
            if any(v is not None for v in values):
                sparklines.append(Sparkline(first_channel_row + index, 2,
                                            CellRange(at, 2, at, 1 + len(trend.weeks)), KPI_COLOUR))
    return rows, tuple(charts), tuple(sparklines)


def _issues(issues: Sequence[Finding], lang: str) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = [(Cell(text("issues", lang), Style(bold=True, font_size=12)),)]
    if not issues:
        return [*rows, (Cell(text("no_issues", lang)),)]
    rows.append(tuple(Cell(text(k, lang), layout.HEADER) for k in ("cell", "problem", "severity")))
    for issue in issues:
        rows.append((Cell(issue.cell), Cell(issue.message), Cell(text(issue.severity, lang))))
    return rows


# -- the Sync Log ---------------------------------------------------------------------------------------


def log_layout(template: Template, name: str, lang: str) -> TabLayout:
    """The Sync Log's header row, as the backend creates the tab when it is missing."""
    spec = template.tab("sync_log")
    return TabLayout(
        key="sync_log",
        name=name,
        rows=(tuple(Cell(c.header[lang], layout.HEADER) for c in spec.columns),),
        widths=tuple(c.width for c in spec.columns),
        owned=True,
    )


def log_result(lang: str, *, breaches: int, issues: int, dry_run: bool = False, stopped: bool = False) -> str:
    """'ok', 'ok, 2 breaches', 'stopped: --strict and 3 data issues', in the language."""
    if stopped:
        return text("stopped", lang, issues=count(issues, "issue", lang))
    parts = [text("dry_run" if dry_run else "ok", lang)]
    if breaches:
        parts.append(count(breaches, "breach", lang))
    if issues:
        parts.append(count(issues, "issue", lang))
    return ", ".join(parts)


def log_row(
    *, when: dt.datetime, as_of: dt.date, rows_read: int, breaches: int, issues: int, duration: float, result: str,
    lang: str = "en", scheduled: bool = False, version: str = "",
) -> tuple[Cell, ...]:
    """One Sync Log row: when (local time to the second, with its offset from UTC), as-of,
    counts, duration, result, whether a person or the schedule ran it, sheetops' version."""
    local = when if when.tzinfo is not None else when.astimezone()
    return (
        Cell(_when(local)),
        Cell(as_of, Style(number_format=layout.date_format(lang))),
        Cell(rows_read, Style(number_format=layout.INTEGER)),
        Cell(breaches, Style(number_format=layout.INTEGER)),
        Cell(issues, Style(number_format=layout.INTEGER)),
        Cell(round(duration, 2), Style(number_format="0.00")),
        Cell(result),
        Cell(text("run_scheduled" if scheduled else "run_manual", lang)),
        Cell(version),
    )


def _when(moment: dt.datetime) -> str:
    """'2026-11-27 18:03:11 UTC+03:00': the local time and how far it is from UTC."""
    offset = moment.utcoffset() or dt.timedelta()
    sign = "-" if offset < dt.timedelta() else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    local = moment.replace(microsecond=0, tzinfo=None).isoformat(sep=" ")
    return f"{local} UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


# -- highlights -----------------------------------------------------------------------------------------


# The values of at most this many of a streak's latest periods are listed in its note.
NOTE_VALUES = 10


def breach_note(breach: Breach, template: Template, lang: str) -> str:
    """The one note of a breach: the rule, the newest period's value and the threshold,
    and for a streak since when, how many periods and their values (the latest
    :data:`NOTE_VALUES` of them, after an ellipsis when there are more)."""
    fact = breach.periods[-1]
    metric = breach.metric
    value_text = _note_value(breach, len(breach.periods) - 1, template, lang)
    threshold = format_metric(metric, breach.threshold, lang)
    if breach.uses_target:
        typed = breach.rule.threshold.typed
        threshold += f" ({typed if typed and '*' in typed else text('target', lang)})"
    when = messages.message(f"note.{breach.period}", lang, date=format_date(fact.start, lang))
    streak = ""
    if breach.streak > 1:
        first = max(0, breach.streak - NOTE_VALUES)
        values = ", ".join(
            messages.message("note.value", lang, date=format_date(breach.periods[index].start, lang),
                             value=_note_value(breach, index, template, lang))
            for index in range(first, breach.streak)
        )
        streak = messages.message("note.streak", lang, count=count(breach.streak, breach.period, lang),
                                  since=format_date(breach.since, lang), values=("…, " if first else "") + values)
    owner = messages.message("note.owner", lang, owner=breach.channel.owner) if breach.channel.owner else ""
    return messages.message(
        "note",
        lang,
        rule=breach.rule.name,
        metric=template.enum("metric").label_of(metric, lang),
        value=value_text,
        condition=breach.rule.condition,
        threshold=threshold,
        when=when,
        streak=streak,
        owner=owner,
    )


def _note_value(breach: Breach, index: int, template: Template, lang: str) -> str:
    value = breach.values[index]
    if math.isinf(value):
        bought = template.tab("plan_fact").column(COSTS[breach.metric]).header[lang].lower()
        spend = breach.periods[index].values.get("spend") or 0.0
        return messages.message("note.infinite", lang, spend=format_number(spend, lang), what=bought)
    return format_metric(breach.metric, value, lang)


def marked_periods(breach: Breach) -> tuple[PeriodFact, ...]:
    """The periods of a breach whose cells are marked: the rule's last N (its Periods in a
    row), the current one last. Older periods of a long streak are told in the note only."""
    return tuple(breach.periods[-max(1, breach.rule.periods) :])


def _marked_cells(breach: Breach, component: str) -> list[tuple[str, int, int]]:
    """The component's cells in the breach's :func:`marked_periods` (a long day streak's
    straight from its Daily rows: see :meth:`StreakPeriods.cells`)."""
    if isinstance(breach.periods, StreakPeriods):
        return breach.periods.cells(component, max(1, breach.rule.periods))
    return [cell for fact in marked_periods(breach) for cell in fact.cells(component)]


def highlights(breaches: Sequence[Breach], template: Template, lang: str) -> tuple[Highlight, ...]:
    """The input cells of the periods each rule judged, sorted, one highlight per cell.

    Every input cell of a breach's :func:`marked_periods` gets the fill; the breach's one
    note goes on its newest period's first input cell, and the other cells carry no note
    (``note`` empty). A cell that holds the note of two breaches (spend, for a CPA and a
    ROMI rule) gets one highlight whose note has a line for each.
    """
    notes: dict[tuple[str, int, int], list[str]] = {}
    for breach in breaches:
        components = METRIC_INPUTS[breach.metric]
        for component in components:
            notes.update((cell, []) for cell in _marked_cells(breach, component) if cell not in notes)
        newest = next((cell for component in components for cell in breach.periods[-1].cells(component)), None)
        if newest is not None:
            lines = notes[newest]
            note = breach_note(breach, template, lang)
            if note not in lines:
                lines.append(note)
    return tuple(
        Highlight(tab, row, col, fit_text("\n".join(lines), lang) if (lines := notes[(tab, row, col)]) else "")
        for tab, row, col in sorted(notes)
    )
