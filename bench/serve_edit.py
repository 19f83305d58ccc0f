"""How long `ccdocs serve` takes to show an edit: from saving the profile to the changed page
answering over HTTP with the new text.

Run: .venv/bin/python bench/serve_edit.py            # --edits N, --scale 1 --scale 4, --keep-cache

For the bundled event hotline and a synthetic profile at the CCCS scale (bench/synthetic.py),
each in its own `ccdocs serve PROFILE --address 127.0.0.1:PORT` process: wait until the
operations manual answers, then change `organization.parent` (shown on that page only) a few
times, polling the page until the new text appears. Standard library and the project only.
Each server starts with an empty cache folder (CCDOCS_CACHE_DIR) unless --keep-cache is given.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import bench_profiles

PAGE = "operations-manual.html"
FIELD = "  parent: "  # organization.parent, printed in the operations manual only


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(url: str, text: str, deadline: float, pause: float = 0.01) -> float:
    """Poll ``url`` until its body contains ``text``; the time it first did."""
    while time.perf_counter() < deadline:
        body = fetch(url)
        if body is not None and text in body:
            return time.perf_counter()
        time.sleep(pause)
    raise TimeoutError(f"{url} never showed {text!r}")


def with_parent(text: str, value: str) -> str:
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith(FIELD):
            lines[i] = f"{FIELD}{value}\n"
            return "".join(lines)
    raise ValueError("the profile has no organization.parent")


def measure(profile: Path, edits: int, env: dict[str, str]) -> tuple[float, list[float]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/{PAGE}"
    ccdocs = Path(sys.executable).parent / "ccdocs"
    original = profile.read_text(encoding="utf-8")
    start = time.perf_counter()
    server = subprocess.Popen(
        [str(ccdocs), "serve", str(profile), "--address", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        startup = wait_for(url, "</html>", start + 300, pause=0.05) - start
        times = []
        for n in range(edits):
            marker = f"bench-edit-{os.getpid()}-{n}"
            text = with_parent(original, marker)
            time.sleep(1.0)  # let the previous rebuild settle, as between two saves
            written = time.perf_counter()
            profile.write_text(text, encoding="utf-8")
            times.append(wait_for(url, marker, written + 120) - written)
    finally:
        server.send_signal(signal.SIGINT)  # as Ctrl-C: the server shuts down cleanly
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        profile.write_text(original, encoding="utf-8")
    return startup, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--scale", type=int, action="append", help="synthetic scales (1)")
    parser.add_argument("--keep-cache", action="store_true", help="use the normal cache folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ccdocs-serve-bench-") as tmp:
        folder = Path(tmp)
        profiles = bench_profiles(folder, args.scale or [1])
        print(f"{'profile':<24} {'startup':>8} {'edit median':>12} {'edit min':>9}  edits (s)")
        for name, profile in profiles.items():
            env = dict(os.environ)
            if not args.keep_cache:
                env["CCDOCS_CACHE_DIR"] = str(folder / f"cache-{profile.stem}")
            startup, times = measure(profile, args.edits, env)
            each = " ".join(f"{t:.2f}" for t in times)
            print(
                f"{name:<24} {startup:7.2f}s {statistics.median(times):11.2f}s "
                f"{min(times):8.2f}s  {each}",
                flush=True,
            )


if __name__ == "__main__":
    main()
