"""A hard-link clone of an output folder: what a build's stage starts from, and a record of what
it took over, so that a file the user changes meanwhile is never taken for ccdocs's copy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from generator.markers import RETIRED, Identity, Snapshot, identity, is_marker


def clone_folder(source: Path, dest: Path) -> Snapshot:
    """Recreate ``source`` in ``dest`` with hard links (copies where linking fails).

    Folders keep their permissions. The marker at the top (and any half-written one) is left
    out: ``dest`` has its own; so is a ``RETIRED`` flag, which only a replaced folder may hold.
    Returns what was taken over, each entry's identity read before it was linked: a file
    replaced meanwhile is then seen as changed, never as taken over.
    """
    snapshot: Snapshot = {}
    for dirpath, dirnames, filenames in os.walk(source):
        here = Path(dirpath)
        there = dest / here.relative_to(source)
        shutil.copymode(here, there)
        if here == source and RETIRED in dirnames:
            dirnames.remove(RETIRED)
        for name in dirnames:
            before = identity(here / name)
            if (here / name).is_symlink():
                link_entry(here / name, there / name)
            else:
                os.mkdir(there / name)
            _record(snapshot, source, here / name, before, there / name)
        for name in filenames:
            if here != source or not is_marker(name):
                before = identity(here / name)
                link_entry(here / name, there / name)
                _record(snapshot, source, here / name, before, there / name)
    return snapshot


def _record(
    snapshot: Snapshot, source: Path, path: Path, before: Identity | None, copy: Path
) -> None:
    after = identity(copy)
    if before is not None and after is not None:
        snapshot[path.relative_to(source).as_posix()] = (before, after)


def link_entry(source: Path, dest: Path) -> None:
    """Hard-link ``source`` as ``dest`` (a symlink itself, never what it points at); copy it
    where linking fails."""
    try:
        os.link(source, dest, follow_symlinks=False)
    except (OSError, NotImplementedError):  # no hard link here: a copy does as well
        if source.is_symlink():
            os.symlink(os.readlink(source), dest)
        else:
            shutil.copy2(source, dest, follow_symlinks=False)
