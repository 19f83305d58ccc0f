"""The mandate layer: what targeted standards require a profile to fill in, derived from the map.

The same derivation gives two views: the gaps of a profile (what is missing or stale), and a
JSON Schema with the mandated fields ``required`` for editors (``ccdocs schema --standard``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from generator import continuity, fieldpath
from generator.cycles import next_due, parse_date
from generator.errors import Finding, Location
from generator.evidence import EvidenceFile, evidence_status
from generator.messages import DEFAULT, Words, finding, say, say_words, words
from generator.profile import Profile
from generator.standards import Catalog, Requirement, Standard
from generator.syllabus import syllabus_findings

Status = Literal["present", "partial", "missing", "stale"]
Kind = Literal["field", "document", "record", "date", "audience", "total", "rule"]


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
class Check:
    """One mandate checked against a profile: a field, a document or a recurring record.

    Status ``present`` means the mandate is met; every other status is a gap.
    """

    kind: Kind
    subject: str  # a field path, a document id or a record document id
    status: Status
    location: Location
    requirement_ids: tuple[str, ...]
    severity: str  # major | minor
    detail: str | Words = ""  # words on the status: how old, since when
    remedy: str = ""  # a remediation other than the kind's own (a key of ``audit.hints``)

    @property
    def is_gap(self) -> bool:
        return self.status != "present"

    @property
    def hint_key(self) -> str:
        """Which remediation applies, as a key of the label catalogue's ``audit.hints``."""
        if self.remedy:
            return self.remedy
        if self.kind == "rule":
            return f"rule-{self.subject}"
        return self.kind if self.kind != "record" else f"record-{self.status}"

    @property
    def hint(self) -> str:
        return say("gap", self._args(), DEFAULT)[1] if self.is_gap else ""

    @property
    def detail_text(self) -> str:
        """The detail in English (the report's JSON keeps it so)."""
        return self.detail if isinstance(self.detail, str) else say_words(self.detail, DEFAULT)

    def to_finding(self) -> Finding:
        """The gap as a finding, with its message code ``gap``."""
        return finding(self.location, "gap", "gap", self.requirement_ids, **dict(self._args()))

    def _args(self) -> tuple[tuple[str, Any], ...]:
        detail = words("gap.detail", detail=self.detail) if self.detail else ""
        advice = words(f"advice.{self.hint_key}", subject=self.subject)
        status, kind = words(f"status.{self.status}"), words(f"kind.{self.kind}")
        args = {"status": status, "kind": kind, "subject": self.subject, "detail": detail}
        return tuple({**args, "advice": advice}.items())


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


def document_set(data: Any, catalog: Catalog) -> set[str]:
    """Ids of the generated documents a profile keeps: its ``document_set``, else every one."""
    chosen = data.get("document_set") if isinstance(data, Mapping) else None
    return set(chosen) if isinstance(chosen, list) and chosen else set(catalog.generated)


def mandated_requirements(targets: Iterable[Target]) -> list[Requirement]:
    """Requirements that apply at the targeted levels, in map order."""
    return [r for t in targets for r in t.standard.requirements if r.level <= t.level]


def check_requirement(
    profile: Profile,
    catalog: Catalog,
    req: Requirement,
    evidence: Mapping[str, EvidenceFile] | None = None,
) -> list[Check]:
    """Every mandate of ``req`` checked against ``profile``, met or not."""
    evidence = evidence if evidence is not None else {}
    return [
        *_field_checks(profile, req, req.fields),
        *_document_checks(profile, catalog, req, evidence),
        *_record_checks(profile, req, evidence),
        *_due_checks(profile, req),
        *_audience_checks(profile, req),
        *(
            _check(profile, req, kind, subject, status, pointer, detail)
            for kind, subject, status, pointer, detail in syllabus_findings(
                profile.data, req.syllabus
            )
        ),
        *_rule_checks(profile, req),
    ]


def find_gaps(
    profile: Profile, catalog: Catalog, evidence: Mapping[str, EvidenceFile] | None = None
) -> list[Check]:
    """Every unmet mandate of ``profile``, merged so one missing value is reported once."""
    requirements = mandated_requirements(profile_targets(profile.data, catalog))
    raw = [
        check
        for req in requirements
        for check in check_requirement(profile, catalog, req, evidence)
        if check.is_gap
    ]
    return _merge(raw)


def _field_checks(profile: Profile, req: Requirement, paths: Iterable[str]) -> list[Check]:
    checks = []
    for path in paths:
        pointers = fieldpath.missing(profile.data, path)
        for pointer in pointers:
            # Below a list item only part of the list lacks the value.
            status: Status = "partial" if _inside_list_item(pointer) else "missing"
            checks.append(
                Check("field", path, status, profile.locate(pointer), (req.uid,), req.severity)
            )
        if not pointers:
            found = fieldpath.values(profile.data, path)
            pointer = found[0][0] if found else ""
            checks.append(
                Check("field", path, "present", profile.locate(pointer), (req.uid,), req.severity)
            )
    return checks


def _inside_list_item(pointer: str) -> bool:
    return any(part.isdigit() for part in pointer.split("/")[1:-1])


def _document_checks(
    profile: Profile, catalog: Catalog, req: Requirement, evidence: Mapping[str, EvidenceFile]
) -> list[Check]:
    checks = []
    kept = document_set(profile.data, catalog)
    for doc_id in req.documents:
        doc = catalog.documents[doc_id]
        if doc.kind == "record":
            checks.append(_record_presence(profile, req, doc_id, evidence))
            continue
        if doc.carried_by and doc.carried_by[0] not in kept:
            checks.append(_left_out(profile, req, doc_id, doc.carried_by[0]))
            continue
        empty = [p for p in doc.fields if fieldpath.missing(profile.data, p)]
        if not empty:
            where = profile.locate(_pointer_of(doc.fields[0]) if doc.fields else "")
            checks.append(Check("document", doc_id, "present", where, (req.uid,), req.severity))
            continue
        status: Status = "missing" if len(empty) == len(doc.fields) else "partial"
        first = fieldpath.missing(profile.data, empty[0])[0]
        checks.append(
            Check(
                "document",
                doc_id,
                status,
                profile.locate(first),
                (req.uid,),
                req.severity,
                words("gap.no-content", fields=tuple(empty)),
            )
        )
    return checks


def _left_out(profile: Profile, req: Requirement, doc_id: str, carrier: str) -> Check:
    """A mandated document whose carrier the profile's ``document_set`` leaves out."""
    return Check(
        "document",
        doc_id,
        "missing",
        profile.locate("/document_set"),
        (req.uid,),
        req.severity,
        words("gap.left-out", carrier=carrier),
        remedy="document-set",
    )


def _pointer_of(path: str) -> str:
    """The pointer of the mapping part of a field path (up to its first list step)."""
    head = path.split("[", 1)[0]
    return "".join("/" + part for part in head.split(".") if part)


def _records_of(profile: Profile, kind: str) -> list[tuple[str, Mapping[str, Any]]]:
    return [
        (pointer, record)
        for pointer, record in fieldpath.values(profile.data, "records[]")
        if isinstance(record, Mapping) and record.get("kind") == kind
    ]


def _record_presence(
    profile: Profile, req: Requirement, kind: str, evidence: Mapping[str, EvidenceFile]
) -> Check:
    records = _records_of(profile, kind)
    if not records:
        return Check(
            "record",
            kind,
            "missing",
            profile.locate("/records"),
            (req.uid,),
            req.severity,
            words("gap.no-record"),
        )
    pointer, newest = max(records, key=lambda pr: str(pr[1].get("date", "")))
    return _with_evidence(profile, req, kind, pointer, newest, evidence)


def _with_evidence(
    profile: Profile,
    req: Requirement,
    kind: str,
    pointer: str,
    record: Mapping[str, Any],
    evidence: Mapping[str, EvidenceFile],
) -> Check:
    """Present when the record's evidence file is there (or none is named); partial if not."""
    written = record.get("file")
    if written and evidence and evidence_status(evidence, written) != "ok":
        return Check(
            "record",
            kind,
            "partial",
            profile.locate(f"{pointer}/file"),
            (req.uid,),
            req.severity,
            words("gap.evidence-missing", file=written),
        )
    return Check("record", kind, "present", profile.locate(pointer), (req.uid,), req.severity)


def _record_checks(
    profile: Profile, req: Requirement, evidence: Mapping[str, EvidenceFile]
) -> list[Check]:
    checks = []
    assessed = _assessment_date(profile.data)
    for mandate in req.records:
        records = _records_of(profile, mandate.document)
        if not records:
            checks.append(
                Check(
                    "record",
                    mandate.document,
                    "missing",
                    profile.locate("/records"),
                    (req.uid,),
                    req.severity,
                    words("gap.max-age", days=mandate.max_age_days),
                )
            )
            continue
        if assessed is None:
            checks.append(
                Check(
                    "field",
                    "assessment_date",
                    "missing",
                    profile.locate("/assessment_date"),
                    (req.uid,),
                    req.severity,
                    words("gap.no-assessment-date"),
                )
            )
            continue
        pointer, newest = max(records, key=lambda pr: str(pr[1].get("date", "")))
        age = (assessed - dt.date.fromisoformat(newest["date"])).days
        if age > mandate.max_age_days:
            detail = words("gap.age", age=age, assessed=assessed, allowed=mandate.max_age_days)
            checks.append(
                Check(
                    "record",
                    mandate.document,
                    "stale",
                    profile.locate(f"{pointer}/date"),
                    (req.uid,),
                    req.severity,
                    detail,
                )
            )
            continue
        checks.append(_with_evidence(profile, req, mandate.document, pointer, newest, evidence))
    return checks


def _due_checks(profile: Profile, req: Requirement) -> list[Check]:
    """Each dated recurring activity against its cycle: overdue (stale) when due before the
    assessment date. Missing dates are the business of field mandates."""
    assessed = _assessment_date(profile.data)
    checks = []
    for due in req.due:
        parent = due.field.rsplit(".", 1)[0]
        cycles = dict(fieldpath.values(profile.data, f"{parent}.{due.cycle}"))
        worst: Check | None = None
        for pointer, value in fieldpath.values(profile.data, due.field):
            cycle = cycles.get(f"{pointer.rsplit('/', 1)[0]}/{due.cycle}")
            last = parse_date(value)
            when = next_due(last, cycle) if last else None
            if assessed and when and when < assessed:
                detail = words("gap.due", due=when.isoformat(), assessed=assessed.isoformat())
                checks.append(_check(profile, req, "date", due.field, "stale", pointer, detail))
            elif worst is None:
                worst = _check(profile, req, "date", due.field, "present", pointer)
        if worst is not None and not any(c.subject == due.field for c in checks):
            checks.append(worst)
    return checks


def _audience_checks(profile: Profile, req: Requirement) -> list[Check]:
    """Every role of the profile in the audience of the named training modules."""
    roles = [r["id"] for r in profile.data.get("roles") or [] if isinstance(r, Mapping)]
    modules = dict(
        (m.get("id"), (pointer, m))
        for pointer, m in fieldpath.values(profile.data, "training.modules[]")
        if isinstance(m, Mapping)
    )
    checks = []
    for path in req.audiences:
        for _, module_id in fieldpath.values(profile.data, path):
            pointer, module = modules.get(module_id, ("", None))
            if module is None:
                continue  # no such module: a reference error, or a missing field
            audience = set(module.get("audience") or [])
            where = f"{pointer}/audience" if module.get("audience") else pointer
            left_out = [r for r in roles if r not in audience]
            detail = words("gap.audience", module=module_id)
            checks += [
                _check(profile, req, "audience", role, "partial", where, detail)
                for role in left_out
            ]
            if not left_out:
                checks.append(_check(profile, req, "audience", module_id, "present", where))
    return checks


def _rule_checks(profile: Profile, req: Requirement) -> list[Check]:
    """Each rule of ``req`` (generator.continuity) with data: a partial gap per breach, or met."""
    checks = []
    for mandate in req.rules:
        breaches = continuity.RULES[mandate.rule](profile.data)
        if breaches is None:
            continue  # nothing to hold to the rule: neither met nor a gap
        checks += [
            _check(profile, req, "rule", mandate.rule, "partial", pointer, detail)
            for pointer, detail in breaches
        ]
        if not breaches:
            checks.append(_check(profile, req, "rule", mandate.rule, "present", "/emergency"))
    return checks


def _check(
    profile: Profile,
    req: Requirement,
    kind: Kind,
    subject: str,
    status: Status,
    pointer: str,
    detail: str | Words = "",
) -> Check:
    return Check(kind, subject, status, profile.locate(pointer), (req.uid,), req.severity, detail)


def _assessment_date(data: Any) -> dt.date | None:
    value = data.get("assessment_date") if isinstance(data, Mapping) else None
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _merge(gaps: list[Check]) -> list[Check]:
    """One gap per (kind, subject, pointer): requirement ids combined, the worst severity kept."""
    merged: dict[tuple[str, str, str], Check] = {}
    for gap in gaps:
        key = (gap.kind, gap.subject, gap.location.pointer)
        if key in merged:
            old = merged[key]
            ids = tuple(sorted(set(old.requirement_ids) | set(gap.requirement_ids), key=_uid_key))
            severity = "major" if "major" in (old.severity, gap.severity) else "minor"
            gap = replace(old, requirement_ids=ids, severity=severity)
        merged[key] = gap
    return sorted(
        merged.values(),
        key=lambda g: (g.location.line or 0, g.location.column or 0, g.kind, g.subject),
    )


def _uid_key(uid: str) -> tuple[str, int, str]:
    standard, _, number = uid.partition("/")
    return (standard, int(number) if number.isdigit() else 0, number)
