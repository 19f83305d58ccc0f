"""Validate stage: errors (the profile cannot be used) and gaps (a standard's mandate is unmet).

Errors come from the structural JSON Schema, from the cross-reference rules kept beside it in
``profile.schema.yaml`` and from the workforce plan, which must be computable; gaps come from the
mandates derived from the standards map.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from generator import references
from generator.errors import Finding
from generator.evidence import EVIDENCE_ERRORS, EVIDENCE_MIB, EvidenceFile
from generator.fieldpath import escape_pointer_token, field_path
from generator.layers import OMIT, omission
from generator.mandates import Check, find_gaps
from generator.messages import Either, Term, Words, finding, words
from generator.profile import Profile, pointer_of
from generator.references import suggestion
from generator.resolve.staffing import staffing_errors
from generator.standards import Catalog


@dataclass(frozen=True)
class Validation:
    """The outcome of validating a profile: errors stop a build, gaps do not."""

    errors: tuple[Finding, ...]
    gaps: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_profile(
    profile: Profile, catalog: Catalog, evidence: Mapping[str, EvidenceFile] | None = None
) -> Validation:
    """Every error and, when there are none, every gap of ``profile``.

    With ``evidence`` (from ``load_evidence``), evidence paths that leave the profile's folder are
    errors and evidence files that are not there make their records partial.
    """
    errors = schema_errors(profile, catalog.profile_schema)
    if not any(_affects_staffing(e.location.pointer) for e in errors):
        errors += staffing_errors(profile)  # only once its inputs are sound
    errors += references.reference_errors(profile, catalog)
    errors += _evidence_errors(profile, evidence or {})
    errors = sorted(set(errors), key=Finding.sort_key)
    if errors:
        return Validation(tuple(errors), ())
    return Validation((), tuple(find_gaps(profile, catalog, evidence)))


def _affects_staffing(pointer: str) -> bool:
    return pointer == "" or pointer.startswith(("/staffing", "/service_levels"))


def _evidence_errors(profile: Profile, evidence: Mapping[str, EvidenceFile]) -> list[Finding]:
    findings = []
    for info in evidence.values():
        if info.status in EVIDENCE_ERRORS:
            where = profile.locate(info.pointer)
            code = f"evidence.{info.status}"
            findings.append(finding(where, code, path=info.written, size=EVIDENCE_MIB))
    return findings


_VALIDATORS: dict[int, tuple[Mapping[str, Any], Draft202012Validator]] = {}


def _validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    """The validator of ``schema``, made once per schema object (the catalog keeps its schema)."""
    kept = _VALIDATORS.get(id(schema))
    if kept is None or kept[0] is not schema:
        if len(_VALIDATORS) > 16:
            _VALIDATORS.clear()
        inlined = inline_refs(schema)
        kept = (schema, Draft202012Validator(inlined, format_checker=FormatChecker()))
        _VALIDATORS[id(schema)] = kept
    return kept[1]


_ANNOTATIONS = {"description", "title", "default", "examples", "$comment"}


def inline_refs(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` with every local ``$ref`` replaced by what it names (a reference that leads
    back into itself is kept). Resolving references item by item made validation of a profile
    with thousands of roles take seconds."""
    defs = schema.get("$defs", {})

    def inline(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [inline(item, seen) for item in node]
        if not isinstance(node, Mapping):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and ref not in seen:
            target = defs.get(ref.removeprefix("#/$defs/"))
            if isinstance(target, Mapping) and "/" not in ref.removeprefix("#/$defs/"):
                rest = inline({k: v for k, v in node.items() if k != "$ref"}, seen)
                whole = inline(target, (*seen, ref))
                if set(rest) <= _ANNOTATIONS:
                    return {**whole, **rest}
                return {**rest, "allOf": [*rest.get("allOf", []), whole]}
        return {k: inline(v, seen) for k, v in node.items()}

    return {**inline(dict(schema), ()), "$defs": defs}


def schema_errors(profile: Profile, schema: Mapping[str, Any]) -> list[Finding]:
    """Structural errors, each located at its line and column.

    A NaN or an infinity (``.nan``, ``.inf``, or a number too large for a float) passes JSON
    Schema's range checks, so it is reported here, in place of any other error at its value.
    """
    validator = _validator(schema)
    findings = [
        _not_finite(profile, pointer, value) for pointer, value in _non_finite(profile.data)
    ]
    where = {f.location.pointer for f in findings}
    for error in validator.iter_errors(profile.data):
        findings += [f for f in _findings_for(profile, error) if f.location.pointer not in where]
    return findings


def _non_finite(data: Any) -> Iterator[tuple[str, float]]:
    """Every NaN and infinity in ``data`` with its pointer (iterative: data may nest deeply)."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            yield pointer, value
        elif isinstance(value, Mapping):
            stack += [(f"{pointer}/{escape_pointer_token(k)}", v) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(f"{pointer}/{i}", v) for i, v in enumerate(value)]


def _not_finite(profile: Profile, pointer: str, value: float) -> Finding:
    shown = "nan" if math.isnan(value) else "-infinity" if value < 0 else "infinity"
    return finding(profile.locate(pointer), "schema.not-finite", shown=words(f"value.{shown}"))


def _findings_for(profile: Profile, error: ValidationError) -> list[Finding]:
    pointer = pointer_of(list(error.absolute_path))
    keyword = error.validator
    if keyword == "additionalProperties":
        return _unknown_keys(profile, error, pointer)
    where = profile.locate(pointer)
    if keyword == "required":
        if isinstance(error.instance, Mapping) and omission(error.instance):
            return []  # an omission nothing matched: reported once, at its omit key
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        return [finding(where, "schema.required", key=missing)]
    code, args = _describe(error)
    advice = _HINTS.get((field_path(pointer), str(keyword)))
    if advice:
        args["hint"] = words(advice)
    return [finding(where, code, **args)]


# Hints that say what a value means where the schema's generic words would not (message codes).
_HINTS = {
    ("service_levels[].percent", "exclusiveMaximum"): "hint.service-level-percent",
    ("staffing.shrinkage", "exclusiveMaximum"): "hint.shrinkage",
    ("staffing.max_occupancy", "exclusiveMinimum"): "hint.max-occupancy",
    ("staffing.aht_seconds", "exclusiveMinimum"): "hint.aht",
    ("staffing.intervals", "maxItems"): "hint.intervals",
}


def _unknown_keys(profile: Profile, error: ValidationError, pointer: str) -> list[Finding]:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    allowed = sorted(schema.get("properties", {}))
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    findings = []
    for key in sorted(set(instance) - set(allowed)):
        where = profile.locate(f"{pointer}/{escape_pointer_token(key)}", key=True)
        if key == OMIT and isinstance(instance.get("id"), str):  # left over by the layers
            code = "layer.omit-unmatched" if omission(instance) else "layer.omit-alone"
            findings.append(finding(where, code, id=instance["id"]))
            continue
        code = "schema.unknown-key" if allowed else "schema.unknown-key-none"
        near = suggestion(key, allowed)
        findings.append(finding(where, code, key=key, suggestion=near, allowed=tuple(allowed)))
    return findings


Described = tuple[str, dict[str, Any]]  # a message code and its arguments


def _describe(error: ValidationError) -> Described:
    """The message of one schema error, in words an editor of YAML understands."""
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    describe = _DESCRIBERS.get(str(error.validator))
    if describe is None:
        return "schema.other", {"detail": error.message}
    return describe(_show(error.instance), error.validator_value, error.instance, schema)


def _type(shown: Any, wanted: Any, _value: Any, _schema: Mapping[str, Any]) -> Described:
    names = wanted if isinstance(wanted, list) else [wanted]
    expected = Either(tuple(words(f"type.{n}") for n in names))
    return "schema.type", {"shown": shown, "expected": expected}


def _enum(shown: Any, allowed: Any, value: Any, _schema: Mapping[str, Any]) -> Described:
    options = [str(o) for o in allowed]
    near = suggestion(str(value), options)
    return "schema.enum", {"shown": shown, "options": tuple(options), "suggestion": near}


def _limit(code: str) -> Callable[[Any, Any, Any, Mapping[str, Any]], Described]:
    def describe(shown: Any, limit: Any, _value: Any, _schema: Mapping[str, Any]) -> Described:
        return code, {"shown": shown, "limit": limit}

    return describe


def _format(shown: Any, fmt: Any, _value: Any, _schema: Mapping[str, Any]) -> Described:
    if fmt == "date":
        return "schema.date", {"shown": shown}
    return "schema.format", {"shown": shown, "format": fmt}


def _pattern(shown: Any, regex: Any, _value: Any, _schema: Mapping[str, Any]) -> Described:
    return "schema.pattern", {"shown": shown, "rule": Term("patterns", str(regex))}


def _empty(_shown: Any, _limit: Any, _value: Any, _schema: Mapping[str, Any]) -> Described:
    return "schema.empty", {}


_DESCRIBERS = {
    "type": _type,
    "enum": _enum,
    "maximum": _limit("schema.maximum"),
    "exclusiveMaximum": _limit("schema.below"),
    "minimum": _limit("schema.minimum"),
    "exclusiveMinimum": _limit("schema.above"),
    "format": _format,
    "pattern": _pattern,
    "minLength": _empty,
    "minItems": _empty,
    "minProperties": _empty,
    "maxItems": _limit("schema.too-many"),
}


def _show(value: Any) -> str | Words:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return words("value.mapping")
    if isinstance(value, list):
        return words("value.list")
    if value is None:
        return words("value.empty")
    return str(value).lower() if isinstance(value, bool) else str(value)
