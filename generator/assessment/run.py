"""An assessment read for a profile: the assessor's workbook (and the previous one) against the
profile's self-assessment and years of operation, ready to write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.assessment.report import assessment_report
from generator.assessment.workbook import read_assessment
from generator.audit.maturity import operation_of, self_scores
from generator.labels import load_labels
from generator.profile import load_profile
from generator.render import template_dirs
from generator.standards import Catalog


def folder_assessment(
    folder: Path,
    workbook: Path,
    previous: Path | None,
    catalog: Catalog,
    language: str,
) -> dict[str, Any]:
    """The assessment report's data for a folder of documents: no self-assessment and no years
    of operation are known; evidence the workbook names is looked for in the folder."""
    labels = load_labels(language, template_dirs())
    current = read_assessment(workbook, catalog, labels, folder)
    before = read_assessment(previous, catalog, labels, folder) if previous else None
    return assessment_report(current, catalog, {}, None, before)


def profile_assessment(
    profile: Path,
    workbook: Path,
    previous: Path | None,
    catalog: Catalog,
    language: str | None,
) -> tuple[dict[str, Any], str]:
    """The assessment report's data and its language (``language``, else the profile's).
    Evidence the workbook names is looked for beside the profile; ProfileError with every
    problem of either workbook located."""
    loaded = load_profile(profile)
    lang = language or str(loaded.data.get("language") or "zh")
    labels = load_labels(lang, template_dirs())
    root = profile.resolve().parent
    current = read_assessment(workbook, catalog, labels, root)
    before = read_assessment(previous, catalog, labels, root) if previous else None
    scores = self_scores(loaded.data)
    return assessment_report(current, catalog, scores, operation_of(loaded.data), before), lang
