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
    kpis = data.get("kpis", [])
    processes = data.get("processes", [])
    positions = []
    for role in roles:
        rid = role["id"]
        attended = [m for m in modules if rid in (m.get("audience") or [])]
        positions.append(
            {
                **role,
                "manager": names.get(role.get("reports_to", ""), ""),
                "reports": [r["name"] for r in roles if r.get("reports_to") == rid],
                "kpis": [k for k in kpis if k.get("owner") == rid],
                "processes": [
                    {
                        "name": p["name"],
                        "owner": p.get("owner") == rid,
                        "steps": [s["action"] for s in p.get("steps", []) if s.get("role") == rid],
                    }
                    for p in processes
                    if p.get("owner") == rid
                    or any(s.get("role") == rid for s in p.get("steps", []))
                ],
                "modules": [m["title"] for m in attended],
                "skills": _unique(s for m in attended for s in m.get("skill_list", [])),
            }
        )
    return positions


def _unique(skills: Any) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for skill in skills:
        seen.setdefault(skill["key"], skill)
    return sorted(seen.values(), key=lambda s: s["key"])
