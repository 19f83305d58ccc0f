"""Traceability: requirement -> document -> section -> evidence -> status, computed from the
rendered documents (each section names the requirements it satisfies), never written by hand."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from generator.evidence import EvidenceFile
from generator.render import plain_text
from generator.standards import Catalog

_HEADING = re.compile(r"^(#{2,4}) (.*?) \{#([a-z0-9-]+)\}\s*$")
_SATISFIES = re.compile(r"^<!-- satisfies: (.*?) -->\s*$")
_WORST = {"present": 0, "partial": 1, "stale": 2, "missing": 3}


def cited_sections(documents: Mapping[str, str]) -> dict[str, list[dict[str, str]]]:
    """Requirement id -> the document sections that say they satisfy it, in document order."""
    cited: dict[str, list[dict[str, str]]] = {}
    for doc_id, text in documents.items():
        heading = {"title": "", "anchor": ""}
        for line in text.splitlines():
            if match := _HEADING.match(line):  # the title as text: pages escape it again
                heading = {"title": plain_text(match.group(2)), "anchor": match.group(3)}
            elif match := _SATISFIES.match(line):
                for uid in match.group(1).split():
                    cited.setdefault(uid, []).append({"document": doc_id, **heading})
    return cited


def traceability(
    documents: Mapping[str, str],
    report: Mapping[str, Any],
    catalog: Catalog,
    records: list[Mapping[str, Any]],
    evidence: Mapping[str, EvidenceFile],
) -> list[dict[str, Any]]:
    """One row per requirement of the targeted standards."""
    cited = cited_sections(documents)
    rows = []
    for standard in report["standards"]:
        statuses: dict[str, list[str]] = {}
        for section in standard["sections"]:
            for item in section["items"]:
                statuses.setdefault(item["requirement"], []).append(item["status"])
        for uid, found in statuses.items():
            req = catalog.requirements[uid]
            rows.append(
                {
                    "requirement": uid,
                    "standard": standard["short"],
                    "cite": f"{catalog.standards[req.standard].cite} {req.number}",
                    "title": dict(req.title),
                    "sections": cited.get(uid, []),
                    "evidence": _evidence_for(uid, req.documents, req.records, records, evidence),
                    "status": max(found, key=lambda s: _WORST[s]),
                }
            )
    return rows


def _evidence_for(
    uid: str,
    documents: tuple[str, ...],
    mandates: tuple[Any, ...],
    records: list[Mapping[str, Any]],
    evidence: Mapping[str, EvidenceFile],
) -> list[dict[str, Any]]:
    kinds = set(documents) | {m.document for m in mandates}
    found = []
    for record in records:
        if uid in record.get("requirements", []) or record.get("kind") in kinds:
            written = record.get("file")
            info = evidence.get(written) if isinstance(written, str) else None
            found.append(
                {
                    "record": record["id"],
                    "title": record.get("title", record["id"]),
                    "date": record["date"],
                    "file": written,
                    "status": info.status if info else ("missing" if written else "none"),
                }
            )
    return found


def rows_for_document(rows: list[dict[str, Any]], doc_id: str) -> list[dict[str, Any]]:
    """The rows whose requirement one of ``doc_id``'s sections satisfies, with those sections."""
    selected = []
    for row in rows:
        sections = [s for s in row["sections"] if s["document"] == doc_id]
        if sections:
            selected.append({**row, "sections": sections})
    return selected
