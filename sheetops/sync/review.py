"""The Unit economics tab (``sheetops sync --month``), as data: the monthly review. Pure.

One table of months, the newest first: each channel's month and the month's total (see
:mod:`sheetops.sync.months` for the formulas), a Data column saying why a month is
incomplete; then the KPI health section (:mod:`sheetops.sync.health`): each KPI's rank
correlation with revenue over the last quarter and the one before, and its verdict in
plain words. Every word is in the workbook's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sheetops import layout, messages
from sheetops.layout import Cell, Style, TabLayout
from sheetops.sync.health import MIN_WEEKS, KpiCheck, KpiHealth
from sheetops.sync.months import MISSING_WEEKS, Month, MonthFigures
from sheetops.sync.summary import fit_text, format_date, format_number
from sheetops.templates import Template

RATIO = "0.00"
_TITLE = Style(bold=True, font_size=14)
_SECTION = Style(bold=True, font_size=12)
_NOTE = Style(italic=True, font_color="808080")
_INCOMPLETE = "808080"
_WRAPPED_HEADER = Style(bold=True, fill=layout.HEADER_FILL, wrap=True)


def review_text(key: str, lang: str, **values: object) -> str:
    """A word of the monthly review (``review.<key>`` in the message catalogs)."""
    return messages.message(f"review.{key}", lang, **values)


def month_label(month: dt.date, lang: str) -> str:
    """'2026-11' in English, '11.2026' in Russian: sortable, and read the same in a filter."""
    return month.strftime("%m.%Y") if lang == "ru" else month.strftime("%Y-%m")


def data_note(row: MonthFigures, lang: str) -> str:
    """'complete', or what makes the month incomplete."""
    if row.complete:
        return review_text("complete", lang)
    parts = []
    for reason in row.incomplete:
        if reason == MISSING_WEEKS:
            parts.append(review_text(reason, lang, weeks=messages.count(row.missing_weeks, "noun.week", lang)))
        else:
            parts.append(review_text(reason, lang))
    return review_text("incomplete", lang, why="; ".join(parts))


def review_layout(
    *, template: Template, name: str, lang: str, currency: str, as_of: dt.date, months: Sequence[Month],
    health: KpiHealth | None,
) -> TabLayout:
    money = layout.money_format(currency, cents=False)
    cost = layout.money_format(currency)
    rows: list[tuple[Cell, ...]] = [
        (Cell(review_text("title", lang, as_of=format_date(as_of, lang)), _TITLE),),
        (Cell(review_text("owned_note", lang), _NOTE),),
        (Cell(review_text("formulas", lang), _NOTE),),
        (),
    ]
    header = [review_text(k, lang) for k in ("month", "channel", "spend", "new_customers", "cac", "revenue",
                                              "gross_profit", "ltv", "ltv_cac", "payback", "romi", "data")]
    rows.append(tuple(Cell(h, _WRAPPED_HEADER) for h in header))
    freeze = len(rows)
    if not months:
        rows.append((Cell(review_text("no_months", lang)),))
    for month in reversed(months):
        label = month_label(month.month, lang)
        for row in (*month.channels, month.total):
            total = row.channel is None
            colour = None if row.complete else _INCOMPLETE

            def cell(value: float | None, number_format: str, bold: bool = total, font: str | None = colour) -> Cell:
                return Cell(value, Style(bold=bold, number_format=number_format, font_color=font))

            rows.append((
                Cell(label, Style(bold=total)),
                Cell(review_text("total", lang) if total else row.channel, Style(bold=total)),
                cell(row.spend, money), cell(row.new_customers, layout.INTEGER), cell(row.cac, cost),
                cell(row.revenue, money), cell(row.gross_profit, money), cell(row.ltv, cost),
                cell(row.ltv_cac, RATIO), cell(row.payback_months, RATIO), cell(row.romi, layout.PERCENT),
                Cell(data_note(row, lang), Style(italic=not row.complete, font_color=colour)),
            ))
    rows.append(())
    start = len(rows)
    found = health_rows(health, template, lang)
    heights = {freeze - 1: 30.0}
    heights.update({start + i: 30.0 for i, row in enumerate(found) if row and row[0].style == _WRAPPED_HEADER})
    rows += found
    # Column G holds Gross profit above and the verdict ("no longer tracks revenue") below.
    widths = (16.0, 22.0, 12.0, 12.0, 12.0, 12.0, 24.0, 12.0, 10.0, 11.0, 10.0, 48.0)
    fitted = tuple(tuple(Cell(fit_text(c.value, lang), c.style) if isinstance(c.value, str) else c for c in r)
                   for r in rows)
    return TabLayout(key="unit_economics", name=name, rows=fitted, widths=widths, freeze_rows=freeze,
                     freeze_cols=2, row_heights=heights, owned=True)


def health_rows(health: KpiHealth | None, template: Template, lang: str) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = [(Cell(review_text("health_title", lang), _SECTION),)]
    if health is None or not health.available:
        return [*rows, (Cell(review_text("health_off", lang)),)]
    if health.first is not None and health.last is not None:
        rows.append((Cell(review_text("health_window", lang, weeks=messages.count(health.weeks, "noun.week", lang),
                                      first=format_date(health.first, lang),
                                      last=format_date(health.last + dt.timedelta(days=6), lang),
                                      min=MIN_WEEKS), _NOTE),))
    if not health.checks:
        return [*rows, (Cell(review_text("health_none", lang)),)]
    rows.append(tuple(Cell(review_text(k, lang), _WRAPPED_HEADER) for k in (
        "channel", "kpi", "rho", "weeks", "rho_before", "weeks_before", "verdict", "meaning")))
    for check in health.checks:
        flagged = check.verdict in ("stopped_tracking", "never_tracked")
        rows.append((
            Cell(check.channel),
            Cell(template.enum("metric").label_of(check.metric, lang)),
            Cell(check.rho, Style(number_format=RATIO)),
            Cell(check.weeks, Style(number_format=layout.INTEGER)),
            Cell(check.rho_before, Style(number_format=RATIO)),
            Cell(check.weeks_before, Style(number_format=layout.INTEGER)),
            Cell(review_text(f"verdict.{check.verdict}", lang),
                 Style(bold=flagged, font_color="C00000" if flagged else None)),
            Cell(verdict_sentence(check, health.checks, template, lang)),
        ))
    return rows


def _percent(value: float, lang: str) -> str:
    return format_number(abs(value) * 100, lang, 0) + "%"


def movement(check: KpiCheck, label: str, lang: str) -> str:
    """'Leads went up 30% while revenue stayed flat.' (empty without both changes)"""
    if check.kpi_change is None or check.revenue_change is None:
        return ""

    def way(value: float) -> str:
        if abs(value) < 0.05:
            return review_text("flat", lang)
        return review_text("up" if value > 0 else "down", lang, change=_percent(value, lang))

    return review_text("movement", lang, metric=label, kpi=way(check.kpi_change), revenue=way(check.revenue_change))


def verdict_sentence(check: KpiCheck, checks: Sequence[KpiCheck], template: Template, lang: str) -> str:
    """The verdict in plain words, with what to judge the channel by instead."""
    metrics = template.enum("metric")
    label = metrics.label_of(check.metric, lang)
    rho = format_number(check.rho, lang) if check.rho is not None else "—"
    weeks = messages.count(check.weeks, "noun.week", lang)
    if check.verdict == "too_few_weeks":
        return review_text("say.too_few_weeks", lang, channel=check.channel, weeks=weeks, min=MIN_WEEKS)
    if check.verdict == "tracks":
        return review_text("say.tracks", lang, channel=check.channel, metric=label, rho=rho, weeks=weeks)
    better = [c for c in checks if c.channel == check.channel and c.verdict == "tracks"]
    instead = (", ".join(metrics.label_of(c.metric, lang) for c in better) if better
               else review_text("orders_and_revenue", lang))
    before = format_number(check.rho_before, lang) if check.rho_before is not None else "—"
    key = "say.stopped_tracking" if check.verdict == "stopped_tracking" else "say.never_tracked"
    said = review_text(key, lang, channel=check.channel, metric=label, rho=rho, weeks=weeks, before=before,
                       instead=instead)
    moved = movement(check, label, lang)
    return f"{moved} {said}" if moved else said
