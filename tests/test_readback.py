"""The workbooks init writes read back the same through independent readers.

openpyxl and python-calamine must see the same value in every cell of every tab, and
both must see exactly what the layout said to write. LibreOffice must open the file and
save it again with every value intact (a file it had to repair would lose some).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from sheetops.provision import build_layout
from sheetops.templates import Template

DEMO_TODAY = dt.date(2026, 11, 27)  # as the demo fixtures of conftest.py
Grid = list[list[Any]]


def normalized(rows: Any) -> Grid:
    """Values as comparable data: empty is None, midnight datetimes are dates, numbers floats,
    trailing empty cells and rows dropped."""
    grid = []
    for row in rows:
        cells = []
        for value in row:
            if value == "":
                value = None
            elif isinstance(value, dt.datetime) and value.time() == dt.time():
                value = value.date()
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                value = float(value)
            cells.append(value)
        while cells and cells[-1] is None:
            cells.pop()
        grid.append(cells)
    while grid and not grid[-1]:
        grid.pop()
    return grid


def read_openpyxl(path: Path) -> dict[str, Grid]:
    book = openpyxl.load_workbook(path)
    try:
        return {sheet.title: normalized(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}
    finally:
        book.close()


def read_calamine(path: Path) -> dict[str, Grid]:
    book = CalamineWorkbook.from_path(str(path))
    try:
        return {
            name: normalized(book.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in book.sheet_names
        }
    finally:
        book.close()


@pytest.fixture(params=["demo_xlsx", "demo_xlsx_ru", "blank_xlsx"])
def workbook(request: pytest.FixtureRequest) -> Path:
    path: Path = request.getfixturevalue(request.param)
    return path


def test_openpyxl_and_calamine_read_the_same_value_in_every_cell(workbook: Path) -> None:
    by_openpyxl, by_calamine = read_openpyxl(workbook), read_calamine(workbook)
    assert list(by_openpyxl) == list(by_calamine)
    for name, grid in by_openpyxl.items():
        assert len(grid) == len(by_calamine[name]), name
        for row, (mine, theirs) in enumerate(zip(grid, by_calamine[name], strict=True), start=1):
            assert mine == theirs, f"{name} row {row}"


@pytest.mark.parametrize(("lang", "demo"), [("en", False), ("en", True), ("ru", True)])
def test_every_cell_reads_back_as_the_layout_wrote_it(
    template: Template, tmp_path: Path, lang: str, demo: bool
) -> None:
    from sheetops import api

    path = tmp_path / "made.xlsx"
    api.provision(path, lang=lang, demo=demo, today=DEMO_TODAY)
    layout = build_layout(template, lang=lang, channels=None, demo=demo, today=DEMO_TODAY)
    read = read_openpyxl(path)
    assert list(read) == [tab.name for tab in layout.tabs]
    for tab in layout.tabs:
        assert read[tab.name] == normalized([[cell.value for cell in row] for row in tab.rows]), tab.name


def libreoffice_resave(soffice: str, source: Path, folder: Path, profile: Path) -> Path:
    """Open ``source`` in LibreOffice (headless, private profile) and save it as .xlsx in ``folder``."""
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(folder),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    saved = folder / source.name
    assert done.returncode == 0 and saved.exists(), f"LibreOffice failed: {done.stdout}{done.stderr}"
    return saved


@pytest.fixture(scope="module")
def libreoffice_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("libreoffice-profile")


@pytest.mark.parametrize("fixture", ["demo_xlsx", "demo_xlsx_ru"])
def test_libreoffice_opens_the_workbook_and_keeps_every_value(
    soffice: str,
    libreoffice_profile: Path,
    template: Template,
    tmp_path: Path,
    fixture: str,
    request: pytest.FixtureRequest,
) -> None:
    source: Path = request.getfixturevalue(fixture)
    out = tmp_path / "libreoffice"
    out.mkdir()
    saved = libreoffice_resave(soffice, source, out, libreoffice_profile)
    original, resaved = read_openpyxl(source), read_openpyxl(saved)
    lang = "ru" if fixture.endswith("_ru") else "en"
    assert list(resaved) == [tab.name[lang] for tab in template.tabs if not tab.on_demand]
    for tab in template.tabs:
        if tab.columns:
            assert resaved[tab.name[lang]][0][: len(tab.columns)] == [c.header[lang] for c in tab.columns]
    assert resaved == original


def test_the_writer_renders_every_kind_of_value_style_and_tab(tmp_path: Path) -> None:
    """What init does not use yet but a layout may say: hidden tabs, booleans, date-times,
    fills, per-cell formats, styled blanks, a drop-down from a tab whose name has a quote."""
    from sheetops.backends.xlsx.writer import create_workbook
    from sheetops.layout import HEADER, PERCENT, Cell, DropDown, Style, TabLayout, WorkbookLayout

    lists = TabLayout(key="lists", name="Team's lists", rows=((Cell("Name", HEADER),), (Cell("Anna"),)), hidden=True)
    main = TabLayout(
        key="main",
        name="Main",
        rows=(
            (Cell("Done", HEADER), Cell("When", HEADER), Cell("Share", HEADER), Cell("Mark", HEADER)),
            (
                Cell(True),
                Cell(dt.datetime(2026, 11, 27, 16, 0, 5)),
                Cell(0.125, Style(number_format=PERCENT, fill="FFC7CE", bold=True)),
                Cell(None, Style(fill="C6EFCE")),
            ),
        ),
        widths=(10, 20),
        dropdowns=(
            DropDown(0, values=("Yes", "No")),
            DropDown(3, source_tab="Team's lists", source_col=0, strict=False),
        ),
    )
    path = tmp_path / "kinds.xlsx"
    create_workbook(path, WorkbookLayout("en", (lists, main)), force=False)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Team's lists", "Main"]
    assert book["Team's lists"].sheet_state == "hidden"
    assert book.active.title == "Main"
    sheet = book["Main"]
    assert [c.value for c in sheet[2]] == [True, dt.datetime(2026, 11, 27, 16, 0, 5), 0.125, None]
    assert sheet["B2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["C2"].number_format == PERCENT and sheet["C2"].font.b
    assert sheet["C2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["D2"].fill.fgColor.rgb.endswith("C6EFCE")
    formulas = {str(dv.sqref): (dv.formula1, dv.errorStyle) for dv in sheet.data_validations.dataValidation}
    assert formulas["D2:D1001"] == ("'Team''s lists'!$A$2:$A$1000", "warning")
    assert formulas["A2:A1001"][0] == '"Yes,No"'
    book.close()
