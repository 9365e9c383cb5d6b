"""A Sync Log made by an older sheetops, without the Run and version columns, still syncs:
the new headers are added to the right of the ones it has, each value lands under its own
header, and the older lines are left as they were."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetops import __version__, api
from sheetops.backends.memory import MemoryBackend
from sheetops.sync.engine import run_sync
from sheetops.templates import Template, load_template
from sheetops.workbook import Sheet, WorkbookData

FRIDAY = dt.date(2026, 11, 27)
NEW_COLUMNS = ("run", "version")


@pytest.fixture(scope="module")
def old_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in template as it was before the Sync Log had Run and sheetops version."""
    data = json.loads(resources.files("sheetops.templates").joinpath("smb-marketing.json").read_text("utf-8"))
    log = next(tab for tab in data["tabs"] if tab["key"] == "sync_log")
    log["columns"] = [c for c in log["columns"] if c["key"] not in NEW_COLUMNS]
    path = tmp_path_factory.mktemp("templates") / "smb-marketing-old.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def log_rows(path: Path, name: str = "Sync Log", backend: str = "xlsx") -> list[list[Any]]:
    if backend == "excel":  # read back through xlwings, from the workbook as Excel has it
        import xlwings as xw

        found: list[list[Any]] = xw.Book(str(path)).sheets[name].used_range.options(ndim=2).value
        return found
    sheet = openpyxl.load_workbook(path)[name]
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.fixture(params=["xlsx", "excel"])
def backend(request: pytest.FixtureRequest) -> str:
    """The .xlsx file, or the same file open in (the in-memory) Excel."""
    if request.param == "excel":
        request.getfixturevalue("excel")
    name: str = request.param
    return name


@pytest.mark.parametrize(("lang", "name", "run", "version_header"), [
    ("en", "Sync Log", "by hand", "sheetops version"),
    ("ru", "Журнал синхронизации", "вручную", "Версия sheetops"),
])
def test_an_old_sync_log_gets_the_new_columns_and_keeps_its_lines(
    old_template: Path, tmp_path: Path, lang: str, name: str, run: str, version_header: str, backend: str
) -> None:
    path = tmp_path / "old.xlsx"
    api.provision(path, lang=lang, demo=True, today=FRIDAY, template=str(old_template))
    # a line written by the older sheetops
    api.sync(path, as_of=FRIDAY, template=str(old_template), backend=backend)
    before = log_rows(path, name, backend)
    assert len(before[0]) == 9 and before[0][7] is None and before[0][8]  # 7 headers, a gap, init's note
    note = before[0][8]

    report = api.sync(path, as_of=FRIDAY, backend=backend)
    assert report.written
    header, old_line, new_line = log_rows(path, name, backend)
    assert header[7:9] == [run_header(lang), version_header]
    assert header[9] is None and header[10] == note  # the note moved past them, one column left free
    assert old_line[:7] == before[1][:7] and all(v is None for v in old_line[7:])
    assert new_line[7:9] == [run, __version__]
    assert new_line[1] is not None and new_line[6]  # As of and Result under their own headers


def run_header(lang: str) -> str:
    return "Run" if lang == "en" else "Запуск"


def test_a_sync_log_whose_columns_were_moved_gets_each_value_under_its_header(template: Template) -> None:
    """Someone put Result first and typed a column of their own between: values follow the headers."""
    from sync_workbooks import Book

    book = Book()
    data = book.data()
    header = ["Result", "When", "As of", "My comments", "Rows read", "Breaches", "Issues", "Duration, s"]
    sheets = [s for s in data.sheets if s.name != "Sync Log"] + [Sheet("Sync Log", [header])]
    backend = MemoryBackend(WorkbookData(data.source, tuple(sheets)))
    report = run_sync(backend, book.template, as_of=FRIDAY, now=lambda: dt.datetime(2026, 11, 27, 18, 0))
    (written,) = backend.writes
    assert [cell.value for _, cell in written.log_header] == ["Run", "sheetops version"]
    assert [col for col, _ in written.log_header] == [8, 9]
    row = [c.value for c in written.log_row]
    assert report.written and row[0].startswith("ok")
    assert row[3] is None  # the person's own column is left alone
    assert row[1].startswith("2026-11-27 18:00:00 UTC") and row[2] == FRIDAY and row[8:] == ["by hand", __version__]
    log = next(s for s in backend.data.sheets if s.name == "Sync Log")
    assert list(log.rows[0]) == [*header, "Run", "sheetops version"]


def test_the_built_in_template_has_the_new_columns(template: Template) -> None:
    keys = [c.key for c in template.tab("sync_log").columns]
    assert keys[-2:] == list(NEW_COLUMNS)


def test_old_template_loads(old_template: Path) -> None:
    assert [c.key for c in load_template(str(old_template)).tab("sync_log").columns][-1] == "result"
