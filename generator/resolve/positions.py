"""Position descriptions (岗位说明书): one entry per role, gathered from the rest of the profile.

A role's own fields give its duties, qualifications, skill level, headcount and partner; the
rest comes from where the profile already says it: the reporting line (``reports_to`` both
ways), the KPIs it owns, the processes it owns or takes steps in, and the training modules it
attends with the vocational skills they teach.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def resolve_positions(
    data: Mapping[str, Any],
    roles: Sequence[Mapping[str, Any]],
    modules: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """``roles`` (in reporting order) as position descriptions; ``modules`` as resolved for the
    training syllabus (with their ``skill_list``)."""
    names = {r["id"]: r["name"] for r in roles}
    reports: dict[str, list[str]] = {}
    for r in roles:
        reports.setdefault(r.get("reports_to", ""), []).append(r["name"])
    owned: dict[str, list[Any]] = {}
    for k in data.get("kpis", []):
        owned.setdefault(k.get("owner", ""), []).append(k)
    attended: dict[str, list[Mapping[str, Any]]] = {}
    for m in modules:
        for rid in dict.fromkeys(m.get("audience") or []):
            attended.setdefault(rid, []).append(m)
    involved = _processes_by_role(data.get("processes", []))
    positions = []
    for role in roles:
        rid = role["id"]
        theirs = attended.get(rid, [])
        positions.append(
            {
                **role,
                "manager": names.get(role.get("reports_to", ""), ""),
                "reports": reports.get(rid, []),
                "kpis": owned.get(rid, []),
                "processes": involved.get(rid, []),
                "modules": [m["title"] for m in theirs],
                "skills": _unique(s for m in theirs for s in m.get("skill_list", [])),
            }
        )
    return positions


def _processes_by_role(processes: Sequence[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Each role's processes (those it owns or takes steps in, in the profile's order), each
    with whether the role owns it and the actions of its steps: one pass over the steps."""
    by_role: dict[str, list[dict[str, Any]]] = {}
    for p in processes:
        owner = p.get("owner")
        actions: dict[str, list[Any]] = {}
        for step in p.get("steps", []):
            if isinstance(step.get("role"), str):
                actions.setdefault(step["role"], []).append(step["action"])
        for rid in dict.fromkeys([*([owner] if isinstance(owner, str) else []), *actions]):
            entry = {"name": p["name"], "owner": owner == rid, "steps": actions.get(rid, [])}
            by_role.setdefault(rid, []).append(entry)
    return by_role


def _unique(skills: Any) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for skill in skills:
        seen.setdefault(skill["key"], skill)
    return sorted(seen.values(), key=lambda s: s["key"])
