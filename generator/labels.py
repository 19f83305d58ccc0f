"""Label catalogues: the boilerplate words of the documents, per language.

The shipped catalogue (``templates/labels/<language>.yaml``) is complete; a consultant's template
folder may give its own file with any of the labels, which take precedence. Label files may come
from a consultant, so they are read like profiles and confined to their folder.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from generator.errors import TemplateError

LANGUAGES = ("zh", "en")


def load_labels(language: str, dirs: Sequence[Path]) -> dict[str, Any]:
    """The label catalogue of ``language``: the shipped one, with each label a template folder
    gives in its own ``labels/<language>.yaml`` taking precedence (the first folder wins).

    A consultant's label file written for an earlier release lacks the labels added since:
    those come from the shipped catalogue. A label given with the wrong shape (a text where the
    shipped catalogue has a group of labels, or the other way round) is a TemplateError.
    """
    if language not in LANGUAGES:
        raise TemplateError(f"no labels for language {language!r}; use one of {LANGUAGES}")
    found = []
    for folder in dirs:
        path = folder / "labels" / f"{language}.yaml"
        if path.is_file():
            if not inside(path, folder):
                raise TemplateError(f"{path}: leads out of its template folder {folder}")
            found.append(path)
    if not found:
        raise TemplateError(f"no labels/{language}.yaml in {', '.join(map(str, dirs))}")
    return _merged_labels(tuple((p, p.stat().st_mtime_ns) for p in reversed(found)))


@functools.lru_cache(maxsize=16)
def _merged_labels(files: tuple[tuple[Path, int], ...]) -> dict[str, Any]:
    """The label files ``files`` (the shipped one first) merged, later ones winning."""
    labels: dict[str, Any] = {}
    for path, mtime in files:
        labels = _merge_labels(labels, _read_labels(path, mtime), path, "")
    return labels


def _merge_labels(base: dict[str, Any], over: Mapping[str, Any], path: Path, where: str) -> Any:
    merged = dict(base)
    for key, value in over.items():
        old = base.get(key)
        if isinstance(old, dict) and isinstance(value, Mapping):
            merged[key] = _merge_labels(old, value, path, f"{where}{key}.")
        elif old is not None and isinstance(old, dict) != isinstance(value, Mapping):
            shape = "a group of labels" if isinstance(old, dict) else "a text"
            raise TemplateError(f"{path}: label '{where}{key}' must be {shape}, as shipped")
        else:
            merged[key] = value
    return merged


def inside(path: Path | str, folder: Path | str) -> bool:
    """True when ``path``, symbolic links resolved, lies inside ``folder`` (resolved too)."""
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


@functools.lru_cache(maxsize=16)
def _read_labels(path: Path, _mtime: int) -> dict[str, Any]:
    """A label file, parsed once per process (and again when it changes).

    Read like a profile (it may be a consultant's): size and alias limits, no tags, no duplicate
    keys; problems are reported with their line and column.
    """
    from generator.profile import read_profile

    labels = read_profile(path).data
    if not isinstance(labels, dict):
        raise TemplateError(f"{path}: a label file is a mapping of names to texts")
    return labels
