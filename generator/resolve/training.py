"""Training syllabus: modules by track with their skills and courses, and the role matrix."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.standards import Catalog

TRACKS = ("onboarding", "recurring", "management")


def resolve_training(data: Mapping[str, Any], catalog: Catalog) -> dict[str, Any]:
    training = data.get("training") or {}
    skills = _skills(catalog)
    courses = {c["id"]: c for s in catalog.standards.values() for c in s.extra.get("courses", [])}
    modules = []
    for module in training.get("modules", []):
        modules.append(
            {
                **module,
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
    }


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
    """One row per role that attends any module: which modules, and the hours they add up to."""
    rows = []
    for role in roles:
        attends = [m["id"] for m in modules if role["id"] in m.get("audience", [])]
        if attends:
            hours = sum(m.get("hours", 0) for m in modules if m["id"] in attends)
            rows.append(
                {"role": role["id"], "name": role["name"], "modules": attends, "hours": hours}
            )
    return rows
