"""The intake commands' work: a profile to a workbook, a workbook to a profile."""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generator.errors import OutputError, ProfileError
from generator.intake.contents import choice_lists, languages_of, mandated_fields, unwritable
from generator.intake.intervals import Forecast, read_acd
from generator.intake.layout import build_layout
from generator.intake.read import check_intake, read_intake
from generator.intake.save import profile_text, updated_text, yaml_text
from generator.intake.write import Intake, write_intake
from generator.labels import LANGUAGES
from generator.messages import error, relocated, told
from generator.profile import Profile
from generator.standards import Catalog


def all_labels() -> dict[str, Mapping[str, Any]]:
    """The shipped label catalogues, by language."""
    from generator.labels import load_labels
    from generator.render import template_dirs

    return {lang: load_labels(lang, template_dirs()) for lang in LANGUAGES}


def export_workbook(
    profile: Profile,
    out: Path,
    catalog: Catalog,
    language: str | None,
    source: str,
    example: bool = False,
) -> int:
    """Write ``profile`` (layers resolved) as an intake workbook; the number of sheets.
    ProfileError, located in the profile, for values a cell cannot hold."""
    problems = unwritable(profile)
    if problems:
        raise ProfileError(problems)
    data = profile.data
    org = data.get("organization")
    written = org.get("language") if isinstance(org, Mapping) else None
    lang = language or str(written or "zh")
    layout = build_layout(catalog.profile_schema)
    intake = Intake(
        data=data,
        language=lang,
        source=source,
        example=example,
        mandated=mandated_fields(data, catalog),
        date=str(data.get("assessment_date") or "") or None,
    )
    labels = all_labels()[lang]
    languages = languages_of(data, LANGUAGES)
    try:
        write_intake(out, intake, layout, labels, languages, choice_lists(catalog, layout))
    except OSError as e:
        raise error(OutputError, "error.cannot-write", path=out, reason=e.strerror or e) from e
    return len(layout) + 1


def import_workbook(workbook: Path, out: Path, catalog: Catalog, language: str) -> bool:
    """Read ``workbook`` and write its profile to ``out``: a new file, or the changes into the
    profile ``out`` names. Whether ``out`` changed. ProfileError with every problem, located at
    the workbook's cells; nothing is written then."""
    from generator.profile import load_layered

    layout = build_layout(catalog.profile_schema)
    imported = read_intake(workbook, layout, all_labels(), language)
    hint = str(all_labels()[language]["intake"]["errors"].get("id_hint", ""))
    problems = check_intake(imported, workbook, catalog, hint, language)
    if problems:
        raise ProfileError(problems)
    if out.exists():
        old, base = load_layered(out)
        text = out.read_text(encoding="utf-8")
        new_text = updated_text(text, old.data, imported.data, base.data if base else None)
        if new_text == text:
            return False
    else:
        new_text = profile_text(imported.data, tuple(catalog.profile_schema["properties"]))
    _replace(out, new_text)
    return True


def _replace(path: Path, text: str) -> None:
    """Write ``text`` beside ``path`` and rename it into place: a failed write leaves the old
    profile whole."""
    temporary = path.with_name(f".{path.name}~intake")
    try:
        temporary.write_text(text, encoding="utf-8", newline="\n")
        os.replace(temporary, path)
    except OSError as e:
        temporary.unlink(missing_ok=True)
        raise error(OutputError, "error.cannot-write", path=path, reason=e.strerror or e) from e


def acd_forecast(report: Path, language: str) -> Forecast:
    """The staffing forecast in an ACD interval report, its headers read in every language."""
    labels = all_labels()
    phrases: dict[str, list[str]] = {}
    for words in labels.values():
        for role, spellings in words["intake"]["acd"]["headers"].items():
            phrases.setdefault(role, []).extend(spellings)
    return read_acd(report, phrases, labels[language]["intake"]["acd"])


def forecast_into(profile: Path, forecast: Forecast) -> bool:
    """Write ``forecast`` into the staffing of ``profile``, the rest of the file untouched;
    whether it changed."""
    from generator.profile import load_profile

    old = load_profile(profile).data
    new = copy.deepcopy(old)
    new.setdefault("staffing", {}).update(forecast.staffing())
    text = profile.read_text(encoding="utf-8")
    changed = updated_text(text, old, new)
    if changed == text:
        return False
    _replace(profile, changed)
    return True


def forecast_text(forecast: Forecast) -> str:
    """The forecast as a ``staffing:`` block to paste into a profile, the method as a comment."""
    return f"# {forecast.method}\n" + yaml_text({"staffing": forecast.staffing()})


def export_by_owner(
    profile: Profile, folder: Path, catalog: Catalog, language: str | None
) -> list[Path]:
    """A workbook per owner role in ``folder`` (``<role id>.xlsx``): the items it owns."""
    from generator.intake.merge import owners, split_by_owner

    problems = unwritable(profile)
    if problems:
        raise ProfileError(problems)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise error(OutputError, "error.cannot-make", path=folder, reason=e.strerror or e) from e
    written = []
    for owner in owners(profile.data):
        part = Profile(profile.path, split_by_owner(profile.data, owner))
        out = folder / f"{owner}.xlsx"
        export_workbook(part, out, catalog, language, f"{profile.path.name} ({owner})")
        written.append(out)
    return written


def import_parts(workbooks: list[Path], out: Path, catalog: Catalog, language: str) -> bool:
    """Lay several workbooks (``export --split-by``) over the profile ``out``, merged by id;
    whether it changed. ProfileError with every problem: what a cell cannot hold, a value two
    workbooks give differently (both cells named), the validator's errors at their cells."""
    from generator.errors import Location
    from generator.intake.merge import merge_imports
    from generator.layers import Layer, merge_layers
    from generator.profile import load_layered
    from generator.validate import validate_profile

    layout = build_layout(catalog.profile_schema)
    parts = [read_intake(path, layout, all_labels(), language) for path in workbooks]
    merged, cells, problems = merge_imports(parts)
    problems = [f for part in parts for f in part.problems] + problems
    base, inherited = load_layered(out)
    at = {p: Location(Path(cell), pointer=p) for p, (cell, _) in cells.items()}
    layered = merge_layers(
        Layer(copy.deepcopy(base.data), base.values, base.keys), Layer(merged, at, {})
    )
    words = {cell: name for cell, name in cells.values()}
    profile = Profile(out, layered.data, layered.values, layered.keys)
    for finding in validate_profile(profile, catalog).errors:
        where = finding.location
        if str(where.file) in words:
            where = Location(where.file, pointer=words[str(where.file)])
        said = told(finding, language)
        problems.append(relocated(said, where, said.hint))
    if problems:
        raise ProfileError(problems)
    text = out.read_text(encoding="utf-8")
    changed = updated_text(text, base.data, layered.data, inherited.data if inherited else None)
    if changed == text:
        return False
    _replace(out, changed)
    return True


def messages_language(workbooks: list[Path], language: str | None) -> str:
    """The language of the messages: the one asked for, else the first workbook's, else zh."""
    from generator.intake.read import workbook_language

    return language or workbook_language(workbooks[0], all_labels()) or "zh"
