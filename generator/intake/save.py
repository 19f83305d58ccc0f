"""Write an imported profile as YAML: a new file, or only the changes into an existing one.

An existing profile keeps its comments, key order, flow style and indentation (ruamel.yaml's
round trip): a value equal to what the file (with the profiles it extends) already says is not
touched, a changed value replaces its node, a list item is matched by its id (in a profile that
extends another, a deleted row of an inherited item is written ``{id: ..., omit: true}``).
Strings that ccdocs' YAML 1.1 loader would read as something else (``no``, ``12:30``, ``3.1``)
are quoted; dates are written plain, as the loader reads them as text anyway.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

import yaml

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HEADER = "# Written by ccdocs intake import from a workbook.\n"
# Indentations seen in profiles: mappings by 2, list dashes indented by 2 or not at all.
_INDENTS = ((2, 4, 2), (2, 2, 0))


def profile_text(data: Mapping[str, Any], order: Sequence[str] = ()) -> str:
    """A new profile file holding ``data``, its sections in ``order`` (the schema's).

    Written by the same YAML library that reads profiles, so whatever it would misread is
    quoted; dates stay plain."""
    rank = {key: i for i, key in enumerate(order)}
    ordered = dict(sorted(data.items(), key=lambda item: rank.get(item[0], len(rank))))
    return _HEADER + yaml_text(ordered)


def yaml_text(data: Mapping[str, Any]) -> str:
    """``data`` as block YAML the profile loader reads back as it is."""
    text = yaml.dump(
        dict(data),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=4096,
    )
    return str(text)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Writes a date-like string plain: the profile loader reads it back as the same string."""


_Dumper.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def updated_text(
    text: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    inherited: Mapping[str, Any] | None = None,
) -> str:
    """``text`` (a profile whose loaded data, with its bases, is ``old``) changed to say ``new``;
    unchanged values keep their bytes. ``inherited``: what the profiles it extends say, whose
    list items ``new`` leaves out are omitted."""
    indent = _indent_of(text)
    yaml_rt = _yaml(indent)
    document = yaml_rt.load(text)
    _apply(document, old, new, inherited or {})
    out = io.StringIO()
    yaml_rt.dump(document, out)
    return out.getvalue()


def _yaml(indent: tuple[int, int, int]) -> Any:
    from ruamel.yaml import YAML

    yaml_rt = YAML()
    yaml_rt.preserve_quotes = True
    yaml_rt.width = 4096
    yaml_rt.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    return yaml_rt


def _indent_of(text: str) -> tuple[int, int, int]:
    """The indentation of the first list under a key: dashes indented (``  - x``) or not."""
    match = _FIRST_LIST.search(text)
    if match and len(match.group(2)) == len(match.group(1)):
        return _INDENTS[1]
    return _INDENTS[0]


_FIRST_LIST = re.compile(r"^( *)[^\s#-][^\n]*:[ \t]*(?:#[^\n]*)?\n(?:[ \t]*#[^\n]*\n)*( *)- ", re.M)


def _apply(
    node: Any, old: Mapping[str, Any], new: Mapping[str, Any], inherited: Mapping[str, Any]
) -> None:
    """Make the mapping ``node`` (of the file) say ``new`` where it differs from ``old``;
    ``inherited`` is what the profiles the file extends say here."""
    from ruamel.yaml.comments import CommentedMap

    _remove(node, old, new, inherited)
    for key, value in new.items():
        before = old.get(key)
        if key in old and before == value:
            continue
        mine = node.get(key) if key in node else None
        below = inherited.get(key)
        if isinstance(value, Mapping) and isinstance(before, Mapping):
            if not isinstance(mine, Mapping):
                mine = CommentedMap()
                node[key] = mine
            _apply(mine, before, value, below if isinstance(below, Mapping) else {})
        elif _by_id(value) and _by_id(before) and (mine is None or _by_id(mine)):
            if mine is None:
                node[key] = mine = _node([])
            _apply_list(mine, before or [], value, below if _by_id(below) else [])
            if not mine and below:  # nothing of its own left: [] would replace what it inherits
                del node[key]
        else:
            node[key] = _like(mine, _node(value))


def _remove(
    node: Any, old: Mapping[str, Any], new: Mapping[str, Any], inherited: Mapping[str, Any]
) -> None:
    """Remove from ``node`` what ``old`` has and ``new`` no longer does."""
    for key in [k for k in old if k not in new]:
        mine = node.get(key) if key in node else None
        if _by_id(inherited.get(key)) and (mine is None or _by_id(mine)):
            if mine is None:  # every row deleted: the inherited items are omitted
                node[key] = mine = _node([])
            _apply_list(mine, old[key], [], inherited[key])
        elif key in node:
            del node[key]


def _apply_list(seq: Any, old: list[Any], new: list[Any], inherited: list[Any]) -> None:
    from ruamel.yaml.comments import CommentedMap

    from generator.layers import omission

    mine = {item["id"]: item for item in seq}
    before = {item["id"]: item for item in old}
    below = {item["id"]: item for item in inherited}
    flow = bool(seq) and hasattr(seq[0], "fa") and seq[0].fa.flow_style()
    result = []
    for item in new:
        node = mine.get(item["id"])
        base = before.get(item["id"])
        if node is not None and omission(node):  # an omitted item given again
            node = None
            base = below.get(item["id"])
        if node is not None:
            _apply(node, base or {}, item, below.get(item["id"], {}))
        elif base is not None:  # an item of a profile this one extends: only what changed
            if base == item:
                continue
            node = CommentedMap(id=item["id"])
            _apply(node, base, item, below.get(item["id"], {}))
        else:
            node = _node(item)
            if flow and not _nested(item):
                node.fa.set_flow_style()
        result.append(node)
    _omit(result, seq, {item["id"] for item in new}, before, below)
    if [id(n) for n in result] != [id(n) for n in seq]:
        seq[:] = result


def _omit(
    result: list[Any],
    seq: Any,
    given: set[str],
    before: Mapping[str, Any],
    below: Mapping[str, Any],
) -> None:
    """Add to ``result`` (the new items of the file's list ``seq``) an omission of every
    inherited item (``below``) that was there (``before``) and is no longer ``given``, and keep
    the file's omissions of items still not given where they were."""
    from ruamel.yaml.comments import CommentedMap

    from generator.layers import OMIT, omission

    for index, node in enumerate(seq):
        if omission(node) and node["id"] not in given:
            result.insert(min(index, len(result)), node)
    for key in below:
        if key not in given and key in before:
            node = CommentedMap([("id", key), (OMIT, True)])
            node.fa.set_flow_style()
            result.append(node)


def _like(old: Any, new: Any) -> Any:
    """``new`` written as ``old`` was: a list keeps its node (and the blank line or comment
    after it), its items in flow style if old's were."""
    if not (isinstance(old, list) and isinstance(new, list) and old and new):
        return new
    if hasattr(old[0], "fa") and old[0].fa.flow_style():
        for item in new:
            if hasattr(item, "fa") and not _nested(item):
                item.fa.set_flow_style()
    old[:] = list(new)
    return old


def _by_id(value: Any) -> TypeGuard[list[Any]]:
    return isinstance(value, list) and all(
        isinstance(item, Mapping) and isinstance(item.get("id"), str) for item in value
    )


def _nested(item: Mapping[str, Any]) -> bool:
    return any(isinstance(v, list | Mapping) for v in item.values())


def _node(value: Any) -> Any:
    """``value`` as ruamel nodes, strings quoted where the profile loader would misread them."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

    if isinstance(value, Mapping):
        return CommentedMap((k, _node(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_node(v) for v in value)
    if not isinstance(value, str):
        return value
    if _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return SingleQuotedScalarString(value)
    if "\n" in value:
        return LiteralScalarString(value) if value == value.rstrip() else value
    if _misread(value):
        return SingleQuotedScalarString(value)
    return value


def _misread(text: str) -> bool:
    """Whether plain ``text`` would be read as something else than a string by ccdocs' YAML 1.1
    loader (``no``, ``12:30``, ``3.1``)."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    return tag != "tag:yaml.org,2002:str" or text != text.strip()


_RESOLVER: Any = yaml.resolver.Resolver()
