"""Incremental builds: what a build read, what it wrote, and whether it must run again.

A build records in ``build/<org-id>/.ccdocs-state.json`` a fingerprint of everything it read
(profile files, evidence, standards map, templates, site assets, brand, ccdocs and tool
versions) per format, and a key per output (the hash of exactly what that output is made from).
With the same fingerprint and every output still on disk, a rebuild does nothing at all; with a
different one, the Markdown is rendered again in memory and only outputs whose key changed are
converted and written.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from generator.brand import Brand, brand_files
from generator.bundled import bundled_dir
from generator.evidence import EvidenceFile, FileRefused, read_inside
from generator.profile import Profile

STATE_FILE = ".ccdocs-state.json"
STATE_SCHEMA = "ccdocs-build-state/1"
_TOOLS = ("jinja2", "pypandoc-binary", "python-docx", "typst", "mkdocs", "mkdocs-material")
_PACKAGE = Path(__file__).resolve().parent


@dataclass
class BuildState:
    """What the last build of one organization recorded."""

    inputs: dict[str, str] = field(default_factory=dict)  # format -> fingerprint of inputs
    outputs: dict[str, str] = field(default_factory=dict)  # output path -> key
    summary: dict[str, Any] = field(default_factory=dict)  # gaps, placeholders, audit summary

    @classmethod
    def read(cls, folder: Path) -> BuildState:
        try:
            raw = json.loads(read_inside(folder, PurePosixPath(STATE_FILE), _STATE_LIMIT))
        except (OSError, ValueError, FileRefused):
            return cls()  # unreadable or edited into nonsense: everything is rebuilt
        if not isinstance(raw, dict) or raw.get("schema") != STATE_SCHEMA:
            return cls()
        summary = raw.get("summary")
        return cls(
            _texts(raw.get("inputs")),
            _texts(raw.get("outputs")),
            summary if isinstance(summary, dict) else {},
        )

    def write(self, folder: Path) -> None:
        payload = {"schema": STATE_SCHEMA, **self.__dict__}
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True, indent=1, default=str)
        partial = folder / f"{STATE_FILE}.partial"
        partial.write_text(text, encoding="utf-8")
        partial.replace(folder / STATE_FILE)

    def up_to_date(self, folder: Path, formats: Iterable[str], fingerprint: str) -> bool:
        """True when every format was last built from ``fingerprint`` and its outputs exist."""
        for name in formats:
            if self.inputs.get(name) != fingerprint:
                return False
        built = self.outputs_of(formats)
        return bool(built) and all((folder / p).exists() for p in built)

    def outputs_of(self, formats: Iterable[str]) -> list[str]:
        """The recorded outputs of ``formats``."""
        folders = _folders(formats)
        return [p for p in self.outputs if p.split("/")[0] in folders]


_STATE_LIMIT = 16 * 1024 * 1024


def _texts(value: Any) -> dict[str, str]:
    """A mapping of texts from a state file that may have been edited: anything else is dropped."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def _folders(formats: Iterable[str]) -> set[str]:
    from generator.publish import PUBLISHERS

    return {PUBLISHERS[name][0] for name in formats}


def digest(*parts: object) -> str:
    """A hex sha256 of ``parts``: bytes as they are, anything else by its text."""
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def files_digest(paths: Iterable[Path]) -> str:
    """A hash of the names and contents of ``paths``."""
    h = hashlib.sha256()
    for path in sorted(set(paths)):
        h.update(str(path).encode("utf-8") + b"\0")
        try:
            h.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            h.update(b"-")
    return h.hexdigest()


def _tree(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def environment_digest(brand: Brand) -> str:
    """What every output depends on besides its own content: code, tools, site assets, brand."""
    return digest(_code_digest(), repr(brand), files_digest(brand_files(brand)))


@functools.cache
def _code_digest() -> str:
    """ccdocs' own code and site assets and the tools' versions: read once per process (a
    batch worker builds many clients with the same code)."""
    versions = []
    for tool in _TOOLS:
        try:
            versions.append(f"{tool}={metadata.version(tool)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{tool}=-")
    from generator.publish.office_pages import office_identity  # lays out the DOCX contents

    versions.append(f"office={office_identity()}")
    return digest(*versions, files_digest(_tree(_PACKAGE) + _tree(bundled_dir("site"))))


def input_fingerprint(
    profile: Profile,
    evidence: Mapping[str, EvidenceFile],
    map_files: Iterable[Path],
    templates: Iterable[Path],
    environment: str,
    options: Mapping[str, object],
) -> str:
    """A hash of everything a build of ``profile`` reads; ``templates`` are override folders."""
    sources = {f.resolve() for f in profile.sources}
    hashes = sorted(f"{k}={e.status}:{e.sha256}" for k, e in evidence.items())
    options_text = json.dumps(options, sort_keys=True, default=str)
    template_files = [p for folder in [bundled_dir("templates"), *templates] for p in _tree(folder)]
    inputs = (files_digest(sources), files_digest(map_files), files_digest(template_files))
    return digest(environment, *inputs, *hashes, options_text)


def map_files(folders: Iterable[Path]) -> list[Path]:
    """The files of the standards map and of the overlays laid over it."""
    return [p for folder in folders for p in _tree(folder)]
