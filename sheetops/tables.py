"""The contract's input tabs, read into typed records. Pure: no I/O.

``read_inputs`` turns the bound Settings, Roles, Channels and Stop rules tabs into frozen
records and a list of findings, each finding with its cell address. ``sheetops check``
reports those findings; ``sheetops sync`` uses the same records and reports the same
findings as data issues, so both commands always agree on what a cell means.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sheetops.values import Threshold
from sheetops.workbook import BoundWorkbook, Finding

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


@dataclass(frozen=True)
class RoleEntry:
    """A row of the Roles tab. ``key`` is the template's role key, None for a custom role."""

    row: int  # 0-based sheet row
    role: str
    key: str | None
    person: str | None


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


@dataclass(frozen=True)
class Inputs:
    """Everything read from the input tabs other than the facts."""

    settings: Settings
    roles: tuple[RoleEntry, ...]
    channels: tuple[Channel, ...]
    rules: tuple[StopRule, ...]
    findings: tuple[Finding, ...] = field(default=())

    def channel(self, name: str) -> Channel | None:
        """The channel of that name (case and spaces ignored)."""
        from sheetops.templates import normalize

        wanted = normalize(name)
        for channel in self.channels:
            if normalize(channel.name) == wanted:
                return channel
        return None


def read_inputs(bound: BoundWorkbook) -> Inputs:
    """Read Settings, Roles, Channels and Stop rules; unreadable rows become findings."""
    raise NotImplementedError  # implemented together with `sheetops check`


def covered_channels(rule: StopRule, inputs: Inputs) -> tuple[Channel, ...]:
    """The channels a rule applies to: by name, by group (label or key), or all for ``*``."""
    raise NotImplementedError  # implemented together with `sheetops check`
