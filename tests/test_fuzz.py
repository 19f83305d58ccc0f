"""Generated and mutated profiles through load → validate → resolve → render: each one gives
either documents or errors that name a line and column, never a traceback.

The number of examples per property is fixed (their sum is at least 10 000 per run) and each
is kept cheap, so a run stays within about a minute; ``CCDOCS_FUZZ_SCALE=10`` runs ten times as
many, for a longer search before a release.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator.brand import default_brand
from generator.build import render_loaded
from generator.errors import Finding, ProfileError
from generator.evidence import load_evidence
from generator.profile import load_profile, parse_profile
from generator.standards import Catalog, load_catalog

SCALE = float(os.environ.get("CCDOCS_FUZZ_SCALE", "1"))
# Where the generated profiles pretend to live: a folder that does not exist, so every evidence
# file is missing or outside, and nothing is ever read.
PATH = Path("/nonexistent-ccdocs-fuzz/profile.yaml")
COUNTS = {"text": 6400, "mutated": 3000, "hostile": 600}

CATALOG: Catalog = load_catalog()
SEED: dict[str, Any] = load_profile(Path(__file__).parent / "data" / "fuzz-seed.yaml").data
SECTIONS = sorted(k for k in SEED if k != "organization")
# Texts a person wrote (as opposed to ids, dates and enumerated values): replaced by payloads.
HUMAN_TEXT = re.compile(r"[^\x00-\x7f]|\s")

PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="alert(1)">',
    "[x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "{{ 7*7 }}",
    "{% include '/etc/passwd' %}",
    "{{ ''.__class__.__mro__ }}",
    "*a* _b_ `c` ~~d~~ $e$ H~2~O 2^10^ @f",
    "# h\n- l\n1. o\n---\n===\n~~~\n:::\n!!! note\n{: .x}",
    '=HYPERLINK("http://x","y")',
    "| a | b |\n|---|---|",
    "\\",
    "&amp; &#60; &lt;",
    "【待补充：x】",
    "#5; #quot;",
    "\u202e\u200b\ufeff",
    "a\tb\rc\x0bd",
    "../../etc/passwd",
    "%s %d {0} {name}",
    "",
]

settings.register_profile(
    "fuzz",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)


def examples(kind: str) -> settings:
    return settings(settings.get_profile("fuzz"), max_examples=int(COUNTS[kind] * SCALE))


# -- strategies ----------------------------------------------------------------------------------

texts = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30),
)
scalars = st.one_of(
    texts,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.sampled_from(["2026-02-30", "2024-01-01", "99:99", "1e999", "-0"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def base_profiles(draw: st.DrawFn) -> dict[str, Any]:
    """A realistic profile: the seed's organization and some of its sections (references
    between sections may break, which is an error like any other)."""
    chosen = draw(st.sets(st.sampled_from(SECTIONS), max_size=4))
    return copy.deepcopy({k: v for k, v in SEED.items() if k == "organization" or k in chosen})


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside ``value`` (keys and indexes)."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths(child, (*prefix, index))


def human_texts(value: Any) -> list[tuple[Any, ...]]:
    """Paths to the strings a person wrote: names, descriptions, steps."""
    found = []
    for path in paths(value):
        text = _get(value, path)
        if isinstance(text, str) and HUMAN_TEXT.search(text):
            found.append(path)
    return found


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _mutate(data: Any, path: tuple[Any, ...], operation: str, new: Any) -> Any:
    if not path:
        return new if operation == "replace" else data
    parent, last = _get(data, path[:-1]), path[-1]
    if operation == "delete":
        del parent[last]
    elif operation == "duplicate" and isinstance(parent, list):
        parent.insert(last, copy.deepcopy(parent[last]))
    elif operation == "wrap":
        parent[last] = [parent[last]]
    else:
        parent[last] = new
    return data


@st.composite
def mutated_profiles(draw: st.DrawFn) -> Any:
    """A realistic profile with a few values deleted, duplicated, wrapped or replaced."""
    data: Any = draw(base_profiles())
    for _ in range(draw(st.integers(1, 4))):
        every = list(paths(data))
        path = every[draw(st.integers(0, len(every) - 1))]
        operation = draw(st.sampled_from(["delete", "duplicate", "wrap", "replace", "replace"]))
        data = _mutate(data, path, operation, draw(values))
    return data


HUMAN_PATHS = human_texts(SEED)


@st.composite
def hostile_profiles(draw: st.DrawFn) -> Any:
    """The whole seed with some of its written texts replaced by payloads: still valid."""
    data = copy.deepcopy(SEED)
    for path in draw(st.lists(st.sampled_from(HUMAN_PATHS), min_size=1, max_size=12)):
        _mutate(data, path, "replace", draw(texts))
    return data


def dumped(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


yaml_alphabet = st.sampled_from([*" \n\t:-?[]{},#&*!|>'\"%@`\\abc0123-.~=<", "\u00e9", "中"])


raw_texts = st.text(yaml_alphabet, max_size=200)


@st.composite
def edited_texts(draw: st.DrawFn) -> str:
    """YAML text of a mutated profile, then cut and spliced at random positions."""
    text = dumped(draw(mutated_profiles()))
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 20)))
        insert = draw(st.text(yaml_alphabet, max_size=10))
        text = text[:start] + insert + text[end:]
    return text


# -- the property -------------------------------------------------------------------------------


def assert_located(findings: list[Finding]) -> None:
    assert findings
    for finding in findings:
        location = finding.location
        assert location.file == PATH, finding
        assert location.line is not None and location.column is not None, finding.format()
        assert finding.message, finding


def pipeline(text: str, language: str | None = None) -> str:
    """Take ``text`` as far as it goes; the stage it stopped at (or "rendered")."""
    try:
        profile = parse_profile(text, PATH)
    except ProfileError as e:
        assert_located(e.findings)
        return "load"
    try:  # validates, resolves, renders, audits
        rendered = render_loaded(
            profile,
            load_evidence(profile),
            CATALOG,
            language=language,
            templates=(),
            brand=default_brand(),
        )
    except ProfileError as e:
        assert_located(e.findings)
        return "validate"
    documents = rendered.publication.documents
    assert documents and all(text.strip() for text in documents.values())
    assert not any("<script" in text for text in documents.values())
    return "rendered"


@examples("text")
@given(st.one_of(raw_texts, raw_texts, edited_texts()))  # two raw texts (cheap) to one edited
def test_any_text_gives_documents_or_located_errors(text: str) -> None:
    event(pipeline(text))


@examples("mutated")
@given(mutated_profiles(), st.sampled_from(["zh", "en", None]))
def test_mutated_profiles_give_documents_or_located_errors(data: Any, language: str) -> None:
    event(pipeline(dumped(data), language))


@examples("hostile")
@given(hostile_profiles(), st.sampled_from(["zh", "en"]))
def test_hostile_texts_render(data: Any, language: str) -> None:
    event(pipeline(dumped(data), language))


def test_the_budget_is_at_least_ten_thousand_profiles() -> None:
    assert sum(COUNTS.values()) >= 10_000


def test_the_seed_renders() -> None:
    """The strategies start from the seed; it must be valid and reach every stage."""
    assert pipeline(dumped(SEED)) == "rendered"
    assert len(HUMAN_PATHS) > 100


# -- schema-valid extremes ------------------------------------------------------------------------


def _field_path(path: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for step in path:
        if isinstance(step, int):
            parts[-1] += "[]"
        else:
            parts.append(str(step))
    return ".".join(parts)


def _bounds(path: tuple[Any, ...]) -> dict[str, Any] | None:
    """The schema node of a number or date in the seed, if the schema knows it."""
    from generator import fieldpath

    try:
        return dict(fieldpath.schema_at(CATALOG.profile_schema, _field_path(path)))
    except (KeyError, ValueError):
        return None


def _extremes(node: dict[str, Any]) -> list[Any]:
    """Values at and just inside the node's own bounds, and far from them where it has none."""
    if node.get("format") == "date":
        return ["0001-01-01", "9999-12-31", "2024-02-29", "9999-12-01"]
    whole = node.get("type") == "integer"
    found: list[Any] = [0, 1, 10**15 if whole else 1e15, 1e-300, 2**53]
    for key, step in (
        ("minimum", 0),
        ("maximum", 0),
        ("exclusiveMinimum", 1),
        ("exclusiveMaximum", -1),
    ):
        if key in node:
            bound = node[key]
            found += [bound + step] if whole else [bound + step * 1e-9, bound + step * 1e-12]
    return [v for v in found if not whole or isinstance(v, int)]


NUMBERS_AND_DATES = [
    (path, _extremes(node))
    for path in paths(SEED)
    if isinstance(_get(SEED, path), int | float | str)
    and not isinstance(_get(SEED, path), bool)
    and (node := _bounds(path)) is not None
    and (node.get("type") in ("integer", "number") or node.get("format") == "date")
]


@st.composite
def extreme_profiles(draw: st.DrawFn) -> Any:
    """The whole seed with some numbers and dates set to values at the schema's own bounds."""
    data = copy.deepcopy(SEED)
    for path, choices in draw(st.lists(st.sampled_from(NUMBERS_AND_DATES), min_size=1, max_size=8)):
        _mutate(data, path, "replace", draw(st.sampled_from(choices)))
    return data


@settings(settings.get_profile("fuzz"), max_examples=int(150 * SCALE), deadline=30_000)
@given(extreme_profiles())
def test_schema_valid_extremes_give_documents_or_located_errors_in_bounded_time(data: Any) -> None:
    event(pipeline(dumped(data)))


def test_the_extremes_reach_staffing_and_dates() -> None:
    fields = {_field_path(path) for path, _ in NUMBERS_AND_DATES}
    assert {"staffing.shrinkage", "staffing.max_occupancy", "assessment_date"} <= fields
