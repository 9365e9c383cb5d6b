"""What sheetops says to people, in one message catalog per language.

The wording lives in gettext catalogs, ``locale/<lang>/LC_MESSAGES/sheetops.po``, the
files translators' tools (Poedit, Weblate, Crowdin) read. A message is found by its key,
the code of the finding it words (``no_owner``) or a dotted name for other text
(``progress.computing``); its text names its values in braces (``{channel}``), filled in
with :meth:`str.format`. The ``.po`` files are compiled to ``.mo`` with Babel
(``scripts/compile-messages``); a test proves the compiled catalogs match their sources,
that every key has every language, and that each language's text takes the same values.

A third language is one new ``.po`` file (and its ``.mo``), plus the language's names of
the workbook's tabs and columns in the template. ``count`` takes each language's plural
rule from its catalog's ``Plural-Forms`` header.
"""

from __future__ import annotations

import functools
import gettext
from importlib import resources

DOMAIN = "sheetops"
FALLBACK = "en"


@functools.lru_cache(maxsize=8)
def catalog(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of a language; an unknown language falls back to English."""
    compiled = resources.files(__package__).joinpath("locale").joinpath(lang).joinpath("LC_MESSAGES")
    compiled = compiled.joinpath(f"{DOMAIN}.mo")
    if not compiled.is_file():
        return catalog(FALLBACK) if lang != FALLBACK else gettext.NullTranslations()
    with compiled.open("rb") as mo:
        found = gettext.GNUTranslations(mo)
    if lang != FALLBACK:
        found.add_fallback(catalog(FALLBACK))
    return found


def message(key: str, lang: str, /, **values: object) -> str:
    """The message ``key`` in ``lang``, its ``{placeholders}`` filled with ``values``."""
    text = catalog(lang).gettext(key)
    if text == key:
        raise KeyError(f"no message {key!r} in the catalogs")
    return text.format(**values) if values else text


def count(number: int, key: str, lang: str, /, **values: object) -> str:
    """A number with its noun in the form the language gives that number: '1 day', '2 дня', '5 дней'.

    ``key`` names an entry with plural forms (``msgid_plural``); its text takes ``{n}``.
    """
    text = catalog(lang).ngettext(key, key + ".plural", number)
    if text in (key, key + ".plural"):
        raise KeyError(f"no plural message {key!r} in the catalogs")
    return text.format(n=number, **values)
