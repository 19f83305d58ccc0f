"""A consultant's batch: 100 client profiles built in every format (Markdown, DOCX, PDF, site
and the audit) with -j 2, then rebuilt with nothing changed.

Run: .venv/bin/python bench/batch_build.py [--clients 100] [--jobs 2] [--formats md,docx,audit]
Every client extends one of the four full presets (bank card center, telecom, event hotline,
water utility) with its own id, name and service-level target, so every client renders its own
documents. Timings are of the real command line, interpreter start-up included.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PRESETS = ("bank-card-center", "telecom", "event-hotline", "water-utility")
CCDOCS = [sys.executable, "-m", "generator"]
FORMATS = "md,docx,pdf,site,audit"


def write_clients(folder: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = folder / f"client-{i:03d}.yaml"
        path.write_text(
            f"extends: {PRESETS[i % len(PRESETS)]}\n"
            "organization:\n"
            f"  id: client-{i:03d}\n"
            f"  name: 客户 {i:03d} 客户服务中心\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def run(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([*CCDOCS, *args], check=False, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--formats", default=FORMATS)
    options = parser.parse_args()
    formats = options.formats
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clients = [str(p) for p in write_clients(folder, options.clients)]
        out = str(folder / "build")
        batch = ["build", *clients, "--format", formats, "-j", str(options.jobs), "--out", out]
        cold = run(batch)
        built = {
            kind: len(list((folder / "build").glob(pattern)))
            for kind, pattern in (
                ("DOCX", "client-*/docx/*.docx"),
                ("PDF", "client-*/pdf/*.pdf"),
                ("sites", "client-*/site/index.html"),
            )
        }
        label = f"{options.clients} clients, {formats}, -j {options.jobs}"
        print(f"{label}: {cold:.1f} s (budget 120 s)")
        files = ", ".join(f"{n} {kind}" for kind, n in built.items())
        print(f"  {files}; {cold / options.clients:.2f} s per client")
        warm = run(batch)
        print(f"  the same batch again, nothing changed: {warm:.2f} s")
        single = ["build", clients[0], "--format", formats, "--out", out]
        times = [run(single) for _ in range(7)]
        print(
            f"one client rebuilt, nothing changed: median {statistics.median(times):.3f} s, "
            f"best {min(times):.3f} s (budget 0.3 s, interpreter start-up included)"
        )


if __name__ == "__main__":
    main()
