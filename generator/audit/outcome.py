"""CCCS review outcomes: from the gap report and KPI results, by the rules kept in the map.

The map's ``rating`` says which KPIs speak for each review category, how old a result may be, and
when a category exceeds the standard; its ``outcomes`` say what each outcome requires. Without any
counted KPI result no outcome is named: the result says whether the documents are ready for a
review (every category without gaps), because completeness alone cannot show that a center meets,
let alone exceeds, a performance standard.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from generator import fieldpath
from generator.cycles import parse_date
from generator.evidence import EvidenceFile
from generator.mandates import check_requirement
from generator.profile import Profile
from generator.standards import Catalog, Standard


def outcomes(
    report: Mapping[str, Any],
    profile: Profile,
    catalog: Catalog,
    evidence: Mapping[str, EvidenceFile] | None = None,
) -> list[dict[str, Any]]:
    """One result per targeted standard that has review outcomes."""
    results = []
    for entry in report["standards"]:
        standard = catalog.standards[entry["standard"]]
        if standard.outcomes and standard.extra.get("rating"):
            blocking = blocking_gaps(report, profile, catalog, standard, evidence)
            results.append(rate(standard, entry, profile.data, blocking))
    return results


def rate(
    standard: Standard,
    entry: Mapping[str, Any],
    data: Mapping[str, Any],
    blocking: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The outcome of ``standard`` for the gap-report ``entry`` and the profile's KPI results."""
    rating = standard.extra["rating"]
    kpis = kpi_results(data, rating["results"]["max_age_days"])
    categories = [
        _category(standard, req_id, entry, data, kpis, blocking)
        for req_id in _category_ids(standard)
    ]
    figures = _figures(categories, kpis, rating)
    counted = [k for k in kpis.values() if k["status"] == "counted"]
    chosen = _choose(standard, figures) if counted else None
    return {
        "standard": standard.id,
        "short": standard.short,
        "ready": figures["categories_met"] == 1,
        "results": len(counted),
        "figures": {k: float(v) for k, v in figures.items()},
        "met": sum(1 for c in categories if c["met"]),
        "requirements": len(categories),
        "categories": categories,
        "kpis": sorted(kpis.values(), key=lambda k: k["id"]),
        "blocking": list(blocking),
        "outcome": chosen["id"] if chosen else None,
        "name": dict(chosen["name"]) if chosen else None,
    }


def kpi_results(data: Mapping[str, Any], max_age_days: int) -> dict[str, dict[str, Any]]:
    """Every KPI with a target: its result, and whether it is counted, attained and beaten."""
    as_of = parse_date(data.get("assessment_date"))
    found = {}
    for kpi in data.get("kpis") or []:
        target = kpi.get("target") or {}
        if "value" not in target:
            continue
        found[kpi["id"]] = _kpi_result(kpi, target, kpi.get("actual"), as_of, max_age_days)
    return found


def _kpi_result(
    kpi: Mapping[str, Any],
    target: Mapping[str, Any],
    actual: Mapping[str, Any] | None,
    as_of: dt.date | None,
    max_age_days: int,
) -> dict[str, Any]:
    status = _result_status(actual, as_of, max_age_days)
    direction = target.get("direction")
    if status == "counted" and direction is None:
        status = "no-direction"  # a result cannot be judged against a target with no direction
    value = _exact(actual["value"]) if status == "counted" and actual else None
    goal = _exact(target["value"])
    sign = 1 if direction == "at-least" else -1
    return {
        "id": kpi["id"],
        "name": kpi["name"],
        "category": kpi.get("category"),
        "target": target["value"],
        "unit": target.get("unit"),
        "direction": direction,
        "actual": actual["value"] if actual else None,
        "period": dict(actual["period"]) if actual else None,
        "status": status,
        "attained": value is not None and sign * (value - goal) >= 0,
        "beaten": value is not None and sign * (value - goal) > 0,
    }


def _result_status(
    actual: Mapping[str, Any] | None, as_of: dt.date | None, max_age_days: int
) -> str:
    if not actual:
        return "missing"
    end = parse_date(actual["period"]["end"])
    if as_of is None or end is None:
        return "undated"  # without an assessment date no result can be judged current
    if end > as_of:
        return "future"
    return "stale" if (as_of - end).days > max_age_days else "counted"


def _exact(value: Any) -> Fraction:
    """A profile number as the decimal written (schema-valid numbers only reach here)."""
    return Fraction(str(value))


def _category_ids(standard: Standard) -> list[str]:
    return [r.number for r in standard.requirements]


def _category(
    standard: Standard,
    number: str,
    entry: Mapping[str, Any],
    data: Mapping[str, Any],
    kpis: Mapping[str, Mapping[str, Any]],
    blocking: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """One review category: met (no gaps), its KPI results, and whether it exceeds."""
    uid = f"{standard.id}/{number}"
    items = [i for s in entry["sections"] for i in s["items"] if i["requirement"] == uid]
    gaps = sum(1 for i in items if i["status"] != "present")
    rule = next(
        (c for c in standard.extra["rating"]["categories"] if c["requirement"] == number), None
    )
    own = _category_kpis(rule, data, kpis) if rule else []
    reason = _exceed_blocker(gaps, own, blocking, standard.extra["rating"]["exceed"])
    requirement = next(r for r in standard.requirements if r.number == number)
    return {
        "requirement": uid,
        "number": number,
        "title": dict(requirement.title),
        "met": gaps == 0,
        "gaps": gaps,
        "rated": rule is not None,  # has KPIs that speak for its performance
        "kpis": [k["id"] for k in own],
        "exceeds": rule is not None and reason == "",
        "reason": reason if rule is not None else "documents-only",
    }


def _category_kpis(
    rule: Mapping[str, Any], data: Mapping[str, Any], kpis: Mapping[str, Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    wanted = set(rule.get("kpi_categories", []))
    ids = {k for k, v in kpis.items() if v["category"] in wanted}
    if rule.get("kpi_refs"):
        ids |= {str(v) for _, v in fieldpath.values(data, rule["kpi_refs"]) if str(v) in kpis}
    return [kpis[k] for k in sorted(ids)]


def _exceed_blocker(
    gaps: int,
    own: Sequence[Mapping[str, Any]],
    blocking: Sequence[Mapping[str, Any]],
    exceed: Mapping[str, Any],
) -> str:
    """Why a category does not exceed the standard; empty when it does."""
    if gaps:
        return "gaps"
    if not own:
        return "no-kpis"
    if any(k["status"] != "counted" for k in own):
        return "unmeasured"
    if not all(k["attained"] for k in own):
        return "missed"
    beaten = Fraction(sum(1 for k in own if k["beaten"]), len(own))
    if beaten < _exact(exceed["min_share_beaten"]):
        return "not-beaten"
    return "blocked" if blocking else ""


def _figures(
    categories: Sequence[Mapping[str, Any]],
    kpis: Mapping[str, Mapping[str, Any]],
    rating: Mapping[str, Any],
) -> dict[str, Fraction]:
    """The shares and counts the outcome rules compare (exactly)."""
    counted = [k for k in kpis.values() if k["status"] == "counted"]
    rated = [c for c in categories if c["rated"]]
    exceeding = sum(1 for c in rated if c["exceeds"])
    return {
        "categories_met": _share(sum(1 for c in categories if c["met"]), len(categories)),
        "kpis_measured": _share(len(counted), len(kpis)),
        "kpis_attained": _share(sum(1 for k in counted if k["attained"]), len(counted)),
        "categories_exceeding": _share(exceeding, len(rated)),
        "min_categories_exceeding": Fraction(exceeding),
    }


def _share(part: int, whole: int) -> Fraction:
    return Fraction(part, whole) if whole else Fraction(0)


def _choose(standard: Standard, figures: Mapping[str, Fraction]) -> Mapping[str, Any]:
    """The highest outcome (they are listed from the lowest) whose requirements all hold."""
    chosen = standard.outcomes[0]
    for outcome in standard.outcomes:
        if all(figures[key] >= _exact(needed) for key, needed in outcome["requires"].items()):
            chosen = outcome
    return chosen


def blocking_gaps(
    report: Mapping[str, Any],
    profile: Profile,
    catalog: Catalog,
    standard: Standard,
    evidence: Mapping[str, EvidenceFile] | None,
) -> list[dict[str, Any]]:
    """Open gaps that stop every category from exceeding: the mandates of the named sections
    (checked whatever the profile targets) and, when the rule says so, every record gap."""
    rule = standard.extra["rating"]["exceed"]["blocked_by"]
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for named in rule.get("requirements", []):
        other = catalog.standards.get(named["standard"])
        for req in other.requirements if other else ():
            if other and _in_sections(other, req.section, named["sections"]):
                for check in check_requirement(profile, catalog, req, evidence):
                    if check.is_gap:
                        found[(req.uid, check.kind, check.subject)] = _gap(
                            req.uid, check.kind, check.subject, check.status
                        )
    if rule.get("records"):
        for item in _report_items(report):
            if item["kind"] == "record" and item["status"] != "present":
                key = (item["requirement"], item["kind"], item["subject"])
                found[key] = _gap(*key, item["status"])
    return [found[k] for k in sorted(found)]


def _in_sections(standard: Standard, section: str, wanted: Sequence[str]) -> bool:
    return section in wanted or standard.top_section_of(section) in wanted


def _gap(requirement: str, kind: str, subject: str, status: str) -> dict[str, Any]:
    return {"requirement": requirement, "kind": kind, "subject": subject, "status": status}


def _report_items(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [i for s in report["standards"] for sec in s["sections"] for i in sec["items"]]
