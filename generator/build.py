"""The one orchestrator: load → validate → resolve → render → publish, then swap into place.

Every output is written into a staging folder beside the target; only when all of it has been
written is each output folder swapped into ``build/<org-id>/``, so a failed build leaves the
previous output untouched.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ProfileError
from generator.mandates import Gap
from generator.profile import load_profile
from generator.publish.markdown import publish_markdown
from generator.render import load_labels, render_documents, template_dirs
from generator.resolve import resolve_model
from generator.standards import Catalog, load_catalog
from generator.validate import validate_profile

FORMATS = ("md",)


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: where, which files, the gaps and the placeholders per document."""

    org_id: str
    output: Path
    files: tuple[Path, ...]
    gaps: tuple[Gap, ...]
    placeholders: dict[str, int]


def build_profile(
    profile_path: Path,
    out_dir: Path,
    *,
    language: str | None = None,
    formats: Sequence[str] = FORMATS,
    catalog: Catalog | None = None,
    templates: Sequence[Path] = (),
) -> BuildResult:
    """Build every requested format of ``profile_path`` into ``out_dir/<org-id>/``.

    ``templates`` are folders whose files override the shipped templates by relative path.
    Raises ProfileError (nothing written) when the profile has errors.
    """
    catalog = catalog or load_catalog()
    profile = load_profile(profile_path)
    validation = validate_profile(profile, catalog)
    if validation.errors:
        raise ProfileError(list(validation.errors))
    model = resolve_model(profile, catalog, validation.gaps)
    language = language or model.language
    documents = render_documents(model, language, templates)
    target = out_dir / model.org_id
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{model.org_id}-", dir=out_dir) as staging:
        stage = Path(staging)
        files = publish_markdown(documents, stage / "manual") if "md" in formats else []
        _swap_into_place(stage, target)
    final = tuple(target / f.relative_to(stage) for f in files)
    pattern = placeholder_pattern(load_labels(language, template_dirs(templates))["placeholder"])
    counts = {doc: len(pattern.findall(text)) for doc, text in sorted(documents.items())}
    return BuildResult(model.org_id, target, final, validation.gaps, counts)


def placeholder_pattern(template: str) -> re.Pattern[str]:
    """A regex matching the placeholders the label ``template`` produces."""
    prefix = template.split("{field}")[0]
    suffix = template.split("{requirements}")[-1]
    return re.compile(re.escape(prefix) + ".+?" + re.escape(suffix))


def _swap_into_place(stage: Path, target: Path) -> None:
    """Replace each output folder of ``target`` by its staged version, one rename each."""
    target.mkdir(parents=True, exist_ok=True)
    for staged in sorted(p for p in stage.iterdir() if p.is_dir()):
        final = target / staged.name
        retired = target / f".{staged.name}.old"
        if retired.exists():
            shutil.rmtree(retired)
        if final.exists():
            final.rename(retired)
        staged.rename(final)
        if retired.exists():
            shutil.rmtree(retired)
