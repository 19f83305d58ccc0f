"""The full build at scale: every format of the bundled profile and of synthetic large centers,
against their Markdown-only build, as a user runs them (a cold `ccdocs build` each time).

Run from the repository root:

    .venv/bin/python bench/full_build.py                      # bundled profile and 1x
    .venv/bin/python bench/full_build.py --scales 1 4 16 --runs 1

For each input: wall time of `--format md` and of every format (median and minimum of
interleaved runs), their ratio, and the peak memory of the full build: the largest single
process (the build, pandoc or Typst), and the most that the build's processes held at one
moment together (sampled from /proc every 20 ms; Linux only).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
CCDOCS = [sys.executable, "-m", "generator", "build"]


def tree_rss(root: int) -> int:
    """Resident memory in bytes of ``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(entry), int(fields[1])
        children.setdefault(parent, []).append(pid)
        rss[pid] = int(fields[21]) * page
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def run(profile: Path, out: Path, formats: str) -> tuple[float, int, int]:
    """Wall time, largest process and largest sum over the process tree (MiB)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [*CCDOCS, str(profile), "--out", str(out), "--format", formats, "--force"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.02):
            peak = max(peak, tree_rss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if Path("/proc").is_dir():
        sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    stop.set()
    if status != 0:
        raise SystemExit(f"ccdocs build {profile} --format {formats} failed (status {status})")
    return elapsed, usage.ru_maxrss // 1024, peak // 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="*", default=[1])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-bundled", action="store_true")
    args = parser.parse_args()

    from synthetic import write_synthetic

    from generator.bundled import default_profile

    all_formats = "md,docx,pdf,site,audit"
    print(
        "| input | md only | every format | ratio | largest process | all processes at once |\n"
        "|---|---|---|---|---|---|",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = [] if args.no_bundled else [("bundled event hotline", default_profile())]
        inputs += [(f"synthetic {s}x", write_synthetic(folder, s, f"syn{s}")) for s in args.scales]
        for name, profile in inputs:
            md: list[float] = []
            full: list[float] = []
            largest = together = 0
            for _ in range(args.runs):  # interleaved: md, full, md, full
                md.append(run(profile, folder / "md", "md")[0])
                seconds, one, many = run(profile, folder / "full", all_formats)
                full.append(seconds)
                largest, together = max(largest, one), max(together, many)
            ratio = statistics.median(full) / statistics.median(md)
            print(
                f"| {name} | {statistics.median(md):.2f} s (min {min(md):.2f}) "
                f"| {statistics.median(full):.2f} s (min {min(full):.2f}) | {ratio:.1f}x "
                f"| {largest} MiB | {together or '—'} MiB |",
                flush=True,
            )


if __name__ == "__main__":
    main()
