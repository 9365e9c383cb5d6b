"""Every command has help text with an example, and is documented for users."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import click
import pytest

from sheetops.cli import cli

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name: str) -> None:
    command = cli.commands[name]
    assert command.help, f"{name} has no help text"
    assert f"sheetops {name}" in command.help, f"{name}'s help has no example"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme_and_the_command_docs(name: str) -> None:
    assert f"sheetops {name}" in (ROOT / "README.md").read_text("utf-8")
    assert f"sheetops {name}" in (ROOT / "docs" / "cli.md").read_text("utf-8")


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_is_in_the_command_docs(name: str) -> None:
    docs = (ROOT / "docs" / "cli.md").read_text("utf-8")
    for param in cli.commands[name].params:
        if isinstance(param, click.Option) and param.name != "template_name":
            assert any(opt in docs for opt in param.opts), f"{name} {param.opts} is not in docs/cli.md"


def test_the_readme_starts_with_the_two_commands_of_a_newcomer() -> None:
    head = (ROOT / "README.md").read_text("utf-8").splitlines()[:8]
    text = "\n".join(head)
    assert "sheetops init demo.xlsx --demo" in text and "sheetops sync demo.xlsx" in text
    assert "scripts/test" in text
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text("utf-8")


def _matches(documented: object, real: object, where: str) -> None:
    """Every value the docs show is what the command gives, numbers as rounded in the docs."""
    if isinstance(documented, dict):
        assert isinstance(real, dict), where
        for key, value in documented.items():
            assert key in real, f"{where}.{key} is documented but not in the output"
            _matches(value, real[key], f"{where}.{key}")
    elif isinstance(documented, list) and documented and isinstance(documented[0], dict):
        assert isinstance(real, list), where
        for item in documented:  # shortened: each documented item is one of the real ones
            assert any(_same(item, r) for r in real), f"{where}: {item} is not in the output"
    elif isinstance(documented, (int, float)) and not isinstance(documented, bool):
        assert isinstance(real, (int, float)), where
        assert real == pytest.approx(documented, rel=0.005, abs=0.006), where
    else:
        assert documented == real, where


def _same(documented: dict[str, object], real: object) -> bool:
    try:
        _matches(documented, real, "")
    except AssertionError:
        return False
    return True


def test_the_json_example_in_the_sync_docs_is_what_the_demo_gives(tmp_path: Path) -> None:
    from sheetops import api

    text = (ROOT / "docs" / "sync.md").read_text("utf-8")
    assert "sheetops init demo.xlsx --demo --as-of 2026-11-27" in text
    example = json.loads(re.search(r"```json\n(.*?)```", text, re.S)[1])  # type: ignore[index]
    path = tmp_path / "demo.xlsx"
    api.provision(path, demo=True, today=dt.date(2026, 11, 27))
    real = api.sync(path, as_of=dt.date(2026, 11, 27)).as_dict()
    example.pop("source")
    _matches(example, real, "sync")
    assert list(example) == [k for k in real if k != "source"]  # every top-level field is shown
