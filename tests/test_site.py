"""The internal site, served on 127.0.0.1 and driven in a real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import OPEN_SHADOW_ROOTS, bundled, static_server

from generator.build import build_profile

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def site(tmp_path_factory, catalog) -> Path:
    text = bundled("water-utility").read_text(encoding="utf-8")
    text = text.replace(
        "name: 示例市自来水公司供水服务热线中心",
        "name: '示例市自来水公司供水服务热线中心 <script>window.__pwned=1</script>'",
    )
    profile = tmp_path_factory.mktemp("profile") / "water.yaml"
    profile.write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp("site")
    return build_profile(profile, out, formats=("site",), catalog=catalog).output / "site"


@pytest.fixture(scope="module")
def server(site) -> Iterator[str]:
    with static_server(site) as url:
        yield url


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(OPEN_SHADOW_ROOTS)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    external: list[str] = []
    page.on(
        "request",
        lambda r: (
            external.append(r.url)
            if "127.0.0.1" not in r.url and not r.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    page.goto(url, wait_until="networkidle")
    return page, errors, external


def test_every_navigation_page_loads_without_console_errors(browser, server):
    ARTIFACTS.mkdir(exist_ok=True)
    page, errors, external = _open(browser, f"{server}/index.html")
    links = page.eval_on_selector_all(
        "nav.md-nav--primary a.md-nav__link[href]", "els => [...new Set(els.map(e => e.href))]"
    )
    assert len(links) >= 4
    page.close()
    for url in links:
        page, errors, external = _open(browser, url)
        assert errors == [], (url, errors)
        assert external == [], (url, external)
        page.screenshot(path=str(ARTIFACTS / f"site-{Path(url).stem or 'index'}.png"))
        page.close()


def test_a_chinese_search_term_finds_its_page(browser, server):
    page, _, _ = _open(browser, f"{server}/index.html")
    page.click(".md-search__input")
    page.keyboard.type("报修", delay=50)
    page.keyboard.press("End")  # CJK text arrives without key events; the theme searches on keyup
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    hrefs = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")
    assert any("operations-manual.html" in h for h in hrefs), hrefs
    page.screenshot(path=str(ARTIFACTS / "site-search.png"))
    page.close()


def test_a_latin_term_typed_in_full_finds_its_pages(browser, server):
    page, _, _ = _open(browser, f"{server}/index.html")
    page.click(".md-search__input")
    page.keyboard.type("CCCS", delay=50)  # a word a stemmer would cut to "ccc"
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    hrefs = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")
    assert any("gap-report.html" in h for h in hrefs), hrefs
    page.close()


def test_mermaid_renders_to_svg(browser, server):
    page, errors, _ = _open(browser, f"{server}/operations-manual.html")
    page.wait_for_selector(".mermaid svg", timeout=15000)
    assert page.locator(".mermaid svg").count() >= 1
    assert errors == []
    page.close()


def test_a_script_in_a_profile_value_shows_as_text(browser, server):
    page, _, _ = _open(browser, f"{server}/operations-manual.html")
    assert page.evaluate("window.__pwned") is None
    assert "<script>window.__pwned=1</script>" in page.inner_text("article")
    page.close()


def test_a_branded_site_shows_the_logo_and_the_brand_colour(browser, tmp_path, catalog):
    from test_brand import COMPANY, png

    from generator.brand import load_brand

    brand = tmp_path / "brand"
    brand.mkdir()
    (brand / "logo.png").write_bytes(png())
    (brand / "brand.yaml").write_text(
        f"company: {COMPANY}\nlogo: logo.png\ncolours: {{primary: '#8B0000'}}\n", "utf-8"
    )
    built = build_profile(
        bundled("minimal"), tmp_path, formats=("site",), catalog=catalog, brand=load_brand(brand)
    )
    with static_server(built.output / "site") as base:
        page, errors, external = _open(browser, f"{base}/index.html")
        assert errors == [] and external == []
        header = page.eval_on_selector(".md-header", "e => getComputedStyle(e).backgroundColor")
        assert header == "rgb(139, 0, 0)"
        assert page.eval_on_selector(".md-header__button.md-logo img", "e => e.naturalWidth") == 40
        assert COMPANY in page.inner_text(".md-footer")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "site-branded.png"))
        page.close()


def test_zensical_reads_the_generated_project(tmp_path, catalog):
    """The site project also builds with Zensical, the successor of Material for MkDocs."""
    import subprocess
    import sys

    from generator.build import render_profile
    from generator.publish.site import write_site_project

    zensical = Path(sys.executable).parent / "zensical"
    if not zensical.exists():
        pytest.skip("zensical is not installed")
    rendered = render_profile(bundled("water-utility"), catalog=catalog)
    config = write_site_project(rendered.publication, tmp_path / "project")
    subprocess.run(
        [str(zensical), "build", "-f", str(config)],
        cwd=config.parent,
        check=True,
        capture_output=True,
        timeout=120,
    )
    site = config.parent / "site"
    page = (site / "dr-plan.html").read_text(encoding="utf-8")
    assert 'class="ccdocs-control"' in page  # the theme override, through INHERIT
    assert "assets/stylesheets/ccdocs.css" in page and "mermaid-11.17.2.min.js" in page
    assert 'class="mermaid"' in (site / "operations-manual.html").read_text(encoding="utf-8")
