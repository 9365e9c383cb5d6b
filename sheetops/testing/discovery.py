"""Discovery documents: routing, request-body and query-parameter validation.

The emulator does not carry its own copy of the Sheets and Drive schemas: it reads the
discovery documents that google-api-python-client ships
(``googleapiclient/discovery_cache/documents/sheets.v4.json`` and ``drive.v3.json``) and
checks every request against them, the way Google's front end checks the JSON against the
service's protos:

* an unknown field gives ``Invalid JSON payload received. Unknown name "x" at 'path':
  Cannot find field.`` (the Sheets API; Drive v3 ignores unknown fields, as the real one
  does),
* a value of the wrong type or an unknown enum value gives ``Invalid value at 'path'
  (TYPE), value``,
* a query parameter the method does not declare gives ``Cannot bind query parameter``.

Paths in those messages use the proto (snake_case) field names, as Google's do.  The
validator also *normalises* the body: JSON ``null`` is dropped (proto3 treats it as
unset), snake_case names are turned into the JSON (camelCase) names, and integers sent as
strings are turned into numbers, so the emulator's handlers only see canonical JSON.
"""

from __future__ import annotations

import json
import math
import re
import struct
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from .errors import ApiError, FieldViolation

__all__ = [
    "Api",
    "DiscoveryUnavailable",
    "Route",
    "Router",
    "SchemaValidator",
    "camel_to_snake",
    "discovery_document",
    "snake_to_camel",
]

Api = Literal["sheets", "drive", "script"]

_DOCUMENTS: dict[str, str] = {"sheets": "sheets.v4.json", "drive": "drive.v3.json", "script": "script.v1.json"}
_PROTO_PACKAGE: dict[str, str] = {"sheets": "google.apps.sheets.v4", "drive": "google.apps.drive.v3",
                                   "script": "google.apps.script.v1"}
#: Where each API lives under the emulator's base URL.
API_PREFIX: dict[str, str] = {"sheets": "/v4/", "drive": "/drive/v3/", "script": "/v1/"}


class DiscoveryUnavailable(RuntimeError):
    """google-api-python-client (which ships the discovery documents) is not installed."""


@cache
def discovery_document(api: Api) -> dict[str, Any]:
    """Load the discovery document of ``api`` from the installed google-api-python-client."""
    try:
        root = resources.files("googleapiclient")
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
        raise DiscoveryUnavailable(
            "sheetops.testing needs google-api-python-client, whose discovery documents "
            "(sheets.v4.json, drive.v3.json) the Google API emulator validates requests "
            "against. Install it with: pip install 'sheetops[test]' (or "
            "pip install google-api-python-client)."
        ) from exc
    path = root / "discovery_cache" / "documents" / _DOCUMENTS[api]
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:  # pragma: no cover - depends on the environment
        raise DiscoveryUnavailable(
            f"the installed google-api-python-client has no {_DOCUMENTS[api]} discovery "
            "document; upgrade it (pip install -U google-api-python-client)"
        ) from exc
    doc: dict[str, Any] = json.loads(text)
    return doc


_CAMEL_RE = re.compile(r"(?<!^)(?=[A-Z])")


def camel_to_snake(name: str) -> str:
    """``updateSheetProperties`` -> ``update_sheet_properties``."""
    return _CAMEL_RE.sub("_", name).lower()


def snake_to_camel(name: str) -> str:
    """``update_sheet_properties`` -> ``updateSheetProperties``."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _json_repr(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------- routing


@dataclass(frozen=True)
class Route:
    """One method of a discovery document, with the regular expression of its path."""

    api: Api
    method_id: str  # e.g. "sheets.spreadsheets.values.get"
    http_method: str
    pattern: re.Pattern[str]
    path_params: tuple[str, ...]
    description: dict[str, Any] = field(hash=False, compare=False)

    @property
    def name(self) -> str:
        """The method id without the API name, e.g. ``spreadsheets.values.get``."""
        return self.method_id.split(".", 1)[1]


def _route_pattern(template: str) -> tuple[re.Pattern[str], tuple[str, ...], int]:
    parts = re.split(r"\{\+?([A-Za-z0-9_]+)\}", template)
    regex = ""
    names: list[str] = []
    literal_len = 0
    for i, part in enumerate(parts):
        if i % 2 == 0:
            regex += re.escape(part)
            literal_len += len(part)
        else:
            names.append(part)
            # A range may hold ':' (A1:B2) when a client does not percent-encode it.
            regex += "([^/]+)" if part == "range" else "([^/:]+)"
    return re.compile("^" + regex + "$"), tuple(names), literal_len


class Router:
    """Finds the discovery method a request path belongs to."""

    def __init__(self) -> None:
        self._routes: list[tuple[int, Route]] = []
        apis: tuple[Api, ...] = ("sheets", "drive", "script")
        for api in apis:
            self._collect(api, discovery_document(api))
        self._routes.sort(key=lambda item: -item[0])

    def _collect(self, api: Api, node: dict[str, Any]) -> None:
        for method in node.get("methods", {}).values():
            template = method.get("flatPath") or method["path"]
            if api == "sheets":
                template = template.removeprefix("v4/")
            if api == "script":
                template = template.removeprefix("v1/")
            pattern, names, weight = _route_pattern(template)
            route = Route(api, method["id"], method["httpMethod"], pattern, names, method)
            self._routes.append((weight, route))
        for child in node.get("resources", {}).values():
            self._collect(api, child)

    def match(self, api: Api, http_method: str, rel_path: str) -> tuple[Route, dict[str, str]] | None:
        """Match ``rel_path`` (still percent-encoded, relative to the API prefix)."""
        from urllib.parse import unquote

        wrong_method: Route | None = None
        for _, route in self._routes:
            if route.api != api:
                continue
            m = route.pattern.match(rel_path)
            if m is None:
                continue
            if route.http_method != http_method:
                wrong_method = route
                continue
            return route, {n: unquote(v) for n, v in zip(route.path_params, m.groups(), strict=True)}
        if wrong_method is not None:
            # Google answers a known path with the wrong HTTP method as "not found"
            raise ApiError(404, f"Method not found: {http_method} is not a method of {wrong_method.method_id}.")
        return None


# ------------------------------------------------------------------------ validation


@dataclass
class _Problem:
    kind: Literal["unknown", "value", "not_repeating"]
    path: str  # snake_case path of the value (or of the parent for "unknown")
    name: str = ""
    type_label: str = ""
    value: Any = None

    def message(self) -> str:
        if self.kind == "unknown":
            where = f" at '{self.path}'" if self.path else ""
            return f'Invalid JSON payload received. Unknown name "{self.name}"{where}: Cannot find field.'
        if self.kind == "not_repeating":
            where = f" at '{self.path}'" if self.path else ""
            return (
                f'Invalid JSON payload received. Unknown name "{self.name}"{where}: '
                "Proto field is not repeating, cannot start list."
            )
        return f"Invalid value at '{self.path}' ({self.type_label}), {_json_repr(self.value)}"

    def violation(self) -> FieldViolation:
        return FieldViolation(self.message(), self.path or None)


_INT_RANGES: dict[str, tuple[int, int]] = {
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint64": (0, 2**64 - 1),
}


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


class SchemaValidator:
    """Validates and normalises JSON values against one discovery document's schemas."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.doc = discovery_document(api)
        self.schemas: dict[str, dict[str, Any]] = self.doc["schemas"]
        self.package = _PROTO_PACKAGE[api]
        #: Drive v3 silently ignores fields it does not know; Sheets rejects them.
        self.reject_unknown = api in ("sheets", "script")  # proto (One Platform) APIs; Drive v3 is lenient
        self._snake_index: dict[str, dict[str, str]] = {}
        self._pairs_cache: dict[str, list[tuple[str, str]]] = {}

    # -- public ---------------------------------------------------------------

    def validate_body(self, body: Any, ref: str, root: str = "") -> Any:
        """Validate ``body`` against schema ``ref``; raise a 400 :class:`ApiError` on problems.

        ``root`` is the name of the field the body is bound to in the request message
        (``data`` for values.update, ``spreadsheet`` for spreadsheets.create), which
        Google puts in front of every path in its messages.
        """
        problems: list[_Problem] = []
        value = self._value(body, {"$ref": ref}, root, "", problems)
        if problems:
            raise ApiError(
                400,
                "\n".join(p.message() for p in problems),
                violations=[p.violation() for p in problems],
                drive_reason="invalid",
            )
        return value

    def schema(self, ref: str) -> dict[str, Any]:
        return self.schemas[ref]

    def property_schema(self, ref: str, name: str) -> dict[str, Any] | None:
        props: dict[str, Any] = self.schemas[ref].get("properties", {})
        prop: dict[str, Any] | None = props.get(name)
        return prop

    # -- internals ------------------------------------------------------------

    def _field_names(self, ref: str) -> dict[str, str]:
        """Map snake_case and camelCase names of ``ref``'s properties to the camelCase name."""
        index = self._snake_index.get(ref)
        if index is None:
            index = {}
            for name in self.schemas[ref].get("properties", {}):
                index[name] = name
                index.setdefault(camel_to_snake(name), name)
            self._snake_index[ref] = index
        return index

    def _type_label(self, schema: dict[str, Any], field_name: str) -> str:
        if "$ref" in schema:
            return f"type.googleapis.com/{self.package}.{schema['$ref']}"
        typ = schema.get("type")
        fmt = schema.get("format")
        if "enum" in schema:
            return f"type.googleapis.com/{self.package}.{_pascal(field_name) or 'Enum'}"
        if typ == "array":
            items = schema.get("items", {})
            if items.get("type") in ("array", "any"):
                return "type.googleapis.com/google.protobuf.ListValue"
            return self._type_label(items, field_name)
        if typ == "any":
            return "type.googleapis.com/google.protobuf.Value"
        if typ == "object":
            return "type.googleapis.com/google.protobuf.Struct"
        if typ == "boolean":
            return "TYPE_BOOL"
        if typ == "integer":
            return "TYPE_UINT32" if fmt == "uint32" else "TYPE_INT32"
        if typ == "number":
            return "TYPE_FLOAT" if fmt == "float" else "TYPE_DOUBLE"
        if typ == "string":
            if fmt in ("int64", "uint64"):
                return "TYPE_INT64" if fmt == "int64" else "TYPE_UINT64"
            if fmt == "byte":
                return "TYPE_BYTES"
            if fmt == "google-fieldmask":
                return "type.googleapis.com/google.protobuf.FieldMask"
            if fmt == "google-datetime":
                return "type.googleapis.com/google.protobuf.Timestamp"
            if fmt == "google-duration":
                return "type.googleapis.com/google.protobuf.Duration"
            return "TYPE_STRING"
        return "TYPE_MESSAGE"

    def _value(self, value: Any, schema: dict[str, Any], path: str, field_name: str, problems: list[_Problem]) -> Any:
        if value is None:
            return None
        if "$ref" in schema:
            return self._message(value, schema["$ref"], path, field_name, problems)
        typ = schema.get("type")
        if typ == "array":
            if not isinstance(value, list):
                problems.append(_Problem("value", path, type_label=self._type_label(schema, field_name), value=value))
                return None
            items = schema.get("items", {})
            out = []
            for i, item in enumerate(value):
                if item is None and items.get("type") not in ("any",):
                    # proto3 JSON does not allow null elements in repeated fields.
                    problems.append(
                        _Problem("value", f"{path}[{i}]", type_label=self._type_label(items, field_name), value=None)
                    )
                    continue
                out.append(self._value(item, items, f"{path}[{i}]", field_name, problems))
            return out
        if typ == "any":
            return value
        if typ == "object":
            extra = schema.get("additionalProperties")
            if not isinstance(value, dict):
                problems.append(_Problem("value", path, type_label=self._type_label(schema, field_name), value=value))
                return None
            if extra is None:
                return value
            return {
                k: self._value(v, extra, f"{path}[{k!r}]" if path else k, field_name, problems)
                for k, v in value.items()
                if v is not None
            }
        if isinstance(value, (list, dict)):
            if isinstance(value, list):
                parent, _, name = path.rpartition(".")
                problems.append(_Problem("not_repeating", parent, name=snake_to_camel(name) or name))
            else:
                problems.append(_Problem("value", path, type_label=self._type_label(schema, field_name), value=value))
            return None
        return self._scalar(value, schema, path, field_name, problems)

    def _scalar(self, value: Any, schema: dict[str, Any], path: str, field_name: str, problems: list[_Problem]) -> Any:
        typ = schema.get("type")
        fmt = schema.get("format")
        label = self._type_label(schema, field_name)

        def bad() -> None:
            problems.append(_Problem("value", path, type_label=label, value=value))

        if "enum" in schema:
            enum: list[str] = schema["enum"]
            if isinstance(value, str) and value in enum:
                return value
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(enum):
                return enum[value]
            bad()
            return None
        if typ == "boolean":
            if isinstance(value, bool):
                return value
            bad()
            return None
        if typ == "integer" or (typ == "string" and fmt in ("int64", "uint64")):
            number: int | None = None
            if isinstance(value, bool):
                number = None
            elif isinstance(value, int):
                number = value
            elif isinstance(value, float) and value.is_integer():
                number = int(value)
            elif isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
                number = int(value.strip())
            lo, hi = _INT_RANGES.get(fmt or "int32", _INT_RANGES["int32"])
            if number is None or not lo <= number <= hi:
                bad()
                return None
            return str(number) if typ == "string" else number
        if typ == "number":
            if isinstance(value, bool):
                bad()
                return None
            if isinstance(value, (int, float)):
                return value
            if isinstance(value, str):
                text = value.strip()
                if text in ("NaN", "Infinity", "-Infinity"):
                    return float(text.replace("Infinity", "inf"))
                try:
                    return float(text)
                except ValueError:
                    pass
            bad()
            return None
        if typ == "string":
            if isinstance(value, str):
                return value
            bad()
            return None
        return value

    def _message(
        self, value: Any, ref: str, path: str, field_name: str, problems: list[_Problem]
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            problems.append(
                _Problem("value", path, type_label=f"type.googleapis.com/{self.package}.{ref}", value=value)
            )
            return None
        props: dict[str, Any] = self.schemas[ref].get("properties", {})
        names = self._field_names(ref)
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = names.get(key)
            if name is None:
                if self.reject_unknown:
                    problems.append(_Problem("unknown", path, name=key))
                continue
            sub = f"{path}.{camel_to_snake(name)}" if path else camel_to_snake(name)
            normalised = self._value(item, props[name], sub, name, problems)
            if normalised is not None and not (normalised == [] and self.api == "sheets"):
                # proto3: an empty repeated field is the same as an absent one
                out[name] = normalised
        if self.api == "sheets":
            self._pair_colors(ref, out)
        return out

    def _color_pairs(self, ref: str) -> list[tuple[str, str]]:
        pairs = self._pairs_cache.get(ref)
        if pairs is None:
            props: dict[str, Any] = self.schemas[ref].get("properties", {})
            pairs = [
                (name, name + "Style")
                for name, spec in props.items()
                if spec.get("$ref") == "Color" and props.get(name + "Style", {}).get("$ref") == "ColorStyle"
            ]
            self._pairs_cache[ref] = pairs
        return pairs

    def _pair_colors(self, ref: str, out: dict[str, Any]) -> None:
        """Store colours as the service does (it answers with both forms, zeros left out)."""
        if ref == "Color":
            for comp in ("red", "green", "blue"):
                if comp in out:
                    out[comp] = _color_component(out[comp])
                    if out[comp] == 0:
                        del out[comp]
            return
        for plain, styled in self._color_pairs(ref):
            style = out.get(styled)
            if style == {}:
                del out[styled]
                style = None
            if style is not None and "rgbColor" in style:
                out[plain] = dict(style["rgbColor"])
            elif style is None and plain in out:
                out[styled] = {"rgbColor": dict(out[plain])}


def _float32(value: float) -> float:
    """The shortest decimal that reads back as the same 32-bit float (how Google prints floats)."""
    packed = struct.pack("<f", value)
    for digits in range(6, 10):
        candidate = float(f"{value:.{digits}g}")
        if struct.pack("<f", candidate) == packed:
            return candidate
    return float(struct.unpack("<f", packed)[0])


def _color_component(value: Any) -> float:
    """The service keeps 8 bits per colour channel (0.5 comes back as 0.49803922)."""
    level = math.floor(min(max(float(value), 0.0), 1.0) * 255 + 1e-6)
    return _float32(level / 255)


# --------------------------------------------------------------- query parameters


_GLOBAL_PARAMS = {
    "$.xgafv",
    "access_token",
    "alt",
    "callback",
    "fields",
    "key",
    "oauth_token",
    "prettyPrint",
    "quotaUser",
    "uploadType",
    "upload_protocol",
}


def _parse_bool(text: str) -> bool | None:
    low = text.strip().lower()
    if low in ("true", "1"):
        return True
    if low in ("false", "0", ""):
        return False
    return None


def validate_query(api: Api, route: Route, query: dict[str, list[str]], package: str) -> dict[str, Any]:
    """Check the query parameters of a request against the method's declared parameters.

    Returns the parameters converted to Python values (repeated parameters as lists).
    The Sheets API rejects unknown parameters; Drive v3 ignores them (gspread sends
    ``includeItemsFromAllDrives`` to files.get, which the real service accepts).
    """
    declared: dict[str, Any] = route.description.get("parameters", {})
    problems: list[_Problem] = []
    out: dict[str, Any] = {}
    for name, values in query.items():
        spec = declared.get(name)
        if spec is None or spec.get("location") != "query":
            if name in _GLOBAL_PARAMS or api == "drive":
                out[name] = values[-1]
                continue
            problems.append(_Problem("unknown", "", name=name))
            continue
        converted: list[Any] = []
        label_name = camel_to_snake(name)
        for raw in values:
            value: Any = raw
            typ = spec.get("type")
            if "enum" in spec:
                if raw not in spec["enum"]:
                    label = f"type.googleapis.com/{package}.{_pascal(name)}"
                    problems.append(_Problem("value", label_name, type_label=label, value=raw))
                    continue
            elif typ == "boolean":
                parsed = _parse_bool(raw)
                if parsed is None:
                    problems.append(_Problem("value", label_name, type_label="TYPE_BOOL", value=raw))
                    continue
                value = parsed
            elif typ == "integer":
                try:
                    value = int(raw)
                except ValueError:
                    problems.append(_Problem("value", label_name, type_label="TYPE_INT32", value=raw))
                    continue
                lo = int(spec.get("minimum", -(2**31)))
                hi = int(spec.get("maximum", 2**31 - 1))
                if api == "drive" and not lo <= value <= hi:
                    raise ApiError(
                        400,
                        f"Invalid value '{raw}'. Values must be within the range: [{lo}, {hi}]",
                        drive_reason="invalid",
                        drive_location=name,
                    )
            converted.append(value)
        if not converted:
            continue
        out[name] = converted if spec.get("repeated") else converted[-1]
    if problems:
        messages = []
        violations = []
        for p in problems:
            if p.kind == "unknown":
                msg = (
                    f'Invalid JSON payload received. Unknown name "{p.name}": Cannot bind query '
                    f"parameter. Field '{p.name}' could not be found in request message."
                )
                violations.append(FieldViolation(msg))
            else:
                msg = p.message()
                violations.append(FieldViolation(msg, p.path))
            messages.append(msg)
        raise ApiError(400, "\n".join(messages), violations=violations, drive_reason="invalid")
    return out
