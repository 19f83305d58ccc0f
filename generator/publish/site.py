"""The internal site: a MkDocs Material project generated from site/, then built to static HTML.

The project (docs/ and a mkdocs.yml that inherits site/mkdocs.base.yml) is written into the
staging folder and built in-process; ``ccdocs serve`` serves the same project with live reload.
Its configuration stays within what Zensical reads too (a test builds it with Zensical).
"""

from __future__ import annotations

import gzip
import html
import logging
import shutil
from pathlib import Path

import yaml

from generator.brand import Brand
from generator.bundled import bundled_dir
from generator.errors import PublishError
from generator.publish import Publication
from generator.publish.variants import select_variant

BASE_CONFIG = "mkdocs.base.yml"
BRAND_CSS = "assets/stylesheets/brand.css"
SEARCH_SEPARATOR = r"[\s\u200b\-、，。：；（）“”《》]+"


def write_site_project(publication: Publication, project: Path) -> Path:
    """Write docs/ and mkdocs.yml into ``project``; returns the mkdocs.yml path."""
    base = bundled_dir("site")
    docs = project / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    shutil.copytree(base / "assets", docs / "assets", dirs_exist_ok=True)
    shutil.copytree(base / "overrides", project / "overrides", dirs_exist_ok=True)
    shutil.copy2(base / BASE_CONFIG, project / BASE_CONFIG)
    for name, text in sorted(publication.pages.items()):
        (docs / name).write_text(text, encoding="utf-8")
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
        (docs / f"{doc_id}.md").write_text(text + select_variant(markdown, "site"), "utf-8")
        nav.append({fact.title: f"{doc_id}.md"})
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
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


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
    (docs / BRAND_CSS).write_text(css, encoding="utf-8")
    theme: dict[str, object] = {"palette": {"primary": "custom", "accent": "custom"}}
    if brand.logo and brand.logo_data:
        logo = f"assets/brand/logo{brand.logo.suffix.lower()}"
        (docs / logo).parent.mkdir(parents=True, exist_ok=True)
        (docs / logo).write_bytes(brand.logo_data)  # the bytes checked at load
        theme.update({"logo": logo, "favicon": logo})
    return theme


def build_site(config_file: Path, site_dir: Path) -> Path:
    """Run MkDocs on ``config_file`` into ``site_dir``; returns ``site_dir``."""
    import jieba
    from markupsafe import Markup
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    jieba.setLogLevel(logging.ERROR)  # it announces its dictionary on stderr
    try:
        config = load_config(config_file=str(config_file), site_dir=str(site_dir))
        # Already escaped in mkdocs.yml; marked so, the theme's own "| e" does not escape it twice.
        config["site_name"] = Markup(config["site_name"])
        build(config)
        _pin_sitemap(site_dir)
    except (MkDocsException, OSError) as e:
        raise PublishError(f"MkDocs could not build the site: {e}") from e
    return site_dir


def _pin_sitemap(site_dir: Path) -> None:
    """MkDocs stamps the build time into the gzip header of sitemap.xml.gz; write it again
    without a time, so the same inputs give the same bytes."""
    compressed = site_dir / "sitemap.xml.gz"
    if compressed.is_file():
        data = gzip.decompress(compressed.read_bytes())
        compressed.write_bytes(gzip.compress(data, mtime=0))
