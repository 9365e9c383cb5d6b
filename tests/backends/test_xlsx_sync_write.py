"""A sync changes a people's workbook only where sheetops owns it.

Each test writes a real workbook with XlsxWriter (see conftest.py), applies a SyncWrite
through the .xlsx backend, and reads the file back: as ZIP parts byte for byte, with
openpyxl, with python-calamine and with LibreOffice.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from xlsx_books import (
    MONEY,
    PEOPLE_FILL,
    PeopleWorkbook,
    changed,
    libreoffice_converts,
    log_row,
    marks,
    one_cell_per_row,
    open_in_openpyxl,
    people_workbook,
    read_parts,
    record_rows,
    sheet_part,
    summary_layout,
    sync_write,
)

from sheetops.backends import STATE_TAB, Highlight
from sheetops.backends.xlsx import XlsxBackend
from sheetops.layout import Cell, TabLayout
from sheetops.workbook import column_letter

RED = "FFFFC7CE"


def cell(row: int, col: int) -> str:
    return f"{column_letter(col)}{row + 1}"


def sync(
    book: PeopleWorkbook,
    highlights: tuple[Highlight, ...] = (),
    *,
    summary: TabLayout | None = None,
    row: tuple[Cell, ...] | None = None,
) -> dict[str, bytes]:
    """Apply one sync to the workbook and return its parts afterwards."""
    XlsxBackend(book.path).write(sync_write(highlights, summary=summary, row=row))
    return read_parts(book.path)


def parts_of_tabs(path: Path, *names: str) -> set[str]:
    """The sheet parts of the tabs, their relationships and their notes' parts."""
    found = set()
    with zipfile.ZipFile(path) as package:
        listing = set(package.namelist())
    for name in names:
        part = sheet_part(path, name)
        found.add(part)
        rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if rels in listing:
            found.add(rels)
            with zipfile.ZipFile(path) as package:
                for target in re.findall(rb'Target="\.\./([^"]+)"', package.read(rels)):
                    if b"comments" in target or b"vmlDrawing" in target:
                        found.add("xl/" + target.decode())
    return found


def masked(xml: bytes, refs: Iterable[str]) -> bytes:
    """A sheet part without what a highlight may change: the ``s`` of the marked cells,
    the empty cells and rows created for them, and the link to the notes' drawing."""
    for ref in refs:
        xml = re.sub(rb'(<c r="' + ref.encode() + rb'")(?: s="\d+")?', rb"\1", xml)
        xml = xml.replace(b'<c r="' + ref.encode() + b'"/>', b"")
    xml = re.sub(rb'<row r="\d+"></row>', b"", xml)
    return re.sub(rb'<legacyDrawing r:id="rId\d+"/>', b"", xml)


# -- nothing lost ---------------------------------------------------------------------


def test_only_the_parts_sheetops_owns_change(workbook: PeopleWorkbook) -> None:
    before = read_parts(workbook.path)
    after = sync(workbook, marks(workbook))

    tabs = (workbook.plan_fact, workbook.daily, workbook.summary, workbook.log, STATE_TAB)
    assert changed(before, after) == {sheet_part(workbook.path, name) for name in tabs} | {
        "xl/comments1.xml",  # people's notes on Plan-Fact, where sheetops adds its own
        "xl/drawings/vmlDrawing1.vml",
        "xl/comments2.xml",  # Daily had no notes: its notes parts are new, linked from its rels
        "xl/drawings/vmlDrawing2.vml",
        "xl/worksheets/_rels/sheet5.xml.rels",
        "xl/styles.xml",  # appended to
        "xl/workbook.xml",  # the hidden record tab is new: the workbook lists it
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
        "docProps/app.xml",
    }
    for name in (
        "xl/threadedComments/threadedComment1.xml",
        "xl/persons/person.xml",
        "xl/calcChain.xml",
        "xl/charts/chart1.xml",
        "xl/drawings/drawing1.xml",
        "xl/drawings/drawing2.xml",
        "xl/tables/table1.xml",
        "xl/sharedStrings.xml",
        "xl/theme/theme1.xml",
        "docProps/core.xml",
    ):
        assert after[name] == before[name], name


WORKSHEET_ORDER = [
    "sheetPr",
    "dimension",
    "sheetViews",
    "sheetFormatPr",
    "cols",
    "sheetData",
    "sheetCalcPr",
    "sheetProtection",
    "protectedRanges",
    "scenarios",
    "autoFilter",
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
]
STYLES_ORDER = [
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
]


def test_changed_parts_are_well_formed_and_in_schema_order(workbook: PeopleWorkbook) -> None:
    import xml.etree.ElementTree as ET

    before = read_parts(workbook.path)
    after = sync(workbook, marks(workbook))
    for name in changed(before, after):
        if name not in after:
            continue
        root = ET.fromstring(after[name])  # the VML sheetops writes is well-formed too
        children = [child.tag.rpartition("}")[2] for child in root]
        order = WORKSHEET_ORDER if name.startswith("xl/worksheets/sheet") else STYLES_ORDER
        if name.startswith("xl/worksheets/sheet") or name == "xl/styles.xml":
            positions = [order.index(child) for child in children]
            assert positions == sorted(positions), (name, children)


def test_unchanged_parts_keep_their_compressed_bytes(workbook: PeopleWorkbook) -> None:
    with zipfile.ZipFile(workbook.path) as package:
        before = {i.filename: (i.CRC, i.compress_type, i.compress_size) for i in package.infolist()}
    sync(workbook, marks(workbook))
    with zipfile.ZipFile(workbook.path) as package:
        after = {i.filename: (i.CRC, i.compress_type, i.compress_size) for i in package.infolist()}
    for name in ("xl/theme/theme1.xml", "xl/media/image1.png", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"):
        assert after[name] == before[name], name


@pytest.mark.parametrize("tab_attr", ["plan_fact", "daily"])
def test_a_marked_tab_changes_only_in_its_marked_cells_and_notes_link(workbook: PeopleWorkbook, tab_attr: str) -> None:
    tab = getattr(workbook, tab_attr)
    part = sheet_part(workbook.path, tab)
    before = read_parts(workbook.path)[part]
    after = sync(workbook, marks(workbook))[part]

    refs = [cell(h.row, h.col) for h in marks(workbook) if h.tab == tab]
    assert after != before
    assert masked(after, refs) == masked(before, refs)
    assert b"<extLst>" not in before or after.count(b"<extLst>") == before.count(b"<extLst>")


def test_the_notes_link_goes_where_the_schema_puts_it(workbook: PeopleWorkbook) -> None:
    daily = sync(workbook, marks(workbook))[sheet_part(workbook.path, workbook.daily)]
    # after <drawing> (the image and the text box), before anything that follows it
    assert re.search(rb'<drawing r:id="rId\d+"/><legacyDrawing r:id="rId\d+"/></worksheet>$', daily)
    plan_fact = read_parts(workbook.path)[sheet_part(workbook.path, workbook.plan_fact)]
    # people's notes were already linked: one link, followed by the sparklines' extLst
    assert plan_fact.count(b"<legacyDrawing") == 1
    assert re.search(rb"<legacyDrawing r:id=\"rId\d+\"/><extLst>", plan_fact)


# -- highlights ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "number_format", "note_author", "note_text"),
    [
        ("filled_cell", MONEY, "sheetops", "CPA above target x1.5 three days in a row (spend)"),
        ("noted_cell", "General", "Anna", "Anna: two orders came by phone"),  # a person's note is kept
        ("empty_cell", "General", "sheetops", "CPA above target x1.5 three days in a row (no orders)"),
    ],
)
def test_a_marked_cell_is_red_keeps_its_format_and_has_a_note(
    workbook: PeopleWorkbook, where: str, number_format: str, note_author: str, note_text: str
) -> None:
    sync(workbook, marks(workbook))
    row, col = getattr(workbook, where)
    marked = open_in_openpyxl(workbook.path)[workbook.plan_fact][cell(row, col)]
    assert (marked.fill.fill_type, marked.fill.fgColor.rgb) == ("solid", RED)
    assert marked.number_format == number_format
    assert (marked.comment.author, marked.comment.text) == (note_author, note_text)


@pytest.mark.parametrize(
    ("row", "col", "value", "note"),
    [
        (2, 2, 102, "Spend 102 with CPA over 150"),  # an existing cell with a money format
        (2, 5, 2, "Orders 2"),  # an existing cell without a style
        (9, 5, None, "No orders on this day"),  # an empty cell in a row
        (11, 2, None, "A day without a row"),  # a row people left empty
    ],
)
def test_cells_are_marked_on_a_tab_without_notes(
    workbook: PeopleWorkbook, row: int, col: int, value: object, note: str
) -> None:
    sync(workbook, marks(workbook))
    marked = open_in_openpyxl(workbook.path)[workbook.daily][cell(row, col)]
    assert marked.value == value
    assert marked.fill.fgColor.rgb == RED
    assert (marked.comment.author, marked.comment.text) == ("sheetops", note)


def test_peoples_notes_fills_validation_and_conditional_formats_are_kept(workbook: PeopleWorkbook) -> None:
    sync(workbook, marks(workbook))
    sheet = open_in_openpyxl(workbook.path)[workbook.plan_fact]
    assert (sheet["P2"].comment.author, sheet["P2"].comment.text) == ("Boris", "Boris: agreed on Monday")
    assert sheet["D4"].fill.fill_type is None and sheet["D4"].number_format == MONEY
    assert [str(v.sqref) for v in sheet.data_validations.dataValidation] == ["H2:H100"]
    assert [str(rng.sqref) for rng in sheet.conditional_formatting] == ["D2:D100"]
    assert sheet["S2"].value == "=D2-C2"


def test_a_sync_without_the_marks_restores_every_cell_exactly(workbook: PeopleWorkbook) -> None:
    original = read_parts(workbook.path)
    sync(workbook, marks(workbook))
    after = sync(workbook, ())

    for part in parts_of_tabs(workbook.path, workbook.plan_fact, workbook.daily):
        assert after[part] == original[part], part
    assert not {n for n in after if n not in original and ("comments" in n or n.endswith(".vml"))}
    sheet = open_in_openpyxl(workbook.path)[workbook.plan_fact]
    assert sheet["D3"].fill.fgColor.rgb == "FF" + PEOPLE_FILL[1:]
    assert sheet["H3"].comment.text == "Anna: two orders came by phone"
    assert sheet["H5"].comment is None and sheet["H5"].fill.fill_type is None
    record = open_in_openpyxl(workbook.path)[STATE_TAB]
    assert record.sheet_state == "hidden" and record.max_row == 1


def test_marks_come_and_go_one_by_one(workbook: PeopleWorkbook) -> None:
    first, second, *_ = marks(workbook)
    sync(workbook, (first, second))
    sync(workbook, (second,))
    sheet = open_in_openpyxl(workbook.path)[workbook.plan_fact]
    assert sheet["D3"].fill.fgColor.rgb == "FF" + PEOPLE_FILL[1:] and sheet["D3"].comment is None
    assert sheet["H3"].fill.fgColor.rgb == RED and sheet["H3"].comment.author == "Anna"


def test_a_changed_note_text_is_updated_in_place(workbook: PeopleWorkbook) -> None:
    sync(workbook, marks(workbook))
    sync(workbook, marks(workbook, note="CPA above target for four days"))
    sheet = open_in_openpyxl(workbook.path)[workbook.plan_fact]
    assert sheet["D3"].comment.text == "CPA above target for four days (spend)"
    assert sheet["H3"].comment.text == "Anna: two orders came by phone"
    comments = read_parts(workbook.path)["xl/comments1.xml"]
    assert comments.count(b"<comment ") == 4 and comments.count(b"<author>sheetops</author>") == 1


def test_a_second_identical_sync_changes_only_the_sync_log(workbook: PeopleWorkbook) -> None:
    first = sync(workbook, marks(workbook))
    second = sync(workbook, marks(workbook))
    assert changed(first, second) == {sheet_part(workbook.path, workbook.log)}
    assert second["xl/styles.xml"] == first["xl/styles.xml"]


def test_an_unchanged_record_is_not_written_again(workbook: PeopleWorkbook) -> None:
    sync(workbook, marks(workbook))
    with zipfile.ZipFile(workbook.path) as package:
        before = package.getinfo(sheet_part(workbook.path, STATE_TAB))
    sync(workbook, marks(workbook))
    with zipfile.ZipFile(workbook.path) as package:
        after = package.getinfo(sheet_part(workbook.path, STATE_TAB))
    assert (after.CRC, after.compress_size, after.date_time) == (before.CRC, before.compress_size, before.date_time)


def test_a_cell_marked_with_a_note_keeps_its_fill_and_loses_the_note_when_it_gets_the_fill_only(
    workbook: PeopleWorkbook,
) -> None:
    # a record of the earlier policy, a note on every marked cell, and the breach goes on
    sync(workbook, marks(workbook))
    fill_only = tuple(dataclasses.replace(h, note="") if h.row != 2 or h.col != 2 else h for h in marks(workbook))
    sync(workbook, fill_only)
    sheet = open_in_openpyxl(workbook.path)[workbook.daily]
    assert all(sheet[ref].fill.fgColor.rgb == RED for ref in ("C3", "F3", "F10"))
    assert sheet["C3"].comment.text == "Spend 102 with CPA over 150"
    assert sheet["F3"].comment is None and sheet["F10"].comment is None
    pf = open_in_openpyxl(workbook.path)[workbook.plan_fact]
    assert pf["H3"].comment.author == "Anna"  # a person's note stays
    rows = record_rows(workbook.path)
    notes = {(r[0], r[1]): r[4] for r in rows}
    assert not notes[(workbook.daily, "F3")] and notes[(workbook.daily, "C3")] == "Spend 102 with CPA over 150"


def test_a_cell_a_person_restyled_is_left_as_they_made_it(workbook: PeopleWorkbook) -> None:
    sync(workbook, marks(workbook))
    part = sheet_part(workbook.path, workbook.plan_fact)
    _rewrite_part(workbook.path, part, lambda xml: re.sub(rb'<c r="D3" s="\d+"', b'<c r="D3" s="2"', xml))
    sync(workbook, ())
    assert b'<c r="D3" s="2">' in read_parts(workbook.path)[part]
    record = open_in_openpyxl(workbook.path)[STATE_TAB]
    assert record.max_row == 1  # forgotten: the next sync will not touch the cell


def test_a_note_a_person_edited_is_kept(workbook: PeopleWorkbook) -> None:
    sync(workbook, marks(workbook))
    _rewrite_part(workbook.path, "xl/comments1.xml", lambda xml: xml.replace(b"(spend)</t>", b"(spend) - paused</t>"))
    sync(workbook, ())
    sheet = open_in_openpyxl(workbook.path)[workbook.plan_fact]
    assert sheet["D3"].comment.text.endswith("(spend) - paused")
    assert sheet["D3"].fill.fgColor.rgb == "FF" + PEOPLE_FILL[1:]


def _give_a_copy_of_its_style(path: Path, tab: str, ref: str) -> int:
    """Point the cell at a copy of its style appended under a new number, as a program
    that renumbers the styles when it saves does; return the new number."""
    parts = read_parts(path)
    part = sheet_part(path, tab)
    found = re.search(rb'<c r="' + ref.encode() + rb'" s="(\d+)"', parts[part])
    assert found is not None
    xfs = re.search(rb'<cellXfs count="(\d+)">(.*?)</cellXfs>', parts["xl/styles.xml"], re.DOTALL)
    assert xfs is not None
    items = re.findall(rb"<xf\b[^>]*/>|<xf\b[^>]*[^/]>.*?</xf>", xfs.group(2), re.DOTALL)
    copy = items[int(found.group(1))].replace(b"<xf ", b'<xf applyProtection="0" ', 1)
    count = len(items)
    _rewrite_part(path, "xl/styles.xml", lambda xml: xml.replace(
        xfs.group(0), b'<cellXfs count="%d">' % (count + 1) + xfs.group(2) + copy + b"</cellXfs>"
    ))  # fmt: skip
    _rewrite_part(path, part, lambda xml: xml.replace(found.group(0), b'<c r="' + ref.encode() + b'" s="%d"' % count))
    return count


def _forget_fills(path: Path) -> None:
    """Make the record look as it did before sheetops kept the cells' fills in it: a row
    per cell, without the fill columns."""
    from sheetops.backends.xlsx.record import read_records
    from sheetops.backends.xlsx.sheetrender import render_worksheet
    from sheetops.backends.xlsx.sheetxml import SheetEditor
    from sheetops.backends.xlsx.styles import StyleSheet

    def earlier(xml: bytes) -> bytes:
        records = read_records(SheetEditor(xml, STATE_TAB), list)
        return render_worksheet(one_cell_per_row(records, 6), StyleSheet(read_parts(path)["xl/styles.xml"]))

    _rewrite_part(path, sheet_part(path, STATE_TAB), earlier)


def test_a_mark_is_known_by_its_look_after_its_style_was_renumbered(workbook: PeopleWorkbook) -> None:
    sync(workbook, marks(workbook))
    moved = _give_a_copy_of_its_style(workbook.path, workbook.plan_fact, "D3")
    before = read_parts(workbook.path)
    after = sync(workbook, marks(workbook))  # still wanted: kept, not marked again on top of itself
    part = sheet_part(workbook.path, workbook.plan_fact)
    assert after[part] == before[part] and after["xl/styles.xml"] == before["xl/styles.xml"]
    assert read_record(workbook.path)[(workbook.plan_fact, "D3")] == moved  # the record follows the cell

    sync(workbook, ())
    sheet = open_in_openpyxl(workbook.path)[workbook.plan_fact]
    assert sheet["D3"].fill.fgColor.rgb == "FF" + PEOPLE_FILL[1:] and sheet["D3"].number_format == MONEY
    assert sheet["D3"].comment is None and sheet["H3"].comment.text == "Anna: two orders came by phone"
    styles = read_parts(workbook.path)["xl/styles.xml"]
    assert sync(workbook, ())["xl/styles.xml"] == styles and read_record(workbook.path) == {}


@pytest.mark.parametrize("renumbered", [False, True], ids=["styles as they were", "styles renumbered"])
def test_a_record_from_before_fills_were_kept_still_works_by_style_number(
    workbook: PeopleWorkbook, renumbered: bool
) -> None:
    original = read_parts(workbook.path)
    sync(workbook, marks(workbook))
    _forget_fills(workbook.path)
    if renumbered:
        _give_a_copy_of_its_style(workbook.path, workbook.plan_fact, "D3")
    after = sync(workbook, ())
    sheet = open_in_openpyxl(workbook.path)[workbook.plan_fact]
    if renumbered:  # nothing says what the fill was: the red stays, the note goes
        assert sheet["D3"].fill.fgColor.rgb == RED and sheet["D3"].comment is None
    else:
        for part in parts_of_tabs(workbook.path, workbook.plan_fact, workbook.daily):
            assert after[part] == original[part], part
    assert read_record(workbook.path) == {}


def read_record(path: Path) -> dict[tuple[str, str], object]:
    """The record: (tab, cell) -> the highlight style it names."""
    rows = record_rows(path)
    return {(str(r[0]), str(r[1])): r[3] for r in rows if r[0]}


def test_the_record_still_works_after_excel_turns_its_text_into_shared_strings(workbook: PeopleWorkbook) -> None:
    original = read_parts(workbook.path)
    sync(workbook, marks(workbook))
    _share_strings_of(workbook.path, sheet_part(workbook.path, STATE_TAB))
    after = sync(workbook, ())
    for part in parts_of_tabs(workbook.path, workbook.plan_fact, workbook.daily):
        assert after[part] == original[part], part


@pytest.mark.parametrize(
    ("tab", "reason"),
    [("Weekly", "'Weekly': the workbook has no such tab"), ("CMO Summary", "'CMO Summary': sheetops rewrites")],
)
def test_a_mark_sheetops_cannot_make_is_refused_and_nothing_changes(
    workbook: PeopleWorkbook, tab: str, reason: str
) -> None:
    from sheetops.errors import BackendError

    before = workbook.path.read_bytes()
    with pytest.raises(BackendError, match=reason):
        sync(workbook, (Highlight(tab, 1, 1, note="x"),))
    assert workbook.path.read_bytes() == before


def test_a_damaged_sheet_part_stops_the_sync_before_anything_is_written(workbook: PeopleWorkbook) -> None:
    from sheetops.errors import WorkbookError

    part = sheet_part(workbook.path, workbook.daily)
    _rewrite_part(workbook.path, part, lambda xml: xml[: xml.index(b"</sheetData>")])
    before = workbook.path.read_bytes()
    with pytest.raises(WorkbookError, match="damaged.*save it.*Nothing was changed"):
        sync(workbook, marks(workbook))
    assert workbook.path.read_bytes() == before


# -- owned tabs ------------------------------------------------------------------------


def test_summary_and_log_are_read_back_as_written(workbook: PeopleWorkbook) -> None:
    from python_calamine import CalamineWorkbook

    sync(workbook, marks(workbook))
    sync(workbook, marks(workbook), row=log_row("2026-12-04 18:30", "2 breaches"))
    book = CalamineWorkbook.from_path(str(workbook.path))
    summary = book.get_sheet_by_name(workbook.summary).to_python()
    assert summary[0][0] == "CMO summary, week of 2026-11-16"
    assert summary[4][:5] == ["Meta Ads", 1234.5, -0.0295, 12, "breach"]
    assert summary[4][5] == "=SUM(A1:A2) is what Anna typed"
    assert summary[6][2] is True
    log = book.get_sheet_by_name(workbook.log).to_python()
    assert [r[0] for r in log] == ["When", "2026-11-27 18:30", "2026-12-04 18:30"]
    assert log[2][6] == "2 breaches"
    book.close()


def test_text_is_written_as_text_never_as_a_formula(workbook: PeopleWorkbook) -> None:
    parts = sync(workbook, marks(workbook))
    summary = parts[sheet_part(workbook.path, workbook.summary)]
    assert b"<f>" not in summary and b"<f " not in summary
    assert b'<c r="F5" s="' in summary and b"=SUM(A1:A2) is what Anna typed</t></is>" in summary


def test_the_summary_is_styled_and_keeps_the_tab_colour(workbook: PeopleWorkbook) -> None:
    sync(workbook, marks(workbook))
    sheet = open_in_openpyxl(workbook.path)[workbook.summary]
    assert sheet.sheet_properties.tabColor.rgb == "FF4472C4"
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert sheet["A4"].fill.fgColor.rgb == "FFDDEBF7" and sheet["A4"].font.b
    assert sheet["E5"].fill.fgColor.rgb == "FFFFC7CE"
    assert sheet["B5"].number_format == '"$"#,##0.00' and sheet["C5"].number_format == "0.0%"
    assert sheet["B2"].is_date and sheet["B7"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["F5"].alignment.wrap_text
    assert sheet.freeze_panes == "A5" and sheet.column_dimensions["F"].width == pytest.approx(40.7109375)


def test_a_rewritten_summary_replaces_the_old_one_whole(workbook: PeopleWorkbook) -> None:
    sync(workbook, marks(workbook))
    sync(workbook, marks(workbook), summary=summary_layout(status="ok"))
    sheet = open_in_openpyxl(workbook.path)[workbook.summary]
    assert sheet["E5"].value == "ok" and sheet["E5"].fill.fgColor.rgb == "FFC6EFCE"
    assert sheet.max_row == 7


def test_missing_owned_tabs_are_created_at_the_end(tmp_path: Path) -> None:
    book = people_workbook(tmp_path / "no-owned-tabs.xlsx", owned_tabs=False)
    before = read_parts(book.path)
    sync(book, marks(book))

    opened = open_in_openpyxl(book.path)
    assert opened.sheetnames[-3:] == [book.summary, book.log, STATE_TAB]
    assert opened[book.log]["A2"].value == "2026-11-27 18:30" and opened[book.log]["A1"].value == "When"
    app = read_parts(book.path)["docProps/app.xml"]
    assert b"<vt:lpstr>Sync Log</vt:lpstr><vt:lpstr>sheetops_state</vt:lpstr><vt:lpstr>Budget_total</vt:lpstr>" in app
    assert b"<vt:i4>12</vt:i4>" in app and b'<vt:vector size="13" baseType="lpstr">' in app
    assert before["xl/calcChain.xml"] == read_parts(book.path)["xl/calcChain.xml"]


def test_formulas_people_typed_on_the_summary_take_the_calculation_chain_with_them(workbook: PeopleWorkbook) -> None:
    part = sheet_part(workbook.path, workbook.summary)
    _rewrite_part(
        workbook.path,
        part,
        lambda xml: xml.replace(b"</row></sheetData>", b'<c r="B1"><f>1+1</f></c></row></sheetData>'),
    )
    after = sync(workbook, marks(workbook))
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["[Content_Types].xml"] + after["xl/_rels/workbook.xml.rels"]
    assert open_in_openpyxl(workbook.path)[workbook.plan_fact]["S2"].value == "=D2-C2"


BARE_PACKAGE = {
    "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook'
    b'.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    b'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    b'2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Daily" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
    b'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    "xl/worksheets/sheet1.xml": b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
    b'openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Date</t>'
    b'</is></c></row><row r="2"><c r="A2"><v>46342</v></c><c r="C2"><v>120.5</v></c></row></sheetData></worksheet>',
}


def test_a_bare_package_gets_styles_tabs_and_notes(tmp_path: Path, soffice: str) -> None:
    """Some programs write only the parts a workbook must have: no styles, no properties."""
    path = tmp_path / "bare.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in BARE_PACKAGE.items():
            package.writestr(name, data)
    XlsxBackend(path).write(sync_write((Highlight("Daily", 1, 2, note="Spend too high"),)))
    after = read_parts(path)
    link = b'<legacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId2"/>'
    assert after["xl/worksheets/sheet1.xml"] == BARE_PACKAGE["xl/worksheets/sheet1.xml"].replace(
        b'<c r="C2">', b'<c r="C2" s="1">'
    ).replace(b"</worksheet>", link + b"</worksheet>")
    book = open_in_openpyxl(path)
    assert book.sheetnames == ["Daily", "CMO Summary", "Sync Log", STATE_TAB]
    assert book["Daily"]["C2"].fill.fgColor.rgb == RED and book["Daily"]["C2"].comment.text == "Spend too high"
    assert libreoffice_converts(soffice, path, tmp_path).read_text("utf-8").startswith("Date")


def test_macros_survive_in_an_xlsm(tmp_path: Path) -> None:
    book = people_workbook(tmp_path / "macro.xlsm", macro=True)
    before = read_parts(book.path)
    after = sync(book, marks(book))
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    assert b"macroEnabled" in after["[Content_Types].xml"]
    assert open_in_openpyxl(book.path)[book.plan_fact]["D3"].fill.fgColor.rgb == RED


# -- other readers ---------------------------------------------------------------------


def test_libreoffice_reads_the_marks_notes_and_tabs(workbook: PeopleWorkbook, tmp_path: Path, soffice: str) -> None:
    sync(workbook, marks(workbook))
    converted = libreoffice_converts(soffice, workbook.path, tmp_path, "xlsx:Calc MS Excel 2007 XML")
    book = open_in_openpyxl(converted)
    assert STATE_TAB in book.sheetnames and book[STATE_TAB].sheet_state == "hidden"
    for tab, ref, note in [
        (workbook.plan_fact, "D3", "CPA above target"),
        (workbook.plan_fact, "H3", "Anna: two orders"),
        (workbook.daily, "C12", "A day without a row"),
    ]:
        marked = book[tab][ref]
        assert marked.fill.fgColor.rgb == RED, f"{tab}!{ref}"
        assert marked.comment is not None and marked.comment.text.startswith(note)
    assert book[workbook.summary]["F5"].value == "=SUM(A1:A2) is what Anna typed"


def test_libreoffice_opens_the_workbook_after_marks_come_and_go(tmp_path: Path, soffice: str) -> None:
    book = people_workbook(tmp_path / "no-owned-tabs.xlsx", owned_tabs=False)
    sync(book, marks(book))
    sync(book, ())
    converted = libreoffice_converts(soffice, book.path, tmp_path)
    assert converted.read_text("utf-8").startswith("Role,Person")


def _rewrite_part(path: Path, part: str, change: object) -> None:
    """Change one part the way a person saving in Excel would, keeping the others."""
    parts = read_parts(path)
    parts[part] = change(parts[part])  # type: ignore[operator]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def _share_strings_of(path: Path, part: str) -> None:
    """Move the inline strings of a sheet into the shared string table, as Excel does."""
    parts = read_parts(path)
    table = parts["xl/sharedStrings.xml"]
    items = re.findall(rb"<si>.*?</si>", table, re.DOTALL)
    added: list[bytes] = []

    def share(match: re.Match[bytes]) -> bytes:
        added.append(b"<si><t>" + match.group(2) + b"</t></si>")
        return match.group(1) + b' t="s"><v>' + str(len(items) + len(added) - 1).encode() + b"</v>"

    parts[part] = re.sub(rb'(<c r="[A-Z]+\d+")(?: s="\d+")? t="inlineStr"><is><t>(.*?)</t></is>', share, parts[part])
    assert added and b"inlineStr" not in parts[part]
    close = table.rindex(b"</sst>")
    table = table[:close] + b"".join(added) + table[close:]
    unique = b'uniqueCount="%d"' % (len(items) + len(added))
    parts["xl/sharedStrings.xml"] = re.sub(rb'uniqueCount="\d+"', unique, table)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
