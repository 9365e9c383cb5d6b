"""`sheetops emulator` serves the Google Sheets emulator on loopback until stopped."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import requests


def test_the_emulator_command_serves_until_interrupted(tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "sheetops", "emulator", "--port", "0", "--key-file", str(key)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # A shell's background job starts with Ctrl-C ignored, and a child inherits that;
        # give the emulator the default, as a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Google Sheets emulator at http://127.0.0.1:"), first
        base_url = first.split(" at ")[1].split(" ")[0]
        assert f"SHEETOPS_GOOGLE_API_URL={base_url}" in process.stdout.readline()
        assert json.loads(key.read_text())["token_uri"].startswith(base_url)
        answer = requests.get(f"{base_url}/v4/spreadsheets/nothing", timeout=10)
        assert answer.status_code == 401  # no token: Google's answer, in Google's envelope
        assert answer.json()["error"]["code"] == 401
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Emulator stopped" in out
