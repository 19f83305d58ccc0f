"""The method behind the verdicts: which thresholds and rules are ccdocs' own interpretation.

Every threshold of the standards map carries a ``source``: the standard itself, or ccdocs where
the standard is silent. The gap report's method section lists the latter, grouped by note, with
the items each applies to, so an assessor sees at once what is the standard and what is ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from generator.standards import Standard

Source = Mapping[str, Any]


def interpretations(standards: Iterable[Standard]) -> list[dict[str, Any]]:
    """ccdocs' interpretations in the rules of ``standards``: standard, items, note."""
    found: list[dict[str, Any]] = []
    for standard in standards:
        grouped: dict[str, dict[str, Any]] = {}
        for item, source in _sources(standard):
            if source.get("by") != "ccdocs":
                continue
            entry = grouped.setdefault(
                source["note"]["en"],
                {"standard": standard.short, "items": [], "note": dict(source["note"])},
            )
            if item and item not in entry["items"]:
                entry["items"].append(item)
        found += grouped.values()
    return found


def _sources(standard: Standard) -> list[tuple[str, Source]]:
    """Every (item number or "", source) of a standard's rules, in map order."""
    scoring = standard.scoring
    found: list[tuple[str, Source]] = [
        ("", scoring[key]["source"])
        for key in ("unscored", "operating_years", "evidence_cap", "total")
        if key in scoring
    ]
    found += [("", level["source"]) for level in standard.levels]
    for req in standard.requirements:
        if req.level_source:
            found.append((req.number, req.level_source))
        found += [(req.number, record.source) for record in req.records if record.source]
        if req.syllabus_source:
            found.append((req.number, req.syllabus_source))
        found += [(req.number, rule.source) for rule in req.rules]
    audiences = standard.extra.get("goal_audiences") or {}
    if "source" in audiences:
        found.append(("", audiences["source"]))
    rating = standard.extra.get("rating") or {}
    found += [("", rating[key]["source"]) for key in ("results", "exceed") if key in rating]
    found += [("", outcome["source"]) for outcome in standard.outcomes if "source" in outcome]
    return found
