"""Publish stage: write the rendered documents in each output format into a staging folder.

``PUBLISHERS`` maps a format name to the function that writes it; each takes the rendered
Markdown, the document facts the covers and headers need, and its output folder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.brand import Brand, default_brand
from generator.publish.markdown import publish_markdown

# pandoc's Markdown reader without the extensions ccdocs' templates do not use and that would make
# profile text active anyway: math, sub- and superscript, strikeout, citations, fancy and example
# lists, definitions, smart typography, metadata and title blocks, raw TeX, divs and spans,
# notes, tables other than pipe tables, line blocks and task lists.
PANDOC_MARKDOWN = "markdown" + "".join(
    f"-{extension}"
    for extension in (
        "tex_math_dollars",
        "raw_tex",
        "latex_macros",
        "subscript",
        "superscript",
        "strikeout",
        "citations",
        "example_lists",
        "fancy_lists",
        "definition_lists",
        "smart",
        "yaml_metadata_block",
        "pandoc_title_block",
        "fenced_divs",
        "bracketed_spans",
        "native_divs",
        "native_spans",
        "footnotes",
        "inline_notes",
        "grid_tables",
        "multiline_tables",
        "simple_tables",
        "table_captions",
        "line_blocks",
        "task_lists",
    )
)


@dataclass(frozen=True)
class DocumentFacts:
    """What a printed document shows outside its body: cover, header, footer, properties."""

    doc_id: str
    title: str
    organization: str
    number: str
    version: str
    effective_date: str
    owner: str
    page_of: str
    toc_title: str
    language: str
    prepared_by: str = ""  # "prepared by <company>" when a brand names a company
    brand: Brand = field(default_factory=default_brand)
    # The cover's labelled control fields (number, version, dates, classification, copy status)
    cover: tuple[tuple[str, str], ...] = ()
    # The sign-off block: its column heads, then one row per signatory (what they do, who)
    signoff_heads: tuple[str, ...] = ()
    signoff: tuple[tuple[str, str], ...] = ()
    classification: str = ""  # on every page when the document is not public, e.g. "密级：机密"
    # Why the document is a draft (placeholders, no approval, unmet requirements it cites), in
    # the document's words; "" when it is final. A draft carries the watermark on every page.
    draft_note: str = ""
    open_items: str = ""  # the words of a link to the open items (the gap report)
    watermark: str = ""  # "草稿" / "DRAFT" for a draft, else ""
    placeholder: str = ""  # the placeholder label, e.g. "【待补充：{field} - {requirements}】"

    @property
    def running(self) -> str:
        """The running header's words: the document number and version ("GS-01  v3.1")."""
        version = f"v{self.version}" if self.version else ""
        return "  ".join(part for part in (self.number, version) if part)


@dataclass(frozen=True)
class Publication:
    """Everything the publishers need: rendered documents, their facts, and the site pages."""

    documents: Mapping[str, str]  # document id -> Markdown
    facts: Mapping[str, DocumentFacts]
    pages: Mapping[str, str]  # extra site pages: file name -> Markdown (e.g. index.md)
    site_name: str
    language: str
    audit: Mapping[str, Any] = field(default_factory=dict)  # gap report, scores, traceability
    audit_pages: Mapping[str, str] = field(default_factory=dict)  # audit/ folder: name -> text
    evidence: Mapping[str, Any] = field(default_factory=dict)  # written path -> EvidenceFile
    forms: Mapping[str, str] = field(default_factory=dict)  # blank record forms: id -> Markdown
    records: Sequence[Mapping[str, Any]] = ()
    assessment_date: str | None = None
    brand: Brand = field(default_factory=default_brand)
    # id -> name in the publication's language: roles, modules, ... and catalogue documents
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    downloads: tuple[str, ...] = ()  # print formats beside the site: docx, pdf
    download_label: str = ""


Publisher = Callable[[Publication, Path], list[Path]]


def _markdown(publication: Publication, folder: Path) -> list[Path]:
    return publish_markdown(publication.documents, folder)


def _docx(publication: Publication, folder: Path) -> list[Path]:
    from generator.publish.docx import publish_docx_all

    folder.mkdir(parents=True, exist_ok=True)
    work = folder.parent / ".docx-work" / _group(publication)
    work.mkdir(parents=True, exist_ok=True)
    documents = sorted(publication.documents.items())
    targets = [(text, publication.facts[doc], folder / f"{doc}.docx") for doc, text in documents]
    return publish_docx_all(targets, work)


def _pdf(publication: Publication, folder: Path) -> list[Path]:
    from generator.publish.pdf import cjk_font, publish_pdf_all

    cjk_font()  # fail before any work when there is no font for Chinese
    folder.mkdir(parents=True, exist_ok=True)
    work = folder.parent / ".pdf-work"
    documents = sorted(publication.documents.items())
    return publish_pdf_all(
        [
            (text, publication.facts[doc_id], folder / f"{doc_id}.pdf", work / doc_id)
            for doc_id, text in documents
        ]
    )


def _group(publication: Publication) -> str:
    """A work folder's name for the documents of one task (tasks may run side by side)."""
    return min(publication.documents, default="none")


def _site(publication: Publication, folder: Path) -> list[Path]:
    from generator.publish.site import build_site, write_site_project

    project = folder.parent / ".site-project"
    config = write_site_project(publication, project)
    built = build_site(config, folder)
    return sorted(p for p in built.rglob("*.html"))


def _audit(publication: Publication, folder: Path) -> list[Path]:
    from generator.audit.write import publish_audit

    return publish_audit(publication, folder)


# Output folder under build/<org-id>/ and the publisher of each format, in build order.
PUBLISHERS: dict[str, tuple[str, Publisher]] = {
    "audit": ("audit", _audit),
    "md": ("manual", _markdown),
    "docx": ("docx", _docx),
    "pdf": ("pdf", _pdf),
    "site": ("site", _site),
}
