"""Naming a spreadsheet: by URL or ID wherever a workbook path is accepted; settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sheetops.backends.gsheets import is_google_target, spreadsheet_id, spreadsheet_url
from sheetops.backends.gsheets.http import GoogleSettings, retry_after_seconds, rewrite_url
from sheetops.backends.gsheets.snapshot import add_values, parse_looks, value_ranges
from sheetops.errors import BackendError, WorkbookError
from sheetops.values import CellError

ID = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"


@pytest.mark.parametrize(
    "text",
    [
        f"https://docs.google.com/spreadsheets/d/{ID}/edit#gid=0",
        f"https://docs.google.com/spreadsheets/d/{ID}",
        f"https://docs.google.com/spreadsheets/u/1/d/{ID}/edit?usp=sharing",
        f"  {ID}  ",
        f"https:/docs.google.com/spreadsheets/d/{ID}/edit",  # as pathlib leaves a URL
    ],
)
def test_urls_and_ids_name_a_google_spreadsheet(text: str) -> None:
    assert is_google_target(text)
    assert spreadsheet_id(text) == ID


@pytest.mark.parametrize(
    "text",
    ["marketing.xlsx", "/tmp/demo.xlsx", "https://example.com/d/x", "short-id", "https://notgoogle.com/spreadsheets/d/x"],
)
def test_paths_are_not_google_spreadsheets(text: str) -> None:
    assert not is_google_target(text)


def test_a_local_file_named_like_an_id_stays_a_file(tmp_path: Path) -> None:
    path = tmp_path / ID
    path.write_bytes(b"")
    assert not is_google_target(path)


def test_a_wrong_address_says_what_to_give() -> None:
    with pytest.raises(WorkbookError, match="spreadsheet's URL"):
        spreadsheet_id("https://example.com/sheet")


def test_the_url_people_open() -> None:
    assert spreadsheet_url(ID) == f"https://docs.google.com/spreadsheets/d/{ID}/edit"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://sheets.googleapis.com/v4/spreadsheets/x:batchUpdate", "http://127.0.0.1:8765/v4/spreadsheets/x:batchUpdate"),
        ("https://www.googleapis.com/drive/v3/files?fields=id", "http://127.0.0.1:8765/drive/v3/files?fields=id"),
        ("https://oauth2.googleapis.com/token", "https://oauth2.googleapis.com/token"),
        ("https://sheets.googleapis.com.evil.example/v4", "https://sheets.googleapis.com.evil.example/v4"),
    ],
)
def test_the_endpoint_setting_rewrites_only_google_api_hosts(url: str, expected: str) -> None:
    assert rewrite_url(url, "http://127.0.0.1:8765") == expected


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, GoogleSettings()),
        ({"SHEETOPS_GOOGLE_API_URL": "http://127.0.0.1:8765/"}, GoogleSettings(api_url="http://127.0.0.1:8765")),
        ({"SHEETOPS_GOOGLE_RETRY_BUDGET": "5"}, GoogleSettings(retry_budget=5.0)),
        ({"SHEETOPS_GOOGLE_RETRY_BUDGET": "0"}, GoogleSettings(retry_budget=0.0)),
    ],
)
def test_settings_from_the_environment(environ: dict[str, str], expected: GoogleSettings) -> None:
    assert GoogleSettings.from_env(environ) == expected


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SHEETOPS_GOOGLE_RETRY_BUDGET": "a minute"}, "SHEETOPS_GOOGLE_RETRY_BUDGET='a minute' is not a number"),
        ({"SHEETOPS_GOOGLE_RETRY_BUDGET": "-1"}, "is not a number of seconds"),
        ({"SHEETOPS_GOOGLE_API_URL": "127.0.0.1:8765"}, "is not a web address"),
    ],
)
def test_bad_settings_say_what_to_write(environ: dict[str, str], message: str) -> None:
    with pytest.raises(BackendError, match=message):
        GoogleSettings.from_env(environ)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [(None, None), ("7", 7.0), ("0", 0.0), ("Wed, 21 Oct 2026 07:28:30 GMT", 30.0), ("soon", None)],
)
def test_retry_after(header: str | None, seconds: float | None) -> None:
    import datetime as dt

    now = dt.datetime(2026, 10, 21, 7, 28, tzinfo=dt.timezone.utc)
    assert retry_after_seconds(header, now) == seconds


def answer(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()


ONE_SHEET = answer({"sheets": [{"properties": {"sheetId": 0, "title": "A", "index": 0}}]})


@pytest.mark.parametrize(
    ("row", "value"),
    [
        ([46349], 46349.0),
        ([46349.5], 46349.5),
        (["Blog"], "Blog"),
        (["", "x"], None),
        ([False], False),
        (["#DIV/0!"], CellError("#DIV/0!")),
        (["#N/A"], CellError("#N/A")),
        (["#hashtag"], "#hashtag"),
        ([], None),
    ],
)
def test_values_as_the_engine_reads_them(row: list[Any], value: object) -> None:
    """The values API's unformatted values: whole numbers as floats, an empty cell between
    others as None, error codes (as the API shows errors) as errors."""
    snapshot = add_values(parse_looks(ONE_SHEET), answer({"valueRanges": [{"values": [row]}]}))
    cell = snapshot.sheets[0].rows[0][0] if snapshot.sheets[0].rows[0] else None
    assert cell == value and type(cell) is type(value)


def test_a_read_keeps_positions_fills_notes_and_the_grid_size() -> None:
    looks = {
        "spreadsheetId": "x",
        "properties": {"title": "t"},
        "sheets": [
            {
                "properties": {"sheetId": 5, "title": "B", "index": 1, "hidden": True,
                               "gridProperties": {"rowCount": 10, "columnCount": 4}},
            },
            {
                "properties": {"sheetId": 0, "title": "A", "index": 0, "gridProperties": {"rowCount": 100,
                                                                                          "columnCount": 26}},
                "protectedRanges": [{"protectedRangeId": 1, "range": {"sheetId": 0}}],
                "data": [{"rowData": [
                    {"values": [{}]},
                    {},
                    {"values": [{}, {"note": "n", "userEnteredFormat": {"backgroundColor": {"red": 1}}}, {}]},
                ]}],
            },
            {"properties": {"sheetId": 7, "title": "Chart", "index": 2, "sheetType": "OBJECT"}},
        ],
    }
    snapshot = parse_looks(answer(looks))
    assert value_ranges(snapshot) == ["'B'", "'A'"]
    add_values(snapshot, answer({"valueRanges": [{"range": "B!A1:D10"},
                                                 {"range": "A!A1:Z100", "values": [["h"], [], ["", "", 2]]}]}))
    data = snapshot.workbook_data("src")
    assert [s.name for s in data.sheets] == ["A", "B", "Chart"]
    assert data.sheets[0].rows == [["h"], [], [None, None, 2.0]]
    assert data.sheets[1].hidden and data.sheets[1].rows == []
    a = snapshot.sheets[1]
    assert a.fills == {(2, 1): "FF0000"} and a.notes == {(2, 1): "n"} and a.protected
    assert a.look(2, 1) == ("FF0000", "n") and a.look(2, 2) == a.look(0, 0) == a.look(50, 1) == (None, None)
    assert snapshot.cell_count == 10 * 4 + 100 * 26


def test_a_tab_whose_title_needs_quotes_is_asked_for_quoted() -> None:
    snapshot = parse_looks(answer({"sheets": [{"properties": {"title": "Tom's plan"}}]}))
    assert value_ranges(snapshot) == ["'Tom''s plan'"]
