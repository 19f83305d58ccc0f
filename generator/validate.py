"""Validate stage: errors (the profile cannot be used) and gaps (a standard's mandate is unmet).

Errors come from the structural JSON Schema, from the cross-reference rules kept beside it in
``profile.schema.yaml`` and from the workforce plan, which must be computable; gaps come from the
mandates derived from the standards map.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from generator import references
from generator.errors import Finding
from generator.evidence import EVIDENCE_ERRORS, EvidenceFile
from generator.mandates import Check, find_gaps
from generator.profile import Profile, escape_pointer_token, pointer_of
from generator.references import did_you_mean
from generator.resolve.staffing import staffing_errors
from generator.standards import Catalog

_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


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
            problem, hint = EVIDENCE_ERRORS[info.status]
            message = f"evidence path '{info.written}' {problem}"
            findings.append(Finding(profile.locate(info.pointer), message, "error", hint))
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
    shown = "NaN" if math.isnan(value) else "-infinity" if value < 0 else "infinity"
    hint = "write an ordinary number: YAML reads .nan, .inf and numbers beyond 1.8e308 as these"
    return Finding(profile.locate(pointer), f"{shown} is not a finite number", "error", hint)


def _findings_for(profile: Profile, error: ValidationError) -> list[Finding]:
    pointer = pointer_of(list(error.absolute_path))
    keyword = error.validator
    if keyword == "additionalProperties":
        return _unknown_keys(profile, error, pointer)
    if keyword == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        message, hint = f"missing required key '{missing}'", f"add '{missing}:' here"
    else:
        message, hint = _describe(error)
        hint = _HINTS.get((_field_of(pointer), str(keyword)), hint)
    return [Finding(profile.locate(pointer), message, "error", hint)]


def _field_of(pointer: str) -> str:
    """``/service_levels/0/percent`` as the field path ``service_levels[].percent``."""
    return re.sub(r"/\d+(?=/|$)", "[]", pointer).replace("/", ".").removeprefix(".")


# Hints that say what a value means where the schema's generic words would not.
_HINTS = {
    ("service_levels[].percent", "exclusiveMaximum"): (
        "no number of agents answers every contact in time: Erlang C never reaches 100 %;"
        " write a target below 100, e.g. 80"
    ),
    ("staffing.shrinkage", "exclusiveMaximum"): (
        "at 100 % shrinkage no paid time is left for contacts; write the share of paid time"
        " agents are unavailable, below 100, e.g. 30"
    ),
    ("staffing.max_occupancy", "exclusiveMinimum"): (
        "at 0 % occupancy agents never handle a contact; write the highest share of their time"
        " agents may be busy, e.g. 85"
    ),
    ("staffing.aht_seconds", "exclusiveMinimum"): (
        "write the average handle time of one contact in seconds, e.g. 180"
    ),
    ("staffing.intervals", "maxItems"): (
        "a day has at most 96 intervals of 15 minutes; plan one day"
    ),
}


def _unknown_keys(profile: Profile, error: ValidationError, pointer: str) -> list[Finding]:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    allowed = sorted(schema.get("properties", {}))
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    findings = []
    for key in sorted(set(instance) - set(allowed)):
        key_pointer = f"{pointer}/{escape_pointer_token(key)}"
        message = f"unknown key '{key}'{did_you_mean(key, allowed)}"
        hint = "allowed here: " + ", ".join(allowed) if allowed else "remove it"
        findings.append(Finding(profile.locate(key_pointer, key=True), message, "error", hint))
    return findings


def _describe(error: ValidationError) -> tuple[str, str]:
    """A message and a hint for one schema error, in words an editor of YAML understands."""
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    describe = _DESCRIBERS.get(str(error.validator))
    if describe is None:
        return error.message, ""
    return describe(_show(error.instance), error.validator_value, error.instance, schema)


def _type(shown: str, wanted: Any, _value: Any, _schema: Mapping[str, Any]) -> tuple[str, str]:
    names = wanted if isinstance(wanted, list) else [wanted]
    expected = " or ".join(_TYPE_WORDS.get(str(n), str(n)) for n in names)
    return f"{shown} is not {expected}", f"write {expected} here"


def _enum(shown: str, allowed: Any, value: Any, _schema: Mapping[str, Any]) -> tuple[str, str]:
    options = [str(o) for o in allowed]
    message = f"{shown} is not one of: {', '.join(options)}{did_you_mean(str(value), options)}"
    return message, "use one of the listed values"


def _maximum(shown: str, limit: Any, _value: Any, _schema: Mapping[str, Any]) -> tuple[str, str]:
    return f"{shown} is more than the maximum {limit}", "lower the value"


def _minimum(shown: str, limit: Any, _value: Any, _schema: Mapping[str, Any]) -> tuple[str, str]:
    return f"{shown} must be at least {limit}", "raise the value"


def _above(shown: str, limit: Any, _value: Any, _schema: Mapping[str, Any]) -> tuple[str, str]:
    return f"{shown} must be greater than {limit}", "raise the value"


def _below(shown: str, limit: Any, _value: Any, _schema: Mapping[str, Any]) -> tuple[str, str]:
    return f"{shown} must be less than {limit}", "lower the value"


def _too_many(_shown: str, limit: Any, _value: Any, _schema: Mapping[str, Any]) -> tuple[str, str]:
    return f"more than {limit} items", "remove items"


def _format(shown: str, fmt: Any, _value: Any, _schema: Mapping[str, Any]) -> tuple[str, str]:
    if fmt == "date":
        return f"{shown} is not a valid date", "write it as YYYY-MM-DD, e.g. 2026-03-31"
    return f"{shown} is not a valid {fmt}", ""


def _pattern(shown: str, regex: Any, _value: Any, schema: Mapping[str, Any]) -> tuple[str, str]:
    rule = schema.get("description") or f"the pattern {regex}"
    return f"{shown} is not valid: {rule}", ""


def _empty(_shown: str, _limit: Any, _value: Any, _schema: Mapping[str, Any]) -> tuple[str, str]:
    return "must not be empty", "fill it in or remove the key"


_DESCRIBERS = {
    "type": _type,
    "enum": _enum,
    "maximum": _maximum,
    "exclusiveMaximum": _below,
    "minimum": _minimum,
    "exclusiveMinimum": _above,
    "format": _format,
    "pattern": _pattern,
    "minLength": _empty,
    "minItems": _empty,
    "minProperties": _empty,
    "maxItems": _too_many,
}


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "an empty value"
    return str(value).lower() if isinstance(value, bool) else str(value)
