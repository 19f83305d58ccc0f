"""Layered profiles: a profile may extend a preset or another profile file.

Mappings merge deeply, lists of items with ids merge by id (base order first, then the new items),
anything else in the extending profile replaces the base. An item given as only its id and
``omit: true`` removes the base's item of that id (a client without one of the preset's roles);
given any other way, or where no base has that id, the key is left for validation to report.
A per-language text merges by language (a new or corrected translation keeps the rest) unless the
extending profile changes the version in the profile's own language (``organization.language``,
the text the others translate): then it replaces the whole text, for the base's translations
translate a text that is no longer there (a document in another language then shows the new
text and names it as untranslated). Every merged value keeps the file, line and column it came
from, so errors and gaps still point at the right file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import Location
from generator.fieldpath import escape_pointer_token, field_path
from generator.texts import DEFAULT_LANGUAGE, per_language

_MISSING = object()
OMIT = "omit"  # {id: ..., omit: true}: the base's item of that id is left out


@dataclass(frozen=True)
class Layer:
    """Data of one profile file (or an already merged stack) and the positions of its values."""

    data: Any
    values: Mapping[str, Location]
    keys: Mapping[str, Location]
    # The items left out by omissions: list (as a field path: roles, processes[].steps) -> id ->
    # where the omission is written.
    omitted: Mapping[str, Mapping[str, Location]] = field(default_factory=dict)


def merge_layers(base: Layer, child: Layer) -> Layer:
    """``child`` laid over ``base``."""
    values: dict[str, Location] = {}
    keys: dict[str, Location] = {}
    source = _language(child.data) or _language(base.data) or DEFAULT_LANGUAGE
    merger = _Merger(base, child, values, keys, source)
    data = merger.merge(base.data, child.data, "", "", "")
    omitted = {path: dict(ids) for path, ids in base.omitted.items()}
    for path, ids in merger.omitted.items():
        omitted.setdefault(path, {}).update(ids)
    return Layer(data, values, keys, omitted)


class _Merger:
    def __init__(
        self,
        base: Layer,
        child: Layer,
        values: dict[str, Location],
        keys: dict[str, Location],
        source: str,
    ) -> None:
        self.base, self.child = base, child
        self.values, self.keys = values, keys
        self.source = source  # the language the profile's texts are written in
        self.omitted: dict[str, dict[str, Location]] = {}

    def merge(self, b: Any, c: Any, bp: str, cp: str, op: str) -> Any:
        if c is _MISSING:
            return self.copy(self.base, b, bp, op)
        if b is _MISSING:
            return self.copy(self.child, c, cp, op)
        if isinstance(b, Mapping) and isinstance(c, Mapping):
            if self.rewritten(b, c):
                return self.copy(self.child, c, cp, op)  # a new text: the old translations go
            return self.merge_mappings(b, c, bp, cp, op)
        if _by_id(b) and _by_id(c):
            return self.merge_lists(b, c, bp, cp, op)
        return self.copy(self.child, c, cp, op)

    def rewritten(self, b: Mapping[str, Any], c: Mapping[str, Any]) -> bool:
        """Whether ``c`` changes the source-language version of the per-language text ``b``."""
        source = self.source
        return (
            per_language(b)
            and per_language(c)
            and source in b
            and c.get(source, b[source]) != b[source]
        )

    def merge_mappings(
        self, b: Mapping[str, Any], c: Mapping[str, Any], bp: str, cp: str, op: str
    ) -> dict[str, Any]:
        self.place(self.child, cp, op)
        merged = {}
        for key in [*b, *(k for k in c if k not in b)]:
            token = escape_pointer_token(key)
            source, source_ptr = (self.child, cp) if key in c else (self.base, bp)
            if f"{source_ptr}/{token}" in source.keys:
                self.keys[f"{op}/{token}"] = _at(
                    source.keys[f"{source_ptr}/{token}"], f"{op}/{token}"
                )
            merged[key] = self.merge(
                b.get(key, _MISSING),
                c.get(key, _MISSING),
                f"{bp}/{token}",
                f"{cp}/{token}",
                f"{op}/{token}",
            )
        return merged

    def merge_lists(self, b: list[Any], c: list[Any], bp: str, cp: str, op: str) -> list[Any]:
        self.place(self.child, cp, op)
        child_at = {item["id"]: i for i, item in enumerate(c)}
        merged: list[Any] = []
        for i, item in enumerate(b):
            j = child_at.get(item["id"])
            other = c[j] if j is not None else _MISSING
            if isinstance(other, Mapping) and omission(other):
                where = self.child.values.get(f"{cp}/{j}") or Location(Path())
                self.omitted.setdefault(field_path(op), {})[item["id"]] = where
                continue
            merged.append(self.merge(item, other, f"{bp}/{i}", f"{cp}/{j}", f"{op}/{len(merged)}"))
        base_ids = {item["id"] for item in b}
        for j, item in enumerate(c):
            if item["id"] not in base_ids:
                merged.append(self.merge(_MISSING, item, "", f"{cp}/{j}", f"{op}/{len(merged)}"))
        return merged

    def copy(self, layer: Layer, value: Any, src: str, op: str) -> Any:
        """Take ``value`` as it is, with the positions of its whole subtree."""
        self.place(layer, src, op)
        if isinstance(value, Mapping):
            for key, child in value.items():
                token = escape_pointer_token(key)
                if f"{src}/{token}" in layer.keys:
                    self.keys[f"{op}/{token}"] = _at(layer.keys[f"{src}/{token}"], f"{op}/{token}")
                self.copy(layer, child, f"{src}/{token}", f"{op}/{token}")
        elif isinstance(value, list):
            for i, child in enumerate(value):
                self.copy(layer, child, f"{src}/{i}", f"{op}/{i}")
        return value

    def place(self, layer: Layer, src: str, op: str) -> None:
        if src in layer.values:
            self.values[op] = _at(layer.values[src], op)


def repeated_ids(value: Any, pointer: str = "") -> list[tuple[str, str]]:
    """(pointer of the id, id) of every list item whose id an earlier item of its list has."""
    found: list[tuple[str, str]] = []
    if isinstance(value, Mapping):
        for key, child in value.items():
            found += repeated_ids(child, f"{pointer}/{escape_pointer_token(key)}")
    elif isinstance(value, list):
        seen: set[str] = set()
        for i, item in enumerate(value):
            item_id = item.get("id") if isinstance(item, Mapping) else None
            if isinstance(item_id, str):
                if item_id in seen:
                    found.append((f"{pointer}/{i}/id", item_id))
                seen.add(item_id)
            found += repeated_ids(item, f"{pointer}/{i}")
    return found


def omission(item: Mapping[str, Any]) -> bool:
    """Whether the list item ``item`` says to leave out the base's item with its id."""
    return item.get(OMIT) is True and set(item) == {"id", OMIT}


def _language(data: Any) -> str | None:
    organization = data.get("organization") if isinstance(data, Mapping) else None
    language = organization.get("language") if isinstance(organization, Mapping) else None
    return language if isinstance(language, str) else None


def _by_id(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, Mapping) and isinstance(item.get("id"), str) for item in value)
    )


def _at(location: Location, pointer: str) -> Location:
    if location.pointer == pointer:  # a value that kept its place: the same (frozen) location
        return location
    return Location(location.file, location.line, location.column, pointer)
