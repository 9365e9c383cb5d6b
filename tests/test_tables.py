"""The input tabs read into records: what each cell means, in either language.

Every case writes a real .xlsx, reads it back as sheetops does, and looks at the
records ``read_inputs`` made (the findings themselves are specified in test_check.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from check_helpers import Book

from sheetops.tables import (
    Channel,
    Inputs,
    Settings,
    StopRule,
    channels_missing_target,
    covered_channels,
    read_inputs,
)
from sheetops.values import Threshold


def inputs_of(book: Book, tmp_path: Path) -> Inputs:
    return read_inputs(book.bound(tmp_path / "book.xlsx"))


# Settings


@pytest.mark.parametrize(
    ("lang", "settings"),
    [
        ("en", Settings(currency="USD", gross_margin=1.0, decimal_comma=False, trend_weeks=8, lang="en")),
        ("ru", Settings(currency="RUB", gross_margin=1.0, decimal_comma=True, trend_weeks=8, lang="ru")),
    ],
)
def test_the_template_settings_read_as_the_defaults_of_the_language(tmp_path: Path, lang: str,
                                                                    settings: Settings) -> None:
    assert inputs_of(Book(lang), tmp_path).settings == settings


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_without_a_settings_tab_the_defaults_of_the_workbook_language_apply(tmp_path: Path, lang: str) -> None:
    book = Book(lang)
    book.drop_tab("settings")
    inputs = inputs_of(book, tmp_path)
    assert inputs.settings.decimal_comma == (lang == "ru")
    assert inputs.settings.lang == lang
    assert "settings" not in inputs.read_tabs


@pytest.mark.parametrize(
    ("lang", "row", "typed", "field", "value"),
    [
        ("en", 2, "EUR", "currency", "EUR"),
        ("en", 3, "35%", "gross_margin", 0.35),
        ("en", 3, 0.35, "gross_margin", 0.35),
        ("en", 3, 35, "gross_margin", 0.35),  # a bare number above 1 is a percentage
        ("ru", 3, "35,5%", "gross_margin", 0.355),
        ("en", 3, "35.5%", "gross_margin", 0.355),
        ("en", 4, "ru", "decimal_comma", True),
        ("ru", 4, "en", "decimal_comma", False),
        ("en", 6, "12", "trend_weeks", 12),
        ("ru", 6, 4, "trend_weeks", 4),
        ("en", 7, "ru", "lang", "ru"),
        ("en", 3, "half", "gross_margin", 1.0),  # unreadable: the default is kept
        ("en", 6, 0, "trend_weeks", 8),
        ("en", 3, None, "gross_margin", 1.0),  # blank: the default
    ],
)
def test_a_setting_value_is_read_by_its_type(tmp_path: Path, lang: str, row: int, typed: str | float | None,
                                             field: str, value: object) -> None:
    book = Book(lang)
    book.set("settings", row, "value", typed)
    settings = inputs_of(book, tmp_path).settings
    assert getattr(settings, field) == pytest.approx(value)


def test_settings_are_found_by_name_in_either_language_and_other_rows_are_left_alone(tmp_path: Path) -> None:
    book = Book("en")
    book.set("settings", 3, "setting", "  валовая МАРЖА ")
    book.set("settings", 3, "value", "40%")
    book.add_row("settings", setting="Our fiscal year", value="April")
    inputs = inputs_of(book, tmp_path)
    assert inputs.settings.gross_margin == pytest.approx(0.4)
    assert inputs.findings == ()


def test_a_setting_listed_twice_keeps_the_first(tmp_path: Path) -> None:
    book = Book("en")
    book.add_row("settings", setting="Gross margin", value="20%")
    inputs = inputs_of(book, tmp_path)
    assert inputs.settings.gross_margin == 1.0
    assert [(f.cell, f.code, f.severity) for f in inputs.findings] == [
        ("Settings!A10", "duplicate_setting", "warning")  # below the eight settings init writes
    ]


# Numbers follow the workbook's Number format


@pytest.mark.parametrize(
    ("lang", "number_format", "typed", "value"),
    [
        ("en", None, "1,234.5", 1234.5),
        ("en", None, "$1,234.50", 1234.5),
        ("ru", None, "1 234,5", 1234.5),
        ("ru", None, "1 234,5 ₽", 1234.5),
        ("ru", None, 1234.5, 1234.5),  # a number cell is a number whatever the format
        ("en", "ru", "1 234,5", 1234.5),
        ("ru", "en", "1,234.5", 1234.5),
    ],
)
def test_channel_targets_are_read_with_the_number_format(tmp_path: Path, lang: str, number_format: str | None,
                                                         typed: str | float, value: float) -> None:
    book = Book(lang)
    if number_format:
        book.set("settings", 4, "value", number_format)
    book.set("channels", 2, "target_cpa", typed)
    inputs = inputs_of(book, tmp_path)
    assert inputs.findings == ()
    assert inputs.channels[0].target_cpa == value


# Roles and channels


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_roles_carry_the_template_role_key_and_the_person(tmp_path: Path, lang: str) -> None:
    book = Book(lang)
    row = book.add_row("roles", role="Designer", person="Kate")
    roles = inputs_of(book, tmp_path).roles
    assert [r.key for r in roles] == [
        "cmo", "content_owner", "performance_owner", "pr_owner", "crm_owner", "website_owner", "project_manager",
        "analyst", None,
    ]
    assert (roles[-1].row, roles[-1].role, roles[-1].person) == (row - 1, "Designer", "Kate")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_channels_hold_keys_not_labels(tmp_path: Path, lang: str) -> None:
    channels = inputs_of(Book(lang), tmp_path).channels
    assert [(c.group, c.primary_kpi, c.status) for c in channels] == [
        ("paid", "cpa", "active"),
        ("paid", "cpa", "active"),
        ("organic", "leads", "active"),
        ("site", "cr", "active"),
        ("pr", "leads", "testing"),
        ("crm", "repeat_share", "active"),
        ("crm", "orders", "testing"),
    ]
    blog = channels[2]
    assert (blog.row, blog.monthly_budget, blog.target_cpl, blog.target_cpa, blog.target_roas) == (3, 1500, 25, None,
                                                                                                   None)


def test_a_blank_status_counts_as_active_and_an_unreadable_value_becomes_none(tmp_path: Path) -> None:
    book = Book("en")
    book.set("channels", 2, "status", None)
    book.set("channels", 3, "group", "Pid")
    book.set("channels", 3, "target_cpa", "lots")
    first, second = inputs_of(book, tmp_path).channels[:2]
    assert first.status == "active"
    assert (second.group, second.target_cpa, second.unreadable) == (None, None, frozenset({"group", "target_cpa"}))


def test_blank_rows_are_skipped(tmp_path: Path) -> None:
    book = Book("en")
    book.rows("channels").insert(3, [None] * 9)  # a blank row 4
    book.rows("stop_rules").insert(2, ["", "  "])  # row 3 with only spaces
    inputs = inputs_of(book, tmp_path)
    assert inputs.findings == ()
    assert [c.row for c in inputs.channels] == [1, 2, 4, 5, 6, 7, 8]
    assert [r.row for r in inputs.rules] == [1, 3, 4]


# Stop rules


def test_a_stop_rule_is_read_completely(tmp_path: Path) -> None:
    rule = inputs_of(Book("en"), tmp_path).rules[0]
    assert rule == StopRule(
        row=1,
        name="CPA above target three days in a row: stop",
        scope="Paid",
        metric="cpa",
        condition=">",
        threshold=Threshold(None, 1.0),
        periods=3,
        period="day",
        action="stop",
        min_spend=50,
        enabled=True,
        threshold_cell="Stop rules!E2",
        group="paid",
    )


@pytest.mark.parametrize(
    ("lang", "typed", "threshold"),
    [
        ("en", "target*1.2", Threshold(None, 1.2)),
        ("ru", "цель*1,2", Threshold(None, 1.2)),
        ("ru", "target * 0,8", Threshold(None, 0.8)),
        ("en", "1%", Threshold(0.01)),
        ("ru", "1,5%", Threshold(0.015)),
        ("en", 150, Threshold(150.0)),
    ],
)
def test_thresholds_are_read_with_the_number_format(tmp_path: Path, lang: str, typed: str | float,
                                                    threshold: Threshold) -> None:
    book = Book(lang)
    book.set("stop_rules", 2, "threshold", typed)
    rule = inputs_of(book, tmp_path).rules[0]
    assert rule.threshold.value == pytest.approx(threshold.value)
    assert rule.threshold.factor == pytest.approx(threshold.factor)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_enum_cells_are_read_in_either_language(tmp_path: Path, lang: str) -> None:
    book = Book(lang)
    other = "ru" if lang == "en" else "en"
    labels = {"metric": ("CPL", "CPL"), "period": ("Week", "Неделя"), "action": ("Review", "Разобрать"),
              "enabled": ("No", "Нет")}
    for key, (en, ru) in labels.items():
        book.set("stop_rules", 2, key, en if other == "en" else ru)
    rule = inputs_of(book, tmp_path).rules[0]
    assert (rule.metric, rule.period, rule.action, rule.enabled) == ("cpl", "week", "review", False)


def test_a_rule_that_cannot_be_read_completely_is_left_out(tmp_path: Path) -> None:
    book = Book("en")
    book.set("stop_rules", 2, "periods_in_a_row", "three")
    book.set("stop_rules", 3, "channel", "TikTok")
    inputs = inputs_of(book, tmp_path)
    assert [r.row for r in inputs.rules] == [3]
    assert [f.cell for f in inputs.findings] == ["Stop rules!F2", "Stop rules!B3"]


def test_a_disabled_rule_is_kept_with_enabled_false(tmp_path: Path) -> None:
    book = Book("en")
    book.set("stop_rules", 3, "enabled", "no")
    assert [r.enabled for r in inputs_of(book, tmp_path).rules] == [True, False, True]


@pytest.mark.parametrize(
    ("lang", "scope", "covered"),
    [
        ("en", "*", ["Search ads", "Social ads", "Blog", "SEO / website", "PR", "E-mail", "Messengers"]),
        ("en", "Paid", ["Search ads", "Social ads"]),
        ("en", "Платные", ["Search ads", "Social ads"]),
        ("en", " crm ", ["E-mail", "Messengers"]),
        ("en", "blog", ["Blog"]),
        ("en", " SEO  /  WEBSITE ", ["SEO / website"]),
        ("ru", "Органика", ["Блог"]),
        ("ru", "Paid", ["Контекстная реклама", "Таргетированная реклама"]),
        ("ru", "мессенджеры", ["Мессенджеры"]),
    ],
)
def test_a_rule_covers_all_channels_a_group_or_one_channel(tmp_path: Path, lang: str, scope: str,
                                                           covered: list[str]) -> None:
    book = Book(lang)
    book.set("stop_rules", 2, "channel", scope)
    inputs = inputs_of(book, tmp_path)
    assert [c.name for c in covered_channels(inputs.rules[0], inputs)] == covered


def test_a_group_key_typed_in_a_rule_built_by_hand_still_covers_the_group(tmp_path: Path) -> None:
    inputs = inputs_of(Book("en"), tmp_path)
    rule = StopRule(1, "mine", "crm", "cpa", ">", Threshold(10.0), 1, "week", "review", None, True, "Stop rules!E2")
    assert [c.name for c in covered_channels(rule, inputs)] == ["E-mail", "Messengers"]
    unknown = StopRule(1, "mine", "Radio", "cpa", ">", Threshold(10.0), 1, "week", "review", None, True, "x")
    assert covered_channels(unknown, inputs) == ()


@pytest.mark.parametrize(
    ("scope", "metric", "threshold", "lacking"),
    [
        ("*", "CPA", "target", ["Blog", "PR"]),
        ("*", "CPL", "target*1.5", ["E-mail", "Messengers"]),
        ("*", "ROAS", "target", ["Blog", "PR"]),
        ("Paid", "CPA", "target", []),
        ("*", "CPA", "200", []),  # a fixed threshold needs no target
        ("*", "ROMI", "0", []),
    ],
)
def test_channels_lacking_the_target_of_a_target_threshold(tmp_path: Path, scope: str, metric: str, threshold: str,
                                                           lacking: list[str]) -> None:
    book = Book("en")
    book.set("stop_rules", 2, "channel", scope)
    book.set("stop_rules", 2, "metric", metric)
    book.set("stop_rules", 2, "threshold", threshold)
    inputs = inputs_of(book, tmp_path)
    assert [c.name for c in channels_missing_target(inputs.rules[0], inputs)] == lacking


def test_a_channel_target_is_found_by_metric() -> None:
    channel = Channel(1, "Blog", "organic", "Oleg", "leads", 1500, 25, None, 3.0, "active")
    assert [channel.target(m) for m in ("cpl", "cpa", "roas", "romi")] == [25, None, 3.0, None]


@pytest.mark.parametrize(("typed", "roas"), [("350%", 3.5), (3.5, 3.5), ("3.5", 3.5)])
def test_a_target_roas_is_a_ratio_and_takes_a_percentage(tmp_path: Path, typed: object, roas: float) -> None:
    book = Book("en")
    book.set("channels", 2, "target_roas", typed)  # type: ignore[arg-type]
    inputs = inputs_of(book, tmp_path)
    assert inputs.channels[0].target_roas == pytest.approx(roas) and inputs.findings == ()


# A Channels cell that cannot be read leaves its row in use: a warning that says what sheetops does meanwhile.
CHANNEL_WARNINGS = [
    ("status", "Live", "bad_value", "until it is fixed the channel counts as Active", "status", "active"),
    ("group", "Pid", "bad_value", "rules that name a group skip this channel", "group", None),
    ("group", None, "empty_cell", "rules that name a group skip this channel", "group", None),
    ("target_cpa", "lots", "bad_value", "rules that compare with this target skip this channel", "target_cpa", None),
    ("monthly_budget", "12%", "percent_in_amount", "sheetops leaves this cell out", "monthly_budget", None),
]


@pytest.mark.parametrize(("column", "typed", "code", "meanwhile", "field", "used"), CHANNEL_WARNINGS)
def test_an_unreadable_channel_cell_is_a_warning_and_the_row_is_used(
    tmp_path: Path, column: str, typed: object, code: str, meanwhile: str, field: str, used: object
) -> None:
    book = Book("en")
    book.set("channels", 2, column, typed)  # type: ignore[arg-type]
    inputs = inputs_of(book, tmp_path)
    (finding,) = inputs.findings
    assert (finding.cell, finding.code, finding.severity) == (f"Channels!{finding.cell[-2:]}", code, "warning")
    assert meanwhile in finding.message
    channel = inputs.channels[0]
    assert channel.name == book.get("channels", 2, "channel") and getattr(channel, field) == used
