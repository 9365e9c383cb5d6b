"""Workbooks the way a team leaves them on a Friday, and what a sync writes into them.

``people_workbook`` writes, with XlsxWriter, a workbook that follows the contract (tab
names and headers from the built-in template, Plan-Fact and Daily rows) and carries
what people add in Excel: notes (one on a cell sheetops will mark), their own fills
(one on a cell sheetops will mark), data validation and conditional formats on the
marked cells, a formula, sparklines, a chart, an image, a text box, a table, a defined
name, a hidden tab, and - added to the package afterwards, as Excel would - a threaded
comment with its person list and a calculation chain. ``macro=True`` makes it an .xlsm
with a VBA project.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import struct
import subprocess
import uuid
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheetops.backends import Highlight, SyncWrite
from sheetops.layout import BOLD, HEADER, INTEGER, PERCENT, STATUS_FILLS, Cell, Style, TabLayout, money_format
from sheetops.templates import load_template

MONDAY = dt.date(2026, 11, 16)
AS_OF = dt.date(2026, 11, 27)
CHANNELS = ("Meta Ads", "Google Ads", "Email")
PEOPLE_FILL = "#C6E0B4"  # a green people use for "checked"
MONEY = '"$"#,##0.00'
THREADED_COMMENT = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" '
    b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<threadedComment ref="Q2" dT="2026-11-20T10:00:00.00" personId="{6B3F1F7E-0C1A-4C9B-9E53-3B0C2B1F4A11}" '
    b'id="{0D4B8E0A-6E55-4C38-9F0B-5C1E3E2A7B21}"><text>Ask Anna about the budget</text></threadedComment>'
    b"</ThreadedComments>"
)
PERSONS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" '
    b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<person displayName="Anna" id="{6B3F1F7E-0C1A-4C9B-9E53-3B0C2B1F4A11}" userId="anna@example.com" '
    b'providerId="None"/></personList>'
)


@dataclass(frozen=True)
class PeopleWorkbook:
    """A workbook on disk and the cells the tests look at (0-based, row 0 = header)."""

    path: Path
    plan_fact: str
    daily: str
    summary: str
    log: str
    daily_rows: int
    filled_cell: tuple[int, int] = (2, 3)  # Plan-Fact!D3: spend, with a person's green fill
    noted_cell: tuple[int, int] = (2, 7)  # Plan-Fact!H3: orders, with a person's note
    other_note: tuple[int, int] = (1, 15)  # Plan-Fact!P2: a person's note sheetops never marks
    empty_cell: tuple[int, int] = (4, 7)  # Plan-Fact!H5: orders left empty
    gap_row: int = 11  # Daily row 12 is left empty by people


def tab(key: str) -> str:
    return load_template().tab(key).name["en"]


def headers(key: str) -> list[str]:
    return [c.header["en"] for c in load_template().tab(key).columns]


def tiny_png() -> bytes:
    """A 2x2 red PNG, made here so the test needs no image file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def people_workbook(
    path: Path, *, daily_rows: int = 40, macro: bool = False, owned_tabs: bool = True
) -> PeopleWorkbook:
    """Write the workbook described in the module docstring at ``path``."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": False})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    money = book.add_format({"num_format": MONEY})
    green_money = book.add_format({"num_format": MONEY, "bg_color": PEOPLE_FILL})
    bold = book.add_format({"bold": True})

    roles = book.add_worksheet(tab("roles"))
    roles.write_row(0, 0, headers("roles"), bold)
    roles.write_row(1, 0, ["Performance", "Anna"])
    channels = book.add_worksheet(tab("channels"))
    channels.write_row(0, 0, headers("channels"), bold)
    for r, name in enumerate(CHANNELS, start=1):
        channels.write_row(r, 0, [name, "Paid", "Anna", "CPA"])
        channels.write_number(r, 4, 3000, money)
    rules = book.add_worksheet(tab("stop_rules"))
    rules.write_row(0, 0, headers("stop_rules"), bold)
    rules.write_row(1, 0, ["CPA too high", "*", "CPA", "above", "target*1.5", 3, "day", "stop", 100, "yes"])

    plan_fact = book.add_worksheet(tab("plan_fact"))
    plan_fact.write_row(0, 0, headers("plan_fact"), bold)
    plan_fact.freeze_panes(1, 0)
    r = 1
    for week in (MONDAY, MONDAY + dt.timedelta(days=7)):
        for channel in CHANNELS:
            plan_fact.write_datetime(r, 0, dt.datetime.combine(week, dt.time()), date)
            plan_fact.write_string(r, 1, channel)
            plan_fact.write_number(r, 2, 1500, money)
            plan_fact.write_number(r, 3, 1200 + 10 * r, green_money if (r, 3) == (2, 3) else money)
            plan_fact.write_row(r, 4, [40, 35 + r, 10])
            if (r, 7) != (4, 7):
                plan_fact.write_number(r, 7, 4 + r)
            plan_fact.write_number(r, 8, 6000, money)
            plan_fact.write_number(r, 9, 5200 + r, money)
            r += 1
    plan_fact.write_string(1, 15, "Weak week, creatives tired")
    plan_fact.write_comment(2, 7, "Anna: two orders came by phone", {"author": "Anna"})
    plan_fact.write_comment(1, 15, "Boris: agreed on Monday", {"author": "Boris"})
    plan_fact.write_formula(1, 18, "=D2-C2", money, -290)
    plan_fact.data_validation("H2:H100", {"validate": "integer", "criteria": ">=", "value": 0})
    plan_fact.conditional_format(
        "D2:D100", {"type": "cell", "criteria": ">", "value": 1000, "format": book.add_format({"bold": True})}
    )
    plan_fact.add_sparkline(1, 19, {"range": f"'{tab('plan_fact')}'!D2:D7"})

    daily = book.add_worksheet(tab("daily"))
    daily.write_row(0, 0, headers("daily"), bold)
    for r in range(1, daily_rows + 1):
        if r == PeopleWorkbook.gap_row:
            continue
        day = MONDAY + dt.timedelta(days=(r - 1) // len(CHANNELS))
        daily.write_datetime(r, 0, dt.datetime.combine(day, dt.time()), date)
        daily.write_string(r, 1, CHANNELS[(r - 1) % len(CHANNELS)])
        daily.write_number(r, 2, 100 + r, money)
        daily.write_row(r, 3, [1000 + r, r % 7])
        if r != 9:
            daily.write_number(r, 5, r % 3)
    image = path.with_name(f"{path.stem}-logo.png")
    image.write_bytes(tiny_png())
    daily.insert_image("K2", str(image))
    daily.insert_textbox("K8", "Daily figures come from the ad accounts every morning")

    settings = book.add_worksheet(tab("settings"))
    settings.write_row(0, 0, headers("settings"), bold)
    settings.write_row(1, 0, ["Currency", "USD"])
    if owned_tabs:
        summary = book.add_worksheet(tab("summary"))
        summary.write_string(0, 0, "Run sheetops sync to fill this tab", bold)
        summary.set_tab_color("#4472C4")
        log = book.add_worksheet(tab("sync_log"))
        log.write_row(0, 0, headers("sync_log"), bold)
        log.set_column(0, 0, 20, book.add_format({"num_format": "@"}))

    dashboard = book.add_worksheet("Dashboard")
    chart = book.add_chart({"type": "column"})
    chart.add_series({"name": "Spend", "values": f"='{tab('plan_fact')}'!$D$2:$D$7"})
    dashboard.insert_chart("B2", chart)
    budget = book.add_worksheet("Budget")
    budget.add_table(
        "A1:B4",
        {"data": [["Q1", 9000], ["Q2", 9500], ["Q3", 9900]], "columns": [{"header": "Quarter"}, {"header": "Budget"}]},
    )
    book.define_name("Budget_total", "=Budget!$B$2:$B$4")
    archive = book.add_worksheet("Archive")
    archive.write_string(0, 0, "Last year's numbers")
    archive.hide()
    if macro:
        vba = path.with_name(f"{path.stem}-vbaProject.bin")
        vba.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8)
        book.add_vba_project(str(vba))
    book.close()
    image.unlink()
    if macro:
        vba.unlink()
    _add_threaded_comment_and_calc_chain(path)
    return PeopleWorkbook(path, tab("plan_fact"), tab("daily"), tab("summary"), tab("sync_log"), daily_rows)


def _add_threaded_comment_and_calc_chain(path: Path) -> None:
    """Add the parts Excel writes and XlsxWriter does not, by rewriting the package."""
    with zipfile.ZipFile(path) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    types = parts["[Content_Types].xml"]
    extra_types = (
        b'<Override PartName="/xl/threadedComments/threadedComment1.xml" '
        b'ContentType="application/vnd.ms-excel.threadedcomments+xml"/>'
        b'<Override PartName="/xl/persons/person.xml" ContentType="application/vnd.ms-excel.person+xml"/>'
        b'<Override PartName="/xl/calcChain.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/>'
    )
    parts["[Content_Types].xml"] = types.replace(b"</Types>", extra_types + b"</Types>")
    rels = parts["xl/_rels/workbook.xml.rels"]
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        b"</Relationships>",
        b'<Relationship Id="rId900" Type="http://schemas.microsoft.com/office/2017/10/relationships/person" '
        b'Target="persons/person.xml"/><Relationship Id="rId901" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" '
        b'Target="calcChain.xml"/></Relationships>',
    )
    sheet_rels = "xl/worksheets/_rels/sheet4.xml.rels"  # Plan-Fact, the fourth tab
    parts[sheet_rels] = parts[sheet_rels].replace(
        b"</Relationships>",
        b'<Relationship Id="rId900" Type="http://schemas.microsoft.com/office/2017/10/relationships/threadedComment" '
        b'Target="../threadedComments/threadedComment1.xml"/></Relationships>',
    )
    parts["xl/threadedComments/threadedComment1.xml"] = THREADED_COMMENT
    parts["xl/persons/person.xml"] = PERSONS
    parts["xl/calcChain.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="S2" i="4"/></calcChain>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


# -- what a sync writes ---------------------------------------------------------------


def summary_layout(week: dt.date = MONDAY, *, status: str = "breach") -> TabLayout:
    """A CMO Summary with the kinds of cells the real one has."""
    money = Style(number_format=money_format("USD"))
    return TabLayout(
        key="summary",
        name=tab("summary"),
        rows=(
            (Cell(f"CMO summary, week of {week.isoformat()}", Style(bold=True, font_size=14)),),
            (Cell("As of"), Cell(AS_OF)),
            (),
            tuple(Cell(h, HEADER) for h in ("Channel", "Spend", "Deviation", "Orders", "Status", "Conclusion")),
            (
                Cell("Meta Ads"),
                Cell(1234.5, money),
                Cell(-0.0295, Style(number_format=PERCENT)),
                Cell(12, Style(number_format=INTEGER)),
                Cell(status, Style(fill=STATUS_FILLS[status], bold=True)),
                Cell("=SUM(A1:A2) is what Anna typed", Style(wrap=True)),
            ),
            (Cell("Total", BOLD), Cell(3702.25, Style(bold=True, number_format=money.number_format)), Cell(None)),
            (Cell("Updated"), Cell(dt.datetime(2026, 11, 27, 18, 30)), Cell(True)),
        ),
        widths=(24, 14, 12, 10, 10, 40),
        freeze_rows=4,
        owned=True,
    )


def log_layout() -> TabLayout:
    return TabLayout(
        key="sync_log",
        name=tab("sync_log"),
        rows=(tuple(Cell(h, HEADER) for h in headers("sync_log")),),
        widths=(20, 12, 10, 10, 10, 12, 30),
        owned=True,
    )


def log_row(when: str = "2026-11-27 18:30", result: str = "ok") -> tuple[Cell, ...]:
    return (
        Cell(when),
        Cell(AS_OF),
        Cell(1234),
        Cell(2),
        Cell(1),
        Cell(0.84, Style(number_format="0.00")),
        Cell(result),
    )


def marks(book: PeopleWorkbook, note: str = "CPA above target x1.5 three days in a row") -> tuple[Highlight, ...]:
    """The highlights the tests ask for: each kind of cell a breach can land on."""
    pf, daily = book.plan_fact, book.daily
    return (
        Highlight(pf, *book.filled_cell, note=f"{note} (spend)"),
        Highlight(pf, *book.noted_cell, note=f"{note} (orders)"),
        Highlight(pf, *book.empty_cell, note=f"{note} (no orders)"),
        Highlight(daily, 2, 2, note="Spend 102 with CPA over 150"),
        Highlight(daily, 2, 5, note="Orders 2"),
        Highlight(daily, 9, 5, note="No orders on this day"),
        Highlight(daily, book.gap_row, 2, note="A day without a row"),
    )


def sync_write(
    highlights: tuple[Highlight, ...] = (),
    *,
    summary: TabLayout | None = None,
    row: tuple[Cell, ...] | None = None,
) -> SyncWrite:
    return SyncWrite(
        tabs=(summary or summary_layout(),),
        log_tab=log_layout(),
        log_row=log_row() if row is None else row,
        highlights=highlights,
    )


# -- reading a package back -----------------------------------------------------------


def read_parts(path: Path) -> dict[str, bytes]:
    """Every part of the package, uncompressed."""
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None
        return {info.filename: package.read(info) for info in package.infolist()}


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    """Names of the parts added, removed or changed."""
    return {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}


def sheet_part(path: Path, name: str) -> str:
    from sheetops.backends.xlsx.package import sheet_parts

    with zipfile.ZipFile(path) as package:
        return next(s.part for s in sheet_parts(package) if s.name == name)


def open_in_openpyxl(path: Path) -> Any:
    """The workbook loaded by openpyxl (which warns about extensions it drops; it is
    only reading here)."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")


def record_rows(path: Path) -> list[tuple[Any, ...]]:
    """sheetops' record in the workbook as openpyxl reads it, a tuple per marked cell:
    (tab, cell, original style, highlight style, note, note by sheetops, fill, applyFill).
    A row of the record stands for every cell in its Cells column."""
    from sheetops.ports import STATE_TAB

    rows = open_in_openpyxl(path)[STATE_TAB].iter_rows(min_row=2, values_only=True)
    return [(row[0], cell, *row[2:]) for row in rows if row[0] for cell in str(row[1]).split()]


def one_cell_per_row(records: list[Any], columns: int = 8) -> TabLayout:
    """sheetops' record as versions before the grouped one wrote it: the header ``Cell``
    and a row per cell (with the fill columns since they were kept: ``columns`` 8; from
    before: 6). ``records``: :class:`sheetops.backends.xlsx.record.HighlightRecord`."""
    from sheetops.backends.xlsx.record import record_layout

    header = ("Tab", "Cell", "Original style", "Highlight style", "Note", "Note by sheetops",
              "Original fill", "Original applyFill")[:columns]
    rows = [header] + [
        (r.tab, r.cell, int(r.original) if r.original.isdigit() else r.original, r.highlight, r.note,
         "yes" if r.note_by_sheetops else "no", r.original_fill or "", r.original_apply_fill or "")[:columns]
        for r in records
    ]
    return dataclasses.replace(record_layout([]), rows=tuple(tuple(Cell(v) for v in row) for row in rows))


def libreoffice_converts(soffice: str, path: Path, tmp: Path, target: str = "csv") -> Path:
    """The workbook opened by LibreOffice and saved as ``target``; fails the test if it
    cannot be converted."""
    profile = tmp / f"lo-{uuid.uuid4().hex}"
    out = tmp / f"lo-out-{uuid.uuid4().hex}"
    result = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", target,
         "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    shutil.rmtree(profile, ignore_errors=True)
    converted = out / (path.stem + "." + target.split(":")[0])
    assert result.returncode == 0 and converted.exists(), result.stdout + result.stderr
    return converted


DEMO_CHANNELS = ("Search ads", "Social ads", "Blog", "SEO / website", "PR", "E-mail", "Messengers")


def large_demo(folder: Path, as_of: dt.date, days: int, *, bad_days: int = 0) -> Path:
    """The English demo's tabs with ``days`` x 7 Daily rows (3,000 days: 21,000 rows, a
    Daily part of several MB), written fast with XlsxWriter's constant-memory mode; with
    ``bad_days``, Social ads sells nothing on its last that many days (a CPA breach)."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    from sheetops import api

    seed = folder / "seed.xlsx"
    api.provision(seed, demo=True, today=as_of)
    book_in = CalamineWorkbook.from_path(str(seed))
    tabs = {name: book_in.get_sheet_by_name(name).to_python() for name in book_in.sheet_names}
    path = folder / "large.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in tabs.items():
        sheet = book.add_worksheet(name)
        if name == "Daily":
            sheet.write_row(0, 0, rows[0])
            row = 1
            for d in range(days):
                day = as_of - dt.timedelta(days=days - 1 - d)
                for i, channel in enumerate(DEMO_CHANNELS):
                    bad = channel == "Social ads" and d >= days - bad_days
                    sheet.write_datetime(row, 0, dt.datetime.combine(day, dt.time()), dates)
                    sheet.write_string(row, 1, channel)
                    sheet.write_row(row, 2, [100.0 + i, 500, 10, 0 if bad else 5, 1000.0])
                    row += 1
            continue
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                if isinstance(value, str):
                    if value:
                        sheet.write_string(r, c, value)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), dates)
                else:
                    sheet.write(r, c, value)
    book.close()
    return path
