"""Workforce plan: Erlang C per forecast interval, from the profile's staffing inputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.resolve.erlang import agents_required


def resolve_staffing(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """Agents, service level, ASA, occupancy and rostered headcount per interval, with totals.

    The service-level target is the one set for the planned channel (default: the first one).
    Returns None when the profile has no complete staffing inputs.
    """
    staffing = data.get("staffing") or {}
    target = _target(data.get("service_levels") or [], staffing.get("channel"))
    if not staffing.get("intervals") or not staffing.get("aht_seconds") or target is None:
        return None
    interval_seconds = 60 * staffing.get("interval_minutes", 30)
    aht = float(staffing["aht_seconds"])
    max_occupancy = staffing.get("max_occupancy", 100) / 100
    shrinkage = staffing.get("shrinkage", 0) / 100
    rows = []
    for interval in staffing["intervals"]:
        result = agents_required(
            interval["contacts"],
            interval_seconds,
            aht,
            target["percent"] / 100,
            target["seconds"],
            max_occupancy,
            shrinkage,
        )
        rows.append(
            {
                "start": interval["start"],
                "contacts": interval["contacts"],
                "traffic": round(result.traffic, 2),
                "agents": result.agents,
                "service_level": round(100 * result.service_level, 1),
                "asa": round(result.asa, 1),
                "occupancy": round(100 * result.occupancy, 1),
                "rostered": result.rostered,
            }
        )
    return {
        "channel": target["channel"],
        "interval_minutes": interval_seconds // 60,
        "aht_seconds": staffing["aht_seconds"],
        "target_percent": target["percent"],
        "target_seconds": target["seconds"],
        "max_occupancy": staffing.get("max_occupancy", 100),
        "shrinkage": staffing.get("shrinkage", 0),
        "scheduling": staffing.get("scheduling"),
        "rows": rows,
        "total_contacts": sum(r["contacts"] for r in rows),
        "peak_agents": max(r["agents"] for r in rows),
        "peak_rostered": max(r["rostered"] for r in rows),
        "agent_hours": round(sum(r["agents"] for r in rows) * interval_seconds / 3600, 1),
    }


def _target(levels: list[Mapping[str, Any]], channel: str | None) -> Mapping[str, Any] | None:
    for level in levels:
        if channel is None or level["channel"] == channel:
            return level
    return None
