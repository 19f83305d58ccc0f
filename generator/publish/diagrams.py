"""Diagrams drawn by Graphviz: a template writes a diagram as a ```dot fenced block (the
organization chart), and each format shows it as a picture.

Print formats get an image file in their work folder and a Markdown image in its place: PNG at
200 dpi for DOCX (what every Word version shows), SVG for the PDF (Typst draws it as vectors).
The site gets the SVG inline (its text selectable and found by search), in a box that scrolls
sideways on a narrow screen rather than shrinking the text. Pictures are kept in the user's
cache by the digest of their source and Graphviz's version: an unchanged diagram is drawn once.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Literal

from generator.errors import PublishError
from generator.messages import error
from generator.render import escape_markdown
from generator.user_cache import cache_root, write_atomically

TIMEOUT_SECONDS = 120
PNG_DPI = 200
_FENCE = re.compile(r"^```dot\n(.*?)^```[ \t]*\n", re.S | re.M)
_NAME = re.compile(r'^\s*(?:strict\s+)?digraph\s+"((?:[^"\\]|\\.)*)"', re.S)
_SVG_START = re.compile(r"<svg\b", re.S)
Format = Literal["png", "svg"]


def has_diagrams(markdown: str) -> bool:
    return "```dot\n" in markdown


def for_print(markdown: str, folder: Path, target: Literal["docx", "typst"]) -> str:
    """``markdown`` with each dot block drawn into ``folder`` and shown as a figure, linked by
    its name in ``folder`` (pandoc's resource path, or Typst's root): for DOCX a PNG as a
    Markdown image, for Typst an SVG in a raw Typst figure with the diagram's name as its
    alternative text."""
    if not has_diagrams(markdown):
        return markdown
    kind: Format = "png" if target == "docx" else "svg"

    def picture(match: re.Match[str]) -> str:
        source = match[1]
        data = draw(source, kind)
        name = f"diagram-{hashlib.sha256(data).hexdigest()[:16]}.{kind}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        if target == "docx":  # found through pandoc's --resource-path: no folder in the file
            return f"![{escape_markdown(title(source))}]({name})\n"
        words = json.dumps(title(source), ensure_ascii=False)  # a Typst string literal too
        figure = f'#figure(image("{name}", alt: {words}), caption: {words})'
        return f"```{{=typst}}\n{figure}\n```\n"

    return _FENCE.sub(picture, markdown)


def for_site(markdown: str) -> str:
    """``markdown`` with each dot block as inline SVG in a box that scrolls sideways."""
    if not has_diagrams(markdown):
        return markdown

    def picture(match: re.Match[str]) -> str:
        source = match[1]
        svg = draw(source, "svg").decode("utf-8")
        start = _SVG_START.search(svg)  # without the XML declaration and doctype
        svg = svg[start.start() :] if start else svg
        name = html.escape(title(source))
        return (
            f'<figure class="ccdocs-diagram" markdown="0">'
            f'<div class="ccdocs-diagram__scroll" role="img" aria-label="{name}">{svg}</div>'
            f"<figcaption>{name}</figcaption></figure>\n"
        )

    return _FENCE.sub(picture, markdown)


def title(source: str) -> str:
    """The diagram's name (its graph name), for alternative text and captions."""
    match = _NAME.match(source)
    return re.sub(r"\\(.)", r"\1", match[1]) if match else ""


def draw(source: str, kind: Format) -> bytes:
    """``source`` (DOT) drawn by Graphviz as ``kind``; PublishError when it cannot be."""
    program = shutil.which("dot")
    if program is None:
        raise error(PublishError, "error.no-graphviz")
    key = hashlib.sha256(f"{_version(program)}\0{kind}\0{source}".encode()).hexdigest()
    cached = cache_root() / "diagrams" / f"{key}.{kind}"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    options = [f"-Gdpi={PNG_DPI}"] if kind == "png" else []
    try:
        done = subprocess.run(
            [program, f"-T{kind}", *options],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise error(PublishError, "error.graphviz", reason=e) from e
    if done.returncode != 0 or not done.stdout:
        reason = done.stderr.decode("utf-8", "replace").strip() or f"status {done.returncode}"
        raise error(PublishError, "error.graphviz", reason=reason)
    with contextlib.suppress(OSError):  # not kept: drawn again next time
        write_atomically(cached, done.stdout)
    return done.stdout


@functools.cache
def _version(program: str) -> str:
    done = subprocess.run([program, "-V"], capture_output=True, check=False)
    return done.stderr.decode("utf-8", "replace").strip()
