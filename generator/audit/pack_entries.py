"""What goes into the evidence pack, and which requirements each file evidences."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from generator.audit.pack import PackEntry
from generator.errors import CcdocsError
from generator.messages import error
from generator.publish import Publication
from generator.publish.package import safe_entry_name
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
    assessment = stage / "assessment"
    for path in sorted(assessment.iterdir()) if assessment.is_dir() else ():
        entries.append(
            PackEntry(
                f"assessment/{path.name}",
                path.read_bytes(),
                "assessment",
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
    _check_names(names, records)
    entries = []
    for parts, named in records.items():
        requirements = set().union(
            *(by_file.get(r["file"], set()) | set(r.get("requirements", [])) for r in named)
        )
        entries.append(
            PackEntry(
                names[parts],
                b"",
                "evidence",
                named[0].get("title", named[0]["id"]),
                max(r["date"] for r in named),
                tuple(sorted(requirements)),
                source=publication.evidence[named[0]["file"]],  # copied as the pack is written
            )
        )
    return entries


def _evidence_names(paths: list[tuple[str, ...]]) -> dict[tuple[str, ...], str]:
    """The pack path of each evidence file: under evidence/, without a leading "evidence/"
    unless that would give two files one name.

    The long form puts "_/" before the whole path, so long names never meet each other; a short
    name starting with "_/" could meet a long one, so it takes the long form too.
    """
    short = {p: p[1:] if p[0] == "evidence" and len(p) > 1 else p for p in paths}
    taken = Counter(short.values())
    return {
        p: "evidence/"
        + "/".join(short[p] if taken[short[p]] == 1 and short[p][0] != "_" else ("_", *p))
        for p in paths
    }


def _check_names(
    names: Mapping[tuple[str, ...], str], records: Mapping[tuple[str, ...], list[Mapping[str, Any]]]
) -> None:
    """CcdocsError naming the files when two would share an entry, or a name is unsafe."""
    files: dict[str, list[str]] = {}
    for parts, name in names.items():
        files.setdefault(name, []).append(str(records[parts][0]["file"]))
    for name, written in sorted(files.items()):
        if len(written) > 1 or not safe_entry_name(name):
            raise error(CcdocsError, "error.pack-name", files=tuple(written), name=name)


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
