"""Work rules (工作细则) per role: the steps each role takes in the center's processes, with
their numbers and time limits, and the role's own rules from ``work_rules.roles``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def resolve_work_rules(
    data: Mapping[str, Any], roles: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """One entry per role (in reporting order) that takes process steps or has rules."""
    own: dict[str, list[Any]] = {}
    for entry in data.get("work_rules", {}).get("roles", []):
        own.setdefault(entry["role"], []).extend(entry.get("rules", []))
    steps = _steps_by_role(data.get("processes", []))
    result = []
    for role in roles:
        processes = steps.get(role["id"], [])
        if processes or own.get(role["id"]):
            result.append(
                {
                    "id": role["id"],
                    "name": role["name"],
                    "processes": processes,
                    "rules": own.get(role["id"], []),
                }
            )
    return result


def _steps_by_role(processes: Sequence[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """For each role, the processes it takes steps in, each with those steps numbered as in the
    process: one pass over the steps."""
    found: dict[str, list[dict[str, Any]]] = {}
    for process in processes:
        mine: dict[str, list[dict[str, Any]]] = {}
        for n, s in enumerate(process.get("steps", []), start=1):
            if isinstance(s.get("role"), str):
                step = {"number": n, "action": s["action"], "time_limit": s.get("time_limit")}
                mine.setdefault(s["role"], []).append(step)
        for role_id, steps in mine.items():
            entry = {"id": process["id"], "name": process["name"], "steps": steps}
            found.setdefault(role_id, []).append(entry)
    return found
