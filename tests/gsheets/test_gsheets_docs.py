"""docs/google-sheets.md: its Python example runs as written, and it covers every setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "google-sheets.md"


def test_the_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    text = DOC.read_text("utf-8")
    example = re.search(r"From Python, the same without a server:\n\n```python\n(.*?)```", text, re.DOTALL)
    assert example is not None
    monkeypatch.chdir(tmp_path)
    exec(compile(example.group(1), str(DOC), "exec"), {})
    url, breaches, requests = capsys.readouterr().out.split()
    assert url.startswith("https://docs.google.com/spreadsheets/d/")
    assert int(requests) == 5  # create and fill (init); the sheets, their values and the write (sync)


@pytest.mark.parametrize(
    "term",
    [
        "GOOGLE_APPLICATION_CREDENTIALS", "SHEETOPS_GOOGLE_API_URL", "SHEETOPS_GOOGLE_RETRY_BUDGET",
        "sheetops auth login", "sheetops auth status", "sheetops auth logout", "--credentials", "--share",
        "--folder", "--title", "--backend gsheets", "sheetops_state", "--no-browser",
    ],
)
def test_every_setting_is_explained(term: str) -> None:
    assert term in DOC.read_text("utf-8")
