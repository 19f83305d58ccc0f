"""CC-CMM maturity: the level a self-assessment claims and the level the evidence supports.

Every threshold comes from the standards map (``scoring``, ``levels``), each with its source. This
module only applies them:

- a level is reached when none of its rules fails and every lower level is reached too (a center
  climbs one level at a time);
- a share rule is evaluated on the items the map holds; sections it names without items make the
  result provisional, and a rule none of whose sections has items cannot be met;
- the total-score rule is assessed only when every item has a weight (a licensed overlay supplies
  them); otherwise it is listed as not assessed and the result is provisional;
- years of operation are whole anniversaries of the start date, up to the assessment date (or the
  end of a temporary center's period);
- a self-score above ``scoring.evidence_cap.max_score`` counts only up to it while the item's own
  mandates have a gap: the *supported* level is computed from the capped scores.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from generator.cycles import parse_date
from generator.evidence import EvidenceFile
from generator.mandates import check_requirement
from generator.profile import Profile
from generator.standards import Catalog, Requirement, Standard

Scores = Mapping[str, Mapping[str, int]]  # requirement uid -> {dimension: score}


@dataclass(frozen=True, slots=True)
class Operation:
    """The span of operation that counts: from its start to the assessment date (or its end)."""

    since: dt.date
    until: dt.date
    ended: dt.date | None = None  # a temporary center's last day

    @property
    def completed_years(self) -> int:
        """Whole anniversaries of ``since`` on ``until``."""
        years = self.until.year - self.since.year
        return max(years - ((self.until.month, self.until.day) < self._day()), 0)

    def _day(self) -> tuple[int, int]:
        return (self.since.month, self.since.day)

    def qualifies_on(self, years: int) -> dt.date | None:
        """The day ``years`` of operation are complete; None beyond the calendar or the end."""
        year = self.since.year + years
        if year > dt.MAXYEAR:
            return None
        day = anniversary(self.since, year)
        if self.ended is not None and day > self.ended:
            return None
        return day


def anniversary(start: dt.date, year: int) -> dt.date:
    """``start``'s anniversary in ``year``; 29 February falls on 1 March in other years."""
    try:
        return start.replace(year=year)
    except ValueError:
        return dt.date(year, 3, 1)


def operation_of(data: Mapping[str, Any]) -> Operation | None:
    """From ``organization.operating_since`` (or a temporary center's period) to the assessment."""
    org = data.get("organization") or {}
    period = org.get("period") or {}
    since = parse_date(org.get("operating_since") or period.get("start"))
    until = parse_date(data.get("assessment_date"))
    if since is None or until is None:
        return None
    ended = parse_date(period.get("end")) if not org.get("operating_since") else None
    last = min(until, ended) if ended else until
    return Operation(since, max(last, since), ended)


def self_scores(data: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """The self-assessment as {requirement uid: {dimension: score}} (validated: one per item)."""
    return {
        item["requirement"]: {k: v for k, v in item.items() if k in ("c", "f")}
        for item in data.get("self_assessment") or []
    }


def maturity(
    profile: Profile,
    catalog: Catalog,
    evidence: Mapping[str, EvidenceFile] | None = None,
) -> list[dict[str, Any]]:
    """One result per standard with levels that the self-assessment scores."""
    scores = self_scores(profile.data)
    operation = operation_of(profile.data)
    results = []
    for standard in catalog.standards.values():
        if standard.levels and any(uid.startswith(f"{standard.id}/") for uid in scores):
            own = {uid: s for uid, s in scores.items() if uid.startswith(f"{standard.id}/")}
            unsupported = unsupported_scores(profile, catalog, standard, own, evidence)
            results.append(assess(standard, own, operation, unsupported))
    return results


def assess(
    standard: Standard,
    claimed: Scores,
    operation: Operation | None,
    unsupported: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Claimed and supported levels of one standard, with what was and was not assessed."""
    supported = {uid: dict(dims) for uid, dims in claimed.items()}
    for entry in unsupported:
        supported[entry["requirement"]][entry["dimension"]] = entry["supported"]
    claimed_result = level_result(standard, claimed, operation)
    supported_result = level_result(standard, supported, operation)
    return {
        "standard": standard.id,
        "short": standard.short,
        "level": supported_result["level"],  # the headline: what the evidence supports
        "level_name": supported_result["level_name"],
        "claimed_level": claimed_result["level"],
        "claimed_level_name": claimed_result["level_name"],
        "provisional": supported_result["provisional"],
        "scope": supported_result["scope"],
        "unsupported": list(unsupported),
        "claimed_scores": {uid: dict(claimed[uid]) for uid in sorted(claimed, key=_uid_order)},
        "titles": {r.uid: dict(r.title) for r in standard.requirements if r.uid in claimed},
        "unscored_items": [r.number for r in standard.requirements if r.uid not in claimed],
        "claimed": claimed_result,
        "supported": supported_result,
        "operation": _operation_facts(standard, operation),
    }


def unsupported_scores(
    profile: Profile,
    catalog: Catalog,
    standard: Standard,
    scores: Scores,
    evidence: Mapping[str, EvidenceFile] | None,
) -> list[dict[str, Any]]:
    """Self-scores above the evidence cap of items whose own mandates have gaps."""
    cap = standard.scoring.get("evidence_cap")
    requirements = {r.uid: r for r in standard.requirements}
    if not cap:
        return []
    found = []
    for uid in sorted(scores, key=_uid_order):
        req = requirements.get(uid)
        if req is None:
            continue
        gaps = _gaps_of(profile, catalog, req, evidence, cap["statuses"])
        for dim in cap["dimensions"]:
            claimed = scores[uid].get(dim, 0)
            if gaps and claimed > cap["max_score"]:
                found.append(_unsupported(req, dim, claimed, cap["max_score"], gaps))
    return found


def _gaps_of(
    profile: Profile,
    catalog: Catalog,
    req: Requirement,
    evidence: Mapping[str, EvidenceFile] | None,
    statuses: Sequence[str],
) -> list[dict[str, Any]]:
    return [
        {
            "kind": check.kind,
            "subject": check.subject,
            "status": check.status,
            "line": check.location.line,
            "column": check.location.column,
        }
        for check in check_requirement(profile, catalog, req, evidence)
        if check.status in statuses
    ]


def _unsupported(
    req: Requirement, dim: str, claimed: int, supported: int, gaps: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "requirement": req.uid,
        "number": req.number,
        "title": dict(req.title),
        "dimension": dim,
        "claimed": claimed,
        "supported": supported,
        "gaps": gaps,
    }


def _uid_order(uid: str) -> tuple[int, str]:
    number = uid.partition("/")[2]
    return (int(number), "") if number.isdigit() else (10**9, number)


def level_result(
    standard: Standard, scores: Scores, operation: Operation | None = None
) -> dict[str, Any]:
    """Per-section figures, the total, the level reached, what blocks the next and what was not
    assessed. Unknown years of operation never satisfy a minimum."""
    scope = _scope(standard)
    total = _total(standard, scores, scope)
    reached, blockers, not_assessed = 0, [], []
    for level in sorted(standard.levels, key=lambda lv: lv["level"]):
        rules = _rules(standard, level, scores, total, operation)
        failed = [r for r in rules if r["status"] in _BLOCKING]
        if failed:
            blockers = failed
            break
        reached = level["level"]
        not_assessed += [r for r in rules if r["status"] != "met" and r not in not_assessed]
    top = max(lv["level"] for lv in standard.levels)
    next_level = reached + 1 if reached < top else None
    return {
        "sections": _sections(standard, scores),
        "scope": scope,
        "total": total,
        "level": reached,
        "level_name": _level_name(standard, reached),  # None below the first level
        "next_level": next_level,
        "blockers": blockers if next_level else [],
        "not_assessed": not_assessed,
        "provisional": bool(scope["unscored"]) or not total["assessable"],
    }


# A rule that failed, or that cannot be met because nothing it needs is known, blocks a level.
_BLOCKING = ("failed", "no-items", "unknown")


def _rules(
    standard: Standard,
    level: Mapping[str, Any],
    scores: Scores,
    total: Mapping[str, Any],
    operation: Operation | None,
) -> list[dict[str, Any]]:
    rules = [_share_rule(standard, rule, scores) for rule in level["rules"]]
    rules.append(_total_rule(level["min_total"], total))
    needed = level.get("min_operating_years")
    if needed:
        rules.append(_years_rule(needed, operation))
    return rules


def _share_rule(standard: Standard, rule: Mapping[str, Any], scores: Scores) -> dict[str, Any]:
    compliant_at = standard.scoring["compliant_at"]
    uids = _items_in(standard, rule["sections"])
    short = [u for u in uids if _score(standard, scores, u, rule["dimension"]) < compliant_at]
    share = (len(uids) - len(short)) / len(uids) if uids else 0.0
    unscored = [s for s in rule["sections"] if not _items_in(standard, [s])]
    met = bool(uids) and Fraction(len(uids) - len(short), len(uids)) >= _exact(rule["min_share"])
    status = "no-items" if not uids else "met" if met else "failed"
    return {
        "rule": "share",
        "status": status,
        "sections": list(rule["sections"]),
        "unscored_sections": unscored,
        "dimension": rule["dimension"],
        "needed": rule["min_share"],
        "actual": round(share, 4),
        "items_needed": max(0, _needed(len(uids), rule["min_share"]) - (len(uids) - len(short))),
        "not_compliant": [_number(u) for u in short],
    }


def _total_rule(needed: float, total: Mapping[str, Any]) -> dict[str, Any]:
    if not total["assessable"]:
        return {"rule": "total", "status": "not-assessed", "needed": needed, "actual": None}
    status = "met" if total["score"] >= needed else "failed"
    return {"rule": "total", "status": status, "needed": needed, "actual": total["score"]}


def _years_rule(needed: int, operation: Operation | None) -> dict[str, Any]:
    if operation is None:
        return {"rule": "operating_years", "status": "unknown", "needed": needed, "actual": None}
    on = operation.qualifies_on(needed)
    met = on is not None and operation.until >= on
    return {
        "rule": "operating_years",
        "status": "met" if met else "failed",
        "needed": needed,
        "actual": operation.completed_years,
        "qualifies_on": on.isoformat() if on else None,
    }


def _score(standard: Standard, scores: Scores, uid: str, dimension: str) -> int:
    default = int(standard.scoring.get("unscored", {}).get("score", 0))
    return scores.get(uid, {}).get(dimension, default)


def _scope(standard: Standard) -> dict[str, list[str]]:
    """Top sections with items in the map, and those the level rules name that have none."""
    named = {s for lv in standard.levels for r in lv["rules"] for s in r["sections"]}
    tops = [top.id for top in standard.sections]
    return {
        "scored": [t for t in tops if _items_in(standard, [t])],
        "unscored": [t for t in tops if t in named and not _items_in(standard, [t])],
    }


def _total(standard: Standard, scores: Scores, scope: Mapping[str, Any]) -> dict[str, Any]:
    """The total score when the map says how items add up to it (weights), else why not."""
    scoring = standard.scoring
    items = list(standard.requirements)
    if "total" not in scoring or any(r.weight is None for r in items):
        return {"assessable": False, "reason": "no-weights", "score": None, "maximum": None}
    if scope["unscored"]:
        return {"assessable": False, "reason": "unscored-sections", "score": None, "maximum": None}
    best = max(scoring["scores"])
    dims = [d["id"] for d in scoring["dimensions"]]
    score = sum(
        float(r.weight or 0) * _score(standard, scores, r.uid, d) / best
        for r in items
        for d in dims
    )
    maximum = sum(float(r.weight or 0) for r in items) * len(dims)
    return {"assessable": True, "reason": "", "score": round(score, 2), "maximum": maximum}


def _items_in(standard: Standard, sections: Sequence[str]) -> list[str]:
    return [r.uid for r in standard.requirements if standard.top_section_of(r.section) in sections]


def _number(uid: str) -> str:
    return uid.partition("/")[2]


def _exact(value: float) -> Fraction:
    """A threshold as the decimal written in the map (0.8 is 4/5, not the nearest double)."""
    return Fraction(str(value))


def _needed(count: int, share: float) -> int:
    """The fewest compliant items out of ``count`` that reach ``share``."""
    return min(count, math.ceil(_exact(share) * count))


def _sections(standard: Standard, scores: Scores) -> list[dict[str, Any]]:
    best = max(standard.scoring["scores"])
    rows = []
    for top in standard.sections:
        uids = _items_in(standard, [top.id])
        if not uids:
            continue
        c = sum(_score(standard, scores, u, "c") for u in uids)
        f = sum(_score(standard, scores, u, "f") for u in uids)
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


def _operation_facts(standard: Standard, operation: Operation | None) -> dict[str, Any] | None:
    """Start, end of the count, whole years, and the day each level's years are first met."""
    if operation is None:
        return None
    return {
        "since": operation.since.isoformat(),
        "until": operation.until.isoformat(),
        "ended": operation.ended.isoformat() if operation.ended else None,
        "completed_years": operation.completed_years,
        "qualifies": [
            {"level": lv["level"], "years": lv["min_operating_years"], "on": _iso(operation, lv)}
            for lv in sorted(standard.levels, key=lambda lv: lv["level"])
            if lv.get("min_operating_years")
        ],
    }


def _iso(operation: Operation, level: Mapping[str, Any]) -> str | None:
    on = operation.qualifies_on(level["min_operating_years"])
    return on.isoformat() if on else None
