"""Load stage for evidence: the files a profile's records point at, checked and hashed.

Evidence paths are relative to the profile's folder and must stay inside it: no absolute paths,
no "..", no symbolic links that lead out. A path that escapes is an error in the profile; a file
that is simply not there is a gap, reported by the audit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from generator import fieldpath
from generator.profile import Profile

EvidenceStatus = Literal["ok", "missing", "outside"]


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """One evidence file as written in the profile, and what was found on disk."""

    written: str  # the path as written in the profile
    pointer: str  # where in the profile it was written
    status: EvidenceStatus
    path: Path | None = None  # resolved, when inside the profile's folder
    size: int = 0
    sha256: str = ""


def load_evidence(profile: Profile) -> dict[str, EvidenceFile]:
    """Every ``records[].file`` of ``profile``, keyed by the path as written."""
    found: dict[str, EvidenceFile] = {}
    for pointer, written in fieldpath.values(profile.data, "records[].file"):
        if isinstance(written, str) and written not in found:
            # Relative to the file that names it: a base profile's records keep their folder.
            root = profile.locate(pointer).file.resolve().parent
            found[written] = _inspect(root, written, pointer)
    return found


def _inspect(root: Path, written: str, pointer: str) -> EvidenceFile:
    relative = PurePosixPath(written.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        return EvidenceFile(written, pointer, "outside")
    path = (root / relative).resolve()
    if not path.is_relative_to(root):  # a symbolic link that leads out of the folder
        return EvidenceFile(written, pointer, "outside")
    if not path.is_file():
        return EvidenceFile(written, pointer, "missing", path)
    data = path.read_bytes()
    return EvidenceFile(written, pointer, "ok", path, len(data), hashlib.sha256(data).hexdigest())


def evidence_status(evidence: Mapping[str, EvidenceFile], written: object) -> EvidenceStatus:
    """The status of the evidence file ``written`` (missing when not listed)."""
    info = evidence.get(written) if isinstance(written, str) else None
    return info.status if info else "missing"
