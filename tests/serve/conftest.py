"""Fixtures of the service's tests (the world is built in ``serve_world``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_world import AUDIENCE, DEMO_TODAY, SECRET, Issuer, make_demo, running_issuer, running_service

pytest.importorskip("starlette", reason="sheetops serve needs the serve extra")
pytest.importorskip("uvicorn", reason="sheetops serve needs the serve extra")
testing = pytest.importorskip("sheetops.testing", reason="the Sheets API emulator needs the test extra")



@pytest.fixture(autouse=True)
def no_ambient_google(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "SHEETOPS_GOOGLE_API_URL", "SHEETOPS_GOOGLE_RETRY_BUDGET",
                 "SHEETOPS_SERVE_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))


@pytest.fixture
def google_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The emulator over HTTP; every Google call of this process goes to it."""
    with testing.serve() as server:
        monkeypatch.setenv("SHEETOPS_GOOGLE_API_URL", server.base_url)
        monkeypatch.setenv("SHEETOPS_GOOGLE_RETRY_BUDGET", "0")
        yield server


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with running_issuer() as found:
        yield found


@pytest.fixture
def config(issuer: Issuer) -> Any:
    from sheetops.serve import ServeConfig

    return ServeConfig(audiences=(AUDIENCE,), allowed=("company.example", "bob@partner.example"), secret=SECRET,
                       certs_url=issuer.certs_url, today=DEMO_TODAY)


@pytest.fixture
def service(config: Any, google_server: Any) -> Iterator[str]:
    with running_service(config) as url:
        yield url


@pytest.fixture
def key(google_server: Any, tmp_path: Path) -> Path:
    """A service-account key for the emulator: the robot that made the spreadsheets."""
    found: Path = google_server.write_service_account_key(tmp_path / "key.json")
    return found


@pytest.fixture
def demo_url(key: Path, template: Any) -> str:
    """An English demo spreadsheet (1,000-row tabs), shared with Anna as Editor."""
    return make_demo(key)
