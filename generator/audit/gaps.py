"""The gap report: every mandated field, document and record of the targeted standards, with
its status (present, partial, missing, stale), severity, requirement and a remediation hint."""

from __future__ import annotations

import functools
import os
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generator.bundled import bundled_dir
from generator.evidence import EvidenceFile
from generator.mandates import Check, Target, check_requirement, profile_targets
from generator.profile import Profile
from generator.standards import Catalog, Requirement, Standard

REPORT_SCHEMA = "ccdocs-gap-report/2"
STATUSES = ("present", "partial", "missing", "stale")
WORST = {"present": 0, "partial": 1, "stale": 2, "missing": 3}


def gap_report(
    profile: Profile, catalog: Catalog, evidence: Mapping[str, EvidenceFile]
) -> dict[str, Any]:
    """The report as plain data; its shape is the documented JSON schema (REPORT_SCHEMA)."""
    org = profile.data["organization"]
    standards = [
        _standard_report(profile, catalog, t, evidence)
        for t in profile_targets(profile.data, catalog)
    ]
    return {
        "schema": REPORT_SCHEMA,
        "organization": {"id": org["id"], "name": org["name"]},
        "profile": profile.path.name,  # where it was typed from would make the report vary
        "assessment_date": profile.data.get("assessment_date"),
        "summary": summary([s["summary"] for s in standards]),
        "standards": standards,
    }


def _standard_report(
    profile: Profile, catalog: Catalog, target: Target, evidence: Mapping[str, EvidenceFile]
) -> dict[str, Any]:
    standard = target.standard
    by_section: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for req in standard.requirements:
        if req.level <= target.level:
            checks = check_requirement(profile, catalog, req, evidence)
            by_section[req.section] += [
                _item(req, checks_of, profile.path) for checks_of in _grouped(checks)
            ]
    return standard_entry(target, by_section)


def standard_entry(
    target: Target, by_section: Mapping[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """A targeted standard in the report: its items grouped by the standard's own sections."""
    standard = target.standard
    sections = [
        _section(standard, section_id, items)
        for section_id in standard.section_ids()
        if (items := by_section.get(section_id))
    ]
    return {
        "standard": standard.id,
        "short": standard.short,
        "title": dict(standard.title),
        "level": target.level if standard.levels else None,
        "label": target.label,
        "summary": summary([s["summary"] for s in sections]),
        "sections": sections,
    }


def _grouped(checks: list[Check]) -> list[list[Check]]:
    """Checks of one requirement, one group per mandated thing (kind and subject)."""
    groups: dict[tuple[str, str], list[Check]] = {}
    for check in checks:
        groups.setdefault((check.kind, check.subject), []).append(check)
    return list(groups.values())


@functools.lru_cache(maxsize=256)  # asked for every item of a report: three path look-ups
def shown_file(file: Path, profile: Path) -> tuple[str, bool]:
    """A source file as the report names it, and whether it is a bundled preset: relative to
    the profile's folder, or a preset by its name, so the report does not depend on where or
    how ccdocs was run."""
    presets = bundled_dir("org_profiles").resolve()
    real = Path(file).resolve()
    if real.is_relative_to(presets):
        return real.name, True
    return os.path.relpath(real, Path(profile).resolve().parent).replace(os.sep, "/"), False


def _item(req: Requirement, checks: list[Check], profile: Path) -> dict[str, Any]:
    worst = max(checks, key=lambda c: WORST[c.status])
    loc = worst.location
    file, preset = shown_file(loc.file, profile)
    met = worst.status == "present"
    return item_entry(
        req,
        worst.kind,
        worst.subject,
        worst.status,
        hint="" if met else worst.hint,
        hint_key="" if met else worst.hint_key,
        detail=worst.detail_text,
        gaps=sum(1 for c in checks if c.is_gap),
        location={
            "file": file,
            "line": loc.line,
            "column": loc.column,
            "pointer": loc.pointer,
            "preset": preset,
        },
    )


def item_entry(
    req: Requirement,
    kind: str,
    subject: str,
    status: str,
    *,
    hint: str = "",
    hint_key: str = "",
    detail: str = "",
    gaps: int,
    location: Mapping[str, Any],
) -> dict[str, Any]:
    """One item of the report (the schema's ``item``): a mandate of ``req`` and its status."""
    return {
        "requirement": req.uid,
        "number": req.number,
        "title": dict(req.title),
        "kind": kind,
        "subject": subject,
        "status": status,
        "severity": req.severity,
        "hint": hint,
        "hint_key": hint_key,
        "detail": detail,
        "gaps": gaps,
        "location": dict(location),
    }


def _section(standard: Standard, section_id: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    title = next(s.title for top in standard.sections for s in top.walk() if s.id == section_id)
    counts = {status: sum(1 for i in items if i["status"] == status) for status in STATUSES}
    return {
        "id": section_id,
        "top": standard.top_section_of(section_id),
        "title": dict(title),
        "summary": {**counts, "total": len(items), "coverage": _coverage(counts, len(items))},
        "items": items,
    }


def summary(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts of each status, the total and the coverage over ``parts``' summaries."""
    counts = {status: sum(p[status] for p in parts) for status in STATUSES}
    total = sum(p["total"] for p in parts)
    return {**counts, "total": total, "coverage": _coverage(counts, total)}


def _coverage(counts: Mapping[str, int], total: int) -> float:
    """Share of mandated items fully present, in percent with one decimal."""
    return round(100 * counts["present"] / total, 1) if total else 100.0


def failing(report: Mapping[str, Any], statuses: set[str]) -> list[dict[str, Any]]:
    """Items of the report whose status is one of ``statuses`` (for --fail-on)."""
    return [
        item
        for standard in report["standards"]
        for section in standard["sections"]
        for item in section["items"]
        if item["status"] in statuses
    ]
