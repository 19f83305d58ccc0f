"""How long `ccdocs check-docs` takes on a folder of 200 documents it did not write.

Run: .venv/bin/python bench/check_docs.py            # --documents 200 --runs 3

The folder: the four bundled presets' documents in Chinese and English as DOCX, PDF and
Markdown (built by the real command line, LibreOffice pass off), the records' evidence files,
and copies of them until there are --documents files: every third copy of a Markdown document
loses a chapter, every copy gets a new name in a subfolder of its own. Then
`ccdocs check-docs FOLDER --as-of 2026-03-31` runs --runs times as a user runs it (a new
process each time, interpreter start-up included). Standard library and the project only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PRESETS = ("bank-card-center", "telecom", "event-hotline", "water-utility")
CCDOCS = [sys.executable, "-m", "generator"]
ROOT = Path(__file__).resolve().parent.parent


def build_originals(folder: Path) -> list[Path]:
    """Every bundled preset's documents (zh and en; DOCX, PDF, Markdown) and evidence files."""
    env = {**os.environ, "CCDOCS_SOFFICE": "none"}
    originals = []
    for preset in PRESETS:
        profile = ROOT / "org_profiles" / f"{preset}.yaml"
        for language in ("zh", "en"):
            out = folder / "built" / language
            command = [*CCDOCS, "build", str(profile), "--out", str(out)]
            command += ["--format", "md,docx,pdf", "--lang", language]
            subprocess.run(command, check=True, capture_output=True, env=env)
            for sub, suffix in (("manual", "md"), ("docx", "docx"), ("pdf", "pdf")):
                originals += sorted((out / preset / sub).glob(f"*.{suffix}"))
        originals += sorted((ROOT / "org_profiles" / "evidence" / preset).glob("*.md"))
    return originals


def fill_folder(originals: list[Path], folder: Path, count: int) -> None:
    """``count`` files under ``folder``: the originals, then renamed (and some cut) copies."""
    for i in range(count):
        source = originals[i % len(originals)]
        target = folder / f"set-{i // len(originals):02d}" / f"doc-{i:03d}{source.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix == ".md" and i >= len(originals) and i % 3 == 0:
            lines = source.read_text(encoding="utf-8").splitlines()
            chapters = [n for n, line in enumerate(lines) if line.startswith("## ")]
            if len(chapters) > 2:  # drop the second chapter
                del lines[chapters[1] : chapters[2]]
            target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        else:
            shutil.copy(source, target)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        originals = build_originals(work)
        folder = work / "received"
        fill_folder(originals, folder, options.documents)
        kinds = {s: len(list(folder.rglob(f"*{s}"))) for s in (".docx", ".pdf", ".md")}
        command = [*CCDOCS, "check-docs", str(folder), "--as-of", "2026-03-31"]
        command += ["--out", str(work / "out")]
        times = []
        for _ in range(options.runs):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        files = ", ".join(f"{n} {s[1:].upper()}" for s, n in kinds.items())
        print(f"{options.documents} documents ({files}) on {os.cpu_count()} cores:")
        print(
            f"  check-docs median {statistics.median(times):.2f} s, best {min(times):.2f} s "
            f"over {options.runs} runs (budget 30 s)"
        )


if __name__ == "__main__":
    main()
