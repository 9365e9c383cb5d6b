"""Google Sheets sync against the emulator: requests, bytes and time for 1k, 10k and 100k
Daily rows, against the floor (the same two reads a sync makes, alone).

For each size it provisions the English demo workbook in the in-process Sheets API
emulator (``sheetops.testing``), puts N Daily rows in it (one batchUpdate, not measured),
then measures:
  - floor: the sync's two reads (spreadsheets.get with its fields mask, values.batchGet of
    every tab), through the same client, their answers left undecoded;
  - sync:  ``run_sync`` on the Google Sheets backend (read, compute, one batchUpdate).
It prints the Sheets and Drive requests the sync made (the target is 3 whatever the size),
the request bytes it sent, the response bytes it received, both times and their ratio.

Most of the time is the emulator's (it renders and copies every cell in Python); against
Google the read is bounded by the network, so read the request and byte counts first.

Run: .venv/bin/python bench/gsheets_sync.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import time
from collections.abc import Callable
from typing import Any

AS_OF = dt.date(2026, 11, 27)
HOSTS = ("https://sheets.googleapis.com/", "https://www.googleapis.com/", "https://oauth2.googleapis.com/")
ACCOUNT = "bench@sheetops-bench.iam.gserviceaccount.com"


def daily_rows(channels: list[str], count: int) -> list[dict[str, Any]]:
    """``count`` Daily rows (RowData) over ``channels``, the newest on ``AS_OF``."""
    from sheetops.backends.gsheets.bodies import serial

    rng = random.Random(count)
    rows = []
    for index in range(count):
        day = AS_OF - dt.timedelta(days=index // len(channels))
        spend = round(rng.uniform(50, 500), 2)
        leads = rng.randint(0, 12)
        values = [
            {"userEnteredValue": {"numberValue": serial(day)}},
            {"userEnteredValue": {"stringValue": channels[index % len(channels)]}},
            {"userEnteredValue": {"numberValue": spend}},
            {"userEnteredValue": {"numberValue": rng.randint(100, 2000)}},
            {"userEnteredValue": {"numberValue": leads}},
            {"userEnteredValue": {"numberValue": rng.randint(0, leads)}},
            {"userEnteredValue": {"numberValue": round(spend * rng.uniform(0, 4), 2)}},
        ]
        rows.append({"values": values})
    return rows


def sync_reads(client: Any, sheet_id: str) -> Callable[[], int]:
    """The two reads a sync makes, through ``client`` (a gspread HTTP client), as one call
    that leaves the answers undecoded and returns how many bytes came."""
    from sheetops.backends.gsheets.client import SHEETS_URL
    from sheetops.backends.gsheets.snapshot import READ_FIELDS, VALUE_PARAMS, parse_looks, value_ranges

    url = f"{SHEETS_URL}/{sheet_id}"
    looks = {"includeGridData": "true", "fields": READ_FIELDS}
    values = {"ranges": value_ranges(parse_looks(client.request("get", url, params=looks).content)), **VALUE_PARAMS}

    def read() -> int:
        first = client.request("get", url, params=looks).content
        return len(first) + len(client.request("get", f"{url}/values:batchGet", params=values).content)

    return read


def measure(size: int) -> dict[str, float]:
    from sheetops.backends.gsheets import open_gsheets_backend, provision_gsheets, spreadsheet_id
    from sheetops.provision import build_layout
    from sheetops.sync.engine import run_sync
    from sheetops.templates import load_template
    from sheetops.testing import Emulator

    template = load_template("smb-marketing")
    emulator = Emulator(seed=1, quota_per_minute=None)
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        key = emulator.write_service_account_key(
            Path(folder) / "key.json", token_uri="https://oauth2.googleapis.com/token", client_email=ACCOUNT
        )
        adapter = emulator.adapter()
        adapters = dict.fromkeys(HOSTS, adapter)
        workbook = build_layout(template, lang="en", channels=None, demo=True, today=AS_OF)
        url = provision_gsheets(workbook, title=f"Bench {size}", credentials=key, adapters=adapters)
        sheet_id = spreadsheet_id(url)
        channels = [row[0].value for tab in workbook.tabs if tab.key == "channels" for row in tab.rows[1:]]
        daily = next(s for s in emulator.spreadsheet_json(sheet_id)["sheets"] if s["properties"]["title"] == "Daily")
        daily_id = daily["properties"].get("sheetId", 0)
        client = emulator.gspread_client(subject=ACCOUNT)
        client.http_client.batch_update(sheet_id, {"requests": [
            {"updateSheetProperties": {"properties": {"sheetId": daily_id, "gridProperties": {"rowCount": size + 1}},
                                       "fields": "gridProperties.rowCount"}},
            {"updateCells": {"start": {"sheetId": daily_id, "rowIndex": 1, "columnIndex": 0},
                             "rows": daily_rows([str(c) for c in channels], size), "fields": "userEnteredValue"}},
        ]})

        backend = open_gsheets_backend(url, credentials=key, adapters=adapters)
        reads = sync_reads(backend.connection.client, sheet_id)

        def bare_read() -> float:
            """The sync's reads alone, through the same client, their answers left undecoded
            (with the garbage collector paused, as the sync engine pauses it)."""
            gc.collect()
            gc.disable()
            try:
                start = time.perf_counter()
                reads()
                return time.perf_counter() - start
            finally:
                gc.enable()

        floor = min(bare_read() for _ in range(2))
        emulator.clear_log()
        gc.collect()
        start = time.perf_counter()
        report = run_sync(backend, template, as_of=AS_OF)
        seconds = time.perf_counter() - start
        calls = [r for r in emulator.requests if r.api in ("sheets", "drive")]
        return {
            "rows": size,
            "requests": len(calls),
            "sent": sum(r.body_size for r in calls),
            "received": sum(r.response_size for r in calls),
            "floor": floor,
            "sync": seconds,
            "cells": backend.cell_count or 0,
            "breaches": len(report.breaches),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="Daily rows, comma-separated")
    args = parser.parse_args()
    header = (f"{'Daily rows':>10}  {'requests':>8}  {'sent':>10}  {'received':>10}  {'grid cells':>10}  "
              f"{'floor s':>8}  {'sync s':>8}  {'ratio':>5}")
    print(header)
    print("-" * len(header))
    for size in (int(s) for s in args.sizes.split(",")):
        m = measure(size)
        print(f"{m['rows']:>10,}  {m['requests']:>8}  {m['sent'] / 1024:>8.0f}KB  {m['received'] / 1024:>8.0f}KB  "
              f"{m['cells']:>10,}  {m['floor']:>8.2f}  {m['sync']:>8.2f}  {m['sync'] / m['floor']:>5.2f}", flush=True)


if __name__ == "__main__":
    main()
