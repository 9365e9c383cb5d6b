"""The worlds the schedule tests run in: a home folder of the test's own, a system whose
scheduler commands are recorded, stand-in programs on PATH for the CLI."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from schedule_world import RecordingSystem

from sheetops.schedule.install import Places, RunResult


@pytest.fixture
def places(tmp_path: Path) -> Places:
    """The folders of a user 'anna' (uid 501) in this test's own home."""
    home = tmp_path / "home"
    return Places(
        home=home,
        state=home / ".local" / "state" / "sheetops",
        data=home / ".local" / "share" / "sheetops",
        systemd=home / ".config" / "systemd" / "user",
        launch_agents=home / "Library" / "LaunchAgents",
        uid=501,
        user="anna",
    )


@pytest.fixture
def system() -> RecordingSystem:
    """A Linux with a user systemd and linger off."""
    return RecordingSystem({("loginctl", "show-user"): RunResult(0, "Linger=no\n")})


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """HOME and the XDG folders in this test's tmp_path: the run log, the schedule record and
    the units land there."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    for name, sub in (("XDG_STATE_HOME", ".local/state"), ("XDG_DATA_HOME", ".local/share"),
                      ("XDG_CONFIG_HOME", ".config")):
        monkeypatch.setenv(name, str(folder / sub))
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    return folder


def write_program(folder: Path, name: str, script: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def fake_systemd(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """``systemctl`` and ``loginctl`` programs first on PATH that note each call in a file
    (one line per call) and succeed: a Linux with a user systemd, linger off."""
    if os.name != "posix":
        pytest.skip("stand-in programs are shell scripts")
    bin_dir = tmp_path / "bin"
    calls = tmp_path / "calls.txt"
    write_program(bin_dir, "systemctl", f'echo "systemctl $*" >> "{calls}"')
    write_program(bin_dir, "loginctl", f'echo "loginctl $*" >> "{calls}"; echo Linger=no')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return calls


@pytest.fixture
def python() -> str:
    return sys.executable
