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
    result = []
    for role in roles:
        processes = _steps_of(data.get("processes", []), role["id"])
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


def _steps_of(processes: Sequence[Mapping[str, Any]], role_id: str) -> list[dict[str, Any]]:
    """The processes ``role_id`` takes steps in, each with those steps numbered as in the
    process."""
    found = []
    for process in processes:
        steps = [
            {"number": n, "action": s["action"], "time_limit": s.get("time_limit")}
            for n, s in enumerate(process.get("steps", []), start=1)
            if s.get("role") == role_id
        ]
        if steps:
            found.append({"id": process["id"], "name": process["name"], "steps": steps})
    return found
