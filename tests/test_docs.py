"""Every command has help text with an example, and is documented for users."""

from __future__ import annotations

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
