"""The Google backend's record of highlights: the record by fill colour that Google Sheets
and live Excel share (:mod:`sheetops.backends.fillrecord`)."""

from __future__ import annotations

from sheetops.backends.fillrecord import (
    HEADER,
    CellChange,
    Look,
    Plan,
    Record,
    plan_highlights,
    read_records,
    same_fill,
    state_layout,
)

__all__ = ["HEADER", "CellChange", "Look", "Plan", "Record", "plan_highlights", "read_records", "same_fill",
           "state_layout"]
