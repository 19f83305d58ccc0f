"""The one orchestrator: load → validate → resolve → render → publish, then swap into place.

Every output is published into a stage beside ``build/<org-id>/``, where the complete next
version of that folder is assembled; it then takes the folder's place in one atomic step
(``generator.output``), so a build that fails, or is killed at any moment, leaves the previous
output as it was.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.brand import Brand, default_brand
from generator.bundled import bundled_dir
from generator.errors import ProfileError, PublishError
from generator.evidence import EvidenceFile, load_evidence
from generator.incremental import (
    STATE_FILE,
    BuildState,
    digest,
    environment_digest,
    files_digest,
    input_fingerprint,
    map_files,
)
from generator.markers import check_owned
from generator.messages import error
from generator.output import Stage, commit_stage, locked_output, place_file, staged_output
from generator.profile import Profile, load_profile, no_cycle_collection
from generator.publish import PUBLISHERS, DocumentFacts, Publication
from generator.publish.pool import Task, cores, split
from generator.publish.pool import run as run_tasks
from generator.texts import DEFAULT_LANGUAGE
from generator.verdict_cache import keep as keep_verdicts
from generator.verdict_cache import remembered

if TYPE_CHECKING:
    from generator.mandates import Check
    from generator.render import Renderer
    from generator.standards import Catalog

# The stages after loading are imported where they run: a rebuild that finds every output
# current needs none of them, and answers in a fraction of the time their imports take.

FORMATS = tuple(PUBLISHERS)
SITE_HOME = "site/index.md.jinja"
APPENDIX = "manual/_appendix.md.jinja"
GLOSSARY = "manual/_glossary.md.jinja"
UNTRANSLATED_SHOWN = 5  # the first few untranslated texts a build names by file and line
EVIDENCE_PACK = "evidence-pack.zip"
# The audit's parts a build's summary keeps (the batch summary and the terminal show them).
AUDIT_SUMMARY = ("report", "maturity", "outcomes", "method")
AUDIT_PAGES = {
    "gap-report.md": "evidence/gap-report.md.jinja",
    "traceability.md": "evidence/traceability.md.jinja",
}


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: where, what it wrote, what it kept, and the audit summary."""

    org_id: str
    output: Path
    files: tuple[Path, ...]  # written by this build
    reused: tuple[Path, ...]  # kept from the previous build: their inputs did not change
    gap_count: int
    placeholders: dict[str, int]
    audit: Mapping[str, Any]  # report, maturity and outcomes
    # profile texts each document shows in another language than its own, and where the first are
    untranslated: dict[str, int] = field(default_factory=dict)
    untranslated_at: tuple[str, ...] = ()

    @property
    def up_to_date(self) -> bool:
        """True when nothing had to be written."""
        return not self.files


@dataclass(frozen=True)
class Rendered:
    """A profile taken through load, validate, resolve and render: ready to publish."""

    org_id: str
    publication: Publication
    gaps: tuple[Check, ...]
    placeholders: dict[str, int]
    untranslated: dict[str, int] = field(default_factory=dict)
    untranslated_at: tuple[str, ...] = ()


def render_profile(
    profile_path: Path,
    *,
    language: str | None = None,
    catalog: Catalog | None = None,
    templates: Sequence[Path] = (),
    brand: Brand | None = None,
    downloads: Sequence[str] = (),
) -> Rendered:
    """Every stage before publishing. Raises ProfileError when the profile has errors.
    ``downloads``: the print formats the site's pages link to (``render_loaded``)."""
    from generator.standards import load_catalog

    profile = load_profile(profile_path)
    return render_loaded(
        profile,
        load_evidence(profile),
        catalog or load_catalog(),
        language=language,
        templates=templates,
        brand=brand or default_brand(),
        downloads=downloads,
    )


@no_cycle_collection()
def render_loaded(
    profile: Profile,
    evidence: Mapping[str, EvidenceFile],
    catalog: Catalog,
    *,
    language: str | None,
    templates: Sequence[Path],
    brand: Brand,
    downloads: Sequence[str] = (),
) -> Rendered:
    """Validate, resolve and render a loaded profile. Raises ProfileError on errors.

    ``downloads`` are the print formats (docx, pdf) built beside the site, which its pages
    link to.
    """
    from generator.audit.assess import audit_profile
    from generator.audit.matrix import rows_for_document
    from generator.audit.write import coverage_svg
    from generator.render import Renderer, escape_markdown, placeholder_pattern, without_controls
    from generator.resolve import resolve_model
    from generator.resolve.translation import shown_in, untranslated
    from generator.validate import validate_profile

    validation = validate_profile(profile, catalog, evidence)
    if validation.errors:
        raise ProfileError(list(validation.errors))
    model = resolve_model(profile, catalog, validation.gaps, language)
    local = replace(profile, data=model.context["profile"])  # texts in the model's language
    renderer = Renderer(model, model.language, [*brand.template_dirs, *templates])
    bodies = {d: renderer.render(f"manual/{d}.md.jinja") for d in model.context["document_set"]}
    terms = _used_terms(model.context["glossary"], bodies.values(), model.language)
    for doc_id in bodies:
        if "glossary" in catalog.generated[doc_id]["chapters"]:
            number = len(_CHAPTER.findall(bodies[doc_id])) + 1
            glossary = renderer.render(GLOSSARY, {"terms": terms, "number": number})
            bodies[doc_id] = bodies[doc_id].rstrip("\n") + "\n\n" + glossary
    audit = audit_profile(local, catalog, evidence, bodies)
    traced = {doc_id: rows_for_document(audit["trace"], doc_id) for doc_id in bodies}
    documents = {
        doc_id: body + "\n" + renderer.render(APPENDIX, {"rows": traced[doc_id]})
        for doc_id, body in bodies.items()
    }
    svg = {"coverage.svg": coverage_svg(audit["report"], renderer.labels, renderer.language)}
    reporter = renderer.with_data(audit)
    forms = {f: renderer.render(f"evidence/forms/{f}.md.jinja") for f in _form_ids(catalog)}
    publication = Publication(
        documents=documents,
        facts=document_facts(model.context, renderer.labels, renderer.language, brand),
        pages={
            "index.md": renderer.render(SITE_HOME, {"downloads": list(downloads)}),
            **_audit_pages(reporter, ""),
            **svg,
        },
        site_name=without_controls(model.context["org"]["name"]),
        language=renderer.language,
        audit=audit,
        audit_pages={**_audit_pages(reporter, "../manual/"), **svg},
        evidence=evidence,
        forms=forms,
        records=local.data.get("records", []),
        assessment_date=profile.data.get("assessment_date"),
        brand=brand,
        names={**model.context["names"], "documents": model.context["document_names"]},
        downloads=tuple(downloads),
        download_label=renderer.labels["site"]["download"] + renderer.labels["colon"],
    )
    pattern = placeholder_pattern(renderer.labels["placeholder"])
    counts = {doc: len(pattern.findall(text)) for doc, text in sorted(documents.items())}
    facts = {
        doc_id: _with_draft(
            meta,
            renderer.labels,
            placeholders=counts[doc_id],
            approved=bool(model.context["documents"][doc_id]["control"].get("approved_on")),
            unmet=sum(row["status"] != "present" for row in traced[doc_id]),
        )
        for doc_id, meta in publication.facts.items()
    }
    publication = replace(publication, facts=facts)
    texts = list(untranslated(profile.data, model.language))
    shown = shown_in(texts, documents, escape_markdown)
    seen = {p for pointers in shown.values() for p in pointers}
    first = [p for p, _ in texts if p in seen][:UNTRANSLATED_SHOWN]
    return Rendered(
        model.org_id,
        publication,
        validation.gaps,
        counts,
        {doc: len(pointers) for doc, pointers in sorted(shown.items())},
        tuple(f"{profile.locate(p)} ({p})" for p in first),
    )


_CHAPTER = re.compile(r"^## \d+ ", re.M)


def _used_terms(
    terms: Sequence[Mapping[str, Any]], texts: Iterable[str], language: str
) -> list[Mapping[str, Any]]:
    """The glossary's terms the documents use: their name in ``language`` or abbreviation
    appears in the text (an abbreviation as a whole word)."""
    text = "\n".join(texts)
    folded = text.lower()
    used = []
    for term in terms:
        name = str(term["term"].get(language, "")) if isinstance(term["term"], Mapping) else ""
        abbr = str(term.get("abbr") or "")
        if (name and name.lower() in folded) or (
            abbr and re.search(rf"(?<![A-Za-z]){re.escape(abbr)}(?![A-Za-z])", text)
        ):
            used.append(term)
    return used


def _with_draft(
    meta: DocumentFacts,
    labels: Mapping[str, Any],
    *,
    placeholders: int,
    approved: bool,
    unmet: int,
) -> DocumentFacts:
    """``meta`` marked as a draft, with the reasons, when the document has placeholders, no
    recorded approval, or requirements it cites that the profile does not yet meet."""
    from generator.render import fill

    words = labels["draft"]
    reasons = []
    if placeholders:
        reasons.append(fill(words["placeholders"], "draft.placeholders", count=placeholders))
    if not approved:
        reasons.append(words["unapproved"])
    if unmet:
        reasons.append(fill(words["gaps"], "draft.gaps", count=unmet))
    note = words["banner"] + labels["colon"] + labels["list_sep"].join(reasons) if reasons else ""
    return replace(
        meta,
        draft_note=note,
        open_items=words["open_items"] if reasons else "",
        watermark=words["watermark"] if reasons else "",
        placeholder=labels["placeholder"],
    )


def _form_ids(catalog: Catalog) -> list[str]:
    """The blank forms: those of record documents and those the generated documents refer to."""
    named = {f["form"] for g in catalog.generated.values() for f in g.get("forms", [])}
    return sorted({d.form for d in catalog.documents.values() if d.form} | named)


def _audit_pages(reporter: Renderer, manual: str) -> dict[str, str]:
    """The audit's Markdown pages, linking to the documents in the folder ``manual``.

    ``reporter`` is a renderer holding the audit (escaped once: it is large).
    """
    links = {"link_prefix": manual, "link_suffix": ".md"}
    return {name: reporter.render(template, links) for name, template in AUDIT_PAGES.items()}


def build_profile(
    profile_path: Path,
    out_dir: Path,
    *,
    language: str | None = None,
    formats: Sequence[str] = FORMATS,
    catalog: Catalog | None = None,
    overlays: Sequence[Path] = (),
    templates: Sequence[Path] = (),
    brand: Brand | None = None,
    force: bool = False,
    since: Path | None = None,
    workers: int | None = None,
) -> BuildResult:
    """Build every requested format of ``profile_path`` into ``out_dir/<org-id>/``.

    ``templates`` are folders whose files override the shipped templates by relative path;
    ``overlays`` are licensed map folders (used when no ``catalog`` is given). Outputs whose
    inputs did not change since the last build are kept, unless ``force``. The conversions run
    in up to ``workers`` processes (default: one per core).
    Raises ProfileError (nothing written) when the profile has errors.
    """
    unknown = [f for f in formats if f not in PUBLISHERS]
    if unknown:
        raise error(PublishError, "error.unknown-format", formats=unknown, known=tuple(PUBLISHERS))
    formats = [f for f in PUBLISHERS if f in formats]
    brand = brand or default_brand()
    profile = load_profile(profile_path)
    evidence = load_evidence(profile)
    environment = environment_digest(brand)
    sources = catalog.sources if catalog else (bundled_dir("standards_map"), *overlays)
    overrides = [*brand.template_dirs, *templates]
    options = {"language": language, "since": _edition_digest(since) if since else ""}
    fingerprint = input_fingerprint(
        profile, evidence, map_files(sources), overrides, environment, options
    )
    org_id = org_id_of(profile)
    from generator.standards import load_catalog

    if org_id and not force:
        with locked_output(out_dir, org_id) as target:
            state = BuildState.read(target)
            if state.up_to_date(target, formats, fingerprint):
                known = catalog

                def compute() -> dict[str, Any]:
                    return verdicts(
                        profile, evidence, known or load_catalog(overlays=overlays), language
                    )

                summary = remembered(fingerprint, compute)
                summary["placeholders"] = _counts(state.summary.get("placeholders"))
                summary["untranslated"] = _counts(state.summary.get("untranslated"))
                summary["untranslated_at"] = _texts(state.summary.get("untranslated_at"))
                return _result(org_id, target, [], state.outputs_of(formats), summary)
    catalog = catalog or load_catalog(overlays=overlays)
    downloads = [f for f in ("docx", "pdf") if f in formats and "site" in formats]
    rendered = render_loaded(
        profile,
        evidence,
        catalog,
        language=language,
        templates=templates,
        brand=brand,
        downloads=downloads,
    )
    if since is not None:
        rendered = _with_changes(rendered, profile_path, since, catalog, templates, brand)
    keys = output_keys(rendered.publication, formats, environment)
    workers = cores() if workers is None else workers
    return _write_outputs(rendered, out_dir, formats, keys, fingerprint, force, workers)


def _write_outputs(
    rendered: Rendered,
    out_dir: Path,
    formats: Sequence[str],
    keys: Mapping[str, str],
    fingerprint: str,
    force: bool,
    workers: int,
) -> BuildResult:
    """Publish the outputs whose key changed and swap the organization's folder into place."""
    with staged_output(out_dir, rendered.org_id) as stage:
        state = BuildState() if force else BuildState.read(stage.target)
        stale = {path for path, key in keys.items() if state.outputs.get(path) != key}
        stale |= {path for path in keys if not (stage.target / path).exists()}
        files, folders = _publish_stale(rendered.publication, formats, stale, stage, workers)
        state.inputs.update(dict.fromkeys(formats, fingerprint))
        state.outputs.update(keys)
        state.summary = _summary(rendered)
        state.write(stage.work)
        # the verdicts a rebuild with nothing to write reports: computed here anyway
        keep_verdicts(fingerprint, {k: v for k, v in state.summary.items() if k != "placeholders"})
        kept = [path for path in keys if path not in stale]
        # a partly rebuilt per-document folder keeps the current files of its other documents
        keep = [path for path in kept if "/" in path and path.split("/")[0] in folders]
        commit_stage(stage, folders, files=[STATE_FILE], keep=keep)
    final = [stage.target / f.relative_to(stage.work) for f in files]
    return _result(rendered.org_id, stage.target, final, kept, state.summary)


def _publish_stale(
    publication: Publication,
    formats: Sequence[str],
    stale: set[str],
    stage: Stage,
    workers: int,
) -> tuple[list[Path], list[str]]:
    """Publish every format with a stale output into ``stage.work``: the files and folders.

    Per-document formats publish only their stale documents, split into one task per worker;
    the tasks run in up to ``workers`` processes. The folders to be replaced are
    checked first, so a folder ccdocs did not write is refused before any work is done.
    """
    chosen = [n for n in formats if any(p.split("/")[0] == PUBLISHERS[n][0] for p in stale)]
    folders = [PUBLISHERS[name][0] for name in chosen]
    for folder in folders:
        check_owned(stage.target / folder)
    tasks: list[Task] = []
    for name in chosen:
        folder = PUBLISHERS[name][0]
        subset = publication
        if name in PER_DOCUMENT:
            documents = {
                doc: text
                for doc, text in publication.documents.items()
                if f"{folder}/{doc}{PER_DOCUMENT[name]}" in stale
            }
            subset = replace(publication, documents=documents)
        tasks += split(name, subset, stage.work / folder, name in PER_DOCUMENT, workers)
    return run_tasks(tasks, workers), folders


def _edition_digest(since: Path) -> str:
    from generator.editions import edition_files

    return files_digest(edition_files(since))


def _with_changes(
    rendered: Rendered,
    profile_path: Path,
    since: Path,
    catalog: Catalog,
    templates: Sequence[Path],
    brand: Brand,
) -> Rendered:
    """``rendered`` with a change-log page against the edition ``since`` for the site."""
    from generator.editions import compare, read_edition, render_changes, rendered_edition

    language = rendered.publication.language

    def render(path: Path) -> Rendered:
        return render_profile(
            path, language=language, catalog=catalog, templates=templates, brand=brand
        )

    old = read_edition(since, render=render)
    new = rendered_edition(str(profile_path), rendered)
    page = render_changes(
        old, new, compare(old, new), language, templates=[*brand.template_dirs, *templates]
    )
    pages = {**rendered.publication.pages, "changes.md": page}
    return replace(rendered, publication=replace(rendered.publication, pages=pages))


# Formats with one output file per document, and the file's suffix.
PER_DOCUMENT = {"md": ".md", "docx": ".docx", "pdf": ".pdf"}


def output_keys(
    publication: Publication, formats: Sequence[str], environment: str
) -> dict[str, str]:
    """The key of every output: a hash of exactly what it is made from."""
    keys: dict[str, str] = {}
    for name in formats:
        folder = PUBLISHERS[name][0]
        if name in PER_DOCUMENT:
            for doc, text in publication.documents.items():
                key = digest(environment, name, text, repr(publication.facts[doc]))
                keys[f"{folder}/{doc}{PER_DOCUMENT[name]}"] = key
        elif name == "site":
            keys[folder] = digest(
                environment,
                name,
                *sorted(publication.documents.items()),
                *sorted(publication.pages.items()),
                *sorted(map(repr, publication.facts.values())),
                publication.site_name,
                publication.language,
                publication.downloads,
            )
        else:
            audit = {
                "audit": publication.audit,
                "pages": publication.audit_pages,
                "language": publication.language,
                "names": publication.names,
            }
            keys[folder] = digest(environment, name, json.dumps(audit, sort_keys=True, default=str))
    return keys


def org_id_of(profile: Profile) -> str | None:
    """The organization id when it is usable as a folder name before validation."""
    org = profile.data.get("organization") if isinstance(profile.data, dict) else None
    org_id = org.get("id") if isinstance(org, dict) else None
    if isinstance(org_id, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", org_id):
        return org_id
    return None


def _summary(rendered: Rendered) -> dict[str, Any]:
    audit = rendered.publication.audit
    return {
        "gaps": len(rendered.gaps),
        "placeholders": rendered.placeholders,
        "untranslated": rendered.untranslated,
        "untranslated_at": list(rendered.untranslated_at),
        "audit": {k: audit[k] for k in AUDIT_SUMMARY if k in audit},
    }


def verdicts(
    profile: Profile, evidence: Mapping[str, EvidenceFile], catalog: Catalog, language: str | None
) -> dict[str, Any]:
    """Gaps and the audit's verdicts computed from the profile itself, for a build that writes
    nothing: the summary a state file records could have been edited, so it decides nothing."""
    from generator.audit.assess import audit_profile
    from generator.resolve.model import localize
    from generator.validate import validate_profile

    validation = validate_profile(profile, catalog, evidence)
    if validation.errors:
        raise ProfileError(list(validation.errors))
    org = profile.data["organization"]
    local = replace(
        profile, data=localize(profile.data, language or org.get("language", DEFAULT_LANGUAGE))
    )
    audit = audit_profile(local, catalog, evidence, {})
    kept = {k: audit[k] for k in AUDIT_SUMMARY}
    return {"gaps": len(validation.gaps), "audit": kept}


def _texts(value: Any) -> list[str]:
    """Locations as a state file recorded them, if they have the right shape."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _counts(value: Any) -> dict[str, int]:
    """Placeholder counts as a state file recorded them, if they have the right shape."""
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, int) and not isinstance(v, bool)}


def _result(
    org_id: str, target: Path, files: list[Path], kept: list[str], summary: Mapping[str, Any]
) -> BuildResult:
    return BuildResult(
        org_id,
        target,
        tuple(files),
        tuple(target / path for path in sorted(kept)),
        summary.get("gaps", 0),
        summary.get("placeholders", {}),
        summary.get("audit", {}),
        summary.get("untranslated", {}),
        tuple(summary.get("untranslated_at", ())),
    )


def document_facts(
    context: Mapping[str, Any], labels: Mapping[str, Any], language: str, brand: Brand
) -> dict[str, DocumentFacts]:
    """Cover, header and property facts of every generated document.

    Plain text for covers, headers and document properties: control characters, which no
    output can show (XML cannot even hold them), are dropped here once for every format.
    """
    from generator.render import fill
    from generator.render import without_controls as plain

    org = context["org"]
    roles = context["names"]["roles"]
    words = labels["control"]
    enums = labels["enums"]
    none = labels["none"]
    facts = {}
    for doc_id in context["document_set"]:
        doc = context["documents"][doc_id]
        control = doc["control"]

        def field(key: str, control: Mapping[str, Any] = control) -> str:
            return plain(str(control.get(key) or ""))

        classification = control.get("classification")
        distribution = enums["distribution"].get(control.get("distribution"), "")
        if distribution and control.get("copy_number"):
            distribution = fill(
                words["numbered_copy"],
                "control.numbered_copy",
                distribution=distribution,
                copy=field("copy_number"),
            )
        cover = (
            (words["number"], field("number")),
            (words["version"], field("version")),
            (words["issue_date"], field("issue_date")),
            (words["effective_date"], field("effective_date")),
            (words["classification"], enums["classification"].get(classification, "")),
            (words["distribution"], plain(distribution)),
        )
        signatories = (("owner", "owner"), ("reviewer", "reviewer"), ("approver", "approver"))
        facts[doc_id] = DocumentFacts(
            doc_id=doc_id,
            title=plain(doc["title"][language]),
            organization=plain(org["name"]),
            number=field("number"),
            version=field("version"),
            effective_date=field("effective_date"),
            owner=plain(roles.get(control.get("owner"), org["name"])),
            page_of=labels["page_of"],
            toc_title=labels["toc"],
            language=language,
            prepared_by=fill(labels["prepared_by"], "prepared_by", company=brand.company)
            if brand.company
            else "",
            brand=brand,
            cover=tuple((label, value or none) for label, value in cover),
            signoff_heads=(
                words["signoff"],
                words["signoff_role"],
                words["signature"],
                words["signature_date"],
            ),
            signoff=tuple(
                (words[label], plain(roles.get(control.get(key), ""))) for label, key in signatories
            ),
            classification=fill(
                words["cover_classification"],
                "cover_classification",
                classification=enums["classification"][classification],
            )
            if classification in ("internal", "confidential")
            else "",
        )
    return facts


def _write_assessment(
    folder: Path, report: Mapping[str, Any], language: str, workbooks: Sequence[Path]
) -> None:
    from generator.assessment.publish import write_report

    write_report(report, language, folder, ("docx", "pdf"))
    for workbook in workbooks:
        target = folder / workbook.name
        if target.exists():  # the previous workbook named like the current one
            target = folder / f"previous-{workbook.name}"
        shutil.copyfile(workbook, target)


def build_evidence_pack(
    profile_path: Path,
    out_dir: Path,
    *,
    language: str | None = None,
    catalog: Catalog | None = None,
    templates: Sequence[Path] = (),
    brand: Brand | None = None,
    assessment: tuple[Mapping[str, Any], str, Sequence[Path]] | None = None,
) -> Path:
    """Write ``out_dir/<org-id>/evidence-pack.zip``: documents, evidence, forms, audit, manifest;
    with ``assessment`` (the report's data, its language, the assessor's workbooks) the
    assessment report and the workbooks too."""
    from generator.audit.pack import write_pack
    from generator.audit.pack_entries import pack_entries
    from generator.standards import load_catalog

    catalog = catalog or load_catalog()
    rendered = render_profile(
        profile_path, language=language, catalog=catalog, templates=templates, brand=brand
    )
    publication = rendered.publication
    with staged_output(out_dir, rendered.org_id) as stage:
        for name in ("md", "docx", "pdf", "audit"):
            folder, publish = PUBLISHERS[name]
            publish(publication, stage.work / folder)
        if assessment is not None:
            _write_assessment(stage.work / "assessment", *assessment)
        entries = pack_entries(publication, stage.work, catalog)
        write_pack(
            stage.work / EVIDENCE_PACK,
            entries,
            organization={"id": rendered.org_id, "name": publication.site_name},
            collected=publication.assessment_date,
        )
        return place_file(stage, EVIDENCE_PACK)
