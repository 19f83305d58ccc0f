"""Load stage: read a profile YAML file into plain data plus a map of source positions.

Only ``yaml.safe_load`` semantics are used, and no tags beyond the plain JSON-like ones. Dates
stay strings so the schema checks their format and messages show them as written. Every mapping
key and value keeps its file:line:col, addressed by JSON pointer, so later stages can point at the
line a value came from.

A profile is small (the bundled ones are under 40 KB), so the loader refuses what only a mistake
or an attack produces: files over ``MAX_BYTES``, more than ``MAX_VALUES`` values or
``MAX_CHARACTERS`` characters of text once aliases are expanded (an "alias bomb" grows a few lines
into billions of values), aliases that contain themselves, duplicate keys and custom tags, nesting
deeper than ``MAX_DEPTH`` levels (every later stage walks the data, and a profile needs under ten)
and whole numbers beyond ``MAX_INTEGER`` (a count or a duration never comes near it, and Python
cannot even print one of more than 4300 digits).
"""

from __future__ import annotations

import contextlib
import gc
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

from generator.errors import Finding, Location, ProfileError
from generator.fieldpath import escape_pointer_token
from generator.layers import Layer, merge_layers, repeated_ids
from generator.messages import finding, language_of, words

# A profile is JSON-like data: mappings, lists, strings, numbers, booleans and null.
Data = Any

MAX_BYTES = 4 * 1024 * 1024
MAX_VALUES = 200_000
MAX_CHARACTERS = 32 * 1024 * 1024
MAX_DEPTH = 64
MAX_INTEGER = 10**15
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
    # Inherited list items left out by an omission ({id: ..., omit: true}), and where it is:
    # list (a field path such as roles) -> id -> location.
    omitted: Mapping[str, Mapping[str, Location]] = field(default_factory=dict)

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


def pointer_of(parts: object) -> str:
    """JSON pointer (RFC 6901) for a sequence of keys and indexes."""
    assert isinstance(parts, list | tuple)
    return "".join("/" + escape_pointer_token(p) for p in parts)


def load_profile(
    path: Path, _chain: tuple[Path, ...] = (), _roots: tuple[Path, ...] = ()
) -> Profile:
    """Read and parse ``path`` and the profiles it extends; ProfileError on bad YAML.

    ``extends:`` names a bundled preset (``event-hotline``) or a profile file relative to this one.
    A base file must lie inside the first profile's folder or the current folder (symbolic links
    resolved): ``extends`` cannot read files elsewhere on the machine. A base that is not a valid
    profile layer is reported by its location only, never by its content.
    """
    return load_layered(path, _chain, _roots)[0]


def load_layered(
    path: Path, _chain: tuple[Path, ...] = (), _roots: tuple[Path, ...] = ()
) -> tuple[Profile, Profile | None]:
    """``load_profile``, and the merged profiles it extends (what it inherits; None when it
    extends none)."""
    profile = read_profile(path)
    base = _base_of(profile, _chain, _roots)
    if base is None:
        return profile, None
    own = {k: v for k, v in profile.data.items() if k != "extends"}
    repeated = repeated_ids(own)  # the merge takes one item per id: the others would be lost
    if repeated:
        raise ProfileError(
            [finding(profile.locate(at), "ref.duplicate-id", id=i) for at, i in repeated]
        )
    merged = merge_layers(
        Layer(base.data, base.values, base.keys, base.omitted),
        Layer(own, profile.values, profile.keys),
    )
    return Profile(path, merged.data, merged.values, merged.keys, merged.omitted), base


def _base_of(
    profile: Profile, _chain: tuple[Path, ...], _roots: tuple[Path, ...]
) -> Profile | None:
    path = profile.path
    parent = profile.data.get("extends") if isinstance(profile.data, dict) else None
    if parent is None:
        return None
    where = profile.locate("/extends")
    if not isinstance(parent, str):
        raise ProfileError([finding(where, "layer.not-text")])
    roots = _roots or (path.resolve().parent, Path.cwd().resolve())
    chain = (*_chain, path.resolve())
    base_path = _resolve_extends(parent, path)
    if base_path is None:
        raise ProfileError([finding(where, "layer.unknown", name=parent)])
    _check_base(base_path.resolve(), parent, where, chain, roots)
    return _load_base(base_path, parent, where, chain, roots)


def _check_base(
    real: Path, name: str, where: Location, chain: tuple[Path, ...], roots: tuple[Path, ...]
) -> None:
    from generator.bundled import bundled_dir

    if real in chain:
        raise ProfileError([finding(where, "layer.circle", name=name)])
    allowed = (*roots, bundled_dir("org_profiles").resolve())
    if not any(real.is_relative_to(root) for root in allowed):
        raise ProfileError([finding(where, "layer.outside", name=name)])


def _load_base(
    base_path: Path, name: str, where: Location, chain: tuple[Path, ...], roots: tuple[Path, ...]
) -> Profile:
    """The base profile; when it cannot be read as a profile, one error at ``extends``."""
    try:
        base = load_profile(base_path, chain, roots)
    except ProfileError as e:
        chained = (
            f.location.file != base_path or f.location.pointer == "/extends" for f in e.findings
        )
        if any(chained):
            raise  # a problem of the chain of bases, reported where it is
        line = e.findings[0].location.line
        invalid = finding(where, "layer.invalid", name=name, line=line, path=base_path)
        raise ProfileError([invalid]) from e
    if not isinstance(base.data, dict):
        raise ProfileError([finding(where, "layer.not-mapping", name=name)])
    return base


def _resolve_extends(name: str, path: Path) -> Path | None:
    from generator.bundled import bundled_dir

    candidates = [path.parent / name]
    if "/" not in name and not name.endswith((".yaml", ".yml")):
        candidates.append(bundled_dir("org_profiles") / f"{name}.yaml")
    return next((c for c in candidates if c.is_file()), None)


def read_profile(path: Path) -> Profile:
    """Read and parse one profile file, without following ``extends``."""
    try:
        raw = _read_bytes(path)
    except FileNotFoundError as e:
        raise ProfileError([_finding(path, None, "file.not-found")]) from e
    except OSError as e:
        raise ProfileError([_finding(path, None, "file.unreadable", reason=e.strerror)]) from e
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ProfileError([_not_utf8(path, raw, e.start)]) from e
    key = (str(path), raw)
    parsed = _PARSED.get(key)
    if parsed is None:
        parsed = parse_profile(text, path)
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = parsed
    # Fresh containers: whoever changes a loaded profile's data changes only its own copy.
    return Profile(parsed.path, _fresh(parsed.data), parsed.values, parsed.keys)


# Profiles parsed in this process, by path and bytes: a batch worker builds many clients on the
# same few presets, and parsing a preset with the position of every value is most of a no-op
# rebuild. The bytes are read every time, so an edited file is parsed again.
_PARSED: dict[tuple[str, bytes], Profile] = {}
_PARSED_LIMIT = 16


def _fresh(data: Data) -> Data:
    """``data`` with new mappings and lists (scalars are immutable and shared)."""
    if isinstance(data, dict):
        return {key: _fresh(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_fresh(value) for value in data]
    return data


def _read_bytes(path: Path) -> bytes:
    """The file's bytes from one open descriptor: a regular file of at most MAX_BYTES."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
        os.close(fd)
        refused = _finding(path, None, "file.not-regular")
        raise ProfileError([refused if not stat.S_ISREG(info.st_mode) else _too_large(path)])
    with os.fdopen(fd, "rb") as file:
        raw = file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ProfileError([_too_large(path)])
    return raw


def _not_utf8(path: Path, raw: bytes, offset: int) -> Finding:
    """Where the text stops being UTF-8, and how to convert it when it reads as GB18030/GBK."""
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - raw.rfind(b"\n", 0, offset)
    where = Location(path, line, column, "")
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return finding(where, "file.not-utf8")
    return finding(where, "file.gb18030", name=path.name)


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a profile is parsed or rendered: both build
    millions of objects (a location per value, the documents' pieces), and the collector's full
    passes over that growing heap made a 16x profile's parse 2.5 times as long (7.3 s against
    2.9 s); reference counting still frees what is done with, the collector runs after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@no_cycle_collection()
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
        advice = words(_yaml_hint(problem, _char_at(text, mark)))
        syntax = _finding(path, mark, "yaml.syntax", problem=problem, advice=advice)
        raise ProfileError([syntax]) from e
    except yaml.YAMLError as e:
        raise ProfileError([_finding(path, None, "yaml.error", problem=e)]) from e
    except RecursionError as e:  # the pure-Python composer, before the builder's depth check
        raise ProfileError([_finding(path, None, "yaml.too-deep", depth=MAX_DEPTH)]) from e
    finally:
        loader.dispose()
    if builder.findings:
        raise ProfileError(builder.findings)
    if data is None:
        data = {}
        builder.values[""] = Location(path, 1, 1, "")
    return Profile(path, data, builder.values, builder.keys)


_STR_TAG = "tag:yaml.org,2002:str"
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
            self._refuse(node, pointer, "yaml.too-many-values", count=f"{MAX_VALUES:,}")
        if pointer.count("/") > MAX_DEPTH:
            self._refuse(node, pointer, "yaml.too-deep-here", depth=MAX_DEPTH)
        if not isinstance(node, yaml.CollectionNode):
            return self._scalar(node, pointer)
        if node.tag not in _PLAIN_TAGS:
            self._refuse(node, pointer, "yaml.tag", tag=_short_tag(node.tag))
        if id(node) in self._open:
            self._refuse(node, pointer, "yaml.alias-loop")
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, pointer)
            return [self.build(item, f"{pointer}/{i}") for i, item in enumerate(node.value)]
        finally:
            self._open.discard(id(node))

    def _scalar(self, node: yaml.Node, pointer: str) -> Data:
        if node.tag not in _SCALAR_TAGS:
            self._refuse(node, pointer, "yaml.tag", tag=_short_tag(node.tag))
        if node.tag.endswith(":value"):
            return str(node.value)
        self._characters += len(node.value)
        if self._characters > MAX_CHARACTERS:
            self._refuse(node, pointer, "yaml.too-much-text", size=MAX_CHARACTERS // 1024 // 1024)
        if node.tag == _STR_TAG:
            return str(node.value)  # most scalars: no constructor needed
        try:
            value = self.loader.construct_object(node, deep=True)
        except ValueError:  # an integer of more digits than Python converts
            value = None
        if (value is None and node.tag.endswith(":int")) or _huge(value):
            self._refuse(node, pointer, "yaml.number-too-large", limit=f"{MAX_INTEGER:.0e}")
        return value

    def _refuse(self, node: yaml.Node, pointer: str, code: str, **args: Any) -> NoReturn:
        raise ProfileError([finding(self._loc(node.start_mark, pointer), code, **args)])

    def _mapping(self, node: yaml.MappingNode, pointer: str) -> dict[str, Data]:
        self.loader.flatten_mapping(node)  # resolves "<<" merge keys
        result: dict[str, Data] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._refuse(key_node, pointer, "yaml.key-not-text")
            key = self._scalar(key_node, pointer)
            if not isinstance(key, str):
                key = str(key).lower() if isinstance(key, bool) else str(key)
            child = f"{pointer}/{escape_pointer_token(key)}"
            if key in result:
                where = self._loc(key_node.start_mark, child)
                self.findings.append(finding(where, "yaml.duplicate-key", key=key))
                continue
            self.keys[child] = self._loc(key_node.start_mark, child)
            result[key] = self.build(value_node, child)
        return result

    def _loc(self, mark: yaml.Mark, pointer: str) -> Location:
        return Location(self.path, mark.line + 1, mark.column + 1, pointer)


def _huge(value: Data) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml") else tag


def _too_large(path: Path) -> Finding:
    return finding(Location(path, 1, 1), "file.too-large", size=MAX_BYTES // 1024 // 1024)


def _finding(path: Path, mark: yaml.Mark | None, code: str, **args: Any) -> Finding:
    if mark is None:
        return finding(Location(path), code, **args)
    return finding(Location(path, mark.line + 1, mark.column + 1), code, **args)


def _reader_finding(path: Path, text: str, error: yaml.reader.ReaderError) -> Finding:
    before = text[: error.position]
    line = before.count("\n") + 1
    column = error.position - (before.rfind("\n") + 1) + 1
    where = Location(path, line, column)
    return finding(where, "yaml.character", character=f"{error.character:#x}")


def _char_at(text: str, mark: yaml.Mark | None) -> str:
    lines = text.splitlines()
    if mark is None or mark.line >= len(lines) or mark.column >= len(lines[mark.line]):
        return ""
    return lines[mark.line][mark.column]


def _yaml_hint(problem: str, char: str) -> str:
    """The message code of the advice for a YAML syntax error."""
    if char == "\t" or "\\t" in problem:
        return "yaml.tabs"
    if "mapping values" in problem:
        return "yaml.colon"
    if "could not find expected ':'" in problem or "expected <block end>" in problem:
        return "yaml.indent"
    return "yaml.other"


def own_data(profile: Path) -> Any:
    """The client file's own data by a plain YAML read, or None when that does not work."""
    try:
        with profile.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            return None
        return yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError, ValueError, RecursionError):
        return None


def user_language(path: Path | None, chosen: str | None, data: Any = None) -> str:
    """The language to tell the user in about the profile ``path``: ``chosen`` (``--lang``), else
    the profile's (``data``, or the file's own data read plainly), else the locale's."""
    if data is None and chosen is None and path is not None and path.suffix in (".yaml", ".yml"):
        data = own_data(path)
    return language_of(chosen, data)
