"""What every command prints for people and for scripts: --json, --quiet, NO_COLOR, completion."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sheetops.templates import builtin_templates

AS_OF = "2026-11-27"
RunCli = Callable[..., Any]
ERROR_KEYS = {"error", "message", "exit_code"}


# -- --json on the commands that report something ---------------------------------------------------

def test_templates_json_lists_each_template_with_its_description(run_cli: RunCli) -> None:
    result = run_cli("templates", "--json")
    assert result.exit_code == 0 and result.stderr == ""
    assert json.loads(result.stdout) == {
        "templates": [{"name": name, "description": text} for name, text in builtin_templates()]
    }


@pytest.mark.parametrize(("args", "expected"), [
    (["--lang", "en"], {"lang": "en", "template": "smb-marketing", "channels": 7, "demo": False}),
    (["--lang", "ru", "--demo"], {"lang": "ru", "template": "smb-marketing", "channels": 7, "demo": True}),
    (["--channels", "Blog,Search ads"], {"lang": "en", "template": "smb-marketing", "channels": 2, "demo": False}),
], ids=["blank", "russian demo", "own channels"])
def test_init_json_says_what_was_made(run_cli: RunCli, tmp_path: Path, args: list[str],
                                      expected: dict[str, object]) -> None:
    path = tmp_path / "made.xlsx"
    result = run_cli("init", path, *args, "--json")
    assert result.exit_code == 0 and result.stderr == ""
    assert json.loads(result.stdout) == {"path": str(path), **expected}


def test_auth_status_json_names_the_credentials_without_a_secret(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    result = run_cli("auth", "status", "--json")
    assert result.exit_code == 0 and result.stderr == ""
    status = json.loads(result.stdout)
    assert set(status) == {"signed_in_as", "token_file", "key_file", "key_account", "active"}
    assert status["key_file"] is None and status["key_account"] is None
    assert isinstance(status["active"], str) and status["active"]


def locked_workbook(demo: Path) -> Path:
    (demo.parent / f"~${demo.name}").write_text("someone")
    return demo


def existing_file(demo: Path) -> Path:
    return demo


# argv (WORKBOOK stands for a demo workbook's path), how the workbook is prepared, the error kind, the exit code.
ERRORS: dict[str, tuple[list[str], Callable[[Path], Path], str, int]] = {
    "a missing file": (["check", "WORKBOOK.missing.xlsx"], existing_file, "workbook_unusable", 2),
    "a workbook open in Excel": (["sync", "WORKBOOK", "--as-of", AS_OF], locked_workbook, "workbook_locked", 2),
    "init over a file": (["init", "WORKBOOK"], existing_file, "target_exists", 1),
    "an unknown template": (["init", "WORKBOOK.new.xlsx", "--template", "nope"], existing_file,
                            "template_unusable", 2),
    "a missing key file": (["check", "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg", "--credentials",
                            "WORKBOOK.key.json"], existing_file, "credentials_failed", 4),
    "a bad date": (["sync", "WORKBOOK", "--as-of", "someday"], existing_file, "usage", 2),
    "an unknown option": (["check", "WORKBOOK", "--colour"], existing_file, "usage", 2),
    "a missing argument": (["init"], existing_file, "usage", 2),
}


def argv_for(argv: list[str], path: Path) -> list[str]:
    return [a.replace("WORKBOOK", str(path)) for a in argv]


@pytest.mark.parametrize(("argv", "prepare", "kind", "code"), ERRORS.values(), ids=ERRORS.keys())
def test_with_json_a_failure_is_one_json_object_on_stdout(
    run_cli: RunCli, demo_xlsx: Path, argv: list[str], prepare: Callable[[Path], Path], kind: str, code: int
) -> None:
    args = argv_for(argv, prepare(demo_xlsx))
    plain = run_cli(*args)
    result = run_cli(*args, "--json")
    assert (plain.exit_code, result.exit_code) == (code, code)
    assert plain.stdout == "" and plain.stderr.strip()
    assert result.stderr == ""
    error = json.loads(result.stdout)
    assert set(error) == ERROR_KEYS
    assert (error["error"], error["exit_code"]) == (kind, code)
    assert error["message"] and "Traceback" not in error["message"]
    assert error["message"] in plain.stderr


# -- --quiet --------------------------------------------------------------------------------------

QUIET: dict[str, tuple[list[str], int]] = {
    "init": (["init", "WORKBOOK.new.xlsx", "--demo"], 0),
    "check": (["check", "WORKBOOK"], 0),
    "check with findings": (["check", "BLANK"], 1),
    "sync": (["sync", "WORKBOOK", "--as-of", AS_OF], 0),
    "sync with a breach": (["sync", "WORKBOOK", "--as-of", AS_OF, "--fail-on-breach"], 3),
    "sync --dry-run": (["sync", "WORKBOOK", "--as-of", AS_OF, "--dry-run"], 0),
}


@pytest.mark.parametrize("flag", ["-q", "--quiet"])
@pytest.mark.parametrize(("argv", "code"), QUIET.values(), ids=QUIET.keys())
def test_quiet_prints_nothing_and_the_exit_code_says_the_result(
    run_cli: RunCli, demo_xlsx: Path, blank_xlsx: Path, argv: list[str], code: int, flag: str
) -> None:
    args = [str(blank_xlsx) if a == "BLANK" else a for a in argv_for(argv, demo_xlsx)]
    result = run_cli(*args, flag)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", "")


def test_quiet_still_prints_errors(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("check", tmp_path / "missing.xlsx", "-q")
    assert result.exit_code == 2 and result.stdout == ""
    assert "no such file" in result.stderr


# -- NO_COLOR -------------------------------------------------------------------------------------

COLOUR = re.compile(r"\x1b\[[0-9;]*(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


@pytest.mark.parametrize(("no_color", "coloured"), [(None, True), ("1", False)], ids=["colours", "NO_COLOR"])
@pytest.mark.parametrize("argv", [["sync", "WORKBOOK", "--as-of", AS_OF, "--dry-run"], ["check", "WORKBOOK"]],
                         ids=["sync", "check"])
def test_no_color_leaves_out_every_colour_on_a_terminal(
    run_cli: RunCli, demo_xlsx: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], no_color: str | None,
    coloured: bool
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich then treats the captured output as a terminal
    monkeypatch.setenv("COLUMNS", "200")
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    result = run_cli(*argv_for(argv, demo_xlsx))
    assert bool(COLOUR.search(result.stdout)) is coloured


# -- completion -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("shell", "says"), [
    ("bash", "complete -o nosort -F _sheetops_completion sheetops"),
    ("zsh", "#compdef sheetops"),
    ("fish", "complete --no-files --command sheetops"),
])
def test_completion_prints_the_script_for_each_shell(run_cli: RunCli, shell: str, says: str) -> None:
    result = run_cli("completion", shell)
    assert result.exit_code == 0 and result.stderr == ""
    assert says in result.stdout and "_SHEETOPS_COMPLETE" in result.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_accepts_the_bash_completion_script(run_cli: RunCli, tmp_path: Path) -> None:
    script = tmp_path / "sheetops.bash"
    script.write_text(run_cli("completion", "bash").stdout, "utf-8")
    checked = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr


def test_the_completion_script_completes_commands(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_SHEETOPS_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "sheetops sy")
    monkeypatch.setenv("COMP_CWORD", "1")
    result = run_cli()
    assert result.exit_code == 0
    assert result.stdout.split() == ["plain,sync"]


def test_an_unknown_shell_is_a_usage_error(run_cli: RunCli) -> None:
    result = run_cli("completion", "powershell")
    assert result.exit_code == 2 and "bash" in result.stderr
