"""Which output folders are ccdocs's: the ``.ccdocs-output`` marker and the checks built on it.

Every folder ccdocs writes carries a marker listing the files it wrote there (paths relative
to the folder, ``/``-separated). ccdocs replaces or deletes a folder only when it carries a
marker and holds nothing but what the marker lists, so it never deletes a file it did not
write. The organization's own folder is the exception: its marker lists the files ccdocs writes
at that level, and anything else there is carried over by every build, never refused.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from generator.errors import OutputError

MARKER = ".ccdocs-output"
MARKER_SCHEMA = "ccdocs-output/1"
WHAT_TO_DO = "move it out of the output folder, or build into another --out"


def check_owned(folder: Path) -> None:
    """Raise OutputError unless ``folder`` is missing or holds only what its marker lists."""
    if not os.path.lexists(folder):
        return
    listed = read_marker(folder) if is_real_dir(folder) else None
    if listed is None:
        raise OutputError(
            f"{folder}: not written by ccdocs (it has no {MARKER} file), "
            f"so ccdocs will not replace it; {WHAT_TO_DO}"
        )
    files, dirs = _walk(folder)
    parents = {str(p) for path in listed for p in PurePosixPath(path).parents if str(p) != "."}
    foreign = sorted((files - listed - {MARKER}) | (dirs - parents))
    if foreign:
        more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
        raise OutputError(
            f"{folder / foreign[0]}{more}: not written by ccdocs, and ccdocs would delete it "
            f"when it replaces {folder}; {WHAT_TO_DO}"
        )


def check_root(target: Path) -> None:
    """Refuse an organization folder that exists without a marker: it is not ccdocs's."""
    if os.path.lexists(target) and (not is_real_dir(target) or read_marker(target) is None):
        raise OutputError(
            f"{target}: not written by ccdocs (it has no {MARKER} file), so ccdocs will not "
            f"replace it; {WHAT_TO_DO} (output of a ccdocs without markers: delete it and "
            "build again)"
        )


def check_file_owned(folder: Path, name: str) -> frozenset[str]:
    """The files the marker of ``folder`` lists; OutputError when ``name`` is there, unlisted."""
    listed = read_marker(folder) or frozenset()
    if os.path.lexists(folder / name) and name not in listed:
        raise OutputError(
            f"{folder / name}: not written by ccdocs, so ccdocs will not replace it; {WHAT_TO_DO}"
        )
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


def write_marker(folder: Path, files: Iterable[str]) -> None:
    """Mark ``folder`` as written by ccdocs, listing ``files``.

    Written to a new file and renamed over the old marker, which may be a hard link shared
    with the folder that is still live.
    """
    payload = {"schema": MARKER_SCHEMA, "files": sorted(set(files))}
    partial = folder / f"{MARKER}.{secrets.token_hex(4)}"
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


def _create(path: Path, text: str) -> None:
    """Write ``text`` and a newline to the new file ``path``, flushed to disk.

    Never an existing file: one might be a hard link shared with the live folder.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with open(fd, "w", encoding="utf-8") as stream:
        stream.write(text + "\n")
        stream.flush()
        os.fsync(stream.fileno())


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
