"""Maturity and rating: CC-CMM levels from a self-assessment, CCCS outcomes from the gap report.

Every threshold comes from the standards map (``scoring``, ``levels``, ``outcomes``); this module
only applies them. A level is reached when all of its rules hold and every lower level is reached
too (a center climbs one level at a time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from generator.standards import Catalog, Standard


def maturity(data: Mapping[str, Any], catalog: Catalog) -> list[dict[str, Any]]:
    """One result per standard with levels that the self-assessment scores."""
    scores = _scores(data)
    years = operating_years(data)
    results = []
    for standard in catalog.standards.values():
        if standard.levels and any(uid.startswith(f"{standard.id}/") for uid in scores):
            results.append(level_result(standard, scores, years))
    return results


def operating_years(data: Mapping[str, Any]) -> float | None:
    """Years from the start of operation to the assessment date; None when either is unknown."""
    org = data.get("organization") or {}
    since = org.get("operating_since") or (org.get("period") or {}).get("start")
    until = data.get("assessment_date")
    if not since or not until:
        return None
    days = (dt.date.fromisoformat(str(until)) - dt.date.fromisoformat(str(since))).days
    return round(max(days, 0) / 365.25, 1)


def _scores(data: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    return {
        item["requirement"]: {"c": item["c"], "f": item["f"]}
        for item in data.get("self_assessment") or []
    }


def level_result(
    standard: Standard, scores: Mapping[str, Mapping[str, int]], years: float | None = None
) -> dict[str, Any]:
    """Per-section figures, the total, the level reached and what blocks the next one.

    ``years`` of operation count for levels with a minimum; unknown years never satisfy one.
    """
    items = list(standard.requirements)
    scoring = standard.scoring
    best = max(scoring["scores"])
    total = sum(scores.get(r.uid, {}).get(d["id"], 0) for r in items for d in scoring["dimensions"])
    maximum = best * len(scoring["dimensions"]) * len(items)
    scaled = round(total / maximum * scoring.get("total_scale", maximum), 1) if maximum else 0.0
    reached, blockers = 0, []
    for level in sorted(standard.levels, key=lambda lv: lv["level"]):
        failed = _failed_rules(standard, level, scores)
        if scaled < level["min_total"]:
            failed.append({"rule": "total", "needed": level["min_total"], "actual": scaled})
        needed_years = level.get("min_operating_years")
        if needed_years and (years is None or years < needed_years):
            failed.append({"rule": "operating_years", "needed": needed_years, "actual": years})
        if failed:
            blockers = failed
            break
        reached = level["level"]
    next_level = reached + 1 if reached < max(lv["level"] for lv in standard.levels) else None
    return {
        "standard": standard.id,
        "short": standard.short,
        "sections": _sections(standard, scores),
        "total": total,
        "maximum": maximum,
        "scaled_total": scaled,
        "operating_years": years,
        "total_scale": scoring.get("total_scale", maximum),
        "level": reached,
        "level_name": _level_name(standard, reached),  # None below the first level
        "next_level": next_level,
        "blockers": blockers if next_level else [],
    }


def _items_in(standard: Standard, sections: list[str]) -> list[str]:
    return [r.uid for r in standard.requirements if standard.top_section_of(r.section) in sections]


def _number(uid: str) -> str:
    return uid.partition("/")[2]


def _failed_rules(
    standard: Standard, level: Mapping[str, Any], scores: Mapping[str, Mapping[str, int]]
) -> list[dict[str, Any]]:
    compliant_at = standard.scoring["compliant_at"]
    failed = []
    for rule in level["rules"]:
        uids = _items_in(standard, rule["sections"])
        short = [u for u in uids if scores.get(u, {}).get(rule["dimension"], 0) < compliant_at]
        share = (len(uids) - len(short)) / len(uids) if uids else 0.0
        if not uids or share < rule["min_share"]:
            needed_items = _needed(len(uids), rule["min_share"])
            failed.append(
                {
                    "rule": "share",
                    "sections": rule["sections"],
                    "dimension": rule["dimension"],
                    "needed": rule["min_share"],
                    "actual": round(share, 4),
                    "items_needed": max(0, needed_items - (len(uids) - len(short))),
                    "not_compliant": [_number(u) for u in short],
                    "assessable": bool(uids),
                }
            )
    return failed


def _needed(count: int, share: float) -> int:
    """The fewest compliant items out of ``count`` that reach ``share``."""
    needed = 0
    while needed < count and needed / count < share - 1e-9:
        needed += 1
    return needed


def _sections(standard: Standard, scores: Mapping[str, Mapping[str, int]]) -> list[dict[str, Any]]:
    best = max(standard.scoring["scores"])
    rows = []
    for top in standard.sections:
        uids = _items_in(standard, [top.id])
        if not uids:
            continue
        c = sum(scores.get(u, {}).get("c", 0) for u in uids)
        f = sum(scores.get(u, {}).get("f", 0) for u in uids)
        rows.append(
            {
                "id": top.id,
                "title": dict(top.title),
                "items": len(uids),
                "scored": sum(1 for u in uids if u in scores),
                "c": c,
                "f": f,
                "c_percent": round(100 * c / (best * len(uids)), 1),
                "f_percent": round(100 * f / (best * len(uids)), 1),
            }
        )
    return rows


def _level_name(standard: Standard, level: int) -> dict[str, str] | None:
    for entry in standard.levels:
        if entry["level"] == level:
            return dict(entry["name"])
    return None


def outcomes(report: Mapping[str, Any], catalog: Catalog) -> list[dict[str, Any]]:
    """Rating outcomes (CCCS) from the share of a standard's requirements met without gaps."""
    results = []
    for entry in report["standards"]:
        standard = catalog.standards[entry["standard"]]
        if not standard.outcomes:
            continue
        status: dict[str, bool] = {}
        for section in entry["sections"]:
            for item in section["items"]:
                met = item["status"] == "present"
                status[item["requirement"]] = status.get(item["requirement"], True) and met
        share = sum(status.values()) / len(status) if status else 0.0
        chosen = max(
            (o for o in standard.outcomes if share >= o["min_share_met"]),
            key=lambda o: o["min_share_met"],
        )
        results.append(
            {
                "standard": standard.id,
                "short": standard.short,
                "share_met": round(share, 4),
                "met": sum(status.values()),
                "requirements": len(status),
                "outcome": chosen["id"],
                "name": dict(chosen["name"]),
            }
        )
    return results
