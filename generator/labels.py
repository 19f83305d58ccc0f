"""Label catalogues: the boilerplate words of the documents, per language.

The shipped catalogue (``templates/labels/<language>.yaml``) is complete; a consultant's template
folder may give its own file with any of the labels, which take precedence. Label files may come
from a consultant, so they are read like profiles and confined to their folder. The languages
ccdocs speaks are those with a shipped catalogue: a language is added by adding its file.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from generator.bundled import bundled_dir
from generator.errors import TemplateError
from generator.texts import DEFAULT_LANGUAGE


def shipped_languages(folder: Path) -> tuple[str, ...]:
    """The languages with a catalogue in ``folder``: a profile's default language first, then
    the others in the order of their codes."""
    found = sorted(path.stem for path in folder.glob("*.yaml"))
    return tuple(sorted(found, key=lambda code: code != DEFAULT_LANGUAGE))


LANGUAGES = shipped_languages(bundled_dir("templates") / "labels")


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
        if os.path.lexists(path):
            if not inside(path, folder):
                raise TemplateError(f"{path}: leads out of its template folder {folder}")
            found.append((folder, path))
    if not found:
        raise TemplateError(f"no labels/{language}.yaml in {', '.join(map(str, dirs))}")
    return _merged_labels(tuple((f, p, p.stat().st_mtime_ns) for f, p in reversed(found)))


@functools.lru_cache(maxsize=16)
def _merged_labels(files: tuple[tuple[Path, Path, int], ...]) -> dict[str, Any]:
    """The label files ``files`` (folder, path, time stamp; the shipped one first) merged, later
    ones winning."""
    labels: dict[str, Any] = {}
    for folder, path, _ in files:
        labels = _merge_labels(labels, _read_labels(folder, path), path, "")
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


def _read_labels(folder: Path, path: Path) -> dict[str, Any]:
    """A label file, read once from inside its folder and parsed like a profile (it may be a
    consultant's): size and alias limits, no tags, no duplicate keys, located problems."""
    from generator.evidence import FileRefused, read_inside
    from generator.profile import MAX_BYTES, parse_profile

    try:
        raw = read_inside(folder, PurePosixPath(path.relative_to(folder).as_posix()), MAX_BYTES)
        text = raw.decode("utf-8")
    except FileRefused as e:
        raise TemplateError(str(e)) from e
    except UnicodeDecodeError as e:
        raise TemplateError(f"{path}: not UTF-8 text at byte {e.start}; save it as UTF-8") from e
    labels = parse_profile(text, path).data
    if not isinstance(labels, dict):
        raise TemplateError(f"{path}: a label file is a mapping of names to texts")
    return labels
