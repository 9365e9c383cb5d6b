"""Field masks: the ``fields`` query parameter and the ``fields`` of update requests.

Google's partial-response syntax is a comma-separated list of paths, each made of names
separated by ``.`` or ``/``, where ``name(sub1,sub2)`` selects several sub-fields and
``*`` selects everything, e.g. ``sheets.properties,sheets.data.rowData.values(
userEnteredValue,note,userEnteredFormat.backgroundColor)``.  Arrays are transparent: a
path into a list applies to every element.

A parsed mask is a :data:`Mask` tree: ``{"sheets": {"properties": None, "data": {...}}}``
where ``None`` means "this field with everything below it".
"""

from __future__ import annotations

from typing import Any, Union

from .discovery import SchemaValidator, snake_to_camel
from .errors import ApiError


def json_copy(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists, scalars)."""
    if type(value) is dict:
        return {k: json_copy(v) for k, v in value.items()}
    if type(value) is list:
        return [json_copy(v) for v in value]
    return value


__all__ = ["Mask", "MaskSyntaxError", "apply_update_mask", "filter_fields", "mask_paths", "parse_mask", "validate_mask"]

Mask = dict[str, Union["Mask", None]]


class MaskSyntaxError(ValueError):
    """The text is not a valid field mask."""


def _merge(into: Mask, name: str, sub: Mask | None) -> None:
    if name in into:
        existing = into[name]
        if existing is None or sub is None:
            into[name] = None
            return
        for k, v in sub.items():
            _merge(existing, k, v)
        return
    into[name] = sub


def parse_mask(text: str, *, lenient_spaces: bool = False) -> Mask:
    """Parse ``text``; raise :class:`MaskSyntaxError` when it is malformed.

    The Sheets API does not accept blanks around names (``"a, b"`` is a 400); Drive does,
    hence ``lenient_spaces``.
    """
    if lenient_spaces:
        text = "".join(text.split())
    pos = 0

    def parse_list(depth: int) -> Mask:
        nonlocal pos
        result: Mask = {}
        while True:
            names: list[str] = []
            start = pos
            while True:
                begin = pos
                while pos < len(text) and text[pos] not in ",()./":
                    pos += 1
                name = text[begin:pos]
                if not name or (name != "*" and not all(c.isalnum() or c in "_@$" for c in name)):
                    raise MaskSyntaxError(f"invalid field mask {text!r} at {start}")
                names.append(snake_to_camel(name) if "_" in name else name)
                if pos < len(text) and text[pos] in "./":
                    pos += 1
                    continue
                break
            sub: Mask | None = None
            if pos < len(text) and text[pos] == "(":
                pos += 1
                sub = parse_list(depth + 1)
                if pos >= len(text) or text[pos] != ")":
                    raise MaskSyntaxError(f"unbalanced parentheses in {text!r}")
                pos += 1
            # build the nested chain names[0] -> names[1] -> ... -> sub
            node: Mask | None = sub
            for name in reversed(names[1:]):
                node = {name: node}
            _merge(result, names[0], node)
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            if pos < len(text) and text[pos] == ")" and depth > 0:
                return result
            if pos >= len(text) and depth == 0:
                return result
            raise MaskSyntaxError(f"unexpected character in field mask {text!r} at {pos}")

    if not text:
        raise MaskSyntaxError("empty field mask")
    return parse_list(0)


def mask_paths(mask: Mask, prefix: str = "") -> list[str]:
    """Flatten a mask into dotted paths (for messages)."""
    out: list[str] = []
    for name, sub in mask.items():
        path = f"{prefix}.{name}" if prefix else name
        if sub is None:
            out.append(path)
        else:
            out.extend(mask_paths(sub, path))
    return out


def validate_mask(mask: Mask, validator: SchemaValidator, ref: str) -> str | None:
    """Return the first path of ``mask`` that names no field of schema ``ref``, or None."""

    def walk(node: Mask, schema: dict[str, Any], prefix: str) -> str | None:
        while True:
            if "$ref" in schema:
                schema = validator.schema(schema["$ref"])
            elif schema.get("type") == "array":
                schema = schema.get("items", {})
            else:
                break
        props: dict[str, Any] | None = schema.get("properties")
        extra = schema.get("additionalProperties")
        for name, sub in node.items():
            path = f"{prefix}.{name}" if prefix else name
            if name == "*":
                continue
            if props is not None and name in props:
                child = props[name]
            elif extra is not None:
                child = extra
            elif schema.get("type") == "any" or (props is None and extra is None and schema.get("type") == "object"):
                continue
            else:
                return path
            if sub is not None:
                bad = walk(sub, child, path)
                if bad is not None:
                    return bad
        return None

    return walk(mask, {"$ref": ref}, "")


def filter_fields(value: Any, mask: Mask | None) -> Any:
    """Keep only the parts of ``value`` that ``mask`` selects (partial response).

    As Google does, a selected object that ends up empty is kept (``{"properties": {}}``)
    and list elements are kept in place (``[{}, {"note": "x"}]``).
    """
    if mask is None:
        return value
    if isinstance(value, list):
        return [filter_fields(v, mask) for v in value]
    if not isinstance(value, dict):
        return value
    if "*" in mask:
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in mask:
            out[key] = filter_fields(item, mask[key])
    return out


def apply_update_mask(target: dict[str, Any], source: dict[str, Any], mask: Mask | None) -> None:
    """Copy the fields ``mask`` names from ``source`` into ``target`` (in place).

    A named field missing from ``source`` is cleared in ``target``: that is how the API's
    update requests (``updateCells``, ``repeatCell``, ``updateSheetProperties``...) clear
    things.  ``None`` or ``*`` replaces the whole object.
    """
    if mask is None or "*" in mask:
        target.clear()
        target.update(json_copy(source))
        return
    for name, sub in _with_color_twins(mask).items():
        if sub is None:
            if name in source:
                target[name] = json_copy(source[name])
            else:
                target.pop(name, None)
            continue
        src = source.get(name)
        if not isinstance(src, dict):
            src = {}
        dst = target.get(name)
        if not isinstance(dst, dict):
            dst = {}
        apply_update_mask(dst, src, sub)
        if dst:
            target[name] = dst
        else:
            target.pop(name, None)


def _with_color_twins(mask: Mask) -> Mask:
    """Name ``fooColorStyle`` with ``fooColor`` (and the reverse): the service keeps them in step."""
    out: Mask = dict(mask)
    for name, sub in mask.items():
        if sub is not None:
            continue
        if name.endswith("ColorStyle") or name == "colorStyle":
            out.setdefault(name[: -len("Style")], None)
        elif name.endswith("Color") or name == "color":
            out.setdefault(name + "Style", None)
    return out


def parse_request_mask(text: str | None, validator: SchemaValidator, ref: str, where: str) -> Mask | None:
    """Parse the ``fields`` of an update request; ``where`` prefixes error messages.

    Returns ``None`` for ``*``.  Raises a 400 :class:`ApiError` like the service does for a
    missing or unknown field.
    """
    if text is None or text == "":
        raise ApiError(400, f"Invalid {where}: At least one field must be specified.")
    try:
        mask = parse_mask(text, lenient_spaces=True)
    except MaskSyntaxError:
        raise ApiError(400, f"Invalid {where}: Invalid field mask: {text}") from None
    if list(mask) == ["*"] and mask["*"] is None:
        return None
    bad = validate_mask(mask, validator, ref)
    if bad is not None:
        raise ApiError(400, f"Invalid {where}: Invalid field mask: '{bad}' is not a field of {ref}.")
    return mask
