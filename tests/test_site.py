"""The internal site, served on 127.0.0.1 and driven in a real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import OPEN_SHADOW_ROOTS, bundled, file_tree, static_server

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


def _search(browser, server: str, query: str) -> tuple[list[str], list[str]]:
    """The result links and the highlighted words for ``query`` typed into the search box."""
    page, errors, _ = _open(browser, f"{server}/index.html")
    page.click(".md-search__input")
    page.keyboard.insert_text(query)  # as an input method delivers Chinese: no key events
    page.keyboard.press("End")  # the theme searches on keyup
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    hrefs = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")
    marks = page.eval_on_selector_all(".md-search-result mark", "ms => ms.map(m => m.textContent)")
    assert errors == [], errors
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"site-search-{query}.png"))
    page.close()
    return hrefs, marks


def test_a_chinese_search_term_finds_its_page(browser, server):
    hrefs, marks = _search(browser, server, "报修")
    assert any("operations-manual.html" in h for h in hrefs), hrefs
    assert "报修" in marks


def test_a_search_finds_a_word_inside_a_longer_chinese_word(browser, server):
    """jieba keeps 服务水平 (service level) whole; a search for 水平 finds it all the same, and
    one for the whole word finds it with both its parts marked."""
    hrefs, marks = _search(browser, server, "水平")
    assert any("operations-manual.html" in h for h in hrefs), hrefs
    assert set(marks) == {"水平"}, marks
    hrefs, marks = _search(browser, server, "服务水平")
    assert any("operations-manual.html" in h for h in hrefs), hrefs
    assert {"服务", "水平"} <= set(marks), marks
    hrefs, marks = _search(browser, server, "质检")  # inside 质检员 (quality inspector)
    assert any("training-syllabus.html" in h for h in hrefs), hrefs


def test_a_latin_term_typed_in_full_finds_its_pages(browser, server):
    page, _, _ = _open(browser, f"{server}/index.html")
    page.click(".md-search__input")
    page.keyboard.type("CCCS", delay=50)  # a word a stemmer would cut to "ccc"
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    hrefs = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")
    assert any("gap-report.html" in h for h in hrefs), hrefs
    page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_org_chart_is_drawn_inline_and_stays_legible_on_a_phone(browser, server, width):
    """Graphviz's SVG is in the page (its text selectable and searchable); on a phone it keeps
    its size and scrolls sideways in its own box, and the page itself does not."""
    page, errors, _ = _open(browser, f"{server}/operations-manual.html")
    page.set_viewport_size({"width": width, "height": 900})
    chart = page.locator(".ccdocs-diagram__scroll svg")
    assert chart.count() == 1
    assert "热线中心主任" in page.inner_text(".ccdocs-diagram__scroll")
    label = page.locator(".ccdocs-diagram__scroll svg text").first.bounding_box()
    assert label and label["height"] >= 10  # text at its own size, not shrunk to fit
    sizes = page.evaluate(
        """() => {
        const box = document.querySelector(".ccdocs-diagram__scroll");
        return [box.scrollWidth, box.clientWidth, document.documentElement.scrollWidth];
    }"""
    )
    assert sizes[2] <= width  # the page does not scroll sideways
    if width < 500:
        assert sizes[0] > sizes[1]  # the chart's box does, to show the rest
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
    assert "assets/stylesheets/ccdocs.css" in page
    assert 'class="ccdocs-diagram"' in (site / "operations-manual.html").read_text(encoding="utf-8")


# -- the site caches: same bytes, less work ------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory, catalog) -> Path:
    """The site project of the bundled event hotline (much Chinese text for the search index)."""
    from generator.build import render_profile
    from generator.publish.site import write_site_project

    rendered = render_profile(bundled("event-hotline"), catalog=catalog)
    return write_site_project(rendered.publication, tmp_path_factory.mktemp("project"))


@pytest.fixture
def new_process(monkeypatch):
    """Forget what this process has kept in memory, as a new ccdocs process would."""
    from generator.publish import site_cache

    def forget() -> None:
        monkeypatch.setattr(site_cache, "_segments", {})
        monkeypatch.setattr(site_cache, "_bytecode", {})

    return forget


def test_the_site_is_the_same_without_the_cache_with_an_empty_one_and_a_warm_one(
    project, tmp_path, monkeypatch, new_process
):
    import json

    import jieba
    import jinja2

    from generator.publish.site import build_site

    monkeypatch.setenv("CCDOCS_CACHE_DIR", str(tmp_path / "cache"))
    new_process()
    plain = build_site(project, tmp_path / "plain", cache=False)  # Material on its own
    empty = build_site(project, tmp_path / "empty")
    assert len(list((tmp_path / "cache" / "site").glob("jieba-*.json"))) == 1

    new_process()  # only the disk cache is left: jieba is not asked, no template is compiled

    def no_cut(*args, **kwargs):
        raise AssertionError("jieba.cut called although every run of text is cached")

    compiled: list[str] = []
    compile_ = jinja2.Environment.compile

    def counting(self, source, name=None, *args, **kwargs):
        compiled.append(name)
        return compile_(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jieba, "cut", no_cut)
    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    warm = build_site(project, tmp_path / "warm")
    assert compiled == []

    index = "search/search_index.json"
    assert (plain / index).read_bytes() == (empty / index).read_bytes()
    assert (plain / index).read_bytes() == (warm / index).read_bytes()
    texts = [doc["text"] for doc in json.loads((plain / index).read_bytes())["docs"]]
    assert any("\u200b热线\u200b" in text for text in texts)  # Chinese, segmented by jieba
    assert any("\u200b服务\u200b水平\u200b" in text for text in texts)  # and compounds cut
    assert file_tree(plain) == file_tree(empty) == file_tree(warm)


def test_a_damaged_or_unwritable_cache_never_fails_the_build(
    project, tmp_path, monkeypatch, new_process
):
    import json

    from generator.publish.site import build_site

    cache = tmp_path / "cache"
    monkeypatch.setenv("CCDOCS_CACHE_DIR", str(cache))
    new_process()
    first = build_site(project, tmp_path / "first")
    (segmented,) = (cache / "site").glob("jieba-*.json")
    runs = json.loads(segmented.read_text(encoding="utf-8"))
    segmented.write_text(json.dumps({run: [run, "x"] for run in runs}), encoding="utf-8")
    for compiled in (cache / "site").glob("templates-*/*"):
        compiled.write_bytes(b"\x00 not bytecode")
    new_process()
    damaged = build_site(project, tmp_path / "damaged")

    segmented.write_bytes(b"{not json")
    new_process()
    unreadable = build_site(project, tmp_path / "unreadable")

    (tmp_path / "blocked").write_text("a file where the cache folder should be", "utf-8")
    monkeypatch.setenv("CCDOCS_CACHE_DIR", str(tmp_path / "blocked"))
    new_process()
    blocked = build_site(project, tmp_path / "blocked-site")
    assert file_tree(first) == file_tree(damaged) == file_tree(unreadable) == file_tree(blocked)


def test_the_caches_are_in_place_only_during_a_build(project, tmp_path, monkeypatch):
    import importlib

    from mkdocs.structure.pages import Page
    from mkdocs.theme import Theme

    from generator.publish.site import build_site

    search = importlib.import_module("material.plugins.search.plugin")
    before = (search.jieba, Theme.get_env, Page.render, search.SearchIndex.add_entry_from_context)
    monkeypatch.setenv("CCDOCS_CACHE_DIR", str(tmp_path / "cache"))
    build_site(project, tmp_path / "site")
    after = (search.jieba, Theme.get_env, Page.render, search.SearchIndex.add_entry_from_context)
    assert after == before


def test_rewriting_a_project_touches_only_the_files_that_changed(tmp_path, catalog):
    from dataclasses import replace

    from generator.build import render_profile
    from generator.publish.site import write_site_project

    publication = render_profile(bundled("minimal"), catalog=catalog).publication
    config = write_site_project(publication, tmp_path)
    docs = tmp_path / "docs"
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    pages = {**publication.pages, "index.md": publication.pages["index.md"] + "\nEdited.\n"}
    (docs / "old-page.md").write_text("# Gone\n", encoding="utf-8")
    assert write_site_project(replace(publication, pages=pages), tmp_path) == config
    changed = {p for p in tmp_path.rglob("*") if p.is_file() and p in stamps}
    changed = {p for p in changed if p.stat().st_mtime_ns != stamps[p]}
    assert changed == {docs / "index.md"}
    assert "Edited." in (docs / "index.md").read_text(encoding="utf-8")
    assert not (docs / "old-page.md").exists()  # a page no longer published
    assert not list(tmp_path.rglob("*.tmp"))


def test_cuts_are_kept_until_the_search_plugin_configures_jieba(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from generator.publish.site_cache import Segments, _CachedJieba

    monkeypatch.setattr(_CachedJieba, "configured", False)
    calls: list[bytes] = []

    def cut(sentence):
        calls.append(sentence)
        text = sentence.decode("utf-8")
        return iter([text[:2], text[2:]])

    jieba = SimpleNamespace(dt=SimpleNamespace(dictionary=None), cut=cut, load_userdict=print)
    segments = Segments(tmp_path / "jieba.json")
    proxy = _CachedJieba(jieba, segments)
    assert proxy.cut("供水热线".encode()) == ["供水", "热线"]
    assert proxy.cut("供水热线".encode()) == ["供水", "热线"]
    assert len(calls) == 1  # the second cut was kept
    segments.save()
    assert Segments(tmp_path / "jieba.json").get("供水热线") == ["供水", "热线"]

    assert proxy.load_userdict is print  # the plugin's jieba_dict_user: more words from now on
    assert list(proxy.cut("供水热线".encode())) == ["供水", "热线"]  # jieba's own answer
    assert len(calls) == 2
    list(_CachedJieba(jieba, segments).cut("供水热线".encode()))  # for the rest of the process
    assert len(calls) == 3


@pytest.fixture(scope="module")
def beside(tmp_path_factory, catalog) -> Path:
    """A build with the print formats beside the site: its pages link to them."""
    out = tmp_path_factory.mktemp("beside")
    formats = ("docx", "pdf", "site")
    return build_profile(bundled("event-hotline"), out, formats=formats, catalog=catalog).output


def test_every_document_page_and_the_home_page_link_its_docx_and_pdf(beside, site):
    pages = {"index": ("dr-plan", "operations-manual", "training-syllabus")}
    pages |= {doc: (doc,) for doc in pages["index"]}
    for page, documents in pages.items():
        text = (beside / "site" / f"{page}.html").read_text(encoding="utf-8")
        for doc in documents:
            for kind in ("docx", "pdf"):
                href = f"../{kind}/{doc}.{kind}"
                assert f'href="{href}"' in text, (page, href)
                assert (beside / "site" / href).resolve().is_file()
    # a build of the site alone links to nothing it did not write
    assert "../docx/" not in (site / "index.html").read_text(encoding="utf-8")


def test_the_site_speaks_only_its_language(site):
    """No theme line in English on a Chinese site (the theme's "Made with" notice is off)."""
    for page in ("index", "operations-manual", "gap-report"):
        text = (site / f"{page}.html").read_text(encoding="utf-8")
        assert "Made with" not in text and 'lang="zh"' in text


@pytest.mark.e2e
def test_on_a_phone_tables_scroll_and_dates_and_numbers_stay_whole(browser, beside):
    with static_server(beside) as url:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{url}/site/dr-plan.html")
        measured = page.evaluate(
            """() => ({
            page: document.documentElement.scrollWidth,
            tokens: [...document.querySelectorAll(".ccdocs-nobr")].map(
                e => [e.textContent, e.getClientRects().length]),
            narrowest: Math.min(...[...document.querySelectorAll("article td")].map(
                e => e.getBoundingClientRect().width)),
        })"""
        )
        page.close()
    assert measured["page"] <= 390  # the page itself never scrolls sideways
    assert len(measured["tokens"]) > 10
    assert [t for t, lines in measured["tokens"] if lines != 1] == []
    assert measured["narrowest"] >= 7 * 16 * 0.8  # cells keep about seven characters
