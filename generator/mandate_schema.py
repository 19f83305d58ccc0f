"""The mandate layer as JSON Schema: the profile schema with every mandated field required, for
editors (``ccdocs schema --standard``, ``profile.schema.json`` of ``ccdocs init``)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from generator import fieldpath
from generator.mandates import Target, mandated_requirements
from generator.standards import Catalog


def mandate_schema(catalog: Catalog, targets: Iterable[Target]) -> dict[str, Any]:
    """The profile schema with every field the targets mandate made required."""
    schema = copy.deepcopy(dict(catalog.profile_schema))
    for key in [k for k in schema if k.startswith("x-")]:
        del schema[key]
    overlay: dict[str, Any] = {}
    targets = list(targets)
    for req in mandated_requirements(targets):
        for path in req.fields:
            _require(overlay, fieldpath.parse_path(path), req.uid)
    if overlay:
        labels = ", ".join(t.label for t in targets)
        overlay["description"] = f"Fields mandated by {labels}"
        schema["allOf"] = [overlay]
    return schema


_FILLED: dict[str, Any] = {"not": {"enum": [None, "", [], {}]}}


def _require(node: dict[str, Any], steps: tuple[fieldpath.Step, ...], uid: str) -> None:
    if not steps:
        node.update(copy.deepcopy(_FILLED))
        node["description"] = _append(node.get("description"), uid)
        return
    step, rest = steps[0], steps[1:]
    if step.key is not None:
        required = node.setdefault("required", [])
        if step.key not in required:
            required.append(step.key)
        child = node.setdefault("properties", {}).setdefault(step.key, {})
        if not rest:
            child.update(copy.deepcopy(_FILLED))
            child["description"] = _append(child.get("description"), uid)
            return
        _require(child, rest, uid)
    elif step.any_value:
        _require(node.setdefault("additionalProperties", {}), rest, uid)
    elif step.select is not None:
        key, value = step.select
        contains: dict[str, Any] = {"required": [key], "properties": {key: {"const": value}}}
        if rest:
            _require(contains, rest, uid)
        node.setdefault("allOf", []).append(
            {"contains": contains, "description": f"{uid}: an item with {key}={value}"}
        )
    else:
        node["minItems"] = 1
        _require(node.setdefault("items", {}), rest, uid)


def _append(description: str | None, uid: str) -> str:
    if not description:
        return f"Required by {uid}"
    return description if uid in description else f"{description}, {uid}"
