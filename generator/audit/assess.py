"""The whole audit of one profile as plain data: gap report, maturity, outcomes, traceability."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.audit.gaps import STATUSES, gap_report
from generator.audit.matrix import traceability
from generator.audit.maturity import maturity
from generator.audit.method import interpretations
from generator.audit.outcome import outcomes
from generator.evidence import EvidenceFile
from generator.profile import Profile
from generator.standards import Catalog


def audit_profile(
    profile: Profile,
    catalog: Catalog,
    evidence: Mapping[str, EvidenceFile],
    documents: Mapping[str, str],
) -> dict[str, Any]:
    """Everything the auditor's pages, files and the documents' appendices show."""
    report = gap_report(profile, catalog, evidence)
    levels = maturity(profile, catalog, evidence)
    rated = outcomes(report, profile, catalog, evidence)
    judged = [s["standard"] for s in report["standards"]] + [m["standard"] for m in levels]
    return {
        "report": report,
        "statuses": list(STATUSES),
        "maturity": levels,
        "outcomes": rated,
        "method": interpretations(catalog.standards[sid] for sid in dict.fromkeys(judged)),
        "trace": traceability(
            documents, report, catalog, profile.data.get("records", []), evidence
        ),
    }
