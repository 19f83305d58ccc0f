"""Training syllabus: modules by track with their skills and courses, and each role's modules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.standards import Catalog

TRACKS = ("onboarding", "recurring", "management")
# The profile schema's cycles, shortest first: the order of a role's recurring hours.
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "half-yearly", "yearly", "per-event")


def resolve_training(data: Mapping[str, Any], catalog: Catalog) -> dict[str, Any]:
    training = data.get("training") or {}
    skills = _skills(catalog)
    courses = {c["id"]: c for s in catalog.standards.values() for c in s.extra.get("courses", [])}
    role_ids = {r["id"] for r in data.get("roles", [])}
    modules = []
    for module in training.get("modules", []):
        audience = set(module.get("audience") or [])
        modules.append(
            {
                **module,
                "for_everyone": bool(audience) and role_ids <= audience,
                "track": module.get("track", "onboarding"),
                "skill_list": [skills[code] for code in module.get("skills", []) if code in skills],
                "course_list": [courses[c] for c in module.get("courses", []) if c in courses],
            }
        )
    return {
        "policy": training.get("policy"),
        "trainers": training.get("trainers"),
        "certification": training.get("certification"),
        "tracks": {t: [m for m in modules if m["track"] == t] for t in TRACKS},
        "modules": modules,
        "matrix": _matrix(data.get("roles", []), modules),
        "course_coverage": [
            {
                **course,
                "modules": [m["id"] for m in modules if course["id"] in m.get("courses", [])],
            }
            for course in courses.values()
        ],
        "onboarding_hours": sum(m.get("hours", 0) for m in modules if m["track"] == "onboarding"),
        "stated_hours": training.get("onboarding_hours"),
        "management_goals": _management_goals(data.get("roles", []), modules, catalog),
    }


def _management_goals(
    roles: list[Mapping[str, Any]], modules: list[dict[str, Any]], catalog: Catalog
) -> list[dict[str, Any]]:
    """Each set of manager goals a standard gives (its ``goal_audiences``), with the roles of that
    skill level attending management modules; a set no role attends is left out."""
    attending = {r for m in modules if m["track"] == "management" for r in m.get("audience") or []}
    found = []
    for standard in catalog.standards.values():
        audiences = standard.extra.get("goal_audiences") or {}
        for key, level in audiences.items():
            names = [
                r["name"] for r in roles if r["id"] in attending and r.get("skill_level") == level
            ]
            if key != "source" and names and standard.extra.get(key):
                found.append({"tier": key, "goals": standard.extra[key], "roles": names})
    return found


def _skills(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """``level/code`` -> the skill with its level and summary, for every skill standard."""
    found = {}
    for standard in catalog.standards.values():
        for level in standard.extra.get("skill_levels", []):
            for area in level.get("areas", []):
                for task in area.get("tasks", []):
                    for skill in task.get("skills", []):
                        key = f"{level['id']}/{skill['code']}"
                        found[key] = {"key": key, "level": level["id"], **skill}
    return found


def _matrix(roles: list[Mapping[str, Any]], modules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per role that attends any module: the modules it attends, in module order, and
    their hours in two sums that never meet, since one is taken once and the other per session:
    ``once_hours`` of the onboarding and management modules (None when it attends none of them),
    and ``recurring_hours``, the hours per session of its recurring modules by frequency
    (``frequency`` None for modules without one, last).

    Linear in roles, modules and audience entries: each audience is read once, into a lookup
    from role id to the modules it attends.
    """
    attended: dict[str, list[dict[str, Any]]] = {}
    for module in modules:
        for role_id in module.get("audience") or []:
            taken = attended.setdefault(role_id, [])
            if not taken or taken[-1] is not module:  # a role listed twice attends once
                taken.append(module)
    rows = []
    for role in roles:
        taken = attended.get(role["id"], [])
        if not taken:
            continue
        once = [m for m in taken if m["track"] != "recurring"]
        per_session: dict[str | None, float] = {}
        for m in taken:
            if m["track"] == "recurring":
                frequency = m.get("frequency")
                per_session[frequency] = per_session.get(frequency, 0) + m.get("hours", 0)
        rows.append(
            {
                "role": role["id"],
                "name": role["name"],
                "modules": [m["id"] for m in taken],
                "once_hours": sum(m.get("hours", 0) for m in once) if once else None,
                "recurring_hours": [
                    {"frequency": f, "hours": per_session[f]}
                    for f in sorted(per_session, key=_frequency_order)
                ],
            }
        )
    return rows


def _frequency_order(frequency: str | None) -> int:
    return FREQUENCIES.index(frequency) if frequency in FREQUENCIES else len(FREQUENCIES)
