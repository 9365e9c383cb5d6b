"""How fast sheetops starts: `sheetops --help` against its floor, `python -c "import click"`.

Target (issue 2): the ratio is at most 1.5. Also times `sheetops init` (plain and --demo).
Run: .venv/bin/python bench/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def best_and_median(command: list[str], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    # Timed as an installed sheetops runs: from bytecode compiled once, not compiled anew
    # each run (which an environment that says not to write bytecode would make it do).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    py = sys.executable
    # Interleave the two so that machine noise hits both alike.
    floor: list[float] = []
    help_: list[float] = []
    for _ in range(args.runs):
        floor.append(best_and_median([py, "-c", "import click"], 1)[0])
        help_.append(best_and_median([py, "-m", "sheetops", "--help"], 1)[0])
    f_med, h_med = statistics.median(floor), statistics.median(help_)
    print(f"floor  python -c 'import click': median {f_med * 1000:7.1f} ms  best {min(floor) * 1000:7.1f} ms")
    print(f"sheetops --help:                 median {h_med * 1000:7.1f} ms  best {min(help_) * 1000:7.1f} ms")
    print(f"ratio (median): {h_med / f_med:.2f}   ratio (best): {min(help_) / min(floor):.2f}   target <= 1.5")
    with tempfile.TemporaryDirectory() as tmp:
        for label, extra in (("init", []), ("init --demo", ["--demo"])):
            times = []
            for i in range(5):
                target = Path(tmp) / f"w{label.replace(' ', '')}{i}.xlsx"
                start = time.perf_counter()
                subprocess.run([py, "-m", "sheetops", "init", str(target), *extra], check=True,
                               stdout=subprocess.DEVNULL)
                times.append(time.perf_counter() - start)
            print(f"sheetops {label:12s} median {statistics.median(times) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
