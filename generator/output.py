"""Output folders: assembled beside the old one, swapped in one step, and only ever ccdocs's own.

A build assembles the complete next ``<out>/<org-id>/`` in a hidden stage beside it — a
hard-link clone of the current folder in which the rebuilt format folders are replaced — and
exchanges the two with one ``renameat2(RENAME_EXCHANGE)``: a build killed at any moment leaves
either the previous folder or the new one. Where the exchange is missing, the current folder is
renamed aside first, and the next build puts it back if the kill came in between.

The folder the swap replaced is deleted only after every file of the user's in it that the new
folder lacks (one saved while the build ran) has been moved into the new folder; a kill in
between leaves it flagged, and the next build finishes the job.

Only folders whose marker says they are ccdocs's are replaced or deleted (``generator.markers``);
a lock per organization keeps two builds into the same output folder apart. Files at the top of
the output folder (the batch summary) are written the same way: in a hidden stage, flushed,
listed in the output folder's marker and renamed into place.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.clone import clone_folder, link_entry
from generator.disk import disk_errors, exchange, fsync, fsync_dir, fsync_tree
from generator.errors import OutputError
from generator.locks import locked
from generator.markers import (
    MARKER,
    RETIRED,
    Snapshot,
    check_file_owned,
    check_owned,
    check_root,
    files_in,
    has_marker,
    is_real_dir,
    mark_new,
    read_marker,
    retire_folder,
    write_marker,
)
from generator.messages import error

# renameat2 missing from the C library or the kernel, or a file system that cannot exchange
_NO_EXCHANGE = frozenset({errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP})
# Files at the top of the output folder, beside the organizations' folders (the batch summary):
# "~" cannot start an organization id, so these names are never an organization's.
_SHARED = "~shared"


@dataclass(frozen=True)
class Stage:
    """A hidden folder beside ``target``; publish into ``work``, ``commit_stage`` swaps it in."""

    target: Path
    root: Path
    work: Path


@contextmanager
def staged_output(out_dir: Path, org_id: str) -> Iterator[Stage]:
    """Lock ``out_dir/<org_id>``, tidy up after killed builds and lend a fresh stage beside it.

    Raises OutputError when another build holds the lock, when the folder exists but ccdocs did
    not write it, or when the disk refuses a write into the stage (full, read-only): the previous
    output is then unchanged. The stage is removed on the way out, committed or not.
    """
    with locked_output(out_dir, org_id) as target:
        with disk_errors(target):
            check_root(target)
            stage = _new_stage(target)
        try:
            with disk_errors(target):
                yield stage
        finally:
            if not os.path.lexists(stage.root / RETIRED):  # else the next build retires it
                with suppress(OSError):  # what is left is removed by the next build
                    _remove_marked(stage.root)


@contextmanager
def locked_output(out_dir: Path, org_id: str) -> Iterator[Path]:
    """Hold the build lock of ``out_dir/<org_id>``, once what killed builds left is tidied up.

    Yields the organization's folder. Raises OutputError when another build holds the lock.
    """
    if org_id in {"", ".", ".."} or "/" in org_id or os.sep in org_id:
        raise error(OutputError, "error.no-folder-name", org=org_id)
    target = out_dir / org_id
    with disk_errors(target):
        out_dir.mkdir(parents=True, exist_ok=True)

    def busy() -> OutputError:
        return error(OutputError, "error.build-running", org=org_id, folder=out_dir)

    with locked(out_dir / f".{org_id}.lock", busy):
        with disk_errors(target):
            recover_output(out_dir, org_id)
        yield target


def commit_stage(
    stage: Stage,
    folders: Collection[str] = (),
    *,
    files: Collection[str] = (),
    keep: Collection[str] = (),
) -> None:
    """Make the stage the new target folder in one step.

    ``folders``, published into ``stage.work``, replace the current ones; ``keep`` lists files
    (``folder/name``) of those folders carried over from the current folder; ``files`` move from
    ``stage.work`` to the top of the folder. Everything else of the current folder stays, and so
    does every file of the user's saved into it while the build ran.
    Raises OutputError when a folder to replace holds anything ccdocs did not write.
    """
    with disk_errors(stage.target):
        for folder in folders:
            check_owned(stage.target / folder)
        snapshot = _assemble(stage, folders, files, keep)
        old = _swap(stage.root, stage.target)
        if old is not None:
            retire_folder(old, stage.target, snapshot)


def place_file(stage: Stage, name: str) -> Path:
    """Move ``stage.work/name`` into the target folder with one atomic rename, marked as ours.

    Raises OutputError when a file of that name is there and ccdocs did not write it.
    """
    target = stage.target
    if not os.path.lexists(target):
        commit_stage(stage, files=[name])
        return target / name
    with disk_errors(target):
        listed = check_file_owned(target, name)
        fsync(stage.work / name)
        # listed before it exists: never a foreign file
        write_marker(target, listed | {name}, scratch=stage.work)
        os.replace(stage.work / name, target / name)
        fsync_dir(target)
    return target / name


def write_folder(out_dir: Path, org_id: str, folder: str, texts: Mapping[str, str]) -> list[Path]:
    """Replace ``out_dir/<org_id>/<folder>/`` by a marked folder of ``texts`` (name -> text)."""
    with staged_output(out_dir, org_id) as stage:
        with disk_errors(stage.target):
            (stage.work / folder).mkdir()
            for name, text in texts.items():
                (stage.work / folder / name).write_text(text, encoding="utf-8", newline="\n")
        commit_stage(stage, [folder])
    return [stage.target / folder / name for name in texts]


def write_shared_files(out_dir: Path, writers: Mapping[str, Callable[[Path], None]]) -> list[Path]:
    """Write files at the top of ``out_dir``, beside the organizations' folders (a batch summary).

    ``writers`` maps each file name to a function writing that file at the path it is given.
    The files are written in a hidden stage and flushed; the marker of ``out_dir`` lists them
    before each is renamed over the old one: a write that fails or is killed leaves the previous
    file whole. Raises OutputError naming the file when one of that name is there that ccdocs
    did not write (or a symbolic link), or when the disk refuses.
    """
    with disk_errors(out_dir):
        out_dir.mkdir(parents=True, exist_ok=True)

    def busy() -> OutputError:
        return error(OutputError, "error.writers-running", files=tuple(writers), folder=out_dir)

    with locked(out_dir / f".{_SHARED}.lock", busy, wait=True):
        with disk_errors(out_dir):
            _tidy_stages(out_dir, _SHARED)
            listed = _check_shared(out_dir, writers)
            root = _mkdir_unique(out_dir, _stage_prefix(_SHARED))
            mark_new(root)
        try:
            _write_shared(out_dir, root, writers, listed)
        finally:
            with suppress(OSError):  # what is left is removed by the next write
                _remove_marked(root)
    return [out_dir / name for name in writers]


def _check_shared(out_dir: Path, names: Iterable[str]) -> set[str]:
    """What the marker of ``out_dir`` lists that is still there; OutputError for a file of one
    of ``names`` that ccdocs did not write."""
    for name in names:
        check_file_owned(out_dir, name)
    listed = read_marker(out_dir) or frozenset()
    return {name for name in listed if os.path.lexists(out_dir / name)}


def _write_shared(
    out_dir: Path, stage: Path, writers: Mapping[str, Callable[[Path], None]], listed: set[str]
) -> None:
    for name, write in writers.items():
        with disk_errors(out_dir / name):
            write(stage / name)
            fsync(stage / name)
    with disk_errors(out_dir):
        # listed before they exist: never a foreign file
        write_marker(out_dir, listed | set(writers), scratch=stage)
        for name in writers:
            os.replace(stage / name, out_dir / name)
        fsync_dir(out_dir)


def recover_output(out_dir: Path, org_id: str) -> None:
    """Undo what a killed build left behind: put an aside folder back, retire a folder a swap
    replaced (moving the user's files in it into the current folder), remove old stages.

    Only folders carrying the marker are removed or renamed; an empty stage (killed before its
    marker was written) is removed too. Raises OutputError when a file of the user's cannot be
    moved back (see ``retire_folder``).
    """
    target = out_dir / org_id
    _recover_aside(target)
    if is_real_dir(target / RETIRED):  # killed after flagging the folder, before the swap
        with suppress(OSError):
            os.rmdir(target / RETIRED)
    _tidy_stages(out_dir, org_id)


def _recover_aside(target: Path) -> None:
    """Mend a kill during the fallback swap: the aside folder back, or retired."""
    aside = _aside(target)
    if not is_real_dir(aside):
        return
    if not os.path.lexists(target):
        if has_marker(aside):
            os.rename(aside, target)  # killed between the two renames of the fallback swap
    elif has_marker(aside) or os.path.lexists(aside / RETIRED):
        if is_real_dir(target):
            retire_folder(aside, target)
    else:
        with suppress(OSError):
            os.rmdir(aside)  # emptied by a build killed before it removed the folder itself


def _tidy_stages(out_dir: Path, org_id: str) -> None:
    """Stages of ``org_id`` left by killed builds: a folder a swap replaced (flagged) is retired
    where the current folder is there; any other is removed when it carries the marker."""
    target = out_dir / org_id
    prefix = _stage_prefix(org_id)
    for path in sorted(out_dir.iterdir()):
        if not (path.name.startswith(prefix) and is_real_dir(path)):
            continue
        if not os.path.lexists(path / RETIRED):
            _remove_marked(path)
        elif is_real_dir(target):
            retire_folder(path, target)


def _new_stage(target: Path) -> Stage:
    """A fresh hidden stage beside ``target``, marked at once, with a work folder inside."""
    root = _mkdir_unique(target.parent, _stage_prefix(target.name)).resolve()
    mark_new(root)
    work = Path(tempfile.mkdtemp(prefix=".ccdocs-work-", dir=root))
    return Stage(target, root, work)


def _mkdir_unique(parent: Path, prefix: str) -> Path:
    """A new folder ``parent/<prefix><random>``, with the permissions the umask gives.

    Unlike ``tempfile.mkdtemp`` (private 0700): the stage becomes the output folder.
    """
    for _ in range(100):
        path = parent / f"{prefix}{secrets.token_hex(4)}"
        with suppress(FileExistsError):
            os.mkdir(path)
            return path
    raise FileExistsError(errno.EEXIST, "no unused folder name", str(parent / prefix))


def _assemble(
    stage: Stage, folders: Collection[str], files: Collection[str], keep: Collection[str]
) -> Snapshot:
    """Fill the stage with the complete next version of the target folder, flushed to disk.

    Returns what the stage took over from the target folder and still holds.
    """
    owned = read_marker(stage.target) or frozenset()
    snapshot: Snapshot = {}
    if os.path.lexists(stage.target):
        snapshot = clone_folder(stage.target, stage.root)
    for folder in folders:
        kept = [path for path in keep if PurePosixPath(path).parts[0] == folder]
        _replace_folder(stage, folder, kept)
    for name in files:
        os.replace(stage.work / name, stage.root / name)
    shutil.rmtree(stage.work)
    listed = {name for name in {*owned, *files} if os.path.lexists(stage.root / name)}
    write_marker(stage.root, listed)
    for folder in folders:
        fsync_tree(stage.root / folder)
    for name in files:
        fsync(stage.root / name)
    fsync_dir(stage.root)
    replaced = {*folders, *files}
    return {path: ids for path, ids in snapshot.items() if path.split("/")[0] not in replaced}


def _replace_folder(stage: Stage, folder: str, keep: Iterable[str]) -> None:
    """Put the published ``folder`` in the stage instead of the clone of the current one."""
    staged = stage.root / folder
    if os.path.lexists(staged):
        shutil.rmtree(staged)  # hard links: the current folder keeps its files
    os.rename(stage.work / folder, staged)
    for path in keep:
        (stage.root / path).parent.mkdir(parents=True, exist_ok=True)
        link_entry(stage.target / path, stage.root / path)
    write_marker(staged, files_in(staged))


def _swap(stage: Path, target: Path) -> Path | None:
    """Put ``stage`` at ``target`` in one step; the path now holding the old target, if any.

    The old target is flagged first (``RETIRED``), so that after a kill the next build knows
    the folder the swap replaced from a stage never swapped in.
    """
    if not os.path.lexists(target):
        os.rename(stage, target)
        fsync_dir(target.parent)
        return None
    with suppress(FileExistsError):
        os.mkdir(target / RETIRED)
    try:
        old = _exchange_or_rename(stage, target)
    except OSError:
        with suppress(OSError):
            os.rmdir(target / RETIRED)
        raise
    fsync_dir(target.parent)
    return old


def _exchange_or_rename(stage: Path, target: Path) -> Path:
    """Exchange ``stage`` and ``target``, or rename where the exchange is missing."""
    try:
        exchange(stage, target)
    except OSError as e:
        if e.errno not in _NO_EXCHANGE:
            raise
        return _swap_aside(stage, target)
    return stage


def _swap_aside(stage: Path, target: Path) -> Path:
    """Swap in two renames where the exchange is missing; ``recover_output`` mends a kill."""
    aside = _aside(target)
    os.rename(target, aside)
    try:
        os.rename(stage, target)
    except OSError:
        os.rename(aside, target)
        raise
    return aside


def _remove_marked(folder: Path) -> None:
    """Delete ``folder`` if it carries the marker, the marker last; or, if it is empty.

    With the marker last, a kill part-way leaves a folder still recognisably ccdocs's.
    """
    if not has_marker(folder):
        with suppress(OSError):
            os.rmdir(folder)  # empty: killed right after it was created
        return
    for child in folder.iterdir():
        if child.name == MARKER:
            continue
        if is_real_dir(child):
            shutil.rmtree(child)
        else:
            os.unlink(child)
    os.unlink(folder / MARKER)
    os.rmdir(folder)


def _stage_prefix(org_id: str) -> str:
    # "~" cannot appear in an organization id, so org "a" never takes org "a.b"'s stages
    return f".{org_id}~stage-"


def _aside(target: Path) -> Path:
    return target.with_name(f".{target.name}~aside")
