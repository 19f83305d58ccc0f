"""Validate stage: errors (the profile cannot be used) and gaps (a standard's mandate is unmet).

Errors come from the structural JSON Schema and from the cross-reference rules kept beside it in
``profile.schema.yaml``; gaps come from the mandates derived from the standards map.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    errors += references.reference_errors(profile, catalog)
    errors += _evidence_errors(profile, evidence or {})
    errors = sorted(set(errors), key=Finding.sort_key)
    if errors:
        return Validation(tuple(errors), ())
    return Validation((), tuple(find_gaps(profile, catalog, evidence)))


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
        kept = (schema, Draft202012Validator(schema, format_checker=FormatChecker()))
        _VALIDATORS[id(schema)] = kept
    return kept[1]


def schema_errors(profile: Profile, schema: Mapping[str, Any]) -> list[Finding]:
    """Structural errors, each located at its line and column."""
    validator = _validator(schema)
    findings: list[Finding] = []
    for error in validator.iter_errors(profile.data):
        findings += _findings_for(profile, error)
    return findings


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
    return [Finding(profile.locate(pointer), message, "error", hint)]


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
    "exclusiveMaximum": _maximum,
    "minimum": _minimum,
    "exclusiveMinimum": _above,
    "format": _format,
    "pattern": _pattern,
    "minLength": _empty,
    "minItems": _empty,
    "minProperties": _empty,
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
