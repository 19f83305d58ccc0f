"""Markdown: the rendered documents as they are, one file per document."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def publish_markdown(documents: Mapping[str, str], folder: Path) -> list[Path]:
    """Write ``<document id>.md`` files into ``folder``; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for doc_id, text in sorted(documents.items()):
        path = folder / f"{doc_id}.md"
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written
