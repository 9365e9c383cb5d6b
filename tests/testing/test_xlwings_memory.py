"""The in-memory xlwings engine: xlwings' own public classes behave as over Excel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw

from sheetops.testing import xlwings_memory
from sheetops.testing.xlwings_memory import ExcelRefusal


@pytest.fixture
def book() -> Iterator[xw.Book]:
    book = xlwings_memory.new_book()
    yield book
    xlwings_memory.reset()


@pytest.fixture
def sheet(book: xw.Book) -> xw.Sheet:
    return book.sheets[0]


def test_the_engine_is_in_xlwings_registry_without_pro() -> None:
    engine = xlwings_memory.engine()
    assert xw.engines["memory"] is engine
    assert engine.name == "memory"
    assert type(engine.impl).__module__ == "sheetops.testing.xlwings_memory"
    assert xw.__pro__ is False  # no licence key here: nothing of xlwings PRO is in use


def test_a_new_book_is_excels_book1_with_sheet1(book: xw.Book) -> None:
    assert isinstance(book, xw.Book)
    assert book.name.startswith("Book")
    assert book.sheet_names == ["Sheet1"]
    assert book.sheets[0] == book.sheets["sheet1"]  # names are case-insensitive


@pytest.mark.parametrize(
    ("written", "read"),
    [
        (42, 42.0),  # Excel keeps doubles
        (1.5, 1.5),
        ("text", "text"),
        (True, True),
        (dt.date(2026, 11, 27), dt.datetime(2026, 11, 27)),
        (dt.datetime(2026, 11, 27, 17, 30), dt.datetime(2026, 11, 27, 17, 30)),
        ("", None),
        (None, None),
        ("=1+1", "=1+1"),  # stored as written: the engine computes nothing
    ],
)
def test_a_cell_reads_back_as_excel_gives_it(sheet: xw.Sheet, written: Any, read: Any) -> None:
    sheet["B3"].value = written
    assert sheet["B3"].value == read
    assert type(sheet["B3"].value) is type(read)


def test_dates_can_be_read_as_dates(sheet: xw.Sheet) -> None:
    sheet["A1"].value = dt.date(2026, 11, 27)
    assert sheet["A1"].options(dates=dt.date).value == dt.date(2026, 11, 27)


def test_an_empty_cell_is_none(sheet: xw.Sheet) -> None:
    assert sheet["Z99"].value is None
    assert sheet["A1:B2"].value == [[None, None], [None, None]]


def test_shapes_of_reads(sheet: xw.Sheet) -> None:
    sheet["A1"].value = [["Date", "Spend"], [dt.date(2026, 11, 27), 120], [dt.date(2026, 11, 28), 80]]
    assert sheet["A1:B3"].value == [
        ["Date", "Spend"],
        [dt.datetime(2026, 11, 27), 120.0],
        [dt.datetime(2026, 11, 28), 80.0],
    ]
    assert sheet["A1:B1"].value == ["Date", "Spend"]  # one row: a list
    assert sheet["B1:B3"].value == ["Spend", 120.0, 80.0]  # one column: a list
    assert sheet["A1"].options(ndim=2).value == [["Date"]]
    assert sheet.range((2, 1), (3, 2)).value == sheet["A2:B3"].value
    assert sheet[1:3, 0:2].value == sheet["A2:B3"].value


def test_a_scalar_fills_a_range(sheet: xw.Sheet) -> None:
    sheet["A1:B2"].value = 7
    assert sheet["A1:B2"].value == [[7.0, 7.0], [7.0, 7.0]]


def test_expand_used_range_and_end(sheet: xw.Sheet) -> None:
    sheet["B2"].value = [["a", "b", "c"], [1, 2, 3], [4, 5, 6]]
    assert sheet["B2"].expand().address == "$B$2:$D$4"
    assert sheet["B2"].expand("down").address == "$B$2:$B$4"
    assert sheet["B2"].expand("right").address == "$B$2:$D$2"
    assert sheet["B2"].options(expand="table").value[2] == [4.0, 5.0, 6.0]
    assert sheet.used_range.address == "$B$2:$D$4"
    assert sheet["B2"].end("down").address == "$B$4"
    assert sheet["B1"].end("down").address == "$B$2"
    assert sheet["B4"].end("down").address == "$B$1048576"


def test_an_empty_sheets_used_range_is_a1(sheet: xw.Sheet) -> None:
    assert sheet.used_range.address == "$A$1"


def test_addresses(sheet: xw.Sheet) -> None:
    rng = sheet.range((1, 1), (3, 3))
    assert rng.get_address(False, False) == "A1:C3"
    assert rng.get_address(True, False, True) == "Sheet1!A$1:C$3"
    assert rng.get_address(external=True).endswith("]Sheet1!$A$1:$C$3")
    assert (rng.row, rng.column, rng.shape, rng.count) == (1, 1, (3, 3), 9)
    assert sheet["AA10"].column == 27
    assert rng.last_cell.address == "$C$3"
    assert rng.offset(1, 1).address == "$B$2:$D$4"
    assert rng.resize(1, 2).address == "$A$1:$B$1"


@pytest.mark.parametrize("color", ["#FFC7CE", "#ffc7ce", (255, 199, 206), 206 * 65536 + 199 * 256 + 255])
def test_fill_colour_set_as_hex_rgb_or_excel_int(sheet: xw.Sheet, color: Any) -> None:
    sheet["C3"].color = color
    assert sheet["C3"].color == (255, 199, 206)


def test_fill_colour_removed_and_mixed(sheet: xw.Sheet) -> None:
    assert sheet["A1"].color is None
    sheet["A1:B1"].color = "#00ff00"
    assert sheet["A1:B1"].color == (0, 255, 0)
    sheet["B1"].color = None
    assert sheet["B1"].color is None
    assert sheet["A1:B1"].color is None  # cells differ


def test_notes_added_read_changed_deleted(sheet: xw.Sheet) -> None:
    assert sheet["D4"].note is None
    sheet["D4"].add_note("Over the target CPA")
    assert sheet["D4"].note.text == "Over the target CPA"
    sheet["D4"].note.text = "Still over"
    assert sheet["D4"].note.text == "Still over"
    assert [n.location.address for n in sheet.notes] == ["$D$4"]
    with pytest.raises(ValueError, match="already has a note"):
        sheet["D4"].add_note("again")
    sheet["D4"].note.delete()
    assert sheet["D4"].note is None


def test_sheets_added_hidden_renamed_deleted(book: xw.Book) -> None:
    first = book.sheets[0]
    record = book.sheets.add("Record", after=first)
    assert book.sheet_names == ["Sheet1", "Record"]
    assert book.sheets.add().name == "Sheet2"  # before the active sheet, as Excel does
    assert book.sheet_names == ["Sheet1", "Sheet2", "Record"]
    record.visible = False
    assert book.sheets["Record"].visible is False
    book.sheets["Sheet2"].name = "Plan"
    assert "plan" in book.sheets
    with pytest.raises(ExcelRefusal):
        book.sheets["Plan"].name = "RECORD"
    with pytest.raises(ValueError):
        book.sheets.add("record")
    del book.sheets["Plan"]
    assert book.sheet_names == ["Sheet1", "Record"]


def test_the_last_visible_sheet_can_be_neither_hidden_nor_deleted(book: xw.Book) -> None:
    book.sheets.add("Hidden", after=book.sheets[0]).visible = False
    with pytest.raises(ExcelRefusal):
        book.sheets["Sheet1"].visible = False
    with pytest.raises(ExcelRefusal):
        book.sheets["Sheet1"].delete()
    book.sheets["Hidden"].delete()
    assert book.sheet_names == ["Sheet1"]


def test_a_missing_sheet_is_a_key_error(book: xw.Book) -> None:
    with pytest.raises(KeyError):
        book.sheets["Nope"]


def test_xlsx_round_trip_keeps_values_fills_notes_and_hidden_tabs(book: xw.Book, tmp_path: Path) -> None:
    sheet = book.sheets[0]
    sheet["A1"].value = [["Date", "Spend", "Note"], [dt.date(2026, 11, 27), 120.5, "=not a formula"]]
    sheet["B2"].color = "#ffc7ce"
    sheet["B2"].add_note("Over the target CPA")
    book.sheets.add("Record", after=sheet).visible = False
    path = tmp_path / "book.xlsx"
    xlwings_memory.save_xlsx(book, path)

    check = openpyxl.load_workbook(path)
    assert check["Sheet1"]["B2"].fill.fgColor.rgb == "FFFFC7CE"
    assert check["Sheet1"]["B2"].comment.text == "Over the target CPA"
    assert check["Sheet1"]["C2"].data_type == "s"
    assert check["Record"].sheet_state == "hidden"

    again = xlwings_memory.open_xlsx(path)
    assert again.name == "book.xlsx"
    assert again.sheets[0]["A1:C2"].value == sheet["A1:C2"].value
    assert again.sheets[0]["B2"].color == (255, 199, 206)
    assert again.sheets[0]["B2"].note.text == "Over the target CPA"
    assert again.sheets["Record"].visible is False


def test_opens_the_demo_workbook_sheetops_writes(demo_xlsx: Path) -> None:
    book = xlwings_memory.open_xlsx(demo_xlsx)
    try:
        reference = openpyxl.load_workbook(demo_xlsx, data_only=True)
        assert book.sheet_names == reference.sheetnames
        for ws in reference.worksheets:
            used = book.sheets[ws.title].used_range
            assert used.shape[0] <= ws.max_row and used.shape[1] <= ws.max_column
            top = [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=1)][0]
            assert [_cell(v) for v in top] == [
                _cell(v) for v in book.sheets[ws.title].range((1, 1), (1, len(top))).options(ndim=1).value
            ]
    finally:
        xlwings_memory.reset()


def _cell(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str | dt.datetime):
        return None if value == "" else value
    return float(value)


def test_activated_it_serves_xw_book_and_xw_books(tmp_path: Path) -> None:
    book = xlwings_memory.new_book()
    path = tmp_path / "plan.xlsx"
    xlwings_memory.save_xlsx(book, path)
    previous = xw.engines.active
    try:
        xlwings_memory.activate()
        opened = xw.Book(path)
        assert opened.name == "plan.xlsx"
        assert xw.Book(path) == opened  # the open book is found again, not reopened
        assert opened in list(xw.books)
        fresh = xw.Book()
        assert fresh.sheet_names == ["Sheet1"]
        fresh.sheets[0]["A1"].value = 1
        fresh.save(tmp_path / "fresh.xlsx")
        assert openpyxl.load_workbook(tmp_path / "fresh.xlsx").active["A1"].value == 1
    finally:
        xw.engines.active = previous
        xlwings_memory.reset()
