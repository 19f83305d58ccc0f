"""Consistency rules of the disaster-recovery data: the business-impact analysis, the plans'
recovery times and their timed recovery steps must agree with one another.

Each rule takes a valid profile's data and returns its breaches as (pointer, detail), or None
when the profile has nothing it applies to (no business-impact analysis, no timed steps); the
mandate layer turns breaches into gaps of the requirement that names the rule in the map.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from generator.messages import Words, words

Breach = tuple[str, Words]  # (JSON pointer, what is wrong, in numbers)
Rule = Callable[[Mapping[str, Any]], "list[Breach] | None"]


def _emergency(data: Mapping[str, Any]) -> Mapping[str, Any]:
    emergency: Mapping[str, Any] = data.get("emergency") or {}
    return emergency


def _minutes(value: float) -> str:
    return f"{value:g}"  # the message gives the unit


def rto_within_mtd(data: Mapping[str, Any]) -> list[Breach] | None:
    """Each business-impact entry recovers before its maximum tolerable downtime runs out."""
    entries = _emergency(data).get("business_impact") or []
    if not entries:
        return None
    breaches = []
    for i, entry in enumerate(entries):
        rto, mtd = entry["rto_minutes"], entry["mtd_minutes"]
        if rto > mtd:
            channel = entry["channel"]
            detail = words(
                "rule.rto-over-mtd", channel=channel, rto=_minutes(rto), mtd=_minutes(mtd)
            )
            breaches.append((f"/emergency/business_impact/{i}/rto_minutes", detail))
    return breaches


def bia_covers_channels(data: Mapping[str, Any]) -> list[Breach] | None:
    """Once a business-impact analysis is written, every channel of the profile has an entry."""
    entries = _emergency(data).get("business_impact") or []
    if not entries:
        return None
    covered = {entry["channel"] for entry in entries}
    channels = (data.get("organization") or {}).get("channels") or []
    return [
        ("/emergency/business_impact", words("rule.no-entry", channel=c["id"]))
        for c in channels
        if c["id"] not in covered
    ]


def _plan_within_bia(data: Mapping[str, Any], key: str, name: str) -> list[Breach] | None:
    """Each plan's ``key`` (rto_minutes, rpo_minutes) no larger than that of every channel it
    restores in the analysis (the smallest, when it gives several services of one channel)."""
    emergency = _emergency(data)
    limit: dict[str, float] = {}
    for entry in emergency.get("business_impact") or []:
        if key in entry:
            limit[entry["channel"]] = min(entry[key], limit.get(entry["channel"], math.inf))
    plans = emergency.get("plans") or []
    if not limit or not any(plan.get("channels") for plan in plans):
        return None
    breaches = []
    for i, plan in enumerate(plans):
        value = plan.get(key)
        for channel in plan.get("channels") or []:
            if value is not None and channel in limit and value > limit[channel]:
                detail = words(
                    "rule.plan-over-bia",
                    plan=plan["id"],
                    name=name,
                    value=_minutes(value),
                    limit=_minutes(limit[channel]),
                    channel=channel,
                )
                breaches.append((f"/emergency/plans/{i}/{key}", detail))
    return breaches


def plan_rto_within_bia(data: Mapping[str, Any]) -> list[Breach] | None:
    """A plan restores each channel it covers within that channel's RTO."""
    return _plan_within_bia(data, "rto_minutes", "RTO")


def plan_rpo_within_bia(data: Mapping[str, Any]) -> list[Breach] | None:
    """A plan loses no more data of a channel it covers than that channel's RPO allows."""
    return _plan_within_bia(data, "rpo_minutes", "RPO")


def steps_within_rto(data: Mapping[str, Any]) -> list[Breach] | None:
    """A plan's timed recovery steps add up to no more than its RTO."""
    plans = _emergency(data).get("plans") or []
    if not any(plan.get("recovery_steps") for plan in plans):
        return None
    breaches = []
    for i, plan in enumerate(plans):
        steps, rto = plan.get("recovery_steps") or [], plan.get("rto_minutes")
        total = sum(step["minutes"] for step in steps)
        if steps and rto is not None and total > rto:
            detail = words(
                "rule.steps-over-rto", plan=plan["id"], total=_minutes(total), rto=_minutes(rto)
            )
            breaches.append((f"/emergency/plans/{i}/recovery_steps", detail))
    return breaches


RULES: dict[str, Rule] = {
    "rto-within-mtd": rto_within_mtd,
    "bia-covers-channels": bia_covers_channels,
    "plan-rto-within-bia": plan_rto_within_bia,
    "plan-rpo-within-bia": plan_rpo_within_bia,
    "steps-within-rto": steps_within_rto,
}
