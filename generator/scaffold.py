"""``ccdocs init``: a new client's profile folder, started from a bundled preset.

The folder holds the preset's profile (its evidence paths pointing into the folder's own
evidence/), the JSON Schema the YAML language server checks it against, an empty evidence/
folder and a short guide for the center manager.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from generator.bundled import bundled_dir
from generator.errors import CcdocsError
from generator.labels import load_labels
from generator.mandate_schema import mandate_schema
from generator.mandates import profile_targets
from generator.messages import error
from generator.profile import Profile, read_profile
from generator.render import make_environment, render_template, template_dirs
from generator.standards import Catalog
from generator.texts import DEFAULT_LANGUAGE

PROFILE_FILE = "profile.yaml"
SCHEMA_FILE = "profile.schema.json"
GUIDE_TEMPLATE = "init/guide.md.jinja"
_SCHEMA_COMMENT = re.compile(r"^# yaml-language-server: \$schema=\S+", re.M)


def presets() -> list[str]:
    """The bundled profiles a new folder can start from."""
    return sorted(p.stem for p in bundled_dir("org_profiles").glob("*.yaml"))


def init_folder(folder: Path, preset: str, language: str | None, catalog: Catalog) -> list[Path]:
    """Write a new profile folder from ``preset``; CcdocsError if ``folder`` is not empty."""
    if preset not in presets():
        raise error(CcdocsError, "error.no-preset", preset=preset, presets=tuple(presets()))
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise error(CcdocsError, "error.folder-not-empty", path=folder)
    source = bundled_dir("org_profiles") / f"{preset}.yaml"
    profile = read_profile(source)
    text = source.read_text(encoding="utf-8")
    text = _SCHEMA_COMMENT.sub(f"# yaml-language-server: $schema={SCHEMA_FILE}", text, count=1)
    text = text.replace(f"evidence/{preset}/", "evidence/")
    if language:
        text = _set_language(text, profile, language)
    org = profile.data.get("organization", {})
    lang = language or org.get("language", DEFAULT_LANGUAGE)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "evidence").mkdir()
    keep = folder / "evidence" / ".gitkeep"
    keep.write_text("", encoding="utf-8")
    written = [folder / PROFILE_FILE, folder / SCHEMA_FILE, folder / "README.md", keep]
    written[0].write_text(text, encoding="utf-8", newline="\n")
    schema = mandate_schema(catalog, profile_targets(profile.data, catalog))
    written[1].write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", "utf-8")
    dirs = template_dirs()
    labels = load_labels(lang, dirs)
    environment = make_environment(dirs, labels)
    evidence = sorted({r.get("file") for r in profile.data.get("records", []) if r.get("file")})
    written[2].write_text(
        render_template(
            environment,
            GUIDE_TEMPLATE,
            {
                "preset": preset,
                "profile": PROFILE_FILE,
                "schema": SCHEMA_FILE,
                "evidence": [e.replace(f"evidence/{preset}/", "evidence/") for e in evidence],
            },
        ),
        encoding="utf-8",
        newline="\n",
    )
    return written


def _set_language(text: str, profile: Profile, language: str) -> str:
    """``text`` with ``organization.language`` set to ``language`` (added when missing)."""
    lines = text.splitlines(keepends=True)
    if "language" in profile.data.get("organization", {}):
        row = (profile.locate("/organization/language").line or 1) - 1
        lines[row] = re.sub(r"(language:\s*)\S+", rf"\g<1>{language}", lines[row], count=1)
    else:
        row = profile.locate("/organization", key=True).line or 1
        lines.insert(row, f"  language: {language}\n")
    return "".join(lines)
