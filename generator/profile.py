"""Load stage: read a profile YAML file into plain data plus a map of source positions.

Only ``yaml.safe_load`` semantics are used, and no tags beyond the plain JSON-like ones. Dates
stay strings so the schema checks their format and messages show them as written. Every mapping
key and value keeps its file:line:col, addressed by JSON pointer, so later stages can point at the
line a value came from.

A profile is small (the bundled ones are under 40 KB), so the loader refuses what only a mistake
or an attack produces: files over ``MAX_BYTES``, more than ``MAX_VALUES`` values or
``MAX_CHARACTERS`` characters of text once aliases are expanded (an "alias bomb" grows a few lines
into billions of values), aliases that contain themselves, duplicate keys and custom tags. libyaml
itself refuses nesting deeper than 1000 levels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

from generator.errors import Finding, Location, ProfileError
from generator.layers import Layer, merge_layers

# A profile is JSON-like data: mappings, lists, strings, numbers, booleans and null.
Data = Any

MAX_BYTES = 4 * 1024 * 1024
MAX_VALUES = 200_000
MAX_CHARACTERS = 32 * 1024 * 1024
# "value" is what YAML makes of a lone "=": plain text here.
_SCALAR_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "value")
}


class _ProfileLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that leaves timestamps as strings (the schema validates dates)."""


_ProfileLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Profile:
    """A loaded profile: its data and where each value and key sits in the source."""

    path: Path
    data: Data
    values: Mapping[str, Location] = field(default_factory=dict)
    keys: Mapping[str, Location] = field(default_factory=dict)

    @property
    def sources(self) -> set[Path]:
        """The files this profile was read from: itself and every profile it extends."""
        return {loc.file for loc in [*self.values.values(), *self.keys.values()]} | {self.path}

    def locate(self, pointer: str, *, key: bool = False) -> Location:
        """The location of the value (or its key) at ``pointer``, else of its nearest parent."""
        table = self.keys if key and pointer in self.keys else self.values
        probe = pointer
        while probe not in table and probe:
            probe = probe.rsplit("/", 1)[0]
        found = table.get(probe) or Location(self.path)
        return Location(found.file, found.line, found.column, pointer)


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_of(parts: object) -> str:
    """JSON pointer (RFC 6901) for a sequence of keys and indexes."""
    assert isinstance(parts, list | tuple)
    return "".join("/" + escape_pointer_token(p) for p in parts)


def load_profile(path: Path, _chain: tuple[Path, ...] = ()) -> Profile:
    """Read and parse ``path`` and the profiles it extends; ProfileError on bad YAML.

    ``extends:`` names a bundled preset (``event-hotline``) or a profile file relative to this one.
    """
    profile = read_profile(path)
    parent = profile.data.get("extends") if isinstance(profile.data, dict) else None
    if parent is None:
        return profile
    where = profile.locate("/extends")
    if not isinstance(parent, str):
        raise ProfileError([Finding(where, "extends must name a preset or a file", "error")])
    base_path = _resolve_extends(parent, path)
    if base_path is None:
        raise ProfileError(
            [
                Finding(
                    where,
                    f"no preset or file '{parent}'",
                    "error",
                    "use a bundled preset name or a path to a profile file",
                )
            ]
        )
    if base_path.resolve() in _chain or base_path.resolve() == path.resolve():
        raise ProfileError(
            [
                Finding(
                    where,
                    f"'{parent}' extends this profile again",
                    "error",
                    "profiles must not extend each other in a circle",
                )
            ]
        )
    base = load_profile(base_path, (*_chain, path.resolve()))
    own = {k: v for k, v in profile.data.items() if k != "extends"}
    merged = merge_layers(
        Layer(base.data, base.values, base.keys), Layer(own, profile.values, profile.keys)
    )
    return Profile(path, merged.data, merged.values, merged.keys)


def _resolve_extends(name: str, path: Path) -> Path | None:
    from generator.bundled import bundled_dir

    candidates = [path.parent / name]
    if "/" not in name and not name.endswith((".yaml", ".yml")):
        candidates.append(bundled_dir("org_profiles") / f"{name}.yaml")
    return next((c for c in candidates if c.is_file()), None)


def read_profile(path: Path) -> Profile:
    """Read and parse one profile file, without following ``extends``."""
    try:
        if not path.is_file() and path.exists():
            hint = "give the path of a profile file"
            raise ProfileError([_finding(path, None, "not a regular file", hint)])
        if path.stat().st_size > MAX_BYTES:
            raise ProfileError([_too_large(path)])
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ProfileError([_finding(path, None, "file not found", "check the path")]) from e
    except UnicodeDecodeError as e:
        raise ProfileError([_finding(path, None, "not UTF-8 text", "save it as UTF-8")]) from e
    except OSError as e:
        raise ProfileError([_finding(path, None, f"cannot read: {e.strerror}", "")]) from e
    return parse_profile(text, path)


def parse_profile(text: str, path: Path) -> Profile:
    """Parse profile text; ``path`` is only used for locations."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ProfileError([_too_large(path)])
    try:
        loader = _ProfileLoader(text)
    except yaml.reader.ReaderError as e:
        raise ProfileError([_reader_finding(path, text, e)]) from e
    builder = _Builder(path, loader)
    try:
        node = loader.get_single_node()
        data = builder.build(node, "") if node is not None else None
    except yaml.reader.ReaderError as e:
        raise ProfileError([_reader_finding(path, text, e)]) from e
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = e.problem or e.context or "invalid YAML"
        hint = _yaml_hint(problem, _char_at(text, mark))
        raise ProfileError([_finding(path, mark, f"YAML syntax error: {problem}", hint)]) from e
    except yaml.YAMLError as e:
        raise ProfileError([_finding(path, None, f"YAML error: {e}", "")]) from e
    finally:
        loader.dispose()
    if builder.findings:
        raise ProfileError(builder.findings)
    if data is None:
        data = {}
        builder.values[""] = Location(path, 1, 1, "")
    return Profile(path, data, builder.values, builder.keys)


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


class _Builder:
    """Turns composed YAML nodes into data, recording positions and duplicate keys."""

    def __init__(self, path: Path, loader: _ProfileLoader) -> None:
        self.path = path
        self.loader = loader
        self.values: dict[str, Location] = {}
        self.keys: dict[str, Location] = {}
        self.findings: list[Finding] = []
        self._open: set[int] = set()  # the collection nodes being built: an alias cycle check
        self._count = 0
        self._characters = 0

    def build(self, node: yaml.Node, pointer: str) -> Data:
        self.values[pointer] = self._loc(node.start_mark, pointer)
        self._count += 1
        if self._count > MAX_VALUES:
            self._refuse(node, pointer, f"more than {MAX_VALUES:,} values", _BOMB_HINT)
        if not isinstance(node, yaml.CollectionNode):
            return self._scalar(node, pointer)
        if node.tag not in _PLAIN_TAGS:
            self._refuse(node, pointer, f"tag {_short_tag(node.tag)} is not allowed", _TAG_HINT)
        if id(node) in self._open:
            hint = "an anchored value cannot contain an alias to itself"
            self._refuse(node, pointer, "alias refers to the value that contains it", hint)
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, pointer)
            return [self.build(item, f"{pointer}/{i}") for i, item in enumerate(node.value)]
        finally:
            self._open.discard(id(node))

    def _scalar(self, node: yaml.Node, pointer: str) -> Data:
        if node.tag not in _SCALAR_TAGS:
            self._refuse(node, pointer, f"tag {_short_tag(node.tag)} is not allowed", _TAG_HINT)
        if node.tag.endswith(":value"):
            return str(node.value)
        self._characters += len(node.value)
        if self._characters > MAX_CHARACTERS:
            limit = f"more than {MAX_CHARACTERS // 1024 // 1024} MiB of text"
            self._refuse(node, pointer, limit, _BOMB_HINT)
        return self.loader.construct_object(node, deep=True)

    def _refuse(self, node: yaml.Node, pointer: str, message: str, hint: str) -> NoReturn:
        raise ProfileError([Finding(self._loc(node.start_mark, pointer), message, "error", hint)])

    def _mapping(self, node: yaml.MappingNode, pointer: str) -> dict[str, Data]:
        self.loader.flatten_mapping(node)  # resolves "<<" merge keys
        result: dict[str, Data] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                hint = "write the key as plain text"
                self._refuse(key_node, pointer, "a key must be text, not a list or mapping", hint)
            key = self._scalar(key_node, pointer)
            if not isinstance(key, str):
                key = str(key).lower() if isinstance(key, bool) else str(key)
            child = f"{pointer}/{escape_pointer_token(key)}"
            if key in result:
                self.findings.append(
                    Finding(
                        self._loc(key_node.start_mark, child),
                        f"duplicate key '{key}'",
                        "error",
                        "keep one of them; YAML would silently use the last",
                    )
                )
                continue
            self.keys[child] = self._loc(key_node.start_mark, child)
            result[key] = self.build(value_node, child)
        return result

    def _loc(self, mark: yaml.Mark, pointer: str) -> Location:
        return Location(self.path, mark.line + 1, mark.column + 1, pointer)


_BOMB_HINT = "a profile is far smaller; check for aliases (*name) that repeat large values"
_TAG_HINT = "profiles are plain data: remove the tag, and quote the value if it must be text"


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml") else tag


def _too_large(path: Path) -> Finding:
    size = f"{MAX_BYTES // 1024 // 1024} MiB"
    hint = "a profile is far smaller; split long texts into evidence files"
    return Finding(Location(path, 1, 1), f"larger than {size}", "error", hint)


def _finding(path: Path, mark: yaml.Mark | None, message: str, hint: str) -> Finding:
    if mark is None:
        return Finding(Location(path), message, "error", hint)
    return Finding(Location(path, mark.line + 1, mark.column + 1), message, "error", hint)


def _reader_finding(path: Path, text: str, error: yaml.reader.ReaderError) -> Finding:
    before = text[: error.position]
    line = before.count("\n") + 1
    column = error.position - (before.rfind("\n") + 1) + 1
    message = f"character {error.character:#x} is not allowed in YAML"
    return Finding(Location(path, line, column), message, "error", "remove it")


def _char_at(text: str, mark: yaml.Mark | None) -> str:
    lines = text.splitlines()
    if mark is None or mark.line >= len(lines) or mark.column >= len(lines[mark.line]):
        return ""
    return lines[mark.line][mark.column]


def _yaml_hint(problem: str, char: str) -> str:
    if char == "\t" or "\\t" in problem:
        return "indent with spaces, not tabs"
    if "mapping values" in problem:
        return "quote values that contain ': ' or check the indentation"
    if "could not find expected ':'" in problem or "expected <block end>" in problem:
        return "check the indentation of this line and the one before"
    return "fix the YAML syntax at this position"
