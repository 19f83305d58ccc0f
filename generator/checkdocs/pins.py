"""The auditor's map (``check-docs --map FILE.yaml``): files pinned to catalogue entries when their
words leave the classification ambiguous or wrong.

    files:
      scans/2025演练.docx: emergency-test-record
      手册/运营手册（2024版）.pdf: [operations-manual, process-catalogue]

Every problem is reported at once, located as ``FILE.yaml:line:col``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.errors import Finding, Location, ProfileError
from generator.standards import Catalog


def read_pins(path: Path, catalog: Catalog) -> dict[str, list[str]]:
    """file (relative to the checked folder, "/" separated) -> catalogue entry ids."""
    known = set(catalog.documents) | set(catalog.generated)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ProfileError([_finding(path, None, f"cannot read the map: {e}", "")]) from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise ProfileError([_finding(path, mark, f"not YAML: {e}", "")]) from e
    files = _files_node(root)
    if files is None:
        where = root.start_mark if root is not None else None
        hint = "write files: {name.docx: entry-id}"
        raise ProfileError([_finding(path, where, "the map needs a 'files' mapping", hint)])
    pins: dict[str, list[str]] = {}
    problems = []
    for key, value in files.value:
        name = str(key.value).strip().replace("\\", "/")
        ids = [value] if isinstance(value, yaml.ScalarNode) else list(getattr(value, "value", []))
        entries = []
        for node in ids:
            entry = str(getattr(node, "value", ""))
            if not isinstance(node, yaml.ScalarNode) or entry not in known:
                hint = "use an id of standards_map/documents.yaml (documents or generated)"
                message = f"unknown entry {entry!r}"
                problems.append(_finding(path, node.start_mark, message, hint, f"/files/{name}"))
            else:
                entries.append(entry)
        if name in pins:
            message = f"{name} is pinned twice"
            problems.append(_finding(path, key.start_mark, message, "", f"/files/{name}"))
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


def _finding(path: Path, mark: object, message: str, hint: str, pointer: str = "") -> Finding:
    line, column = getattr(mark, "line", None), getattr(mark, "column", None)
    at = Location(
        path, None if line is None else line + 1, None if column is None else column + 1, pointer
    )
    return Finding(at, message, "error", hint)
