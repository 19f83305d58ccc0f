"""PDF without TeX: pandoc turns Markdown into HTML, WeasyPrint lays it out with paged-media CSS.

Chinese needs a CJK font. ccdocs asks fontconfig for one and refuses to go on without it, so a
PDF never silently shows empty boxes.
"""

from __future__ import annotations

import base64
import html
import re
import shutil
import subprocess
from pathlib import Path

import pypandoc

from generator.bundled import bundled_dir
from generator.errors import PublishError
from generator.publish import PANDOC_MARKDOWN, DocumentFacts
from generator.publish.variants import select_variant
from generator.render import label_parts

CJK_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", "SimSun")
FONT_HINT = "install a CJK font, e.g. Debian/Ubuntu: apt-get install fonts-noto-cjk"
_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
PAGE_COUNTERS = {"page": "counter(page)", "pages": "counter(pages)"}  # the page_of label's fields
# In a CSS string these would end it or the line (and what follows would be read as CSS).
_CSS_SPECIAL = re.compile(r'["\\\x00-\x1f\x7f]')


def cjk_font() -> str:
    """The family name of an installed CJK font; PublishError naming the package if none."""
    if shutil.which("fc-list") is None:
        raise PublishError(f"fontconfig (fc-list) is not installed; {FONT_HINT} and fontconfig")
    found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    families = {f.strip() for line in found.stdout.splitlines() for f in line.split(",")}
    for family in CJK_FAMILIES:
        if family in families:
            return family
    if families:
        return sorted(families)[0]
    raise PublishError(f"no font for Chinese text was found by fontconfig; {FONT_HINT}")


def publish_pdf(markdown: str, meta: DocumentFacts, target: Path) -> Path:
    """Lay out one rendered document as ``target`` (a .pdf file)."""
    from weasyprint import CSS, HTML  # heavy; imported only when a PDF is wanted

    family = cjk_font()
    body = _body_html(select_variant(markdown, "print"))
    document = _page(meta, body)
    stylesheet = (bundled_dir("site") / "print.css").read_text(encoding="utf-8")
    running = _running_css(meta, family)
    try:
        HTML(string=document, base_url=str(target.parent)).write_pdf(
            str(target),
            stylesheets=[CSS(string=stylesheet), CSS(string=running)],
        )
    except OSError as e:
        raise PublishError(f"WeasyPrint could not write {target.name}: {e}") from e
    return target


def _body_html(markdown: str) -> str:
    try:
        body: str = pypandoc.convert_text(
            markdown,
            "html5",
            format=PANDOC_MARKDOWN,
            extra_args=["--shift-heading-level-by=0"],
            verify_format=False,  # fixed formats: no two extra pandoc runs to list them
        )
    except (RuntimeError, OSError) as e:
        raise PublishError(f"pandoc could not convert the document to HTML: {e}") from e
    # The document's own H1 is shown on the cover.
    return re.sub(r"<h1[^>]*>.*?</h1>", "", body, count=1, flags=re.S)


def _toc(body: str, title: str) -> str:
    items = []
    for level, anchor, text in _HEADING.findall(body):
        plain = re.sub(r"<[^>]+>", "", text)
        items.append(f'<li class="toc-{level}"><a href="#{anchor}">{plain}</a></li>')
    heading = f'<h1 class="toc-title">{html.escape(title)}</h1>'
    return f'<nav class="toc">{heading}<ul>{"".join(items)}</ul></nav>'


def _page(meta: DocumentFacts, body: str) -> str:
    e = html.escape

    lang = "zh-CN" if meta.language == "zh" else "en"
    logo = meta.brand.logo_data  # the bytes checked at load, not the file again
    kind = "png" if logo.startswith(b"\x89PNG") else "jpeg"
    source = f"data:image/{kind};base64,{base64.b64encode(logo).decode()}"
    cover = (
        '<section class="cover">'
        + (f'<img class="logo" src="{source}" alt="">' if logo else "")
        + f'<p class="org">{e(meta.organization)}</p>'
        f'<h1 class="doc-title">{e(meta.title)}</h1>'
        f'<p class="control">{e(meta.number)} · v{e(meta.version)} · {e(meta.effective_date)}</p>'
        + (f'<p class="prepared-by">{e(meta.prepared_by)}</p>' if meta.prepared_by else "")
        + "</section>"
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{e(meta.title)}</title></head><body>"
        f"{cover}{_toc(body, meta.toc_title)}<main>{body}</main></body></html>"
    )


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string; quotes, backslashes and line breaks as CSS escapes."""
    return '"' + _CSS_SPECIAL.sub(lambda m: f"\\{ord(m[0]):x} ", text) + '"'


def _running_css(meta: DocumentFacts, family: str) -> str:
    """Per-document CSS: fonts, running header and "page X of Y" footer."""
    footer = " ".join(
        f"{_css_string(text)} {PAGE_COUNTERS[field]}" if field else _css_string(text)
        for text, field in label_parts(meta.page_of, "page_of", PAGE_COUNTERS)
    )
    header = _css_string(f"{meta.number}  v{meta.version}")
    company = _css_string(meta.brand.company)
    return (
        f'html {{ font-family: "{family}", serif; }}\n'
        f'h1, h2, h3, h4, .doc-title {{ font-family: "Noto Sans CJK SC", "{family}"; }}\n'
        f"h1, h2, h3, h4, .doc-title {{ color: {meta.brand.primary}; }}\n"
        f"a {{ color: {meta.brand.accent}; }}\n"
        f"@page {{ @top-right {{ content: {header}; }} @top-left {{ content: {company}; }}\n"
        f"        @bottom-center {{ content: {footer}; }} }}\n"
        "@page :first { @top-right { content: none; } @top-left { content: none; }\n"
        "               @bottom-center { content: none; } }\n"
    )
