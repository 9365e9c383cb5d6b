"""What ``sheetops init`` writes, as a :class:`~sheetops.layout.WorkbookLayout`. Pure: no I/O.

:func:`build_layout` turns a template into one :class:`~sheetops.layout.TabLayout` per
contract tab, in the template's order and in the chosen language: the header row (bold,
frozen), column widths and number formats, a drop-down on every column that takes a
fixed set of values, and the pre-filled rows (roles, channels, stop rules, settings, and
with ``demo`` about eight weeks of example facts). Every label comes from the template;
a backend renders the layout (see :mod:`sheetops.backends.xlsx.writer`).

Choices worth knowing (documented for users in ``docs/workbook.md``):

* The Channel column of Stop rules takes a channel, a group or ``*``. Its drop-down lists
  the groups, ``*`` and the channels known at init; it only warns about other values, so
  a channel added later can still be typed there.
* The Owner column draws from the Person column of Roles and only warns, so owners can be
  typed before the role map is filled in.
* ``channels`` replaces the template's example channels. A name that matches an example
  channel (in either language) keeps that channel's group, owner, KPI, budget and targets;
  any other name gets the status Active and empty cells for the rest, which
  ``sheetops check`` then asks to fill. Stop rules scoped to a group or to ``*`` stay;
  a rule scoped to an example channel that is no longer there is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sheetops import layout
from sheetops.demo import build_demo
from sheetops.errors import TemplateError, WorkbookError
from sheetops.layout import NOTE, Cell, DropDown, Style, TabLayout, Value, WorkbookLayout
from sheetops.templates import LANGS, Column, Tab, Template, normalize
from sheetops.templates.model import ChannelSeed, StopRuleSeed
from sheetops.values import parse_threshold

ALL_CHANNELS = "*"
# Excel keeps a drop-down's own list of values in at most 255 characters.
LIST_LIMIT = 255
# How far down the drop-downs reach on each tab (0-based last row); other tabs: 1000.
LAST_ROWS = {"plan_fact": 20_000, "daily": 200_000}
DEFAULT_LAST_ROW = 1000

Record = Mapping[str, Value | Cell]


@dataclass(frozen=True)
class ChannelRow:
    """A channel init writes: the name as it appears in the workbook, and the example
    channel of the template it was made from (None for a channel of the user's own)."""

    name: str
    seed: ChannelSeed | None


def build_layout(
    template: Template,
    *,
    lang: str,
    channels: Sequence[str] | None,
    demo: bool,
    today: dt.date,
) -> WorkbookLayout:
    """Every tab init writes, in template order and in ``lang`` ("en" or "ru")."""
    if lang not in LANGS:
        raise TemplateError(f"{template.source}: no language {lang!r}; choose one of {', '.join(LANGS)}.")
    rows = channel_rows(template, lang, channels)
    people = {r.key: r.demo_person[lang] for r in template.roles if demo and r.demo_person is not None}
    currency = _currency(template, lang)
    records: dict[str, list[Record]] = {
        "roles": _roles(template, lang, people),
        "channels": _channels(template, lang, rows, people),
        "stop_rules": _stop_rules(template, lang, rows),
        "settings": _settings(template, lang),
    }
    if demo:
        facts = build_demo(template, lang=lang, channels=rows, today=today)
        records["plan_fact"] = list(facts.plan_fact)
        records["daily"] = list(facts.daily)
    tabs = []
    for tab in template.tabs:
        if tab.on_demand:  # made by the sync that writes it
            continue
        if tab.owned:
            tabs.append(_owned_tab(template, tab, lang, currency))
        else:
            tabs.append(_input_tab(template, tab, lang, currency, records.get(tab.key, []), rows))
    return WorkbookLayout(lang, tuple(tabs))


def channel_rows(template: Template, lang: str, channels: Sequence[str] | None) -> list[ChannelRow]:
    """The template's example channels, or the given names (keeping a matching example's data)."""
    if channels is None:
        return [ChannelRow(seed.name[lang], seed) for seed in template.channels]
    seen: set[str] = set()
    rows = []
    for name in channels:
        name = name.strip()
        key = normalize(name)
        if not key:
            raise WorkbookError("a channel name is empty; give each channel a name, e.g. \"Search ads,Blog\".")
        if key in seen:
            raise WorkbookError(f"the channel {name!r} is given twice; give each channel once.")
        seen.add(key)
        seed = next((s for s in template.channels if key in {normalize(v) for v in s.name.variants()}), None)
        rows.append(ChannelRow(name, seed))
    return rows


def _currency(template: Template, lang: str) -> str:
    try:
        return str(template.setting("currency").default(lang))
    except KeyError:
        return ""


def _label(template: Template, enum: str, key: str | None, lang: str) -> str | None:
    return None if key is None else template.enum(enum).label_of(key, lang)


def _roles(template: Template, lang: str, people: Mapping[str, str]) -> list[Record]:
    return [
        {
            "role": role.name[lang],
            "person": people.get(role.key),
            "responsibilities": role.responsibilities[lang] or None,
            "kpi": role.kpi[lang] or None,
            "ritual": role.ritual[lang] or None,
            "hours_per_week": _whole(role.hours_per_week),
        }
        for role in template.roles
    ]


def _channels(template: Template, lang: str, rows: Sequence[ChannelRow], people: Mapping[str, str]) -> list[Record]:
    records: list[Record] = []
    for row in rows:
        seed = row.seed
        if seed is None:
            records.append({"channel": row.name, "status": _label(template, "status", "active", lang)})
            continue
        records.append(
            {
                "channel": row.name,
                "group": _label(template, "group", seed.group, lang),
                "owner": people.get(seed.owner_role) if seed.owner_role else None,
                "primary_kpi": _label(template, "metric", seed.primary_kpi, lang),
                "monthly_budget": _whole(seed.monthly_budget),
                "target_cpl": _whole(seed.target_cpl),
                "target_cpa": _whole(seed.target_cpa),
                "target_roas": _whole(seed.target_roas),
                "status": _label(template, "status", seed.status, lang),
            }
        )
    return records


def rule_scope(template: Template, seed: StopRuleSeed, lang: str, rows: Sequence[ChannelRow]) -> str | None:
    """What a seeded rule's Channel cell shows: ``*``, a group label, a channel name, or
    None when the rule names an example channel that is not in the workbook."""
    if seed.channel.strip() == ALL_CHANNELS:
        return ALL_CHANNELS
    group = template.enum("group")
    if any(v.key == seed.channel for v in group.values):
        return group.label_of(seed.channel, lang)
    wanted = normalize(seed.channel)
    for row in rows:
        names = {normalize(row.name)}
        if row.seed is not None:
            names.update(normalize(v) for v in row.seed.name.variants())
        if wanted in names:
            return row.name
    return None


def _stop_rules(template: Template, lang: str, rows: Sequence[ChannelRow]) -> list[Record]:
    records: list[Record] = []
    for seed in template.stop_rules:
        scope = rule_scope(template, seed, lang, rows)
        if scope is None:
            continue
        records.append(
            {
                "rule": seed.rule[lang],
                "channel": scope,
                "metric": _label(template, "metric", seed.metric, lang),
                "condition": _label(template, "condition", seed.condition, lang),
                "threshold": _threshold_cell(seed.threshold, lang),
                "periods_in_a_row": seed.periods_in_a_row,
                "period": _label(template, "period", seed.period, lang),
                "action": _label(template, "action", seed.action, lang),
                "min_spend": _whole(seed.min_spend),
                "enabled": _label(template, "yes_no", seed.enabled, lang),
            }
        )
    return records


def _threshold_cell(text: str, lang: str) -> Value | Cell:
    """A fixed threshold as a number (a percentage formatted as one); ``target...`` as text,
    spelled in the workbook's language (``цель*1,2`` in Russian; both spellings are read)."""
    threshold = parse_threshold(text)
    if threshold.value is None:
        if lang != "ru":
            return text
        factor = "" if threshold.factor in (None, 1.0) else "*" + f"{threshold.factor:g}".replace(".", ",")
        return f"цель{factor}"
    if text.strip().endswith("%"):
        return Cell(threshold.value, Style(number_format=layout.PERCENT))
    return _whole(threshold.value)


def _settings(template: Template, lang: str) -> list[Record]:
    records: list[Record] = []
    for setting in template.settings:
        default = setting.default(lang)
        value: Value | Cell
        if setting.enum is not None and isinstance(default, str):
            key = template.enum(setting.enum).key_of(default)
            value = template.enum(setting.enum).label_of(key, lang) if key is not None else default
        elif setting.type == "percent" and isinstance(default, (int, float)):
            value = Cell(_whole(float(default)), Style(number_format=layout.PERCENT))
        elif isinstance(default, (int, float)) and not isinstance(default, bool):
            value = _whole(float(default))
        else:
            value = None if default is None else str(default)
        records.append({"setting": setting.label[lang], "value": value})
    return records


def _whole(number: float | None) -> int | float | None:
    """Whole numbers as int, so that they read back as written."""
    if number is None:
        return None
    return int(number) if float(number).is_integer() else number


def column_format(column: Column, currency: str) -> str | None:
    """The number format a column's cells get, by the column's type."""
    if column.type == "money":
        return layout.money_format(currency)
    return {"percent": layout.PERCENT, "integer": layout.INTEGER, "date": layout.DATE}.get(column.type)


def _header(tab: Tab, lang: str) -> tuple[Cell, ...]:
    return tuple(Cell(c.header[lang], layout.HEADER) for c in tab.columns)


def _formats(tab: Tab, currency: str) -> dict[int, str]:
    found = {}
    for index, column in enumerate(tab.columns):
        number_format = column_format(column, currency)
        if number_format is not None:
            found[index] = number_format
    return found


def _row(tab: Tab, record: Record) -> tuple[Cell, ...]:
    cells = []
    for column in tab.columns:
        value = record.get(column.key)
        cells.append(value if isinstance(value, Cell) else Cell(value))
    while cells and cells[-1].value is None and cells[-1].style == layout.PLAIN:
        cells.pop()
    return tuple(cells)


def _input_tab(
    template: Template, tab: Tab, lang: str, currency: str, records: Sequence[Record], rows: Sequence[ChannelRow]
) -> TabLayout:
    return TabLayout(
        key=tab.key,
        name=tab.name[lang],
        rows=(_header(tab, lang), *(_row(tab, r) for r in records)),
        widths=tuple(c.width for c in tab.columns),
        freeze_rows=1,
        dropdowns=_dropdowns(template, tab, lang, rows),
        column_formats=_formats(tab, currency),
    )


def _owned_tab(template: Template, tab: Tab, lang: str, currency: str) -> TabLayout:
    """A tab sheetops fills: its header row if it has columns, and the note not to type there.

    The note goes in row 1 to the right of the headers (leaving one column free), so rows
    the sync appends below the header are not disturbed; a tab without columns has it in A1.
    """
    note = Cell(template.owned_tab_note[lang], NOTE)
    if not tab.columns:
        return TabLayout(key=tab.key, name=tab.name[lang], rows=((note,),), freeze_rows=0, owned=True)
    gap = Cell(None)
    return TabLayout(
        key=tab.key,
        name=tab.name[lang],
        rows=((*_header(tab, lang), gap, note),),
        widths=tuple(c.width for c in tab.columns),
        freeze_rows=1,
        column_formats=_formats(tab, currency),
        owned=True,
    )


def _source(template: Template, tab_key: str, column_key: str, lang: str) -> tuple[str, int] | None:
    """The tab name and column index a drop-down draws its values from, if the contract has it."""
    try:
        tab = template.tab(tab_key)
    except KeyError:
        return None
    for index, column in enumerate(tab.columns):
        if column.key == column_key:
            return tab.name[lang], index
    return None


def _dropdowns(template: Template, tab: Tab, lang: str, rows: Sequence[ChannelRow]) -> tuple[DropDown, ...]:
    last_row = LAST_ROWS.get(tab.key, DEFAULT_LAST_ROW)
    found = []
    for index, column in enumerate(tab.columns):
        if column.type == "enum" and column.enum is not None:
            found.append(DropDown(index, values=tuple(template.enum(column.enum).labels(lang)), last_row=last_row))
        elif column.type == "channel" and (source := _source(template, "channels", "channel", lang)):
            found.append(DropDown(index, source_tab=source[0], source_col=source[1], last_row=last_row))
        elif column.type == "person" and (source := _source(template, "roles", "person", lang)):
            found.append(DropDown(index, source_tab=source[0], source_col=source[1], last_row=last_row, strict=False))
        elif column.type == "channel_scope":
            found.append(DropDown(index, values=scope_choices(template, lang, rows), last_row=last_row, strict=False))
    if tab.key == "settings":
        found.extend(_setting_dropdowns(template, tab, lang))
    return tuple(found)


def scope_choices(template: Template, lang: str, rows: Sequence[ChannelRow]) -> tuple[str, ...]:
    """The drop-down of a stop rule's Channel: the groups, ``*``, then the channels while
    they fit in Excel's limit for a list (names with a comma or quote cannot be listed)."""
    choices = [*template.enum("group").labels(lang), ALL_CHANNELS]
    taken = {normalize(c) for c in choices}
    for row in rows:
        if normalize(row.name) in taken or "," in row.name or '"' in row.name:
            continue
        if len(",".join([*choices, row.name])) > LIST_LIMIT:
            break
        choices.append(row.name)
        taken.add(normalize(row.name))
    return tuple(choices)


def _setting_dropdowns(template: Template, tab: Tab, lang: str) -> list[DropDown]:
    """A one-cell drop-down on the Value of each setting that takes a fixed set."""
    try:
        value_col = next(i for i, c in enumerate(tab.columns) if c.key == "value")
    except StopIteration:
        return []
    found = []
    for row, setting in enumerate(template.settings, start=1):
        if setting.enum is not None:
            values = tuple(template.enum(setting.enum).labels(lang))
            found.append(DropDown(value_col, values=values, first_row=row, last_row=row))
    return found
