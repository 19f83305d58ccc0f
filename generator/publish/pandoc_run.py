"""pandoc conversions, several in one pandoc process.

Starting pandoc costs more than converting one of ccdocs' documents: the DOCX writer reads its
data files anew on every start (about 0.1 s of CPU each time), so eight documents cost twice
what their conversion does. ``convert`` gives a list of conversions to one ``pandoc lua``
process running ``pandoc-run.lua``, which does for each what the pandoc command line does with
the same options (tests compare the bytes).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pypandoc

from generator.errors import PublishError
from generator.messages import error
from generator.publish import PANDOC_MARKDOWN

RUNNER = Path(__file__).with_name("pandoc-run.lua")
_FAILED_JOB = "job "


@dataclass(frozen=True)
class Conversion:
    """One document to convert, with the command-line options it needs."""

    source: str  # Markdown
    to: str  # pandoc's writer: docx, typst
    target: Path
    filters: tuple[Path, ...] = ()  # --lua-filter, in order
    reference_doc: Path | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)  # --metadata-file, as Markdown
    lang: str = ""  # --metadata=lang:...
    toc_depth: int = 0  # --toc --toc-depth; 0: no contents
    shift_headings: int = 0  # --shift-heading-level-by
    resources: Path | None = None  # --resource-path
    wrap: str = ""  # --wrap: auto, none, preserve; "" for pandoc's default

    def command_line(self, work: Path, source: Path) -> list[str]:
        """The pandoc command that does the same from the Markdown file ``source`` (with its
        metadata file written into ``work``): what benchmarks and tests compare against."""
        options = ["-f", PANDOC_MARKDOWN, "-t", self.to, "--quiet"]
        options += [f"--lua-filter={f}" for f in self.filters]
        if self.reference_doc is not None:
            options.append(f"--reference-doc={self.reference_doc}")
        if self.metadata:
            path = work / f"{self.target.stem}.metadata.json"
            path.write_text(json.dumps(dict(self.metadata), ensure_ascii=False), "utf-8")
            options.append(f"--metadata-file={path}")
        if self.lang:
            options.append(f"--metadata=lang:{self.lang}")
        if self.toc_depth:
            options += ["--toc", f"--toc-depth={self.toc_depth}"]
        if self.shift_headings:
            options.append(f"--shift-heading-level-by={self.shift_headings}")
        if self.resources is not None:
            options.append(f"--resource-path={self.resources}")
        if self.wrap:
            options.append(f"--wrap={self.wrap}")
        return [pypandoc.get_pandoc_path(), *options, str(source), "-o", str(self.target)]


def convert(conversions: Sequence[Conversion], work: Path) -> None:
    """Write every conversion's target, in one pandoc process using the folder ``work``.

    PublishError naming the target that could not be written, with pandoc's reason.
    """
    if not conversions:
        return
    work.mkdir(parents=True, exist_ok=True)
    jobs = []
    for i, conversion in enumerate(conversions):
        source = work / f"source-{i}.md"
        source.write_text(conversion.source, encoding="utf-8")
        jobs.append(_job(conversion, source))
    listing = work / "jobs.json"
    listing.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    try:
        command = [pypandoc.get_pandoc_path(), "lua", str(RUNNER), str(listing)]
        done = subprocess.run(command, capture_output=True)
    except OSError as e:  # no pandoc found, or it cannot be started
        raise error(PublishError, "error.pandoc-start", reason=e) from e
    if done.returncode == 0:
        return
    reason = done.stderr.decode("utf-8", "replace").strip()
    failed = conversions[0]
    last = reason.splitlines()[-1] if reason else ""
    if last.startswith(_FAILED_JOB):
        index, _, reason = last.removeprefix(_FAILED_JOB).partition(": ")
        if index.isdigit() and int(index) < len(conversions):
            failed = conversions[int(index)]
    reason = reason or f"status {done.returncode}"
    raise error(PublishError, "error.pandoc-write", name=failed.target.name, reason=reason)


def _job(conversion: Conversion, source: Path) -> dict[str, object]:
    job: dict[str, object] = {
        "from": PANDOC_MARKDOWN,
        "source": str(source),
        "to": conversion.to,
        "target": str(conversion.target),
        "filters": [str(f) for f in conversion.filters],
        "metadata": dict(conversion.metadata),
        "lang": conversion.lang,
        "toc_depth": conversion.toc_depth,
        "shift_headings": conversion.shift_headings,
    }
    if conversion.reference_doc is not None:
        job["reference_doc"] = str(conversion.reference_doc)
    if conversion.resources is not None:
        job["resources"] = str(conversion.resources)
    if conversion.wrap:
        job["wrap"] = conversion.wrap
    return job
