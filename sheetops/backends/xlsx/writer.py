"""Writing a new .xlsx workbook from a :class:`~sheetops.layout.WorkbookLayout` (``sheetops init``).

XlsxWriter renders the layout (imported here only, so the command line starts fast).
The file appears whole or not at all: the workbook is written to a temporary file in
the same folder, flushed to disk, and moved over the target in one step. An existing
file is replaced only with ``force``, keeps its permissions, and is refused while Excel
or LibreOffice has it open.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sheetops import __version__, layout
from sheetops.backends.xlsx.package import check_not_locked
from sheetops.errors import BackendError, TargetExistsError, WorkbookError
from sheetops.layout import Cell, DropDown, Style, TabLayout, WorkbookLayout
from sheetops.workbook import address, column_letter

SUFFIX = ".xlsx"
# A drop-down that draws from another tab's column reads this many rows of it (from row 2).
SOURCE_LAST_ROW = 1000
# Excel keeps a drop-down's own list of values in at most 255 characters.
LIST_LIMIT = 255


def create_workbook(path: Path, layout: WorkbookLayout, *, force: bool) -> None:
    """Write ``layout`` as a new workbook at ``path``; refuse to replace a file without ``force``."""
    target = _check_target(Path(path), force=force)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
    # Named as the sync's temporary files, so that a later run can clean up after a killed one.
    temp = target.with_name(f".~sheetops.{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        # 0o666 less the umask: the permissions a new file would get, as for any other program.
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as exc:
        raise BackendError(f"{target}: cannot create a file in {target.parent}: {exc.strerror or exc}.") from exc
    try:
        with _vendor_errors(target):
            _render(temp, layout)
            if mode is not None:
                os.chmod(temp, mode)
            with open(temp, "rb+") as written:
                os.fsync(written.fileno())
            os.replace(temp, target)
        _fsync_folder(target.parent)
    finally:
        temp.unlink(missing_ok=True)


def _check_target(path: Path, *, force: bool) -> Path:
    """The file to write (a symlink's target), or a one-line error that says what to do."""
    if path.suffix.lower() != SUFFIX:
        suggestion = path.with_suffix(SUFFIX).name if path.name else f"marketing{SUFFIX}"
        raise WorkbookError(
            f"{path}: sheetops init writes .xlsx workbooks; use a name ending in .xlsx, e.g. {suggestion}."
        )
    folder = path.parent
    if not folder.is_dir():
        raise WorkbookError(f"{path}: the folder {folder} does not exist; create it first or choose another place.")
    if path.is_symlink():
        path = path.resolve()
    if path.is_dir():
        raise WorkbookError(f"{path} is a folder; give a file name ending in .xlsx.")
    if path.exists():
        if not force:
            raise TargetExistsError(
                f"{path} exists already; nothing was changed. Pass --force to overwrite it, or choose another name."
            )
        check_not_locked(path)
    return path


@contextlib.contextmanager
def _vendor_errors(target: Path) -> Iterator[None]:
    """XlsxWriter's and the file system's errors as sheetops errors, in one place."""
    from xlsxwriter.exceptions import FileCreateError, XlsxWriterException

    try:
        yield
    except FileCreateError as exc:
        raise BackendError(f"{target}: cannot write the workbook: {exc}.") from exc
    except XlsxWriterException as exc:
        raise WorkbookError(f"{target}: the workbook cannot be made from this template: {exc}.") from exc
    except OSError as exc:
        raise BackendError(f"{target}: cannot write the workbook: {exc.strerror or exc}.") from exc


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); other systems have no folder handles."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _render(filename: Path, workbook_layout: WorkbookLayout) -> None:
    import xlsxwriter  # lazy: keeps `sheetops --help` fast

    book = xlsxwriter.Workbook(
        str(filename),
        {
            "in_memory": True,  # no temporary files outside the target's folder
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    book.set_properties({"comments": f"Created with sheetops {__version__}"})
    formats = _Formats(book)
    first_visible = None
    for tab in workbook_layout.tabs:
        sheet = book.add_worksheet(tab.name)
        _render_tab(sheet, tab, formats)
        if tab.hidden:
            sheet.hide()
        elif first_visible is None:
            first_visible = sheet
    if first_visible is not None:
        first_visible.activate()
    book.close()


class _Formats:
    """One XlsxWriter format per distinct style."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.cache: dict[Style, Any] = {}

    def get(self, style: Style) -> Any:
        if style == layout.PLAIN:
            return None
        if style not in self.cache:
            properties: dict[str, Any] = {}
            if style.bold:
                properties["bold"] = True
            if style.italic:
                properties["italic"] = True
            if style.fill:
                properties["pattern"] = 1
                properties["bg_color"] = f"#{style.fill}"
            if style.font_color:
                properties["font_color"] = f"#{style.font_color}"
            if style.number_format:
                properties["num_format"] = style.number_format
            if style.wrap:
                properties["text_wrap"] = True
            if style.font_size:
                properties["font_size"] = style.font_size
            self.cache[style] = self.book.add_format(properties)
        return self.cache[style]


def _render_tab(sheet: Any, tab: TabLayout, formats: _Formats) -> None:
    columns = set(range(len(tab.widths))) | set(tab.column_formats)
    for col in sorted(columns):
        width = tab.widths[col] if col < len(tab.widths) else None
        number_format = tab.column_formats.get(col)
        column_style = formats.get(Style(number_format=number_format)) if number_format else None
        sheet.set_column(col, col, width, column_style)
    for row, cells in enumerate(tab.rows):
        for col, cell in enumerate(cells):
            _write_cell(sheet, tab, row, col, cell, formats)
    for row, height in tab.row_heights.items():
        sheet.set_row(row, height)
    if tab.freeze_rows or tab.freeze_cols:
        sheet.freeze_panes(tab.freeze_rows, tab.freeze_cols)
    for dropdown in tab.dropdowns:
        _add_dropdown(sheet, tab, dropdown)


def _write_cell(sheet: Any, tab: TabLayout, row: int, col: int, cell: Cell, formats: _Formats) -> None:
    value, style = cell.value, cell.style
    if style.number_format is None:
        number_format = tab.column_formats.get(col)
        if isinstance(value, dt.date) and (number_format is None or not _is_date_format(number_format)):
            number_format = layout.DATETIME if isinstance(value, dt.datetime) else layout.DATE
        if number_format is not None:
            style = dataclasses.replace(style, number_format=number_format)
    cell_format = formats.get(style)
    if value is None:
        if cell.style != layout.PLAIN:
            sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise WorkbookError(f"{address(tab.name, row, col)}: {value} is not a number a workbook can hold.")
        sheet.write_number(row, col, value, cell_format)
    elif isinstance(value, dt.date):  # dt.datetime too
        sheet.write_datetime(row, col, value, cell_format)
    else:
        # Always text, never parsed: a value such as "=HYPERLINK(...)" stays what was typed.
        sheet.write_string(row, col, value, cell_format)


def _is_date_format(number_format: str) -> bool:
    return any(part in number_format.lower() for part in ("yy", "dd", "mm"))


def _quote_tab(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _add_dropdown(sheet: Any, tab: TabLayout, dropdown: DropDown) -> None:
    options: dict[str, Any] = {"validate": "list"}
    where = f"the drop-down of column {column_letter(dropdown.col)} on the tab {tab.name!r}"
    if dropdown.source_tab is not None and dropdown.source_col is not None:
        letter = column_letter(dropdown.source_col)
        options["source"] = f"={_quote_tab(dropdown.source_tab)}!${letter}$2:${letter}${SOURCE_LAST_ROW}"
    else:
        if any("," in v or '"' in v for v in dropdown.values):
            raise WorkbookError(f"{where} has a value with a comma or a double quote, which a drop-down cannot list.")
        if len(",".join(dropdown.values)) > LIST_LIMIT:
            raise WorkbookError(f"{where} is longer than the {LIST_LIMIT} characters Excel allows for a list.")
        if not dropdown.values:
            return
        options["source"] = list(dropdown.values)
    if not dropdown.strict:
        options["error_type"] = "warning"
    if sheet.data_validation(dropdown.first_row, dropdown.col, dropdown.last_row, dropdown.col, options) != 0:
        rows = f"rows {dropdown.first_row + 1}-{dropdown.last_row + 1}"
        raise WorkbookError(f"{where} does not fit on the sheet ({rows}).")
