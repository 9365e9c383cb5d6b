"""Applying a sync to an existing .xlsx file: change only what sheetops owns, atomically.

:func:`apply_sync_write` reads the package once and builds the new one in memory:

- the CMO Summary (each layout in ``changes.tabs``) is rewritten whole;
- the Sync Log gets one row appended below its last used row (the tab is created with
  its header when missing);
- highlights are applied by changing only the ``s`` attribute of the cells concerned
  (a new style: the cell's own, with a light red fill), and notes are added to or
  removed from the sheet's notes parts; the record of what sheetops highlighted is kept
  in the hidden tab ``sheetops_state``;
- ``xl/styles.xml`` only gets entries appended.

Every other part is copied byte for byte (see :mod:`.repack`), and the new file replaces
the old one atomically (see :mod:`.atomic`). docs/xlsx.md describes the whole design.
"""

from __future__ import annotations

import contextlib
import dataclasses
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from sheetops.backends.xlsx import deflate
from sheetops.backends.xlsx.atomic import Stamp, replace_atomically
from sheetops.backends.xlsx.notes import SheetNotes
from sheetops.backends.xlsx.package import PartCache, SheetPart, open_package, sheet_parts, uses_1904_dates
from sheetops.backends.xlsx.record import (
    NEW_CELL,
    NEW_ROW,
    NO_STYLE,
    HighlightRecord,
    read_records,
    read_shared_strings,
    records_from_values,
    render_record,
)
from sheetops.backends.xlsx.relations import (
    CT_STYLES,
    REL_CALC_CHAIN,
    REL_STYLES,
    ContentTypes,
    Relationships,
)
from sheetops.backends.xlsx.repack import PackageEdit
from sheetops.backends.xlsx.sheetrender import cell_element, render_worksheet, style_of
from sheetops.backends.xlsx.sheetxml import CellState, SheetEditor, cell_ref, parse_ref
from sheetops.backends.xlsx.styles import MINIMAL_STYLES, StyleSheet
from sheetops.backends.xlsx.tabs import WORKBOOK, add_tab, hide_tab
from sheetops.errors import BackendError, WorkbookError
from sheetops.layout import HIGHLIGHT_FILL, Cell, TabLayout
from sheetops.ports import STATE_TAB, Highlight, SyncWrite
from sheetops.sync.marks import MARK, RESTORE, CellLook, Kept, Key, MarkOp, blank, plan_marks
from sheetops.values import CellValue

SHARED_STRINGS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


# What a part that does not have the shape the format gives it raises while it is changed.
_DAMAGED: tuple[type[Exception], ...] = (ValueError, IndexError, KeyError, UnicodeDecodeError, zipfile.BadZipFile,
                                         *deflate.ERRORS)


def apply_sync_write(
    path: Path, changes: SyncWrite, known: PartCache | None = None, *, expected: Stamp | None = None,
    recorded: Sequence[Sequence[CellValue]] | None = None,
) -> Stamp | None:
    """Write the summary, the log row and the highlights into the workbook at ``path``.

    ``known`` holds the parts the read decompressed; a part the package still lists the
    same way is taken from there instead of being decompressed again. ``expected``: the
    file as the sync read it; the file is replaced only while it still is (see
    :func:`.atomic.replace_atomically`). ``recorded``: the values of the state tab as the
    read gave them, from this very file (else its part is read here). Returns the new
    file's stamp, or None when nothing changed and the file was not rewritten.
    """
    # The read verified every part of this file, and the backend refuses to write if the
    # file changed since, so the checksums need not be checked a second time.
    with open_package(path, verify=False) as package, path.open("rb") as source:
        edit = PackageEdit(package, source, known)
        try:
            _Sync(edit, recorded).apply(changes)
        except _DAMAGED as exc:
            # a part that does not have the shape the format gives it
            raise WorkbookError(
                f"{path}: the workbook is damaged and sheetops cannot change it safely ({exc!r}). "
                "Open it in Excel or LibreOffice, save it, and run sheetops again. Nothing was changed."
            ) from exc
        if not edit.touched:
            return None
        return replace_atomically(path, edit.write_to, expected=expected)


class _Sync:
    """One sync's changes to one package."""

    def __init__(self, edit: PackageEdit, recorded: Sequence[Sequence[CellValue]] | None = None) -> None:
        self.edit = edit
        self.recorded = recorded
        self.sheets = {sheet.name.casefold(): sheet for sheet in sheet_parts(edit)}
        self.styles_part = self._styles_part()
        self.styles = StyleSheet(edit.read(self.styles_part))
        self.date1904 = uses_1904_dates(edit)  # dates are written in the workbook's own system
        self.editors: dict[str, SheetEditor] = {}
        self.notes: dict[str, SheetNotes] = {}
        self._found: dict[str, SheetPart] = {}

    def apply(self, changes: SyncWrite) -> None:
        rewritten = {layout.name.casefold() for layout in changes.tabs} | {STATE_TAB.casefold()}
        records = self._apply_highlights(changes.highlights, rewritten)
        for layout in changes.tabs:
            self._write_owned_tab(layout)
        self._append_log(changes.log_tab, changes.log_row, changes.log_header)
        self._write_records(records)
        state = self._sheet(STATE_TAB)
        if state is not None and state.state == "visible":  # a program showed it when it saved the file
            hide_tab(self.edit, state.name)
        for notes in self.notes.values():
            notes.finish()
        for name, editor in self.editors.items():
            if editor.changed:  # spliced in as the part is copied: a big tab is never held twice
                self.edit.put_edits(self.sheets[name].part, editor.edits())
        if self.styles.changed:
            self.edit.put(self.styles_part, self.styles.to_bytes())

    # -- parts ---------------------------------------------------------------------

    def _styles_part(self) -> str:
        rels = Relationships(self.edit, WORKBOOK)
        found = [target for _, target in rels.of_type(REL_STYLES) if self.edit.has(target)]
        if found:
            return found[0]
        part = "xl/styles.xml"
        if not self.edit.has(part):  # never overwrite one the relationships fail to name
            self.edit.put(part, MINIMAL_STYLES)
        rels.add(REL_STYLES, part)
        ContentTypes(self.edit).add_override(part, CT_STYLES)
        return part

    def _sheet(self, tab: str) -> SheetPart | None:
        found = self._found.get(tab)  # asked for once per mark: looked up once per tab
        if found is not None:
            return found
        sheet = self.sheets.get(tab.casefold())
        if sheet is not None and not self.edit.has(sheet.part):
            raise BackendError(f"the tab {sheet.name!r} points at a part the file does not have; the file is damaged.")
        if sheet is not None:
            self._found[tab] = sheet
        return sheet

    def _editor(self, sheet: SheetPart, cells: Sequence[tuple[int, int]] = ()) -> SheetEditor:
        """The editor of a tab's part; ``cells`` (0-based row, column) are found ahead, in
        one pass.

        A part at hand (the read kept it) or small is edited in memory; a big one is
        read in pieces, once now to find the cells' rows and once as it is written."""
        key = sheet.name.casefold()
        editor = self.editors.get(key)
        if editor is None:
            xml = self.edit.held(sheet.part)
            if xml is None:
                part = sheet.part
                rows = [row for row, _ in cells] if cells else ()
                editor = SheetEditor.streamed(lambda: self.edit.pieces(part), sheet.name, rows)
            else:
                editor = SheetEditor(xml, sheet.name)
            self.editors[key] = editor
        if cells:
            editor.find_cells(cells)
        return editor

    def _notes(self, sheet: SheetPart) -> SheetNotes:
        key = sheet.name.casefold()
        if key not in self.notes:
            self.notes[key] = SheetNotes(self.edit, sheet.part, self._editor(sheet))
        return self.notes[key]

    def _add_tab(self, name: str, *, hidden: bool) -> SheetPart:
        part = add_tab(self.edit, name, hidden=hidden)
        sheet = next(s for s in sheet_parts(self.edit) if s.part == part)
        self.sheets[name.casefold()] = sheet
        return sheet

    # -- highlights ------------------------------------------------------------------

    def _apply_highlights(self, highlights: tuple[Highlight, ...], rewritten: set[str]) -> list[HighlightRecord] | None:
        """Add, update and remove highlights as the core plans them
        (:func:`sheetops.sync.marks.plan_marks`); return the new record (None: no record
        needed, or the one in the workbook already says exactly this)."""
        state = self._sheet(STATE_TAB)
        recorded = self._read_records(state) if state else []
        for highlight in highlights:
            sheet = self._sheet(highlight.tab)
            if sheet is None:
                raise BackendError(f"cannot mark a cell on the tab {highlight.tab!r}: the workbook has no such tab.")
            if sheet.name.casefold() in rewritten:
                raise BackendError(f"cannot mark a cell on the tab {sheet.name!r}: sheetops rewrites that tab whole.")
        self._find_cells(highlights, recorded)
        wanted = [h if (name := self._tab_name(h.tab)) == h.tab else dataclasses.replace(h, tab=name)
                  for h in highlights]  # the tab as the workbook spells it
        records = {(self._tab_name(r.tab), *parse_ref(r.cell)): r for r in recorded}
        # the planner reads the note of a cell only where a wanted mark brings one, or where
        # sheetops' own note may be there to update or take away
        with_notes = ({(h.tab, h.row, h.col) for h in wanted if not blank(h.note)}
                      | {k for k, r in records.items() if r.note_by_sheetops})
        cells: dict[Key, CellState] = {}  # as the planner saw them: a kept mark's record is made from them
        editors: dict[str, SheetEditor | None] = {}

        def look(tab: str, row: int, col: int) -> CellLook | None:
            if tab in editors:
                editor = editors[tab]
            else:
                sheet = self._sheet(tab)
                editor = editors[tab] = None if sheet is None else self._editor(sheet)
            if editor is None:
                return None  # the tab was deleted or renamed: nothing left to restore
            cell = cells[(tab, row, col)] = editor.cell(row, col)
            shows = self._shows_highlight(cell)
            if (tab, row, col) not in with_notes:
                return CellLook(shows, None)  # the planner does not look at this cell's note
            sheet = self._sheet(tab)
            assert sheet is not None
            note = self._notes(sheet).note(cell_ref(row, col))
            return CellLook(shows, note.text if note is not None else None)

        plan = plan_marks(wanted, records, look)
        fresh = {op.key: self._apply_op(op, cells.get(op.key)) for op in plan.ops}
        kept = [self._kept_record(mark, fresh.get(mark.key), cells[mark.key]) for mark in plan.kept]
        if state is None and not kept:
            return None
        if state is not None and len(kept) == len(recorded) and set(kept) == set(recorded):
            return None  # the record says this already: its part is copied as it is
        return kept

    def _tab_name(self, tab: str) -> str:
        sheet = self._sheet(tab)
        return sheet.name if sheet is not None else tab

    def _apply_op(self, op: MarkOp[HighlightRecord], looked: CellState | None) -> HighlightRecord | None:
        """One planned change to a cell's style and note; a fresh mark's record (its
        note fields are filled in by :meth:`_kept_record`). ``looked``: the cell as the
        planner saw it (no other change touches it before its own), else looked up."""
        tab, row, col = op.key
        sheet = self._sheet(tab)
        assert sheet is not None  # the planner saw the cell
        editor = self._editor(sheet)
        made: HighlightRecord | None = None
        if op.fill == RESTORE and op.record is not None:
            self._restore_style(op.record, looked if looked is not None else editor.cell(row, col), editor)
        elif op.fill == MARK:
            made = self._mark(sheet, editor, row, col, looked if looked is not None else editor.cell(row, col))
        if op.set_note:
            ref = cell_ref(row, col)
            notes = self._notes(sheet)
            if op.note is None:
                notes.remove(row, col, ref)
            elif notes.note(ref) is not None:
                notes.set_text(ref, op.note)
            else:
                notes.add(row, col, ref, op.note)
        return made

    def _mark(self, sheet: SheetPart, editor: SheetEditor, row: int, col: int, cell: CellState) -> HighlightRecord:
        """Give a cell the light red fill over its own style; what it had is remembered."""
        if cell.exists:
            base = _index(cell.style)
            original = cell.style if cell.style is not None else NO_STYLE
        else:
            base = editor.default_style(row, col)
            original = NEW_CELL if editor.row_exists(row) else NEW_ROW
        style = self.styles.highlight_of(base, HIGHLIGHT_FILL)
        if cell.exists:
            editor.set_style(row, col, str(style), exists=True)
        else:
            editor.create_cell(row, col, str(style))
        return HighlightRecord(sheet.name, cell_ref(row, col), original, style, "", False,
                               self.styles.fill_of(base), self.styles.apply_fill_of(base))

    def _kept_record(
        self, mark: Kept[HighlightRecord], made: HighlightRecord | None, cell: CellState
    ) -> HighlightRecord:
        """The record of a cell that stays marked: a fresh mark's, or its old one kept as it
        is (even when a save renumbered the styles), with the note the plan leaves there."""
        if made is not None:
            if mark.note == made.note and mark.note_created == made.note_by_sheetops:
                return made  # the fill only, as most cells of a long streak
            return HighlightRecord(made.tab, made.cell, made.original, made.highlight, mark.note, mark.note_created,
                                   made.original_fill, made.original_apply_fill)
        tab, row, col = mark.key
        assert mark.record is not None  # a mark the plan keeps without marking it again has a record
        kept = mark.record
        if kept.original_fill is None:
            sheet = self._sheet(tab)
            assert sheet is not None
            kept = self._with_original_fill(kept, cell, self._editor(sheet))
        style = _index(cell.style) if kept.original_fill is not None else kept.highlight
        if (style == kept.highlight and mark.note == kept.note and mark.note_created == kept.note_by_sheetops
                and tab == kept.tab and kept.cell == cell_ref(row, col)):
            return kept  # as the record has it: a long streak's marks, synced again
        return HighlightRecord(tab, cell_ref(row, col), kept.original, style, mark.note, mark.note_created,
                               kept.original_fill, kept.original_apply_fill)

    def _find_cells(self, highlights: Iterable[Highlight], recorded: list[HighlightRecord]) -> None:
        """Find every cell that marks are added to or removed from, one pass per tab."""
        cells: dict[str, tuple[SheetPart, list[tuple[int, int]]]] = {}
        for highlight in highlights:
            sheet = self._sheet(highlight.tab)
            if sheet is not None:
                cells.setdefault(sheet.name.casefold(), (sheet, []))[1].append((highlight.row, highlight.col))
        for record in recorded:
            sheet = self._sheet(record.tab)
            with contextlib.suppress(ValueError):  # a damaged reference is refused where it is used
                if sheet is not None:
                    cells.setdefault(sheet.name.casefold(), (sheet, []))[1].append(parse_ref(record.cell))
        for sheet, positions in cells.values():
            self._editor(sheet, positions)

    def _read_records(self, state: SheetPart) -> list[HighlightRecord]:
        if self.recorded is not None:  # read already (20,000 records: 6 MB of XML)
            return records_from_values(self.recorded)

        def shared_strings() -> list[str]:
            targets = Relationships(self.edit, WORKBOOK).of_type(SHARED_STRINGS_TYPE)
            if not targets or not self.edit.has(targets[0][1]):
                return []
            return read_shared_strings(self.edit.read(targets[0][1]))

        return read_records(SheetEditor(self.edit.read(state.part), state.name), shared_strings)

    def _shows_highlight(self, cell: CellState) -> bool:
        """Whether the cell shows sheetops' fill, judged by its style's content (an index
        means nothing once LibreOffice renumbered the styles)."""
        return cell.exists and self.styles.is_filled_with(_index(cell.style), HIGHLIGHT_FILL)

    def _with_original_fill(self, record: HighlightRecord, cell: CellState, editor: SheetEditor) -> HighlightRecord:
        """The record with the cell's fill from before the mark, when an older record lacks it.

        Known for sure while the cell keeps the style index sheetops set (the styles were
        not renumbered), and for a cell that had no style (entry 0 stays the default in any
        save); otherwise it stays unknown and the record keeps working by index.
        """
        if record.original_fill is not None:
            return record
        row, col = parse_ref(record.cell)
        base: int | None = None
        if record.original in (NEW_CELL, NEW_ROW):
            base = editor.default_style(row, col)
        elif record.original == NO_STYLE:
            base = 0
        elif record.original.isdigit() and cell.style == str(record.highlight):
            base = int(record.original)
        if base is None:
            return record
        fill, apply_fill = self.styles.fill_of(base), self.styles.apply_fill_of(base)
        return record._replace(original_fill=fill, original_apply_fill=apply_fill)

    def _restore_style(self, record: HighlightRecord, cell: CellState, editor: SheetEditor) -> None:
        """Give a marked cell back the style it had before sheetops marked it."""
        row, col = parse_ref(record.cell)
        if record.original in (NEW_CELL, NEW_ROW):
            if cell.has_value:  # a person typed into the cell sheetops created
                default = editor.default_style(row, col)
                editor.set_style(row, col, str(default) if default else None)
            else:
                editor.remove_cell(row, col, drop_empty_row=record.original == NEW_ROW)
            return
        if record.original != NO_STYLE and not record.original.isdigit():
            return  # the record was edited by hand: nothing sure to restore
        if record.original_fill is None:  # an older record: only its style index is known
            if cell.style == str(record.highlight):
                editor.set_style(row, col, None if record.original == NO_STYLE else record.original)
            return
        base = _index(record.original) if record.original.isdigit() else 0
        # the cell's style as it is now, with its own fill back; when the styles were not
        # renumbered, that is the original entry itself and the cell gets its old index
        restored = self.styles.with_fill(
            _index(cell.style), record.original_fill, record.original_apply_fill, same_as=base
        )
        if restored == base:
            editor.set_style(row, col, None if record.original == NO_STYLE else record.original)
        else:
            editor.set_style(row, col, str(restored))

    def _write_records(self, records: list[HighlightRecord] | None) -> None:
        if records is None:
            return
        state = self._sheet(STATE_TAB)
        if state is None:
            state = self._add_tab(STATE_TAB, hidden=True)
            self.edit.put(state.part, render_record(records, self.styles, date1904=self.date1904))
        else:
            old = self.edit.read(state.part)
            self.edit.put(state.part, render_record(records, self.styles, old, date1904=self.date1904))

    # -- owned tabs ------------------------------------------------------------------

    def _write_owned_tab(self, layout: TabLayout) -> None:
        sheet = self._sheet(layout.name)
        if sheet is None:
            sheet = self._add_tab(layout.name, hidden=layout.hidden)
            drawing = self._charts(sheet.part, layout, None)
            self.edit.put(sheet.part, render_worksheet(layout, self.styles, date1904=self.date1904, drawing=drawing,
                                                       extensions=_sparklines(layout)))
            return
        old = self.edit.read(sheet.part)
        if b"<f>" in old or b"<f " in old:
            self._drop_calc_chain()  # formulas people typed on the tab go; Excel rebuilds the chain
        drawing = self._charts(sheet.part, layout, old)
        self.edit.put(sheet.part, render_worksheet(layout, self.styles, old, date1904=self.date1904, drawing=drawing,
                                                   extensions=_sparklines(layout)))

    def _charts(self, part: str, layout: TabLayout, old: bytes | None) -> bytes | None:
        """The tab's charts (see :mod:`.charts`); the ``<drawing>`` its part must carry, if it changes."""
        if not layout.charts and (old is None or b"drawing" not in old):
            return None
        from sheetops.backends.xlsx.charts import SheetCharts

        return SheetCharts(self.edit, part, self.date1904).apply(layout, old)

    def _drop_calc_chain(self) -> None:
        rels = Relationships(self.edit, WORKBOOK)
        for rel_id, target in rels.of_type(REL_CALC_CHAIN):
            rels.remove(rel_id)
            self.edit.remove(target)
            ContentTypes(self.edit).remove_override(target)

    def _append_log(self, log_tab: TabLayout, log_row: tuple[Cell, ...],
                    log_header: tuple[tuple[int, Cell], ...] = ()) -> None:
        sheet = self._sheet(log_tab.name)
        if sheet is None:
            layout = dataclasses.replace(log_tab, rows=(*log_tab.rows, log_row))
            sheet = self._add_tab(log_tab.name, hidden=log_tab.hidden)
            self.edit.put(sheet.part, render_worksheet(layout, self.styles, date1904=self.date1904))
            return
        editor = self._editor(sheet)
        row = max(editor.last_used_row() + 1, 1)
        for col, cell in log_header:  # the columns a Sync Log made by an older sheetops lacks
            editor.put_cell(0, col, _log_cell(0, col, cell, style_of(cell, self.styles), editor.prefix, self.date1904))
        for col, cell in enumerate(log_row):
            if cell.value is None or cell.value == "":
                continue
            style = style_of(cell, self.styles)
            editor.put_cell(row, col, _log_cell(row, col, cell, style, editor.prefix, self.date1904))


def _sparklines(layout: TabLayout) -> bytes:
    if not layout.sparklines:
        return b""
    from sheetops.backends.xlsx.charts import sparkline_extension

    return sparkline_extension(layout)


def _index(style: str | None) -> int:
    """The cellXfs index a cell's ``s`` attribute names (no attribute: entry 0)."""
    return int(style) if style and style.isdigit() else 0


def _log_cell(
    row: int, col: int, cell: Cell, style: int, prefix: bytes, date1904: bool
) -> Callable[[str | None], bytes]:
    def render(kept_style: str | None) -> bytes:
        chosen = style or (int(kept_style) if kept_style and kept_style.isdigit() else 0)
        return cell_element(row, col, cell.value, chosen, prefix, date1904=date1904) or b""

    return render
