"""Texts sheetops writes are cut to what a cell holds (Excel: 32,767 characters)."""

from __future__ import annotations

import pytest

from sheetops.layout import CELL_TEXT_LIMIT, cut_text, text_length
from sheetops.sync.summary import fit_text

SOURCE = {"tab": "Plan-Fact", "channel": "Search ads", "week": "2026-11-23"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("short", "short"),
        ("x" * CELL_TEXT_LIMIT, "x" * CELL_TEXT_LIMIT),
        ("😀" * (CELL_TEXT_LIMIT // 2), "😀" * (CELL_TEXT_LIMIT // 2)),  # 32,766 units: it fits
    ],
)
def test_a_text_a_cell_holds_is_kept_whole(text: str, expected: str) -> None:
    assert fit_text(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "lang", "source", "ending"),
    [
        ("x" * 40_000, "en", None, "… (cut: the whole text has 40000 characters; a cell holds at most 32,767)"),
        ("x" * (CELL_TEXT_LIMIT + 1), "en", SOURCE,
         "… (cut: the whole text has 32768 characters; a cell holds at most 32,767. "
         "Read it whole in Plan-Fact, Search ads, week of 2026-11-23)"),
        ("ы" * 40_001, "ru", None, "… (обрезано: во всём тексте 40001 символ, а ячейка вмещает не больше 32\u00a0767)"),
        ("😀" * 20_000, "en", None, "… (cut: the whole text has 20000 characters; a cell holds at most 32,767)"),
    ],
)  # fmt: skip
def test_a_longer_text_is_cut_and_says_so(text: str, lang: str, source: dict[str, str] | None, ending: str) -> None:
    cut = fit_text(text, lang, source=source)
    assert cut.endswith(ending)
    assert text_length(cut) <= CELL_TEXT_LIMIT
    assert text.startswith(cut[: -len(ending)])
    assert text_length(cut) >= CELL_TEXT_LIMIT - 1  # as much of the text as fits (a wide character may not)


def test_a_wide_character_is_never_split() -> None:
    cut = cut_text("a" + "😀" * 10, "…", limit=6)
    assert cut == "a😀😀…" and text_length(cut) == 6
