"""What the meeting deck says, slide by slide, as data. Pure: built from a SyncReport.

The deck follows the ritual's report format: one CMO slide first (the totals, the
decisions needed with their owners, the missing reports, the spend and revenue trend),
then one slide per active channel (Active or Testing in Channels): its owner, its plan,
fact and deviation for the week, its main KPI against its target with the last Trend
weeks, its breaches with the action agreed, and the Conclusion and Action typed in
Plan-Fact. Every word is in the workbook's language; every number is the sync report's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sheetops import messages
from sheetops.layout import CURRENCY_SYMBOLS, STATUS_FILLS, money_format
from sheetops.sync.kpis import SHARES
from sheetops.sync.report import ChannelReport, Figures, Numbers, SyncReport
from sheetops.sync.summary import COST_METRICS, deviation_colour, format_date, format_number, status_label
from sheetops.sync.trend import Trend
from sheetops.templates import Template

PLANNED = ("spend", "leads", "orders", "revenue")
ON_SLIDE = frozenset({"active", "testing"})  # Channels Status of the channels that get a slide
TEXT_LIMIT = 400  # characters of a Conclusion or Action shown on a slide; longer ones end with "…"
LINES = 6  # at most this many decisions, missing reports or breaches on a slide; the rest are counted
# The Channels target of each metric that has one.
TARGETS = {"cpl": "target_cpl", "cpa": "target_cpa", "roas": "target_roas"}


def deck_text(key: str, lang: str, **values: object) -> str:
    """A word of the deck (``deck.<key>`` in the message catalogs)."""
    return messages.message(f"deck.{key}", lang, **values)


@dataclass(frozen=True)
class Row:
    """A line of a slide's table: plan, fact and deviation of one figure."""

    label: str
    plan: str
    fact: str
    deviation: str
    colour: str | None = None  # RGB hex of the deviation: red or green when notable


@dataclass(frozen=True)
class Series:
    """A line of a chart: its name and one value per category (None: no data that week)."""

    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Chart:
    """A native line chart: weeks along the bottom, one line per series."""

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    number_format: str  # of the value axis and labels, as Excel writes it


@dataclass(frozen=True)
class Slide:
    """One slide: a title, a subtitle, a table, a chart and lists of lines under headings."""

    title: str
    subtitle: str
    table_header: tuple[str, str, str, str]
    rows: tuple[Row, ...]
    chart: Chart | None
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (heading, lines)
    fill: str | None = None  # the status colour of a channel's slide


@dataclass(frozen=True)
class Deck:
    lang: str
    slides: tuple[Slide, ...]


def deck_content(report: SyncReport, template: Template) -> Deck:
    """The CMO slide, then one slide per active channel, in Channels order."""
    lang = report.lang
    slides = [cmo_slide(report, template)]
    slides += [channel_slide(c, report, template) for c in slide_channels(report.channels)]
    return Deck(lang, tuple(slides))


def slide_channels(channels: Sequence[ChannelReport]) -> tuple[ChannelReport, ...]:
    """The channels that get a slide: Active and Testing ones."""
    return tuple(c for c in channels if c.channel.status in ON_SLIDE)


# -- formatting ----------------------------------------------------------------------------------------


def money_number_format(currency: str, cents: bool) -> str:
    """A chart's money axis as Excel writes it: "$"#,##0 or #,##0 "₽"."""
    return money_format(currency, cents=cents).replace("\\ ", " ")


def chart_format(metric: str, currency: str) -> str:
    if metric in SHARES:
        return "0.0%"
    if metric == "roas":
        return "0.00"
    if metric in COST_METRICS:
        return money_number_format(currency, True)
    if metric in ("spend", "revenue"):
        return money_number_format(currency, False)
    return "#,##0"


def show_value(metric: str, value: float | None, lang: str, currency: str) -> str:
    """A figure as the slide shows it: money with its currency, shares as percentages."""
    if value is None:
        return "—"
    if metric in SHARES:
        return format_number(value * 100, lang, 1) + "%"
    if metric == "roas":
        return format_number(value, lang)
    if metric in COST_METRICS or metric in ("spend", "revenue"):
        shown_text = format_number(value, lang, 2 if metric in COST_METRICS else 0)
        return with_currency(shown_text, currency)
    return format_number(value, lang, 0 if float(value).is_integer() else 1)


def with_currency(number: str, currency: str) -> str:
    code = currency.strip().upper()
    symbol = CURRENCY_SYMBOLS.get(code, code)
    if not symbol:
        return number
    if len(symbol) == 1 and code != "RUB":
        return f"{symbol}{number}"
    return f"{number}\u00a0{symbol}"


def show_deviation(value: float | None, lang: str) -> str:
    """+12.3% / −4.0%; — without both plan and fact."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return sign + format_number(abs(value) * 100, lang, 1) + "%"


def cut(value: str, limit: int = TEXT_LIMIT) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def week_labels(trend: Trend, lang: str) -> tuple[str, ...]:
    """The weeks' Mondays, short: 23.11 in Russian, 11/23 in English."""
    return tuple(w.strftime("%d.%m") if lang == "ru" else f"{w.month}/{w.day}" for w in trend.weeks)


def weeks_text(trend: Trend, lang: str) -> str:
    return messages.count(len(trend.weeks), "noun.week_acc", lang)


# -- the slides ------------------------------------------------------------------------------------------


def figure_rows(plan: Numbers, fact: Numbers, deviation: Numbers, lang: str, currency: str,
                template: Template) -> tuple[Row, ...]:
    """Spend, leads, orders and revenue: plan, fact and deviation."""
    metrics = template.enum("metric")
    rows = []
    for metric in PLANNED:
        planned, actual, off = plan.get(metric), fact.get(metric), deviation.get(metric)
        rows.append(Row(metrics.label_of(metric, lang), show_value(metric, planned, lang, currency),
                        show_value(metric, actual, lang, currency), show_deviation(off, lang),
                        deviation_colour(metric, off)))
    return tuple(rows)


def title_dates(report: SyncReport) -> dict[str, str]:
    period = report.reported
    lang = report.lang
    return {"week": format_date(period.week, lang), "end": format_date(period.end, lang)}


def _table_header(report: SyncReport) -> tuple[str, str, str, str]:
    lang = report.lang
    vs = "deviation" if report.reported.complete else "deviation_to_date"
    return ("", deck_text("plan", lang), deck_text("fact", lang), deck_text(vs, lang))


def _deviations(report: SyncReport, figures: Figures) -> Numbers:
    """Against the whole week's plan once it is over; against the plan to date while it is in progress."""
    return figures.deviation if report.reported.complete else figures.deviation_to_date


def cmo_slide(report: SyncReport, template: Template) -> Slide:
    lang, currency = report.lang, report.settings.currency
    period = report.reported
    if period.complete:
        subtitle = deck_text("whole_week", lang)
    else:
        subtitle = deck_text("to_date", lang, days=period.days_elapsed)
    totals = report.totals
    rows = figure_rows(totals.plan, totals.fact, _deviations(report, totals), lang, currency, template)
    metrics = template.enum("metric")
    for metric in ("cpa", "romi"):
        value = totals.kpi.get(metric)
        rows += (Row(metrics.label_of(metric, lang), "", show_value(metric, value, lang, currency), ""),)
    actions = template.enum("action")
    decisions = tuple(
        deck_text("decision_line", lang, channel=b.channel.name, action=actions.label_of(b.rule.action, lang),
             owner=b.channel.owner or deck_text("no_owner", lang), rule=b.rule.name,
             state=messages.message(f"summary.{report.decisions.state(b)}", lang))
        for b in report.breaches
    ) or (deck_text("no_decisions", lang),)
    missing = tuple(
        deck_text("missing_line", lang, channel=c.name, owner=c.channel.owner or deck_text("no_owner", lang))
        for c in report.channels if c.status == "no_data"
    ) or (deck_text("no_missing", lang),)
    chart = None
    trend = report.trend
    if trend is not None and trend.weeks:
        chart = Chart(
            deck_text("money_chart", lang, n=weeks_text(trend, lang)),
            week_labels(trend, lang),
            (Series(metrics.label_of("spend", lang), tuple(trend.totals.get("spend", ()))),
             Series(metrics.label_of("revenue", lang), tuple(trend.totals.get("revenue", ())))),
            money_number_format(currency, False),
        )
    return Slide(
        title=deck_text("cmo_title", lang, **title_dates(report)),
        subtitle=subtitle,
        table_header=_table_header(report),
        rows=rows,
        chart=chart,
        sections=((deck_text("decisions", lang), at_most(decisions, lang)),
                  (deck_text("missing", lang), at_most(missing, lang))),
    )


def at_most(lines: tuple[str, ...], lang: str, limit: int = LINES) -> tuple[str, ...]:
    """The first ``limit`` lines, and one that counts the others (all of them are in the CMO Summary)."""
    if len(lines) <= limit:
        return lines
    kept = limit - 1
    return (*lines[:kept], deck_text("more", lang, n=len(lines) - kept))


def main_kpi(report: ChannelReport) -> str:
    """The channel's Primary KPI, else revenue."""
    return report.channel.primary_kpi or "revenue"


def target_of(report: ChannelReport, metric: str) -> float | None:
    key = TARGETS.get(metric)
    return getattr(report.channel, key) if key is not None else None


def channel_slide(channel: ChannelReport, report: SyncReport, template: Template) -> Slide:
    lang, currency = report.lang, report.settings.currency
    metrics, actions = template.enum("metric"), template.enum("action")
    figures = channel.figures
    rows = figure_rows(figures.plan, figures.fact, _deviations(report, figures), lang, currency, template)
    metric = main_kpi(channel)
    label = metrics.label_of(metric, lang)
    target = target_of(channel, metric)
    value = figures.fact.get(metric) if metric in PLANNED else figures.kpi.get(metric)
    if target is not None:
        kpi_line = deck_text("main_kpi", lang, metric=label, value=show_value(metric, value, lang, currency),
                        target=show_value(metric, target, lang, currency))
    else:
        kpi_line = deck_text("main_kpi_no_target", lang, metric=label, value=show_value(metric, value, lang, currency))
    chart = None
    trend = report.trend
    if trend is not None and trend.weeks:
        values = tuple(trend.channels.get(channel.name, {}).get(metric, (None,) * len(trend.weeks)))
        series = [Series(label, values)]
        if target is not None:
            series.append(Series(deck_text("target", lang), (target,) * len(trend.weeks)))
        chart = Chart(deck_text("kpi_chart", lang, metric=label, n=weeks_text(trend, lang)), week_labels(trend, lang),
                      tuple(series), chart_format(metric, currency))
    breaches = tuple(
        deck_text("breach_line", lang, rule=b.rule.name, action=actions.label_of(b.rule.action, lang),
             state=messages.message(f"summary.{report.decisions.state(b)}", lang))
        for b in channel.breaches
    ) or (deck_text("no_breaches", lang),)
    not_typed = deck_text("not_typed", lang)
    owner = channel.channel.owner or deck_text("no_owner", lang)
    return Slide(
        title=channel.name,
        subtitle=deck_text("channel_subtitle", lang, owner=owner, status=status_label(channel.status, lang),
                      week=format_date(report.reported.week, lang)),
        table_header=_table_header(report),
        rows=rows,
        chart=chart,
        sections=(
            (deck_text("main_kpi_title", lang), (kpi_line,)),
            (deck_text("breaches", lang), at_most(breaches, lang, 3)),
            (deck_text("conclusion", lang), (cut(channel.conclusion) if channel.conclusion else not_typed,)),
            (deck_text("action", lang), (cut(channel.action) if channel.action else not_typed,)),
        ),
        fill=STATUS_FILLS.get(channel.status),
    )
