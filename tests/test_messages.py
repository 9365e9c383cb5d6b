"""The message catalogs: every key in every language, with the same values, compiled as written."""

from __future__ import annotations

import gettext
import re
import string
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from sheetops import messages
from sheetops.sync.status import STATUSES
from sheetops.tables import ENUM_NOUNS
from sheetops.values import MONTHS, WEEKDAYS

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "sheetops" / "messages" / "locale"
LANGS = sorted(p.name for p in LOCALE.iterdir() if p.is_dir())


def catalog_of(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "sheetops.po").open("rb") as po:
        return read_po(po, locale=lang)


def entries(lang: str) -> dict[str, Message]:
    return {str(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in catalog_of(lang) if m.id}


def placeholders(text: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def texts(message: Message) -> list[str]:
    found = message.string
    return [str(t) for t in found] if isinstance(found, (tuple, list)) else [str(found)]


def test_the_catalogs_are_english_and_russian() -> None:
    assert LANGS == ["en", "ru"]


@pytest.mark.parametrize("lang", LANGS)
def test_every_key_has_every_language(lang: str) -> None:
    assert set(entries(lang)) == set(entries("en"))
    assert all(t.strip() for m in entries(lang).values() for t in texts(m)), "an empty translation"


@pytest.mark.parametrize("lang", LANGS)
def test_every_language_fills_in_the_same_values(lang: str) -> None:
    english = entries("en")
    for key, found in entries(lang).items():
        expected = set().union(*(placeholders(t) for t in texts(english[key])))
        for text in texts(found):
            assert placeholders(text) <= expected | {"n"}, (lang, key, text)
        assert set().union(*(placeholders(t) for t in texts(found))) == expected, (lang, key)


def compiled_entries(mo: bytes) -> dict[object, str]:
    found = dict(gettext.GNUTranslations(BytesIO(mo))._catalog)  # type: ignore[attr-defined]
    found.pop("", None)  # the header: its dates and tool names differ from run to run
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_the_compiled_catalog_is_its_source_compiled(lang: str) -> None:
    compiled = BytesIO()
    write_mo(compiled, catalog_of(lang))
    on_disk = (LOCALE / lang / "LC_MESSAGES" / "sheetops.mo").read_bytes()
    assert compiled_entries(on_disk) == compiled_entries(compiled.getvalue()), \
        f"run scripts/compile-messages: the {lang} catalog changed"


def test_every_key_the_code_asks_for_is_in_the_catalogs() -> None:
    known = set(entries("en"))
    used: set[str] = set()
    for path in (ROOT / "sheetops").rglob("*.py"):
        source = path.read_text("utf-8")
        # message("key", ...), and the readers' own self.message("key", ...) in the findings' language
        used |= set(re.findall(r"""(?:(?<![\w.])|\bself\.)message\(\s*["']([\w.]+)["']""", source))
        used |= set(re.findall(r"""\bValueProblem\(\s*["']([\w.]+)["']""", source))
        used |= {f"noun.{n}" for n in re.findall(r"""\bcount\([^()]*?,\s*["'](\w+)["']""", source)}
        used |= {f"summary.{k}" for k in re.findall(r"""\btext\(\s*["'](\w+)["']""", source)}
        used |= {f"deck.{k}" for k in re.findall(r"""\bdeck_text\(\s*["'](\w+)["']""", source)}
        used |= {f"review.{k}" for k in re.findall(r"""\breview_text\(\s*["']([\w.]+)["']""", source)}
    used |= {f"status.{s}" for s in STATUSES} | {"note.day", "note.week"}
    # keys put together in the code: the days, the months, the names of the lists' values
    used |= {f"weekday.{d}" for d in WEEKDAYS} | {f"month.{m}" for m in MONTHS} | {f"enum.{e}" for e in ENUM_NOUNS}
    missing = sorted(k for k in used if k not in known)
    assert not missing, f"keys used in the code but not in the catalogs: {missing}"


def test_the_code_finds_keys_given_to_value_problems() -> None:
    """The look-up above sees the keys of ValueProblem: a key used but missing would fail it."""
    source = (ROOT / "sheetops" / "values.py").read_text("utf-8")
    assert re.search(r"""\bValueProblem\(\s*["']value\.percent_in_amount["']""", source)


@pytest.mark.parametrize("lang", LANGS)
def test_no_message_writes_a_python_escape_or_an_unfilled_value(lang: str) -> None:
    from sheetops.values import ValueProblem, parse_as_of, parse_number

    for problem in (lambda: parse_number("1\u00a0234,5"), lambda: parse_number("1.234", decimal_comma=True),
                    lambda: parse_as_of("12/01/2026"), lambda: parse_number(True)):
        with pytest.raises(ValueProblem) as caught:
            problem()
        text = caught.value.message(lang)
        assert "\\x" not in text and "{" not in text and "<function" not in text, text


@pytest.mark.parametrize(
    ("number", "lang", "expected"),
    [
        (1, "en", "1 day"), (2, "en", "2 days"), (0, "en", "0 days"),
        (1, "ru", "1 день"), (2, "ru", "2 дня"), (5, "ru", "5 дней"), (11, "ru", "11 дней"),
        (21, "ru", "21 день"), (22, "ru", "22 дня"), (112, "ru", "112 дней"),
    ],
)
def test_plural_forms_come_from_each_catalog(number: int, lang: str, expected: str) -> None:
    assert messages.count(number, "noun.day", lang) == expected


def test_a_message_is_filled_in_and_an_unknown_language_falls_back_to_english() -> None:
    english = messages.message("no_facts_for_week", "en", week="2027-11-22", latest="2026-11-23")
    assert "2027-11-22" in english and "2026-11-23" in english
    assert messages.message("no_facts_for_week", "de", week="x", latest="y") == \
        messages.message("no_facts_for_week", "en", week="x", latest="y")
    with pytest.raises(KeyError):
        messages.message("no.such.message", "en")
