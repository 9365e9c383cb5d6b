"""Templates: the workbook contract as data, loaded and validated once.

``load_template("smb-marketing")`` reads a built-in template shipped beside this file;
``load_template("path/to/mine.json")`` reads a user's own file in the same format. Any
problem raises :class:`~sheetops.errors.TemplateError` naming the file and the key.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from sheetops.errors import TemplateError
from sheetops.templates.model import (
    COLUMN_TYPES,
    LANGS,
    ChannelSeed,
    Column,
    Enum,
    EnumValue,
    Lang,
    Role,
    RoleConflict,
    Setting,
    StopRuleSeed,
    Tab,
    Template,
    Text,
    normalize,
)

__all__ = [
    "BUILTIN",
    "DEFAULT_TEMPLATE",
    "LANGS",
    "Column",
    "Enum",
    "Lang",
    "Tab",
    "Template",
    "Text",
    "builtin_templates",
    "load_template",
    "normalize",
]

DEFAULT_TEMPLATE = "smb-marketing"
BUILTIN = "sheetops.templates"
REQUIRED_TABS = ("roles", "channels", "stop_rules", "plan_fact", "daily", "settings", "summary", "sync_log")


def builtin_templates() -> list[tuple[str, str]]:
    """(name, English description) of each template shipped with sheetops."""
    found = []
    for entry in sorted(resources.files(BUILTIN).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            template = load_template(entry.name[: -len(".json")])
            found.append((template.name, template.description.en))
    return found


def load_template(name_or_path: str | Path = DEFAULT_TEMPLATE) -> Template:
    """Load a built-in template by name, or a template file by path."""
    return _load_cached(str(name_or_path))


@functools.lru_cache(maxsize=16)
def _load_cached(name_or_path: str) -> Template:
    builtin = resources.files(BUILTIN).joinpath(f"{name_or_path}.json")
    if "/" not in name_or_path and "\\" not in name_or_path and builtin.is_file():
        source, text = f"built-in template {name_or_path!r}", builtin.read_text("utf-8")
    else:
        path = Path(name_or_path)
        if not path.is_file():
            names = ", ".join(n for n, _ in builtin_templates())
            raise TemplateError(f"Template {name_or_path!r} is neither a built-in template ({names}) nor a file.")
        source = str(path)
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(f"{source}: cannot read the template: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TemplateError(f"{source}: not valid JSON (line {exc.lineno}): {exc.msg}") from exc
    return _Parser(source).template(data)


class _Parser:
    """Turns template JSON into the model, naming the file and key of every problem."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, what: str) -> TemplateError:
        return TemplateError(f"{self.source}: {where}: {what}")

    def get(self, data: Any, key: str, where: str, kind: type | tuple[type, ...] = object) -> Any:
        if not isinstance(data, Mapping) or key not in data:
            raise self.fail(where, f"missing key {key!r}")
        value = data[key]
        if not isinstance(value, kind):
            raise self.fail(f"{where}.{key}", f"expected {_kind_name(kind)}, found {type(value).__name__}")
        return value

    def text(self, data: Any, where: str) -> Text:
        if isinstance(data, str):
            return Text(data, data)
        if not isinstance(data, Mapping):
            raise self.fail(where, "expected a text or an object with 'en' and 'ru'")
        return Text(self.get(data, "en", where, str), self.get(data, "ru", where, str))

    def labels(self, data: Any, where: str) -> Text:
        """A Text given inline as the object's own 'en' and 'ru' keys."""
        return Text(self.get(data, "en", where, str), self.get(data, "ru", where, str))

    def optional_number(self, data: Mapping[str, Any], key: str, where: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(f"{where}.{key}", "expected a number or null")
        return float(value)

    def template(self, data: Any) -> Template:
        if not isinstance(data, Mapping):
            raise self.fail("top level", "expected an object")
        enums = {
            name: Enum(
                name,
                tuple(
                    EnumValue(self.get(v, "key", f"enums.{name}[{i}]", str), self.labels(v, f"enums.{name}[{i}]"))
                    for i, v in enumerate(self.get(data, "enums", "top level", Mapping)[name])
                ),
            )
            for name in self.get(data, "enums", "top level", Mapping)
        }
        tabs = tuple(self.tab(t, f"tabs[{i}]", enums) for i, t in enumerate(self.get(data, "tabs", "top level", list)))
        keys = [t.key for t in tabs]
        for key in REQUIRED_TABS:
            if key not in keys:
                raise self.fail("tabs", f"the contract needs a tab with key {key!r}")
        roles = tuple(
            self.role(r, f"roles[{i}]", data) for i, r in enumerate(self.get(data, "roles", "top level", list))
        )
        role_keys = {r.key for r in roles}
        conflicts = []
        for i, c in enumerate(data.get("role_conflicts", [])):
            where = f"role_conflicts[{i}]"
            pair = self.get(c, "roles", where, list)
            if len(pair) != 2 or any(r not in role_keys for r in pair):
                raise self.fail(f"{where}.roles", f"expected two role keys out of {sorted(role_keys)}")
            conflicts.append(RoleConflict((pair[0], pair[1]), self.text(self.get(c, "why", where), f"{where}.why")))
        settings = tuple(
            self.setting(s, f"settings[{i}]", enums)
            for i, s in enumerate(self.get(data, "settings", "top level", list))
        )
        channels = tuple(
            self.channel(c, f"channels[{i}]", enums, role_keys) for i, c in enumerate(data.get("channels", []))
        )
        rules = tuple(self.stop_rule(r, f"stop_rules[{i}]", enums) for i, r in enumerate(data.get("stop_rules", [])))
        version = self.get(data, "contract_version", "top level", int)
        return Template(
            name=self.get(data, "name", "top level", str),
            contract_version=version,
            description=self.text(self.get(data, "description", "top level"), "description"),
            source=self.source,
            enums=enums,
            tabs=tabs,
            settings=settings,
            owned_tab_note=self.text(self.get(data, "owned_tab_note", "top level"), "owned_tab_note"),
            roles=roles,
            role_conflicts=tuple(conflicts),
            channels=channels,
            stop_rules=rules,
        )

    def tab(self, data: Any, where: str, enums: Mapping[str, Enum]) -> Tab:
        columns = []
        for i, c in enumerate(self.get(data, "columns", where, list)):
            cw = f"{where}.columns[{i}]"
            kind = self.get(c, "type", cw, str)
            if kind not in COLUMN_TYPES:
                raise self.fail(f"{cw}.type", f"unknown type {kind!r}; expected one of {sorted(COLUMN_TYPES)}")
            enum = c.get("enum")
            if kind == "enum" and enum not in enums:
                raise self.fail(f"{cw}.enum", f"names no enum in 'enums': {enum!r}")
            columns.append(
                Column(
                    key=self.get(c, "key", cw, str),
                    header=self.labels(c, cw),
                    type=kind,
                    required=bool(c.get("required", False)),
                    enum=enum,
                    width=float(c.get("width", 12)),
                )
            )
        headers = [normalize(h) for c in columns for h in set(c.header.variants())]
        if len(headers) != len(set(headers)):
            raise self.fail(f"{where}.columns", "two columns share a header")
        return Tab(
            self.get(data, "key", where, str), self.labels(data, where), tuple(columns), bool(data.get("owned", False)),
            bool(data.get("on_demand", False)),
        )

    def role(self, data: Any, where: str, root: Mapping[str, Any]) -> Role:
        key = self.get(data, "key", where, str)
        demo = root.get("demo_people", {}).get(key)
        return Role(
            key=key,
            name=self.text(self.get(data, "role", where), f"{where}.role"),
            responsibilities=self.text(data.get("responsibilities", ""), f"{where}.responsibilities"),
            kpi=self.text(data.get("kpi", ""), f"{where}.kpi"),
            ritual=self.text(data.get("ritual", ""), f"{where}.ritual"),
            hours_per_week=self.optional_number(data, "hours_per_week", where),
            demo_person=self.text(demo, f"demo_people.{key}") if demo is not None else None,
        )

    def setting(self, data: Any, where: str, enums: Mapping[str, Enum]) -> Setting:
        default = self.get(data, "default", where, Mapping)
        enum = data.get("enum")
        if enum is not None and enum not in enums:
            raise self.fail(f"{where}.enum", f"names no enum in 'enums': {enum!r}")
        return Setting(
            key=self.get(data, "key", where, str),
            label=self.labels(data, where),
            type=self.get(data, "type", where, str),
            default_en=self.get(default, "en", f"{where}.default"),
            default_ru=self.get(default, "ru", f"{where}.default"),
            enum=enum,
        )

    def enum_key(self, value: Any, enum: Enum, where: str) -> str:
        if not isinstance(value, str) or enum.key_of(value) is None:
            raise self.fail(where, f"{value!r} is not one of {[v.key for v in enum.values]}")
        return enum.key_of(value)  # type: ignore[return-value]

    def channel(self, data: Any, where: str, enums: Mapping[str, Enum], role_keys: set[str]) -> ChannelSeed:
        owner = data.get("owner_role")
        if owner is not None and owner not in role_keys:
            raise self.fail(f"{where}.owner_role", f"{owner!r} is not a role key")
        kpi = data.get("primary_kpi")
        return ChannelSeed(
            name=self.text(self.get(data, "channel", where), f"{where}.channel"),
            group=self.enum_key(data.get("group"), enums["group"], f"{where}.group"),
            owner_role=owner,
            primary_kpi=self.enum_key(kpi, enums["metric"], f"{where}.primary_kpi") if kpi else None,
            monthly_budget=self.optional_number(data, "monthly_budget", where),
            target_cpl=self.optional_number(data, "target_cpl", where),
            target_cpa=self.optional_number(data, "target_cpa", where),
            target_roas=self.optional_number(data, "target_roas", where),
            status=self.enum_key(data.get("status"), enums["status"], f"{where}.status"),
        )

    def stop_rule(self, data: Any, where: str, enums: Mapping[str, Enum]) -> StopRuleSeed:
        periods = self.get(data, "periods_in_a_row", where, int)
        if periods < 1:
            raise self.fail(f"{where}.periods_in_a_row", "must be 1 or more")
        return StopRuleSeed(
            rule=self.text(self.get(data, "rule", where), f"{where}.rule"),
            channel=self.get(data, "channel", where, str),
            metric=self.enum_key(data.get("metric"), enums["metric"], f"{where}.metric"),
            condition=self.enum_key(data.get("condition"), enums["condition"], f"{where}.condition"),
            threshold=str(self.get(data, "threshold", where, (str, int, float))),
            periods_in_a_row=periods,
            period=self.enum_key(data.get("period"), enums["period"], f"{where}.period"),
            action=self.enum_key(data.get("action"), enums["action"], f"{where}.action"),
            min_spend=self.optional_number(data, "min_spend", where),
            enabled=self.enum_key(data.get("enabled", "yes"), enums["yes_no"], f"{where}.enabled"),
        )


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "a text", int: "a whole number", float: "a number", list: "a list", Mapping: "an object"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)
