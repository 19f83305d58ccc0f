"""Lock files: one build per organization (and one batch summary) at a time, by ``flock``.

A lock file of ccdocs's is an empty plain file it makes and removes; anything else in its place
(a symbolic link, a pipe, a file with data) is refused, never followed, written or deleted.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from generator.disk import disk_errors
from generator.errors import OutputError
from generator.messages import error


@contextmanager
def locked(path: Path, busy: Callable[[], OutputError], *, wait: bool = False) -> Iterator[None]:
    """Hold the lock file ``path``: ``busy()`` is raised when another process holds it, unless
    ``wait`` (made only then: its words come from the message catalogue). Raises OutputError
    naming ``path`` when it is not a lock file of ccdocs's."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): builds of one organization are not kept apart
        yield
        return
    mode = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
    with disk_errors(path):
        fd = _acquire(path, lambda fd: fcntl.flock(fd, mode), busy)
    try:
        yield
    finally:
        try:  # removed while held, so a build that opened it meanwhile sees it is stale
            with suppress(FileNotFoundError):
                if os.path.samestat(os.fstat(fd), os.lstat(path)):
                    os.unlink(path)
        finally:
            os.close(fd)


def _acquire(path: Path, lock: Callable[[int], None], busy: Callable[[], OutputError]) -> int:
    """Open ``path`` and ``lock`` it; the descriptor. Raises ``busy()`` when another holds it."""
    for _ in range(3):
        fd = _open_lock(path)
        try:
            lock(fd)
            with suppress(FileNotFoundError):  # still the file named ``path``?
                if os.path.samestat(os.fstat(fd), os.lstat(path)):
                    return fd
        except BlockingIOError:
            os.close(fd)
            raise busy() from None
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # a build that just finished removed the file we locked: lock the new one
    raise busy()


def _open_lock(path: Path) -> int:
    """Open the lock file ``path``, made if missing, read-only (anyone may lock it).

    Never through a symbolic link and never a file ccdocs did not make: a lock file of ccdocs's
    is an empty plain file. Nothing is written to it. Raises OutputError naming ``path``.
    """
    flags = os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    with suppress(FileNotFoundError):
        if not stat.S_ISREG(os.lstat(path).st_mode):  # a link, a pipe, a device: not opened
            raise _foreign_lock(path)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as e:
        if e.errno == errno.ELOOP:  # a symbolic link made meanwhile
            raise _foreign_lock(path) from e
        raise
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size:
        os.close(fd)
        raise _foreign_lock(path)
    return fd


def _foreign_lock(path: Path) -> OutputError:
    return error(OutputError, "error.not-a-lock", path=path)
