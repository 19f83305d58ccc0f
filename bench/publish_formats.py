"""The full build of the bundled profile in every format against the bare tools fed the very same
inputs, one after another: the floor a serial build could reach.

Run from the repository root:

    .venv/bin/python bench/publish_formats.py [--runs 5] [--profile FILE]

Every side is a separate cold command, as a user runs it, and the sides are interleaved (ccdocs,
floor, ccdocs, floor...). The floor feeds the tools what ccdocs feeds them (written out once
beforehand): Graphviz on the organization chart, pandoc to DOCX with ccdocs' reference document,
metadata and filters, LibreOffice laying each DOCX out (when it is installed: the pass that puts
page numbers in the DOCX contents; CCDOCS_SOFFICE=none leaves it out of both sides), pandoc to
Typst and Typst with ccdocs' page layout and document facts, and `mkdocs build` on ccdocs' site
project.
ccdocs does all that and more (loading, validation, rendering, the audit), with its conversions
side by side; the ratio says what that buys.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def prepare(profile: Path, folder: Path) -> list[list[str]]:
    """Write the inputs ccdocs gives each tool into ``folder``; the floor's commands."""
    import pypandoc

    from generator.build import render_profile
    from generator.bundled import bundled_dir
    from generator.publish import PANDOC_MARKDOWN, diagrams
    from generator.publish.docx import _conversion
    from generator.publish.office_pages import office
    from generator.publish.pdf import COMPILER, TOKENS_FILTER, _facts
    from generator.publish.placeholders import PLACEHOLDERS_FILTER, mark_placeholders
    from generator.publish.site import write_site_project

    publication = render_profile(profile).publication
    pandoc = pypandoc.get_pandoc_path()
    soffice = office()
    commands: list[list[str]] = []
    for doc_id, markdown in sorted(publication.documents.items()):
        facts = publication.facts[doc_id]
        printed = mark_placeholders(markdown, facts.placeholder)
        marks = [f"--lua-filter={PLACEHOLDERS_FILTER}"] if "<mark>" in printed else []
        for match in diagrams._FENCE.finditer(printed):  # Graphviz draws each diagram twice
            dot_source = folder / f"{doc_id}.dot"
            dot_source.write_text(match[1], encoding="utf-8")
            for kind in ("png", "svg"):
                output = str(folder / f"{doc_id}.{kind}")
                commands.append(["dot", f"-T{kind}", str(dot_source), "-o", output])
        docx_work = folder / f"{doc_id}.docx-work"
        docx_work.mkdir()
        conversion = _conversion(markdown, facts, folder / f"{doc_id}.docx", docx_work)
        source = folder / f"{doc_id}.md"
        source.write_text(conversion.source, encoding="utf-8")
        commands.append(conversion.command_line(docx_work, source))
        if soffice:  # the layout pass that numbers the DOCX contents
            office_args = ["--headless", "--convert-to", "pdf", "--outdir", str(folder / "lo")]
            profile_dir = f"-env:UserInstallation={(folder / 'office').as_uri()}"
            commands.append([soffice, profile_dir, *office_args, str(folder / f"{doc_id}.docx")])
        work = folder / f"typst-{doc_id}"
        work.mkdir()
        typst_markdown = work / f"{doc_id}.md"
        typst_markdown.write_text(diagrams.for_print(printed, work, "typst"), encoding="utf-8")
        typst_source = work / f"{doc_id}.typ"
        (work / "facts.json").write_text(json.dumps(_facts(facts, work), ensure_ascii=False))
        filters = " ".join(f'--lua-filter="{f}"' for f in [TOKENS_FILTER, *marks_paths(marks)])
        commands.append(
            [
                "sh",
                "-c",
                f'"$0" -f {PANDOC_MARKDOWN} -t typst --wrap=none {filters} "$1" '
                f'| cat "$2" - > "$3"',
                pandoc,
                str(typst_markdown),
                str(bundled_dir("site") / "print.typ"),
                str(typst_source),
            ]
        )
        commands.append(
            [
                sys.executable,
                str(COMPILER),
                str(work),
                str(typst_source),
                str(work / "facts.json"),
                str(folder / f"{doc_id}.pdf"),
            ]
        )
    config = write_site_project(publication, folder / "project")
    commands.append(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(folder / "s")]
    )
    return commands


def marks_paths(marks: list[str]) -> list[str]:
    return [mark.split("=", 1)[1] for mark in marks]


def timed(commands: list[list[str]]) -> float:
    start = time.perf_counter()
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{command[:3]}... failed: {done.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    from generator.bundled import default_profile
    from generator.user_cache import cache_root

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", type=Path, default=default_profile())
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        floor_dir = folder / "floor"
        floor_dir.mkdir()
        floor = prepare(args.profile, floor_dir)
        out = str(folder / "out")
        build = [
            [sys.executable, "-m", "generator", "build", str(args.profile), "--out", out, "--force"]
        ]
        timed(build)  # warm the template cache and the OS's file cache, as a second run would
        ours: list[float] = []
        bare: list[float] = []
        for _ in range(args.runs):
            # the DOCX contents laid out afresh, as in a first build (a rebuild of the same
            # documents takes their pages from the user's cache: bench/print_passes.py)
            shutil.rmtree(cache_root() / "office-pages", ignore_errors=True)
            ours.append(timed(build))
            for path in floor_dir.glob("*.docx"):
                path.unlink()
            shutil.rmtree(floor_dir / "s", ignore_errors=True)
            bare.append(timed(floor))
    print(f"input: {args.profile.name}; {args.runs} interleaved runs of each side")
    print("| side | median | min |\n|---|---|---|")
    print(f"| ccdocs build, every format | {statistics.median(ours):.2f} s | {min(ours):.2f} s |")
    print(f"| bare tools one after another | {statistics.median(bare):.2f} s | {min(bare):.2f} s |")
    ratio = statistics.median(ours) / statistics.median(bare)
    print(f"ratio of medians: {ratio:.2f} (targets: <= 0.8 at the output-at-scale issue, <= 1.3)")


if __name__ == "__main__":
    main()
