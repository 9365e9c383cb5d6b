"""The status of each channel for the reported week. Pure; no I/O.

In order of precedence:

* ``paused`` / ``stopped``: the channel's Status in Channels says so;
* ``breach``: a stop rule is breached;
* ``watch``: a KPI worse than the channel's target (CPL or CPA above target, ROAS below
  target) or spend more than 10% above plan;
* ``no_data``: an Active or Testing channel with no facts for the week: the Friday
  report is missing;
* ``ok``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from sheetops.sync.kpis import metric_value
from sheetops.tables import Channel

Status = Literal["ok", "watch", "breach", "no_data", "paused", "stopped"]
STATUSES: tuple[Status, ...] = ("ok", "watch", "breach", "no_data", "paused", "stopped")
# Spend more than this share above the week's plan is worth a look.
OVERSPEND = 0.10


@dataclass(frozen=True)
class ChannelStatus:
    """A status and, for ``watch``, what is worse than it should be (metric keys)."""

    status: Status
    reasons: tuple[str, ...] = ()


def watch_reasons(
    channel: Channel, fact: Mapping[str, float | None], plan: Mapping[str, float | None], gross_margin: float
) -> tuple[str, ...]:
    """The metrics worse than the channel's target: "cpl", "cpa", "roas", "spend" (over plan)."""
    reasons = []
    for metric in ("cpl", "cpa"):
        target = channel.target(metric)
        value = metric_value(metric, fact, gross_margin)
        if target is not None and value is not None and value > target:
            reasons.append(metric)
    target_roas = channel.target_roas
    roas = metric_value("roas", fact, gross_margin)
    if target_roas is not None and roas is not None and roas < target_roas:
        reasons.append("roas")
    spend, planned = fact.get("spend"), plan.get("spend")
    if spend is not None and planned is not None and spend > planned * (1 + OVERSPEND) and not math.isclose(
        spend, planned * (1 + OVERSPEND)
    ):
        reasons.append("spend")
    return tuple(reasons)


def channel_status(
    channel: Channel,
    fact: Mapping[str, float | None] | None,
    plan: Mapping[str, float | None],
    *,
    breached: bool,
    gross_margin: float,
) -> ChannelStatus:
    """The channel's status for the week; ``fact`` is None when it has no facts that week."""
    if channel.status in ("paused", "stopped"):
        return ChannelStatus("paused" if channel.status == "paused" else "stopped")
    if breached:
        return ChannelStatus("breach")
    if fact is not None:
        reasons = watch_reasons(channel, fact, plan, gross_margin)
        if reasons:
            return ChannelStatus("watch", reasons)
        return ChannelStatus("ok")
    return ChannelStatus("no_data")
