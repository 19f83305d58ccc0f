"""What the site step costs on top of a bare `mkdocs build` of the same project.

Run: .venv/bin/python bench/site_overhead.py           # --rounds N, --scale 1 --scale 4

For the bundled event hotline and a synthetic profile at the CCCS scale (bench/synthetic.py),
every run a cold process of its own, the runs of one round interleaved:

- ccdocs' site step: `ccdocs build PROFILE --format site --force` minus
  `ccdocs build PROFILE --format md --force` (load, validation and rendering are in both);
- bare MkDocs: `python -m mkdocs build` on the project ccdocs writes (`write_site_project`, the
  same docs/ and mkdocs.yml), Material's search plugin segmenting Chinese with jieba itself.

"warm" is the steady state: ccdocs' cache folder (CCDOCS_CACHE_DIR: compiled templates, jieba's
segmentation of each run of Chinese text) filled by an earlier build, and jieba's own dictionary
cache (jieba.cache in the temporary folder) present. "cold" is the first build on a machine:
both empty (a fresh CCDOCS_CACHE_DIR and TMPDIR for each run). "new text" is a warm machine
building a profile never built before: jieba's dictionary cache present, ccdocs' cache empty.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import bench_profiles

BIN = Path(sys.executable).parent


def run(command: list[str], env: dict[str, str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def write_project(profile: Path, project: Path, env: dict[str, str]) -> Path:
    """The site project ccdocs builds for ``profile``, written by ccdocs' own code."""
    code = (
        "import sys; from pathlib import Path\n"
        "from generator.build import render_profile\n"
        "from generator.publish.site import write_site_project\n"
        "rendered = render_profile(Path(sys.argv[1]))\n"
        "print(write_site_project(rendered.publication, Path(sys.argv[2])))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(profile), str(project)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(done.stdout.strip())


class Caches:
    """Environments for the child processes: the warm cache folder, or fresh ones."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.warm = {**os.environ, "CCDOCS_CACHE_DIR": str(folder / "cache")}  # TMPDIR as usual
        self.count = 0

    def cold(self, keep_jieba: bool) -> dict[str, str]:
        """A fresh ccdocs cache; with a fresh temporary folder, no jieba.cache either."""
        self.count += 1
        env = {**os.environ, "CCDOCS_CACHE_DIR": str(self.folder / f"cold-cache-{self.count}")}
        if not keep_jieba:
            tmp = self.folder / f"cold-tmp-{self.count}"
            tmp.mkdir()
            env["TMPDIR"] = str(tmp)
        return env


def measure(profile: Path, folder: Path, caches: Caches, rounds: int) -> dict[str, list[float]]:
    out = folder / f"out-{profile.stem}"
    project = write_project(profile, folder / f"project-{profile.stem}", caches.warm)
    ccdocs = [str(BIN / "ccdocs"), "build", str(profile), "--out", str(out), "--force"]
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(project)]
    mkdocs += ["-d", str(folder / f"site-{profile.stem}")]

    def step(env: Callable[[], dict[str, str]]) -> float:
        """Each of the two runs with an environment of its own (cold: its own caches)."""
        site = run([*ccdocs, "--format", "site"], env())
        return site - run([*ccdocs, "--format", "md"], env())

    def bare(env: dict[str, str]) -> float:
        return run(mkdocs, env, cwd=project.parent)

    cases: dict[str, Callable[[], float]] = {
        "site warm": lambda: step(lambda: caches.warm),
        "bare warm": lambda: bare(caches.warm),
        "site new text": lambda: step(lambda: caches.cold(keep_jieba=True)),
        "site cold": lambda: step(lambda: caches.cold(keep_jieba=False)),
        "bare cold": lambda: bare(caches.cold(keep_jieba=False)),
    }
    step(lambda: caches.warm)  # fill the warm cache (and jieba.cache) once
    times: dict[str, list[float]] = {case: [] for case in cases}
    for _ in range(rounds):
        for case, action in cases.items():  # interleaved: load drifts hit every case
            times[case].append(action())
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scale", type=int, action="append", help="synthetic scales (1)")
    args = parser.parse_args()
    print(
        f"{'profile':<24} {'caches':<9} {'site step med / min':>20} {'bare mkdocs med / min':>22}"
        f" {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory(prefix="ccdocs-site-bench-") as tmp:
        folder = Path(tmp)
        profiles = bench_profiles(folder, args.scale or [1])
        caches = Caches(folder)
        for name, profile in profiles.items():
            times = measure(profile, folder, caches, args.rounds)
            for kind, bare in (("warm", "warm"), ("new text", "warm"), ("cold", "cold")):
                ours, theirs = times[f"site {kind}"], times[f"bare {bare}"]
                ratio = statistics.median(ours) / statistics.median(theirs)
                print(
                    f"{name:<24} {kind:<9} {statistics.median(ours):9.2f} / {min(ours):5.2f} s "
                    f"{statistics.median(theirs):11.2f} / {min(theirs):5.2f} s {ratio:6.2f}",
                    flush=True,
                )
    print("ratio: median site step / median bare mkdocs build (target <= 1.3); 'new text' is")
    print("compared with the warm bare build (jieba.cache present, ccdocs' cache empty)")


if __name__ == "__main__":
    main()
