"""Which output folders are ccdocs's: the ``.ccdocs-output`` marker and the checks built on it.

Every folder ccdocs writes carries a marker listing the files it wrote there (paths relative
to the folder, ``/``-separated). ccdocs replaces or deletes a folder only when it carries a
marker and holds nothing but what the marker lists, so it never deletes a file it did not
write. The organization's own folder is the exception: its marker lists the files ccdocs writes
at that level, and anything else there is carried over by every build, never refused — also a
file saved into it while a build runs (``retire_folder``).
"""

from __future__ import annotations

import errno
import filecmp
import json
import os
import secrets
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.errors import OutputError
from generator.messages import error

MARKER = ".ccdocs-output"
MARKER_SCHEMA = "ccdocs-output/1"
# An empty folder put into the organization's folder just before a swap: the folder that holds
# it in a hidden stage after a kill is the one the swap replaced, not a stage never swapped in.
RETIRED = ".ccdocs-retired"

Identity = tuple[int, int]  # device and inode
# What a stage took over from the folder it replaces: relative path -> the identity of the entry
# in that folder and of its copy (usually the same file, hard-linked) in the stage.
Snapshot = dict[str, tuple[Identity, Identity]]
_ROOT = PurePosixPath(".")


def check_owned(folder: Path) -> None:
    """Raise OutputError unless ``folder`` is missing or holds only what its marker lists."""
    if not os.path.lexists(folder):
        return
    listed = read_marker(folder) if is_real_dir(folder) else None
    if listed is None:
        raise error(OutputError, "error.not-ours", path=folder, marker=MARKER)
    files, dirs = _walk(folder)
    parents = {str(p) for path in listed for p in PurePosixPath(path).parents if str(p) != "."}
    foreign = sorted((files - listed - {MARKER}) | (dirs - parents))
    if foreign:
        code = "error.foreign-more" if len(foreign) > 1 else "error.foreign"
        path, more = folder / foreign[0], len(foreign) - 1
        raise error(OutputError, code, path=path, more=more, folder=folder)


def check_root(target: Path) -> None:
    """Refuse an organization folder that exists without a marker: it is not ccdocs's."""
    if os.path.lexists(target) and (not is_real_dir(target) or read_marker(target) is None):
        raise error(OutputError, "error.not-ours-root", path=target, marker=MARKER)


def check_file_owned(folder: Path, name: str) -> frozenset[str]:
    """The files the marker of ``folder`` lists; OutputError when ``name`` is there, unlisted.

    A listed name that is no longer a plain file (a symbolic link, a folder) is refused too:
    ccdocs writes neither.
    """
    listed = read_marker(folder)
    if listed is None and os.path.lexists(folder / MARKER):
        raise error(OutputError, "error.not-a-marker", path=folder / MARKER)
    listed = listed or frozenset()
    path = folder / name
    if os.path.lexists(path) and (name not in listed or not _is_plain_file(path)):
        raise error(OutputError, "error.not-ours-file", path=path)
    return listed


def read_marker(folder: Path) -> frozenset[str] | None:
    """The files the marker of ``folder`` lists; None when it has no valid marker."""
    if not has_marker(folder):
        return None
    try:
        raw = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    valid = isinstance(raw, dict) and raw.get("schema") == MARKER_SCHEMA
    files = raw.get("files") if valid else None
    if not isinstance(files, list):
        return None
    return frozenset(f for f in files if isinstance(f, str))


def write_marker(folder: Path, files: Iterable[str], scratch: Path | None = None) -> None:
    """Mark ``folder`` as written by ccdocs, listing ``files``.

    Written to a new file and renamed over the old marker, which may be a hard link shared
    with the folder that is still live. The new file is made in ``scratch`` (a folder of
    ccdocs's on the same file system) when given, so that a kill leaves nothing half-written in
    a folder the user sees.
    """
    payload = {"schema": MARKER_SCHEMA, "files": sorted(set(files))}
    partial = (scratch or folder) / f"{MARKER}.{secrets.token_hex(4)}"
    _create(partial, json.dumps(payload, ensure_ascii=False, indent=1))
    os.replace(partial, folder / MARKER)


def mark_new(folder: Path) -> None:
    """Mark a folder ccdocs has just made, listing no files yet."""
    _create(folder / MARKER, json.dumps({"schema": MARKER_SCHEMA, "files": []}))


def files_in(folder: Path) -> set[str]:
    """The files ccdocs would list in the marker of ``folder``: all of them but the marker."""
    return _walk(folder)[0] - {MARKER}


def is_marker(name: str) -> bool:
    """True for the marker's name, and for a marker left half-written by a killed build."""
    return name == MARKER or name.startswith(f"{MARKER}.")


def has_marker(folder: Path) -> bool:
    """True when ``folder`` carries a marker file, whatever it holds."""
    marker = folder / MARKER
    return marker.is_file() and not marker.is_symlink()


def is_real_dir(path: Path) -> bool:
    """True for a folder that is not a symbolic link."""
    return path.is_dir() and not path.is_symlink()


def ccdocs_paths(old: Path, target: Path) -> frozenset[str]:
    """What ccdocs wrote in ``old``, a folder a swap replaced by ``target``: relative paths.

    The files its marker lists, and those listed by the markers of its folders whose namesake in
    ``target`` is a marked folder too; the markers themselves. A marked folder that appeared in
    ``old`` alone (a copy of the user's) is not trusted: its files are the user's.
    """
    owned = {name for name in os.listdir(old) if is_marker(name)}
    owned.update(read_marker(old) or ())
    for name in os.listdir(old):
        folder = old / name
        if not (is_real_dir(folder) and has_marker(target / name)):
            continue
        owned.update(f"{name}/{path}" for path in read_marker(folder) or ())
        owned.update(f"{name}/{entry}" for entry in os.listdir(folder) if is_marker(entry))
    return frozenset(owned)


def _create(path: Path, text: str) -> None:
    """Write ``text`` and a newline to the new file ``path``, flushed to disk.

    Never an existing file: one might be a hard link shared with the live folder.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with open(fd, "w", encoding="utf-8") as stream:
        stream.write(text + "\n")
        stream.flush()
        os.fsync(stream.fileno())


def _is_plain_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _walk(folder: Path) -> tuple[set[str], set[str]]:
    """The files (symlinks included) and the folders under ``folder``, as relative paths."""
    files: set[str] = set()
    dirs: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(folder):
        here = PurePosixPath(Path(dirpath).relative_to(folder).as_posix())
        for name in dirnames:
            is_link = Path(dirpath, name).is_symlink()
            (files if is_link else dirs).add(str(here / name))
        files.update(str(here / name) for name in filenames)
    return files, dirs


def identity(path: Path) -> Identity | None:
    """The device and inode of ``path`` itself (a link is not followed); None when missing."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino


@dataclass(frozen=True)
class _Known:
    """What a retired folder holds that may go: ccdocs's files, and what the new folder has."""

    target: Path
    owned: frozenset[str]  # relative paths of what ccdocs wrote (``ccdocs_paths``)
    snapshot: Snapshot
    seen: set[str] = field(default_factory=set)  # what the old folder held when swept

    def may_delete(self, rel: str, path: Path) -> bool:
        """True for a file ccdocs wrote, unchanged since the stage took it over, or the same
        in ``target``."""
        if rel in self.owned:
            return True
        taken = self.snapshot.get(rel)
        return (taken is not None and taken[0] == identity(path)) or _same(path, self.target / rel)

    def is_new_folder(self, rel: str) -> bool:
        """True for a folder of the user's that appeared during the build: ``target`` lacks it,
        the stage did not take it over, and no folder of ccdocs's holds it."""
        top = rel.split("/")[0]
        return not (
            os.path.lexists(self.target / rel)
            or rel in self.snapshot
            or f"{top}/{MARKER}" in self.owned
            or rel == RETIRED
        )


def retire_folder(old: Path, target: Path, snapshot: Snapshot | None = None) -> None:
    """Delete ``old``, the folder a swap replaced by ``target``, keeping every file of the user's.

    What ccdocs wrote, and what ``target`` holds as the same file, is deleted; a file of the
    user's that ``target`` lacks (saved while the build ran) is moved into ``target``, over the
    copy there only when that copy is the one the stage took over (``snapshot``). The marker, and
    then the ``RETIRED`` flag, go last: a kill part-way leaves a folder the next build retires.
    Raises OutputError naming a file that cannot be moved; ``old`` then stays.
    """
    known = _Known(target, ccdocs_paths(old, target), snapshot or {})
    left = _sweep(old, _ROOT, known)
    if left:
        code = "error.saved-meanwhile-more" if len(left) > 1 else "error.saved-meanwhile"
        path, there = old / left[0], target / left[0]
        raise error(OutputError, code, path=path, more=len(left) - 1, folder=target, there=there)
    _drop_deleted(known)


def _drop_deleted(known: _Known) -> None:
    """Delete from the new folder what the user deleted (or renamed) in the old one while the
    build ran: the copies the stage took over, as they were, of entries gone from the old folder.
    """
    for rel in sorted(set(known.snapshot) - known.seen, reverse=True):  # the deepest first
        path = known.target / rel
        if identity(path) != known.snapshot[rel][1]:
            continue  # changed since: the user's newer file
        if is_real_dir(path):
            with suppress(OSError):  # a folder holding anything stays
                os.rmdir(path)
        else:
            os.unlink(path)


def _sweep(old: Path, rel: PurePosixPath, known: _Known) -> list[str]:
    """Empty and remove the folder ``old/rel``; the paths it could not move (then it stays)."""
    folder = old / rel
    for _ in range(3):  # a file saved into the folder while it was emptied: once more
        names = sorted(os.listdir(folder), key=lambda n: (is_marker(n) or n == RETIRED, n))
        left = [path for name in names for path in _settle(old, rel / name, known)]
        if left:
            return left
        try:
            os.rmdir(folder)
            return []
        except OSError as e:
            if e.errno not in {errno.ENOTEMPTY, errno.EEXIST}:
                raise
    return [str(rel)]


def _settle(old: Path, rel: PurePosixPath, known: _Known) -> list[str]:
    """Delete ``old/rel``, or move it into the new folder; the paths it could not move."""
    path, name = old / rel, rel.as_posix()
    known.seen.add(name)
    if is_real_dir(path):
        if known.is_new_folder(name) and not _make_folders(known.target, rel):
            return [name]
        return _sweep(old, rel, known)
    if known.may_delete(name, path):
        os.unlink(path)
        return []
    taken = known.snapshot.get(name)
    return [] if _carry(path, known.target, rel, taken[1] if taken else None) else [name]


def _carry(source: Path, target: Path, rel: PurePosixPath, copy: Identity | None) -> bool:
    """Move the user's file ``source`` to ``target/rel``: where nothing is, or over ``copy`` (the
    older version the stage took over). False when something else is in the way."""
    dest = target / rel
    if not _make_folders(target, rel.parent):
        return False
    try:
        os.link(source, dest, follow_symlinks=False)  # never over a file that appeared meanwhile
    except FileExistsError:
        if copy is None or identity(dest) != copy:
            return False
        os.replace(source, dest)
        return True
    except (OSError, NotImplementedError):  # no hard links here: a rename, where nothing is
        if os.path.lexists(dest):
            return False
        os.rename(source, dest)
        return True
    os.unlink(source)
    return True


def _same(path: Path, other: Path) -> bool:
    """True when ``other`` is ``path`` (a hard link), or a copy of it: a symbolic link to the
    same place, a plain file with the same bytes."""
    if identity(path) == identity(other):
        return True
    if path.is_symlink() or other.is_symlink():
        return path.is_symlink() and other.is_symlink() and os.readlink(path) == os.readlink(other)
    if not (path.is_file() and other.is_file()):
        return False
    return filecmp.cmp(path, other, shallow=False)


def _make_folders(target: Path, rel: PurePosixPath) -> bool:
    """Make ``target/rel`` and the folders above it; False where something else is in the way."""
    path = target
    for part in rel.parts:
        path = path / part
        with suppress(FileExistsError):
            os.mkdir(path)
        if not is_real_dir(path):
            return False
    return True
