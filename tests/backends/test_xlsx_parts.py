"""The byte-level pieces of the .xlsx writer, case by case.

Sheet edits, the place of ``<legacyDrawing>``, appended styles, notes, sheetops' record
and the ZIP copy, each on small parts written out in the test so the expected bytes can
be read in the case table.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from xlsx_books import one_cell_per_row

from sheetops.backends.xlsx import xmlbytes as xb
from sheetops.backends.xlsx.notes import CommentsPart, VmlDrawing
from sheetops.backends.xlsx.record import (
    NEW_CELL,
    NO_STYLE,
    HighlightRecord,
    _rows_as_written,
    read_records,
    record_layout,
)
from sheetops.backends.xlsx.repack import PackageEdit
from sheetops.backends.xlsx.sheetrender import render_worksheet
from sheetops.backends.xlsx.sheetxml import SheetEditor, parse_ref
from sheetops.backends.xlsx.styles import MINIMAL_STYLES, NO_FILL, StyleSheet, is_fill_xml
from sheetops.errors import BackendError
from sheetops.layout import Style

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def sheet(rows: str, tail: str = "", *, dimension: str = "A1:Z99") -> bytes:
    return (
        f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><dimension ref="{dimension}"/>'
        f"<sheetData>{rows}</sheetData>{tail}</worksheet>"
    ).encode()


Edit = Callable[[SheetEditor], None]


def _create_cells(editor: SheetEditor, row: int, styles: dict[int, str]) -> None:
    for col, style in styles.items():
        editor.create_cell(row, col, style)


# -- cells --------------------------------------------------------------------------------

CELL_CASES: list[tuple[str, str, Edit, str]] = [
    (
        "a cell's style is replaced",
        '<row r="2"><c r="B2" s="3"><v>1</v></c></row>',
        lambda e: e.set_style(1, 1, "9"),
        '<row r="2"><c r="B2" s="9"><v>1</v></c></row>',
    ),
    (
        "a cell without a style gets one after its address",
        '<row r="2"><c r="B2" t="s"><v>1</v></c></row>',
        lambda e: e.set_style(1, 1, "9"),
        '<row r="2"><c r="B2" s="9" t="s"><v>1</v></c></row>',
    ),
    (
        "a style is taken away",
        '<row r="2"><c r="B2" s="9" t="s"><v>1</v></c></row>',
        lambda e: e.set_style(1, 1, None),
        '<row r="2"><c r="B2" t="s"><v>1</v></c></row>',
    ),
    (
        "an empty cell is created between two cells",
        '<row r="2"><c r="A2"><v>1</v></c><c r="D2"><v>4</v></c></row>',
        lambda e: e.create_cell(1, 2, "9"),
        '<row r="2"><c r="A2"><v>1</v></c><c r="C2" s="9"/><c r="D2"><v>4</v></c></row>',
    ),
    (
        "two cells are created in one row, in column order",
        '<row r="2"><c r="B2"><v>2</v></c></row>',
        lambda e: _create_cells(e, 1, {3: "9", 0: "9", 2: "8"}),
        '<row r="2"><c r="A2" s="9"/><c r="B2"><v>2</v></c><c r="C2" s="8"/><c r="D2" s="9"/></row>',
    ),
    (
        "a cell is created in a row without cells",
        '<row r="2" ht="30" customHeight="1"/>',
        lambda e: e.create_cell(1, 1, "9"),
        '<row r="2" ht="30" customHeight="1"><c r="B2" s="9"/></row>',
    ),
    (
        "the row's spans widen for a cell outside them",
        '<row r="2" spans="1:2"><c r="A2"><v>1</v></c></row>',
        lambda e: e.create_cell(1, 4, "9"),
        '<row r="2" spans="1:5"><c r="A2"><v>1</v></c><c r="E2" s="9"/></row>',
    ),
    (
        "a row is created between rows",
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="10"><c r="A10"><v>10</v></c></row>',
        lambda e: e.create_cell(4, 0, "9"),
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="5"><c r="A5" s="9"/></row><row r="10"><c r="A10"><v>10</v></c></row>',  # noqa: E501
    ),
    (
        "a row is created after the last",
        '<row r="1"><c r="A1"><v>1</v></c></row>',
        lambda e: e.create_cell(6, 1, "9"),
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="7"><c r="B7" s="9"/></row>',
    ),
    (
        "a cell sheetops created goes, with its row",
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="3"><c r="B3" s="9"/></row>',
        lambda e: e.remove_cell(2, 1, drop_empty_row=True),
        '<row r="1"><c r="A1"><v>1</v></c></row>',
    ),
    (
        "a row a person gave a height stays when its last cell goes",
        '<row r="3" ht="30" customHeight="1"><c r="B3" s="9"/></row>',
        lambda e: e.remove_cell(2, 1, drop_empty_row=True),
        '<row r="3" ht="30" customHeight="1"></row>',
    ),
    (
        "a row people filled meanwhile stays",
        '<row r="3"><c r="A3"><v>1</v></c><c r="B3" s="9"/></row>',
        lambda e: e.remove_cell(2, 1, drop_empty_row=True),
        '<row r="3"><c r="A3"><v>1</v></c></row>',
    ),
]


def _log_cell(kept: str | None) -> bytes:
    return b'<c r="A3" s="' + (kept or "0").encode() + b'" t="inlineStr"><is><t>ok</t></is></c>'


CELL_CASES.append(
    (
        "a log cell is written over a formatted empty cell, keeping its style",
        '<row r="3" spans="1:2"><c r="A3" s="5"/><c r="B3" s="6"/></row>',
        lambda e: e.put_cell(2, 0, _log_cell),
        '<row r="3" spans="1:2"><c r="A3" s="5" t="inlineStr"><is><t>ok</t></is></c><c r="B3" s="6"/></row>',
    )
)


@pytest.mark.parametrize("ahead", [False, True], ids=["found as asked for", "found ahead"])
@pytest.mark.parametrize(("case", "rows", "edit", "expected"), CELL_CASES, ids=[c[0] for c in CELL_CASES])
def test_a_sheet_changes_only_in_the_cells_edited(case: str, rows: str, edit: Edit, expected: str, ahead: bool) -> None:
    editor = SheetEditor(sheet(rows), "Daily")
    if ahead:  # as a sync does: every cell it may touch found first, in one pass (and some that are not there)
        editor.find_cells([*(parse_ref(ref) for ref in re.findall(r'r="([A-Z]+[0-9]+)"', rows)), (6, 1), (4, 0)])
    edit(editor)
    assert editor.to_bytes() == sheet(expected)


@pytest.mark.parametrize("style", ["9", "12", None])
@pytest.mark.parametrize(
    "tag", ['<c r="B2">', '<c r="B2"/>', '<c r="B2" s="3">', '<c r="AB1234" s="310" t="s">', '<c r="B2" t="n"/>',
            '<c r="B2" s="3"  />'],
)
def test_a_cell_found_by_itself_is_restyled_as_any_cell(tag: str, style: str | None) -> None:
    from sheetops.backends.xlsx.sheetxml import _plain_cell, _restyled_plain, _with_style

    xml = b"<row>" + tag.encode() + (b"" if tag.endswith("/>") else b"<v>1</v></c>") + b"</row>"
    cell = _plain_cell(xml, 5, 1)
    assert cell is not None
    assert _restyled_plain(xml, cell, style) == _with_style(xml[cell.start : cell.start_end], style)


def test_cells_found_ahead_are_the_cells_found_through_their_rows() -> None:
    rows = ('<row r="2"><c r="A2" s="3"><v>1</v></c><c r="B2" t="s"><v>0</v></c><c r="C2" s="4"/></row>'
            '<row r="3"><c r="A3" cm="1" s="5"><f>1+1</f></c><c r="B3"></c></row>'  # attributes as few programs write
            '<row r="4" spans="1:3"><c r="C4" s="7" t="inlineStr"><is><t>x</t></is></c></row>')
    cells = [(r, c) for r in range(6) for c in range(4)]
    ahead, asked = SheetEditor(sheet(rows), "Daily"), SheetEditor(sheet(rows), "Daily")
    ahead.find_cells(cells)
    assert [ahead.cell(r, c) for r, c in cells] == [asked.cell(r, c) for r, c in cells]
    for editor in (ahead, asked):
        for r, c in cells:
            if editor.cell(r, c).exists:
                editor.set_style(r, c, "9")
    assert ahead.to_bytes() == asked.to_bytes()
    after = SheetEditor(ahead.to_bytes(), "Daily")
    assert {after.cell(r, c).style for r, c in cells if after.cell(r, c).exists} == {"9"}


def test_cells_are_created_in_an_empty_sheet_and_the_dimension_grows() -> None:
    editor = SheetEditor(sheet("", dimension="A1").replace(b"<sheetData></sheetData>", b"<sheetData/>"), "Daily")
    editor.create_cell(2, 3, "9")
    assert editor.to_bytes() == sheet('<row r="3"><c r="D3" s="9"/></row>', dimension="A1:D3")


def test_a_sheet_with_a_namespace_prefix_gets_prefixed_cells() -> None:
    xml = f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="2"><x:c r="A2"/></x:row></x:sheetData></x:worksheet>'
    editor = SheetEditor(xml.encode(), "Daily")
    editor.create_cell(1, 1, "9")
    editor.create_cell(3, 0, "9")
    assert (
        editor.to_bytes()
        == xml.replace('<x:c r="A2"/>', '<x:c r="A2"/><x:c r="B2" s="9"/>')
        .replace("</x:sheetData>", '<x:row r="4"><x:c r="A4" s="9"/></x:row></x:sheetData>')
        .encode()
    )


@pytest.mark.parametrize(
    ("rows", "last"),
    [
        ("", -1),
        ('<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="4"><c r="B4"><f>A1</f></c></row>', 3),
        ('<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row><row r="9"><c r="A9" s="5"/></row>', 1),
    ],
    ids=["an empty tab", "a formula counts", "formatted empty rows do not count"],
)
def test_the_log_row_goes_below_the_last_row_with_a_value(rows: str, last: int) -> None:
    assert SheetEditor(sheet(rows), "Sync Log").last_used_row() == last


def test_a_cell_is_read_with_its_style_and_whether_it_holds_a_value() -> None:
    editor = SheetEditor(
        sheet('<row r="2" s="4" customFormat="1"><c r="A2" s="3"><v>1</v></c><c r="B2" s="5"/></row>'), "D"
    )
    assert (editor.cell(1, 0).exists, editor.cell(1, 0).style, editor.cell(1, 0).has_value) == (True, "3", True)
    assert (editor.cell(1, 1).style, editor.cell(1, 1).has_value) == ("5", False)
    assert not editor.cell(1, 2).exists and editor.default_style(1, 2) == 4
    assert editor.default_style(7, 0) == 0


def test_rows_are_found_in_a_large_sheet_by_bisection() -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 20_001) if r % 7)
    editor = SheetEditor(sheet(rows), "Daily")
    assert editor.cell(13_998, 0).exists and not editor.cell(13_998, 1).exists
    assert not editor.cell(13_999, 0).exists  # row 14000, a multiple of 7, is left out
    assert not editor.row_exists(6) and editor.row_exists(7)
    editor.create_cell(6_999, 0, "9")  # row 7000, left out
    assert (
        b'<row r="6999"><c r="A6999"><v>6999</v></c></row><row r="7000"><c r="A7000" s="9"/></row><row r="7001">'
        in (editor.to_bytes())
    )


def test_a_sheet_with_many_marks_finds_its_rows_in_one_pass_with_the_same_result() -> None:
    rows = "".join(f'<row r="{r}" spans="1:2"><c r="A{r}" s="1"><v>{r}</v></c></row>' for r in range(1, 5_001) if r % 7)
    odd = rows.replace('<row r="10" spans="1:2">', '<row spans="1:2" r="10">')  # read by the general pattern
    for xml in (rows, odd):
        editor = SheetEditor(sheet(xml), "Daily")
        for r in range(0, 5_000, 3):  # far more rows than bisection is used for
            if editor.cell(r, 0).exists:
                editor.set_style(r, 0, "2")
            else:
                editor.create_cell(r, 0, "2")
        edited = editor.to_bytes()
        assert b'<row r="1" spans="1:2"><c r="A1" s="2"><v>1</v></c></row><row r="2" spans="1:2"><c r="A2" s="1">' \
            in edited
        assert (b'<row r="27" spans="1:2"><c r="A27" s="1"><v>27</v></c></row><row r="28"><c r="A28" s="2"/></row>'
                b'<row r="29"') in edited
        assert b'spans="1:2" r="10"><c r="A10" s="2">' in edited or xml is rows


@pytest.mark.parametrize(
    "rows",
    ['<row><c r="A1"><v>1</v></c></row>', '<row r="1"><c><v>1</v></c></row>'],
    ids=["a row without its number", "a cell without its address"],
)
def test_a_sheet_without_cell_addresses_is_refused_with_a_way_out(rows: str) -> None:
    editor = SheetEditor(sheet(rows), "Daily")
    with pytest.raises(BackendError, match="'Daily'.*leaves out cell addresses.*save it"):
        editor.cell(0, 1)


# -- the link to the notes' drawing --------------------------------------------------------

LINK = '<legacyDrawing r:id="rId9"/>'
LINK_CASES = [
    ("at the end", "<pageMargins/>", f"<pageMargins/>{LINK}"),
    ("after a drawing", '<drawing r:id="rId1"/>', f'<drawing r:id="rId1"/>{LINK}'),
    ("before a header image", '<legacyDrawingHF r:id="rId3"/>', f'{LINK}<legacyDrawingHF r:id="rId3"/>'),
    ("before a picture", '<picture r:id="rId4"/>', f'{LINK}<picture r:id="rId4"/>'),
    (
        "before tables",
        '<drawing r:id="rId1"/><tableParts count="1"><tablePart r:id="rId2"/></tableParts>',
        f'<drawing r:id="rId1"/>{LINK}<tableParts count="1"><tablePart r:id="rId2"/></tableParts>',
    ),
    (
        "before the extension list, not inside it",
        '<extLst><ext uri="{78C0D931}"><x14:conditionalFormattings xmlns:x14="x14"><x14:conditionalFormatting>'
        "<extLst/></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>",
        f'{LINK}<extLst><ext uri="{{78C0D931}}"><x14:conditionalFormattings xmlns:x14="x14"><x14:conditionalFormatting>'
        "<extLst/></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>",
    ),
    (
        "before form controls wrapped for newer Excel",
        '<mc:AlternateContent xmlns:mc="mc"><mc:Choice Requires="x14"><controls><control r:id="rId5"/>'
        "</controls></mc:Choice></mc:AlternateContent>",
        f'{LINK}<mc:AlternateContent xmlns:mc="mc"><mc:Choice Requires="x14"><controls><control r:id="rId5"/>'
        "</controls></mc:Choice></mc:AlternateContent>",
    ),
]


@pytest.mark.parametrize(("case", "tail", "expected"), LINK_CASES, ids=[c[0] for c in LINK_CASES])
def test_the_notes_drawing_link_goes_where_the_schema_puts_it(case: str, tail: str, expected: str) -> None:
    editor = SheetEditor(sheet('<row r="1"/>', tail), "Daily")
    editor.add_legacy_drawing("rId9")
    assert editor.to_bytes() == sheet('<row r="1"/>', expected)
    again = SheetEditor(editor.to_bytes(), "Daily")
    assert again.legacy_drawing_id() == "rId9"
    again.remove_legacy_drawing()
    assert again.to_bytes() == sheet('<row r="1"/>', tail)


def test_a_sheet_that_does_not_declare_the_relationship_prefix_gets_it_on_the_link() -> None:
    editor = SheetEditor(f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'.encode(), "Daily")
    editor.add_legacy_drawing("rId1")
    assert editor.to_bytes().endswith(f'<legacyDrawing xmlns:r="{REL}" r:id="rId1"/></worksheet>'.encode())


# -- styles ------------------------------------------------------------------------------------

STYLES = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="&quot;$&quot;#,##0.00"/>'
    '</numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/>'
    '<name val="Calibri"/></font></fonts><fills count="3"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFC6E0B4"/>'
    '</patternFill></fill></fills><borders count="2"><border/><border><left style="thin"/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="1" fillId="2" borderId="1" xfId="0" applyNumberFormat="1" applyFill="1">'
    '<alignment horizontal="right"/></xf></cellXfs><dxfs count="0"/></styleSheet>'
).encode()


def test_a_highlight_is_the_cells_own_style_with_a_red_fill() -> None:
    styles = StyleSheet(STYLES)
    index = styles.highlight_of(1, "FFC7CE")
    assert index == 2 and styles.highlight_of(1, "FFC7CE") == 2
    xml = styles.to_bytes()
    assert b'<fills count="4">' in xml and b'<cellXfs count="3">' in xml
    assert xml.endswith(
        b'<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/><bgColor indexed="64"/></patternFill></fill>'
        b'</fills><borders count="2"><border/><border><left style="thin"/></border></borders>'
        b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        b'<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        b'<xf numFmtId="164" fontId="1" fillId="2" borderId="1" xfId="0" applyNumberFormat="1" applyFill="1">'
        b'<alignment horizontal="right"/></xf><xf numFmtId="164" fontId="1" fillId="3" borderId="1" xfId="0" '
        b'applyNumberFormat="1" applyFill="1"><alignment horizontal="right"/></xf></cellXfs><dxfs count="0"/>'
        b"</styleSheet>"
    )
    assert StyleSheet(xml).highlight_of(1, "FFC7CE") == 2  # found again by the next sync: nothing appended


def test_a_style_already_there_is_reused_whatever_the_attribute_order() -> None:
    xml = STYLES.replace(
        b"</fills>",
        b'<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/><bgColor indexed="64"></bgColor>'
        b"</patternFill></fill></fills>",
    ).replace(b"</cellXfs>", b'<xf applyFill="1" xfId="0" borderId="0" fillId="3" fontId="0" numFmtId="0"/></cellXfs>')
    xml = xml.replace(b'<fills count="3">', b'<fills count="4">').replace(
        b'<cellXfs count="2">', b'<cellXfs count="3">'
    )
    styles = StyleSheet(xml)
    assert styles.highlight_of(0, "FFC7CE") == 2
    assert not styles.changed and styles.to_bytes() == xml


def test_layout_styles_get_fonts_formats_and_alignment() -> None:
    styles = StyleSheet(STYLES)
    bold_percent = styles.xf_for(Style(bold=True, number_format="0.0%", wrap=True))
    assert styles.xf_for(Style()) == 0 and styles.xf_for(Style(number_format="#,##0")) == bold_percent + 1
    xml = styles.to_bytes()
    assert b'<numFmts count="2"><numFmt numFmtId="164" formatCode="&quot;$&quot;#,##0.00"/>' in xml
    assert b'<numFmt numFmtId="165" formatCode="0.0%"/></numFmts>' in xml
    assert (
        b'<xf numFmtId="165" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" '
        b'applyAlignment="1"><alignment wrapText="1"/></xf><xf numFmtId="3" fontId="0"'
    ) in xml


def test_a_workbook_without_number_formats_or_a_second_fill_gets_them_in_schema_order() -> None:
    styles = StyleSheet(MINIMAL_STYLES.replace(b'<fills count="2">', b'<fills count="1">').replace(
        b'<fill><patternFill patternType="gray125"/></fill>', b""
    ))  # fmt: skip
    styles.xf_for(Style(fill="C6EFCE", number_format="yyyy-mm-dd"))
    xml = styles.to_bytes()
    assert b'main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><fonts' in xml
    assert (
        b'<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
        in xml
    )


GREEN_FILL = '<fill><patternFill patternType="solid"><fgColor rgb="FFC6E0B4"/></patternFill></fill>'


def with_fill(fill: str) -> StyleSheet:
    """STYLES with one more fill (3) and a cell style (2) that shows it."""
    xml = STYLES.replace(b'<fills count="3">', b'<fills count="4">').replace(b"</fills>", fill.encode() + b"</fills>")
    xml = xml.replace(b'<cellXfs count="2">', b'<cellXfs count="3">').replace(
        b"</cellXfs>", b'<xf numFmtId="0" fontId="0" fillId="3" borderId="0" xfId="0"/></cellXfs>'
    )
    return StyleSheet(xml)


@pytest.mark.parametrize(
    ("fill", "is_red"),
    [
        ('<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/></patternFill></fill>', True),
        ('<fill><patternFill patternType="solid"><fgColor rgb="ffc7ce"/></patternFill></fill>', True),
        ('<fill><patternFill patternType="solid"><fgColor rgb="ffFFc7cE"/><bgColor rgb="FFCCCCFF"/>'
         "</patternFill></fill>", True),  # as LibreOffice writes it
        ('<fill><patternFill patternType="gray125"><fgColor rgb="FFFFC7CE"/></patternFill></fill>', False),
        ('<fill><patternFill patternType="solid"><fgColor rgb="FFC6E0B4"/></patternFill></fill>', False),
        ('<fill><patternFill patternType="solid"><fgColor theme="5" tint="0.6"/></patternFill></fill>', False),
        ('<fill><patternFill><fgColor rgb="FFFFC7CE"/></patternFill></fill>', False),  # no pattern: no fill
    ],
)  # fmt: skip
def test_a_fill_is_recognised_by_its_colour_however_it_is_written(fill: str, is_red: bool) -> None:
    styles = with_fill(fill)
    assert styles.is_filled_with(2, "FFC7CE") is is_red
    assert not styles.is_filled_with(0, "FFC7CE")


def test_a_cells_fill_is_kept_as_text_and_comes_back_on_the_same_entry() -> None:
    styles = StyleSheet(STYLES)
    fill, apply_fill = styles.fill_of(1), styles.apply_fill_of(1)
    assert (fill, apply_fill) == (GREEN_FILL, "1") and styles.fill_of(0) == NO_FILL
    red = styles.highlight_of(1, "FFC7CE")
    assert styles.with_fill(red, fill, apply_fill, same_as=1) == 1  # the styles were not renumbered
    assert styles.with_fill(0, NO_FILL, None, same_as=0) == 0


def test_after_a_renumbering_the_fill_comes_back_on_the_cells_current_style() -> None:
    # as LibreOffice saves it: the red entry at 1, the green fill gone, attributes its own way
    renumbered = STYLES.replace(b'<fgColor rgb="FFC6E0B4"/>', b'<fgColor rgb="FFFFC7CE"/><bgColor rgb="FFCCCCFF"/>')
    renumbered = renumbered.replace(b'applyNumberFormat="1" applyFill="1"', b'applyFont="true"')
    styles = StyleSheet(renumbered)
    assert styles.is_filled_with(1, "FFC7CE")
    restored = styles.with_fill(1, GREEN_FILL, "1", same_as=1)
    assert restored == 2 and styles.with_fill(1, GREEN_FILL, "1", same_as=1) == 2  # appended once
    xml = styles.to_bytes()
    assert xml.count(GREEN_FILL.encode()) == 1 and b'<fills count="4">' in xml
    assert xml.endswith(
        b'<xf numFmtId="164" fontId="1" fillId="3" borderId="1" xfId="0" applyFont="true" applyFill="1">'
        b'<alignment horizontal="right"/></xf></cellXfs><dxfs count="0"/></styleSheet>'
    )
    assert styles.with_fill(1, NO_FILL, None) == 3  # no fill: fill 0, no applyFill
    assert styles.xf(3).startswith(b'<xf numFmtId="164" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="true">')


@pytest.mark.parametrize(
    ("text", "is_fill"),
    [
        (NO_FILL, True),
        (GREEN_FILL, True),
        ("<fill/>", True),
        ("", False),
        ("yellow", False),
        ("<fill>", False),
        ("</fill>", False),
        ("<fill/><fill/>", False),
        ("<fill/>and text", False),
        ("<font><b/></font>", False),
        ('<!DOCTYPE fill [<!ENTITY a "aaaa">]><fill/>', False),
        ("<fill><patternFill></fill></patternFill>", False),
        ("<fill>a<b</fill>", False),
        ('<fill><fgColor rgb="<"/></fill>', False),
    ],
)
def test_only_a_fill_element_goes_back_from_the_record_into_the_styles(text: str, is_fill: bool) -> None:
    assert is_fill_xml(text) is is_fill


def test_a_prefixed_styles_part_gets_prefixed_entries() -> None:
    xml = (
        f'<x:styleSheet xmlns:x="{MAIN}"><x:fonts count="1"><x:font><x:sz val="11"/></x:font></x:fonts>'
        '<x:fills count="2"><x:fill><x:patternFill patternType="none"/></x:fill><x:fill>'
        '<x:patternFill patternType="gray125"/></x:fill></x:fills><x:borders count="1"><x:border/></x:borders>'
        '<x:cellXfs count="1"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></x:cellXfs>'
        "</x:styleSheet>"
    ).encode()
    styles = StyleSheet(xml)
    assert styles.highlight_of(0, "FFC7CE") == 1
    assert styles.to_bytes() == xml.replace(b'<x:fills count="2">', b'<x:fills count="3">').replace(
        b"</x:fills>",
        b'<x:fill><x:patternFill patternType="solid"><x:fgColor rgb="FFFFC7CE"/><x:bgColor indexed="64"/>'
        b"</x:patternFill></x:fill></x:fills>",
    ).replace(
        b'<x:cellXfs count="1"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></x:cellXfs>',
        b'<x:cellXfs count="2"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        b'<x:xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/></x:cellXfs>',
    )


# -- notes --------------------------------------------------------------------------------------

PEOPLES_COMMENTS = (
    f'<comments xmlns="{MAIN}"><authors><author>Anna</author></authors><commentList><comment ref="C2" authorId="0">'
    '<text><r><rPr><b/></rPr><t>Anna:</t></r><r><t xml:space="preserve"> two orders by phone</t></r></text>'
    "</comment></commentList></comments>"
).encode()


def test_sheetops_notes_join_peoples_notes_and_leave_exactly_as_they_came() -> None:
    comments = CommentsPart(PEOPLES_COMMENTS)
    assert comments.note("C2") is not None and comments.note("C2").text == "Anna: two orders by phone"  # type: ignore[union-attr]
    comments.add("D5", "CPA 180 > 150 <3 days> & more\nsecond line")
    added = comments.to_bytes()
    assert added.startswith(PEOPLES_COMMENTS[: PEOPLES_COMMENTS.index(b"</authors>")] + b"<author>sheetops</author>")
    assert b'</comment><comment ref="D5" authorId="1">' in added
    again = CommentsPart(added)
    assert again.note("D5").text == "CPA 180 > 150 <3 days> & more\nsecond line"  # type: ignore[union-attr]
    assert again.note("D5").author == "sheetops"  # type: ignore[union-attr]
    again.remove("D5")
    assert again.to_bytes() == PEOPLES_COMMENTS


def test_note_boxes_are_numbered_after_the_boxes_that_stay() -> None:
    vml = VmlDrawing(None, block=3)
    vml.add(4, 2)
    vml.add(9, 1)
    first = vml.to_bytes()
    assert b'<o:idmap v:ext="edit" data="3"/>' in first
    assert b'id="_x0000_s3073"' in first and b'id="_x0000_s3074"' in first
    assert b"<x:Row>4</x:Row><x:Column>2</x:Column>" in first
    kept = VmlDrawing(first, block=7)
    kept.remove(4, 2)
    kept.add(4, 2)  # taken back in the same sync: the box stays as it was
    assert not kept.changed and kept.to_bytes() == first
    one_left = VmlDrawing(first, block=7)
    one_left.remove(4, 2)
    one_left.add(12, 0)
    assert b'id="_x0000_s3075"' in one_left.to_bytes() and b"<x:Row>4</x:Row>" not in one_left.to_bytes()
    none_left = VmlDrawing(first, block=7)
    none_left.remove(4, 2)
    none_left.remove(9, 1)
    none_left.add(1, 1)
    assert b'id="_x0000_s3073"' in none_left.to_bytes() and none_left.shape_count == 1


# -- sheetops' record ------------------------------------------------------------------------------

RECORDS = [
    HighlightRecord("Plan-Fact", "D3", "4", 9, "CPA above target (spend)", True, GREEN_FILL, "1"),
    HighlightRecord("Plan-Fact", "H3", NO_STYLE, 10, "", False, NO_FILL, None),
    HighlightRecord("Daily", "F10", NEW_CELL, 10, 'Orders: 0 & spend "high" <ok>', True, NO_FILL, "0"),
]


def test_the_record_reads_back_what_it_wrote() -> None:
    styles = StyleSheet(MINIMAL_STYLES)
    part = render_worksheet(record_layout(RECORDS), styles)
    read = read_records(SheetEditor(part, "sheetops_state"), lambda: [])
    assert sorted(read, key=lambda r: r.key) == sorted(RECORDS, key=lambda r: r.key)
    assert not styles.changed  # the record is plain: it adds no styles


def test_a_long_streaks_cells_share_one_row_and_its_note_is_written_once() -> None:
    note = "Spend above 0 for 300 days in a row, since 2026-02-01"
    streak = [HighlightRecord("Daily", f"F{2 + 20 * day}", "3", 9, "", False, NO_FILL, None) for day in range(299)]
    noted = HighlightRecord("Daily", "F5982", "3", 9, note, True, NO_FILL, None)
    layout = record_layout([*RECORDS, *reversed(streak), noted])
    rows = [tuple(cell.value for cell in row) for row in layout.rows]
    assert rows[0] == ("Tab", "Cells", "Original style", "Highlight style", "Note", "Note by sheetops",
                       "Original fill", "Original applyFill")
    assert len(rows) == 1 + 3 + 2, "a row for each group of cells that share everything but their place"
    fill_only = [row for row in rows if row[1] == " ".join(r.cell for r in streak)]
    assert len(fill_only) == 1 and fill_only[0][4] == ""
    assert [row[4] for row in rows].count(note) == 1
    part = render_worksheet(layout, StyleSheet(MINIMAL_STYLES))
    read = read_records(SheetEditor(part, "sheetops_state"), lambda: [])
    assert sorted(read) == sorted([*RECORDS, *streak, noted])


def test_a_group_of_cells_is_split_over_rows_excel_can_hold() -> None:
    from sheetops.backends.xlsx.record import CELLS_TEXT_LIMIT

    many = [HighlightRecord("Daily", f"F{row}", "3", 9, "", False, NO_FILL, None) for row in range(2, 20_002)]
    layout = record_layout(many)
    texts = [str(row[1].value) for row in layout.rows[1:]]
    assert len(texts) > 1 and all(len(text) <= CELLS_TEXT_LIMIT < 32_767 for text in texts)
    assert " ".join(texts).split() == [r.cell for r in many], "in order, none lost or repeated"
    read = read_records(SheetEditor(render_worksheet(layout, StyleSheet(MINIMAL_STYLES)), "s"), list)
    assert read == many


def test_a_record_of_one_cell_per_row_as_earlier_versions_wrote_it_is_read() -> None:
    part = render_worksheet(one_cell_per_row(RECORDS, 8), StyleSheet(MINIMAL_STYLES))
    assert sorted(read_records(SheetEditor(part, "sheetops_state"), lambda: [])) == sorted(RECORDS)


def test_the_record_is_read_in_one_pass_and_cell_by_cell_alike() -> None:
    part = render_worksheet(record_layout(RECORDS), StyleSheet(MINIMAL_STYLES))
    # a program that saved the record with shared strings and its own attributes: read cell by cell
    strings = [str(c) for c in ("Tab", "Plan-Fact", "D3")]
    saved = part.replace(b'<c r="A1" t="inlineStr"><is><t>Tab</t></is></c>', b'<c r="A1" t="s"><v>0</v></c>')
    saved = saved.replace(b'<c r="A2" t="inlineStr"><is><t>Daily</t></is></c>', b'<c r="A2" t="inlineStr" x="1">'
                          b'<is><t>Daily</t></is></c>')
    assert saved != part
    assert _rows_as_written(SheetEditor(part, "sheetops_state")) is not None, "as written: read in one pass"
    assert _rows_as_written(SheetEditor(saved, "sheetops_state")) is None
    expected = sorted(RECORDS, key=lambda r: r.key)
    for xml in (part, saved):
        read = read_records(SheetEditor(xml, "sheetops_state"), lambda: strings)
        assert sorted(read, key=lambda r: r.key) == expected


def test_a_record_written_before_fills_were_kept_is_read_without_them() -> None:
    old = one_cell_per_row(RECORDS, 6)
    read = read_records(SheetEditor(render_worksheet(old, StyleSheet(MINIMAL_STYLES)), "sheetops_state"),
                        lambda: [])
    assert sorted(read, key=lambda r: r.key) == sorted(
        (r._replace(original_fill=None, original_apply_fill=None) for r in RECORDS), key=lambda r: r.key
    )


def test_a_recorded_fill_that_is_not_a_fill_is_not_used() -> None:
    edited = [RECORDS[0]._replace(original_fill="light green")]
    read = read_records(SheetEditor(render_worksheet(record_layout(edited), StyleSheet(MINIMAL_STYLES)), "s"), list)
    assert read == [RECORDS[0]._replace(original_fill=None)]


def test_a_record_whose_header_was_changed_is_refused() -> None:
    part = render_worksheet(record_layout(RECORDS), StyleSheet(MINIMAL_STYLES)).replace(b"<t>Tab</t>", b"<t>Sheet</t>")
    with pytest.raises(BackendError, match="sheetops_state.*was changed"):
        read_records(SheetEditor(part, "sheetops_state"), lambda: [])


# -- text -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "a < b & c > d",
        " leading and trailing ",
        "two\nlines",
        "_x0041_ as typed",
        "bell\x07 and tab\t",
        "₽ 1 234,5",
    ],
)
def test_text_survives_being_written_and_read(text: str) -> None:
    assert xb.rich_text(b"<is>" + xb.text_element(text) + b"</is>") == text


# -- the ZIP copy ------------------------------------------------------------------------------------


def test_unchanged_entries_are_copied_with_their_compression_and_changed_ones_replaced() -> None:
    source = io.BytesIO()
    with zipfile.ZipFile(source, "w") as package:
        package.writestr("[Content_Types].xml", b"<Types/>", zipfile.ZIP_DEFLATED)
        package.writestr("xl/media/image1.png", b"\x89PNG" + bytes(200), zipfile.ZIP_STORED)
        package.writestr("xl/workbook.xml", b"<workbook/>" * 50, zipfile.ZIP_DEFLATED)
        package.writestr("xl/old.xml", b"<old/>", zipfile.ZIP_DEFLATED)
    source.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as package:
        edit = PackageEdit(package, source)
        edit.put("xl/workbook.xml", b"<workbook>changed</workbook>")
        edit.put("xl/new.xml", b"<new/>")
        edit.remove("xl/old.xml")
        edit.write_to(out)
        before = {i.filename: (i.compress_type, i.compress_size, i.CRC) for i in package.infolist()}
    out.seek(0)
    with zipfile.ZipFile(out) as copy:
        assert copy.testzip() is None
        assert copy.namelist() == ["[Content_Types].xml", "xl/media/image1.png", "xl/workbook.xml", "xl/new.xml"]
        after = {i.filename: (i.compress_type, i.compress_size, i.CRC) for i in copy.infolist()}
        assert copy.read("xl/workbook.xml") == b"<workbook>changed</workbook>"
    for name in ("[Content_Types].xml", "xl/media/image1.png"):
        assert after[name] == before[name]


@pytest.mark.parametrize(
    "tag",
    [
        '<c r="B2" s="3">', '<c r="B2" t="s">', '<c r="B2" s="3" t="s">', '<c r="B2"/>', '<c r="B2" s="">',
        '<c r="B2"  s="3">', '<c r="B2" t="n" s = "3">', "<c r='B2' s='3'>", '<x:c r="B2" cm="1" s="3"/>',
        '<c s="3" r="B2">',
    ],
)
@pytest.mark.parametrize("style", ["9", None])
def test_a_cells_style_is_set_as_the_attribute_tools_set_it(tag: str, style: str | None) -> None:
    from sheetops.backends.xlsx.sheetxml import _with_style

    assert _with_style(tag.encode(), style) == xb.set_attribute(tag.encode(), b"s", style, after=b"r")


def test_the_record_from_the_read_values_is_the_record_in_its_part(demo_xlsx: Path) -> None:
    """The write takes the record of the marks from the values the read gave (calamine's),
    rather than parsing its part again: the same records as parsing the part."""
    import datetime as dt

    from sheetops.api import sync
    from sheetops.backends.xlsx.package import sheet_parts
    from sheetops.backends.xlsx.reader import read_workbook
    from sheetops.backends.xlsx.record import records_from_values

    sync(demo_xlsx, as_of=dt.date(2026, 11, 27))
    (state,) = [s for s in read_workbook(demo_xlsx).sheets if s.name == "sheetops_state"]
    with zipfile.ZipFile(demo_xlsx) as package:
        (part,) = [p.part for p in sheet_parts(package) if p.name == "sheetops_state"]
        parsed = read_records(SheetEditor(package.read(part), "sheetops_state"), lambda: [])
    assert len(parsed) > 3
    assert records_from_values(state.rows) == parsed
