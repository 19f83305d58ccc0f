"""Partner management: the partners with their committed headcount set against the roles they
supply, so the manual can show whether the commitments cover the posts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def resolve_partners(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The partners' committed headcount, the headcount of the roles they supply (each role
    once), and the roles marked ``from_partner`` that no partner supplies; None without partners.
    """
    partners = data.get("partners") or {}
    organizations = partners.get("organizations") or []
    if not organizations:
        return None
    roles = {r["id"]: r for r in data.get("roles") or []}
    supplied = {r for o in organizations for r in o.get("roles") or [] if r in roles}
    return {
        "committed": sum(o.get("headcount") or 0 for o in organizations),
        "posts": sum(roles[r].get("headcount") or 0 for r in sorted(supplied)),
        "unsupplied": [
            role["name"]
            for role in roles.values()
            if role.get("from_partner") and role["id"] not in supplied
        ],
    }
