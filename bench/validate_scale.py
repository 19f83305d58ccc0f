"""`ccdocs validate` on profiles built to stress the reference checks.

Two generated profiles, far below the loader's size limits:

- a reporting chain of 5 000 roles (each reports to the one before it), valid;
- 5 000 roles of which 2 000 report to role ids that do not exist (each error looks for a
  "did you mean" among the 5 000 ids).

Each is validated in-process (load + validate, the standards map read once) several times; the
script prints the best and median times. Run from the repository root:

    .venv/bin/python bench/validate_scale.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from generator.errors import ProfileError
from generator.profile import load_profile
from generator.standards import load_catalog
from generator.validate import validate_profile

ROLES = 5_000
DANGLING = 2_000
RUNS = 5


def chain_profile(roles: int, dangling: int) -> str:
    """A profile with ``roles`` roles in one reporting chain; the last ``dangling`` of them
    report to ids that do not exist."""
    lines = ["organization: {id: scale, name: Scale}", "roles:"]
    lines.append("  - {id: role-00000, name: Role 0}")
    for i in range(1, roles):
        boss = f"rlee-{i - 1:05d}" if i >= roles - dangling else f"role-{i - 1:05d}"
        lines.append(f"  - {{id: role-{i:05d}, name: Role {i}, reports_to: {boss}}}")
    return "\n".join(lines) + "\n"


def time_validate(path: Path, runs: int) -> tuple[list[float], int]:
    catalog = load_catalog()
    times, errors = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        try:
            result = validate_profile(load_profile(path), catalog)
            errors = len(result.errors)
        except ProfileError as e:
            errors = len(e.findings)
        times.append(time.perf_counter() - start)
    return times, errors


def main() -> None:
    cases = {
        f"{ROLES} roles in one chain": chain_profile(ROLES, 0),
        f"{ROLES} roles, {DANGLING} dangling references": chain_profile(ROLES, DANGLING),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in cases.items():
            path = Path(tmp) / "profile.yaml"
            path.write_text(text, encoding="utf-8")
            times, errors = time_validate(path, RUNS)
            print(
                f"{name}: {len(text) // 1024} KiB, {errors} errors; "
                f"best {min(times):.3f} s, median {statistics.median(times):.3f} s"
            )


if __name__ == "__main__":
    main()
