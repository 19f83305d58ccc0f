"""The mandate layer: what targeted standards require a profile to fill in, derived from the map.

The same derivation gives two views: the gaps of a profile (what is missing or stale), and a
JSON Schema with the mandated fields ``required`` for editors (``ccdocs schema --standard``).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from generator import fieldpath
from generator.errors import Finding, Location
from generator.profile import Profile
from generator.standards import Catalog, Requirement, Standard

GapStatus = Literal["missing", "partial", "stale"]
GapKind = Literal["field", "document", "record"]


@dataclass(frozen=True, slots=True)
class Target:
    standard: Standard
    level: int

    @property
    def label(self) -> str:
        return (
            f"{self.standard.short} L{self.level}" if self.standard.levels else self.standard.short
        )


@dataclass(frozen=True, slots=True)
class Gap:
    """Something a targeted standard mandates that the profile lacks (or has only stale)."""

    kind: GapKind
    subject: str  # a field path, a document id or a record document id
    status: GapStatus
    location: Location
    requirement_ids: tuple[str, ...]
    severity: str  # major | minor
    detail: str = ""

    def to_finding(self) -> Finding:
        what = {"field": "field", "document": "document", "record": "record"}[self.kind]
        message = f"{self.status} {what} {self.subject}"
        if self.detail:
            message += f": {self.detail}"
        return Finding(self.location, message, "gap", _hint(self), self.requirement_ids)


def _hint(gap: Gap) -> str:
    if gap.kind == "field":
        return f"fill in {gap.subject}"
    if gap.kind == "record" and gap.status == "stale":
        return "hold the activity again and add the new record under records:"
    if gap.kind == "record":
        return f"add a record of kind '{gap.subject}' under records:"
    return f"add the content of {gap.subject}"


def profile_targets(data: Any, catalog: Catalog) -> list[Target]:
    """The standards (and levels) a profile is judged against; the catalogue's default if none."""
    raw = data.get("targets") if isinstance(data, Mapping) else None
    entries = raw if isinstance(raw, list) and raw else list(catalog.default_targets)
    targets = []
    for entry in entries:
        standard = catalog.standards.get(entry.get("standard", ""))
        if standard is not None:
            targets.append(Target(standard, int(entry.get("level") or 1)))
    return targets


def mandated_requirements(targets: Iterable[Target]) -> list[Requirement]:
    """Requirements that apply at the targeted levels, in map order."""
    return [r for t in targets for r in t.standard.requirements if r.level <= t.level]


def find_gaps(profile: Profile, catalog: Catalog) -> list[Gap]:
    """Every unmet mandate of ``profile``, merged so one missing value is reported once."""
    requirements = mandated_requirements(profile_targets(profile.data, catalog))
    raw: list[Gap] = []
    for req in requirements:
        raw += _field_gaps(profile, req, req.fields)
        raw += _document_gaps(profile, catalog, req)
        raw += _record_gaps(profile, req)
    return _merge(raw)


def _field_gaps(profile: Profile, req: Requirement, paths: Iterable[str]) -> list[Gap]:
    gaps = []
    for path in paths:
        for pointer in fieldpath.missing(profile.data, path):
            gaps.append(
                Gap("field", path, "missing", profile.locate(pointer), (req.uid,), req.severity)
            )
    return gaps


def _document_gaps(profile: Profile, catalog: Catalog, req: Requirement) -> list[Gap]:
    gaps = []
    for doc_id in req.documents:
        doc = catalog.documents[doc_id]
        if doc.kind == "record":
            if not _records_of(profile, doc_id):
                gaps.append(
                    Gap(
                        "record",
                        doc_id,
                        "missing",
                        profile.locate("/records"),
                        (req.uid,),
                        req.severity,
                        "no record of this kind",
                    )
                )
            continue
        empty = [p for p in doc.fields if fieldpath.missing(profile.data, p)]
        if empty:
            status: GapStatus = "missing" if len(empty) == len(doc.fields) else "partial"
            first = fieldpath.missing(profile.data, empty[0])[0]
            gaps.append(
                Gap(
                    "document",
                    doc_id,
                    status,
                    profile.locate(first),
                    (req.uid,),
                    req.severity,
                    "no content in " + ", ".join(empty),
                )
            )
    return gaps


def _records_of(profile: Profile, kind: str) -> list[tuple[str, Mapping[str, Any]]]:
    return [
        (pointer, record)
        for pointer, record in fieldpath.values(profile.data, "records[]")
        if isinstance(record, Mapping) and record.get("kind") == kind
    ]


def _record_gaps(profile: Profile, req: Requirement) -> list[Gap]:
    gaps = []
    assessed = _assessment_date(profile.data)
    for mandate in req.records:
        records = _records_of(profile, mandate.document)
        if not records:
            gaps.append(
                Gap(
                    "record",
                    mandate.document,
                    "missing",
                    profile.locate("/records"),
                    (req.uid,),
                    req.severity,
                    f"needed at least every {mandate.max_age_days} days",
                )
            )
            continue
        if assessed is None:
            gaps.append(
                Gap(
                    "field",
                    "assessment_date",
                    "missing",
                    profile.locate("/assessment_date"),
                    (req.uid,),
                    req.severity,
                    "records cannot be judged without it",
                )
            )
            continue
        pointer, newest = max(records, key=lambda pr: str(pr[1].get("date", "")))
        age = (assessed - dt.date.fromisoformat(newest["date"])).days
        if age > mandate.max_age_days:
            detail = f"newest is {age} days old on {assessed}, allowed {mandate.max_age_days}"
            gaps.append(
                Gap(
                    "record",
                    mandate.document,
                    "stale",
                    profile.locate(f"{pointer}/date"),
                    (req.uid,),
                    req.severity,
                    detail,
                )
            )
    return gaps


def _assessment_date(data: Any) -> dt.date | None:
    value = data.get("assessment_date") if isinstance(data, Mapping) else None
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _merge(gaps: list[Gap]) -> list[Gap]:
    """One gap per (kind, subject, pointer): requirement ids combined, the worst severity kept."""
    merged: dict[tuple[str, str, str], Gap] = {}
    for gap in gaps:
        key = (gap.kind, gap.subject, gap.location.pointer)
        if key in merged:
            old = merged[key]
            ids = tuple(sorted(set(old.requirement_ids) | set(gap.requirement_ids), key=_uid_key))
            severity = "major" if "major" in (old.severity, gap.severity) else "minor"
            gap = Gap(old.kind, old.subject, old.status, old.location, ids, severity, old.detail)
        merged[key] = gap
    return sorted(
        merged.values(),
        key=lambda g: (g.location.line or 0, g.location.column or 0, g.kind, g.subject),
    )


def _uid_key(uid: str) -> tuple[str, int, str]:
    standard, _, number = uid.partition("/")
    return (standard, int(number) if number.isdigit() else 0, number)


# -- the mandate layer as JSON Schema -----------------------------------------------------------


def mandate_schema(catalog: Catalog, targets: Iterable[Target]) -> dict[str, Any]:
    """The profile schema with every field the targets mandate made required."""
    schema = copy.deepcopy(dict(catalog.profile_schema))
    for key in [k for k in schema if k.startswith("x-")]:
        del schema[key]
    overlay: dict[str, Any] = {}
    targets = list(targets)
    for req in mandated_requirements(targets):
        for path in req.fields:
            _require(overlay, fieldpath.parse_path(path), req.uid)
    if overlay:
        labels = ", ".join(t.label for t in targets)
        overlay["description"] = f"Fields mandated by {labels}"
        schema["allOf"] = [overlay]
    return schema


_FILLED: dict[str, Any] = {"not": {"enum": [None, "", [], {}]}}


def _require(node: dict[str, Any], steps: tuple[fieldpath.Step, ...], uid: str) -> None:
    if not steps:
        node.update(copy.deepcopy(_FILLED))
        node["description"] = _append(node.get("description"), uid)
        return
    step, rest = steps[0], steps[1:]
    if step.key is not None:
        required = node.setdefault("required", [])
        if step.key not in required:
            required.append(step.key)
        child = node.setdefault("properties", {}).setdefault(step.key, {})
        if not rest:
            child.update(copy.deepcopy(_FILLED))
            child["description"] = _append(child.get("description"), uid)
            return
        _require(child, rest, uid)
    elif step.any_value:
        _require(node.setdefault("additionalProperties", {}), rest, uid)
    elif step.select is not None:
        key, value = step.select
        contains: dict[str, Any] = {"required": [key], "properties": {key: {"const": value}}}
        if rest:
            _require(contains, rest, uid)
        node.setdefault("allOf", []).append(
            {"contains": contains, "description": f"{uid}: an item with {key}={value}"}
        )
    else:
        node["minItems"] = 1
        _require(node.setdefault("items", {}), rest, uid)


def _append(description: str | None, uid: str) -> str:
    if not description:
        return f"Required by {uid}"
    return description if uid in description else f"{description}, {uid}"
