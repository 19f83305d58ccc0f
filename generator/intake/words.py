"""What the intake workbook calls its sheets and columns, from the label catalogues.

A sheet is named by ``intake.sheets.<path>``, a field by ``intake.fields.<full path>``, else the
shared ``fields.<full path>`` the gap report uses, else its own key. A text's columns are its
name, for a text written once, and ``name [zh]``, ``name [en]`` for its languages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator.intake.layout import Field, Sheet
from generator.render import fill

_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_LANGUAGE_COLUMN = re.compile(r"^(.*) \[([a-z]{2})\]$")


@dataclass(frozen=True)
class Column:
    """One column of a table sheet (or one value cell of a fields row)."""

    field: Field | None  # None: a parent's key or a keyed table's key
    language: str | None = None  # a text's language column; None: the text as written once
    parent: str = ""  # the parent table this key column names
    header: str = ""


def intake_words(labels: Mapping[str, Any]) -> Mapping[str, Any]:
    words = labels.get("intake", {})
    return words if isinstance(words, Mapping) else {}


def field_name(field: Field, labels: Mapping[str, Any]) -> str:
    words = intake_words(labels)
    own = words.get("fields", {}).get(field.full) or labels.get("fields", {}).get(field.full)
    key = field.path.rsplit(".", 1)[-1]
    plain = plain_field_name(field)
    return str(own or words.get("keys", {}).get(key) or plain[:1].upper() + plain[1:])


def plain_field_name(field: Field) -> str:
    """A field's name from its key, for a field the catalogue does not name (and as workbooks
    made before it did named its column)."""
    return field.path.rsplit(".", 1)[-1].replace("_", " ")


def field_help(field: Field, labels: Mapping[str, Any]) -> str:
    """What the field means (``intake.help``, else the schema's description) and what its
    cells take (``intake.shapes``: a date, an id, a percentage, ...)."""
    words = intake_words(labels)
    meaning = words.get("help", {}).get(field.full) or field.description
    shape = words.get("shapes", {}).get(field.shape, "")
    return "\n".join(str(part) for part in (meaning, shape) if part)


def sheet_names(layout: Sequence[Sheet], labels: Mapping[str, Any]) -> dict[str, str]:
    """Each sheet's name, unique and within Excel's 31 characters."""
    given = intake_words(labels).get("sheets", {})
    names: dict[str, str] = {}
    used: set[str] = set()
    for sheet in layout:
        name = _FORBIDDEN.sub("", str(given.get(sheet.path) or plain_sheet_name(sheet)))[:31]
        base, n = name, 2
        while name.lower() in used:
            name = f"{base[:28]} {n}"
            n += 1
        used.add(name.lower())
        names[sheet.path] = name
    return names


def plain_sheet_name(sheet: Sheet) -> str:
    """A sheet's name from its path, for a sheet the catalogue does not name (and as workbooks
    made before it did named it)."""
    name = sheet.path.replace("[]", "").replace(".*", "").replace(".", " ") or "profile"
    return _FORBIDDEN.sub("", name)[:31]


def table_columns(
    sheet: Sheet, layout: Sequence[Sheet], labels: Mapping[str, Any], languages: Sequence[str]
) -> list[Column]:
    """The columns of a table sheet: its parents' keys, its own key (keyed tables), its fields."""
    words = intake_words(labels)
    names = sheet_names(layout, labels)
    parent = str(words.get("parent", "{sheet}"))
    columns = [
        Column(None, parent=p, header=fill(parent, "intake.parent", sheet=names[p]))
        for p in sheet.parents
    ]
    if sheet.keyed:
        columns.append(Column(None, header=str(words.get("key", "key"))))
    seen = {c.header for c in columns}
    for field in sheet.fields:
        name = field_name(field, labels)
        if name in seen:  # two fields with the same words: the later one says its path
            name = f"{name} ({field.path})"
        seen.add(name)
        columns += value_columns(field, name, languages)
    return columns


def value_columns(field: Field, name: str, languages: Sequence[str]) -> list[Column]:
    if field.kind not in ("text", "texts"):
        return [Column(field, header=name)]
    return [Column(field, header=name)] + [
        Column(field, language, header=f"{name} [{language}]") for language in languages
    ]


def split_language(header: str) -> tuple[str, str | None]:
    """``名称 [en]`` as (``名称``, ``en``); a header without a language as (header, None)."""
    match = _LANGUAGE_COLUMN.match(header.strip())
    return (match.group(1), match.group(2)) if match else (header.strip(), None)
