"""The template model: the workbook contract as frozen dataclasses.

A template file (JSON, see ``smb-marketing.json``) is loaded and validated once by
:func:`sheetops.templates.load_template` into these objects. Everything that reads or
writes a workbook asks the template for tab names, headers and accepted values in
either language, so the code never spells a header itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Lang = Literal["en", "ru"]
LANGS: tuple[Lang, ...] = ("en", "ru")

ColumnType = Literal[
    "text",  # free text
    "number",  # a number (counts may be fractional in plans)
    "integer",  # a whole number
    "money",  # an amount in the workbook's currency
    "percent",  # a fraction, typed as 12% or 0.12
    "date",  # a date
    "enum",  # one of a fixed set of values (see Column.enum)
    "person",  # a Person from the Roles tab
    "channel",  # a Channel from the Channels tab
    "channel_scope",  # a channel name, a group name, or * for all
    "threshold",  # a number, a percentage, or target[*factor]
]
COLUMN_TYPES: frozenset[str] = frozenset(ColumnType.__args__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Text:
    """A piece of text in every supported language."""

    en: str
    ru: str

    def __getitem__(self, lang: str) -> str:
        return self.ru if lang == "ru" else self.en

    def variants(self) -> tuple[str, ...]:
        return (self.en, self.ru)


@dataclass(frozen=True)
class EnumValue:
    """One accepted value of a fixed set, with its stable key and its labels."""

    key: str
    label: Text


@dataclass(frozen=True)
class Enum:
    """A fixed set of values that a column accepts, in either language."""

    name: str
    values: tuple[EnumValue, ...]

    def labels(self, lang: str) -> list[str]:
        return [v.label[lang] for v in self.values]

    def key_of(self, text: str) -> str | None:
        """The key of a value typed in either language (case and spaces ignored), or None."""
        wanted = normalize(text)
        for value in self.values:
            if wanted == normalize(value.key) or any(
                wanted == normalize(label) for label in value.label.variants()
            ):
                return value.key
        return None

    def label_of(self, key: str, lang: str) -> str:
        for value in self.values:
            if value.key == key:
                return value.label[lang]
        raise KeyError(key)


@dataclass(frozen=True)
class Column:
    """One column of a tab: its stable key, its header in each language, what it takes."""

    key: str
    header: Text
    type: ColumnType
    required: bool = False
    enum: str | None = None
    width: float = 12.0


@dataclass(frozen=True)
class Tab:
    """One tab of the contract. ``owned`` tabs are written by sheetops only; an ``on_demand``
    one is not made by init, only by the sync that writes it (Unit economics: ``sync --month``)."""

    key: str
    name: Text
    columns: tuple[Column, ...]
    owned: bool = False
    on_demand: bool = False

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(f"{self.key}.{key}")


@dataclass(frozen=True)
class Setting:
    """One row of the Settings tab."""

    key: str
    label: Text
    type: ColumnType
    default_en: object
    default_ru: object
    enum: str | None = None

    def default(self, lang: str) -> object:
        return self.default_ru if lang == "ru" else self.default_en


@dataclass(frozen=True)
class Role:
    """A role of the role map, pre-filled by init."""

    key: str
    name: Text
    responsibilities: Text
    kpi: Text
    ritual: Text
    hours_per_week: float | None
    demo_person: Text | None = None


@dataclass(frozen=True)
class RoleConflict:
    """Two roles one person must not hold without an outside check, and why."""

    roles: tuple[str, str]
    why: Text


@dataclass(frozen=True)
class ChannelSeed:
    """An example channel that init writes into the Channels tab."""

    name: Text
    group: str
    owner_role: str | None
    primary_kpi: str | None
    monthly_budget: float | None
    target_cpl: float | None
    target_cpa: float | None
    target_roas: float | None
    status: str


@dataclass(frozen=True)
class StopRuleSeed:
    """A stop rule that init writes into the Stop rules tab (enum keys, not labels)."""

    rule: Text
    channel: str  # a group key, "*" or a channel name
    metric: str
    condition: str
    threshold: str
    periods_in_a_row: int
    period: str
    action: str
    min_spend: float | None
    enabled: str


@dataclass(frozen=True)
class Template:
    """A whole workbook contract: tabs, accepted values, seeds for init."""

    name: str
    contract_version: int
    description: Text
    source: str  # where the template was loaded from, for messages
    enums: dict[str, Enum] = field(hash=False)
    tabs: tuple[Tab, ...]
    settings: tuple[Setting, ...]
    owned_tab_note: Text
    roles: tuple[Role, ...]
    role_conflicts: tuple[RoleConflict, ...]
    channels: tuple[ChannelSeed, ...]
    stop_rules: tuple[StopRuleSeed, ...]

    def tab(self, key: str) -> Tab:
        for tab in self.tabs:
            if tab.key == key:
                return tab
        raise KeyError(key)

    def enum(self, name: str) -> Enum:
        return self.enums[name]

    def role(self, key: str) -> Role:
        for role in self.roles:
            if role.key == key:
                return role
        raise KeyError(key)

    def role_key_of(self, text: str) -> str | None:
        """The key of a role named in either language, or None for a role of the user's own."""
        wanted = normalize(text)
        for role in self.roles:
            if wanted in (normalize(role.key), *(normalize(v) for v in role.name.variants())):
                return role.key
        return None

    def setting(self, key: str) -> Setting:
        for setting in self.settings:
            if setting.key == key:
                return setting
        raise KeyError(key)


def normalize(text: str) -> str:
    """Fold a label for comparison: case, surrounding and repeated spaces, ё/е."""
    return " ".join(str(text).replace("\u00a0", " ").split()).casefold().replace("ё", "е")
