"""The one orchestrator: load → validate → resolve → render → publish, then swap into place.

Every output is written into a staging folder beside the target; only when all of it has been
written is each output folder swapped into ``build/<org-id>/``, so a failed build leaves the
previous output untouched.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.audit.assess import audit_profile
from generator.audit.matrix import rows_for_document
from generator.audit.pack import write_pack
from generator.audit.pack_entries import pack_entries
from generator.audit.write import coverage_svg
from generator.errors import ProfileError, PublishError
from generator.evidence import load_evidence
from generator.mandates import Check
from generator.profile import load_profile
from generator.publish import PUBLISHERS, DocumentFacts, Publication
from generator.render import Renderer
from generator.resolve import resolve_model
from generator.standards import Catalog, load_catalog
from generator.validate import validate_profile

FORMATS = tuple(PUBLISHERS)
SITE_HOME = "site/index.md.jinja"
APPENDIX = "manual/_appendix.md.jinja"
AUDIT_PAGES = {
    "gap-report.md": "evidence/gap-report.md.jinja",
    "traceability.md": "evidence/traceability.md.jinja",
}


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: where, which files, the gaps and the placeholders per document."""

    org_id: str
    output: Path
    files: tuple[Path, ...]
    gaps: tuple[Check, ...]
    placeholders: dict[str, int]
    audit: Mapping[str, Any]


@dataclass(frozen=True)
class Rendered:
    """A profile taken through load, validate, resolve and render: ready to publish."""

    org_id: str
    publication: Publication
    gaps: tuple[Check, ...]
    placeholders: dict[str, int]


def render_profile(
    profile_path: Path,
    *,
    language: str | None = None,
    catalog: Catalog | None = None,
    templates: Sequence[Path] = (),
) -> Rendered:
    """Every stage before publishing. Raises ProfileError when the profile has errors."""
    catalog = catalog or load_catalog()
    profile = load_profile(profile_path)
    evidence = load_evidence(profile)
    validation = validate_profile(profile, catalog, evidence)
    if validation.errors:
        raise ProfileError(list(validation.errors))
    model = resolve_model(profile, catalog, validation.gaps)
    renderer = Renderer(model, language or model.language, templates)
    bodies = {d: renderer.render(f"manual/{d}.md.jinja") for d in model.context["documents"]}
    audit = audit_profile(profile, catalog, evidence, bodies)
    documents = {
        doc_id: body
        + "\n"
        + renderer.render(APPENDIX, {"rows": rows_for_document(audit["trace"], doc_id)})
        for doc_id, body in bodies.items()
    }
    svg = {"coverage.svg": coverage_svg(audit["report"], renderer.labels, renderer.language)}
    forms = {f: renderer.render(f"evidence/forms/{f}.md.jinja") for f in _form_ids(catalog)}
    publication = Publication(
        documents=documents,
        facts=document_facts(model.context, renderer.labels, renderer.language),
        pages={"index.md": renderer.render(SITE_HOME), **_audit_pages(renderer, audit, ""), **svg},
        site_name=model.context["org"]["name"],
        language=renderer.language,
        audit=audit,
        audit_pages={**_audit_pages(renderer, audit, "../manual/"), **svg},
        evidence=evidence,
        forms=forms,
        records=profile.data.get("records", []),
        assessment_date=profile.data.get("assessment_date"),
    )
    pattern = placeholder_pattern(renderer.labels["placeholder"])
    counts = {doc: len(pattern.findall(text)) for doc, text in sorted(documents.items())}
    return Rendered(model.org_id, publication, validation.gaps, counts)


def _form_ids(catalog: Catalog) -> list[str]:
    return sorted({d.form for d in catalog.documents.values() if d.form})


def _audit_pages(renderer: Renderer, audit: Mapping[str, Any], manual: str) -> dict[str, str]:
    """The audit's Markdown pages, linking to the documents in the folder ``manual``."""
    links = {"link_prefix": manual, "link_suffix": ".md"}
    return {
        name: renderer.render(template, {**audit, **links})
        for name, template in AUDIT_PAGES.items()
    }


def build_profile(
    profile_path: Path,
    out_dir: Path,
    *,
    language: str | None = None,
    formats: Sequence[str] = FORMATS,
    catalog: Catalog | None = None,
    templates: Sequence[Path] = (),
) -> BuildResult:
    """Build every requested format of ``profile_path`` into ``out_dir/<org-id>/``.

    ``templates`` are folders whose files override the shipped templates by relative path.
    Raises ProfileError (nothing written) when the profile has errors.
    """
    unknown = [f for f in formats if f not in PUBLISHERS]
    if unknown:
        raise PublishError(f"unknown format {', '.join(unknown)}; use {', '.join(PUBLISHERS)}")
    rendered = render_profile(profile_path, language=language, catalog=catalog, templates=templates)
    target = out_dir / rendered.org_id
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    with tempfile.TemporaryDirectory(prefix=f".{rendered.org_id}-", dir=out_dir) as staging:
        stage = Path(staging).resolve()
        for name, (folder, publish) in PUBLISHERS.items():
            if name in formats:
                files += publish(rendered.publication, stage / folder)
        _swap_into_place(stage, target, [PUBLISHERS[f][0] for f in formats])
    final = tuple(target / f.relative_to(stage) for f in files)
    return BuildResult(
        rendered.org_id,
        target,
        final,
        rendered.gaps,
        rendered.placeholders,
        rendered.publication.audit,
    )


def placeholder_pattern(template: str) -> re.Pattern[str]:
    """A regex matching the placeholders the label ``template`` produces."""
    prefix = template.split("{field}")[0]
    suffix = template.split("{requirements}")[-1]
    return re.compile(re.escape(prefix) + ".+?" + re.escape(suffix))


def document_facts(
    context: Mapping[str, Any], labels: Mapping[str, Any], language: str
) -> dict[str, DocumentFacts]:
    """Cover, header and property facts of every generated document."""
    org = context["org"]
    roles = context["names"]["roles"]
    facts = {}
    for doc_id, doc in context["documents"].items():
        control = doc["control"]
        facts[doc_id] = DocumentFacts(
            doc_id=doc_id,
            title=doc["title"][language],
            organization=org["name"],
            number=str(control.get("number", "")),
            version=str(control.get("version", "")),
            effective_date=str(control.get("effective_date", "")),
            owner=roles.get(control.get("owner"), org["name"]),
            page_of=labels["page_of"],
            toc_title=labels["toc"],
            language=language,
        )
    return facts


def _swap_into_place(stage: Path, target: Path, folders: Sequence[str]) -> None:
    """Replace each output folder of ``target`` by its staged version, one rename each."""
    target.mkdir(parents=True, exist_ok=True)
    for name in folders:
        staged = stage / name
        if not staged.is_dir():
            continue
        final = target / staged.name
        retired = target / f".{staged.name}.old"
        if retired.exists():
            shutil.rmtree(retired)
        if final.exists():
            final.rename(retired)
        staged.rename(final)
        if retired.exists():
            shutil.rmtree(retired)


def build_evidence_pack(
    profile_path: Path,
    out_dir: Path,
    *,
    language: str | None = None,
    catalog: Catalog | None = None,
    templates: Sequence[Path] = (),
) -> Path:
    """Write ``out_dir/<org-id>/evidence-pack.zip``: documents, evidence, forms, audit, manifest."""
    catalog = catalog or load_catalog()
    rendered = render_profile(profile_path, language=language, catalog=catalog, templates=templates)
    publication = rendered.publication
    target = out_dir / rendered.org_id / "evidence-pack.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{rendered.org_id}-pack-", dir=target.parent) as tmp:
        stage = Path(tmp).resolve()
        for name in ("md", "docx", "pdf", "audit"):
            folder, publish = PUBLISHERS[name]
            publish(publication, stage / folder)
        entries = pack_entries(publication, stage, catalog)
        partial = write_pack(
            stage / "pack.zip",
            entries,
            organization={"id": rendered.org_id, "name": publication.site_name},
            collected=publication.assessment_date,
        )
        partial.replace(target)
    return target
