"""Sync time against the floor with few and many marked cells, whole process and in-process.

Builds a contract workbook of 100,000 Daily rows over 20 channels (``--rows`` to change
it) in three marking cases:
  - handful: the demo's stop rules (a few marked cells);
  - 2k:  one Day rule every row breaches ("Spend > 0", 100 days in a row): the last 100
         days of each of the 20 channels are marked, 2,000 cells;
  - 20k: the same rule with 1,000 days in a row: 20,000 cells.
Each case is timed on its first sync (a workbook with no marks yet) and on a re-sync (the
same sync again: the marks are there and stay), against the floor: python-calamine
reading every tab of the same file. Runs are interleaved (floor, first sync, re-sync of
every case, then again) and the medians are printed, with the ratio to the floor.

- whole process: ``sheetops sync FILE --as-of ... --quiet`` as a user runs it (the
  interpreter's start and the imports included), against ``python -c`` reading the file
  with python-calamine;
- in-process: the same, timed inside a fresh interpreter from before the first import;
  with the write phase on its own (``apply_sync_write``: the marks, the summary, the log
  row, the record, and the new package written and swapped in), its wall time and the
  CPU time of the process meanwhile (the deflate threads' included).

Linearity: the 20k case's time beyond the floor over the 2k case's, against the ratio of
their marks (10) and the target (at most 2x; issue 8).

Targets (issue 8): at most 2.0x the floor with a handful of marks and with 2,000 marks,
first sync and re-sync, whole process; 20,000 marks within 2x of 2,000, beyond the floor.

Run: .venv/bin/python bench/marks_xlsx.py [--rows 100000] [--runs 5] [--cases handful,2k,20k]
     [--lang ru] (a Russian workbook) [--as-of 2026-11-25] (a Wednesday: the week in progress)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from sync_xlsx import build  # noqa: E402

AS_OF = dt.date(2026, 11, 27)
FLOOR = (
    "from python_calamine import CalamineWorkbook\n"
    "import sys\n"
    "book = CalamineWorkbook.from_path(sys.argv[1])\n"
    "rows = sum(len(book.get_sheet_by_name(n).to_python()) for n in book.sheet_names)\n"
)
IN_PROCESS = r"""
import json, sys, time, datetime as dt
start = time.perf_counter()
mode, path = sys.argv[1], sys.argv[2]
if mode == "floor":
    from python_calamine import CalamineWorkbook
    book = CalamineWorkbook.from_path(path)
    rows = sum(len(book.get_sheet_by_name(n).to_python()) for n in book.sheet_names)
    write = cpu = 0.0
else:
    import sheetops.backends.xlsx.patcher as patcher
    from sheetops.api import sync
    apply, phase = patcher.apply_sync_write, {}
    def timed(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return apply(*args, **kwargs)
        finally:
            phase["write"], phase["cpu"] = time.perf_counter() - wall, time.process_time() - cpu
    patcher.apply_sync_write = timed
    sync(path, as_of=dt.date.fromisoformat(sys.argv[3]))
    write, cpu = phase.get("write", 0.0), phase.get("cpu", 0.0)
print(json.dumps({"seconds": time.perf_counter() - start, "write": write, "write_cpu": cpu}))
"""
# case -> (Periods in a row, expected marks per channel); None: the demo's own rules
CASES: dict[str, int | None] = {"handful": None, "2k": 100, "20k": 1000}


def rules(periods: int | None) -> list[list[object]] | None:
    """One Day rule every Daily row breaches, or None: the demo's own rules."""
    if periods is None:
        return None
    return [["Any spend", "*", "Spend", ">", 0, periods, "Day", "Stop", None, "Yes"]]


def marks_of(path: Path) -> int:
    """The cells the record in the workbook names (a row of it names a group of cells)."""
    from python_calamine import CalamineWorkbook

    from sheetops.backends.xlsx.record import records_from_values

    book = CalamineWorkbook.from_path(str(path))
    if "sheetops_state" not in book.sheet_names:
        return 0
    return len(records_from_values(book.get_sheet_by_name("sheetops_state").to_python()))


def sheetops_command() -> list[str]:
    found = Path(sys.executable).with_name("sheetops")
    return [str(found)] if found.exists() else [sys.executable, "-m", "sheetops"]


def whole(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def inside(mode: str, path: Path, as_of: dt.date) -> tuple[float, float, float]:
    """Seconds of the whole run, of its write phase, and the CPU seconds of the write phase."""
    out = subprocess.run([sys.executable, "-c", IN_PROCESS, mode, str(path), as_of.isoformat()],
                         check=True, capture_output=True, text=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return float(found["seconds"]), float(found["write"]), float(found["write_cpu"])


def main() -> None:
    # Timed as an installed sheetops runs: from bytecode compiled once, not compiled anew
    # each run (which an environment that says not to write bytecode would make it do).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--lang", default="en", help="the workbook's language: en or ru")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=AS_OF,
                        help="the day synced as of (a Wednesday: a week in progress)")
    args = parser.parse_args()
    cases = args.cases.split(",")
    sync = [*sheetops_command(), "sync", "--as-of", args.as_of.isoformat(), "--quiet"]
    times: dict[tuple[str, str, str], list[float]] = {}
    marks: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        books: dict[str, tuple[Path, Path]] = {}
        for case in cases:
            fresh = Path(tmp) / f"{case}.xlsx"
            build(fresh, args.rows, 20, AS_OF, rules(CASES[case]), lang=args.lang)
            synced = Path(tmp) / f"{case}-synced.xlsx"
            shutil.copyfile(fresh, synced)
            subprocess.run([*sync, str(synced)], check=False, capture_output=True)
            marks[case] = marks_of(synced)
            books[case] = (fresh, synced)
        work = Path(tmp) / "work.xlsx"
        for _ in range(args.runs):
            for case in cases:
                fresh, synced = books[case]
                for kind, source in (("floor", fresh), ("first", fresh), ("resync", synced)):
                    for how in ("whole", "inside"):
                        shutil.copyfile(source, work)
                        if how == "whole":
                            floor = [sys.executable, "-c", FLOOR, str(work)]
                            seconds = whole(floor if kind == "floor" else [*sync, str(work)])
                        else:
                            seconds, write, cpu = inside("floor" if kind == "floor" else "sync", work, args.as_of)
                            times.setdefault((case, kind, "write"), []).append(write)
                            times.setdefault((case, kind, "write cpu"), []).append(cpu)
                        times.setdefault((case, kind, how), []).append(seconds)
    median = {key: statistics.median(values) for key, values in times.items()}
    print(f"{args.rows:,} Daily rows, 20 channels; medians of {args.runs} interleaved runs")
    print(f"{'case':8s} {'marks':>6s} {'timing':8s} {'floor s':>8s} {'first s':>8s} {'ratio':>6s} "
          f"{'resync s':>9s} {'ratio':>6s}")
    for case in cases:
        for how in ("whole", "inside"):
            floor = median[(case, "floor", how)]
            first, resync = median[(case, "first", how)], median[(case, "resync", how)]
            print(f"{case:8s} {marks[case]:6d} {how:8s} {floor:8.2f} {first:8.2f} {first / floor:6.2f} "
                  f"{resync:9.2f} {resync / floor:6.2f}")
    print("the write phase alone, in-process (wall s / CPU s, threads included):")
    for case in cases:
        print(f"  {case:8s} first {median[(case, 'first', 'write')]:5.2f} / {median[(case, 'first', 'write cpu')]:5.2f}"
              f"   resync {median[(case, 'resync', 'write')]:5.2f} / {median[(case, 'resync', 'write cpu')]:5.2f}")
    if "2k" in cases and "20k" in cases:
        print("beyond the floor, 20k marks against 2k (target: at most 2.0):")
        for how in ("whole", "inside"):
            for kind in ("first", "resync"):
                small = median[("2k", kind, how)] - median[("2k", "floor", how)]
                large = median[("20k", kind, how)] - median[("20k", "floor", how)]
                print(f"  {how:8s} {kind:7s} {small:6.2f} s -> {large:6.2f} s: {large / small:5.2f}x")


if __name__ == "__main__":
    main()
