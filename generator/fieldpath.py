"""Field paths: the small language the standards map uses to name profile values.

``positioning.vision`` names a value; ``roles[].duties`` names the field in every item of a list;
``security.policies[kind=data]`` asks for at least one item whose ``kind`` is ``data``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"([A-Za-z0-9_$-]+)|\[\]|\[([A-Za-z0-9_-]+)=([^\]]+)\]|\.|(\*)")


def escape_pointer_token(token: str | int) -> str:
    """A key or index as one token of a JSON pointer (``~`` and ``/`` escaped)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def field_path(pointer: str) -> str:
    """The field path of the value at ``pointer``: ``/service_levels/0/percent`` as
    ``service_levels[].percent``, ``/processes/3/steps`` as ``processes[].steps``."""
    return re.sub(r"/\d+(?=/|$)", "[]", pointer).replace("/", ".").removeprefix(".")


@dataclass(frozen=True, slots=True)
class Step:
    """One step: a mapping key, every list item (``[]``), selected items, or every value (``*``)."""

    key: str | None = None
    select: tuple[str, str] | None = None  # (key, value) of [key=value]
    any_value: bool = False  # "*": every value of a mapping


@functools.lru_cache(maxsize=4096)
def parse_path(path: str) -> tuple[Step, ...]:
    """Split a field path into steps; raise ValueError on a malformed path.

    The map's few hundred paths are parsed thousands of times per validation: kept per process.
    """
    steps: list[Step] = []
    pos = 0
    while pos < len(path):
        match = _TOKEN.match(path, pos)
        if not match or match.end() == pos:
            raise ValueError(f"malformed field path {path!r} at position {pos}")
        key, sel_key, sel_value, star = match.groups()
        if star:
            steps.append(Step(any_value=True))
        elif key:
            steps.append(Step(key=key))
        elif sel_key:
            steps.append(Step(select=(sel_key, sel_value)))
        elif match.group(0) == "[]":
            steps.append(Step())
        pos = match.end()
    if not steps:
        raise ValueError("empty field path")
    return tuple(steps)


def is_filled(value: Any) -> bool:
    """A value counts as present unless it is absent, null, blank or an empty collection."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | dict):
        return bool(value)
    return True


def missing(data: Any, path: str) -> list[str]:
    """JSON pointers at which ``path`` is not filled in ``data`` (empty when it is)."""
    return list(_missing(data, parse_path(path), ""))


def _missing(value: Any, steps: tuple[Step, ...], pointer: str) -> Iterator[str]:
    if not steps:
        if not is_filled(value):
            yield pointer
        return
    step, rest = steps[0], steps[1:]
    if step.key is not None:
        child = value.get(step.key) if isinstance(value, Mapping) else None
        child_pointer = f"{pointer}/{escape_pointer_token(step.key)}"
        yield from _missing(child, rest, child_pointer) if is_filled(child) else [child_pointer]
    elif step.any_value:
        yield from _missing_in_values(value, rest, pointer)
    elif not isinstance(value, list) or not value:
        yield pointer
    elif step.select is not None:
        yield from _missing_in_selection(value, step.select, rest, pointer)
    else:
        for i, item in enumerate(value):
            yield from _missing(item, rest, f"{pointer}/{i}")


def _missing_in_values(value: Any, rest: tuple[Step, ...], pointer: str) -> Iterator[str]:
    if not isinstance(value, Mapping) or not value:
        yield pointer
        return
    for key, child in value.items():
        yield from _missing(child, rest, f"{pointer}/{escape_pointer_token(key)}")


def _missing_in_selection(
    items: list[Any], select: tuple[str, str], rest: tuple[Step, ...], pointer: str
) -> Iterator[str]:
    chosen = [(i, v) for i, v in enumerate(items) if _selected(v, *select)]
    if not chosen:
        yield pointer
        return
    # One complete matching item is enough; otherwise report what the first one lacks.
    results = [list(_missing(v, rest, f"{pointer}/{i}")) for i, v in chosen]
    if all(results):
        yield from results[0]


def _selected(item: Any, key: str, wanted: str) -> bool:
    return isinstance(item, Mapping) and str(item.get(key)) == wanted


def values(data: Any, path: str) -> list[tuple[str, Any]]:
    """Every (pointer, value) that ``path`` reaches in ``data``; absent values are skipped."""
    found: list[tuple[str, Any]] = []
    _collect(data, parse_path(path), "", found)
    return found


def _collect(value: Any, steps: tuple[Step, ...], pointer: str, out: list[tuple[str, Any]]) -> None:
    if not steps:
        out.append((pointer, value))
        return
    step, rest = steps[0], steps[1:]
    if step.any_value:
        if isinstance(value, Mapping):
            for key, child in value.items():
                _collect(child, rest, f"{pointer}/{escape_pointer_token(key)}", out)
        return
    if step.key is not None:
        if isinstance(value, Mapping) and step.key in value and value[step.key] is not None:
            child_pointer = f"{pointer}/{escape_pointer_token(step.key)}"
            _collect(value[step.key], rest, child_pointer, out)
        return
    if not isinstance(value, list):
        return
    for i, item in enumerate(value):
        if step.select is None or _selected(item, *step.select):
            _collect(item, rest, f"{pointer}/{i}", out)


def schema_at(schema: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    """The subschema a path leads to in ``schema``; raise KeyError if the path leaves it."""
    node = _deref(schema, schema)
    for step in parse_path(path):
        if step.any_value:
            children = list(node.get("properties", {}).values())
            if not children:
                raise KeyError(f"{path!r}: '*' on something without properties")
            node = _deref(schema, children[0])
            continue
        if step.key is not None:
            properties = node.get("properties", {})
            if step.key not in properties:
                raise KeyError(f"{path!r}: no property {step.key!r}")
            node = _deref(schema, properties[step.key])
            continue
        if node.get("type") != "array" or "items" not in node:
            raise KeyError(f"{path!r}: a list step on something that is not a list")
        node = _deref(schema, node["items"])
        if step.select is not None and step.select[0] not in node.get("properties", {}):
            raise KeyError(f"{path!r}: list items have no property {step.select[0]!r}")
    return node


def _deref(root: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise KeyError(f"cannot follow external reference {ref!r}")
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node
