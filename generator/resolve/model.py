"""The document model: plain, sorted data that the manual templates render, in any language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.cycles import next_due
from generator.mandates import Check, document_set, profile_targets
from generator.profile import Profile
from generator.resolve.appraisal import resolve_appraisal, resolve_rewards
from generator.resolve.partners import resolve_partners
from generator.resolve.positions import resolve_positions
from generator.resolve.staffing import resolve_staffing
from generator.resolve.training import resolve_training
from generator.resolve.work_rules import resolve_work_rules
from generator.standards import Catalog
from generator.texts import DEFAULT_LANGUAGE, per_language

STAGES = ("prevention", "early_warning", "reporting", "public_information", "response", "recovery")


@dataclass(frozen=True)
class DocumentModel:
    """What the templates see. ``context`` is plain data: dicts, lists, strings and numbers."""

    org_id: str
    language: str
    context: Mapping[str, Any]


def resolve_model(
    profile: Profile, catalog: Catalog, gaps: tuple[Check, ...], language: str | None = None
) -> DocumentModel:
    """Build the model of a valid profile in ``language`` (default: the profile's own).

    ``gaps`` become placeholders in the documents. Texts the profile gives per language
    (``{zh: ..., en: ...}``) are resolved to the document's language here, so the model holds
    plain strings.
    """
    language = language or profile.data["organization"].get("language", DEFAULT_LANGUAGE)
    data = localize(profile.data, language)
    org = data["organization"]
    roles = _roles_in_order(data.get("roles", []))
    training = resolve_training(data, catalog)
    context = {
        "profile": data,
        "org": org,
        "documents": _documents(data, catalog, language),
        # the documents written: the profile's document_set, in the catalogue's order
        "document_set": [d for d in catalog.generated if d in document_set(data, catalog)],
        "names": _names(data),
        "roles": roles,
        "positions": resolve_positions(data, roles, training["modules"]),
        "appraisal": resolve_appraisal(data, roles),
        "rewards": resolve_rewards(data),
        "work_rules": resolve_work_rules(data, roles),
        "service_levels": data.get("service_levels", []),
        "staffing": resolve_staffing(data),
        "partner_headcount": resolve_partners(data),
        "kpis": data.get("kpis", []),
        "processes": _processes(data.get("processes", [])),
        "training": training,
        "risks": rate_risks(data.get("risks", []), risk_rule(catalog)),
        "risk_rating": risk_rule(catalog),
        "plans": _plans(data),
        "levels": _levels(data),
        "records": sorted(data.get("records", []), key=lambda r: (r["kind"], r["date"], r["id"])),
        "forms": _forms(catalog),
        "requirements": _requirements(catalog),
        "targets": [
            {
                "short": t.standard.short,
                "title": dict(t.standard.title),
                "edition": t.standard.edition,
                "level": t.level if t.standard.levels else None,
            }
            for t in profile_targets(data, catalog)
        ],
        "placeholders": _placeholders(gaps, catalog),
        "carriers": _carriers(data, catalog),
        # every catalogue document (records, forms, sections) by id, in the model's language
        "document_names": {d.id: localize(d.title, language) for d in catalog.documents.values()},
        "glossary": _glossary(catalog),
    }
    return DocumentModel(org["id"], language, context)


def localize(value: Any, language: str) -> Any:
    """``value`` with every per-language text replaced by its ``language`` version.

    A per-language text is a mapping whose keys are language codes and whose values are strings;
    when it lacks ``language``, its first version stands in.
    """
    if isinstance(value, Mapping):
        if per_language(value):
            return value.get(language) or next(iter(value.values()))
        return {k: localize(v, language) for k, v in value.items()}
    if isinstance(value, list):
        return [localize(v, language) for v in value]
    return value


def _documents(data: Mapping[str, Any], catalog: Catalog, language: str) -> dict[str, Any]:
    """Every generated document (a document may name another the profile does not keep), each
    under the center's own title when its document control gives one."""
    control = data.get("document_control", {})
    return {
        doc_id: {
            "id": doc_id,
            "title": _title(doc["title"], control.get(doc_id, {}).get("title"), language),
            "chapters": doc["chapters"],
            "forms": doc.get("forms", []),
            "control": control.get(doc_id, {}),
        }
        for doc_id, doc in catalog.generated.items()
    }


def _title(title: Mapping[str, str], own: str | None, language: str) -> Mapping[str, str]:
    return {**title, language: own} if own else title


def _carriers(data: Mapping[str, Any], catalog: Catalog) -> dict[str, dict[str, str]]:
    """Catalogue document id -> the generated document and chapter that carry it, for those the
    profile's document set holds (the gap report links a document's gap to its place)."""
    kept = document_set(data, catalog)
    return {
        doc.id: {"document": doc.carried_by[0], "chapter": doc.carried_by[1]}
        for doc in catalog.documents.values()
        if doc.carried_by and doc.carried_by[0] in kept
    }


def _names(data: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Id -> display name for everything a template may refer to by id."""
    emergency = data.get("emergency", {})
    lists = {
        "roles": data.get("roles", []),
        "kpis": data.get("kpis", []),
        "processes": data.get("processes", []),
        "channels": data.get("organization", {}).get("channels", []),
        "systems": data.get("technology", {}).get("systems", []),
        "sites": data.get("organization", {}).get("sites", []),
        "modules": data.get("training", {}).get("modules", []),
        "contacts": emergency.get("contacts", []),
        "plans": emergency.get("plans", []),
    }
    names = {
        key: {i["id"]: i.get("name") or i.get("title") or i["id"] for i in items}
        for key, items in lists.items()
    }
    names["risks"] = {r["id"]: r["title"] for r in data.get("risks", [])}
    return names


def _roles_in_order(roles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Roles in reporting order (each after its manager), with their place in the chart."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    ids = {r["id"] for r in roles}
    for role in roles:
        parent = role.get("reports_to") if role.get("reports_to") in ids else None
        children.setdefault(parent, []).append(role)
    ordered: list[dict[str, Any]] = []

    def visit(parent: str | None, parent_index: int | None, depth: int) -> None:
        for role in children.get(parent, []):
            index = len(ordered)
            ordered.append({**role, "depth": depth, "index": index, "parent_index": parent_index})
            visit(role["id"], index, depth + 1)

    visit(None, None, 0)
    return ordered


def _processes(processes: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {
        kind: [p for p in processes if p["kind"] == kind] for kind in ("business", "management")
    }


_RATINGS = ("low", "medium", "high")


def _rating(score: int, impact: Any, rule: Mapping[str, Any]) -> str:
    rating = "high" if score >= rule["high"] else "medium" if score >= rule["medium"] else "low"
    for floor in rule["floors"]:
        if impact == floor["impact"]:
            rating = max(rating, floor["rating"], key=_RATINGS.index)
    return rating


def risk_rule(catalog: Catalog) -> Mapping[str, Any] | None:
    """The DR plan's rating rule (standards_map/documents.yaml), if the map gives one."""
    rule: Mapping[str, Any] | None = catalog.generated.get("dr-plan", {}).get("risk_rating")
    return rule


def rate_risks(risks: list[dict[str, Any]], rule: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Risks with their score (probability × impact) and rating, highest first: the band the
    score reaches, lifted to a floor the risk's impact sets. Without a rule, scores only."""
    rated = []
    for risk in risks:
        score = (risk.get("probability") or 0) * (risk.get("impact") or 0)
        rating = _rating(score, risk.get("impact"), rule) if score and rule else None
        rated.append({**risk, "score": score or None, "rating": rating})
    return sorted(rated, key=lambda r: (-(r["score"] or 0), r["id"]))


def _plans(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Emergency plans with their stages in order, the next exercise and whether it is overdue
    on the assessment date, their response level's definition (if the profile gives one), timed
    recovery steps and exercise records."""
    assessed = data.get("assessment_date")
    levels = {level["id"]: level for level in _levels(data)}
    drills = [r for r in data.get("records", []) if r["kind"] == "emergency-test-record"]
    plans = []
    for plan in data.get("emergency", {}).get("plans", []):
        stages = plan.get("stages", {})
        last = plan.get("last_test")
        due = next_due(dt.date.fromisoformat(last), plan.get("test_cycle")) if last else None
        plans.append(
            {
                **plan,
                "stage_list": [{"id": s, "items": stages.get(s, [])} for s in STAGES],
                "next_test": due.isoformat() if due else None,
                "overdue": bool(due and assessed and due.isoformat() < assessed),
                "level_defined": levels.get(plan.get("level")),
                **_recovery_steps(plan.get("recovery_steps", [])),
                "drill_records": sorted(
                    (r for r in drills if plan["id"] in r.get("plans", [])),
                    key=lambda r: (r["date"], r["id"]),
                ),
            }
        )
    return plans


def _recovery_steps(steps: list[dict[str, Any]]) -> dict[str, Any]:
    """A plan's timed recovery steps, each with the minutes elapsed at its end, and their sum."""
    elapsed = 0.0
    timed = []
    for step in steps:
        elapsed += step["minutes"]
        timed.append({**step, "elapsed": int(elapsed) if elapsed.is_integer() else elapsed})
    return {"recovery_steps": timed, "steps_total": timed[-1]["elapsed"] if timed else None}


_LEVELS = ("I", "II", "III", "IV")


def _levels(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The response levels, most severe (I) first."""
    levels = data.get("emergency", {}).get("levels", [])
    return sorted(levels, key=lambda level: _LEVELS.index(level["id"]))


def _forms(catalog: Catalog) -> list[dict[str, Any]]:
    forms: dict[str, dict[str, Any]] = {}
    for doc in catalog.documents.values():
        if doc.kind == "record" and doc.form:
            forms.setdefault(doc.form, {"id": doc.form, "documents": []})["documents"].append(
                {"id": doc.id, "title": doc.title}
            )
    return [forms[k] for k in sorted(forms)]


def _requirements(catalog: Catalog) -> dict[str, dict[str, Any]]:
    result = {}
    for standard in catalog.standards.values():
        for req in standard.requirements:
            result[req.uid] = {"cite": f"{standard.cite} {req.number}", "title": req.title}
    return result


def _placeholders(gaps: tuple[Check, ...], catalog: Catalog) -> dict[str, list[str]]:
    """Field path (or "record:<id>") -> the citations of the requirements that mandate it, for
    missing fields and records, and the fields of mandated documents that lack content (a
    template asks for a placeholder only where the value is empty)."""
    requirements = _requirements(catalog)
    result: dict[str, list[str]] = {}
    for gap in gaps:
        keys: list[str] = []
        if gap.kind == "field":
            keys = [gap.subject]
        elif gap.kind == "record" and gap.status == "missing":
            keys = [f"record:{gap.subject}"]
        elif gap.kind == "document" and gap.subject in catalog.documents:
            keys = list(catalog.documents[gap.subject].fields)
        for key in keys:
            cites = result.setdefault(key, [])
            cites += [requirements[u]["cite"] for u in gap.requirement_ids if u not in cites]
    return {k: sorted(set(v)) for k, v in sorted(result.items())}


def _glossary(catalog: Catalog) -> list[dict[str, Any]]:
    """The skill standard's terms in its order, then ccdocs' own (glossary.yaml); one per id."""
    terms = [t for s in catalog.standards.values() for t in s.extra.get("terms", [])]
    terms = sorted(terms, key=lambda t: str(t.get("number", t["id"])))
    known = {t["id"] for t in terms}
    return terms + [dict(t) for t in catalog.terms if t["id"] not in known]
