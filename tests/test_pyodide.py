"""The core runs under Pyodide, as xlwings Lite runs it inside Excel: a sync of the demo
workbook over the in-memory backend, and the xlwings Lite script `sheetops excel-addin`
writes, in Pyodide under Node.js, with no network.

sheetops is built as a wheel; it and the pure-Python wheels of its dependencies
(scripts/install-pyodide puts them in .cache/pyodide/wheels) are unpacked into Pyodide's
file system. The same script runs in this Python too: the two outputs must be the same,
and the sync must load no compiled reader, file lock or other vendor module.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "pyodide"
PYODIDE = CACHE / "node_modules" / "pyodide"
WHEELS = CACHE / "wheels"
SCRIPTS = Path(__file__).resolve().parent / "pyodide"
PURE = ("click", "rich", "markdown_it_py", "mdurl", "pygments", "platformdirs", "filelock", "xlsxwriter")


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (PYODIDE / "pyodide.mjs").is_file():
        return f"Pyodide is not in {PYODIDE}: run scripts/install-pyodide"
    absent = [name for name in PURE if not list(WHEELS.glob(f"{name}-*.whl"))]
    if absent:
        return f"no wheel of {', '.join(absent)} in {WHEELS}: run scripts/install-pyodide"
    return None


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("wheels")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(folder), str(ROOT)],
        check=True,
        capture_output=True,
    )
    for wheel in WHEELS.glob("*.whl"):
        shutil.copy(wheel, folder)
    return folder


def same_output_under_pyodide(wheels: Path, name: str) -> str:
    """Run the script ``name`` in Pyodide under Node.js and in this Python: what it prints in
    Pyodide, which must be what it prints here."""
    script = SCRIPTS / name
    pyodide = subprocess.run(["node", str(SCRIPTS / "run.mjs"), str(PYODIDE), str(wheels), str(script)],
                             capture_output=True, text=True, timeout=300)
    assert pyodide.returncode == 0, pyodide.stderr
    here = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    assert pyodide.stdout == here.stdout
    return pyodide.stdout


def test_a_sync_under_pyodide_gives_what_it_gives_here(wheels: Path) -> None:
    assert not list(wheels.glob("python_calamine*")), "a compiled wheel has no place in Pyodide"
    printed = same_output_under_pyodide(wheels, "sync_demo.py")

    *_, terminal, vendors = printed.splitlines()
    report = json.loads(printed.splitlines()[0])
    assert report["writes"] == 2
    assert report["first"]["breaches"], "the demo's breaches are found"
    assert "CMO Summary" in json.loads(terminal)
    assert json.loads(vendors) == []  # no python-calamine, filelock, xlsxwriter on the sync path


def test_the_xlwings_lite_script_under_pyodide_gives_what_it_gives_here(wheels: Path) -> None:
    if not list(wheels.glob("xlwings-*.whl")):
        pytest.skip(f"no wheel of xlwings in {WHEELS}: run scripts/install-pyodide")
    output = same_output_under_pyodide(wheels, "lite_demo.py")

    printed, result = output.splitlines()
    assert printed == "Book1: 2 breach(es), 0 data issue(s)."  # what the script tells the person
    marks = json.loads(result)["marks"]
    assert marks and any(note for _tab, _cell, note in marks)
    assert json.loads(result)["log"][1][6] == "ok, 2 breaches"
