"""The evidence pack: documents, evidence files, blank forms and the audit in one zip, with a
checksummed manifest; and its verification.

Reproducible: entries are sorted, timestamps fixed, and every date in the manifest comes from
the profile (``collected_date`` is the assessment date), so the same inputs give the same bytes.
"""

from __future__ import annotations

import hashlib
import html
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.publish.package import safe_entry_name, write_zip

MANIFEST = "manifest.json"
MANIFEST_SCHEMA = "ccdocs-evidence-manifest/1"


@dataclass(frozen=True)
class PackEntry:
    """One file of the pack and what it evidences."""

    path: str
    data: bytes
    kind: str  # document | evidence | form | audit | index
    title: str
    effective_date: str | None
    requirements: tuple[str, ...]


def write_pack(
    target: Path,
    entries: list[PackEntry],
    *,
    organization: Mapping[str, Any],
    collected: str | None,
) -> Path:
    """Write the zip with an index (HTML and JSON) and the manifest."""
    index = [_describe(e, collected) for e in sorted(entries, key=lambda e: e.path)]
    index_json = (
        json.dumps(
            {"organization": dict(organization), "entries": index}, ensure_ascii=False, indent=2
        ).encode()
        + b"\n"
    )
    index_html = _index_html(organization, index).encode()
    files = [(e.path, e.data) for e in entries]
    files += [("index.json", index_json), ("index.html", index_html)]
    described = {i["path"]: i for i in index}
    for name in ("index.json", "index.html"):
        described[name] = _describe(PackEntry(name, b"", "index", name, None, ()), collected)
    manifest = {
        "schema": MANIFEST_SCHEMA,
        "organization": dict(organization),
        "collected_date": collected,
        "files": [
            {**described[name], "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(files)
        ],
    }
    files.append((MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n"))
    return write_zip(target, files)


def _describe(entry: PackEntry, collected: str | None) -> dict[str, Any]:
    return {
        "path": entry.path,
        "kind": entry.kind,
        "title": entry.title,
        "effective_date": entry.effective_date,
        "collected_date": collected,
        "requirements": sorted(entry.requirements),
    }


def _index_html(organization: Mapping[str, Any], index: list[dict[str, Any]]) -> str:
    e = html.escape
    rows = "".join(
        f'<tr><td><a href="{e(i["path"])}">{e(i["path"])}</a></td><td>{e(i["kind"])}</td>'
        f"<td>{e(i['title'])}</td><td>{e(i['effective_date'] or '')}</td>"
        f"<td>{e(', '.join(i['requirements']))}</td></tr>"
        for i in index
    )
    name = e(str(organization.get("name", "")))
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}</title>'
        "<style>body{font-family:sans-serif}td,th{border:1px solid #999;padding:3px 6px}"
        "table{border-collapse:collapse}</style></head><body>"
        f"<h1>{name}</h1><table><tr><th>path</th><th>kind</th><th>title</th>"
        f"<th>effective</th><th>requirements</th></tr>{rows}</table></body></html>\n"
    )


def verify_pack(path: Path) -> list[str]:
    """Problems found re-checking every file against the manifest; empty when the pack is intact.

    A damaged or hostile pack gives problems, never an exception: unreadable zip or manifest,
    unsafe entry names (that would land outside the folder it is extracted into), changed,
    missing and unlisted files.
    """
    try:
        package = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as e:
        return [f"{path}: not a readable zip ({e})"]
    with package:
        names = package.namelist()
        problems = [f"{n}: unsafe entry name" for n in names if not safe_entry_name(n)]
        if MANIFEST not in names:
            return [*problems, f"{path}: no {MANIFEST}"]
        try:
            files = _manifest_files(json.loads(package.read(MANIFEST)))
        except (ValueError, KeyError, TypeError, zipfile.BadZipFile) as e:
            return [*problems, f"{MANIFEST}: unreadable ({e})"]
        for name, size, sha256 in files:
            if name not in names:
                problems.append(f"{name}: missing from the pack")
                continue
            try:
                data = package.read(name)
            except (OSError, zipfile.BadZipFile) as e:
                problems.append(f"{name}: unreadable ({e})")
                continue
            if hashlib.sha256(data).hexdigest() != sha256 or len(data) != size:
                problems.append(f"{name}: changed (sha256 does not match the manifest)")
        listed = {name for name, _, _ in files}
        problems += [f"{n}: not in the manifest" for n in sorted(set(names) - listed - {MANIFEST})]
        return problems


def _manifest_files(manifest: Any) -> list[tuple[str, int, str]]:
    """(path, size, sha256) of every file the manifest lists; KeyError/TypeError when malformed."""
    return [(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in manifest["files"]]
