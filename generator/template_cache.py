"""Compiled templates kept on disk between runs, so each command does not compile them again.

Compiling the templates is most of a small render (about 0.6 s of a 0.8 s build of the bundled
profile). Jinja's bytecode cache keys each template by its name and the checksum of its source,
so an edited template (shipped or a consultant's) is compiled afresh; the folder is named after
Jinja's version and ccdocs' own template code, so an upgrade never reads older bytecode.

The cache lives in ``$CCDOCS_CACHE_DIR`` or the user's cache folder (``$XDG_CACHE_HOME/ccdocs``,
``~/.cache/ccdocs``). When it cannot be read or written, templates are compiled as before.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, FileSystemBytecodeCache

from generator.user_cache import cache_root


def template_cache() -> FileSystemBytecodeCache | None:
    """The bytecode cache for this version of Jinja and ccdocs; None when there is no folder."""
    code = hashlib.sha256(jinja2.__version__.encode())
    for module in ("render.py", "sandbox.py"):  # how templates are compiled and sandboxed
        code.update((Path(__file__).with_name(module)).read_bytes())
    folder = cache_root() / "templates" / code.hexdigest()[:16]
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return _Tolerant(str(folder))


class _Tolerant(FileSystemBytecodeCache):
    """A cache that is never the reason a build fails: a damaged or unwritable entry is
    compiled again."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a truncated or foreign file: marshal raises anything
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)
