"""Output folders: assembled beside the old one, swapped in one step, and only ever ccdocs's own.

A build assembles the complete next ``<out>/<org-id>/`` in a hidden stage beside it — a
hard-link clone of the current folder in which the rebuilt format folders are replaced — and
exchanges the two with one ``renameat2(RENAME_EXCHANGE)``: a build killed at any moment leaves
either the previous folder or the new one. Where the exchange is missing, the current folder is
renamed aside first, and the next build puts it back if the kill came in between.

Only folders whose marker says they are ccdocs's are replaced or deleted (``generator.markers``);
a lock per organization keeps two builds into the same output folder apart.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.errors import OutputError
from generator.markers import (
    MARKER,
    check_file_owned,
    check_owned,
    check_root,
    files_in,
    has_marker,
    is_marker,
    is_real_dir,
    mark_new,
    read_marker,
    write_marker,
)

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# renameat2 missing from the C library or the kernel, or a file system that cannot exchange
_NO_EXCHANGE = frozenset({errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP})


@dataclass(frozen=True)
class Stage:
    """A hidden folder beside ``target``; publish into ``work``, ``commit_stage`` swaps it in."""

    target: Path
    root: Path
    work: Path


@contextmanager
def staged_output(out_dir: Path, org_id: str) -> Iterator[Stage]:
    """Lock ``out_dir/<org_id>``, tidy up after killed builds and lend a fresh stage beside it.

    Raises OutputError when another build holds the lock, or when the folder exists but
    ccdocs did not write it. The stage is removed on the way out, committed or not.
    """
    with locked_output(out_dir, org_id) as target:
        with _disk_errors(target):
            check_root(target)
            stage = _new_stage(target)
        try:
            yield stage
        finally:
            with suppress(OSError):  # what is left is removed by the next build
                _remove_marked(stage.root)


@contextmanager
def locked_output(out_dir: Path, org_id: str) -> Iterator[Path]:
    """Hold the build lock of ``out_dir/<org_id>``, once what killed builds left is tidied up.

    Yields the organization's folder. Raises OutputError when another build holds the lock.
    """
    if org_id in {"", ".", ".."} or "/" in org_id or os.sep in org_id:
        raise OutputError(f"{org_id!r} cannot name an output folder; give the organization an id")
    target = out_dir / org_id
    with _disk_errors(target):
        out_dir.mkdir(parents=True, exist_ok=True)
    with _locked(out_dir, org_id):
        with _disk_errors(target):
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
    ``stage.work`` to the top of the folder. Everything else of the current folder stays.
    Raises OutputError when a folder to replace holds anything ccdocs did not write.
    """
    with _disk_errors(stage.target):
        for folder in folders:
            check_owned(stage.target / folder)
        _assemble(stage, folders, files, keep)
        _swap(stage.root, stage.target)


def place_file(stage: Stage, name: str) -> Path:
    """Move ``stage.work/name`` into the target folder with one atomic rename, marked as ours.

    Raises OutputError when a file of that name is there and ccdocs did not write it.
    """
    target = stage.target
    if not os.path.lexists(target):
        commit_stage(stage, files=[name])
        return target / name
    with _disk_errors(target):
        listed = check_file_owned(target, name)
        _fsync(stage.work / name)
        write_marker(target, listed | {name})  # listed before it exists: never a foreign file
        os.replace(stage.work / name, target / name)
        _fsync_dir(target)
    return target / name


def write_folder(out_dir: Path, org_id: str, folder: str, texts: Mapping[str, str]) -> list[Path]:
    """Replace ``out_dir/<org_id>/<folder>/`` by a marked folder of ``texts`` (name -> text)."""
    with staged_output(out_dir, org_id) as stage:
        with _disk_errors(stage.target):
            (stage.work / folder).mkdir()
            for name, text in texts.items():
                (stage.work / folder / name).write_text(text, encoding="utf-8", newline="\n")
        commit_stage(stage, [folder])
    return [stage.target / folder / name for name in texts]


def recover_output(out_dir: Path, org_id: str) -> None:
    """Undo what a killed build left behind: put an aside folder back, remove old stages.

    Only folders carrying the marker are removed or renamed; an empty stage (killed before its
    marker was written) is removed too.
    """
    target = out_dir / org_id
    aside = _aside(target)
    if is_real_dir(aside):
        if not os.path.lexists(target) and has_marker(aside):
            os.rename(aside, target)  # killed between the two renames of the fallback swap
        elif os.path.lexists(target):
            _remove_marked(aside)
    prefix = _stage_prefix(org_id)
    for path in out_dir.iterdir():
        if path.name.startswith(prefix) and is_real_dir(path):
            _remove_marked(path)


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
) -> None:
    """Fill the stage with the complete next version of the target folder, flushed to disk."""
    owned = read_marker(stage.target) or frozenset()
    if os.path.lexists(stage.target):
        _clone(stage.target, stage.root)
    for folder in folders:
        kept = [path for path in keep if PurePosixPath(path).parts[0] == folder]
        _replace_folder(stage, folder, kept)
    for name in files:
        os.replace(stage.work / name, stage.root / name)
    shutil.rmtree(stage.work)
    listed = {name for name in {*owned, *files} if os.path.lexists(stage.root / name)}
    write_marker(stage.root, listed)
    for folder in folders:
        _fsync_tree(stage.root / folder)
    for name in files:
        _fsync(stage.root / name)
    _fsync_dir(stage.root)


def _replace_folder(stage: Stage, folder: str, keep: Iterable[str]) -> None:
    """Put the published ``folder`` in the stage instead of the clone of the current one."""
    staged = stage.root / folder
    if os.path.lexists(staged):
        shutil.rmtree(staged)  # hard links: the current folder keeps its files
    os.rename(stage.work / folder, staged)
    for path in keep:
        (stage.root / path).parent.mkdir(parents=True, exist_ok=True)
        _link(stage.target / path, stage.root / path)
    write_marker(staged, files_in(staged))


def _swap(stage: Path, target: Path) -> None:
    """Put ``stage`` at ``target`` in one step; afterwards ``stage`` holds the old target."""
    if not os.path.lexists(target):
        os.rename(stage, target)
    else:
        try:
            _exchange(stage, target)
        except OSError as e:
            if e.errno not in _NO_EXCHANGE:
                raise
            _swap_aside(stage, target)
    _fsync_dir(target.parent)


def _swap_aside(stage: Path, target: Path) -> None:
    """Swap in two renames where the exchange is missing; ``recover_output`` mends a kill."""
    aside = _aside(target)
    os.rename(target, aside)
    os.rename(stage, target)
    _remove_marked(aside)


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    """The C library's renameat2, or None where there is none (not Linux, old C library)."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):
        return None
    path, flags = ctypes.c_char_p, ctypes.c_uint
    function.argtypes = [ctypes.c_int, path, ctypes.c_int, path, flags]
    function.restype = ctypes.c_int
    return function


def _exchange(first: Path, second: Path) -> None:
    """Swap the paths ``first`` and ``second`` atomically. Raises OSError (ENOSYS: no call)."""
    function = _renameat2()
    if function is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available", str(first))
    flags = _RENAME_EXCHANGE
    if function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), flags) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(first), None, str(second))


def _clone(source: Path, dest: Path) -> None:
    """Recreate ``source`` in ``dest`` with hard links (copies where linking fails).

    Folders keep their permissions. The marker at the top (and any half-written one) is left
    out: ``dest`` has its own.
    """
    for dirpath, dirnames, filenames in os.walk(source):
        here = Path(dirpath)
        there = dest / here.relative_to(source)
        shutil.copymode(here, there)
        for name in dirnames:
            if (here / name).is_symlink():
                _link(here / name, there / name)
            else:
                os.mkdir(there / name)
        for name in filenames:
            if here != source or not is_marker(name):
                _link(here / name, there / name)


def _link(source: Path, dest: Path) -> None:
    """Hard-link ``source`` as ``dest``; copy it where linking fails; symlinks as symlinks."""
    if source.is_symlink():
        os.symlink(os.readlink(source), dest)
        return
    try:
        os.link(source, dest)
    except OSError:  # another file system, or too many links: a copy does as well
        shutil.copy2(source, dest)


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


@contextmanager
def _locked(out_dir: Path, org_id: str) -> Iterator[None]:
    """Hold the build lock of ``org_id`` in ``out_dir``; OutputError when another build has it."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): builds of one organization are not kept apart
        yield
        return
    path = out_dir / f".{org_id}.lock"
    busy = OutputError(
        f"another ccdocs build of {org_id} is running in {out_dir}; "
        "wait for it to finish, or build into another --out"
    )
    with _disk_errors(path):
        fd = _acquire(path, lambda fd: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB), busy)
    try:
        yield
    finally:
        try:  # removed while held, so a build that opened it meanwhile sees it is stale
            with suppress(FileNotFoundError):
                os.unlink(path)
        finally:
            os.close(fd)


def _acquire(path: Path, lock: Callable[[int], None], busy: OutputError) -> int:
    """Open ``path`` and ``lock`` it; the descriptor. Raises ``busy`` when another holds it."""
    for _ in range(3):
        fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o666)  # read-only: anyone may lock it
        try:
            lock(fd)
            with suppress(FileNotFoundError):  # still the file named ``path``?
                if os.path.samestat(os.fstat(fd), os.stat(path)):
                    return fd
        except BlockingIOError:
            os.close(fd)
            raise busy from None
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # a build that just finished removed the file we locked: lock the new one
    raise busy


@contextmanager
def _disk_errors(path: Path) -> Iterator[None]:
    """Report an error of the file system as an OutputError naming ``path``."""
    try:
        yield
    except OSError as e:
        raise OutputError(
            f"{path}: the output could not be written ({e}); check the folder's permissions "
            "and free space"
        ) from e


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Flush a folder's entries; skipped where the system cannot open or flush folders."""
    with suppress(OSError):
        _fsync(path)


def _fsync_tree(folder: Path) -> None:
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            if not Path(dirpath, name).is_symlink():
                _fsync(Path(dirpath, name))
        _fsync_dir(Path(dirpath))


def _stage_prefix(org_id: str) -> str:
    # "~" cannot appear in an organization id, so org "a" never takes org "a.b"'s stages
    return f".{org_id}~stage-"


def _aside(target: Path) -> Path:
    return target.with_name(f".{target.name}~aside")
