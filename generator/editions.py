"""Editions: what changed between two versions of the manual set, per document and section.

An edition is a profile (rendered in memory) or a built edition on disk (``build/<org-id>/`` or
its ``manual/`` folder). Sections are matched by their anchor (``{#scope}``), or by their title
without its number when they have none, so renumbered chapters still match.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from generator.errors import CcdocsError
from generator.evidence import FileRefused, open_inside, read_chunks
from generator.labels import load_labels
from generator.messages import error
from generator.render import (
    escape_text,
    fill,
    make_environment,
    plain_text,
    render_template,
    template_dirs,
)

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{#([^}\s]+)[^}]*\})?\s*$")
_NUMBER = re.compile(r"^[\d.]+\s+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
DIFF_LINES = 40  # longest excerpt of a changed section shown in the change log
SUMMARY_SECTIONS = 5  # section titles named in a suggested revision entry
MAX_MARKDOWN_BYTES = 32 * 1024 * 1024  # per document of a built edition; ccdocs writes < 1 MiB
TEMPLATE = "editions/changes.md.jinja"


@dataclass(frozen=True)
class Edition:
    """One version of the manual set: document id -> Markdown, plus what names it."""

    label: str
    org_id: str
    documents: Mapping[str, str]
    versions: Mapping[str, str] = field(default_factory=dict)  # document id -> version
    dates: Mapping[str, str] = field(default_factory=dict)  # document id -> effective date
    language: str = "zh"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    anchor: str
    level: int
    body: str


@dataclass(frozen=True)
class SectionChange:
    """One section that was added, removed or changed."""

    kind: str  # added | removed | changed
    title: str
    anchor: str
    level: int
    added: int  # lines
    removed: int
    excerpt: tuple[str, ...] = ()  # unified-diff lines, for changed sections


@dataclass(frozen=True)
class DocumentChanges:
    document: str
    title: str
    old_version: str
    new_version: str
    date: str
    sections: tuple[SectionChange, ...]

    @property
    def counts(self) -> dict[str, int]:
        kinds = ("added", "removed", "changed")
        return {k: sum(1 for s in self.sections if s.kind == k) for k in kinds}


def sections(markdown: str) -> list[Section]:
    """The sections of a document, each with its own text (not its subsections')."""
    found: list[Section] = []
    title, anchor, level = "", "", 0
    body: list[str] = []
    fenced = False

    def close() -> None:
        key = anchor or _plain(title) or "(start)"
        found.append(Section(key, title, anchor, level, "\n".join(body).strip()))

    for line in markdown.splitlines():
        if line.startswith(("```", "~~~")):
            fenced = not fenced
        match = None if fenced else _HEADING.match(line)
        if match:
            close()
            title, anchor, level, body = plain_text(match[2]), match[3] or "", len(match[1]), []
        else:
            body.append(line)
    close()
    return [s for s in found if s.title or s.body]


def compare(old: Edition, new: Edition) -> list[DocumentChanges]:
    """Every document of either edition with the sections that differ."""
    result = []
    for doc in sorted(set(old.documents) | set(new.documents)):
        before = {s.key: s for s in sections(old.documents.get(doc, ""))}
        after = {s.key: s for s in sections(new.documents.get(doc, ""))}
        changes = list(_changes(before, after))
        title = _title(new.documents.get(doc) or old.documents.get(doc, ""), doc)
        result.append(
            DocumentChanges(
                doc,
                title,
                old.versions.get(doc, ""),
                new.versions.get(doc, ""),
                new.dates.get(doc, ""),
                tuple(changes),
            )
        )
    return result


def _changes(
    before: Mapping[str, Section], after: Mapping[str, Section]
) -> Iterator[SectionChange]:
    for key, section in after.items():  # in the new order
        if section.level == 1:
            continue  # the document title: its change shows in the document's own row
        old = before.get(key)
        if old is None:
            lines = len(section.body.splitlines())
            yield SectionChange("added", section.title, section.anchor, section.level, lines, 0)
        elif old.body != section.body or _plain(old.title) != _plain(section.title):
            diff = list(
                difflib.unified_diff(
                    old.body.splitlines(), section.body.splitlines(), lineterm="", n=0
                )
            )[2:]
            body = [d for d in diff if not d.startswith("@@")]
            plus = sum(1 for d in body if d.startswith("+"))
            minus = sum(1 for d in body if d.startswith("-"))
            if _plain(old.title) != _plain(section.title):
                body = [f"- # {old.title}", f"+ # {section.title}", *body]
            excerpt = tuple(body[:DIFF_LINES])
            yield SectionChange(
                "changed", section.title, section.anchor, section.level, plus, minus, excerpt
            )
    for key, section in before.items():
        if key not in after and section.level > 1:
            lines = len(section.body.splitlines())
            yield SectionChange("removed", section.title, section.anchor, section.level, 0, lines)


def _plain(title: str) -> str:
    """A heading without its number: renumbering alone is no change."""
    return _NUMBER.sub("", title)


def _title(markdown: str, fallback: str) -> str:
    for s in sections(markdown):
        if s.level == 1:
            return s.title
    return fallback


def read_edition(path: Path, *, render: Any = None) -> Edition:
    """The edition at ``path``: a built folder, or a profile that ``render(path)`` renders.

    A built folder's Markdown files are read like evidence (see ``generator.evidence``): regular
    files inside the folder only, at most ``MAX_MARKDOWN_BYTES`` each, UTF-8; CcdocsError naming
    the file otherwise.
    """
    if path.is_dir():
        names = _markdown_names(path)
        if not names:
            raise error(CcdocsError, "error.edition-empty", path=path)
        folder = _manual_folder(path)
        org_id = (folder.parent if folder.name == "manual" else folder).name
        documents = {name.stem: _read_markdown(path, name) for name in names}
        chinese = any(_CJK.search(text) for text in documents.values())
        return Edition(str(path), org_id, documents, language="zh" if chinese else "en")
    if render is None:
        raise error(CcdocsError, "error.not-an-edition", path=path)
    return rendered_edition(str(path), render(path))


def _manual_folder(path: Path) -> Path:
    """The folder of a built edition's Markdown: ``build/<org-id>/manual`` or the folder given."""
    return path / "manual" if (path / "manual").is_dir() else path


def _markdown_names(path: Path) -> list[PurePosixPath]:
    """The Markdown files of the built edition at ``path``, relative to it, sorted."""
    folder = _manual_folder(path)
    prefix = PurePosixPath(folder.name) if folder != path else PurePosixPath()
    try:
        with os.scandir(folder) as entries:
            names = sorted(entry.name for entry in entries if entry.name.endswith(".md"))
    except OSError as e:
        raise error(CcdocsError, "error.cannot-list", path=folder, reason=e.strerror) from e
    return [prefix / name for name in names]


def _read_markdown(path: Path, name: PurePosixPath) -> str:
    """One Markdown file of a built edition; CcdocsError naming it when it cannot be used."""
    data = _checked(path, name, read=True)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise error(CcdocsError, "error.edition-not-utf8", path=path / name, byte=e.start) from e


def _checked(path: Path, name: PurePosixPath, *, read: bool) -> bytes:
    """The bytes of ``path/name`` (none unless ``read``), once it is known to be safe to read."""
    shown = path / name
    try:
        with open_inside(path, name, MAX_MARKDOWN_BYTES) as file:
            return b"".join(read_chunks(file, MAX_MARKDOWN_BYTES, shown)) if read else b""
    except FileRefused as e:
        size = MAX_MARKDOWN_BYTES // 1024 // 1024
        raise error(CcdocsError, f"error.edition-{e.status}", path=shown, size=size) from e
    except OSError as e:
        raise error(CcdocsError, "error.cannot-read", path=shown, reason=e.strerror) from e


def rendered_edition(label: str, rendered: Any) -> Edition:
    """The edition of a profile rendered by ``generator.build.render_profile``."""
    publication = rendered.publication
    facts = publication.facts
    return Edition(
        label,
        rendered.org_id,
        dict(publication.documents),
        {d: f.version for d, f in facts.items()},
        {d: f.effective_date for d, f in facts.items()},
        publication.language,
    )


def edition_files(path: Path) -> list[Path]:
    """The files an edition is read from, for the fingerprint of a build that compares to it.

    Each is checked as ``read_edition`` checks it (CcdocsError naming the file), so the
    fingerprint never reads a pipe, a device or a file outside the folder.
    """
    if path.is_dir():
        names = _markdown_names(path)
        for name in names:
            _checked(path, name, read=False)
        return [path / name for name in names]
    from generator.profile import load_profile

    return sorted(load_profile(path).sources)


def changes_data(old: Edition, new: Edition, docs: Sequence[DocumentChanges]) -> dict[str, Any]:
    """The change log as plain data (the JSON file, and the template's context)."""
    return {
        "schema": "ccdocs-changes/1",
        "old": old.label,
        "new": new.label,
        "organization": new.org_id,
        "documents": [
            {
                "document": d.document,
                "title": d.title,
                "old_version": d.old_version,
                "new_version": d.new_version,
                "date": d.date,
                "counts": d.counts,
                "sections": [asdict(s) for s in d.sections],
            }
            for d in docs
        ],
    }


def render_changes(
    old: Edition,
    new: Edition,
    docs: Sequence[DocumentChanges],
    language: str,
    *,
    templates: Sequence[Path] = (),
    link_prefix: str = "",
    link_suffix: str = ".md",
) -> str:
    """The change log as Markdown, with suggested revision-history entries."""
    dirs = template_dirs(templates)
    labels = load_labels(language, dirs)
    data = changes_data(old, new, docs)
    context = {
        **escape_text({k: data[k] for k in ("old", "new", "organization")}),
        "documents": escape_text(data["documents"]),
        "kinds": ["added", "removed", "changed"],
        "revisions": revision_entries(docs, labels),
        "link_prefix": link_prefix,
        "link_suffix": link_suffix,
    }
    return render_template(make_environment(dirs, labels), TEMPLATE, context)


def revision_entries(docs: Sequence[DocumentChanges], labels: Mapping[str, Any]) -> str:
    """YAML for ``document_control``: one revision entry per changed document."""
    words = labels["editions"]
    lines = []
    for d in docs:
        if not d.sections:
            continue
        titles = [_plain(s.title) for s in d.sections]
        named = str(labels["list_sep"]).join(titles[:SUMMARY_SECTIONS])
        if len(titles) > SUMMARY_SECTIONS:
            named += fill(words["more"], "editions.more", count=len(titles))
        summary = fill(
            words["revision_summary"], "editions.revision_summary", **d.counts, sections=named
        )
        fields = [f"version: {_quoted(next_version(d.old_version, d.new_version))}"]
        if d.date:
            fields.append(f"date: {d.date}")
        fields.append(f"summary: {_quoted(summary)}")
        lines += [f"  {d.document}:", "    revisions:", f"      - {{{', '.join(fields)}}}"]
    return "\n".join(["document_control:", *lines]) if lines else ""


def _quoted(text: str) -> str:
    """A double-quoted YAML scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def next_version(old: str, new: str) -> str:
    """``new`` when it was raised, else ``old`` with its last number raised by one."""
    if new and new != old:
        return new
    parts = (old or "1.0").split(".")
    if parts[-1].isdigit():
        parts[-1] = str(int(parts[-1]) + 1)
        return ".".join(parts)
    return f"{old}.1"
