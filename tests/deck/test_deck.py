"""The meeting deck, made from the real demo workbook, read back with python-pptx and
printed to PDF by LibreOffice: one page per slide, the charts' numbers the sync report's."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from sheetops import api
from sheetops.deck import DeckResult
from sheetops.deck.content import deck_content, show_deviation, show_value, slide_channels
from sheetops.sync.report import SyncReport
from sheetops.templates import load_template
from tests.conftest import DEMO_TODAY, RunCli

pptx = pytest.importorskip("pptx")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def made(demo_xlsx: Path, tmp_path: Path) -> DeckResult:
    return api.report(demo_xlsx, out=tmp_path / "meeting.pptx", as_of=DEMO_TODAY)


def _charts(path: Path) -> list[Any]:
    from pptx import Presentation

    return [shape.chart for slide in Presentation(str(path)).slides for shape in slide.shapes if shape.has_chart]


def _texts(slide: Any) -> str:
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame and shape.text_frame.text)


def test_a_cmo_slide_then_one_slide_per_active_channel(made: DeckResult) -> None:
    from pptx import Presentation

    slides = list(Presentation(str(made.deck)).slides)
    active = slide_channels(made.report.channels)
    assert len(active) == 7  # the demo's channels are all Active or Testing
    assert made.slides == len(slides) == 1 + len(active)
    assert _texts(slides[0]).startswith("CMO summary: week of 2026-11-23 to 2026-11-29")
    for slide, channel in zip(slides[1:], active, strict=True):
        texts = _texts(slide)
        assert texts.startswith(channel.name + "\n")
        assert f"Owner: {channel.channel.owner}" in texts


def test_the_cmo_slide_names_decisions_with_owners_and_missing_reports(made: DeckResult) -> None:
    from pptx import Presentation

    first = _texts(Presentation(str(made.deck)).slides[0])
    assert "Social ads: Stop (new), Anna Kuznetsova. CPA above target three days in a row: stop" in first
    assert "E-mail: Rewrite (still open), Dmitry Sokolov." in first
    assert "Missing reports\nNone: every channel reported." in first


def test_every_chart_is_a_native_line_chart_holding_the_reports_numbers(made: DeckResult) -> None:
    from pptx.enum.chart import XL_CHART_TYPE

    report = made.report
    trend = report.trend
    assert trend is not None and len(trend.weeks) == report.settings.trend_weeks == 8
    charts = _charts(made.deck)
    assert len(charts) == made.slides
    assert {c.chart_type for c in charts} == {XL_CHART_TYPE.LINE_MARKERS}
    money = charts[0].plots[0]
    assert [s.name for s in money.series] == ["Spend", "Revenue"]
    assert list(money.series[0].values) == list(trend.totals["spend"])
    assert list(money.series[1].values) == list(trend.totals["revenue"])
    assert money.series[1].values[-1] == report.totals.fact["revenue"] == 22884
    for chart, channel in zip(charts[1:], slide_channels(report.channels), strict=True):
        metric = channel.channel.primary_kpi or "revenue"
        series = chart.plots[0].series
        weekly = trend.channels[channel.name][metric]
        assert [v if v is not None else None for v in series[0].values] == list(weekly)
        this_week = channel.figures.fact.get(metric) if metric in ("leads", "orders") else channel.figures.kpi[metric]
        assert weekly[-1] == pytest.approx(this_week) if this_week is not None else weekly[-1] is None


def test_the_target_is_a_line_beside_the_main_kpi(made: DeckResult) -> None:
    charts = _charts(made.deck)
    social = charts[2].plots[0].series  # Search ads, then Social ads: CPA, target 150
    assert [s.name for s in social] == ["CPA", "Target"]
    assert set(social[1].values) == {150.0}
    assert max(social[0].values) == pytest.approx(218.3333, abs=1e-3)


def test_the_workbook_is_read_never_written(demo_xlsx: Path, tmp_path: Path) -> None:
    before = _digest(demo_xlsx)
    api.report(demo_xlsx, out=tmp_path / "deck.pptx", as_of=DEMO_TODAY)
    assert _digest(demo_xlsx) == before


def test_a_russian_workbook_gives_a_russian_deck(demo_xlsx_ru: Path, tmp_path: Path) -> None:
    from pptx import Presentation

    made = api.report(demo_xlsx_ru, out=tmp_path / "планёрка.pptx", as_of=DEMO_TODAY)
    slides = list(Presentation(str(made.deck)).slides)
    assert _texts(slides[0]).startswith("Сводка CMO: неделя с 23.11.2026 по 29.11.2026")
    assert "Нужны решения" in _texts(slides[0])
    assert "Владелец: " in _texts(slides[1])
    assert [s.name for s in _charts(made.deck)[0].plots[0].series] == ["Расход", "Выручка"]


def test_libreoffice_prints_one_page_per_slide(soffice: str, demo_xlsx: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    made = api.report(demo_xlsx, out=tmp_path / "meeting.pptx", as_of=DEMO_TODAY, pdf=True)
    assert made.pdf == tmp_path / "meeting.pdf"
    assert len(PdfReader(str(made.pdf)).pages) == made.slides == 8


def test_the_command_prints_where_the_deck_went(run_cli: RunCli, demo_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.pptx"
    result = run_cli("report", demo_xlsx, "--as-of", "2026-11-27", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Meeting deck: {out} (8 slides)\n"
    assert out.is_file()


def test_without_libreoffice_the_pdf_is_refused_with_what_to_do(
    run_cli: RunCli, demo_xlsx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHEETOPS_SOFFICE", str(tmp_path / "no-such-soffice"))
    out = tmp_path / "deck.pptx"
    result = run_cli("report", demo_xlsx, "--as-of", "2026-11-27", "--out", out, "--pdf")
    assert result.exit_code == 2
    assert "a PDF needs LibreOffice, which is not installed here" in result.stderr
    assert f"the deck itself is written: {out}" in result.stderr
    assert out.is_file() and not out.with_suffix(".pdf").exists()


def test_a_deck_needs_a_pptx_name(run_cli: RunCli, demo_xlsx: Path, tmp_path: Path) -> None:
    result = run_cli("report", demo_xlsx, "--out", tmp_path / "deck.pdf", "--json")
    assert result.exit_code == 2
    assert "ending in .pptx" in result.stdout


@pytest.mark.parametrize(
    ("metric", "value", "lang", "currency", "shown"),
    [
        ("spend", 1234.0, "en", "USD", "$1,234"),
        ("spend", 1234.0, "ru", "RUB", "1\u00a0234\u00a0₽"),
        ("cpa", 218.3333, "en", "USD", "$218.33"),
        ("cr", 0.0349, "en", "USD", "3.5%"),
        ("cr", 0.0349, "ru", "RUB", "3,5%"),
        ("roas", 2.626, "en", "USD", "2.63"),
        ("leads", 48.0, "en", "USD", "48"),
        ("cpa", None, "en", "USD", "—"),
    ],
)
def test_figures_as_a_slide_shows_them(metric: str, value: float | None, lang: str, currency: str,
                                       shown: str) -> None:
    assert show_value(metric, value, lang, currency) == shown


@pytest.mark.parametrize(("value", "shown"), [(0.19, "+19.0%"), (-0.027, "−2.7%"), (0.0, "0.0%"), (None, "—")])
def test_deviations_with_their_sign(value: float | None, shown: str) -> None:
    assert show_deviation(value, "en") == shown


def test_paused_and_stopped_channels_get_no_slide(made: DeckResult) -> None:
    import dataclasses

    report: SyncReport = made.report
    paused = dataclasses.replace(report.channels[0], channel=dataclasses.replace(report.channels[0].channel,
                                                                                 status="paused"))
    changed = dataclasses.replace(report, channels=(paused, *report.channels[1:]))
    deck = deck_content(changed, load_template("smb-marketing"))
    assert [s.title for s in deck.slides[1:]] == [c.name for c in report.channels[1:]]


@pytest.mark.parametrize(("count", "shown"), [(3, ["1", "2", "3"]), (6, ["1", "2", "3", "4", "5", "6"]),
                                             (9, ["1", "2", "3", "4", "5", "…and 4 more: see the CMO Summary tab"])])
def test_a_long_list_is_cut_and_counted(count: int, shown: list[str]) -> None:
    from sheetops.deck.content import at_most

    assert list(at_most(tuple(str(i) for i in range(1, count + 1)), "en")) == shown
