"""Work the site build would otherwise repeat on every run, done once.

Four things MkDocs and Material redo on every build although their inputs rarely change:

- Material's search plugin segments the Chinese text of every section with jieba
  (``SearchIndex._segment_chinese`` calls ``jieba.cut`` on each run of Han characters). jieba
  first loads its 5 MB dictionary, then cuts: most of a small site build. Here each run's words
  are kept in memory for the process and on disk in ``<cache>/site/jieba-<key>.json``, the key
  naming jieba's version and dictionary. jieba is deterministic, so a kept cut is exactly the
  words jieba would return and the search index stays byte for byte the same; when every run of
  a build is known, jieba's dictionary is not even loaded.
- MkDocs compiles the theme's templates (Material has about 40) for every build. A Jinja bytecode
  cache keeps the compiled code in ``<cache>/site/templates-<key>/``; Jinja checks each entry
  against the template's source, so an edited template is compiled afresh.
- ``ccdocs serve`` rebuilds the whole site after each save, though an edit usually changes one
  page. With a ``PageMemo`` each page's HTML (its Markdown conversion) and its search entries are
  kept per page and reused while their inputs are the same, so a rebuild converts only the pages
  that changed and still builds every page, the navigation and the whole search index exactly as
  a full build does.
- MkDocs lists the theme's 14,500 files for every build; ``ThemeFiles`` keeps the listing for
  the process (the clients of a batch worker, the saves of the preview).

``<cache>`` is the folder of ``generator.user_cache`` ($CCDOCS_CACHE_DIR, else the user's
cache folder). A cache that cannot be read or written is skipped: it never fails a build.

How it hooks in: neither MkDocs nor Material has a setting for any of this, so ``site_caches()``
replaces a few attributes for the duration of a build (or of ``ccdocs serve``) and puts them
back afterwards: the ``jieba`` module Material's search plugin calls (only ``cut`` is answered
from the cache, with the site's finer words of ``search_words``; Material's own code still finds
the runs and joins the words), ``Theme.get_env``
(to give the environment a bytecode cache), ``Files.add_files_from_theme`` and, with a
``PageMemo``, ``Page.render`` and ``SearchIndex.add_entry_from_context``. Each replacement
returns what the original would.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from jinja2.bccache import Bucket, BytecodeCache

from generator.publish import search_words
from generator.user_cache import cache_root, write_atomically

# Runs of Han text kept on disk; past this, only the runs of the latest process are kept.
SEGMENT_LIMIT = 100_000
SEARCH_PLUGIN = "material.plugins.search.plugin"


def _folder() -> Path:
    return cache_root() / "site"


# -- jieba's segmentation ------------------------------------------------------------------------


class Segments:
    """The words jieba cuts each run of Han text into: in memory, and in the file ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.words: dict[str, list[str]] = {}
        self.used: set[str] = set()
        self.added = 0
        self.loaded = False
        self.lock = threading.Lock()

    def get(self, text: str) -> list[str] | None:
        with self.lock:
            if not self.loaded:
                self.loaded = True
                self.words.update(self._read())
            words = self.words.get(text)
            # A kept cut covers its text exactly; anything else (a damaged file) is cut again.
            if words is not None and "".join(words) == text:
                self.used.add(text)
                return words
            return None

    def put(self, text: str, words: list[str]) -> None:
        with self.lock:
            self.words[text] = words
            self.used.add(text)
            self.added += 1

    def save(self) -> None:
        """Write the runs cut since the last save, merged with what other processes wrote."""
        with self.lock:
            if not self.added:
                return
            merged = {**self._read(), **self.words}
            if len(merged) > SEGMENT_LIMIT:
                merged = {text: self.words[text] for text in self.used if text in self.words}
            with contextlib.suppress(OSError):
                write_atomically(self.path, json.dumps(merged, ensure_ascii=False).encode())
                self.added = 0

    def _read(self) -> dict[str, list[str]]:
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):  # missing, unreadable or damaged: start afresh
            return {}
        if not isinstance(data, dict):
            return {}
        return {
            text: words
            for text, words in data.items()
            if isinstance(words, list) and all(isinstance(w, str) for w in words)
        }


class _CachedJieba:
    """What Material's search plugin sees as the ``jieba`` module: ``cut`` answered from
    ``Segments``, everything else jieba's own. Once the plugin configures jieba (its
    ``jieba_dict`` or ``jieba_dict_user`` settings: another dictionary, more words), cuts are
    no longer cached in this process: they may differ from the ones kept."""

    configured = False  # for the whole process: jieba keeps its dictionary and added words

    def __init__(self, jieba: Any, segments: Segments) -> None:
        self._jieba = jieba
        self._segments = segments
        if getattr(getattr(jieba, "dt", None), "dictionary", None) is not None:
            _CachedJieba.configured = True  # a dictionary other than jieba's own

    def cut(self, sentence: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or _CachedJieba.configured:
            return self._jieba.cut(sentence, *args, **kwargs)
        text = sentence.decode("utf-8") if isinstance(sentence, bytes) else sentence
        words = self._segments.get(text)
        if words is None:
            words = list(self._jieba.cut(sentence))
            self._segments.put(text, words)
        return list(words)

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_"):  # set_dictionary, load_userdict, add_word, ...
            _CachedJieba.configured = True
        return getattr(self._jieba, name)


_segments: dict[Path, Segments] = {}


def segments() -> Segments:
    """This process's segmentation memo, one per cache file (the cache folder can change)."""
    import jieba

    try:  # jieba's own dictionary, shipped beside it: its size tells an edited one
        size = Path(jieba.__file__).with_name("dict.txt").stat().st_size
    except (OSError, TypeError):
        size = -1
    version = str(getattr(jieba, "__version__", "unknown"))
    path = _folder() / f"jieba-{_key('jieba', version, str(size), search_words.VERSION)}.json"
    if path not in _segments:
        _segments[path] = Segments(path)
    return _segments[path]


# -- compiled theme templates --------------------------------------------------------------------


class ThemeBytecode(BytecodeCache):
    """Compiled theme templates, one file per template name in ``folder``.

    Jinja names its entries after the template's file path, which here is a new staging folder
    for every build (the project's overrides); the name alone is stable. Each entry records
    the checksum of its source, and Jinja compiles again when it differs.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.memory: dict[str, bytes] = {}

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.memory.get(bucket.key)
        if data is None:
            try:
                data = (self.folder / f"{bucket.key}.cache").read_bytes()
            except OSError:
                return
        try:
            bucket.bytecode_from_string(data)
        except Exception:  # a truncated or foreign file: marshal raises anything
            bucket.reset()
            return
        if bucket.code is not None:
            self.memory[bucket.key] = data

    def dump_bytecode(self, bucket: Bucket) -> None:
        data = bucket.bytecode_to_string()
        self.memory[bucket.key] = data
        with contextlib.suppress(OSError):
            write_atomically(self.folder / f"{bucket.key}.cache", data)


_bytecode: dict[Path, ThemeBytecode] = {}


def theme_bytecode(env: Any) -> ThemeBytecode:
    """The bytecode cache for environments configured like ``env`` (compiled code depends on
    Jinja's version, the extensions and the syntax settings, all part of the folder's name)."""
    import jinja2
    import mkdocs

    settings = [
        jinja2.__version__,
        mkdocs.__version__,
        _version("material"),
        repr(sorted(env.extensions)),
        repr(getattr(env, "newstyle_gettext", None)),
        repr(env.autoescape),
        repr(sorted(env.filters)),  # a filter or test unknown when compiling fails at run time
        repr(sorted(env.tests)),
        *(repr(getattr(env, name)) for name in _SYNTAX),
    ]
    folder = _folder() / f"templates-{_key('templates', *settings)}"
    if folder not in _bytecode:
        _bytecode[folder] = ThemeBytecode(folder)
    return _bytecode[folder]


_SYNTAX = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
)


# -- pages, for the preview ----------------------------------------------------------------------


class PageMemo:
    """Each page's rendered Markdown and search entries, reused while their inputs match.

    Only the latest version of each page is kept. A page's HTML depends on its Markdown, the
    Markdown settings and the files it may link to; its search entries on its URL, HTML,
    table of contents, title and front matter: the keys hold all of these.
    """

    def __init__(self) -> None:
        self.rendered: dict[str, tuple[tuple[object, ...], dict[str, Any]]] = {}
        self.entries: dict[str, tuple[tuple[object, ...], list[dict[str, Any]]]] = {}
        self.lock = threading.Lock()
        self.converted = 0  # pages converted from Markdown (not reused), for tests

    def render(self, original: Callable[..., None]) -> Callable[..., None]:
        memo = self

        def render(page: Any, config: Any, files: Any) -> None:
            key = (
                page.markdown,
                page.file.url,
                repr(config["markdown_extensions"]),
                repr(config["mdx_configs"]),
                config["use_directory_urls"],
                tuple(sorted((f.src_uri, f.url) for f in files)),
            )
            with memo.lock:
                kept = memo.rendered.get(page.file.src_uri)
            if kept is not None and kept[0] == key:
                state = kept[1]
                page.content = state["content"]
                page.toc = state["toc"]
                page._title_from_render = state["title"]
                page.present_anchor_ids = set(state["anchors"])
                if state["links"] is not None:
                    page.links_to_anchors = {
                        target: dict(links)
                        for uri, links in state["links"].items()
                        if (target := files.get_file_from_path(uri)) is not None
                    }
                return
            original(page, config, files)
            links = getattr(page, "links_to_anchors", None)
            state = {
                "content": page.content,
                "toc": page.toc,
                "title": page._title_from_render,
                "anchors": frozenset(page.present_anchor_ids or ()),
                "links": None
                if links is None
                else {target.src_uri: dict(anchors) for target, anchors in links.items()},
            }
            with memo.lock:
                memo.rendered[page.file.src_uri] = (key, state)
                memo.converted += 1

        return render

    def add_entry(self, original: Callable[..., None]) -> Callable[..., None]:
        memo = self

        def add_entry_from_context(index: Any, page: Any) -> None:
            key = (
                page.url,
                page.content,
                str(page.title),
                repr(page.meta),
                repr([(item.id, item.url, item.title) for item in _walk(page.toc)]),
            )
            with memo.lock:
                kept = memo.entries.get(page.url)
            if kept is not None and kept[0] == key:
                index.entries.extend(dict(entry) for entry in kept[1])
                return
            start = len(index.entries)
            original(index, page)
            added = [dict(entry) for entry in index.entries[start:]]
            with memo.lock:
                memo.entries[page.url] = (key, added)

        return add_entry_from_context


class ThemeFiles:
    """The theme's static files, listed once per process.

    MkDocs lists them for every build by walking the theme's folders (Material's holds some
    14,500 files, most of them icons) and matching each name against a dozen patterns: about
    0.15 s of every site, the same for every client of a batch and every save in the preview.
    The installed theme does not change while ccdocs runs; the project's own theme folder
    (``custom_dir``) is listed again each time.
    """

    def __init__(self) -> None:
        self.kept: dict[tuple[object, ...], list[tuple[str, str | None]]] = {}
        self.lock = threading.Lock()

    def wrap(self, original: Callable[..., None]) -> Callable[..., None]:
        memo = self

        def add_files_from_theme(files: Any, env: Any, config: Any) -> None:
            from mkdocs.structure.files import File, Files

            custom = config.theme.custom_dir
            key = (
                tuple(config.theme.dirs),
                tuple(config.theme.static_templates),
                config.use_directory_urls,
                _listing(custom) if custom else (),
            )
            with memo.lock:
                kept = memo.kept.get(key)
            if kept is None:  # every file of the theme: listed beside no docs files
                listed = Files([])
                original(listed, env, config)
                kept = [(f.src_uri, f.src_dir) for f in listed]
                with memo.lock:
                    memo.kept = {key: kept}
            for path, folder in kept:
                if files.get_file_from_path(path) is None:  # docs files take precedence
                    files.append(File(path, folder, config.site_dir, config.use_directory_urls))

        return add_files_from_theme


_theme_files = ThemeFiles()


def _listing(folder: str) -> tuple[str, ...]:
    """Every file under ``folder``, by its path."""
    return tuple(
        sorted(os.path.join(root, name) for root, _, names in os.walk(folder) for name in names)
    )


def _walk(toc: Any) -> Iterator[Any]:
    for item in toc:
        yield item
        yield from _walk(item.children)


# -- putting it in place -------------------------------------------------------------------------

_lock = threading.Lock()
_active = 0
_restore: list[tuple[object, str, object]] = []


@contextlib.contextmanager
def site_caches(pages: PageMemo | None = None, *, cached: bool = True) -> Iterator[Segments]:
    """The caches in place for the builds run inside; new segmentations saved on leaving.

    ``pages`` also reuses rendered pages and search entries (for ``ccdocs serve``).
    ``cached=False`` puts only the site's search words in place (``search_words``), which are
    not a cache: the build is then Material's own but for them. Nested and concurrent uses (a
    build publishes formats in threads) share one set of replacements, made by the first and
    put back when the last one leaves.
    """
    global _active
    memo = segments()
    with _lock:
        _active += 1
        if _active == 1:
            _apply(memo, pages, cached)
    try:
        yield memo
    finally:
        memo.save()
        with _lock:
            _active -= 1
            if _active == 0:
                for owner, name, value in reversed(_restore):
                    setattr(owner, name, value)
                _restore.clear()


def _apply(memo: Segments, pages: PageMemo | None, cached: bool) -> None:
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page
    from mkdocs.theme import Theme

    search = importlib.import_module(SEARCH_PLUGIN)
    if search.jieba is not None:  # without jieba, Material does not segment at all
        words = search_words.FinerCut(search.jieba)
        _replace(search, "jieba", _CachedJieba(words, memo) if cached else words)
    if not cached:
        return
    get_env = Theme.get_env

    def cached_env(theme: Theme) -> Any:
        env = get_env(theme)
        env.bytecode_cache = theme_bytecode(env)
        return env

    _replace(Theme, "get_env", cached_env)
    _replace(Files, "add_files_from_theme", _theme_files.wrap(Files.add_files_from_theme))
    if pages is not None:
        _replace(Page, "render", pages.render(Page.render))
        index = search.SearchIndex
        _replace(index, "add_entry_from_context", pages.add_entry(index.add_entry_from_context))


def _replace(owner: object, name: str, value: object) -> None:
    _restore.append((owner, name, getattr(owner, name)))
    setattr(owner, name, value)


# -- helpers -------------------------------------------------------------------------------------


def _key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:16]


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(f"mkdocs-{distribution}")
    except PackageNotFoundError:
        return "unknown"
