"""A large workbook takes the fast paths (a tab read beside the others, big parts deflated
in slices, parts the read decompressed reused by the write) and comes out the same."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from xlsx_books import DEMO_CHANNELS, large_demo

from sheetops import api
from sheetops.backends.xlsx import repack
from sheetops.backends.xlsx.patcher import apply_sync_write
from sheetops.backends.xlsx.reader import read_workbook
from sheetops.backends.xlsx.repack import _SLICE
from sheetops.templates import Template

AS_OF = dt.date(2026, 11, 27)
DAYS = 3000


@pytest.fixture(scope="module")
def large_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The English demo's tabs, with 21,000 Daily rows: the Daily part is several MB,
    and Social ads' CPA is far above target for the last five days (a day-rule breach)."""
    return large_demo(tmp_path_factory.mktemp("large"), AS_OF, DAYS, bad_days=5)


def daily_part(path: Path) -> int:
    with zipfile.ZipFile(path) as package:
        return max(info.file_size for info in package.infolist())


def test_a_large_sync_marks_the_cells_and_keeps_every_value(large_xlsx: Path, template: Template,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "large.xlsx"
    path.write_bytes(large_xlsx.read_bytes())
    assert daily_part(path) > 2 * _SLICE, "the Daily part is big enough to be deflated in slices"
    before = read_workbook(path)

    report = api.sync(path, as_of=AS_OF)

    assert any(b.channel.name == "Social ads" and b.metric == "cpa" for b in report.breaches)
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None
    after = read_workbook(path)
    for sheet in before.sheets:
        if sheet.name in ("Daily", "Plan-Fact", "Roles", "Channels", "Stop rules", "Settings"):
            assert after.sheet(sheet.name) is not None
            assert after.sheet(sheet.name).rows == sheet.rows, f"{sheet.name}: every value as before"
    marked = {(h.tab, h.row) for h in report.changes.highlights}
    assert {tab for tab, _ in marked} == {"Daily"}
    # A second reader, calamine on its own, sees the same Daily values.
    alone = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Daily").to_python()
    assert len(alone) == DAYS * len(DEMO_CHANNELS) + 1


def test_reading_a_large_workbook_gives_what_one_reader_gives(large_xlsx: Path) -> None:
    data = read_workbook(large_xlsx)
    book = CalamineWorkbook.from_path(str(large_xlsx))
    for sheet in data.sheets:
        expected = book.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
        cleaned = [[None if v == "" else v for v in row] for row in expected]
        assert [list(r) for r in sheet.rows] == cleaned, sheet.name


def test_a_big_tab_the_read_did_not_keep_is_edited_as_it_is_copied_with_the_same_result(
    large_xlsx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = tmp_path / "kept.xlsx"
    kept.write_bytes(large_xlsx.read_bytes())
    report = api.sync(kept, as_of=AS_OF)  # the read kept the Daily part: edited in memory
    streamed = tmp_path / "streamed.xlsx"
    streamed.write_bytes(large_xlsx.read_bytes())
    monkeypatch.setattr(repack, "STREAM_ABOVE", 0)  # no part at hand: each tab is read in pieces
    apply_sync_write(streamed, report.changes)
    with zipfile.ZipFile(kept) as one, zipfile.ZipFile(streamed) as other:
        assert other.testzip() is None
        assert one.namelist() == other.namelist()
        for info in one.infolist():
            assert one.read(info) == other.read(info.filename), info.filename
            assert info.compress_size == other.getinfo(info.filename).compress_size, info.filename
