"""The user's cache folder, where ccdocs keeps what it would otherwise work out again on every
run: compiled templates, jieba's cuts, the verdicts of unchanged builds.

``$CCDOCS_CACHE_DIR``, else ``$XDG_CACHE_HOME/ccdocs``, else ``~/.cache/ccdocs``. Nothing in it
is ever the reason a build fails: an entry that cannot be read is worked out again, one that
cannot be written is not kept.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def cache_root() -> Path:
    if os.environ.get("CCDOCS_CACHE_DIR"):
        return Path(os.environ["CCDOCS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ccdocs"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` (its folder made, for this user only); readers see the old file or the
    new one, never half of one. OSError when the disk refuses."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
