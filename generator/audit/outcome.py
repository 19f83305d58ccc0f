"""CCCS review outcomes: from the gap report and KPI results, by rules kept in the map."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.standards import Catalog


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
