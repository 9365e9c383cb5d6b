"""The worlds the tests run in: the built-in template, real workbooks on disk, the CLI.

Workbooks are made once per session through the public API and copied into each test's
own ``tmp_path``, so a test may change its copy freely.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sheetops import api
from sheetops.templates import Template, load_template

DEMO_TODAY = dt.date(2026, 11, 27)  # a Friday: the ritual's facts day


@dataclass(frozen=True)
class Result:
    """What one CLI run gave: its exit code and what it printed on each stream."""

    exit_code: int
    stdout: str
    stderr: str


RunCli = Callable[..., Result]


@pytest.fixture(scope="session")
def template() -> Template:
    """The built-in smb-marketing template, the workbook contract."""
    return load_template("smb-marketing")


@pytest.fixture(scope="session")
def _workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("workbooks")
    made = {"demo_en": ("en", True), "demo_ru": ("ru", True), "blank_en": ("en", False)}
    paths = {}
    for name, (lang, demo) in made.items():
        path = folder / f"{name}.xlsx"
        api.provision(path, lang=lang, demo=demo, today=DEMO_TODAY)
        paths[name] = path
    return paths


def _copy(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target.absolute()


@pytest.fixture
def demo_xlsx(_workbooks: dict[str, Path], tmp_path: Path) -> Path:
    """An English demo workbook (``init --demo``, today = 2026-11-27), this test's own copy."""
    return _copy(_workbooks["demo_en"], tmp_path / "demo.xlsx")


@pytest.fixture
def demo_xlsx_ru(_workbooks: dict[str, Path], tmp_path: Path) -> Path:
    """A Russian demo workbook (``init --demo --lang ru``, today = 2026-11-27), this test's own copy."""
    return _copy(_workbooks["demo_ru"], tmp_path / "demo-ru.xlsx")


@pytest.fixture
def blank_xlsx(_workbooks: dict[str, Path], tmp_path: Path) -> Path:
    """An English workbook as ``init`` makes it without demo data, this test's own copy."""
    return _copy(_workbooks["blank_en"], tmp_path / "blank.xlsx")


@pytest.fixture
def run_cli() -> RunCli:
    """Run ``sheetops ARGS...`` in-process; returns the exit code, stdout and stderr apart."""
    from click.testing import CliRunner

    from sheetops.cli import main

    def run(*args: object) -> Result:
        runner = CliRunner()
        with runner.isolation() as (stdout, stderr, _output):
            try:
                main([str(a) for a in args])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            else:
                code = 0
            sys.stdout.flush()
            sys.stderr.flush()
            return Result(code, stdout.getvalue().decode("utf-8"), stderr.getvalue().decode("utf-8"))

    return run


@pytest.fixture(scope="session")
def soffice() -> str:
    """The LibreOffice command, or skip the test where LibreOffice is not installed."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc-nogui and "
                    "libreoffice-impress-nogui")
    return found


@pytest.fixture
def excel() -> Iterator[Any]:
    """Excel as it is on a desktop, in memory: xlwings' active engine is the in-memory one
    (:mod:`sheetops.testing.xlwings_memory`), so ``xw.Book(path)`` opens the file "in Excel"."""
    import xlwings as xw

    from sheetops.testing import xlwings_memory

    before = xw.engines.active
    engine = xlwings_memory.activate()
    yield engine
    xlwings_memory.reset()
    xw.engines.active = before
