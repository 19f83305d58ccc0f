"""The assessment report (评估报告) as data: the center's self-scores beside the assessor's, the
level each gives under the same rules, the findings register, the corrective-action plan and,
against a previous assessment, what was closed, what is still open, what is new and which
corrective actions are overdue on this assessment's date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from generator.assessment.workbook import Assessment, Row
from generator.audit.maturity import Operation, level_result
from generator.standards import Catalog

# generator/assessment/assessment-report.schema.json describes this data
REPORT_SCHEMA = "ccdocs-assessment-report/1"


def assessment_report(
    assessment: Assessment,
    catalog: Catalog,
    self_scores: Mapping[str, Mapping[str, int]],
    operation: Operation | None,
    previous: Assessment | None = None,
) -> dict[str, Any]:
    standard = catalog.standards[assessment.standard]
    grades = {g["id"]: g for g in catalog.grades}
    rows = {row.requirement: row for row in assessment.rows}
    own = {uid: dict(s) for uid, s in self_scores.items() if uid.startswith(f"{standard.id}/")}
    items: list[dict[str, Any]] = []
    for req in standard.requirements:
        row = rows.get(req.uid, Row(req.uid))
        items.append(
            {
                "requirement": req.uid,
                "number": req.number,
                "section": req.section,
                "title": dict(req.title),
                "self": own.get(req.uid, {}),
                "audited": {k: v for k, v in (("c", row.c), ("f", row.f)) if v is not None},
                "grade": row.grade,
                "evidence": list(row.evidence),
                "finding": row.finding,
                "owner": row.owner,
                "due": row.due.isoformat() if row.due else None,
                "comment": row.comment,
            }
        )
    findings = [i for i in items if i["grade"] and grades[i["grade"]]["finding"]]
    plan = [i for i in findings if grades[i["grade"]]["corrective"]]
    order = {g["id"]: n for n, g in enumerate(catalog.grades)}
    findings.sort(key=lambda i: (-order[i["grade"]], _order(i["number"])))
    plan.sort(key=lambda i: (i["due"] or "9999", _order(i["number"])))
    assessors = sorted({row.assessor for row in assessment.rows if row.assessor})
    return {
        "schema": REPORT_SCHEMA,
        "standard": standard.id,
        "short": standard.short,
        "organization": assessment.organization,
        "subject": assessment.subject,
        "date": assessment.date.isoformat() if assessment.date else None,
        "assessors": assessors,
        "grades": {g["id"]: dict(g["title"]) for g in catalog.grades},
        "items": items,
        "self_level": level_result(standard, own, operation),
        "audited_level": level_result(standard, assessment.scores(), operation),
        "findings": findings,
        "plan": plan,
        "follow_up": _follow_up(assessment, previous, catalog) if previous else None,
    }


def _follow_up(now: Assessment, before: Assessment, catalog: Catalog) -> dict[str, Any]:
    """Findings closed, still open and new since ``before``; its corrective actions whose due
    date has passed on this assessment's date while the finding is still open."""
    finding = {g["id"] for g in catalog.grades if g["finding"]}
    was = {r.requirement: r for r in before.rows if r.grade in finding}
    is_ = {r.requirement: r for r in now.rows if r.grade in finding}
    today = now.date or dt.date.max
    overdue = [
        {"requirement": uid, "owner": r.owner, "due": r.due.isoformat()}
        for uid, r in sorted(was.items(), key=lambda pair: _order(pair[0]))
        if uid in is_ and r.due is not None and r.due < today
    ]
    return {
        "previous_date": before.date.isoformat() if before.date else None,
        "closed": sorted((uid for uid in was if uid not in is_), key=_order),
        "still_open": sorted((uid for uid in was if uid in is_), key=_order),
        "new": sorted((uid for uid in is_ if uid not in was), key=_order),
        "overdue": overdue,
    }


def _order(number: str) -> tuple[int, str]:
    tail = number.rsplit("/", 1)[-1]
    return (int(tail), "") if tail.isdigit() else (10**9, tail)
