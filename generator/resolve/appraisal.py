"""The appraisal rules and the rewards and penalties tied to them, gathered from the profile.

Each role's scorecard lists its items with their weights; an item that is a KPI takes the KPI's
name and target from the KPI catalogue, so a target is written once. Grades are ordered from
the highest lowest-score down, each with the score range it covers; rewards and penalties name
the grade they follow from by its name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def resolve_appraisal(
    data: Mapping[str, Any], roles: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """``people.appraisal`` with scorecards per role (in reporting order) and ranged grades."""
    appraisal = data.get("people", {}).get("appraisal", {})
    kpis = {k["id"]: k for k in data.get("kpis", [])}
    cards = {c["role"]: c for c in appraisal.get("scorecards", [])}
    owners: dict[str, list[Any]] = {}
    for k in data.get("kpis", []):
        owners.setdefault(k.get("owner", ""), []).append(k)
    scorecards = []
    for role in roles:
        card = cards.get(role["id"])
        owned = owners.get(role["id"], [])
        if card is None and not owned:
            continue
        scorecards.append(
            {
                "role": role["name"],
                "id": role["id"],
                "cycle": (card or {}).get("cycle"),
                "method": (card or {}).get("method"),
                "items": [_item(i, kpis) for i in (card or {}).get("items", [])],
                "total": sum(i["weight"] for i in (card or {}).get("items", [])),
                "owned": owned,
            }
        )
    return {**appraisal, "scorecards": scorecards, "grades": ranged_grades(appraisal)}


def _item(item: Mapping[str, Any], kpis: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    kpi = kpis.get(item.get("kpi", ""))
    return {
        "name": kpi["name"] if kpi else item.get("item", ""),
        "kpi": kpi,
        "target": item.get("target"),
        "weight": item["weight"],
    }


def ranged_grades(appraisal: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Grades highest first, each with ``high``: the next higher grade's lowest score (None for
    the top grade)."""
    grades = sorted(appraisal.get("grades", []), key=lambda g: -g["min_score"])
    return [{**g, "high": grades[i - 1]["min_score"] if i else None} for i, g in enumerate(grades)]


def resolve_rewards(data: Mapping[str, Any]) -> dict[str, Any]:
    """Rewards and penalties, each with the name of the grade it follows from (or None)."""
    people = data.get("people", {})
    grades = {g["id"]: g["name"] for g in people.get("appraisal", {}).get("grades", [])}
    return {
        "rewards": [
            {**r, "grade_name": grades.get(r.get("grade", ""))} for r in people.get("rewards", [])
        ],
        "penalties": [
            {**p, "grade_name": grades.get(p.get("grade", ""))} for p in people.get("penalties", [])
        ],
    }
