"""The auditor's map (``check-docs --map FILE.yaml``): files pinned to catalogue entries when their
words leave the classification ambiguous or wrong.

    files:
      scans/2025演练.docx: emergency-test-record
      手册/运营手册（2024版）.pdf: [operations-manual, process-catalogue]

Every problem is reported at once, located as ``FILE.yaml:line:col``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from generator.errors import Finding, Location, ProfileError
from generator.messages import finding
from generator.standards import Catalog


def read_pins(path: Path, catalog: Catalog) -> dict[str, list[str]]:
    """file (relative to the checked folder, "/" separated) -> catalogue entry ids."""
    known = set(catalog.documents) | set(catalog.generated)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ProfileError([_finding(path, None, "pins.unreadable", reason=e)]) from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise ProfileError([_finding(path, mark, "pins.not-yaml", problem=e)]) from e
    files = _files_node(root)
    if files is None:
        where = root.start_mark if root is not None else None
        raise ProfileError([_finding(path, where, "pins.no-files")])
    pins: dict[str, list[str]] = {}
    problems = []
    for key, value in files.value:
        name = str(key.value).strip().replace("\\", "/")
        ids = [value] if isinstance(value, yaml.ScalarNode) else list(getattr(value, "value", []))
        entries = []
        for node in ids:
            entry = str(getattr(node, "value", ""))
            if not isinstance(node, yaml.ScalarNode) or entry not in known:
                at = f"/files/{name}"
                problems.append(_finding(path, node.start_mark, "pins.unknown", at, entry=entry))
            else:
                entries.append(entry)
        if name in pins:
            at = f"/files/{name}"
            problems.append(_finding(path, key.start_mark, "pins.twice", at, name=name))
        pins[name] = entries
    if problems:
        raise ProfileError(problems)
    return pins


def _files_node(root: yaml.Node | None) -> yaml.MappingNode | None:
    if not isinstance(root, yaml.MappingNode):
        return None
    for key, value in root.value:
        if key.value == "files" and isinstance(value, yaml.MappingNode):
            return value
    return None


def _finding(path: Path, mark: object, code: str, pointer: str = "", **args: Any) -> Finding:
    line, column = getattr(mark, "line", None), getattr(mark, "column", None)
    at = Location(
        path, None if line is None else line + 1, None if column is None else column + 1, pointer
    )
    return finding(at, code, **args)
