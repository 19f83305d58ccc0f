"""The evidence pack: documents, evidence files, blank forms and the audit in one zip, with a
checksummed manifest; and its verification.

Reproducible: entries are sorted, timestamps fixed, and every date in the manifest comes from
the profile (``collected_date`` is the assessment date), so the same inputs give the same bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import stat
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from generator.evidence import CHUNK_BYTES, MAX_EVIDENCE_BYTES, EvidenceFile, copy_evidence
from generator.messages import DEFAULT, Words, say_words, words
from generator.publish.package import EntryWriter, safe_entry_name, write_zip

MANIFEST = "manifest.json"
MANIFEST_SCHEMA = "ccdocs-evidence-manifest/1"
MAX_ENTRY_BYTES = MAX_EVIDENCE_BYTES  # no file of a pack is larger: verify reads no more
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
# What reading a damaged or hostile zip raises: bad headers, truncated or corrupt compressed
# data, an unknown compression method, an encrypted entry (RuntimeError).
_DAMAGED = (
    OSError,
    EOFError,
    zipfile.BadZipFile,
    NotImplementedError,
    RuntimeError,
    ValueError,
    zlib.error,
)


@dataclass(frozen=True)
class PackEntry:
    """One file of the pack and what it evidences."""

    path: str
    data: bytes
    kind: str  # document | evidence | form | audit | assessment | index
    title: str
    effective_date: str | None
    requirements: tuple[str, ...]
    source: EvidenceFile | None = None  # copied from this evidence file instead of ``data``


def write_pack(
    target: Path,
    entries: list[PackEntry],
    *,
    organization: Mapping[str, Any],
    collected: str | None,
) -> Path:
    """Write the zip with an index (HTML and JSON) and the manifest, written last.

    Evidence files are streamed into the zip from one descriptor each and hashed on the way;
    EvidenceChanged when one is no longer what was checked at load.
    """
    index = [_describe(e, collected) for e in sorted(entries, key=lambda e: e.path)]
    index_json = (
        json.dumps(
            {"organization": dict(organization), "entries": index}, ensure_ascii=False, indent=2
        ).encode()
        + b"\n"
    )
    index_html = _index_html(organization, index).encode()
    indexes = [
        PackEntry(name, data, "index", name, None, ())
        for name, data in (("index.json", index_json), ("index.html", index_html))
    ]
    described = {i["path"]: i for i in index} | {e.path: _describe(e, collected) for e in indexes}
    sums: dict[str, tuple[int, str]] = {}  # path -> size, sha256, as written
    files = sorted(((e.path, _content(e, sums)) for e in [*entries, *indexes]), key=lambda f: f[0])

    def manifest(stream: IO[bytes]) -> None:
        listed = [{**described[n], "size": sums[n][0], "sha256": sums[n][1]} for n, _ in files]
        body: dict[str, Any] = {"schema": MANIFEST_SCHEMA, "organization": dict(organization)}
        body |= {"collected_date": collected, "files": listed}
        stream.write(json.dumps(body, ensure_ascii=False, indent=2).encode() + b"\n")

    return write_zip(target, [*files, (MANIFEST, manifest)], sort=False)


def _content(entry: PackEntry, sums: dict[str, tuple[int, str]]) -> bytes | EntryWriter:
    """The data of ``entry``, or a writer that copies its evidence file; records what it wrote."""
    source = entry.source
    if source is None:
        sums[entry.path] = (len(entry.data), hashlib.sha256(entry.data).hexdigest())
        return entry.data

    def copy(stream: IO[bytes]) -> None:
        sums[entry.path] = copy_evidence(source, stream.write)

    return copy


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
    """Problems found re-checking every file against the manifest, in English; empty when the
    pack is intact (``pack_problems`` gives them as message codes)."""
    return [say_words(problem, DEFAULT) for problem in pack_problems(path)]


def pack_problems(path: Path) -> list[Words]:
    """Problems found re-checking every file against the manifest, as message codes with their
    arguments; empty when the pack is intact.

    A damaged or hostile pack gives problems, never an exception: not a regular file, not a zip,
    unreadable or malformed manifest, unsafe or repeated entry names (that would land outside the
    folder it is extracted into, or over each other), links and other entries that are not plain
    files, entries larger than ``MAX_ENTRY_BYTES``, changed, missing and unlisted files. Entries
    are read in blocks, never whole.
    """
    try:
        with _open_pack(path) as package:
            return _verify(package, path)
    except _DAMAGED as e:
        return [words("verify.not-zip", pack=path, reason=e)]


@contextlib.contextmanager
def _open_pack(path: Path) -> Iterator[zipfile.ZipFile]:
    """The zip at ``path``, opened without waiting on a pipe; OSError when not a regular file."""
    with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC), "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        with zipfile.ZipFile(file) as package:
            yield package


def _verify(package: zipfile.ZipFile, path: Path) -> list[Words]:
    infos = package.infolist()
    problems = _entry_problems(infos)
    single = {i.filename: i for i in infos}
    counts = Counter(i.filename for i in infos)
    if MANIFEST not in single:
        return [*problems, words("verify.no-manifest", pack=path, manifest=MANIFEST)]
    if counts[MANIFEST] > 1:
        return problems  # which of them is the manifest cannot be told
    files, problem = _read_manifest(package, single[MANIFEST])
    if problem:
        return [*problems, problem]
    for name, size, sha256 in files:
        if name not in single:
            problems.append(words("verify.missing", name=name))
        elif counts[name] == 1 and _plain_file(single[name]):
            problems += _check_entry(package, single[name], size, sha256)
    listed = Counter(name for name, _, _ in files)
    problems += [words("verify.listed", name=n, count=k) for n, k in listed.items() if k > 1]
    unlisted = sorted(set(single) - set(listed) - {MANIFEST})
    problems += [words("verify.unlisted", name=n) for n in unlisted]
    return problems


def _entry_problems(infos: list[zipfile.ZipInfo]) -> list[Words]:
    """Entries no extraction may trust: unsafe or repeated names, links and other non-files."""
    problems = [
        words("verify.unsafe", name=i.filename) for i in infos if not safe_entry_name(i.filename)
    ]
    counts = Counter(i.filename for i in infos)
    problems += [words("verify.repeated", name=n, count=k) for n, k in counts.items() if k > 1]
    for info in infos:
        if not _plain_file(info):
            code = "verify.link" if _is_link(info) else "verify.special"
            problems.append(words(code, name=info.filename))
    return problems


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _plain_file(info: zipfile.ZipInfo) -> bool:
    """True unless the entry is marked as a folder, a link or another special file.

    The Unix mode is honoured whatever system the entry claims to come from: extractors differ.
    """
    kind = stat.S_IFMT(info.external_attr >> 16)
    return kind in (0, stat.S_IFREG) and not info.is_dir() and not info.external_attr & 0x10


def _check_entry(
    package: zipfile.ZipFile, info: zipfile.ZipInfo, size: int, sha256: str
) -> list[Words]:
    name = info.filename
    if info.file_size != size:  # decided before reading a byte
        return [words("verify.size-changed", name=name)]
    try:
        digest = hashlib.sha256()
        for block in _entry_blocks(package, info, MAX_ENTRY_BYTES):
            digest.update(block)
    except _TooLarge as e:
        return [words("verify.too-large", name=name, size=e.args[0])]
    except _DAMAGED as e:
        return [words("verify.unreadable", name=name, reason=e)]
    if digest.hexdigest() != sha256:
        return [words("verify.sha-changed", name=name)]
    return []


class _TooLarge(Exception):
    """An entry that declares, or turns out to hold, more than a pack's files can (the limit in
    MiB)."""


def _entry_blocks(package: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """The bytes of ``info`` in blocks, stopping past ``limit`` whatever its header declares."""
    too_large = limit // 1024 // 1024
    if info.file_size > limit:
        raise _TooLarge(too_large)
    total = 0
    with package.open(info) as stream:
        while block := stream.read(CHUNK_BYTES):
            total += len(block)
            if total > limit:
                raise _TooLarge(too_large)
            yield block


def _read_manifest(
    package: zipfile.ZipFile, info: zipfile.ZipInfo
) -> tuple[list[tuple[str, int, str]], Words | None]:
    """The manifest's files, or a problem naming what is wrong with it."""
    try:
        data = b"".join(_entry_blocks(package, info, MAX_MANIFEST_BYTES))
        return _manifest_files(json.loads(data)), None
    except _TooLarge as e:
        return [], words("verify.too-large", name=MANIFEST, size=e.args[0])
    except _Malformed as e:
        return [], words("verify.manifest-entry", name=MANIFEST, number=e.args[0])
    except (*_DAMAGED, KeyError, TypeError) as e:  # RecursionError is a RuntimeError
        return [], words("verify.unreadable", name=MANIFEST, reason=e)


class _Malformed(Exception):
    """A file of the manifest (its number) without a path, a size or a sha256 of their types."""


def _manifest_files(manifest: Any) -> list[tuple[str, int, str]]:
    """(path, size, sha256) of every file the manifest lists; KeyError/TypeError/_Malformed when
    malformed."""
    files = []
    for number, item in enumerate(manifest["files"], 1):
        path, size, sha256 = item["path"], item["size"], item["sha256"]
        if not (isinstance(path, str) and type(size) is int and isinstance(sha256, str)):
            raise _Malformed(number)
        files.append((path, size, sha256))
    return files
