"""File-system steps the output folders are built from: exchanging two paths in one step, flushing
files and folders to disk, and reporting a failing disk as an output error."""

from __future__ import annotations

import ctypes
import errno
import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from generator.errors import OutputError
from generator.messages import error

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@functools.cache
def renameat2() -> Callable[..., int] | None:
    """The C library's renameat2, or None where there is none (not Linux, old C library)."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):
        return None
    path, flags = ctypes.c_char_p, ctypes.c_uint
    function.argtypes = [ctypes.c_int, path, ctypes.c_int, path, flags]
    function.restype = ctypes.c_int
    return function


def exchange(first: Path, second: Path) -> None:
    """Swap the paths ``first`` and ``second`` atomically. Raises OSError (ENOSYS: no call)."""
    function = renameat2()
    if function is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available", str(first))
    flags = _RENAME_EXCHANGE
    if function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), flags) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(first), None, str(second))


@contextmanager
def disk_errors(path: Path) -> Iterator[None]:
    """Report an error of the file system as an OutputError naming ``path``."""
    try:
        yield
    except OSError as e:
        raise error(OutputError, "error.disk", path=path, reason=e) from e


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries; skipped where the system cannot open or flush folders."""
    with suppress(OSError):
        fsync(path)


def fsync_tree(folder: Path) -> None:
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            if not Path(dirpath, name).is_symlink():
                fsync(Path(dirpath, name))
        fsync_dir(Path(dirpath))
