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

from sheetops import layout
from sheetops.backends import Highlight
from sheetops.layout import Cell, Style, TabLayout
from sheetops.sync.facts import Facts
from sheetops.sync.kpis import COSTS, METRIC_INPUTS, MONEY, SHARES, add_up, metric_value, shown
from sheetops.sync.report import ChannelReport, Figures
from sheetops.sync.rules import Breach
from sheetops.tables import Settings
from sheetops.templates import Enum, Template, Text
from sheetops.workbook import Finding

# The summary's own words, in each language the contract speaks.
LABELS: dict[str, Text] = {
    "title": Text("CMO Summary: week of {week} to {end}, as of {as_of}",
                  "Сводка CMO: неделя с {week} по {end}, на {as_of}"),
    "channel": Text("Channel", "Канал"),
    "group": Text("Group", "Группа"),
    "owner": Text("Owner", "Владелец"),
    "plan": Text("{metric} plan", "{metric} план"),
    "fact": Text("{metric} fact", "{metric} факт"),
    "deviation": Text("{metric} vs plan", "{metric} откл. от плана"),
    "facts_from": Text("Facts from", "Источник фактов"),
    "status": Text("Status", "Статус"),
    "rules": Text("Rules breached", "Нарушенные правила"),
    "action": Text("Action", "Действие"),
    "conclusion": Text("Conclusion", "Вывод"),
    "total": Text("Total", "Итого"),
    "decisions": Text("Decisions needed", "Нужны решения"),
    "rule": Text("Rule", "Правило"),
    "since": Text("Since", "С даты"),
    "in_a_row": Text("In a row", "Подряд"),
    "last_value": Text("Last value", "Последнее значение"),
    "threshold": Text("Threshold", "Порог"),
    "condition": Text("Condition", "Условие"),
    "no_decisions": Text("None: no stop rule is breached.", "Нет: ни одно стоп-правило не нарушено."),
    "missing": Text("Missing reports", "Нет отчётов"),
    "missing_note": Text("no facts for the week", "нет фактов за неделю"),
    "no_missing": Text("None: every active channel has facts for the week.",
                       "Нет: по всем активным каналам есть факты за неделю."),
    "trend": Text("Trend, last {n} weeks", "Динамика за последние недели: {n}"),
    "issues": Text("Data issues", "Проблемы в данных"),
    "cell": Text("Cell", "Ячейка"),
    "problem": Text("Problem", "Проблема"),
    "severity": Text("Severity", "Важность"),
    "error": Text("error", "ошибка"),
    "warning": Text("warning", "предупреждение"),
    "no_issues": Text("None: every cell could be read.", "Нет: все ячейки прочитаны."),
    "target": Text("target", "цель"),
    "mixed_from": Text("{first}; {second}: {what}", "{first}; {second}: {what}"),
    # Sync Log results.
    "ok": Text("ok", "готово"),
    "dry_run": Text("dry run, nothing written", "пробный запуск, ничего не записано"),
    "stopped": Text("stopped: --strict and {issues}", "остановлено: --strict и {issues}"),
}
STATUS_LABELS: dict[str, Text] = {
    "ok": Text("OK", "Норма"),
    "watch": Text("Watch", "Внимание"),
    "breach": Text("Breach", "Нарушение"),
    "no_data": Text("No data", "Нет данных"),
    "paused": Text("Paused", "Пауза"),
    "stopped": Text("Stopped", "Остановлен"),
}
# Nouns that take a number: English (one, many), Russian (1, 2-4, 5+).
NOUNS: dict[str, tuple[tuple[str, str], tuple[str, str, str]]] = {
    "day": (("day", "days"), ("день", "дня", "дней")),
    "week": (("week", "weeks"), ("неделя", "недели", "недель")),
    "breach": (("breach", "breaches"), ("нарушение", "нарушения", "нарушений")),
    "issue": (("data issue", "data issues"), ("проблема в данных", "проблемы в данных", "проблем в данных")),
}
NOTE: Text = Text(
    "sheetops: {rule} — {metric} {value} {condition} {threshold} {when}{streak}.{owner}",
    "sheetops: {rule} — {metric} {value} {condition} {threshold} {when}{streak}.{owner}",
)
NOTE_PARTS: dict[str, Text] = {
    "day": Text("on {date}", "за {date}"),
    "week": Text("in the week of {date}", "за неделю с {date}"),
    "streak": Text("; {count} in a row since {since}", "; {count} подряд с {since}"),
    "owner": Text(" Owner: {owner}.", " Владелец: {owner}."),
    "infinite": Text("∞ (spend {spend}, 0 {what})", "∞ (расход {spend}, {what}: 0)"),
}
TREND_METRICS = ("spend", "leads", "cpa", "romi")
# The channel table's figures: plan, fact and deviation of these, then these KPIs.
_PLANNED = ("spend", "leads", "orders", "revenue")
_KPI_COLUMNS = ("cpl", "cpa", "cr", "roas", "romi", "cac")
RATIO = "0.00"  # ROAS: revenue per unit of spend, e.g. 4.25

Labeller = Callable[[str], str]


def text(key: str, lang: str, **values: object) -> str:
    """A label of the summary in the language, with its placeholders filled in."""
    return LABELS[key][lang].format(**values)


def count(number: int, noun: str, lang: str) -> str:
    """'3 days', '2 дня', '5 дней'."""
    english, russian = NOUNS[noun]
    return plural(number, english, russian, lang)


def plural(number: int, english: tuple[str, str], russian: tuple[str, str, str], lang: str) -> str:
    """The number and its noun in the form the number takes: English (one, many), Russian (1, 2-4, 5+)."""
    if lang == "ru":
        tens, ones = number % 100, number % 10
        if ones == 1 and tens != 11:
            word = russian[0]
        elif 2 <= ones <= 4 and not 12 <= tens <= 14:
            word = russian[1]
        else:
            word = russian[2]
    else:
        word = english[0] if number == 1 else english[1]
    return f"{number} {word}"


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
    """The number formats of the summary's cells, for the workbook's currency."""

    money: str
    share: str = layout.PERCENT
    count: str = layout.INTEGER
    ratio: str = RATIO

    def of(self, metric: str) -> str:
        if metric in SHARES:
            return self.share
        if metric in MONEY:
            return self.money
        if metric == "roas":
            return self.ratio
        return self.count


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
) -> TabLayout:
    """The CMO Summary tab: the channel table, decisions, missing reports, trend, data issues.

    ``tab_names`` maps "plan_fact" and "daily" to those tabs' names in the workbook.
    """
    formats = Formats(layout.money_format(settings.currency))
    metric_label = _metric_labeller(template, lang)
    end = week + dt.timedelta(days=6)
    rows: list[tuple[Cell, ...]] = [
        (Cell(text("title", lang, week=format_date(week, lang), end=format_date(end, lang),
                   as_of=format_date(as_of, lang)), Style(bold=True, font_size=14)),),
        (Cell(template.owned_tab_note[lang], Style(italic=True, font_color="808080")),),
        (),
    ]
    header = [text("channel", lang), text("group", lang), text("owner", lang)]
    for metric in _PLANNED:
        label = metric_label(metric)
        header += [text("plan", lang, metric=label), text("fact", lang, metric=label),
                   text("deviation", lang, metric=label)]
    header += [metric_label(m) for m in _KPI_COLUMNS]
    header += [text("status", lang), text("rules", lang), text("action", lang), text("facts_from", lang),
               text("conclusion", lang)]
    header_style = Style(bold=True, fill=layout.HEADER_FILL, wrap=True)
    rows.append(tuple(Cell(h, header_style) for h in header))
    groups = template.enum("group")
    actions = template.enum("action")
    for report in channels:
        group = report.channel.group
        rows.append((
            Cell(report.name),
            Cell(groups.label_of(group, lang) if group else None),
            Cell(report.channel.owner),
            *_figure_cells(report.figures, formats),
            Cell(STATUS_LABELS[report.status][lang], Style(fill=layout.STATUS_FILLS[report.status])),
            Cell("; ".join(b.rule.name for b in report.breaches) or None, Style(wrap=True)),
            Cell(_action(report, actions, lang), Style(wrap=True)),
            Cell(_facts_from(report, tab_names, lang, template)),
            Cell(report.conclusion, Style(wrap=True)),
        ))
    bold = Style(bold=True)
    rows.append((Cell(text("total", lang), bold), Cell(None), Cell(None),
                 *_figure_cells(totals, formats, bold=True)))
    rows.append(())

    rows += _decisions(breaches, template, lang, metric_label, formats)
    rows.append(())
    rows += _missing(channels, lang)
    rows.append(())
    rows += _trend(channels, facts, week, settings, lang, metric_label, formats)
    rows.append(())
    rows += _issues(issues, lang)

    widths = (24.0, 11.0, 20.0, *([12.0] * (3 * len(_PLANNED) + len(_KPI_COLUMNS))), 12.0, 36.0, 22.0, 20.0, 40.0)
    return TabLayout(key="summary", name=name, rows=tuple(rows), widths=widths, freeze_rows=0, owned=True)


def _metric_labeller(template: Template, lang: str) -> Labeller:
    metrics = template.enum("metric")

    def label(metric: str) -> str:
        return metrics.label_of(metric, lang)

    return label


def _figure_cells(figures: Figures, formats: Formats, *, bold: bool = False) -> list[Cell]:
    def cell(value: float | None, number_format: str) -> Cell:
        return Cell(value, Style(bold=bold, number_format=number_format))

    cells = []
    for metric in _PLANNED:
        number_format = formats.of(metric)
        cells += [cell(figures.plan.get(metric), number_format), cell(figures.fact.get(metric), number_format),
                  cell(figures.deviation.get(metric), formats.share)]
    cells += [cell(figures.kpi.get(m), formats.of(m)) for m in _KPI_COLUMNS]
    return cells


def _action(report: ChannelReport, actions: Enum, lang: str) -> str | None:
    """The actions of the breached rules; else what the owner typed in Plan-Fact."""
    if report.breaches:
        seen: list[str] = []
        for breach in report.breaches:
            label = actions.label_of(breach.rule.action, lang)
            if label not in seen:
                seen.append(label)
        return "; ".join(seen)
    return report.action


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
    breaches: Sequence[Breach], template: Template, lang: str, metric_label: Labeller, formats: Formats
) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = [(Cell(text("decisions", lang), Style(bold=True, font_size=12)),)]
    if not breaches:
        return [*rows, (Cell(text("no_decisions", lang)),)]
    # The rule's name goes last: long text overflows into the empty cells to its right.
    rows.append(tuple(Cell(text(k, lang), layout.HEADER) for k in (
        "channel", "action", "owner", "since", "in_a_row", "last_value", "condition", "threshold", "rule")))
    actions = template.enum("action")
    for breach in breaches:
        number_format = formats.of(breach.metric)
        last = shown(breach.values[-1])
        condition = f"{metric_label(breach.metric)} {breach.rule.condition}"
        if breach.uses_target:
            typed = breach.rule.threshold.typed
            condition += f" {typed if typed and '*' in typed else text('target', lang)}"  # as typed: target*1.1
        rows.append((
            Cell(breach.channel.name),
            Cell(actions.label_of(breach.rule.action, lang)),
            Cell(breach.channel.owner),
            Cell(breach.since, Style(number_format=layout.DATE)),
            Cell(count(breach.streak, breach.period, lang)),
            Cell(last if last is not None else "∞", Style(number_format=number_format)),
            Cell(condition),
            Cell(breach.threshold, Style(number_format=number_format)),
            Cell(breach.rule.name),
        ))
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
    rows: list[tuple[Cell, ...]] = [(Cell(text("trend", lang, n=count_weeks), Style(bold=True, font_size=12)),)]
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
        rows.append((Cell(metric_label(metric), layout.HEADER),
                     *(Cell(m, Style(bold=True, fill=layout.HEADER_FILL, number_format=layout.DATE)) for m in mondays)))
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
    *, when: dt.datetime, as_of: dt.date, rows_read: int, breaches: int, issues: int, duration: float, result: str
) -> tuple[Cell, ...]:
    """One Sync Log row: when (local time, to the second), as-of, counts, duration, result."""
    return (
        Cell(when.replace(microsecond=0).isoformat(sep=" ")),
        Cell(as_of, Style(number_format=layout.DATE)),
        Cell(rows_read, Style(number_format=layout.INTEGER)),
        Cell(breaches, Style(number_format=layout.INTEGER)),
        Cell(issues, Style(number_format=layout.INTEGER)),
        Cell(round(duration, 2), Style(number_format="0.00")),
        Cell(result),
    )


# -- highlights -----------------------------------------------------------------------------------------


def breach_note(breach: Breach, index: int, template: Template, lang: str) -> str:
    """The note on the cells of one breaching period (``index`` into the breach's periods)."""
    fact = breach.periods[index]
    value = breach.values[index]
    metric = breach.metric
    if math.isinf(value):
        bought = template.tab("plan_fact").column(COSTS[metric]).header[lang].lower()
        spend = fact.values.get("spend") or 0.0
        value_text = NOTE_PARTS["infinite"][lang].format(spend=format_number(spend, lang), what=bought)
    else:
        value_text = format_metric(metric, value, lang)
    threshold = format_metric(metric, breach.threshold, lang)
    if breach.uses_target:
        typed = breach.rule.threshold.typed
        threshold += f" ({typed if typed and '*' in typed else text('target', lang)})"
    when = NOTE_PARTS[breach.period][lang].format(date=format_date(fact.start, lang))
    streak = ""
    if breach.streak > 1:
        streak = NOTE_PARTS["streak"][lang].format(count=count(breach.streak, breach.period, lang),
                                                   since=format_date(breach.since, lang))
    owner = NOTE_PARTS["owner"][lang].format(owner=breach.channel.owner) if breach.channel.owner else ""
    return NOTE[lang].format(
        rule=breach.rule.name,
        metric=template.enum("metric").label_of(metric, lang),
        value=value_text,
        condition=breach.rule.condition,
        threshold=threshold,
        when=when,
        streak=streak,
        owner=owner,
    )



def highlights(breaches: Sequence[Breach], template: Template, lang: str) -> tuple[Highlight, ...]:
    """Every input cell of every breaching period, with its note; sorted, one per cell.

    A cell in two breaches (spend, for a CPA and a ROMI rule) gets one highlight whose
    note has a line for each.
    """
    notes: dict[tuple[str, int, int], list[str]] = {}
    for breach in breaches:
        components = METRIC_INPUTS[breach.metric]
        for index, fact in enumerate(breach.periods):
            note = breach_note(breach, index, template, lang)
            for component in components:
                for cell in fact.cells(component):
                    lines = notes.setdefault(cell, [])
                    if note not in lines:
                        lines.append(note)
    return tuple(Highlight(tab, row, col, "\n".join(notes[(tab, row, col)])) for tab, row, col in sorted(notes))
