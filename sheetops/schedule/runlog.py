"""The log of scheduled runs: one JSON object per line, in the user's state folder.

Each scheduled run appends one line when it ends (:func:`RunLog.append`): when it
started and ended, with the time zone, the job, the workbook, the result, the exit code,
how many attempts it took and the message of a failure. The file is kept small: once it
passes ``max_bytes`` it becomes ``runs.jsonl.1`` (the older ones ``.2``, ``.3``...) and only
``keep`` old files are kept. ``sheetops schedule status`` reads it back.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOG_NAME = "runs.jsonl"
MAX_BYTES = 256 * 1024  # about 1,000 runs: twenty years of weekly runs of a few workbooks
KEEP = 3


def state_folder() -> Path:
    """The user's sheetops state folder (``~/.local/state/sheetops`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_state_dir("sheetops", appauthor=False))


@dataclass(frozen=True)
class RunLog:
    """The run log in ``folder``: appended to by scheduled runs, read by ``schedule status``."""

    folder: Path
    max_bytes: int = MAX_BYTES
    keep: int = KEEP

    @property
    def path(self) -> Path:
        return self.folder / LOG_NAME

    def rotated(self, index: int) -> Path:
        return self.folder / f"{LOG_NAME}.{index}"

    def append(self, entry: Mapping[str, Any]) -> None:
        """Add one line; rotate first when the file is full. Two runs ending together
        take turns through a lock file beside the log."""
        from filelock import FileLock

        self.folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps(entry, ensure_ascii=False, sort_keys=False) + "\n"
        with FileLock(str(self.folder / f"{LOG_NAME}.lock"), mode=0o600):
            try:
                size = self.path.stat().st_size
            except FileNotFoundError:
                size = 0
            if size and size + len(line.encode("utf-8")) > self.max_bytes:
                self._rotate()
            with open(self.path, "a", encoding="utf-8") as log:
                log.write(line)

    def _rotate(self) -> None:
        oldest = self.rotated(self.keep)
        if self.keep <= 0:
            self.path.unlink(missing_ok=True)
            return
        oldest.unlink(missing_ok=True)
        for index in range(self.keep - 1, 0, -1):
            if self.rotated(index).exists():
                os.replace(self.rotated(index), self.rotated(index + 1))
        os.replace(self.path, self.rotated(1))

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every readable line, oldest first (a damaged line is passed over)."""
        files = [self.rotated(i) for i in range(self.keep, 0, -1)] + [self.path]
        for path in files:
            try:
                text = path.read_text("utf-8")
            except (FileNotFoundError, UnicodeDecodeError):
                continue
            for line in text.splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if isinstance(entry, dict):
                    yield entry

    def last(self, job: str) -> dict[str, Any] | None:
        """The newest entry of the job named ``job``."""
        found = None
        for entry in self.entries():
            if entry.get("job") == job:
                found = entry
        return found
