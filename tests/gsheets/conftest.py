"""Fixtures of the Google Sheets tests (the world they build is in ``gsheets_world``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gsheets_world import DEMO_TODAY, Google, make_google, short

from sheetops.layout import WorkbookLayout
from sheetops.provision import build_layout
from sheetops.templates import Template

testing = pytest.importorskip("sheetops.testing", reason="the Sheets API emulator needs the test extra")


@pytest.fixture(autouse=True)
def no_ambient_google(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No key, sign-in or endpoint from the machine running the tests leaks in."""
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "SHEETOPS_GOOGLE_API_URL", "SHEETOPS_GOOGLE_RETRY_BUDGET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))


@pytest.fixture
def google(tmp_path: Path) -> Google:
    """The emulator in-process, with a service-account key whose tokens it issues."""
    return make_google(tmp_path)


@pytest.fixture
def google_server(google: Google) -> Iterator[Any]:
    """The same emulator behind a loopback HTTP server (for the command line)."""
    with testing.running(google.emulator) as server:
        yield server


@pytest.fixture(scope="session")
def layouts(template: Template) -> dict[str, WorkbookLayout]:
    """What init writes: demo workbooks in English and Russian, and a blank English one."""
    return {
        "demo_en": build_layout(template, lang="en", channels=None, demo=True, today=DEMO_TODAY),
        "demo_ru": build_layout(template, lang="ru", channels=None, demo=True, today=DEMO_TODAY),
        "blank_en": build_layout(template, lang="en", channels=None, demo=False, today=DEMO_TODAY),
    }


@pytest.fixture(scope="session")
def short_layouts(layouts: dict[str, WorkbookLayout]) -> dict[str, WorkbookLayout]:
    """The same workbooks with 1,000-row tabs, for the tests of what a sync does."""
    return {name: short(workbook) for name, workbook in layouts.items()}


