"""What the print passes cost: Graphviz drawing the organization chart, and LibreOffice laying
out each DOCX so its contents can carry page numbers.

Run from the repository root:

    .venv/bin/python bench/print_passes.py [--runs 3] [--scales 1]

For the bundled event hotline and synthetic profiles of the given sizes (bench/synthetic.py):
Graphviz on the chart's source, as SVG (PDF, site) and as PNG (DOCX); then the DOCX step as a
user runs it, `ccdocs build --format docx --force` in a cold process, without the LibreOffice
pass (CCDOCS_SOFFICE=none), with it, and with it again on the same DOCX bytes (the pages then
come from the user's cache), interleaved. Median and minimum of the runs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from synthetic import bench_profiles  # noqa: E402

_FENCE = re.compile(r"^```dot\n(.*?)^```", re.S | re.M)


def seconds(command: list[str], env: dict[str, str] | None = None, stdin: str = "") -> float:
    start = time.perf_counter()
    done = subprocess.run(command, input=stdin.encode(), capture_output=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{command[:4]} failed: {done.stderr.decode()[-2000:]}")
    return time.perf_counter() - start


def line(label: str, times: list[float]) -> str:
    return f"| {label} | {statistics.median(times):.2f} s | {min(times):.2f} s |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scales", default="1")
    options = parser.parse_args()
    if shutil.which("dot") is None or shutil.which("soffice") is None:
        raise SystemExit("needs Graphviz (dot) and LibreOffice (soffice)")
    from generator.build import render_profile

    scales = [int(s) for s in options.scales.split(",") if s]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        profiles = bench_profiles(folder, scales)
        print(f"{options.runs} runs of each; median and minimum\n")
        print("| step | median | min |\n|---|---|---|")
        for name, profile in profiles.items():
            manual = render_profile(profile).publication.documents["operations-manual"]
            chart = _FENCE.search(manual)
            roles = chart[1].count("label=") if chart else 0
            for kind in ("svg", "png"):
                options_dot = ["-Gdpi=200"] if kind == "png" else []
                times = [
                    seconds(["dot", f"-T{kind}", *options_dot], stdin=chart[1] if chart else "")
                    for _ in range(options.runs)
                ]
                print(line(f"{name}: Graphviz, org chart of {roles} roles, {kind.upper()}", times))
            build = [sys.executable, "-m", "generator", "build", str(profile), "--force"]
            build += ["--format", "docx", "--out", str(folder / "out")]
            cache = {"CCDOCS_CACHE_DIR": str(folder / "cache")}
            without = {**os.environ, **cache, "CCDOCS_SOFFICE": "none"}
            with_pass = {**os.environ, **cache, "CCDOCS_SOFFICE": "soffice"}
            seconds(build, with_pass)  # the office profile made once, as after the first build
            plain: list[float] = []
            laid_out: list[float] = []
            remembered: list[float] = []
            for _ in range(options.runs):
                plain.append(seconds(build, without))
                shutil.rmtree(folder / "cache" / "office-pages", ignore_errors=True)
                laid_out.append(seconds(build, with_pass))
                remembered.append(seconds(build, with_pass))  # the same DOCX bytes again
            print(line(f"{name}: DOCX step without the LibreOffice pass", plain))
            print(line(f"{name}: DOCX step with it (page numbers in the contents)", laid_out))
            print(line(f"{name}: DOCX step with it, the pages remembered (--force)", remembered))


if __name__ == "__main__":
    main()
