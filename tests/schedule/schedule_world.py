"""A stand-in for the programs a schedule runs, for the tests of macOS and Windows on Linux."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sheetops.schedule.install import RunResult


@dataclass
class RecordingSystem:
    """A stand-in for ``subprocess``: answers each command from ``answers`` (the longest
    matching start wins; anything else succeeds) and records what was run."""

    answers: dict[tuple[str, ...], RunResult] = field(default_factory=dict)
    calls: list[tuple[tuple[str, ...], str | None]] = field(default_factory=list)

    def __call__(self, argv: Sequence[str], input_text: str | None) -> RunResult:
        command = tuple(argv)
        self.calls.append((command, input_text))
        matches = [start for start in self.answers if command[: len(start)] == start]
        return self.answers[max(matches, key=len)] if matches else RunResult(0)

    @property
    def commands(self) -> list[tuple[str, ...]]:
        return [argv for argv, _ in self.calls]
