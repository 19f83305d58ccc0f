"""A consultant's batch: 100 client profiles built to Markdown, DOCX and the audit with -j 2,
then rebuilt with nothing changed.

Run: .venv/bin/python bench/batch_build.py [--clients 100] [--jobs 2]
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
FORMATS = "md,docx,audit"


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
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clients = [str(p) for p in write_clients(folder, options.clients)]
        out = str(folder / "build")
        batch = ["build", *clients, "--format", FORMATS, "-j", str(options.jobs), "--out", out]
        cold = run(batch)
        built = len(list((folder / "build").glob("client-*/docx/*.docx")))
        label = f"{options.clients} clients, {FORMATS}, -j {options.jobs}"
        print(f"{label}: {cold:.1f} s (budget 60 s)")
        print(f"  {built} DOCX files, {cold / options.clients:.2f} s per client")
        warm = run(batch)
        print(f"  the same batch again, nothing changed: {warm:.2f} s")
        single = ["build", clients[0], "--format", FORMATS, "--out", out]
        times = [run(single) for _ in range(7)]
        print(
            f"one client rebuilt, nothing changed: median {statistics.median(times):.3f} s, "
            f"best {min(times):.3f} s (budget 0.3 s, interpreter start-up included)"
        )


if __name__ == "__main__":
    main()
