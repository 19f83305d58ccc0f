"""Live preview: the site of a profile, rebuilt whenever the profile changes.

MkDocs serves the generated site project with live reload. A watcher thread re-runs load,
validate, resolve and render when the profile file changes; errors are reported and the last
good pages stay up, a valid profile rewrites the pages and the browser reloads.
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from generator.brand import Brand
from generator.build import render_profile
from generator.errors import CcdocsError, Finding, ProfileError
from generator.publish.site import write_site_project
from generator.standards import Catalog, load_catalog

Report = Callable[[list[Finding], str], None]  # findings, one-line summary


def refresh(
    profile: Path,
    project: Path,
    catalog: Catalog,
    language: str | None,
    report: Report,
    brand: Brand | None = None,
) -> bool:
    """Regenerate the site project from ``profile``; False (pages untouched) on errors."""
    try:
        rendered = render_profile(profile, language=language, catalog=catalog, brand=brand)
    except ProfileError as e:
        count = f"{len(e.findings)} error{'' if len(e.findings) == 1 else 's'}"
        summary = f"{profile}: {count}; the preview keeps the last good pages"
        _problems(project, report, list(e.findings), summary)
        return False
    except CcdocsError as e:
        _problems(project, report, [], f"{profile}: {e}")
        return False
    write_site_project(rendered.publication, project)
    (project / PROBLEMS).unlink(missing_ok=True)
    report([g.to_finding() for g in rendered.gaps], f"{profile}: valid, {len(rendered.gaps)} gaps")
    return True


# Shown at the top of every page of the preview while the last save could not be built.
PROBLEMS = Path("overrides") / "partials" / "ccdocs-problems.html"


def _problems(project: Path, report: Report, findings: list[Finding], summary: str) -> None:
    """Report problems in the terminal and, once the preview exists, on its pages."""
    report(findings, summary)
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
    poll_seconds: float = 0.5,
    catalog: Catalog | None = None,
    brand: Brand | None = None,
) -> bool:
    """Serve the site of ``profile`` at ``address`` (host:port) until interrupted.

    Returns False at once when the profile cannot be built the first time.
    """
    import jieba
    from mkdocs.commands.serve import serve

    jieba.setLogLevel(logging.ERROR)  # it announces its dictionary on stderr
    catalog = catalog or load_catalog()
    if not refresh(profile, project, catalog, language, report, brand):
        return False
    stop = threading.Event()
    watcher = threading.Thread(
        target=_watch,
        args=(profile, project, catalog, language, report, brand, poll_seconds, stop),
        daemon=True,
    )
    watcher.start()
    try:
        serve(
            config_file=str(project / "mkdocs.yml"),
            livereload=True,
            dev_addr=address,
            watch_theme=True,  # the problems shown on every page live among the theme files
        )
    finally:
        stop.set()
    return True


def _watch(
    profile: Path,
    project: Path,
    catalog: Catalog,
    language: str | None,
    report: Report,
    brand: Brand | None,
    poll_seconds: float,
    stop: threading.Event,
) -> None:
    seen = _stamp(profile)
    while not stop.wait(poll_seconds):
        now = _stamp(profile)
        if now != seen:
            seen = now
            try:
                refresh(profile, project, catalog, language, report, brand)
            except Exception as e:  # the watcher reports any failure and picks up the next save
                summary = (
                    f"{profile}: the preview could not be rebuilt ({type(e).__name__}: {e}); "
                    "it keeps the last good pages and picks up your next save"
                )
                _problems(project, report, [], summary)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)
