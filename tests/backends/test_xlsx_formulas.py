"""A formula cell whose result was never saved is read as such, never as an empty cell.

openpyxl and other scripts write ``<f>`` without ``<v>``; Excel, LibreOffice and XlsxWriter save a
result beside the formula, which is read as the value.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sheetops.backends.xlsx.reader import _uncomputed_cells, read_workbook
from sheetops.values import UncomputedFormula


@pytest.mark.parametrize(("xml", "found"), [
    (b'<c r="D2"><f>1+1</f><v /></c>', {(1, 3): UncomputedFormula("1+1")}),
    (b'<c r="D2"><f>1+1</f><v></v></c>', {(1, 3): UncomputedFormula("1+1")}),
    (b'<c r="D2" s="1"><f>SUM(A1:A3)</f></c>', {(1, 3): UncomputedFormula("SUM(A1:A3)")}),
    (b'<c r="B7"><f t="shared" si="0"/></c>', {(6, 1): UncomputedFormula("")}),
    (b'<x:c r="D2"><x:f>1+1</x:f></x:c>', {(1, 3): UncomputedFormula("1+1")}),
    (b'<c r="D2"><f>1+1</f><v>2</v></c>', {}),  # computed
    (b'<c r="D2" t="str"><f>""</f><v></v></c>', {}),  # computed: the empty text
    (b'<c r="B7"><f t="shared" si="0"/><v>4</v></c>', {}),
    (b'<c r="D2"><v>5</v></c><formula>1</formula>', {}),  # a data validation's formula is no cell
])
def test_formula_cells_without_a_saved_result(xml: bytes, found: dict[tuple[int, int], UncomputedFormula]) -> None:
    prefix = b"x:" if xml.startswith(b"<x:") else b""  # a writer using a namespace prefix throughout
    sheet = b"<?xml version='1.0'?><%bworksheet><%bsheetData><%brow>%b</%brow></%bsheetData></%bworksheet>" % (
        prefix, prefix, prefix, xml, prefix, prefix, prefix)
    assert _uncomputed_cells(sheet) == found


def test_a_formula_written_by_openpyxl_is_read_as_uncomputed(tmp_path: Path) -> None:
    import openpyxl
    import xlsxwriter

    path = tmp_path / "openpyxl.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Week", "Spend", "Leads"])
    sheet.append([dt.datetime(2026, 11, 23), "=1+1", 5])
    book.save(path)
    (read,) = read_workbook(path).sheets
    assert read.rows[1][1:] == [UncomputedFormula("1+1"), 5]

    computed = tmp_path / "xlsxwriter.xlsx"
    other = xlsxwriter.Workbook(str(computed))
    tab = other.add_worksheet()
    tab.write_formula(0, 0, "=1+1", None, 2)
    other.close()
    (read,) = read_workbook(computed).sheets
    assert read.rows[0][0] == 2


@pytest.mark.parametrize("cell", [
    b'<c r="C5" t="e"><v>#DIV/0!</v></c>',
    b"<c r='C5' t='e'><v>#DIV/0!</v></c>",  # single quotes, as any XML writer may emit
    b'<c r = "C5"\n t = "e" ><v>#DIV/0!</v></c>',  # whitespace around =
    b'<x:c r="C5" t="e"><x:v>#DIV/0!</x:v></x:c>',  # a namespace prefix
])
def test_an_error_cell_is_found_however_its_attributes_are_written(cell: bytes) -> None:
    from sheetops.backends.xlsx.reader import _error_cells

    sheet = b"<worksheet><sheetData><row r='5'>%b</row></sheetData></worksheet>" % cell
    assert _error_cells(sheet) == {(4, 2): "#DIV/0!"}


@pytest.mark.parametrize("rows_before", [0, 1, 200])
def test_an_error_cell_is_found_among_rows_written_as_libreoffice_writes_them(rows_before: int) -> None:
    """LibreOffice ends many values with e" (hidden="false"): an error cell after them is still found."""
    from sheetops.backends.xlsx.reader import _error_cells

    row = b'<row r="%d" hidden="false" collapsed="false"><c r="A%d" s="0" t="n"><v>1</v></c></row>'
    before = b"".join(row % (n, n) for n in range(1, rows_before + 1))
    error = b'<row r="%d" hidden="false"><c r="C%d" t="e"><v>#N/A</v></c></row>' % ((rows_before + 1,) * 2)
    sheet = b"<worksheet><sheetData>%b%b</sheetData></worksheet>" % (before, error)
    assert _error_cells(sheet) == {(rows_before, 2): "#N/A"}
    assert _error_cells(sheet.replace(error, b"")) == {}


def test_error_types_are_found_where_the_pattern_finds_them() -> None:
    """The error cells' `` t="e"`` are found from their value, as the pattern finds them,
    whatever the spaces, quotes and bytes around."""
    import random

    from sheetops.backends.xlsx.reader import _ERROR_TYPE, _error_types

    bits = [b" ", b"\n", b"\t", b"t", b"=", b'"', b"'", b"e", b"x", b'<c r="A1"', b">", b"</c>"]
    chance = random.Random(8)
    for _ in range(5000):
        xml = b"".join(chance.choice(bits) for _ in range(chance.randint(0, 40)))
        assert _error_types(xml) == [m.start() for m in _ERROR_TYPE.finditer(xml)], xml
