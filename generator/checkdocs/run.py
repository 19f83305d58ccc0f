"""``ccdocs check-docs``: read every document under a folder and judge it against the catalogue."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from generator.checkdocs.extract import document_files, extract_all
from generator.checkdocs.find import Document, language_of
from generator.checkdocs.verdicts import check_documents
from generator.labels import LANGUAGES  # a folder may hold documents in any: all are tried
from generator.mandates import Target
from generator.publish.pool import cores
from generator.standards import Catalog


def output_id(folder: Path) -> str:
    """The output folder's name for a checked folder: its name, in characters safe anywhere."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", folder.resolve().name).strip("-.")
    return name or "documents"


def check_folder(
    folder: Path,
    catalog: Catalog,
    targets: Sequence[Target],
    as_of: dt.date,
    pinned: dict[str, list[str]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """The gap report and document register of the documents under ``folder``.

    ``pinned`` maps a file (relative to ``folder``) to the catalogue entries the auditor says it
    is, whatever its words (``--map``).
    """
    paths = document_files(folder)
    extracted = extract_all(paths, workers=cores(), progress=progress)
    language = language_of(catalog.recognition, LANGUAGES)
    documents = [Document(e, e.path.relative_to(folder).as_posix(), language) for e in extracted]
    report = check_documents(documents, catalog, targets, as_of, LANGUAGES, pinned or {})
    report["folder"] = folder.name
    return report
