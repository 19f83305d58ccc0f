"""The full build of the bundled profile in every format, next to the bare tools on the same
Markdown: pandoc to DOCX alone, pandoc + WeasyPrint to PDF alone, and `mkdocs build` alone.

Run: .venv/bin/python bench/publish_formats.py
The ratio (ccdocs / bare tools) says what ccdocs adds on top of the converters it drives:
validation, rendering, the reference document, properties, covers, the site project.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pypandoc

from generator.build import build_profile
from generator.bundled import default_profile
from generator.standards import load_catalog


def timed(action: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # One build to get the Markdown and the site project the bare tools start from.
        result = build_profile(default_profile(), folder / "seed", catalog=catalog)
        manual = sorted((result.output / "manual").glob("*.md"))

        full = timed(
            lambda: build_profile(default_profile(), folder / "full", catalog=catalog, force=True)
        )

        def bare_docx() -> None:
            for md in manual:
                pypandoc.convert_file(str(md), "docx", outputfile=str(folder / f"{md.stem}.docx"))

        def bare_pdf() -> None:
            from weasyprint import HTML

            for md in manual:
                html = pypandoc.convert_file(
                    str(md), "html5", extra_args=["--standalone", f"--metadata=title:{md.stem}"]
                )
                HTML(string=html).write_pdf(str(folder / f"{md.stem}.pdf"))

        project = folder / "project"
        project.mkdir()
        docs = project / "docs"
        docs.mkdir()
        for md in manual:
            (docs / md.name).write_text(md.read_text(encoding="utf-8"), encoding="utf-8")
        (project / "mkdocs.yml").write_text(
            "site_name: bench\ntheme:\n  name: material\nplugins:\n  - search\n"
            "markdown_extensions: [attr_list, tables]\n",
            encoding="utf-8",
        )

        def bare_site() -> None:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "mkdocs",
                    "build",
                    "-q",
                    "-f",
                    str(project / "mkdocs.yml"),
                    "-d",
                    str(folder / "site"),
                ],
                check=True,
                capture_output=True,
            )

        docx = timed(bare_docx)
        pdf = timed(bare_pdf)
        site = timed(bare_site)
    bare = docx + pdf + site
    print(f"ccdocs build, all formats (md, docx, pdf, site): {full:6.2f} s")
    print(f"bare pandoc -> DOCX (3 documents):               {docx:6.2f} s")
    print(f"bare pandoc + WeasyPrint -> PDF (3 documents):   {pdf:6.2f} s")
    print(f"bare mkdocs build:                               {site:6.2f} s")
    print(f"bare tools together:                             {bare:6.2f} s")
    print(f"ratio ccdocs / bare tools:                       {full / bare:6.2f}   (target <= 1.3)")


if __name__ == "__main__":
    main()
