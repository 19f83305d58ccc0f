"""The internal site: a MkDocs Material project generated from site/, then built to static HTML.

The project (docs/ and a mkdocs.yml that inherits site/mkdocs.base.yml) is written into the
staging folder and built in-process; ``ccdocs serve`` serves the same project with live reload.
Its configuration stays within what Zensical reads too (a test builds it with Zensical).
Builds run with the caches of ``generator.publish.site_cache`` (jieba's segmentation for the
search index, the theme's compiled templates): same output, less work.
"""

from __future__ import annotations

import contextlib
import gzip
import html
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from generator.brand import Brand
from generator.bundled import bundled_dir
from generator.errors import PublishError
from generator.messages import error
from generator.publish import DocumentFacts, Publication, diagrams
from generator.publish.placeholders import mark_placeholders
from generator.render import escape_markdown

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

BASE_CONFIG = "mkdocs.base.yml"
BRAND_CSS = "assets/stylesheets/brand.css"
GAP_REPORT = "gap-report.md"  # the site page of the open items
SEARCH_SEPARATOR = r"[\s\u200b\-、，。：；（）“”《》]+"


def write_site_project(publication: Publication, project: Path) -> Path:
    """Write docs/ and mkdocs.yml into ``project``; returns the mkdocs.yml path.

    Over an existing project (``ccdocs serve`` after a save) only the files whose content
    changed are written, each replaced whole, and pages no longer published are removed: the
    preview's watcher sees just the edit, and never a half-written file.
    """
    base = bundled_dir("site")
    docs = project / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    _sync_tree(base / "assets", docs / "assets")
    _sync_tree(base / "overrides", project / "overrides")
    _sync_file(base / BASE_CONFIG, project / BASE_CONFIG)
    written = set()
    for name, text in sorted(publication.pages.items()):
        _write(docs / name, keep_tokens_whole(text) if name.endswith(".md") else text)
        written.add(name)
    pages = sorted(name for name in publication.pages if name.endswith(".md"))
    nav: list[object] = [name for name in pages if name == "index.md"]
    for doc_id, markdown in publication.documents.items():
        fact = publication.facts[doc_id]
        front = {
            "title": fact.title,
            "document_number": fact.number,
            "document_version": fact.version,
            "effective_date": fact.effective_date,
        }
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n"
        body = mark_placeholders(markdown, fact.placeholder)
        body = keep_tokens_whole(body)
        body = diagrams.for_site(body)
        body = _under_title(body, _download_line(publication, doc_id) + _draft_banner(fact))
        _write(docs / f"{doc_id}.md", text + body)
        written.add(f"{doc_id}.md")
        nav.append({fact.title: f"{doc_id}.md"})
    for stale in docs.glob("*.md"):  # e.g. the change log of an earlier --since
        if stale.name not in written:
            stale.unlink()
    nav += [name for name in pages if name != "index.md"]  # the audit pages
    language = publication.language
    theme: dict[str, object] = {"language": language, **_brand(publication.brand, docs)}
    config = {
        "INHERIT": BASE_CONFIG,
        # MkDocs themes print site_name as trusted HTML; it comes from the profile, so escape it.
        "site_name": html.escape(publication.site_name),
        "docs_dir": "docs",
        "theme": theme,
        # Chinese is segmented at build time (jieba, zero-width spaces); lunr's own "zh" mode
        # needs jieba inside the browser and fails there, so the index stays in "en" mode.
        # Words also end at Chinese punctuation. No stemmer: the theme searches as you type
        # with a trailing wildcard, which skips stemming, so "CCCS" would miss the stem "ccc";
        # no trimmer either: it treats every Chinese character as punctuation.
        "plugins": [
            {
                "search": {
                    "lang": "en",
                    "separator": SEARCH_SEPARATOR,
                    "pipeline": ["stopWordFilter"],
                }
            }
        ],
        "nav": nav,
    }
    company = publication.brand.company
    if company:
        config["copyright"] = html.escape(company)
    path = project / "mkdocs.yml"
    _write(path, yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    return path


# A token a line must not break inside: letters and digits joined by hyphens, with a digit in
# it (a date, a document number, a phone number, a dated id). The other alternatives are what
# the scan must step over untouched: code spans, link targets, attribute blocks, HTML tags.
_TOKEN_OR_SKIP = re.compile(
    r"(`[^`\n]*`|\]\([^)\n]*\)|\{[^}\n]*\}|<[^>\n]*>)"
    r"|\b(?=[0-9A-Za-z-]*[0-9])[0-9A-Za-z]+(?:-[0-9A-Za-z]+)+\b"
)


def keep_tokens_whole(markdown: str) -> str:
    """Table rows of ``markdown`` with each date, document number or phone number in a span
    the site's CSS keeps on one line (a browser otherwise breaks a narrow cell after a hyphen)."""

    def row(line: str) -> str:
        if not line.startswith("|"):
            return line
        return _TOKEN_OR_SKIP.sub(
            lambda m: m[0] if m[1] else f'<span class="ccdocs-nobr">{m[0]}</span>', line
        )

    return "\n".join(row(line) for line in markdown.split("\n"))


def _under_title(markdown: str, block: str) -> str:
    """``markdown`` with ``block`` right under its title."""
    if not block:
        return markdown
    title, _, rest = markdown.partition("\n")
    if not title.startswith("# "):
        title, rest = "", markdown
    return f"{title}\n\n{block}\n{rest}"


def _download_line(publication: Publication, doc_id: str) -> str:
    """Links to the document's DOCX and PDF, which a build writes beside the site."""
    if not publication.downloads:
        return ""
    links = " · ".join(
        f'<a href="../{kind}/{doc_id}.{kind}" download>{kind.upper()}</a>'
        for kind in publication.downloads
    )
    label = html.escape(publication.download_label)
    return f'<p class="ccdocs-downloads">{label}{links}</p>\n'


def _draft_banner(fact: DocumentFacts) -> str:
    """A warning for a draft: why it is one, and a link to the open items."""
    if not fact.draft_note:
        return ""
    link = f"[{escape_markdown(fact.open_items)}]({GAP_REPORT})"
    note = f"{escape_markdown(fact.draft_note)} {link}"
    return f'!!! warning "{html.escape(fact.watermark)}"\n    {note}\n'


def _write(path: Path, text: str | bytes) -> None:
    """Write ``path`` unless it already holds exactly this; readers never see half a file."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    with contextlib.suppress(OSError):
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _sync_file(source: Path, target: Path) -> None:
    """Copy ``source`` unless ``target`` is already its copy (same size and time)."""
    with contextlib.suppress(OSError):
        have, want = target.stat(), source.stat()
        if have.st_size == want.st_size and have.st_mtime_ns == want.st_mtime_ns:
            return
    shutil.copy2(source, target)


def _sync_tree(source: Path, target: Path) -> None:
    for path in sorted(source.rglob("*")):
        copy = target / path.relative_to(source)
        if path.is_dir():
            copy.mkdir(parents=True, exist_ok=True)
        else:
            copy.parent.mkdir(parents=True, exist_ok=True)
            _sync_file(path, copy)


def _brand(brand: Brand, docs: Path) -> dict[str, object]:
    """Theme settings and the stylesheet that give the site the brand's colours and logo."""
    css = (
        ":root, [data-md-color-scheme] {\n"
        f"  --md-primary-fg-color: {brand.primary};\n"
        f"  --md-primary-fg-color--light: {brand.primary};\n"
        f"  --md-primary-fg-color--dark: {brand.primary};\n"
        f"  --md-accent-fg-color: {brand.accent};\n"
        f"  --md-typeset-a-color: {brand.accent};\n"
        "}\n"
    )
    _write(docs / BRAND_CSS, css)
    theme: dict[str, object] = {"palette": {"primary": "custom", "accent": "custom"}}
    if brand.logo and brand.logo_data:
        logo = f"assets/brand/logo{brand.logo.suffix.lower()}"
        (docs / logo).parent.mkdir(parents=True, exist_ok=True)
        _write(docs / logo, brand.logo_data)  # the bytes checked at load
        theme.update({"logo": logo, "favicon": logo})
    return theme


def load_site_config(config_file: Path, site_dir: Path, **options: Any) -> MkDocsConfig:
    """MkDocs' configuration of the project, as ``build_site`` and ``ccdocs serve`` build it."""
    from markupsafe import Markup
    from mkdocs.config import load_config

    config = load_config(config_file=str(config_file), site_dir=str(site_dir), **options)
    # Already escaped in mkdocs.yml; marked so, the theme's own "| e" does not escape it twice.
    config["site_name"] = Markup(config["site_name"])
    return config


def build_site(config_file: Path, site_dir: Path, *, cache: bool = True) -> Path:
    """Run MkDocs on ``config_file`` into ``site_dir``; returns ``site_dir``.

    ``cache=False`` builds as MkDocs and Material do on their own (no site caches), but for
    the site's search words (``search_words``).
    """
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    from generator.publish.site_cache import site_caches

    quiet()
    try:
        with site_caches(cached=cache):
            build(load_site_config(config_file, site_dir))
        _pin_sitemap(site_dir)
    except (MkDocsException, OSError) as e:
        raise error(PublishError, "error.mkdocs", reason=e) from e
    return site_dir


def quiet() -> None:
    """MkDocs logs at info level and jieba announces its dictionary on stderr: errors only."""
    import jieba

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    jieba.setLogLevel(logging.ERROR)


def _pin_sitemap(site_dir: Path) -> None:
    """MkDocs stamps the build time into the gzip header of sitemap.xml.gz; write it again
    without a time, so the same inputs give the same bytes."""
    compressed = site_dir / "sitemap.xml.gz"
    if compressed.is_file():
        data = gzip.decompress(compressed.read_bytes())
        compressed.write_bytes(gzip.compress(data, mtime=0))
