"""Load stage for evidence: the files a profile's records point at, checked and hashed.

Evidence paths are relative to the profile's folder and must stay inside it: no absolute paths,
no "..", no symbolic links that lead out. Only regular files count: a folder, device, pipe or
socket is refused (reading /dev/zero or a pipe would never end). A path that escapes, names such
a file, holds a control character, names a file over ``MAX_EVIDENCE_BYTES`` or cannot be read is
an error in the profile; a file that is simply not there is a gap, reported by the audit.

Every file is read through one descriptor, opened one folder at a time below the profile's
folder without following a link (``open_inside``): a file swapped for a link, a pipe or a device
after it was checked is refused, never read. The evidence pack copies a file again through a new
descriptor and refuses it when its bytes are no longer the ones hashed at load.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Literal

from generator import fieldpath
from generator.errors import CcdocsError
from generator.messages import error
from generator.profile import Profile

MAX_EVIDENCE_BYTES = 256 * 1024 * 1024  # per file: far above any scan, recording or export
EVIDENCE_MIB = MAX_EVIDENCE_BYTES // 1024 // 1024
CHUNK_BYTES = 1024 * 1024  # files are hashed and copied in blocks of this size

EvidenceStatus = Literal[
    "ok", "missing", "outside", "special", "unreadable", "large", "control", "ambiguous"
]
# The statuses that are errors in the profile; their words are the messages evidence.<status>.
EVIDENCE_ERRORS = frozenset({"outside", "special", "unreadable", "large", "control", "ambiguous"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: opening a pipe swapped in after the check returns at once instead of waiting.
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class FileRefused(CcdocsError):
    """A file that is not read: it leads out of its folder, is not a regular file or is too large.

    ``status`` is "outside", "special" or "large"; ``path`` is the file as the user names it.
    """

    def __init__(
        self, path: Path, status: Literal["outside", "special", "large"], why: str
    ) -> None:
        self.path = path
        self.status = status
        super().__init__(f"{path}: {why}")


class EvidenceChanged(CcdocsError):
    """An evidence file changed between the check at load and its copy into the pack."""


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """One evidence file as written in the profile, and what was found on disk."""

    written: str  # the path as written in the profile
    pointer: str  # where in the profile it was written
    status: EvidenceStatus
    path: Path | None = None  # resolved, when inside the profile's folder
    size: int = 0
    sha256: str = ""
    root: Path | None = None  # the folder it was found in (resolved)


def load_evidence(profile: Profile) -> dict[str, EvidenceFile]:
    """Every ``records[].file`` of ``profile``, keyed by the path as written.

    Paths are relative to the file that names them, so a base profile's records keep their
    folder; one path naming different files in two such folders is "ambiguous".
    """
    found: dict[str, EvidenceFile] = {}
    for pointer, written in fieldpath.values(profile.data, "records[].file"):
        if not isinstance(written, str):
            continue
        root = profile.locate(pointer).file.resolve().parent
        earlier = found.get(written)
        if earlier is None:
            found[written] = _inspect(root, written, pointer)
        elif earlier.root not in (None, root) and _ambiguous(earlier, root, pointer):
            found[written] = replace(earlier, status="ambiguous")
    return found


def _ambiguous(earlier: EvidenceFile, root: Path, pointer: str) -> bool:
    """True when ``earlier.written`` names another file below ``root``, and one of them exists."""
    other = _inspect(root, earlier.written, pointer)
    both_missing = earlier.status == other.status == "missing"
    return other.path != earlier.path and not both_missing


def _inspect(root: Path, written: str, pointer: str) -> EvidenceFile:
    relative = PurePosixPath(written.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        return EvidenceFile(written, pointer, "outside")
    if "\0" in written:
        return EvidenceFile(written, pointer, "unreadable")
    if _CONTROL.search(written):
        return EvidenceFile(written, pointer, "control")
    path = Path(os.path.realpath(root / relative))
    try:
        with open_inside(root, relative, MAX_EVIDENCE_BYTES) as file:
            size, sha256 = _hash(file, root / relative)
    except FileNotFoundError:
        return EvidenceFile(written, pointer, "missing", root / relative, root=root)
    except FileRefused as e:
        inside = path if e.status != "outside" else None
        return EvidenceFile(written, pointer, e.status, inside, root=root)
    except OSError:  # a name too long, a symlink loop, no permission
        return EvidenceFile(written, pointer, "unreadable", root=root)
    return EvidenceFile(written, pointer, "ok", path, size, sha256, root)


def _hash(file: BinaryIO, shown: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    for block in read_chunks(file, MAX_EVIDENCE_BYTES, shown):
        digest.update(block)
        size += len(block)
    return size, digest.hexdigest()


def copy_evidence(info: EvidenceFile, write: Callable[[bytes], object]) -> tuple[int, str]:
    """Stream the evidence file ``info`` (status "ok") into ``write``; its size and SHA-256.

    Read through one descriptor, block by block. Raises EvidenceChanged, naming the file, when it
    is no longer the regular file inside the folder, with the bytes, that ``load_evidence`` hashed.
    """
    if info.status != "ok" or info.path is None or info.root is None:
        raise error(EvidenceChanged, "error.evidence-unchecked", path=info.written)
    digest, size = hashlib.sha256(), 0
    try:
        with _open_checked(info.root, info.path.relative_to(info.root).parts, info.path) as file:
            for block in read_chunks(file, MAX_EVIDENCE_BYTES, info.path):
                digest.update(block)
                size += len(block)
                write(block)
    except (OSError, FileRefused) as e:  # now a link, a pipe, a device, larger or gone
        raise error(EvidenceChanged, "error.evidence-changed", path=info.path, reason=e) from e
    if (size, digest.hexdigest()) != (info.size, info.sha256):
        raise error(EvidenceChanged, "error.evidence-content", path=info.path)
    return size, digest.hexdigest()


@contextlib.contextmanager
def open_inside(root: Path, relative: PurePosixPath, limit: int) -> Iterator[BinaryIO]:
    """The regular file ``root/relative``, open for reading, never a file outside ``root``.

    Links inside ``root`` are followed, once, to find the file; it is then opened one folder at a
    time without following any link, so nothing swapped in meanwhile is read. Raises
    FileRefused (outside, special, large), FileNotFoundError or another OSError.
    """
    shown = root / relative
    base = Path(os.path.realpath(root))
    real = Path(os.path.realpath(shown))
    if not real.is_relative_to(base):
        raise FileRefused(shown, "outside", "leads out of its folder; copy the file in")
    if real == base:
        raise FileRefused(shown, "special", "is a folder; point at a file inside it")
    with _open_checked(base, real.relative_to(base).parts, shown, limit) as file:
        yield file


@contextlib.contextmanager
def _open_checked(
    base: Path, parts: tuple[str, ...], shown: Path, limit: int = MAX_EVIDENCE_BYTES
) -> Iterator[BinaryIO]:
    """``base/parts`` opened without following a link; checked on the descriptor."""
    with os.fdopen(_open_beneath(base, parts, shown), "rb") as file:
        mode, size = _fstat(file)
        if not stat.S_ISREG(mode):  # swapped since the folder was listed
            raise FileRefused(shown, "special", "is not a regular file; point at the file itself")
        if size > limit:
            raise FileRefused(shown, "large", f"is larger than {_mib(limit)}")
        yield file


def _fstat(file: BinaryIO) -> tuple[int, int]:
    info = os.fstat(file.fileno())
    return info.st_mode, info.st_size


def _open_beneath(base: Path, parts: tuple[str, ...], shown: Path) -> int:
    """A descriptor of ``base/parts``: each folder opened inside the one before, no link followed.

    The last part is looked at before it is opened, so no device is ever opened.
    """
    folder = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts[:-1]:
            inner = os.open(part, _FOLDER_FLAGS, dir_fd=folder)
            os.close(folder)
            folder = inner
        mode = os.stat(parts[-1], dir_fd=folder, follow_symlinks=False).st_mode
        if stat.S_ISLNK(mode):  # a loop, or a link swapped in after the path was resolved
            raise OSError(errno.ELOOP, "a symbolic link where a file was expected", str(shown))
        if not stat.S_ISREG(mode):
            raise FileRefused(shown, "special", "is not a regular file; point at the file itself")
        return os.open(parts[-1], _FILE_FLAGS, dir_fd=folder)
    finally:
        os.close(folder)


def read_chunks(file: BinaryIO, limit: int, shown: Path) -> Iterator[bytes]:
    """The bytes of ``file`` in blocks; FileRefused once more than ``limit`` bytes were read."""
    total = 0
    while block := file.read(CHUNK_BYTES):
        total += len(block)
        if total > limit:  # grown since it was checked
            raise FileRefused(shown, "large", f"is larger than {_mib(limit)}")
        yield block


def read_inside(root: Path, relative: PurePosixPath, limit: int) -> bytes:
    """The bytes of the regular file ``root/relative`` (see ``open_inside``), at most ``limit``."""
    with open_inside(root, relative, limit) as file:
        return b"".join(read_chunks(file, limit, root / relative))


def _mib(limit: int) -> str:
    return f"{limit / 1024 / 1024:g} MiB"


def evidence_status(evidence: Mapping[str, EvidenceFile], written: object) -> EvidenceStatus:
    """The status of the evidence file ``written`` (missing when not listed)."""
    info = evidence.get(written) if isinstance(written, str) else None
    return info.status if info else "missing"
