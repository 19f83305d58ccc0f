"""Cross-reference and consistency rules of a profile, read from ``x-*`` keys of its schema.

References (a role that reports to a role that exists), unique ids, dates that must not run
backwards and weights that must add up: everything JSON Schema cannot say by itself.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from typing import Any

from generator import fieldpath
from generator.errors import Finding
from generator.layers import repeated_ids
from generator.messages import Term, Words, finding, words
from generator.profile import Profile
from generator.standards import Catalog


def did_you_mean(word: str, options: Collection[str]) -> str:
    """The closest of ``options`` to ``word``, or an empty string when none is close."""
    return suggester(options)(word)


def suggestion(word: str, options: Collection[str]) -> Words | str:
    """The words `` (did you mean 'x'?)`` when a close match exists, else an empty string."""
    return _suggested(did_you_mean(word, options))


def _suggested(close: str) -> Words | str:
    return words("suggestion", word=close) if close else ""


# Beyond this many options a lookup compares the word with its neighbours only; beyond this
# many lookups in one set of options, no more suggestions are looked for.
_FEW = 64
_NEIGHBOURS = 6
_LOOKUPS = 100


def suggester(options: Collection[str]) -> Callable[[str], str]:
    """``did_you_mean`` for many lookups among the same options, with bounded work per lookup.

    Many options are sorted once forwards and once by their reversed text; a word is compared
    only with its neighbours in both orders (a typo near its end keeps the start, one near its
    start keeps the end). After ``_LOOKUPS`` lookups it suggests nothing more: thousands of broken
    references among thousands of ids stay cheap.
    """
    orders: list[list[str]] = []  # sorted forwards and backwards on the first lookup
    lookups = itertools.count()

    def suggest(word: str) -> str:
        if next(lookups) >= _LOOKUPS:
            return ""
        if not orders:
            orders.append(sorted(options))
            orders.append(sorted(o[::-1] for o in orders[0]) if len(orders[0]) > _FEW else [])
        ordered, backwards = orders
        if len(ordered) <= _FEW:
            return _closest(word, ordered)
        near = _near(ordered, word) + [o[::-1] for o in _near(backwards, word[::-1])]
        return _closest(word, sorted(set(near)))

    return suggest


def _near(ordered: list[str], word: str) -> list[str]:
    at = bisect.bisect_left(ordered, word)
    return ordered[max(0, at - _NEIGHBOURS) : at + _NEIGHBOURS]


def _closest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else ""


def _record_documents(catalog: Catalog) -> set[str]:
    return {d.id for d in catalog.documents.values() if d.kind == "record"}


def _scored_requirements(catalog: Catalog) -> set[str]:
    return {r.uid for s in catalog.standards.values() if s.scoring for r in s.requirements}


CATALOG_COLLECTIONS: dict[str, Callable[[Catalog], set[str]]] = {
    "skills": Catalog.skill_codes,
    "courses": Catalog.course_ids,
    "requirements": lambda c: set(c.requirements),
    "standards": lambda c: set(c.standards),
    "generated": lambda c: set(c.generated),
    "record-documents": _record_documents,
    "scored-requirements": _scored_requirements,
}


def reference_errors(profile: Profile, catalog: Catalog) -> list[Finding]:
    """Every broken reference, duplicate id, backwards date and wrong total in ``profile``."""
    rules = catalog.profile_schema
    findings = _duplicate_ids(profile)
    known: dict[str, set[str]] = {}  # each target collection once: many rules share one
    for rule in rules.get("x-references", []):
        if rule["to"] not in known:
            known[rule["to"]] = _targets(profile, catalog, rule["to"])
        findings += _broken_references(profile, rule, known[rule["to"]])
    for rule in rules.get("x-order", []):
        findings += _order_errors(profile, rule["first"], rule["then"])
    for path in rules.get("x-increasing", []):
        findings += _increasing_errors(profile, path)
    for rule in rules.get("x-sums", []):
        findings += _sum_errors(profile, rule["path"], rule["total"])
    findings += _target_errors(profile, catalog)
    findings += _score_errors(profile, catalog)
    return findings


def _error(profile: Profile, pointer: str, code: str, **args: Any) -> Finding:
    return finding(profile.locate(pointer), code, **args)


def _duplicate_ids(profile: Profile) -> list[Finding]:
    repeated = repeated_ids(profile.data)
    return [_error(profile, where, "ref.duplicate-id", id=item_id) for where, item_id in repeated]


def _targets(profile: Profile, catalog: Catalog, target: str) -> set[str]:
    if target.startswith("catalog:"):
        return CATALOG_COLLECTIONS[target.removeprefix("catalog:")](catalog)
    return {str(v) for _, v in fieldpath.values(profile.data, target) if isinstance(v, str)}


def _broken_references(profile: Profile, rule: Mapping[str, Any], known: set[str]) -> list[Finding]:
    if rule.get("if_defined") and not known:
        return []
    suggest = suggester(known)
    what = Term("nouns", rule["what"])
    target = str(rule["to"])
    code = "ref.unknown-catalog" if target.startswith("catalog:") else "ref.unknown"
    listed = target.removesuffix("[].id")
    findings = []
    omitted = profile.omitted.get(listed, {})
    for pointer, value in fieldpath.values(profile.data, rule["from"]):
        if not isinstance(value, str):
            continue  # a type error, reported by the schema
        if value in omitted and value not in known:
            at = str(omitted[value])
            findings.append(_error(profile, pointer, "ref.omitted", value=value, what=what, at=at))
        elif value not in known:
            near = _suggested(suggest(value))
            args = {"value": value, "what": what, "suggestion": near, "list": listed}
            findings.append(_error(profile, pointer, code, **args))
    if rule.get("acyclic") and not findings:
        findings += _cycles(profile, rule)
    return findings


def _cycles(profile: Profile, rule: Mapping[str, Any]) -> list[Finding]:
    """Report a reference chain that loops (a role reporting to itself, two roles to each other)."""
    id_path = rule["to"]
    ids = fieldpath.values(profile.data, id_path)
    links = fieldpath.values(profile.data, rule["from"])
    parent_of: dict[str, str] = {}
    pointer_of: dict[str, str] = {}
    for (_, item_id), (link_pointer, parent) in _pair_by_item(ids, links):
        parent_of[item_id] = parent
        pointer_of[item_id] = link_pointer
    findings = []
    for loop in _loops(parent_of):
        chain = " -> ".join([*loop, loop[0]])
        findings.append(_error(profile, pointer_of[loop[0]], "ref.loop", loop=chain))
    return findings


def _loops(parent_of: Mapping[str, str]) -> list[list[str]]:
    """Every loop of a graph where each item has at most one parent, each loop starting at its
    first member in document order. Linear: every item is walked once."""
    order = {item: i for i, item in enumerate(parent_of)}
    done: set[str] = set()
    loops = []
    for start in parent_of:
        path: dict[str, int] = {}  # the items of this walk, in walking order
        node: str | None = start
        while node is not None and node in parent_of and node not in done and node not in path:
            path[node] = len(path)
            node = parent_of[node]
        if node is not None and node in path:
            loop = list(path)[path[node] :]
            first = min(range(len(loop)), key=lambda i: order[loop[i]])
            loops.append(loop[first:] + loop[:first])
        done.update(path)
    return sorted(loops, key=lambda loop: order[loop[0]])


def _pair_by_item(
    ids: list[tuple[str, Any]], links: list[tuple[str, Any]]
) -> list[tuple[tuple[str, Any], tuple[str, Any]]]:
    by_item = {p.rsplit("/", 1)[0]: (p, v) for p, v in ids}
    pairs = []
    for pointer, value in links:
        item = pointer.rsplit("/", 1)[0]
        if item in by_item and isinstance(value, str):
            pairs.append((by_item[item], (pointer, value)))
    return pairs


def _order_errors(profile: Profile, first: str, then: str) -> list[Finding]:
    starts = dict(fieldpath.values(profile.data, first))
    ends = fieldpath.values(profile.data, then)
    findings = []
    for pointer, end in ends:
        start_pointer = pointer.rsplit("/", 1)[0] + "/" + first.rsplit(".", 1)[-1]
        start = starts.get(start_pointer)
        if isinstance(start, str) and isinstance(end, str) and end < start:
            findings.append(_error(profile, pointer, "ref.order", end=end, start=start))
    return findings


def _increasing_errors(profile: Profile, path: str) -> list[Finding]:
    groups: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for pointer, value in fieldpath.values(profile.data, path):
        groups[pointer.rsplit("/", 2)[0]].append((pointer, value))
    findings = []
    for items in groups.values():
        for (_, before), (pointer, value) in itertools.pairwise(items):
            if isinstance(before, str) and isinstance(value, str) and value <= before:
                args = {"value": value, "before": before}
                findings.append(_error(profile, pointer, "ref.increasing", **args))
    return findings


def _sum_errors(profile: Profile, path: str, total: float) -> list[Finding]:
    groups: dict[str, list[float]] = defaultdict(list)
    for pointer, value in fieldpath.values(profile.data, path):
        if isinstance(value, int | float) and not isinstance(value, bool):
            groups[pointer.rsplit("/", 2)[0]].append(value)
    findings = []
    for list_pointer, weights in groups.items():
        if abs(sum(weights) - total) > 1e-9:
            args = {"sum": f"{sum(weights):g}", "total": f"{total:g}"}
            findings.append(_error(profile, list_pointer, "ref.sum", **args))
    return findings


def _target_errors(profile: Profile, catalog: Catalog) -> list[Finding]:
    findings = []
    for pointer, target in fieldpath.values(profile.data, "targets[]"):
        if not isinstance(target, Mapping):
            continue
        standard = catalog.standards.get(str(target.get("standard")))
        level = target.get("level")
        if standard is None or level is None:
            continue
        levels = sorted(int(lv["level"]) for lv in standard.levels)
        if not isinstance(level, int) or not 1 <= level <= 5:
            continue  # out of the schema's range: reported there
        if level not in levels:
            code = "ref.level" if levels else "ref.level-none"
            args = {"standard": standard.short, "level": level, "levels": tuple(levels)}
            findings.append(_error(profile, f"{pointer}/level", code, **args))
    return findings


def _score_errors(profile: Profile, catalog: Catalog) -> list[Finding]:
    findings = []
    requirements = catalog.requirements
    for pointer, item in fieldpath.values(profile.data, "self_assessment[]"):
        if not isinstance(item, Mapping) or not isinstance(item.get("requirement"), str):
            continue  # the wrong type: reported by the schema
        if item["requirement"] not in requirements:
            continue
        standard = catalog.standards[requirements[item["requirement"]].standard]
        allowed = standard.scoring.get("scores", [])
        for dim in ("c", "f"):
            score = item.get(dim)
            if isinstance(score, int) and score not in allowed:
                args = {"score": score, "standard": standard.short, "scores": tuple(allowed)}
                findings.append(_error(profile, f"{pointer}/{dim}", "ref.score", **args))
    return findings + _scored_twice(profile)


def _line_of(profile: Profile, pointer: str, here: object) -> Words | str:
    loc = profile.locate(pointer)
    return words("line", line=loc.line) if loc.file == here else f"{loc.file}:{loc.line}"


def _scored_twice(profile: Profile) -> list[Finding]:
    """An item scored by two entries of the self-assessment: an error at each of them."""
    entries: dict[str, list[str]] = defaultdict(list)
    for pointer, item in fieldpath.values(profile.data, "self_assessment[]"):
        if isinstance(item, Mapping) and isinstance(item.get("requirement"), str):
            entries[item["requirement"]].append(f"{pointer}/requirement")
    findings = []
    for uid, pointers in entries.items():
        for pointer in pointers if len(pointers) > 1 else ():
            here = profile.locate(pointer).file
            others = tuple(_line_of(profile, p, here) for p in pointers if p != pointer)
            findings.append(_error(profile, pointer, "ref.scored-twice", item=uid, others=others))
    return findings
