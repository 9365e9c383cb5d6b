"""The deck's slides drawn with python-pptx: native tables and native, editable line charts
(their numbers embedded, so a person can open "Edit data" in PowerPoint or LibreOffice).

python-pptx is imported here only, when a deck is made (``pip install "sheetops[report]"``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sheetops.deck.content import Chart, Deck, Slide
from sheetops.errors import MissingExtraError

WIDE, HIGH = 13.333, 7.5  # inches: a 16:9 slide
DARK, GREY = "1F2937", "6B7280"
TABLE_TOP, ROW_HIGH = 1.35, 0.3  # inches


def require_pptx() -> None:
    try:
        import pptx  # noqa: F401
    except ImportError:
        raise MissingExtraError('the meeting deck needs python-pptx; install it with: pip install "sheetops[report]"'
                                ) from None


def save_deck(deck: Deck, path: Path) -> None:
    """Draw every slide of ``deck`` and save the presentation at ``path``."""
    require_pptx()
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    presentation.slide_width = Inches(WIDE)
    presentation.slide_height = Inches(HIGH)
    blank = presentation.slide_layouts[6]
    for content in deck.slides:
        _draw(presentation.slides.add_slide(blank), content)
    presentation.save(str(path))


def _rgb(hex_colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour)  # type: ignore[no-untyped-call]


def _text_box(slide: Any, left: float, top: float, width: float, height: float) -> Any:
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    return frame


def _paragraph(frame: Any, value: str, *, size: float, bold: bool = False, colour: str = DARK,
               first: bool = False) -> None:
    from pptx.util import Pt

    paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
    run = paragraph.add_run()
    run.text = value
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = _rgb(colour)


def _draw(slide: Any, content: Slide) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    if content.fill:  # the channel's status colour, as a band on the left
        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, Inches(0.18), Inches(HIGH))
        band.fill.solid()
        band.fill.fore_color.rgb = _rgb(content.fill)
        band.line.fill.background()
    head = _text_box(slide, 0.5, 0.3, WIDE - 1.0, 1.0)
    _paragraph(head, content.title, size=28, bold=True, first=True)
    _paragraph(head, content.subtitle, size=14, colour=GREY)
    _table(slide, content)
    if content.chart is not None:
        _chart(slide, content.chart)
    lines = sum(1 + len(found) for _, found in content.sections)
    size = 14 if lines <= 10 else 12 if lines <= 14 else 10
    top = TABLE_TOP + ROW_HIGH * (len(content.rows) + 2) + 0.3  # the header row takes two lines
    notes = _text_box(slide, 0.5, top, 5.9, HIGH - top - 0.2)
    first = True
    for heading, found in content.sections:
        _paragraph(notes, heading, size=size + 1, bold=True, first=first)
        first = False
        for line in found:
            _paragraph(notes, line, size=size)


def _table(slide: Any, content: Slide) -> None:
    from pptx.util import Inches, Pt

    rows, columns = len(content.rows) + 1, 4
    shape = slide.shapes.add_table(rows, columns, Inches(0.5), Inches(TABLE_TOP), Inches(5.9), Inches(ROW_HIGH * rows))
    table = shape.table
    for col, width in enumerate((1.7, 1.4, 1.4, 1.4)):
        table.columns[col].width = Inches(width)
    cells = [content.table_header] + [(r.label, r.plan, r.fact, r.deviation) for r in content.rows]
    colours = [None] + [r.colour for r in content.rows]
    for row, values in enumerate(cells):
        for col, value in enumerate(values):
            frame = table.cell(row, col).text_frame
            frame.text = value
            run = frame.paragraphs[0].runs[0] if frame.paragraphs[0].runs else None
            if run is not None:
                run.font.size = Pt(12)
                run.font.bold = row == 0 or col == 0
                if col == 3 and colours[row]:
                    run.font.color.rgb = _rgb(str(colours[row]))


def _chart(slide: Any, chart: Chart) -> None:
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Inches, Pt

    data = CategoryChartData(number_format=chart.number_format)  # type: ignore[no-untyped-call]
    data.categories = chart.categories
    for series in chart.series:
        data.add_series(series.name, series.values)  # type: ignore[no-untyped-call]
    frame = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, Inches(6.8), Inches(1.35), Inches(6.0),
                                   Inches(5.6), data)
    found = frame.chart
    found.has_title = True
    found.chart_title.text_frame.text = chart.title
    found.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(14)
    found.has_legend = True
    found.legend.position = XL_LEGEND_POSITION.BOTTOM
    found.legend.include_in_layout = False
    found.value_axis.tick_labels.number_format = chart.number_format
    found.value_axis.tick_labels.number_format_is_linked = False
    found.value_axis.has_major_gridlines = True
    found.value_axis.tick_labels.font.size = Pt(11)
    found.category_axis.tick_labels.font.size = Pt(10)
    found.legend.font.size = Pt(11)
