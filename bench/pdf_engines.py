"""The PDF engine, chosen by measurement: Typst (what ccdocs ships) against WeasyPrint.

Both engines get the same rendered Markdown of the three documents and the same cover, contents
and running header; each conversion runs as a cold process of its own, the engines interleaved.
Reported per input: median and minimum wall time, peak memory (the process and the pandoc it
starts), pages, size, and whether two runs gave the same bytes.

Run from the repository root:

    .venv/bin/python bench/pdf_engines.py                   # bundled profile and synthetic 1x
    .venv/bin/python bench/pdf_engines.py --scales 1 4 16 --runs 1

WeasyPrint is no longer a dependency of ccdocs; install it into the environment
(`pip install weasyprint`, and the Pango libraries) to include it. Its pipeline here is the one
ccdocs used before (pandoc to HTML, bench/weasyprint-print.css, a running-header stylesheet).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import importlib.util
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

ENGINES = ("typst", "weasyprint")


def facts(doc_id: str, language: str = "zh"):  # type: ignore[no-untyped-def]
    from generator.publish import DocumentFacts

    return DocumentFacts(
        doc_id=doc_id,
        title=doc_id,
        organization="Benchmark",
        number="BENCH-001",
        version="1.0",
        effective_date="2026-01-01",
        owner="",
        page_of="第 {page} 页，共 {pages} 页",
        toc_title="目录",
        language=language,
    )


def convert_typst(manual: Path, out: Path) -> None:
    from generator.publish.pdf import publish_pdf

    for md in sorted(manual.glob("*.md")):
        text = md.read_text(encoding="utf-8")
        publish_pdf(text, facts(md.stem), out / f"{md.stem}.pdf", out / "work" / md.stem)


def convert_weasyprint(manual: Path, out: Path) -> None:
    import pypandoc
    from weasyprint import CSS, HTML

    from generator.publish import PANDOC_MARKDOWN
    from generator.publish.pdf import cjk_font

    family = cjk_font()
    stylesheet = CSS(string=(HERE / "weasyprint-print.css").read_text(encoding="utf-8"))
    for md in sorted(manual.glob("*.md")):
        meta = facts(md.stem)
        body = pypandoc.convert_text(
            md.read_text(encoding="utf-8"),
            "html5",
            format=PANDOC_MARKDOWN,
            verify_format=False,
        )
        body = re.sub(r"<h1[^>]*>.*?</h1>", "", body, count=1, flags=re.S)
        items = "".join(
            f'<li class="toc-{level}"><a href="#{anchor}">{re.sub(r"<[^>]+>", "", text)}</a></li>'
            for level, anchor, text in re.findall(
                r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', body, re.S
            )
        )
        e = html.escape
        document = (
            f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{e(meta.title)}</title></head><body>"
            f'<section class="cover"><p class="org">{e(meta.organization)}</p>'
            f'<h1 class="doc-title">{e(meta.title)}</h1>'
            f'<p class="control">{meta.number} · v{meta.version}</p></section>'
            f'<nav class="toc"><h1 class="toc-title">目录</h1><ul>{items}</ul></nav>'
            f"<main>{body}</main></body></html>"
        )
        running = CSS(
            string=f'html {{ font-family: "{family}", serif; }}\n'
            f'@page {{ @top-right {{ content: "{meta.number}  v{meta.version}"; }}\n'
            '  @bottom-center { content: "第 " counter(page) " 页，共 " counter(pages) " 页"; } }\n'
            "@page :first { @top-right { content: none; } @bottom-center { content: none; } }\n"
        )
        HTML(string=document).write_pdf(
            str(out / f"{md.stem}.pdf"), stylesheets=[stylesheet, running]
        )


def child(engine: str, manual: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (convert_typst if engine == "typst" else convert_weasyprint)(manual, out)


def run_once(engine: str, manual: Path, out: Path) -> tuple[float, int, str, int]:
    """Wall time, peak memory in MiB, digest of the PDFs and their pages, for one cold run."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, "--child", engine, str(manual), str(out)])
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{engine} failed on {manual}")
    digest = hashlib.sha256()
    pages = 0
    for pdf in sorted(out.glob("*.pdf")):
        digest.update(pdf.read_bytes())
        if shutil.which("pdfinfo"):
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
            pages += int(re.search(r"Pages:\s+(\d+)", info)[1])  # type: ignore[index]
    return elapsed, usage.ru_maxrss // 1024, digest.hexdigest()[:12], pages


def markdown_for(profile: Path, folder: Path) -> Path:
    from generator.build import build_profile

    result = build_profile(profile, folder, formats=("md",), force=True)
    return result.output / "manual"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="*", default=[1])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", nargs="*", default=list(ENGINES))
    parser.add_argument("--no-bundled", action="store_true")
    args = parser.parse_args()
    engines = [e for e in args.engines if e == "typst" or importlib.util.find_spec(e)]
    for missing in sorted(set(args.engines) - set(engines)):
        print(f"({missing} is not installed: left out)")

    from synthetic import write_synthetic

    from generator.bundled import default_profile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = [] if args.no_bundled else [("bundled event hotline", default_profile())]
        inputs += [(f"synthetic {s}x", write_synthetic(folder, s, f"syn{s}")) for s in args.scales]
        print(
            "| input | engine | median | min | peak memory | pages | same bytes twice |\n"
            "|---|---|---|---|---|---|---|"
        )
        for name, profile in inputs:
            manual = markdown_for(profile, folder / f"md-{profile.stem}")
            times: dict[str, list[float]] = {e: [] for e in engines}
            memory: dict[str, int] = {e: 0 for e in engines}
            digests: dict[str, set[str]] = {e: set() for e in engines}
            pages: dict[str, int] = {}
            for _ in range(max(args.runs, 2 if name.startswith("bundled") else 1)):
                for engine in engines:  # interleaved: a b a b
                    t, mib, digest, n = run_once(engine, manual, folder / f"out-{engine}")
                    times[engine].append(t)
                    memory[engine] = max(memory[engine], mib)
                    digests[engine].add(digest)
                    pages[engine] = n
            for engine in engines:
                runs = times[engine]
                same = (
                    "yes"
                    if len(digests[engine]) == 1 and len(runs) > 1
                    else ("no" if len(digests[engine]) > 1 else "—")
                )
                print(
                    f"| {name} | {engine} | {statistics.median(runs):.2f} s | {min(runs):.2f} s "
                    f"| {memory[engine]} MiB | {pages[engine]} | {same} |",
                    flush=True,
                )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        main()
