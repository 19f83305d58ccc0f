"""The verdicts of an unchanged build, remembered in the user's cache folder.

A build with nothing to write still reports its gaps, levels and outcome. They depend only on
what the build's fingerprint covers (the profile and its evidence, the standards map, templates,
ccdocs' own code and the options; the assessment date is the profile's own, the clock is never
read), so they are computed once per fingerprint and kept in ``<cache>/verdicts/``, outside the
output folder: the summary a state file records there could have been edited by anyone who can
write the output, so it decides nothing. A cache entry that cannot be read is computed again.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from generator.user_cache import cache_root, write_atomically

SCHEMA = "ccdocs-verdicts/1"


def remembered(fingerprint: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The verdicts for ``fingerprint``: from the cache, else ``compute()`` (then kept)."""
    path = cache_root() / "verdicts" / f"{fingerprint}.json"
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(path.read_bytes())
        if (
            isinstance(data, dict)
            and data.get("schema") == SCHEMA
            and data.get("fingerprint") == fingerprint
            and isinstance(data.get("summary"), dict)
        ):
            return dict(data["summary"])
    return keep(fingerprint, compute())


def keep(fingerprint: str, summary: dict[str, Any]) -> dict[str, Any]:
    """Remember ``summary`` as the verdicts for ``fingerprint`` (a build that wrote its outputs
    computed them anyway: its next no-op rebuild need not); the summary as JSON gives it back,
    so a remembered summary and a fresh one are alike."""
    kept: dict[str, Any] = json.loads(json.dumps(summary))
    path = cache_root() / "verdicts" / f"{fingerprint}.json"
    entry = {"schema": SCHEMA, "fingerprint": fingerprint, "summary": kept}
    with contextlib.suppress(OSError):
        write_atomically(path, json.dumps(entry, ensure_ascii=False).encode("utf-8"))
    return kept
