"""Load stage for evidence: the files a profile's records point at, checked and hashed.

Evidence paths are relative to the profile's folder and must stay inside it: no absolute paths,
no "..", no symbolic links that lead out. Only regular files count: a folder, device, pipe or
socket is refused (reading /dev/zero or a pipe would never end). A path that escapes, names such
a file or cannot be read is an error in the profile; a file that is simply not there is a gap,
reported by the audit.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from generator import fieldpath
from generator.profile import Profile

EvidenceStatus = Literal["ok", "missing", "outside", "special", "unreadable"]
# Each status that is an error in the profile, with its message and hint.
EVIDENCE_ERRORS = {
    "outside": ("leaves the profile's folder", "use a path inside the folder, without '..'"),
    "special": (
        "is not a regular file (a folder, device, pipe or socket)",
        "point at the evidence file itself",
    ),
    "unreadable": ("cannot be read", "check the file name and its permissions"),
}


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
    if "\0" in written:
        return EvidenceFile(written, pointer, "unreadable")
    try:
        path = (root / relative).resolve()
        if not path.is_relative_to(root):  # a symbolic link that leads out of the folder
            return EvidenceFile(written, pointer, "outside")
        mode = path.stat().st_mode
    except FileNotFoundError:
        return EvidenceFile(written, pointer, "missing", root / relative)
    except (OSError, RuntimeError):  # a name too long, a symlink loop, no permission
        return EvidenceFile(written, pointer, "unreadable")
    if not stat.S_ISREG(mode):
        return EvidenceFile(written, pointer, "special", path)
    try:
        size, sha256 = _hash(path)
    except OSError:
        return EvidenceFile(written, pointer, "unreadable", path)
    return EvidenceFile(written, pointer, "ok", path, size, sha256)


def _hash(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a regular file, read in blocks; opened without following a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    digest, size = hashlib.sha256(), 0
    with os.fdopen(os.open(path, flags), "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):  # swapped since the check
            raise OSError(f"{path} is not a regular file")
        while block := file.read(1 << 20):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def evidence_status(evidence: Mapping[str, EvidenceFile], written: object) -> EvidenceStatus:
    """The status of the evidence file ``written`` (missing when not listed)."""
    info = evidence.get(written) if isinstance(written, str) else None
    return info.status if info else "missing"
