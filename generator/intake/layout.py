"""The intake workbook's layout, derived from the profile schema.

Every top-level section of ``profile.schema.yaml`` becomes sheets: its single values on a *fields*
sheet (one row per field), each list of items on a *table* sheet (one row per item; values of
objects inside an item are columns such as ``target.value``; lists inside an item are child
tables whose rows name their parent). A mapping whose values all share one shape
(``document_control``) is a table keyed by its keys. A section added to the schema gets its
sheets without a change here; its words come from the label catalogues (``intake.fields``, the
shared ``fields``) and, failing those, from the key itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["text", "texts", "list", "scalar"]
SheetKind = Literal["fields", "table"]
# Keys the workbook leaves out: extends is resolved before export, $schema is for editors.
_SKIPPED = frozenset({"extends", "$schema"})
_ID = re.compile(r"\[\]|\[[^\]]*\]")


@dataclass(frozen=True)
class Field:
    """One value of a row (a table column) or of a fields sheet (a row)."""

    path: str  # inside the row's object, dotted: "target.value"
    full: str  # the field path in the profile: "kpis[].target.value"
    kind: Kind
    schema: Mapping[str, Any]  # of the value, or of one item for list kinds
    description: str = ""
    ref: str = ""  # the id field it names, e.g. "roles[].id", or "catalog:…"
    required: bool = False
    shape: str = ""  # the schema definition it takes (date, id, percent, cycle, …), if any

    @property
    def enum(self) -> tuple[Any, ...]:
        return tuple(self.schema.get("enum", ()))


@dataclass(frozen=True)
class Sheet:
    """A sheet: ``path`` is the table's field path (``processes[].steps[]``, ``document_control.*``)
    or the section of a fields sheet (``organization``; ``""`` for the profile's own values)."""

    path: str
    kind: SheetKind
    fields: tuple[Field, ...]
    parents: tuple[str, ...] = ()  # the tables above a child table, outermost first
    description: str = ""

    @property
    def keyed(self) -> bool:
        return self.path.endswith(".*")

    @property
    def has_ids(self) -> bool:
        return any(f.path == "id" for f in self.fields)


def build_layout(schema: Mapping[str, Any]) -> tuple[Sheet, ...]:
    """The sheets of the intake workbook for the profile ``schema``, in the schema's order."""
    return _build(_Frozen(schema))


@dataclass(frozen=True)
class _Frozen:
    """A hashable handle on a schema, so a layout is built once per schema."""

    schema: Mapping[str, Any]

    def __hash__(self) -> int:
        return id(self.schema)


@functools.lru_cache(maxsize=8)
def _build(handle: _Frozen) -> tuple[Sheet, ...]:
    walker = _Walker(handle.schema)
    root = walker.deref(handle.schema)
    own: list[Field] = []
    sheets: list[Sheet] = []
    for key, prop in root.get("properties", {}).items():
        if key in _SKIPPED:
            continue
        node = walker.deref(prop)
        if _is_table(walker, node) or _is_object(node):
            sheets += walker.section(key, node)
        else:
            own.append(walker.field(key, key, prop, key in root.get("required", ())))
    return (Sheet("", "fields", tuple(own)), *sheets)


class _Walker:
    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self.refs = {
            _ID.sub("[]", str(r["from"])).removesuffix("[]"): str(r["to"])
            for r in schema.get("x-references", [])
        }

    def deref(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in node:
            target: Any = self.schema
            for part in str(node["$ref"])[2:].split("/"):
                target = target[part]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def section(self, key: str, node: Mapping[str, Any]) -> list[Sheet]:
        """The sheets of one top-level section: its fields sheet first, then its tables."""
        if _is_table(self, node):
            return self.table(f"{key}[]", self.deref(node["items"]), (), node)
        shape = _keyed_shape(self, node)
        if shape is not None:
            return self.table(f"{key}.*", shape, (), node)
        fields: list[Field] = []
        tables: list[Sheet] = []
        self.collect(node, key, "", fields, tables, ())
        head = [Sheet(key, "fields", tuple(fields), (), str(node.get("description", "")))]
        return (head if fields else []) + tables

    def table(
        self,
        path: str,
        item: Mapping[str, Any],
        parents: tuple[str, ...],
        node: Mapping[str, Any],
    ) -> list[Sheet]:
        columns: list[Field] = []
        children: list[Sheet] = []
        self.collect(item, path, "", columns, children, (*parents, path))
        description = str(node.get("description", ""))
        return [Sheet(path, "table", tuple(columns), parents, description), *children]

    def collect(
        self,
        node: Mapping[str, Any],
        base: str,
        rel: str,
        fields: list[Field],
        tables: list[Sheet],
        parents: tuple[str, ...],
    ) -> None:
        """Fields of ``node`` into ``fields``, its lists of items (and keyed mappings) into
        ``tables``; objects are walked into with dotted paths."""
        required = set(node.get("required", ()))
        for key, prop in node.get("properties", {}).items():
            child = self.deref(prop)
            full = f"{base}.{rel}{key}" if base else f"{rel}{key}"
            if _is_table(self, child):
                tables += self.table(f"{full}[]", self.deref(child["items"]), parents, child)
            elif (shape := _keyed_shape(self, child)) is not None:
                tables += self.table(f"{full}.*", shape, parents, child)
            elif _is_object(child):
                self.collect(child, base, f"{rel}{key}.", fields, tables, parents)
            else:
                fields.append(self.field(f"{rel}{key}", full, prop, key in required))

    def field(self, path: str, full: str, prop: Mapping[str, Any], required: bool) -> Field:
        node = self.deref(prop)
        kind: Kind = "scalar"
        schema = node
        if _is_text(node):
            kind = "text"
        elif node.get("type") == "array":
            schema = self.deref(node.get("items", {}))
            kind = "texts" if _is_text(schema) else "list"
        ref = self.refs.get(_ID.sub("[]", full), "")
        definition = prop.get("$ref") or node.get("items", {}).get("$ref", "")
        shape = str(definition).rsplit("/", 1)[-1]
        own = str(prop.get("description", ""))  # a definition's own words are its shape's
        return Field(path, full, kind, schema, own, ref, required, shape)


def _is_text(node: Mapping[str, Any]) -> bool:
    kinds = node.get("type")
    return isinstance(kinds, list) and "string" in kinds and "object" in kinds


def _is_object(node: Mapping[str, Any]) -> bool:
    return node.get("type") == "object" and bool(node.get("properties"))


def _is_table(walker: _Walker, node: Mapping[str, Any]) -> bool:
    return node.get("type") == "array" and _is_object(walker.deref(node.get("items", {})))


def _keyed_shape(walker: _Walker, node: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The item shape of a mapping whose values all have one object shape, else None."""
    props = node.get("properties", {})
    refs = {str(p.get("$ref", "")) for p in props.values()}
    if node.get("type") != "object" or len(props) < 2 or len(refs) != 1 or "" in refs:
        return None
    shape = walker.deref(next(iter(props.values())))
    return shape if _is_object(shape) else None


def keys_of(schema: Mapping[str, Any], sheet: Sheet) -> tuple[str, ...]:
    """The keys a keyed table's rows may have (``operations-manual``, ...)."""
    node: Any = schema
    walker = _Walker(schema)
    node = walker.deref(node)
    for part in sheet.path.removesuffix(".*").split("."):
        node = walker.deref(node.get("properties", {}).get(part, {}))
    return tuple(node.get("properties", {}))


def sheet_of(layout: Sequence[Sheet], path: str) -> Sheet:
    return next(s for s in layout if s.path == path)
