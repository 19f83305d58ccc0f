"""Load stage for the standards map: standards, requirements, the document catalogue, the schema."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from generator import fieldpath
from generator.bundled import bundled_dir
from generator.errors import StandardsMapError
from generator.evidence import FileRefused, read_inside

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
Text = Mapping[str, str]  # {"zh": ..., "en": ...}

SCHEMA_SUFFIX = ".schema.yaml"
CATALOGUE_FILE = "documents.yaml"
ASSESSMENT_FILE = "assessment.yaml"
GLOSSARY_FILE = "glossary.yaml"
PROFILE_SCHEMA_FILE = "profile.schema.yaml"
MAP_SCHEMA_FILE = "map.schema.yaml"


@dataclass(frozen=True, slots=True)
class RecordMandate:
    document: str
    max_age_days: int
    source: Mapping[str, Any] = field(default_factory=dict)  # where max_age_days comes from


@dataclass(frozen=True, slots=True)
class DueMandate:
    field: str  # a date, e.g. "emergency.plans[].last_test"
    cycle: str  # the sibling field with its cycle, e.g. "test_cycle"


@dataclass(frozen=True, slots=True)
class RuleMandate:
    rule: str  # a consistency rule of generator.continuity, e.g. "rto-within-mtd"
    source: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement of a standard, with what it mandates."""

    uid: str  # "cc-cmm-oc-2011/8"
    standard: str
    number: str
    section: str
    title: Text
    summary: Text
    level: int = 1
    documents: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    records: tuple[RecordMandate, ...] = ()
    due: tuple[DueMandate, ...] = ()
    audiences: tuple[str, ...] = ()  # field paths of training-module ids every role attends
    syllabus: tuple[str, ...] = ()  # syllabus rules: onboarding-assessed, onboarding-hours
    syllabus_source: Mapping[str, Any] = field(default_factory=dict)
    rules: tuple[RuleMandate, ...] = ()  # consistency rules between parts of the profile
    severity: str = "major"
    level_source: Mapping[str, Any] = field(default_factory=dict)
    weight: float | None = None  # points per dimension at the best score (licensed overlays)


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: Text
    sections: tuple[Section, ...] = ()

    def walk(self) -> list[Section]:
        found = [self]
        for child in self.sections:
            found.extend(child.walk())
        return found


@dataclass(frozen=True, slots=True)
class Standard:
    """One standard edition: its tree, requirements, and scoring rules as data."""

    id: str
    short: str
    title: Text
    edition: str
    kind: str
    sections: tuple[Section, ...]
    requirements: tuple[Requirement, ...]
    summary: Text = field(default_factory=dict)
    cite: str = ""  # short prefix for citations, e.g. "CC-CMM-OC" in "CC-CMM-OC 23"
    scoring: Mapping[str, Any] = field(default_factory=dict)
    levels: tuple[Mapping[str, Any], ...] = ()
    outcomes: tuple[Mapping[str, Any], ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)  # courses, skill_levels, terms, ...

    def section_ids(self) -> list[str]:
        return [s.id for top in self.sections for s in top.walk()]

    def top_section_of(self, section_id: str) -> str:
        """The id of the top-level section that contains ``section_id``."""
        for top in self.sections:
            if section_id in (s.id for s in top.walk()):
                return top.id
        raise KeyError(section_id)


@dataclass(frozen=True, slots=True)
class CatalogueDocument:
    id: str
    title: Text
    kind: str  # section | record
    carried_by: tuple[str, str] | None = None  # (generated document, chapter)
    fields: tuple[str, ...] = ()
    form: str | None = None
    recognize: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # language -> phrases
    expects: tuple[Expected, ...] = ()


@dataclass(frozen=True, slots=True)
class Expected:
    """Content a document must show, found by phrases (for documents ccdocs did not write)."""

    id: str
    title: Text
    words: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Catalog:
    """Everything ccdocs knows about the standards, loaded from standards_map/."""

    standards: Mapping[str, Standard]
    documents: Mapping[str, CatalogueDocument]
    generated: Mapping[str, Mapping[str, Any]]
    default_targets: tuple[Mapping[str, Any], ...]
    profile_schema: Mapping[str, Any]
    sources: tuple[Path, ...] = ()  # the map and overlay folders it was read from
    recognition: Mapping[str, Any] = field(default_factory=dict)  # documents.yaml's, as read
    grades: tuple[Mapping[str, Any], ...] = ()  # assessment.yaml: an assessor's result grades
    terms: tuple[Mapping[str, Any], ...] = ()  # glossary.yaml: terms the standards leave undefined

    @property
    def requirements(self) -> dict[str, Requirement]:
        return {r.uid: r for s in self.standards.values() for r in s.requirements}

    def skill_codes(self) -> set[str]:
        """Every skill code of the skill standards, as ``<level>/<code>``."""
        codes: set[str] = set()
        for standard in self.standards.values():
            for level in standard.extra.get("skill_levels", []):
                for area in level.get("areas", []):
                    for task in area.get("tasks", []):
                        codes.update(f"{level['id']}/{s['code']}" for s in task.get("skills", []))
        return codes

    def course_ids(self) -> set[str]:
        return {c["id"] for s in self.standards.values() for c in s.extra.get("courses", [])}


def load_catalog(map_dir: Path | None = None, overlays: Sequence[Path] = ()) -> Catalog:
    """Read and check every file of the standards map in ``map_dir`` (default: the bundled one).

    ``overlays`` are folders of licensed packs: files with a standard's id that add items,
    sections and full wording (``text``) under the same ids, or change its scoring figures.
    """
    map_dir = map_dir or bundled_dir("standards_map")
    meta = _read(map_dir / MAP_SCHEMA_FILE)
    profile_schema = _read(map_dir / PROFILE_SCHEMA_FILE)
    catalogue = _read(map_dir / CATALOGUE_FILE)
    _check(meta, "catalogue", catalogue, map_dir / CATALOGUE_FILE)
    assessment = _read(map_dir / ASSESSMENT_FILE) if (map_dir / ASSESSMENT_FILE).is_file() else {}
    if assessment:
        _check(meta, "assessment", assessment, map_dir / ASSESSMENT_FILE)
    glossary = _read(map_dir / GLOSSARY_FILE) if (map_dir / GLOSSARY_FILE).is_file() else {}
    if glossary:
        _check(meta, "glossary", glossary, map_dir / GLOSSARY_FILE)
    raws: dict[str, dict[str, Any]] = {}
    for path in _standard_files(map_dir):
        raw = _read(path)
        _check(meta, "standard", raw, path)
        if raw["id"] in raws:
            raise StandardsMapError(f"{path}: standard id {raw['id']!r} is defined twice")
        raws[raw["id"]] = raw
    for folder in overlays:
        for path in _standard_files(folder):
            raw = _read(path)
            base = raws.get(str(raw.get("id"))) if isinstance(raw, dict) else None
            merged = _overlay(base, raw) if base else raw
            _check(meta, "standard", merged, path)
            raws[merged["id"]] = merged
    standards = {sid: _standard(raw) for sid, raw in raws.items()}
    catalog = Catalog(
        standards=standards,
        documents={d["id"]: _document(d) for d in catalogue["documents"]},
        generated={g["id"]: g for g in catalogue["generated"]},
        default_targets=tuple(catalogue["default_targets"]),
        profile_schema=profile_schema,
        sources=(map_dir, *overlays),
        recognition=catalogue.get("recognition", {}),
        grades=tuple(assessment.get("grades", [])),
        terms=tuple(glossary.get("terms", [])),
    )
    problems = check_catalog(catalog)
    if problems:
        raise StandardsMapError(
            f"{map_dir}: the standards map is inconsistent:\n" + "\n".join(problems)
        )
    return catalog


def _standard_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise StandardsMapError(f"{folder}: not a folder")
    return [
        p
        for p in sorted(folder.glob("*.yaml"))
        if p.name not in (CATALOGUE_FILE, ASSESSMENT_FILE, GLOSSARY_FILE)
        and not p.name.endswith(SCHEMA_SUFFIX)
    ]


def _overlay(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with an overlay's sections, requirements (by id) and scoring merged in."""
    merged = {
        **base,
        **{k: v for k, v in extra.items() if k not in ("sections", "requirements", "scoring")},
    }
    merged["sections"] = _merge_sections(base.get("sections", []), extra.get("sections", []))
    requirements = {r["id"]: dict(r) for r in base.get("requirements", [])}
    for req in extra.get("requirements", []):
        requirements[req["id"]] = {**requirements.get(req["id"], {}), **req}
    merged["requirements"] = list(requirements.values())
    merged["scoring"] = {**base.get("scoring", {}), **extra.get("scoring", {})}
    return merged


def _merge_sections(base: list[Any], extra: list[Any]) -> list[Any]:
    by_id = {s["id"]: dict(s) for s in base}
    for section in extra:
        old = by_id.get(section["id"])
        if old is None:
            by_id[section["id"]] = section
        else:
            old["sections"] = _merge_sections(old.get("sections", []), section.get("sections", []))
    return list(by_id.values())


def check_catalog(catalog: Catalog) -> list[str]:
    """Every mandate must point at something that exists; returns the problems found."""
    problems: list[str] = []
    for standard in catalog.standards.values():
        problems += _check_standard(catalog, standard)
    for doc in catalog.documents.values():
        problems += _check_paths(catalog, f"document {doc.id}", doc.fields)
        if doc.carried_by:
            generated, chapter = doc.carried_by
            chapters = catalog.generated.get(generated, {}).get("chapters", [])
            if chapter not in chapters:
                problems.append(f"document {doc.id}: no chapter {generated}/{chapter}")
    for doc_id, spec in catalog.generated.items():
        problems += [
            f"{doc_id}: form {f['form']} names no chapter {f['chapter']!r}"
            for f in spec.get("forms", [])
            if f["chapter"] not in spec["chapters"]
        ]
    for target in catalog.default_targets:
        if target["standard"] not in catalog.standards:
            problems.append(f"default target: no standard {target['standard']!r}")
    return problems


def _check_standard(catalog: Catalog, standard: Standard) -> list[str]:
    problems: list[str] = []
    sections = set(standard.section_ids())
    dimensions = {d["id"] for d in standard.scoring.get("dimensions", [])}
    for req in standard.requirements:
        if req.section not in sections:
            problems.append(f"{req.uid}: no section {req.section!r}")
        problems += [
            f"{req.uid}: no document {d!r} in the catalogue"
            for d in req.documents
            if d not in catalog.documents
        ]
        for record in req.records:
            doc = catalog.documents.get(record.document)
            if doc is None or doc.kind != "record":
                problems.append(f"{req.uid}: {record.document!r} is not a record document")
        problems += _check_paths(catalog, req.uid, req.fields)
        problems += _check_paths(catalog, req.uid, req.audiences)
        problems += _check_paths(
            catalog, req.uid, tuple(p for d in req.due for p in (d.field, _sibling(d)))
        )
    cap = standard.scoring.get("evidence_cap", {})
    problems += [
        f"{standard.id} evidence_cap: no dimension {d!r}"
        for d in cap.get("dimensions", [])
        if d not in dimensions
    ]
    problems += _check_rating(catalog, standard)
    for level in standard.levels:
        for rule in level["rules"]:
            unknown = [s for s in rule["sections"] if s not in sections]
            if unknown or rule["dimension"] not in dimensions:
                problems.append(f"{standard.id} L{level['level']}: rule names {rule}")
    return problems


def _sibling(due: DueMandate) -> str:
    """The field path of a due date's cycle: the date's path with its last name replaced."""
    return f"{due.field.rsplit('.', 1)[0]}.{due.cycle}"


def _check_rating(catalog: Catalog, standard: Standard) -> list[str]:
    """A rating names requirements of its own standard, sections of others and profile paths."""
    rating = standard.extra.get("rating")
    if not rating:
        return []
    numbers = {r.number for r in standard.requirements}
    problems = [
        f"{standard.id} rating: no requirement {c['requirement']!r}"
        for c in rating["categories"]
        if c["requirement"] not in numbers
    ]
    paths = tuple(c["kpi_refs"] for c in rating["categories"] if "kpi_refs" in c)
    problems += _check_paths(catalog, f"{standard.id} rating", paths)
    for named in rating["exceed"]["blocked_by"].get("requirements", []):
        other = catalog.standards.get(named["standard"])
        known = set(other.section_ids()) if other else set()
        if not set(named["sections"]) <= known:
            problems.append(f"{standard.id} rating: blocked_by names {named}")
    return problems


def _check_paths(catalog: Catalog, owner: str, paths: tuple[str, ...]) -> list[str]:
    problems = []
    for path in paths:
        try:
            fieldpath.schema_at(catalog.profile_schema, path)
        except (KeyError, ValueError) as e:
            problems.append(f"{owner}: field {e}")
    return problems


_MAP_FILE_LIMIT = 16 * 1024 * 1024


def _read(path: Path) -> Any:
    """One map or overlay file: a regular UTF-8 YAML file inside its folder, at most 16 MiB."""
    try:
        text = read_inside(path.parent, PurePosixPath(path.name), _MAP_FILE_LIMIT).decode("utf-8")
        return yaml.load(text, Loader=_SafeLoader)
    except FileRefused as e:
        raise StandardsMapError(str(e)) from e
    except OSError as e:
        raise StandardsMapError(f"{path}: cannot read: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise StandardsMapError(
            f"{path}: not UTF-8 text at byte {e.start}; save it as UTF-8"
        ) from e
    except (yaml.YAMLError, RecursionError) as e:
        raise StandardsMapError(f"{path}: invalid YAML: {e}") from e


def _check(meta: Mapping[str, Any], definition: str, data: Any, path: Path) -> None:
    schema = {"$ref": f"#/$defs/{definition}", "$defs": meta["$defs"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: e.json_path)
    if errors:
        lines = [f"{path}: {e.json_path}: {e.message}" for e in errors[:20]]
        raise StandardsMapError("\n".join(lines))


def _section(raw: Mapping[str, Any]) -> Section:
    return Section(raw["id"], raw["title"], tuple(_section(s) for s in raw.get("sections", [])))


_STANDARD_KEYS = {"id", "short", "cite", "title", "edition", "kind", "summary", "sections"}
_STANDARD_KEYS |= {"requirements"}
_STANDARD_KEYS |= {"scoring", "levels", "outcomes"}


def _standard(raw: Mapping[str, Any]) -> Standard:
    sid = raw["id"]
    return Standard(
        id=sid,
        short=raw["short"],
        title=raw["title"],
        edition=raw["edition"],
        kind=raw["kind"],
        summary=raw.get("summary", {}),
        cite=raw.get("cite", raw["short"]),
        sections=tuple(_section(s) for s in raw["sections"]),
        requirements=tuple(_requirement(sid, r) for r in raw["requirements"]),
        scoring=raw.get("scoring", {}),
        levels=tuple(raw.get("levels", [])),
        outcomes=tuple(raw.get("outcomes", [])),
        extra={k: v for k, v in raw.items() if k not in _STANDARD_KEYS},
    )


def _requirement(standard: str, raw: Mapping[str, Any]) -> Requirement:
    return Requirement(
        uid=f"{standard}/{raw['id']}",
        standard=standard,
        number=raw["id"],
        section=raw["section"],
        title=raw["title"],
        summary=raw["summary"],
        level=raw.get("level", 1),
        documents=tuple(raw.get("documents", [])),
        fields=tuple(raw.get("fields", [])),
        records=tuple(
            RecordMandate(r["document"], r["max_age_days"], r["source"])
            for r in raw.get("records", [])
        ),
        due=tuple(DueMandate(d["field"], d["cycle"]) for d in raw.get("due", [])),
        audiences=tuple(a["module"] for a in raw.get("audiences", [])),
        syllabus=tuple(raw.get("syllabus", {}).get("rules", [])),
        syllabus_source=raw.get("syllabus", {}).get("source", {}),
        rules=tuple(RuleMandate(r["rule"], r["source"]) for r in raw.get("rules", [])),
        severity=raw.get("severity", "major"),
        level_source=raw.get("level_source", {}),
        weight=raw.get("weight"),
    )


def _document(raw: Mapping[str, Any]) -> CatalogueDocument:
    carried = raw.get("carried_by")
    return CatalogueDocument(
        id=raw["id"],
        title=raw["title"],
        kind=raw["kind"],
        carried_by=(carried["document"], carried["chapter"]) if carried else None,
        fields=tuple(raw.get("fields", [])),
        form=raw.get("form"),
        recognize=_words(raw.get("recognize", {})),
        expects=tuple(
            Expected(e["id"], e["title"], _words(e["words"])) for e in raw.get("expects", [])
        ),
    )


def _words(raw: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    return {language: tuple(phrases) for language, phrases in raw.items()}
