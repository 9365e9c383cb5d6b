"""Sync time and memory on large .xlsx workbooks, against the floor: python-calamine reading
the same file.

For 1k, 10k and 100k Daily rows (and a year of daily data for 20 channels) it builds a
contract workbook, then, each in a fresh process so that peak memory is that run's own:
  - floor: python-calamine reads every tab's values;
  - sync:  `sheetops.api.sync` (read, compute, write the summary, highlights and log).
It prints both times, their ratio, both peak resident memories and their ratio; with
--phases, also one sync's read, compute and write, each timed, with the peak memory so far
at its end (where the peak comes from).

Targets (issue 3): sync within 3x the floor at 100k rows; under 2 s for a year of daily
data for 20 channels; under 500 MB at 100k rows.

Targets (issue 8): sync's peak memory at most 1.25x the floor's at 500k and a million rows.

Run: .venv/bin/python bench/sync_xlsx.py [--sizes 1000,10000,100000] [--runs 3] [--phases]
     .venv/bin/python bench/sync_xlsx.py --sizes 100000,500000,1000000 --runs 1   (memory at scale)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time, datetime as dt
mode, path, as_of = sys.argv[1], sys.argv[2], dt.date.fromisoformat(sys.argv[3])
start = time.perf_counter()
if mode == "floor":
    from python_calamine import CalamineWorkbook
    book = CalamineWorkbook.from_path(path)
    rows = sum(len(book.get_sheet_by_name(n).to_python()) for n in book.sheet_names)
else:
    from sheetops.api import sync
    report = sync(path, as_of=as_of)
    rows = len(report.breaches)
elapsed = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mb": peak_mb, "n": rows}))
"""


# The same sync as `sheetops.api.sync`, its phases timed, with the peak memory at the end of each.
PHASES = r"""
import datetime as dt, gc, json, resource, sys, time
path, as_of = sys.argv[1], dt.date.fromisoformat(sys.argv[2])
peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
from sheetops.api import open_backend
from sheetops.sync import summary
from sheetops.sync.engine import analyze, build_write
from sheetops.templates import DEFAULT_TEMPLATE, load_template
template = load_template(DEFAULT_TEMPLATE)
phases = {"import": (time.perf_counter() - start, peak())}
gc.disable()  # as the engine does
backend = open_backend(path)
with backend.lock():
    mark = time.perf_counter()
    data = backend.read()
    phases["read"] = (time.perf_counter() - mark, peak())
    mark = time.perf_counter()
    analysis = analyze(data, template, as_of)
    row = summary.log_row(when=dt.datetime.now(), as_of=analysis.as_of, rows_read=analysis.facts.rows_read,
                          breaches=len(analysis.breaches), issues=len(analysis.issues), duration=0.0, result="",
                          lang=analysis.lang)
    changes = build_write(analysis, log_row=row)
    phases["compute"] = (time.perf_counter() - mark, peak())
    del data, analysis
    mark = time.perf_counter()
    backend.write(changes)
    phases["write"] = (time.perf_counter() - mark, peak())
print(json.dumps(phases))
"""


def phases(path: Path, as_of: dt.date) -> str:
    """One sync's phases: seconds and the peak memory so far (MB) at the end of each."""
    work = path.with_name(f"phases-{path.name}")
    work.write_bytes(path.read_bytes())
    out = subprocess.run([sys.executable, "-c", PHASES, str(work), as_of.isoformat()],
                         check=True, capture_output=True, text=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return "  ".join(f"{name} {seconds:.2f} s, {mb:.0f} MB" for name, (seconds, mb) in found.items())


def build(path: Path, daily_rows: int, channels: int, as_of: dt.date, rules: list[list[object]] | None = None,
          lang: str = "en") -> None:
    """A contract workbook in ``lang`` with `daily_rows` Daily rows spread over `channels`;
    `rules`, when given, are the rows of the Stop rules tab instead of the demo's."""
    from sheetops.api import provision
    from sheetops.templates import DEFAULT_TEMPLATE, load_template

    names = [f"Channel {i + 1:02d}" for i in range(channels)]
    tmp = path.with_suffix(".seed.xlsx")
    provision(tmp, channels=names, today=as_of, lang=lang)
    key_of = {tab.name[lang]: tab.key for tab in load_template(DEFAULT_TEMPLATE).tabs}
    # Re-create the workbook with the same tabs and many fact rows, written fast with
    # XlsxWriter's constant-memory mode.
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    seed = CalamineWorkbook.from_path(str(tmp))
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    rng = random.Random(7)
    days = max(1, daily_rows // channels)
    first_day = as_of - dt.timedelta(days=days - 1)
    for name in seed.sheet_names:
        rows = seed.get_sheet_by_name(name).to_python()
        sheet = book.add_worksheet(name)
        if key_of.get(name) == "channels":
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if r and c == 1:
                        value = load_template(DEFAULT_TEMPLATE).enum("group").label_of("paid", lang)
                    if r and c == 2:
                        value = "Anna"
                    if r and c in (5, 6, 7):
                        value = (40, 150, 3.0)[c - 5]
                    sheet.write(r, c, value)
            continue
        if key_of.get(name) == "roles":
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    sheet.write(r, c, "Anna" if r and c == 1 else value)
            continue
        for c, value in enumerate(rows[0] if rows else []):
            sheet.write(0, c, value)
        if key_of.get(name) == "daily":
            r = 1
            for d in range(days):
                day = first_day + dt.timedelta(days=d)
                for channel in names:
                    spend = round(rng.uniform(50, 400), 2)
                    leads = rng.randint(0, 12)
                    orders = rng.randint(0, max(0, leads // 2))
                    values = [spend, rng.randint(100, 3000), leads, orders, round(orders * rng.uniform(200, 900), 2)]
                    sheet.write_datetime(r, 0, dt.datetime.combine(day, dt.time()), date_format)
                    sheet.write_string(r, 1, channel)
                    for c, v in enumerate(values, start=2):
                        sheet.write_number(r, c, v)
                    r += 1
        elif key_of.get(name) == "plan_fact":
            monday = first_day - dt.timedelta(days=first_day.weekday())
            r = 1
            while monday <= as_of:
                for channel in names:
                    sheet.write_datetime(r, 0, dt.datetime.combine(monday, dt.time()), date_format)
                    sheet.write_string(r, 1, channel)
                    sheet.write_number(r, 2, 1500)
                    sheet.write_number(r, 4, 40)
                    sheet.write_number(r, 6, 10)
                    sheet.write_number(r, 8, 6000)
                    r += 1
                monday += dt.timedelta(days=7)
        elif key_of.get(name) == "stop_rules" and rules is not None:
            for r, row in enumerate(rules, start=1):
                for c, value in enumerate(row):
                    if value is not None:
                        sheet.write(r, c, value)
        else:
            for r, row in enumerate(rows[1:], start=1):
                for c, value in enumerate(row):
                    if isinstance(value, str):
                        sheet.write_string(r, c, value)
                    elif value != "":
                        sheet.write(r, c, value)
    book.close()
    tmp.unlink()


def measure(mode: str, path: Path, as_of: dt.date, runs: int) -> tuple[float, float]:
    times, peaks = [], []
    for _ in range(runs):
        work = path.with_name(f"run-{path.name}")
        work.write_bytes(path.read_bytes())
        out = subprocess.run([sys.executable, "-c", CHILD, mode, str(work), as_of.isoformat()],
                             check=True, capture_output=True, text=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        times.append(result["seconds"])
        peaks.append(result["peak_mb"])
    return statistics.median(times), max(peaks)


def main() -> None:
    # Timed as an installed sheetops runs: from bytecode compiled once, not compiled anew
    # each run (which an environment that says not to write bytecode would make it do).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--phases", action="store_true",
                        help="also time one sync's read, compute and write, with the peak memory after each")
    args = parser.parse_args()
    as_of = dt.date(2026, 11, 27)
    cases = [(int(s), 20, f"{int(s):,} Daily rows") for s in args.sizes.split(",")]
    cases.append((365 * 20, 20, "a year x 20 channels"))
    print(f"{'workbook':24s} {'floor s':>8s} {'sync s':>8s} {'ratio':>6s} {'floor peak MB':>14s} "
          f"{'sync peak MB':>13s} {'ratio':>6s}")
    with tempfile.TemporaryDirectory() as tmp:
        for rows, channels, label in cases:
            path = Path(tmp) / f"bench-{rows}.xlsx"
            build(path, rows, channels, as_of)
            floor, floor_peak = measure("floor", path, as_of, args.runs)
            sync, peak = measure("sync", path, as_of, args.runs)
            print(f"{label:24s} {floor:8.2f} {sync:8.2f} {sync / floor:6.2f} {floor_peak:14.0f} {peak:13.0f} "
                  f"{peak / floor_peak:6.2f}")
            if args.phases:
                print(f"{'':24s} phases: {phases(path, as_of)}")


if __name__ == "__main__":
    main()
