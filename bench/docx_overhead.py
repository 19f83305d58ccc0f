"""ccdocs' DOCX step next to a bare pandoc conversion of the same Markdown, as whole processes.

For the bundled profile and the synthetic 1x profile (and 4x with --large) the Markdown is
rendered once; then, interleaved (a b i a b i ...), each a cold process as users run them:

  (a) ccdocs   one `python -c` that imports generator.publish.docx and calls publish_docx_all on
               the rendered documents of the profile, as a build on one core does (reference
               documents, one pandoc process for all, finishing);
  (b) pandoc   pypandoc's pandoc binary, one command per document, on the same Markdown (the
               print variant pandoc is given) with the same reader format, reference document,
               metadata and options (ccdocs converts every document in one pandoc process);
  (i) imports  `python -c "import generator.publish.docx"` alone: the floor of (a), mostly
               generator.publish and generator.render, which a real build imports anyway.

Run: .venv/bin/python bench/docx_overhead.py [--large] [--runs N]

For each input: the median and the minimum of (a) and (b), their ratio, and (a - i) / b, what the
DOCX step itself adds to pandoc. Each on the wall clock and in CPU time (user + system of the
processes): on a shared machine the wall clock wanders with other work, CPU time much less.
"same bytes" says whether every run of (a) wrote byte-identical DOCX files.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_synthetic

from generator.build import render_profile
from generator.bundled import default_profile
from generator.publish.docx import _conversion
from generator.publish.markdown import publish_markdown

# The DOCX step alone, from the rendered Markdown files and the pickled document facts.
CCDOCS_STEP = """
import pickle, sys
from pathlib import Path
from generator.publish.docx import publish_docx_all
manual, facts, out = Path(sys.argv[1]), pickle.loads(Path(sys.argv[2]).read_bytes()), sys.argv[3]
Path(out).mkdir(parents=True, exist_ok=True)
documents = [
    (
        (manual / f"{doc_id}.md").read_text(encoding="utf-8"),
        facts[doc_id],
        Path(out) / f"{doc_id}.docx",
    )
    for doc_id in sorted(facts)
]
publish_docx_all(documents, Path(out))
"""

Timing = tuple[float, float]  # wall clock, CPU time (s)


class Case:
    """One profile's rendered documents and the commands that convert them."""

    def __init__(self, profile: Path, folder: Path) -> None:
        publication = render_profile(profile).publication
        self.manual = folder / "manual"
        publish_markdown(publication.documents, self.manual)
        self.facts = folder / "facts.pickle"
        self.facts.write_bytes(pickle.dumps(dict(publication.facts)))
        self.size = sum(len(t.encode("utf-8")) for t in publication.documents.values())
        # What the bare tool is given: the print variant, ccdocs' reference document and
        # metadata, the same options (the command line equal to ccdocs' conversion).
        bare = folder / "bare"
        bare.mkdir()
        self.bare: list[list[str]] = []
        for doc_id, text in sorted(publication.documents.items()):
            meta = publication.facts[doc_id]
            conversion = _conversion(text, meta, bare / f"{doc_id}.docx", bare)
            source = bare / f"{doc_id}.md"
            source.write_text(conversion.source, encoding="utf-8")
            self.bare.append(conversion.command_line(bare, source))
        self.out = folder / "ccdocs"
        self.ccdocs = [
            [sys.executable, "-c", CCDOCS_STEP, str(self.manual), str(self.facts), str(self.out)]
        ]
        self.imports = [[sys.executable, "-c", "import generator.publish.docx"]]

    def digest(self) -> str:
        sha = hashlib.sha256()
        for path in sorted(self.out.glob("*.docx")):
            if not path.name.endswith(".reference.docx"):  # pandoc's input, not an output
                sha.update(path.read_bytes())
        return sha.hexdigest()


def timed(commands: Sequence[Sequence[str]]) -> Timing:
    """Wall clock and CPU time of ``commands`` run one after the other, each a process."""
    before = os.times()
    start = time.perf_counter()
    for command in commands:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def row(name: str, size: str, clock: str, ours: list[float], bare: list[float], imp: float) -> str:
    a, b = statistics.median(ours), statistics.median(bare)
    return (
        f"{name:<13} {size:>9} {clock:<5} | {a:>6.2f} {min(ours):>6.2f} | "
        f"{b:>6.2f} {min(bare):>6.2f} | {a / b:>5.2f} {min(ours) / min(bare):>5.2f} | "
        f"{imp:>6.2f} | {(a - imp) / b:>6.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--large", action="store_true", help="the synthetic 4x profile too")
    parser.add_argument("--runs", type=int, default=7, help="rounds of (a b i) per profile")
    args = parser.parse_args()
    print(
        f"{'input':<13} {'Markdown':>9} {'clock':<5} | {'ccdocs (a)':>13} | {'pandoc (b)':>13} "
        f"| {'a / b':>11} | {'(i)':>6} | {'(a-i)/b':>7}"
    )
    print(
        f"{'':<13} {'':>9} {'':<5} | {'median   min':>13} | {'median   min':>13} "
        f"| {'median  min':>11} | {'median':>6} | {'median':>7}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        profiles = [("bundled", default_profile())]
        for scale in (1, 4) if args.large else (1,):
            profiles.append((f"synthetic {scale}x", write_synthetic(folder, scale, f"syn{scale}")))
        for name, profile in profiles:
            case = Case(profile, folder / name.replace(" ", "-"))
            ours: list[Timing] = []
            bare: list[Timing] = []
            imports: list[Timing] = []
            digests = set()
            for _ in range(args.runs):  # interleaved, so drifting load hits all three alike
                ours.append(timed(case.ccdocs))
                digests.add(case.digest())
                bare.append(timed(case.bare))
                imports.append(timed(case.imports))
            size = f"{case.size / 1024:.0f} KiB"
            for clock, k in (("wall", 0), ("cpu", 1)):
                imp = statistics.median(t[k] for t in imports)
                print(
                    row(name, size, clock, [t[k] for t in ours], [t[k] for t in bare], imp),
                    flush=True,
                )
                name = size = ""
            same = "yes" if len(digests) == 1 else "NO"
            print(f"{'':<13} every run of (a) wrote the same bytes: {same}")


if __name__ == "__main__":
    main()
