"""Live preview: the site of a profile, rebuilt whenever the profile changes.

MkDocs' live-reload server serves the generated site project. A watcher thread re-runs load,
validate, resolve and render when the profile file changes; errors are reported and the last
good pages stay up, a valid profile rewrites the pages that changed and the browser reloads.

Only the site is rebuilt on a save, and within it only what changed: the server watches the
project, rebuilds the site once the pages are written, and reuses every page whose Markdown did
not change (``site_cache.PageMemo``): after a save the preview waits for the profile to be
rendered and the edited pages to be converted, little else. Each rebuild is still a whole MkDocs
build (navigation, search index) with the output of a fresh one.

A document's DOCX and PDF are made when its page's download link is followed (``Prints``): the
latest valid save's document, converted once per version of it.
"""

from __future__ import annotations

import hashlib
import html
import logging
import pickle
import re
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.brand import Brand
from generator.build import render_profile
from generator.errors import CcdocsError, Finding, ProfileError
from generator.messages import language_of, text, told, told_error
from generator.profile import own_data
from generator.publish import PUBLISHERS, Publication
from generator.publish.site import write_site_project
from generator.standards import Catalog, load_catalog

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

Report = Callable[[list[Finding], str, bool], None]  # findings, one-line summary, built

PRINTS = ("docx", "pdf")  # made on demand, linked from every document's page
# A download link of a page, as the served site resolves it: /pdf/dr-plan.pdf
_PRINT_PATH = re.compile(r"/(docx|pdf)/([A-Za-z0-9_-]+)\.\1")
_MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
_TEXT = "text/plain; charset=utf-8"


class Prints:
    """The preview's DOCX and PDF files, each made when its link is first followed: the
    document of the latest valid save, converted once per version of it into ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.publication: Publication | None = None  # the latest valid save's
        self.lock = threading.Lock()  # one conversion at a time: it has the cores

    def file(self, kind: str, doc_id: str) -> Path | None:
        """The ``kind`` file of the document ``doc_id``, made now if this version has none;
        None when there is no such document. PublishError when it cannot be made."""
        publication = self.publication
        if publication is None or kind not in PRINTS or doc_id not in publication.documents:
            return None
        markdown = publication.documents[doc_id]
        # The document and its facts (the brand's logo bytes among them) name the version.
        version = pickle.dumps((kind, markdown, publication.facts[doc_id]))
        folder = self.folder / hashlib.sha256(version).hexdigest()[:16]
        target = folder / kind / f"{doc_id}.{kind}"
        with self.lock:
            if not target.is_file():
                one = replace(publication, documents={doc_id: markdown})
                PUBLISHERS[kind][1](one, folder / kind)
        return target

    def app(self, site: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        """The WSGI application ``site`` (MkDocs' server), answering the print links first."""

        def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            match = _PRINT_PATH.fullmatch(environ.get("PATH_INFO", ""))
            if match is None:
                return site(environ, start_response)
            try:
                made = self.file(match[1], match[2])
            except Exception as e:  # said in the browser, never a traceback in the terminal
                publication = self.publication
                lang = publication.language if publication else "en"
                said = (
                    told_error(e, lang)
                    if isinstance(e, CcdocsError)
                    else f"{type(e).__name__}: {e}"
                )
                start_response("500 Internal Server Error", [("Content-Type", _TEXT)])
                return [said.encode("utf-8")]
            if made is None:
                return site(environ, start_response)
            data = made.read_bytes()
            start_response(
                "200 OK",
                [
                    ("Content-Type", _MEDIA[match[1]]),
                    ("Content-Length", str(len(data))),
                    ("Content-Disposition", f'attachment; filename="{made.name}"'),
                ],
            )
            return [data]

        return serve


def refresh(
    profile: Path,
    project: Path,
    catalog: Catalog,
    language: str | None,
    report: Report,
    brand: Brand | None = None,
    prints: Prints | None = None,
) -> bool:
    """Regenerate the site project from ``profile``; False (pages untouched) on errors. With
    ``prints``, the pages link to the documents' DOCX and PDF, which it makes on demand."""
    try:
        downloads = PRINTS if prints is not None else ()
        rendered = render_profile(
            profile, language=language, catalog=catalog, brand=brand, downloads=downloads
        )
    except ProfileError as e:
        lang = language_of(language, own_data(profile))
        findings = [told(f, lang) for f in e.findings]
        summary = text("summary.serve-errors", lang, path=profile, count=len(findings))
        _problems(project, report, findings, summary, ok=False)
        return False
    except CcdocsError as e:
        _problems(project, report, [], f"{profile}: {e}", ok=False)
        return False
    write_site_project(rendered.publication, project)
    if prints is not None:
        prints.publication = rendered.publication
    (project / PROBLEMS).unlink(missing_ok=True)
    lang = rendered.publication.language
    gaps = [told(g.to_finding(), lang) for g in rendered.gaps]
    report(gaps, text("summary.serve-valid", lang, path=profile, gaps=len(gaps)), True)
    return True


# Shown at the top of every page of the preview while the last save could not be built.
PROBLEMS = Path("overrides") / "partials" / "ccdocs-problems.html"


def _problems(
    project: Path, report: Report, findings: list[Finding], summary: str, *, ok: bool
) -> None:
    """Report problems in the terminal and, once the preview exists, on its pages."""
    report(findings, summary, ok)
    if (project / "mkdocs.yml").is_file():
        lines = [summary, *(f.format() for f in findings[:50])]
        items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines[1:])
        banner = f'<div class="ccdocs-problems"><strong>{html.escape(lines[0])}</strong>'
        (project / PROBLEMS).parent.mkdir(parents=True, exist_ok=True)
        (project / PROBLEMS).write_text(f"{banner}<ul>{items}</ul></div>\n", encoding="utf-8")


def serve_profile(
    profile: Path,
    project: Path,
    *,
    address: str,
    language: str | None,
    report: Report,
    poll_seconds: float = 0.05,
    catalog: Catalog | None = None,
    brand: Brand | None = None,
) -> bool:
    """Serve the site of ``profile`` at ``address`` (host:port) until interrupted.

    Returns False at once when the profile cannot be built the first time. The profile and the
    project are both checked for changes every ``poll_seconds``. The documents' DOCX and PDF
    are made when their links are followed.
    """
    import jieba

    jieba.setLogLevel(logging.ERROR)  # it announces its dictionary on stderr
    catalog = catalog or load_catalog()
    with tempfile.TemporaryDirectory(prefix="ccdocs-prints-") as folder:
        prints = Prints(Path(folder))  # outside the project: a print made is not a change
        if not refresh(profile, project, catalog, language, report, brand, prints):
            return False
        stop = threading.Event()
        watcher = threading.Thread(
            target=_watch,
            args=(profile, project, catalog, language, report, brand, prints, poll_seconds, stop),
            daemon=True,
        )
        watcher.start()
        try:
            serve_site(project, address, poll_seconds, prints)
        finally:
            stop.set()
            watcher.join(60)  # no refresh is left writing into the folders removed now
        return True


def serve_site(
    project: Path, address: str, poll_seconds: float, prints: Prints | None = None
) -> None:
    """Build the site project in ``project`` and serve it with live reload until interrupted;
    any change in the project (pages, mkdocs.yml, the problems banner) rebuilds it.

    What ``mkdocs serve`` does, with ccdocs' site configuration and caches: the pages that did
    not change are not converted again, and the project is checked every ``poll_seconds``
    (MkDocs checks every half second).
    """
    from mkdocs.livereload import LiveReloadServer

    from generator.publish.site_cache import PageMemo, site_caches

    with (
        tempfile.TemporaryDirectory(prefix="ccdocs-preview-") as folder,
        site_caches(PageMemo()) as segments,
    ):
        site_dir = Path(folder)
        config = load(project, site_dir, address)
        host, port = config.dev_addr
        config.plugins.on_startup(command="serve", dirty=False)

        def builder(config: MkDocsConfig | None = None) -> None:
            rebuild(config or load(project, site_dir, address))
            segments.save()  # new segmentations are on disk even if the server is killed

        server = LiveReloadServer(
            builder=builder, host=host, port=port, root=folder, polling_interval=poll_seconds
        )
        server.error_handler = lambda code: _error_page(site_dir, code)
        if prints is not None:
            server.set_app(prints.app(server.serve_request))
        # After a change, MkDocs waits until nothing has changed for build_delay (0.1 s). The
        # pages are written in one go, each replaced whole: a little over one poll is enough.
        server.build_delay = poll_seconds * 1.5
        try:
            builder(config)
            server.watch(str(project))
            server = config.plugins.on_serve(server, config=config, builder=builder)
            try:
                server.serve()  # type: ignore[no-untyped-call]  # untyped in MkDocs
            except KeyboardInterrupt:
                pass
            finally:
                server.shutdown()
        finally:
            config.plugins.on_shutdown()


def load(project: Path, site_dir: Path, address: str) -> MkDocsConfig:
    """The project's configuration for serving at ``address``."""
    from generator.publish.site import load_site_config

    config = load_site_config(project / "mkdocs.yml", site_dir, dev_addr=address)
    host, port = config.dev_addr
    config.site_url = f"http://{host}:{port}/"
    return config


def rebuild(config: MkDocsConfig) -> None:
    """One full build for the preview (drafts included, as mkdocs serve does)."""
    from mkdocs.commands.build import build

    build(config, serve_url=config.site_url)


def _error_page(site_dir: Path, code: int) -> bytes | None:
    page = site_dir / f"{code}.html"
    if code in (404, 500) and page.is_file():
        return page.read_bytes()
    return None


def _watch(
    profile: Path,
    project: Path,
    catalog: Catalog,
    language: str | None,
    report: Report,
    brand: Brand | None,
    prints: Prints,
    poll_seconds: float,
    stop: threading.Event,
) -> None:
    seen = _stamp(profile)
    while not stop.wait(poll_seconds):
        now = _stamp(profile)
        if now != seen:
            seen = now
            try:
                refresh(profile, project, catalog, language, report, brand, prints)
            except Exception as e:  # the watcher reports any failure and picks up the next save
                lang = language_of(language, own_data(profile))
                said = told_error(e, lang) if isinstance(e, CcdocsError) else str(e)
                error = f"{type(e).__name__}: {said}"
                summary = text("summary.serve-failed", lang, path=profile, error=error)
                _problems(project, report, [], summary, ok=False)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)
