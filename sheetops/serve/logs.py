"""Structured logs: one JSON object a line on stderr (what Cloud Logging reads as fields).

Only the fields given are written: the callers' e-mail addresses and spreadsheet ids,
statuses and durations; never a token or a request body.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any, TextIO

SEVERITY = {2: "INFO", 4: "WARNING", 5: "ERROR"}


def log_event(stream: TextIO | None = None, **fields: Any) -> None:
    status = fields.get("status", 200)
    record = {
        "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
        "severity": SEVERITY.get(int(status) // 100, "INFO"),
        **fields,
    }
    out = stream or sys.stderr
    out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    out.flush()
