"""Validate stage: errors (the profile cannot be used) and gaps (a standard's mandate is unmet).

Errors come from the structural JSON Schema and from the cross-reference rules kept beside it in
``profile.schema.yaml``; gaps come from the mandates derived from the standards map.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from generator import references
from generator.errors import Finding
from generator.mandates import Gap, find_gaps
from generator.profile import Profile, pointer_of
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
    gaps: tuple[Gap, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_profile(profile: Profile, catalog: Catalog) -> Validation:
    """Every error and, when there are none, every gap of ``profile``."""
    errors = schema_errors(profile, catalog.profile_schema)
    errors += references.reference_errors(profile, catalog)
    errors = sorted(set(errors), key=Finding.sort_key)
    if errors:
        return Validation(tuple(errors), ())
    return Validation((), tuple(find_gaps(profile, catalog)))


def schema_errors(profile: Profile, schema: Mapping[str, Any]) -> list[Finding]:
    """Structural errors, each located at its line and column."""
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
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
    allowed = sorted(error.schema.get("properties", {}))
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    findings = []
    for key in sorted(set(instance) - set(allowed)):
        key_pointer = f"{pointer}/{key}"
        message = f"unknown key '{key}'{did_you_mean(key, allowed)}"
        hint = "allowed here: " + ", ".join(allowed) if allowed else "remove it"
        findings.append(Finding(profile.locate(key_pointer, key=True), message, "error", hint))
    return findings


def _describe(error: ValidationError) -> tuple[str, str]:
    """A message and a hint for one schema error, in words an editor of YAML understands."""
    keyword, value, schema = error.validator, error.instance, error.schema
    shown = _show(value)
    if keyword == "type":
        wanted = error.validator_value
        names = wanted if isinstance(wanted, list) else [wanted]
        expected = " or ".join(_TYPE_WORDS.get(n, n) for n in names)
        return f"{shown} is not {expected}", f"write {expected} here"
    if keyword == "enum":
        options = [str(o) for o in error.validator_value]
        message = f"{shown} is not one of: {', '.join(options)}{did_you_mean(str(value), options)}"
        return message, "use one of the listed values"
    if keyword == "const":
        return f"{shown} must be {error.validator_value!r}", ""
    if keyword in ("maximum", "exclusiveMaximum"):
        return f"{shown} is more than the maximum {error.validator_value}", "lower the value"
    if keyword in ("minimum", "exclusiveMinimum"):
        limit = "greater than" if keyword == "exclusiveMinimum" else "at least"
        return f"{shown} must be {limit} {error.validator_value}", "raise the value"
    if keyword == "format":
        return _format_message(shown, error.validator_value)
    if keyword == "pattern":
        rule = schema.get("description") or f"the pattern {error.validator_value}"
        return f"{shown} is not valid: {rule}", ""
    if keyword in ("minLength", "minItems"):
        return "must not be empty", "fill it in or remove the key"
    return error.message, ""


def _format_message(shown: str, fmt: str) -> tuple[str, str]:
    if fmt == "date":
        return f"{shown} is not a valid date", "write it as YYYY-MM-DD, e.g. 2026-03-31"
    return f"{shown} is not a valid {fmt}", ""


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


def did_you_mean(word: str, options: list[str]) -> str:
    """`` (did you mean 'x'?)`` when a close match exists, else an empty string."""
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
