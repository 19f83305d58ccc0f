"""How many cores this process may run on: what every pool of workers is sized by."""

from __future__ import annotations

import os


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1
