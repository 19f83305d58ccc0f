"""What goes into the evidence pack, and which requirements each file evidences."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
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
    """One entry per evidence file, however many records name it."""
    by_file: dict[str, set[str]] = {}
    for row in trace:
        for item in row["evidence"]:
            if item["file"]:
                by_file.setdefault(item["file"], set()).add(row["requirement"])
    records: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}  # by path parts
    for record in publication.records:
        written = record.get("file")
        info = publication.evidence.get(written) if isinstance(written, str) else None
        if isinstance(written, str) and info is not None and info.status == "ok":
            parts = PurePosixPath(written.replace("\\", "/")).parts
            records.setdefault(parts, []).append(record)  # a missing file is a gap, not here
    names = _evidence_names(list(records))
    entries = []
    for parts, named in records.items():
        info = publication.evidence[named[0]["file"]]
        assert info.path is not None
        requirements = set().union(
            *(by_file.get(r["file"], set()) | set(r.get("requirements", [])) for r in named)
        )
        entries.append(
            PackEntry(
                names[parts],
                info.path.read_bytes(),
                "evidence",
                named[0].get("title", named[0]["id"]),
                max(r["date"] for r in named),
                tuple(sorted(requirements)),
            )
        )
    return entries


def _evidence_names(paths: list[tuple[str, ...]]) -> dict[tuple[str, ...], str]:
    """The pack path of each evidence file: under evidence/, without a leading "evidence/"
    unless that would give two files one name."""
    short = {p: p[1:] if p[0] == "evidence" and len(p) > 1 else p for p in paths}
    taken = Counter(short.values())
    return {
        p: "evidence/" + "/".join(short[p] if taken[short[p]] == 1 else ("_", *p)) for p in paths
    }


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
