"""Templates at the command line: listing them, using a copy of one, and a broken one.

A template is the workbook contract as data; a user may copy the built-in one and change
it. Whatever is wrong with a copy is reported in one line that names the file and the key.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetops.templates import Template

RunCli = Callable[..., Any]


def builtin_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("sheetops.templates").joinpath("smb-marketing.json").read_text("utf-8")
    )
    return data


def test_templates_lists_the_built_in_template(run_cli: RunCli) -> None:
    result = run_cli("templates")
    assert result.exit_code == 0
    name, description = result.stdout.splitlines()[0].split("\t")
    assert name == "smb-marketing"
    assert description == builtin_data()["description"]["en"]


def test_init_uses_a_users_copy_of_a_template(run_cli: RunCli, tmp_path: Path) -> None:
    data = builtin_data()
    data["channels"][0]["channel"] = {"en": "Google Ads", "ru": "Google Реклама"}
    data["tabs"][0]["ru"] = "Роли и люди"
    template_file = tmp_path / "templates" / "ours.json"
    template_file.parent.mkdir()
    template_file.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    path = tmp_path / "ours.xlsx"
    result = run_cli("init", path, "--template", template_file, "--lang", "ru")
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "Роли и люди"
    assert book["Каналы"]["A2"].value == "Google Реклама"


def _drop_daily_tab(data: dict[str, Any]) -> None:
    data["tabs"] = [t for t in data["tabs"] if t["key"] != "daily"]


def _unknown_column_type(data: dict[str, Any]) -> None:
    data["tabs"][1]["columns"][0]["type"] = "texts"


def _no_tabs(data: dict[str, Any]) -> None:
    del data["tabs"]


def _unknown_group(data: dict[str, Any]) -> None:
    data["channels"][0]["group"] = "radio"


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (_drop_daily_tab, "the contract needs a tab with key 'daily'"),
        (_unknown_column_type, "tabs[1].columns[0].type: unknown type 'texts'"),
        (_no_tabs, "missing key 'tabs'"),
        (_unknown_group, "channels[0].group: 'radio' is not one of"),
    ],
    ids=["missing tab", "unknown column type", "no tabs", "unknown group"],
)
def test_a_broken_template_is_one_line_naming_the_file_and_key(
    run_cli: RunCli, tmp_path: Path, change: Callable[[dict[str, Any]], None], says: str
) -> None:
    data = builtin_data()
    change(data)
    template_file = tmp_path / "broken.json"
    template_file.write_text(json.dumps(data), "utf-8")
    result = run_cli("init", tmp_path / "out.xlsx", "--template", template_file)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: {template_file}: ")
    assert says in result.stderr
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize(
    ("content", "says"),
    [("{ not json", "not valid JSON (line 1)"), ("[]", "top level: expected an object")],
    ids=["not json", "not an object"],
)
def test_a_template_file_that_is_not_a_template_is_one_line(
    run_cli: RunCli, tmp_path: Path, content: str, says: str
) -> None:
    template_file = tmp_path / "broken.json"
    template_file.write_text(content, "utf-8")
    result = run_cli("init", tmp_path / "out.xlsx", "--template", template_file)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and says in result.stderr


def test_an_unknown_template_name_lists_the_built_in_ones(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("init", tmp_path / "out.xlsx", "--template", "smb-sales")
    assert result.exit_code == 2
    assert "'smb-sales' is neither a built-in template (smb-marketing) nor a file" in result.stderr


def test_python_dash_m_sheetops_prints_help() -> None:
    done = subprocess.run([sys.executable, "-m", "sheetops", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for command in ("init", "check", "sync", "templates"):
        assert command in done.stdout


def test_the_command_line_starts_without_loading_spreadsheet_libraries() -> None:
    code = (
        "import sys; from sheetops.cli import cli; "
        "print(sorted(m for m in ('xlsxwriter', 'openpyxl', 'python_calamine', 'pandas') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_workbook_doc_names_every_tab_column_value_and_setting_in_both_languages(template: Template) -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "workbook.md").read_text("utf-8")
    missing = []
    for tab in template.tabs:
        missing += [name for name in tab.name.variants() if name not in doc]
        missing += [header for column in tab.columns for header in column.header.variants() if header not in doc]
        for column in tab.columns:
            if column.enum:
                labels = [label for v in template.enum(column.enum).values for label in v.label.variants()]
                missing += [label for label in labels if f"`{label}`" not in doc]
    missing += [label for setting in template.settings for label in setting.label.variants() if label not in doc]
    assert missing == []


@pytest.mark.parametrize(
    "formula",
    [
        "spend / leads",
        "spend / orders",
        "leads / traffic",
        "revenue / spend",
        "(revenue × gross margin − spend) / spend",
        "spend / new customers",
        "repeat orders / orders",
        "unsubscribes / emails sent",
        "cumulative revenue × gross margin / cumulative new customers",
        "(fact − plan) / plan",
    ],
)
def test_the_workbook_doc_gives_every_kpi_formula(formula: str) -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "workbook.md").read_text("utf-8")
    assert formula in doc
