"""What ccdocs tells its user, in the user's language.

A finding carries a stable code (``schema.type``, ``reference.unknown``) and its arguments; the
words come from the ``messages`` group of the label catalogue of a language
(``templates/labels/<language>.yaml``). A finding is worded in English when it is made, for logs
and the library's callers, and again in the user's language when it is shown (``told``).

An argument may itself be words to look up (``Words``: a type's name, a status), a list joined
the language's way, or a choice of words joined by the language's "or" (``Either``).
"""

from __future__ import annotations

import functools
import locale
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from generator.errors import CcdocsError, Finding, Location, ProfileError, Severity

E = TypeVar("E", bound=CcdocsError)

DEFAULT = "en"  # the language a finding is worded in when it is made


@dataclass(frozen=True, slots=True)
class Words:
    """Words to look up in the catalogue: the message ``code`` with its arguments."""

    code: str
    args: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Either:
    """Alternatives, joined by the language's "or" ("text or a mapping", "文本或映射")."""

    items: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Term:
    """A term of the catalogue's ``group`` (``nouns``, ``patterns``), by its key."""

    group: str
    key: str


def words(code: str, **args: Any) -> Words:
    return Words(code, _frozen(args))


def finding(
    location: Location,
    code: str,
    severity: Severity = "error",
    requirement_ids: tuple[str, ...] = (),
    **args: Any,
) -> Finding:
    """A finding with the message and hint of ``code``, worded in English until it is told."""
    frozen = _frozen(args)
    message, hint = say(code, frozen, DEFAULT)
    return Finding(location, message, severity, hint, requirement_ids, code, frozen)


def told(item: Finding, language: str) -> Finding:
    """``item`` worded in ``language`` (as it was, when it has no code)."""
    if not item.code or language == DEFAULT:
        return item
    message, hint = say(item.code, item.args, language)
    return replace(item, message=message, hint=hint)


def error(kind: type[E], code: str, **args: Any) -> E:
    """An exception of ``kind`` with the words of ``code``, in English until it is told."""
    frozen = _frozen(args)
    return kind(say(code, frozen, DEFAULT)[0], code=code, arguments=frozen)


def told_error(item: CcdocsError, language: str) -> str:
    """The words of ``item`` in ``language`` (as it was raised, when it has no code); the
    findings of a ProfileError each told, one a line."""
    if isinstance(item, ProfileError):
        return "\n".join(told(f, language).format() for f in item.findings)
    return say(item.code, item.arguments, language)[0] if item.code else str(item)


def relocated(item: Finding, location: Location, hint: str) -> Finding:
    """``item`` as told, moved to ``location`` with ``hint``: its words are final (no code), as
    when a workbook's cell is named instead of the profile's line."""
    return replace(item, location=location, hint=hint, code="", args=())


def say(code: str, args: Iterable[tuple[str, Any]], language: str) -> tuple[str, str]:
    """The message and hint of ``code`` in ``language``, filled with ``args``; an argument named
    ``hint`` replaces the code's own hint."""
    entry = catalogue(language).get(code)
    if entry is None:
        raise KeyError(f"no message {code!r} in the {language} catalogue")
    if isinstance(entry, str):
        entry = {"text": entry}
    shown = {name: _shown(value, language) for name, value in args}
    hint = shown["hint"] if "hint" in shown else str(entry.get("hint", "")).format_map(shown)
    return entry["text"].format_map(shown), hint


def say_words(item: Words, language: str) -> str:
    """``item`` in ``language``, without a hint."""
    return say(item.code, item.args, language)[0]


def text(code: str, language: str, **args: Any) -> str:
    """One message of the catalogue, without a hint: a summary line, a word."""
    return say(code, _frozen(args), language)[0]


def language_of(chosen: str | None, data: Any = None) -> str:
    """The language to speak: the one chosen (``--lang``), else the profile's, else the
    locale's (Chinese when it names Chinese), else English."""
    from generator.labels import LANGUAGES

    if chosen in LANGUAGES:
        return chosen
    org = data.get("organization") if isinstance(data, Mapping) else None
    stated = org.get("language") if isinstance(org, Mapping) else None
    if stated in LANGUAGES:
        return str(stated)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(name, "")
        if value:
            return _locale_language(value, LANGUAGES)
    return _locale_language(locale.getlocale()[0] or "", LANGUAGES)


def _locale_language(name: str, languages: tuple[str, ...]) -> str:
    """The language of a locale name (zh_CN.UTF-8, en_GB) when ccdocs speaks it, else English."""
    code = name.lower().replace("-", "_").split("_")[0].split(".")[0]
    return code if code in languages else DEFAULT


@functools.cache
def catalogue(language: str) -> Mapping[str, Any]:
    """The ``messages`` group of the shipped label catalogue of ``language``."""
    from generator.bundled import bundled_dir
    from generator.labels import load_labels

    labels = load_labels(language, [bundled_dir("templates")])
    return dict(labels.get("messages", {}))


def _shown(value: Any, language: str) -> str:
    if isinstance(value, Words):
        return say(value.code, value.args, language)[0]
    if isinstance(value, Term):
        return str(catalogue(language).get(value.group, {}).get(value.key, value.key))
    if isinstance(value, Either):
        joiner = catalogue(language)["or"]
        return str(joiner).join(_shown(v, language) for v in value.items)
    if isinstance(value, tuple):
        return str(catalogue(language)["list_sep"]).join(_shown(v, language) for v in value)
    return str(value)


def _frozen(args: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(args.items()))
