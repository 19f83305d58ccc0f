"""Workforce plan: Erlang C per forecast interval, from the profile's staffing inputs.

``staffing_errors`` is the validate stage's check that the plan can be made: an interval whose
target needs more than ``MAX_AGENTS`` agents is an error at its ``contacts``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from generator.errors import Finding
from generator.messages import finding, words
from generator.profile import Profile
from generator.resolve.erlang import (
    MAX_AGENTS,
    AgentLimitError,
    Real,
    Staffing,
    agents_required,
    exact,
)


@dataclass(frozen=True, slots=True)
class StaffingInputs:
    """The staffing section with its defaults, and the service-level target it plans for."""

    target: Mapping[str, Any]  # the service_levels item of the planned channel
    interval_minutes: int
    aht_seconds: Real
    max_occupancy: Real  # percent
    shrinkage: Real  # percent
    intervals: list[Mapping[str, Any]]


def staffing_inputs(data: Mapping[str, Any]) -> StaffingInputs | None:
    """The inputs of the workforce plan; None when the profile has no complete staffing inputs.

    The service-level target is the one set for the planned channel (default: the first one).
    """
    staffing = data.get("staffing") or {}
    target = _target(data.get("service_levels") or [], staffing.get("channel"))
    if not staffing.get("intervals") or not staffing.get("aht_seconds") or target is None:
        return None
    return StaffingInputs(
        target=target,
        interval_minutes=staffing.get("interval_minutes", 30),
        aht_seconds=staffing["aht_seconds"],
        max_occupancy=staffing.get("max_occupancy", 100),
        shrinkage=staffing.get("shrinkage", 0),
        intervals=staffing["intervals"],
    )


def plan_interval(inputs: StaffingInputs, contacts: Real) -> Staffing:
    """Erlang C for one interval; AgentLimitError when it needs more than ``MAX_AGENTS``."""
    return agents_required(
        contacts,
        60 * inputs.interval_minutes,
        inputs.aht_seconds,
        exact(inputs.target["percent"]) / 100,
        inputs.target["seconds"],
        exact(inputs.max_occupancy) / 100,
        exact(inputs.shrinkage) / 100,
    )


def resolve_staffing(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """Agents, service level, ASA, occupancy and rostered headcount per interval, with totals.

    Returns None when the profile has no complete staffing inputs.
    """
    inputs = staffing_inputs(data)
    if inputs is None:
        return None
    rows = [
        _row(interval, plan_interval(inputs, interval["contacts"])) for interval in inputs.intervals
    ]
    staffing = data["staffing"]
    return {
        "channel": inputs.target["channel"],
        "interval_minutes": inputs.interval_minutes,
        "aht_seconds": inputs.aht_seconds,
        "target_percent": inputs.target["percent"],
        "target_seconds": inputs.target["seconds"],
        "max_occupancy": inputs.max_occupancy,
        "shrinkage": inputs.shrinkage,
        "scheduling": staffing.get("scheduling"),
        "rows": rows,
        "total_contacts": _total([r["contacts"] for r in rows]),
        "peak_agents": max(r["agents"] for r in rows),
        "peak_rostered": max(r["rostered"] for r in rows),
        "agent_hours": round(sum(r["agents"] for r in rows) * inputs.interval_minutes / 60, 1),
    }


def _row(interval: Mapping[str, Any], result: Staffing) -> dict[str, Any]:
    return {
        "start": interval["start"],
        "contacts": interval["contacts"],
        "traffic": round(result.traffic, 2),
        "agents": result.agents,
        "service_level": round(100 * result.service_level, 1),
        "asa": round(result.asa, 1),
        "occupancy": round(100 * result.occupancy, 1),
        "rostered": result.rostered,
    }


def _total(values: list[Real]) -> int | float:
    """The sum, exact: a float only when it has a fractional part a float can show."""
    total = sum((exact(v) for v in values), Fraction(0))
    if total.denominator == 1 or total >= 2**53:
        return round(total)
    return float(total)


def _target(levels: list[Mapping[str, Any]], channel: str | None) -> Mapping[str, Any] | None:
    for level in levels:
        if channel is None or level["channel"] == channel:
            return level
    return None


def staffing_errors(profile: Profile) -> list[Finding]:
    """Intervals whose target cannot be planned, each located at its ``contacts``.

    Call it only on a profile whose staffing and service levels passed the schema.
    """
    inputs = staffing_inputs(profile.data)
    if inputs is None:
        return []
    findings = []
    for i, interval in enumerate(inputs.intervals):
        try:
            result = plan_interval(inputs, interval["contacts"])
        except AgentLimitError:
            findings.append(_limit_error(profile, inputs, i))
            continue
        if not math.isfinite(result.asa) and _wait_error(profile) not in findings:
            findings.append(_wait_error(profile))
    return findings


def _limit_error(profile: Profile, inputs: StaffingInputs, index: int) -> Finding:
    target = words(
        "workforce.target",
        percent=_shown(inputs.target["percent"]),
        seconds=_shown(inputs.target["seconds"]),
        occupancy=_shown(inputs.max_occupancy),
    )
    return finding(
        profile.locate(f"/staffing/intervals/{index}/contacts"),
        "workforce.too-many-agents",
        start=inputs.intervals[index]["start"],
        limit=f"{MAX_AGENTS:,}",
        target=target,
        minutes=inputs.interval_minutes,
    )


def _wait_error(profile: Profile) -> Finding:
    where = profile.locate("/staffing/aht_seconds")
    return finding(where, "workforce.aht-too-long", advice=words("hint.aht"))


def _shown(value: Real) -> str:
    """A number of the profile for a message: 80 for 80.0, 1.000e+400 for a long integer."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    digits = str(value)
    return digits if len(digits) <= 16 else f"{digits[0]}.{digits[1:4]}e+{len(digits) - 1}"
