"""How long Markdown takes: the bundled profile, and synthetic profiles at 1x, 4x and 16x the size
of the CCCS 7th edition (236 processes, 75 KPIs, 300 roles, 50 emergency scenarios).

Run: .venv/bin/python bench/render_markdown.py
Each figure is the best of several runs of the whole pipeline (load, validate, resolve, render,
write), in one process with the standards map loaded once, as a batch build would.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import write_synthetic

from generator.build import build_profile
from generator.bundled import default_profile
from generator.standards import load_catalog


def best_of(runs: int, path: Path, out: Path, catalog) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        build_profile(path, out, formats=["md"], catalog=catalog, force=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        build_profile(default_profile(), folder / "cold", formats=["md"], catalog=load_catalog())
        print(f"bundled profile, first run with map loading: {time.perf_counter() - start:.3f} s")
        bundled = best_of(5, default_profile(), folder / "out", catalog)
        print(f"bundled profile (event hotline):            {bundled:.3f} s   (budget 0.3 s)")
        previous = None
        for scale in (1, 4, 16):
            path = write_synthetic(folder, scale, f"synthetic-{scale}x")
            size = path.stat().st_size // 1024
            seconds = best_of(3 if scale < 16 else 1, path, folder / "out", catalog)
            growth = f"  x{seconds / previous:.1f} vs previous" if previous else ""
            budget = "   (budget 1 s)" if scale == 1 else ""
            label = f"synthetic {scale:>2}x ({size:>5} KiB profile):"
            print(f"{label:<44} {seconds:.3f} s{budget}{growth}")
            previous = seconds


if __name__ == "__main__":
    main()
