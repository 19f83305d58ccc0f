"""Several workbooks as one profile, and one profile as a workbook per owner.

``split_by_owner`` keeps, for each role, the items it owns (``owner`` is its id) with what they
hold (a process's steps), so each owner fills in their own part. ``merge_imports`` lays the
workbooks over each other as ``extends:`` lays profiles: mappings key by key, lists of items by
id. The same value given differently in two workbooks is a conflict, reported at both cells.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from generator.errors import Finding, Location
from generator.intake.read import Imported
from generator.messages import finding


def owners(data: Any) -> list[str]:
    """Every role id that owns something, in the order they first appear."""
    found: dict[str, None] = {}
    _collect_owners(data, found)
    return list(found)


def _collect_owners(value: Any, found: dict[str, None]) -> None:
    if isinstance(value, Mapping):
        owner = value.get("owner")
        if isinstance(owner, str):
            found.setdefault(owner, None)
        for child in value.values():
            _collect_owners(child, found)
    elif isinstance(value, list):
        for child in value:
            _collect_owners(child, found)


def split_by_owner(data: Mapping[str, Any], owner: str) -> dict[str, Any]:
    """The part of ``data`` ``owner`` owns: every item (or document) whose owner it is, within
    its sections, and the organization's id and name to say whose workbook it is."""
    part = _owned(data, owner) or {}
    org = data.get("organization", {})
    part["organization"] = {
        **{k: org[k] for k in ("id", "name") if k in org},
        **part.get("organization", {}),
    }
    return part


def _owned(value: Any, owner: str) -> Any:
    if isinstance(value, Mapping):
        if value.get("owner") == owner:
            return dict(value)
        kept = {k: v for k, v in ((k, _owned(v, owner)) for k, v in value.items()) if v}
        return kept or None
    if isinstance(value, list):
        items = [dict(v) for v in value if isinstance(v, Mapping) and v.get("owner") == owner]
        return items or None
    return None


def merge_imports(
    parts: Sequence[Imported],
) -> tuple[dict[str, Any], dict[str, tuple[str, str]], list[Finding]]:
    """The workbooks' profiles laid over each other in order, the cells of the merged values
    and every conflict."""
    merged: dict[str, Any] = {}
    cells: dict[str, tuple[str, str]] = {}
    conflicts: list[Finding] = []
    for part in parts:
        _merge(merged, part.data, "", "", cells, part.cells, conflicts)
    return merged, cells, conflicts


def _merge(
    into: dict[str, Any],
    new: Mapping[str, Any],
    at: str,
    source: str,
    cells: dict[str, tuple[str, str]],
    where: Mapping[str, tuple[str, str]],
    conflicts: list[Finding],
) -> None:
    for key, value in new.items():
        here, there = f"{at}/{key}", f"{source}/{key}"
        if key not in into:
            into[key] = value
            _place(cells, where, there, here)
        elif isinstance(into[key], dict) and isinstance(value, Mapping):
            _merge(into[key], value, here, there, cells, where, conflicts)
        elif _by_id(into[key]) and _by_id(value):
            _merge_list(into[key], value, here, there, cells, where, conflicts)
        elif into[key] != value:
            mine = where.get(there, (there, key))
            other = cells.get(here, (here, key))[0]
            where_mine = Location(Path(mine[0]), pointer=mine[1])
            there_value, here_value = _shown(into[key]), _shown(value)
            conflicts.append(
                finding(
                    where_mine, "intake.conflict", other=other, there=there_value, here=here_value
                )
            )


def _merge_list(
    into: list[Any],
    new: list[Any],
    at: str,
    source: str,
    cells: dict[str, tuple[str, str]],
    where: Mapping[str, tuple[str, str]],
    conflicts: list[Finding],
) -> None:
    index = {item["id"]: i for i, item in enumerate(into)}
    for j, item in enumerate(new):
        i = index.get(item["id"])
        if i is None:
            into.append(item)
            _place(cells, where, f"{source}/{j}", f"{at}/{len(into) - 1}")
        else:
            _merge(into[i], item, f"{at}/{i}", f"{source}/{j}", cells, where, conflicts)


def _place(
    cells: dict[str, tuple[str, str]], where: Mapping[str, tuple[str, str]], source: str, at: str
) -> None:
    """The cells of a value taken whole, under its new pointer."""
    for pointer, cell in where.items():
        if pointer == source or pointer.startswith(source + "/"):
            cells[at + pointer[len(source) :]] = cell


def _by_id(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(i, Mapping) and isinstance(i.get("id"), str) for i in value)
    )


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
