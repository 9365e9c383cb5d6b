"""The `sheetops serve` command itself: refuses to start without a way to check callers,
and serves /healthz from its own process (uvicorn), stopping cleanly on SIGTERM as Cloud Run stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import requests
from serve_world import SECRET, free_port


def test_without_audience_or_secret_it_does_not_start(run_cli: Any) -> None:
    result = run_cli("serve")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: sheetops serve needs a way to check callers")


def test_the_command_serves_and_stops_on_sigterm() -> None:
    port = free_port()
    env = {**os.environ, "SHEETOPS_SERVE_SECRET": SECRET, "PORT": str(port)}
    process = subprocess.Popen([sys.executable, "-m", "sheetops", "serve"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.1)
        assert (answer.status_code, answer.json()) == (200, {"ok": True})
        refused = requests.post(f"http://127.0.0.1:{port}/sync", json={}, timeout=5)
        assert refused.status_code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    # uvicorn finishes the requests under way, then ends as the signal asks (newer uvicorn re-raises it)
    assert process.returncode in (0, -signal.SIGTERM)
    assert SECRET not in err and '"status": 401' in err
