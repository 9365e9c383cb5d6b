"""The contract's input tabs, read into typed records. Pure: no I/O.

``read_inputs`` turns the bound Settings, Roles, Channels and Stop rules tabs into frozen
records and a list of findings, each finding with its cell address. ``sheetops check``
reports those findings; ``sheetops sync`` uses the same records and reports the same
findings as data issues, so both commands always agree on what a cell means.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sheetops.messages import message
from sheetops.templates import normalize
from sheetops.values import (
    CellValue,
    Threshold,
    UncomputedFormula,
    ValueProblem,
    is_blank,
    parse_amount,
    parse_integer,
    parse_number,
    parse_threshold,
    printable,
    quote,
    uncomputed,
)
from sheetops.workbook import BoundTab, BoundWorkbook, Finding, Severity

# The keys of the template's days of the week, Monday first (as ``date.weekday()`` counts).
DAYS_OF_WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Stop-rule metrics that have a per-channel target in the Channels tab.
TARGET_COLUMNS = {"cpl": "target_cpl", "cpa": "target_cpa", "roas": "target_roas"}


@dataclass(frozen=True)
class Settings:
    """The Settings tab, with the contract's defaults for anything missing."""

    currency: str = "USD"
    gross_margin: float = 1.0
    decimal_comma: bool = False  # Number format: ru
    trend_weeks: int = 8
    lang: str = "en"
    kpi_health_weeks: int = 13  # the quarter the KPI check looks back over (sync --month)
    report_day: int = 4  # the weekday the week's facts are reported on (Monday 0 .. Sunday 6): Friday


@dataclass(frozen=True)
class RoleEntry:
    """A row of the Roles tab. ``key`` is the template's role key, None for a custom role."""

    row: int  # 0-based sheet row
    role: str
    key: str | None
    person: str | None
    # Where notifications reach the person (optional column): an e-mail address, a Telegram
    # @name, a destination named in the notification settings, or an apprise URL.
    contact: str | None = None
    contact_cell: str | None = None  # e.g. "Roles!H3"; None when the tab has no Contact column


@dataclass(frozen=True)
class Channel:
    """A row of the Channels tab. Enum fields hold keys ("paid", "active"), not labels."""

    row: int
    name: str
    group: str | None
    owner: str | None
    primary_kpi: str | None
    monthly_budget: float | None
    target_cpl: float | None
    target_cpa: float | None
    target_roas: float | None
    status: str  # "active", "testing", "paused", "stopped"
    # Keys of the columns whose cell could not be read (held as None above): reported once,
    # so that later checks do not take them for empty cells.
    unreadable: frozenset[str] = frozenset()

    def target(self, metric: str) -> float | None:
        """The channel's target for a metric (cpl, cpa, roas), None if it has none."""
        column = TARGET_COLUMNS.get(metric)
        return getattr(self, column) if column else None


@dataclass(frozen=True)
class StopRule:
    """An enabled or disabled row of the Stop rules tab, every field readable."""

    row: int
    name: str
    scope: str  # as typed: a channel name, a group label or key, or "*"
    metric: str  # metric key, e.g. "cpa"
    condition: str  # ">", ">=", "<", "<="
    threshold: Threshold
    periods: int  # periods in a row, 1 or more
    period: str  # "day" or "week"
    action: str  # action key, e.g. "stop"
    min_spend: float | None
    enabled: bool
    threshold_cell: str  # e.g. "Stop rules!E4", for messages about the threshold
    group: str | None = None  # the group key when ``scope`` names a group (label or key)


@dataclass(frozen=True)
class Inputs:
    """Everything read from the input tabs other than the facts."""

    settings: Settings
    roles: tuple[RoleEntry, ...]
    channels: tuple[Channel, ...]
    rules: tuple[StopRule, ...]
    findings: tuple[Finding, ...] = field(default=())
    # Keys of the input tabs whose rows were read: the tab is there with its required
    # headers. A tab left out was reported by ``bind``; checks that need it are skipped.
    read_tabs: frozenset[str] = field(default=frozenset())

    def channel(self, name: str) -> Channel | None:
        """The channel of that name (case and spaces ignored)."""
        wanted = normalize(name)
        for channel in self.channels:
            if normalize(channel.name) == wanted:
                return channel
        return None



# The enums whose values have a name in the catalogs (``enum.<name>``: "a group"), for
# "'Pid' is not a group; use one of ..."; the Russian names the column instead.
ENUM_NOUNS = frozenset({
    "group", "status", "metric", "condition", "period", "action", "yes_no", "number_format", "language",
    "weekday", "day_of_week",
})

T = TypeVar("T")


@dataclass(frozen=True)
class Typed:
    """What was typed in a cell, for a message: ``{typed.text}`` is the text as typed,
    ``{typed.noun}`` what the column takes ("a group"), ``{typed.column}`` its header.

    A language words it with what it needs: the English names the noun, the Russian the
    column; both take the one value.
    """

    text: str
    noun: str
    column: str = ""


def enum_noun(enum_name: str, lang: str, header: str = "") -> str:
    """What a value of the enum is called in a message: 'a group'; a valid 'Header' for an
    enum without a name of its own (of a column), 'accepted here' (of a setting)."""
    if enum_name in ENUM_NOUNS:
        return message(f"enum.{enum_name}", lang)
    return message("enum.other_column", lang, header=header) if header else message("enum.other_setting", lang)


def tab_name(bound: BoundWorkbook, key: str) -> str:
    """A tab's name for messages: as it is in the workbook, else the template's in its language."""
    tab = bound.tab(key)
    return tab.name if tab is not None else bound.template.tab(key).name[bound.lang]


def header_name(bound: BoundWorkbook, tab_key: str, column_key: str) -> str:
    """A column's header for messages, in the workbook's language."""
    return bound.template.tab(tab_key).column(column_key).header[bound.lang]


def cell_text(value: CellValue) -> str | None:
    """A cell as the text a person sees in it, stripped; None for a blank cell."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


class _Reader:
    """Reads one workbook's input tabs, collecting a finding for every cell it cannot use."""

    def __init__(self, bound: BoundWorkbook) -> None:
        self.bound = bound
        self.template = bound.template
        self.lang = bound.lang  # the language of the tab names and headers, for quoting them
        # The language findings are said in: the Settings' Language once it is read (it is
        # read first), the tab names' language until then; see ``Settings.lang``.
        self.lang_said = bound.lang
        self.findings: list[Finding] = []
        self.decimal_comma = self._default("number_format") == "ru"

    # -- findings -------------------------------------------------------------------------

    def report(self, cell: str, message: str, code: str, severity: Severity = "error") -> None:
        self.findings.append(Finding(cell, message, severity, code))

    def readable(self, key: str) -> BoundTab | None:
        """The tab, when it is there with every required header (else bind reported it)."""
        tab = self.bound.tab(key)
        if tab is None or any(c.required and not tab.has(c.key) for c in tab.spec.columns):
            return None
        return tab

    def _default(self, key: str) -> object:
        try:
            return self.template.setting(key).default(self.lang)
        except KeyError:
            return None

    # -- cells ------------------------------------------------------------------------------

    def message(self, key: str, meanwhile: str | None = None, /, **values: object) -> str:
        """The message ``key`` in the findings' language; ``meanwhile`` (said already) is added
        as what sheetops does until the cell is fixed."""
        text = message(key, self.lang_said, **values)
        return message("with_meanwhile", self.lang_said, finding=text, meanwhile=meanwhile) if meanwhile else text

    def enum(
        self, tab: BoundTab, row: int, key: str, *, required: bool, severity: Severity = "error",
        meanwhile: str | None = None,
    ) -> str | None:
        """The enum key typed in a cell (either language); a finding when it is not one.

        ``meanwhile`` says what sheetops does until the cell is fixed (for a warning).
        """
        column = tab.spec.column(key)
        enum = self.template.enum(column.enum or key)
        value = tab.value(row, key)
        header = printable(column.header[self.lang])
        if isinstance(value, UncomputedFormula):
            self.report(tab.address(row, key), self._said(header, uncomputed(value), meanwhile),
                        "uncomputed_formula", severity)
            return None
        text = cell_text(value)
        labels = ", ".join(enum.labels(self.lang))
        if text is None:
            if required:
                self.report(tab.address(row, key), self.message("empty_cell.choice", meanwhile, header=header,
                                                            labels=labels),
                            "empty_cell", severity)
            return None
        found = enum.key_of(text)
        if found is None:
            typed = Typed(printable(text), enum_noun(enum.name, self.lang_said, header), header)
            self.report(tab.address(row, key), self.message("bad_value.enum", meanwhile, typed=typed, labels=labels),
                        "bad_value", severity)
        return found

    def _said(self, header: str, exc: ValueProblem, meanwhile: str | None = None) -> str:
        return self.message("bad_value.column", meanwhile, header=printable(header),
                            problem=exc.message(self.lang_said))

    def parsed(
        self, tab: BoundTab, row: int, key: str, parse: Callable[[CellValue], T], *, required: bool, what: str,
        severity: Severity = "error", meanwhile: str | None = None,
    ) -> tuple[bool, T | None]:
        """(readable, value) of a cell; a blank optional cell is readable and None.

        ``what`` names, in the findings' language, what to type in it (a ``hint.*`` message).
        """
        value = tab.value(row, key)
        header = tab.spec.column(key).header[self.lang]
        if is_blank(value):
            if required:
                self.report(tab.address(row, key), self.message("empty_cell.type", header=printable(header), what=what),
                            "empty_cell", severity)
                return False, None
            return True, None
        try:
            return True, parse(value)
        except ValueProblem as exc:
            self.report(tab.address(row, key), self._said(header, exc, meanwhile), exc.code, severity)
            return False, None

    def amount(
        self, tab: BoundTab, row: int, key: str, *, ratio: bool = False, severity: Severity = "error",
        meanwhile: str | None = None,
    ) -> tuple[bool, float | None]:
        """An optional money or number cell that must not be negative.

        Money and counts refuse a percentage (12% is a slip there); a ``ratio`` (Target
        ROAS) takes one: 350% is 3.5.
        """
        parse = parse_number if ratio else parse_amount
        ok, number = self.parsed(
            tab, row, key, lambda v: parse(v, decimal_comma=self.decimal_comma), required=False,
            what=message("hint.number", self.lang_said), severity=severity, meanwhile=meanwhile,
        )
        if number is not None and number < 0:
            header = tab.spec.column(key).header[self.lang]
            self.report(
                tab.address(row, key),
                self.message("bad_value.negative", meanwhile, header=printable(header), number=f"{number:g}"),
                "bad_value",
                severity,
            )
            return False, None
        return ok, number

    # -- tabs -------------------------------------------------------------------------------

    def settings(self) -> Settings:
        tab = self.readable("settings")
        values: dict[str, tuple[int, CellValue]] = {}
        if tab is not None:
            for row in tab.data_rows():
                name = cell_text(tab.value(row, "setting"))
                setting = self._setting_named(name) if name else None
                if setting is None:
                    continue  # a row of the user's own: not ours to judge
                if setting in values:
                    first = tab.address(values[setting][0], "setting")
                    self.report(
                        tab.address(row, "setting"),
                        self.message("duplicate_setting", setting=printable(name), first=first),
                        "duplicate_setting",
                        "warning",
                    )
                    continue
                values[setting] = (row, tab.value(row, "value"))

        def read(key: str, parse: Callable[[CellValue], T], default: T, what: Callable[[], str]) -> T:
            """The setting's value; ``what`` says, in the findings' language, what to type."""
            if tab is None or key not in values:
                return default
            row, value = values[key]
            if is_blank(value):
                return default
            setting = self.template.setting(key)
            label = setting.label[self.lang]
            shown = _shown(default, self.lang_said)
            if setting.enum and isinstance(default, str):
                with contextlib.suppress(KeyError):  # a key is shown as its label, e.g. 'Monday'
                    shown = quote(self.template.enum(setting.enum).label_of(default, self.lang), self.lang_said)
            try:
                return parse(value)
            except ValueProblem as exc:
                self.report(
                    tab.address(row, "value"),
                    self.message("bad_setting", setting=printable(label), problem=exc.message(self.lang_said),
                             what=what(), default=shown),
                    exc.code if exc.code != "bad_value" else "bad_setting",
                )
                return default

        def enum_key(enum_name: str) -> Callable[[CellValue], str]:
            enum = self.template.enum(enum_name)

            def parse(value: CellValue) -> str:
                text = cell_text(value) or ""
                key = enum.key_of(text)
                if key is None:
                    raise ValueProblem("value.not_in_list",
                                       typed=lambda lang: Typed(printable(text), enum_noun(enum_name, lang)))
                return key

            return parse

        def enum_hint(enum_name: str) -> Callable[[], str]:
            labels = ", ".join(self.template.enum(enum_name).labels(self.lang))
            return lambda: message("hint.one_of", self.lang_said, labels=labels)

        # The Language first: every finding after it is said in that language.
        lang = read("language", enum_key("language"), self.lang, enum_hint("language"))
        self.lang_said = lang
        number_format = read("number_format", enum_key("number_format"), str(self._default("number_format")),
                             enum_hint("number_format"))
        self.decimal_comma = number_format == "ru"
        read("week_starts", enum_key("weekday"), "monday", enum_hint("weekday"))
        report_day = read("report_day", enum_key("day_of_week"), "friday", enum_hint("day_of_week"))

        def margin(value: CellValue) -> float:
            return parse_margin(value, decimal_comma=self.decimal_comma)

        def weeks(value: CellValue) -> int:
            count = parse_integer(value, decimal_comma=self.decimal_comma)
            if count < 1:
                raise ValueProblem("value.too_few_weeks", count=count)
            return count

        default_margin = self._default("gross_margin")
        default_weeks = self._default("trend_weeks")
        default_health = self._default("kpi_health_weeks")
        return Settings(
            currency=read("currency", lambda v: cell_text(v) or "", str(self._default("currency") or "USD"),
                          lambda: message("hint.currency", self.lang_said)),
            gross_margin=read("gross_margin", margin,
                              float(default_margin) if isinstance(default_margin, (int, float)) else 1.0,
                              lambda: message("hint.gross_margin", self.lang_said)),
            decimal_comma=self.decimal_comma,
            trend_weeks=read("trend_weeks", weeks, int(default_weeks) if isinstance(default_weeks, int) else 8,
                             lambda: message("hint.trend_weeks", self.lang_said)),
            lang=lang,
            report_day=DAYS_OF_WEEK.index(report_day) if report_day in DAYS_OF_WEEK else 4,
            kpi_health_weeks=read("kpi_health_weeks", weeks,
                                  int(default_health) if isinstance(default_health, int) else 13,
                                  lambda: message("hint.kpi_health_weeks", self.lang_said)),
        )

    def _setting_named(self, name: str) -> str | None:
        wanted = normalize(name)
        for setting in self.template.settings:
            if wanted in (normalize(setting.key), *(normalize(v) for v in setting.label.variants())):
                return setting.key
        return None

    def roles(self) -> tuple[RoleEntry, ...]:
        tab = self.readable("roles")
        if tab is None:
            return ()
        entries = []
        for row in tab.data_rows():
            role = cell_text(tab.value(row, "role"))
            person = cell_text(tab.value(row, "person"))
            if role is None:
                if person is not None:
                    self.report(tab.address(row, "role"), self.message("empty_cell.role", person=printable(person)),
                                "empty_cell", "warning")
                continue
            has_contact = tab.has("contact")
            contact = cell_text(tab.value(row, "contact")) if has_contact else None
            entries.append(RoleEntry(row, role, self.template.role_key_of(role), person, contact,
                                     tab.address(row, "contact") if has_contact else None))
        return tuple(entries)

    def channels(self) -> tuple[Channel, ...]:
        tab = self.readable("channels")
        if tab is None:
            return ()
        found: dict[str, Channel] = {}
        for row in tab.data_rows():
            name = cell_text(tab.value(row, "channel"))
            if name is None:
                plan_fact = tab_name(self.bound, "plan_fact")
                self.report(tab.address(row, "channel"),
                            self.message("empty_cell.channel_name", tab=printable(plan_fact)), "empty_cell")
                continue
            if normalize(name) in found:
                first = found[normalize(name)]
                where = tab.address(first.row, "channel")
                self.report(tab.address(row, "channel"),
                            self.message("duplicate_channel", channel=printable(name), first=where),
                            "duplicate_channel")
                continue
            # What sheetops does meanwhile with a cell it cannot read: the row is still used (its
            # facts count), so these findings are warnings.
            group = self.enum(tab, row, "group", required=True, severity="warning",
                              meanwhile=self.message("meanwhile.group"))
            primary_kpi = self.enum(tab, row, "primary_kpi", required=False, severity="warning",
                                    meanwhile=self.message("meanwhile.cell"))
            amounts = {
                key: self.amount(tab, row, key, ratio=key == "target_roas", severity="warning",
                                 meanwhile=self.message("meanwhile.cell" if key == "monthly_budget"
                                                          else "meanwhile.target"))
                for key in ("monthly_budget", *TARGET_COLUMNS.values())
            }
            unreadable = {key for key, (ok, _) in amounts.items() if not ok}
            if group is None:
                unreadable.add("group")
            if primary_kpi is None and not is_blank(tab.value(row, "primary_kpi")):
                unreadable.add("primary_kpi")
            found[normalize(name)] = Channel(
                row=row,
                name=name,
                group=group,
                owner=cell_text(tab.value(row, "owner")),
                primary_kpi=primary_kpi,
                monthly_budget=amounts["monthly_budget"][1],
                target_cpl=amounts["target_cpl"][1],
                target_cpa=amounts["target_cpa"][1],
                target_roas=amounts["target_roas"][1],
                status=self._status(tab, row, name),
                unreadable=frozenset(unreadable),
            )
        return tuple(found.values())

    def _status(self, tab: BoundTab, row: int, name: str) -> str:
        """A channel's status key. Blank or unreadable counts as Active, with a finding."""
        labels = ", ".join(self.template.enum("status").labels(self.lang))
        active = self.template.enum("status").label_of("active", self.lang)
        if is_blank(tab.value(row, "status")):
            self.report(tab.address(row, "status"),
                        self.message("empty_status", channel=printable(name), active=active, labels=labels),
                        "empty_status", "warning")
            return "active"
        meanwhile = self.message("meanwhile.status", active=active)
        return self.enum(tab, row, "status", required=True, severity="warning", meanwhile=meanwhile) or "active"

    def rules(self, channels: tuple[Channel, ...]) -> tuple[StopRule, ...]:
        tab = self.readable("stop_rules")
        if tab is None:
            return ()
        rules = []
        groups = self.template.enum("group")
        known = {normalize(c.name) for c in channels}
        channels_read = self.readable("channels") is not None
        channels_tab = tab_name(self.bound, "channels")
        for row in tab.data_rows():
            before = len(self.findings)
            name = cell_text(tab.value(row, "rule"))
            if name is None:
                self.report(tab.address(row, "rule"), self.message("empty_cell.rule_name"), "empty_cell")
            scope = cell_text(tab.value(row, "channel"))
            group = None
            group_labels = ", ".join(groups.labels(self.lang))
            if scope is None:
                self.report(tab.address(row, "channel"), self.message("empty_cell.rule_channel", groups=group_labels),
                            "empty_cell")
            elif scope != "*":
                group = groups.key_of(scope)
                if group is None and normalize(scope) not in known and channels_read:
                    self.report(
                        tab.address(row, "channel"),
                        self.message("unknown_scope", scope=printable(scope), tab=printable(channels_tab),
                                 groups=group_labels),
                        "unknown_scope",
                    )
            metric = self.enum(tab, row, "metric", required=True)
            condition = self.enum(tab, row, "condition", required=True)
            _, threshold = self.parsed(
                tab, row, "threshold", lambda v: parse_threshold(v, decimal_comma=self.decimal_comma),
                required=True, what=message("hint.threshold", self.lang_said),
            )
            if threshold is not None and threshold.uses_target and metric is not None and metric not in TARGET_COLUMNS:
                metric_label = self.template.enum("metric").label_of(metric, self.lang)
                with_targets = ", ".join(self.template.enum("metric").label_of(m, self.lang) for m in TARGET_COLUMNS)
                self.report(
                    tab.address(row, "threshold"),
                    self.message("no_target_column", metric=metric_label, tab=printable(channels_tab),
                             metrics=with_targets),
                    "no_target_column",
                )

            def periods_of(value: CellValue) -> int:
                count = parse_integer(value, decimal_comma=self.decimal_comma)
                if count < 1:
                    raise ValueProblem("value.too_few_periods", count=count)
                return count

            _, periods = self.parsed(tab, row, "periods_in_a_row", periods_of, required=True,
                                     what=message("hint.periods", self.lang_said))
            period = self.enum(tab, row, "period", required=True)
            action = self.enum(tab, row, "action", required=True)
            _, min_spend = self.amount(tab, row, "min_spend") if tab.has("min_spend") else (True, None)
            enabled = self.enum(tab, row, "enabled", required=True)
            if len(self.findings) > before:
                continue  # a rule that cannot be read completely is not run
            assert name and scope and metric and condition and threshold and periods and period and action
            rules.append(
                StopRule(
                    row=row,
                    name=name,
                    scope=scope,
                    metric=metric,
                    condition=condition,
                    threshold=threshold,
                    periods=periods,
                    period=period,
                    action=action,
                    min_spend=min_spend,
                    enabled=enabled == "yes",
                    threshold_cell=tab.address(row, "threshold"),
                    group=group,
                )
            )
        return tuple(rules)


def parse_margin(value: CellValue, *, decimal_comma: bool = False) -> float:
    """The gross margin as a fraction: 35% and 0.35 and 35 (percent points) all give 0.35.

    Typed with % it is 1% to 100%; a bare number is a fraction 0.01 to 1, or a whole number
    of percent points 1 to 100 (1 is 100%: type 1% for one percent). Anything else (1.5,
    0.005, 0.5%, 150%) is refused rather than guessed.
    """
    number = parse_number(value, decimal_comma=decimal_comma)
    if isinstance(value, str) and value.strip().endswith("%"):
        if 0.01 - 1e-12 <= number <= 1 + 1e-12:
            return number
    elif 0.01 - 1e-12 <= number <= 1:
        return number
    elif 1 < number <= 100 and number == int(number):
        return number / 100
    raise ValueProblem("value.not_a_margin", value=printable(cell_text(value) or ""), code="bad_setting")


def _shown(value: object, lang: str) -> str:
    if isinstance(value, float) and 0 < value <= 1:
        return f"{value:.0%}"
    if isinstance(value, str):
        return quote(value, lang)
    return str(value)


def read_inputs(bound: BoundWorkbook) -> Inputs:
    """Read Settings, Roles, Channels and Stop rules; unreadable cells become findings.

    Settings come first, since the Number format decides how the other tabs' numbers
    are read. A setting that cannot be read keeps the template's default for the
    workbook's language. A channel row is kept whatever its cells hold (an unreadable
    target or group becomes None), so that its facts are still counted, and such a cell
    is a warning that says what sheetops does meanwhile; a channel whose Status is blank
    or unreadable counts as Active, so a new row is measured rather than silently skipped.
    Only a row without a name or a second row of the same name is left out (an error). A stop
    rule is all or nothing: a row with any cell that cannot be read is left out of
    ``rules``, since running half a rule would be worse than not running it.
    """
    reader = _Reader(bound)
    settings = reader.settings()
    roles = reader.roles()
    channels = reader.channels()
    rules = reader.rules(channels)
    read_tabs = frozenset(k for k in ("settings", "roles", "channels", "stop_rules") if reader.readable(k))
    return Inputs(settings, roles, channels, rules, tuple(reader.findings), read_tabs)


def covered_channels(rule: StopRule, inputs: Inputs) -> tuple[Channel, ...]:
    """The channels a rule applies to: all for ``*``, a group's, or the one it names.

    A group (by label in either language, or by key) wins over a channel of the same
    name; ``read_inputs`` records the group key in ``rule.group``.
    """
    scope = rule.scope.strip()
    if scope == "*":
        return inputs.channels
    group = rule.group
    if group is None and inputs.channel(scope) is None:
        group = normalize(scope)  # a group key typed by hand, e.g. "paid"
    if group is not None:
        return tuple(c for c in inputs.channels if c.group == group)
    channel = inputs.channel(scope)
    return (channel,) if channel else ()


def channels_missing_target(rule: StopRule, inputs: Inputs) -> tuple[Channel, ...]:
    """The covered channels a ``target`` threshold cannot be resolved for (no target set).

    Empty for a rule with a fixed threshold, or on a metric without a target column
    (that rule is itself a finding of ``read_inputs``). A target typed but unreadable
    counts as missing too.
    """
    if not rule.threshold.uses_target or rule.metric not in TARGET_COLUMNS:
        return ()
    return tuple(c for c in covered_channels(rule, inputs) if c.target(rule.metric) is None)


def missing_target_findings(bound: BoundWorkbook, inputs: Inputs) -> list[Finding]:
    """A warning per enabled rule and covered channel whose ``target`` threshold has no target.

    The finding sits on the rule's Threshold cell and names the Channels cell to fill.
    """
    tab = bound.tab("channels")
    lang = inputs.settings.lang
    findings = []
    for rule in inputs.rules:
        if not rule.enabled:
            continue
        column = TARGET_COLUMNS.get(rule.metric, "")
        for channel in channels_missing_target(rule, inputs):
            if column in channel.unreadable:
                continue  # reported where it was read
            header = header_name(bound, "channels", column)
            channels = tab_name(bound, "channels")
            where = (
                tab.address(channel.row, column)
                if tab and tab.has(column)
                else message("missing_target.column", lang, header=printable(header), tab=printable(channels))
            )
            findings.append(
                Finding(
                    rule.threshold_cell,
                    message("missing_target", lang, rule=printable(rule.name), channel=printable(channel.name),
                            header=printable(header), where=where),
                    "warning",
                    "missing_target",
                )
            )
    return findings
