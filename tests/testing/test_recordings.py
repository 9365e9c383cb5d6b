"""Replay gspread's recordings of real Sheets/Drive traffic through the emulator.

``../shared/google-recordings/`` (next to the project root) holds vcrpy cassettes that the
gspread project recorded against the real Google APIs.  Each cassette is replayed, in
order, against a fresh emulator: the spreadsheet ids, sheet ids and other object ids the
emulator assigns are mapped to the recorded ones as they appear, and each answer is
compared with the recorded one by status code and by *shape* (the set of JSON key paths;
values such as ids and timestamps may differ), and, for the keys in
:data:`STABLE_VALUE_KEYS` (cell values, ranges, update counts, notes, formats), by value.

Every cassette must either match or be listed, with the reason, between the
``unmatched-cassettes`` markers of docs/emulator.md; a listed cassette that matches fails
the test too, so the list stays true.  Run this file directly to print the differences:
``python tests/testing/test_recordings.py [name ...]``.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from sheetops.testing import Emulator

ROOT = Path(__file__).resolve().parents[2]
RECORDINGS = ROOT.parent / "shared" / "google-recordings"
DOC = ROOT / "docs" / "emulator.md"

#: Keys whose values are compared too (not only the shape): what the values API and
#: cell reads answer, which depends only on the requests replayed.
STABLE_VALUE_KEYS = frozenset(
    {
        "values",
        "range",
        "majorDimension",
        "updatedRange",
        "updatedRows",
        "updatedColumns",
        "updatedCells",
        "clearedRange",
        "clearedRanges",
        "tableRange",
        "totalUpdatedRows",
        "totalUpdatedColumns",
        "totalUpdatedCells",
        "totalUpdatedSheets",
        "note",
        "userEnteredFormat",
        "gridProperties",
        "merges",
        "tabColorStyle",
    }
)

#: Keys whose values are ids the emulator assigns itself.
ID_KEYS = frozenset({"spreadsheetId", "id", "sheetId", "protectedRangeId", "namedRangeId", "metadataId"})


@dataclass
class Difference:
    index: int
    request: str
    recorded_status: int
    emulator_status: int
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    detail: str = ""

    def __str__(self) -> str:
        text = f"#{self.index} {self.request}: status {self.recorded_status} vs {self.emulator_status}"
        if self.missing:
            text += f"\n    missing: {self.missing}"
        if self.extra:
            text += f"\n    extra:   {self.extra}"
        if self.detail:
            text += f"\n    {self.detail}"
        return text


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """The set of key paths in a JSON value; list elements share the ``[]`` path."""
    out: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            out.add(path)
            out |= key_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            out |= key_paths(item, prefix + "[]")
    return out


def stable_value_differences(recorded: Any, actual: Any, path: str = "") -> list[str]:
    """Paths under :data:`STABLE_VALUE_KEYS` whose values differ."""
    out: list[str] = []
    if isinstance(recorded, dict) and isinstance(actual, dict):
        for key, value in recorded.items():
            if key not in actual:
                continue
            sub = f"{path}.{key}" if path else key
            if key in STABLE_VALUE_KEYS:
                if value != actual[key]:
                    out.append(f"{sub}: {json.dumps(value)[:80]} != {json.dumps(actual[key])[:80]}")
            else:
                out.extend(stable_value_differences(value, actual[key], sub))
    elif isinstance(recorded, list) and isinstance(actual, list) and len(recorded) == len(actual):
        for i, (a, b) in enumerate(zip(recorded, actual, strict=True)):
            out.extend(stable_value_differences(a, b, f"{path}[{i}]"))
    return out


def _learn_ids(recorded: Any, actual: Any, ids: dict[str, Any]) -> None:
    if isinstance(recorded, dict) and isinstance(actual, dict):
        for key, value in recorded.items():
            if key not in actual:
                continue
            other = actual[key]
            if key in ID_KEYS and not isinstance(value, (dict, list)) and value != other:
                ids.setdefault(str(value), other)
            else:
                _learn_ids(value, other, ids)
    elif isinstance(recorded, list) and isinstance(actual, list):
        for a, b in zip(recorded, actual, strict=False):
            _learn_ids(a, b, ids)


def _rewrite_json(value: Any, ids: dict[str, Any], key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _rewrite_json(v, ids, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite_json(v, ids, key) for v in value]
    if key in ID_KEYS | {"destinationSpreadsheetId", "sourceSheetId", "newSheetId"} and str(value) in ids:
        mapped = ids[str(value)]
        return type(value)(mapped) if isinstance(value, (int, str)) else mapped
    return value


def _rewrite_url(url: str, ids: dict[str, Any]) -> str:
    for recorded, actual in ids.items():
        if len(recorded) > 20:  # spreadsheet/file ids only; sheet ids are short numbers
            url = url.replace(recorded, str(actual))
    return url


def _foreign_ids(interactions: list[dict[str, Any]]) -> set[str]:
    """Ids of spreadsheets that exist outside the cassette (answered 403, never created)."""
    created: set[str] = set()
    foreign: set[str] = set()
    for it in interactions:
        m = re.search(r"/spreadsheets/([A-Za-z0-9_-]{20,})", it["request"]["uri"])
        if m and m.group(1) not in created and it["response"]["status"]["code"] == 403:
            foreign.add(m.group(1))
        body = it["response"]["body"].get("string") or ""
        for found in re.findall(r'"(?:id|spreadsheetId)": "([A-Za-z0-9_-]{20,})"', body):
            created.add(found)
    return foreign


def _preexisting_files(interactions: list[dict[str, Any]]) -> dict[str, str]:
    """Spreadsheets a files.list answer shows although the cassette never created them.

    They were in the recording account's Drive already (left by other tests); the replay
    creates them first, with their recorded names, as that account's world.
    """
    created: set[str] = set()
    found: dict[str, str] = {}
    for it in interactions:
        body = it["response"]["body"].get("string") or ""
        if it["request"]["method"] == "POST" and "/drive/v3/files" in it["request"]["uri"]:
            created.update(re.findall(r'"id": "([A-Za-z0-9_-]{20,})"', body))
        if it["request"]["method"] == "GET" and re.search(r"/drive/v3/files(\?|$)", it["request"]["uri"]):
            try:
                listed = json.loads(body).get("files", [])
            except ValueError:
                continue
            for f in listed:
                if f.get("id") and f["id"] not in created:
                    found.setdefault(f["id"], f.get("name", "Untitled spreadsheet"))
    return found


def replay(path: Path) -> list[Difference]:
    """Replay one cassette; return how the emulator's answers differ from the recording."""
    interactions: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["interactions"]
    emulator = Emulator(quota_per_minute=None, seed=1)
    for foreign in _foreign_ids(interactions):
        emulator.add_foreign_spreadsheet(foreign)
    ids: dict[str, Any] = {}
    for foreign in _foreign_ids(interactions):
        ids[foreign] = foreign
    for file_id, name in _preexisting_files(interactions).items():
        emulator.create_spreadsheet(name, spreadsheet_id=file_id)
        ids[file_id] = file_id  # created under its recorded id: never remap it
    token = emulator.issue_token()
    session = requests.Session()
    emulator.mount(session)
    differences: list[Difference] = []
    for index, it in enumerate(interactions):
        req, res = it["request"], it["response"]
        url = _rewrite_url(req["uri"], ids)
        body = req["body"]
        headers = {"Authorization": f"Bearer {token}"}
        for name, values in req["headers"].items():
            if name.lower() == "content-type":
                headers["Content-Type"] = values[0]
        if body and "json" in headers.get("Content-Type", ""):
            with contextlib.suppress(ValueError):
                body = json.dumps(_rewrite_json(json.loads(body), ids))
        answer = session.request(
            req["method"], url, data=body.encode("utf-8") if isinstance(body, str) else body, headers=headers
        )
        recorded_status = res["status"]["code"]
        label = f"{req['method']} {re.sub(r'[A-Za-z0-9_-]{30,}', 'ID', url.split('?')[0])}"
        recorded_text = res["body"].get("string") or ""
        try:
            recorded_json = json.loads(recorded_text) if recorded_text else None
        except ValueError:
            recorded_json = None
        try:
            actual_json = answer.json() if answer.content else None
        except ValueError:
            actual_json = None
        if recorded_json is not None and actual_json is not None:
            _learn_ids(recorded_json, actual_json, ids)
        diff = Difference(index, label, recorded_status, answer.status_code)
        if recorded_status != answer.status_code:
            diff.detail = answer.text[:300]
            differences.append(diff)
            continue
        if recorded_json is not None or actual_json is not None:
            want, got = key_paths(recorded_json), key_paths(actual_json)
            values = stable_value_differences(recorded_json, actual_json)
            if (recorded_json is None) != (actual_json is None) or want != got or values:
                diff.missing = sorted(want - got)
                diff.extra = sorted(got - want)
                diff.detail = "; ".join(values[:5])
                differences.append(diff)
        elif recorded_text.replace("\r\n", "\n") != answer.text.replace("\r\n", "\n"):
            diff.detail = f"body {recorded_text[:60]!r} != {answer.text[:60]!r}"
            differences.append(diff)
    return differences


def documented_unmatched() -> dict[str, str]:
    """The cassettes docs/emulator.md lists as not matched, with their reasons."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("<!-- unmatched-cassettes:start -->", 1)[1].split("<!-- unmatched-cassettes:end -->", 1)[0]
    out: dict[str, str] = {}
    for line in section.splitlines():
        m = re.match(r"^\|\s*`([^`]+)`\s*\|\s*(.+?)\s*\|\s*$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def _cassettes() -> list[Path]:
    return sorted(RECORDINGS.glob("*.json")) if RECORDINGS.is_dir() else []


@pytest.fixture(scope="module")
def unmatched() -> dict[str, str]:
    return documented_unmatched()


def test_recordings_folder_present() -> None:
    if not RECORDINGS.is_dir():
        pytest.skip(f"the recordings folder {RECORDINGS} is absent")
    assert len(_cassettes()) > 100


def test_unmatched_list_names_real_cassettes(unmatched: dict[str, str]) -> None:
    if not RECORDINGS.is_dir():
        pytest.skip(f"the recordings folder {RECORDINGS} is absent")
    names = {p.stem for p in _cassettes()}
    assert unmatched, "docs/emulator.md lists no unmatched cassettes between its markers"
    assert set(unmatched) <= names, sorted(set(unmatched) - names)
    assert all(reason.strip() for reason in unmatched.values())


_ABSENT = pytest.param(
    None, marks=pytest.mark.skip(reason=f"the recordings folder {RECORDINGS} is absent"), id="absent"
)


@pytest.mark.parametrize(
    "cassette", _cassettes() or [_ABSENT], ids=lambda p: p.stem if isinstance(p, Path) else "absent"
)
def test_cassette_matches_or_is_documented(cassette: Path, unmatched: dict[str, str]) -> None:
    differences = replay(cassette)
    if cassette.stem in unmatched:
        assert differences, (
            f"{cassette.stem} now matches the recording: remove it from the unmatched list in docs/emulator.md"
        )
    else:
        assert not differences, "\n".join(str(d) for d in differences)


if __name__ == "__main__":  # pragma: no cover - a debugging aid
    names = sys.argv[1:]
    paths = [RECORDINGS / f"{n}.json" for n in names] if names else _cassettes()
    matched = 0
    listed = documented_unmatched() if DOC.exists() else {}
    for p in paths:
        found = replay(p)
        if not found:
            matched += 1
            flag = "  (listed as unmatched!)" if p.stem in listed else ""
            if names or flag:
                print(f"OK   {p.stem}{flag}")
            continue
        print(f"DIFF {p.stem}" + ("  [documented]" if p.stem in listed else ""))
        for d in found[: 6 if not names else 100]:
            print("  " + str(d).replace("\n", "\n  "))
    print(f"{matched}/{len(paths)} cassettes match")
