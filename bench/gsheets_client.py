"""The Google Sheets sync's own CPU time, with the emulator in another process.

`sheetops emulator` serves the Sheets API on loopback in a process of its own, so its time
(rendering every cell) is not counted. This process provisions the demo workbook there,
puts N Daily rows in it (not measured), then measures this process's CPU time
(``time.process_time``: the client's own work, whatever the machine's load) for:
  - floor: the sync's two reads (spreadsheets.get for the tabs, fills and notes;
    values.batchGet for the values), their answers received and left undecoded (the
    cycle collector paused, as a sync pauses it);
  - sync:  ``run_sync`` on the Google Sheets backend (read, parse, compute, build and send
    the one batchUpdate);
each the median of ``--runs`` runs. It prints both, the sync's CPU beyond the floor, and
the wall-clock time of a sync (mostly the emulator's).

Target (issue 8): the client's CPU for a 100k-row sync under 0.5 s.

Run: .venv/bin/python bench/gsheets_client.py [--sizes 1000,10000,100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gsheets_sync import AS_OF, daily_rows, sync_reads


def start_emulator(folder: Path) -> tuple[subprocess.Popen[str], str, Path]:
    key = folder / "key.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "sheetops", "emulator", "--port", "0", "--key-file", str(key)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    base_url = first.split(" at ")[1].split(" ")[0]
    process.stdout.readline()
    process.stdout.readline()
    return process, base_url, key


def measure(size: int, runs: int, folder: Path) -> dict[str, float]:
    from sheetops.backends.gsheets import open_gsheets_backend, provision_gsheets, spreadsheet_id
    from sheetops.provision import build_layout
    from sheetops.sync.engine import run_sync
    from sheetops.templates import load_template

    template = load_template("smb-marketing")
    workbook = build_layout(template, lang="en", channels=None, demo=True, today=AS_OF)
    url = provision_gsheets(workbook, title=f"Bench {size}")
    sheet_id = spreadsheet_id(url)
    backend = open_gsheets_backend(url)
    client = backend.connection.client
    channels = [str(row[0].value) for tab in workbook.tabs if tab.key == "channels" for row in tab.rows[1:]]
    sheets = client.fetch_sheet_metadata(sheet_id)["sheets"]
    daily_id = next(s["properties"]["sheetId"] for s in sheets if s["properties"]["title"] == "Daily")
    client.batch_update(sheet_id, {"requests": [
        {"updateSheetProperties": {"properties": {"sheetId": daily_id, "gridProperties": {"rowCount": size + 1}},
                                   "fields": "gridProperties.rowCount"}},
        {"updateCells": {"start": {"sheetId": daily_id, "rowIndex": 1, "columnIndex": 0},
                         "rows": daily_rows(channels, size), "fields": "userEnteredValue"}},
    ]})

    def cpu(work: object) -> tuple[float, float]:
        """CPU and wall time of ``work``, with the cycle collector paused as a sync pauses it."""
        gc.collect()
        gc.disable()
        try:
            wall, start = time.perf_counter(), time.process_time()
            work()  # type: ignore[operator]
            return time.process_time() - start, time.perf_counter() - wall
        finally:
            gc.enable()

    reads = sync_reads(client, sheet_id)
    floors, syncs, walls = [], [], []
    for _ in range(runs):
        floors.append(cpu(reads)[0])
        spent, wall = cpu(lambda: run_sync(open_gsheets_backend(url), template, as_of=AS_OF))
        syncs.append(spent)
        walls.append(wall)
    return {"rows": size, "floor": statistics.median(floors), "sync": statistics.median(syncs),
            "wall": statistics.median(walls)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="Daily rows, comma-separated")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        process, base_url, key = start_emulator(folder)
        os.environ["SHEETOPS_GOOGLE_API_URL"] = base_url
        os.environ["GOOGLE_APPLICATION_CREDENTIALS"] = str(key)
        try:
            header = (f"{'Daily rows':>10}  {'floor CPU s':>11}  {'sync CPU s':>10}  {'beyond floor':>12}  "
                      f"{'sync wall s':>11}")
            print(f"client CPU, median of {args.runs} runs (the emulator runs in its own process)")
            print(header)
            print("-" * len(header))
            for size in (int(s) for s in args.sizes.split(",")):
                m = measure(size, args.runs, folder)
                print(f"{m['rows']:>10,}  {m['floor']:>11.3f}  {m['sync']:>10.3f}  {m['sync'] - m['floor']:>12.3f}  "
                      f"{m['wall']:>11.2f}", flush=True)
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
