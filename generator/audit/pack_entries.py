"""What goes into the evidence pack, and which requirements each file evidences."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from generator.audit.pack import PackEntry
from generator.publish import Publication
from generator.standards import Catalog

_DOCUMENT_FOLDERS = {"manual": ".md", "docx": ".docx", "pdf": ".pdf"}


def pack_entries(publication: Publication, stage: Path, catalog: Catalog) -> list[PackEntry]:
    """Documents and audit files from ``stage``, the profile's evidence files, the blank forms."""
    trace = publication.audit["trace"]
    cited: dict[str, set[str]] = {}
    for row in trace:
        for section in row["sections"]:
            cited.setdefault(section["document"], set()).add(row["requirement"])
    entries = []
    for folder, suffix in _DOCUMENT_FOLDERS.items():
        for path in sorted((stage / folder).glob(f"*{suffix}")):
            fact = publication.facts[path.stem]
            entries.append(
                PackEntry(
                    f"documents/{folder}/{path.name}",
                    path.read_bytes(),
                    "document",
                    fact.title,
                    fact.effective_date or None,
                    tuple(sorted(cited.get(path.stem, ()))),
                )
            )
    every = tuple(sorted({row["requirement"] for row in trace}))
    for path in sorted((stage / "audit").iterdir()):
        entries.append(
            PackEntry(
                f"audit/{path.name}",
                path.read_bytes(),
                "audit",
                path.name,
                publication.assessment_date,
                every,
            )
        )
    entries += _evidence_entries(publication, trace)
    entries += _form_entries(publication, catalog)
    return entries


def _evidence_entries(publication: Publication, trace: list[dict[str, Any]]) -> list[PackEntry]:
    by_file: dict[str, set[str]] = {}
    for row in trace:
        for item in row["evidence"]:
            if item["file"]:
                by_file.setdefault(item["file"], set()).add(row["requirement"])
    entries = []
    for record in publication.records:
        written = record.get("file")
        info = publication.evidence.get(written) if isinstance(written, str) else None
        if not isinstance(written, str) or info is None or info.status != "ok":
            continue  # a missing file is a gap in the report, not a crash here
        requirements = set(record.get("requirements", [])) | by_file.get(written, set())
        parts = PurePosixPath(written.replace("\\", "/")).parts
        name = "/".join(parts[1:] if parts[0] == "evidence" else parts)
        entries.append(
            PackEntry(
                f"evidence/{name}",
                info.path.read_bytes(),
                "evidence",
                record.get("title", record["id"]),
                record["date"],
                tuple(sorted(requirements)),
            )
        )
    return entries


def _form_entries(publication: Publication, catalog: Catalog) -> list[PackEntry]:
    entries = []
    for form_id, text in sorted(publication.forms.items()):
        kinds = {d.id for d in catalog.documents.values() if d.form == form_id}
        requirements = {
            r.uid
            for r in catalog.requirements.values()
            if kinds & (set(r.documents) | {m.document for m in r.records})
        }
        title = text.splitlines()[0].lstrip("# ") if text else form_id
        entries.append(
            PackEntry(
                f"forms/{form_id}.md",
                text.encode(),
                "form",
                title,
                None,
                tuple(sorted(requirements)),
            )
        )
    return entries
