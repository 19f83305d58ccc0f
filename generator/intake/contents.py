"""What a workbook shows beside the profile's values: the fields its targets mandate, the
drop-down lists that are not ids of another sheet, its language columns; and what a cell cannot
hold."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from generator.errors import Finding
from generator.intake.layout import Sheet, keys_of
from generator.messages import finding
from generator.profile import Profile
from generator.standards import Catalog

_ID = re.compile(r"\[[^\]]*\]")


def mandated_fields(data: Mapping[str, Any], catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """Field paths (``roles[].duties``) the profile's targets mandate, with the citations."""
    from generator.mandates import mandated_requirements, profile_targets

    found: dict[str, list[str]] = {}
    for req in mandated_requirements(profile_targets(data, catalog)):
        standard = catalog.standards[req.standard]
        cite = f"{standard.cite or standard.short} {req.number}"
        for path in req.fields:
            found.setdefault(_ID.sub("[]", path), []).append(cite)
    return {path: tuple(dict.fromkeys(cites)) for path, cites in found.items()}


def choice_lists(catalog: Catalog, layout: Sequence[Sheet]) -> dict[str, tuple[str, ...]]:
    """Drop-down lists that are not ids of another sheet: the catalogue's standards and record
    documents, and the keys of keyed tables (``document_control``'s documents)."""
    lists: dict[str, tuple[str, ...]] = {
        "catalog:standards": tuple(catalog.standards),
        "catalog:record-documents": tuple(
            d.id for d in catalog.documents.values() if d.kind == "record"
        ),
    }
    for sheet in layout:
        if sheet.keyed:
            lists[sheet.path] = keys_of(catalog.profile_schema, sheet)
    return lists


def languages_of(data: Any, shipped: Sequence[str]) -> list[str]:
    """The language columns: the shipped label languages, then any other the profile uses."""
    found: set[str] = set()
    _text_languages(data, found)
    return [*shipped, *sorted(found - set(shipped))]


def _text_languages(value: Any, found: set[str]) -> None:
    if isinstance(value, Mapping):
        if value and all(isinstance(v, str) and len(k) == 2 for k, v in value.items()):
            found.update(value)
        for child in value.values():
            _text_languages(child, found)
    elif isinstance(value, list):
        for child in value:
            _text_languages(child, found)


def unwritable(profile: Profile) -> list[Finding]:
    """List items with a line break: one cell holds a list an item per line, so they would come
    back as two items."""
    problems = []
    for pointer in _broken_items(profile.data, ""):
        problems.append(finding(profile.locate(pointer), "intake.line-break"))
    return problems


def _broken_items(value: Any, pointer: str) -> Iterator[str]:
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield from _broken_items(child, f"{pointer}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            texts = list(item.values()) if _per_language(item) else [item]
            if all(isinstance(t, str) for t in texts) and any("\n" in t for t in texts):
                yield f"{pointer}/{i}"
            else:
                yield from _broken_items(item, f"{pointer}/{i}")


def _per_language(item: Any) -> bool:
    return isinstance(item, Mapping) and all(re.fullmatch("[a-z]{2}", str(k)) for k in item)
