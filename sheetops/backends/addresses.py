"""Telling a Google spreadsheet's address from a local file path, without importing the
Google backend: every command that takes a workbook asks this first.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from sheetops.errors import WorkbookError

# "https:/" too: a URL that went through a file-path type loses one of its slashes.
_URL_ID = re.compile(r"^https?:/+(?:[\w-]+\.)*google\.com/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]+)")
_BARE_ID = re.compile(r"^[A-Za-z0-9_-]{30,}$")


def is_google_target(text: str | os.PathLike[str]) -> bool:
    """Whether a workbook argument names a Google spreadsheet (its URL, or its ID) rather
    than a local file. An ID is a long run of letters, digits, - and _ with no such file."""
    value = os.fspath(text).strip()
    if _URL_ID.match(value):
        return True
    return bool(_BARE_ID.match(value)) and not Path(value).exists()


def spreadsheet_id(text: str) -> str:
    """The spreadsheet ID in a Google Sheets URL, or the ID itself."""
    value = text.strip()
    if match := _URL_ID.match(value):
        return match.group(1)
    if _BARE_ID.match(value):
        return value
    raise WorkbookError(
        f"{value!r} is not a Google Sheets address; give the spreadsheet's URL "
        "(https://docs.google.com/spreadsheets/d/...) or its ID."
    )


def spreadsheet_url(sheet_id: str) -> str:
    return f"https://docs.google.com/spreadsheets/d/{sheet_id}/edit"
