"""Live preview: a changed profile is re-validated; errors keep the last good pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import bundled

from generator.serve import PROBLEMS, refresh


def test_refresh_rewrites_pages_and_keeps_them_when_the_profile_breaks(tmp_path, catalog):
    profile = tmp_path / "center.yaml"
    profile.write_text(bundled("minimal").read_text(encoding="utf-8"), encoding="utf-8")
    project = tmp_path / "project"
    reports: list[tuple[list, str]] = []

    def report(findings, summary, ok):
        reports.append((findings, summary))

    assert refresh(profile, project, catalog, None, report)
    page = project / "docs" / "operations-manual.md"
    good = page.read_text(encoding="utf-8")
    assert "示例客户服务中心" in good and (project / "mkdocs.yml").is_file()

    profile.write_text(profile.read_text(encoding="utf-8") + "  seats: many\n", encoding="utf-8")
    assert not refresh(profile, project, catalog, None, report)
    findings, summary = reports[-1]
    assert findings[0].format().startswith(f"{profile}:8:10: /organization/seats:")
    assert "keeps the last good pages" in summary
    assert page.read_text(encoding="utf-8") == good
    banner = (project / PROBLEMS).read_text(encoding="utf-8")  # shown on every page
    assert "/organization/seats:" in banner and "keeps the last good pages" in banner

    profile.write_text(profile.read_text(encoding="utf-8").replace("many", "30"), encoding="utf-8")
    assert refresh(profile, project, catalog, None, report)
    assert "| 30 |" in page.read_text(encoding="utf-8")
    assert not (project / PROBLEMS).exists()


def test_the_watcher_survives_a_failing_rebuild_and_picks_up_the_next_save(
    tmp_path, catalog, monkeypatch
):
    import threading
    import time

    import generator.serve as serve

    profile = tmp_path / "center.yaml"
    profile.write_text("a: 1\n", encoding="utf-8")
    calls: list[int] = []
    reports: list[str] = []

    def failing_then_fine(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        return True

    monkeypatch.setattr(serve, "refresh", failing_then_fine)
    stop = threading.Event()
    watcher = threading.Thread(
        target=serve._watch,
        args=(
            profile,
            tmp_path,
            catalog,
            None,
            lambda f, s, ok: reports.append(s),
            None,
            None,
            0.01,
            stop,
        ),
    )
    watcher.start()
    try:
        for n in (2, 3):
            time.sleep(0.05)
            profile.write_text("a: 1\n" + "b: 2\n" * n, encoding="utf-8")
            deadline = time.monotonic() + 10
            while len(calls) < n - 1 and time.monotonic() < deadline:
                time.sleep(0.01)
    finally:
        stop.set()
        watcher.join(10)
    assert len(calls) == 2  # the second save was still picked up
    assert "could not be rebuilt (OSError" in reports[0] and "next save" in reports[0]


def test_serve_refuses_a_port_out_of_range_and_a_port_in_use():
    import socket

    from click.testing import CliRunner

    from generator.cli import EXIT_OUTPUT, EXIT_USAGE, cli

    runner = CliRunner()
    bad = runner.invoke(cli, ["serve", "--address", "127.0.0.1:70000"])
    assert bad.exit_code == EXIT_USAGE and "port from 1 to 65535" in bad.output
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = runner.invoke(cli, ["serve", "--address", f"127.0.0.1:{port}"])
    assert busy.exit_code == EXIT_OUTPUT, busy.output
    assert f"无法在 127.0.0.1:{port} 上提供预览" in busy.output  # the bundled profile's language


def _event_hotline(folder):
    """A copy of the bundled event hotline, with the evidence files it refers to."""
    import shutil

    from generator.bundled import bundled_dir

    shutil.copytree(bundled_dir("org_profiles") / "evidence", folder / "evidence")
    profile = folder / "center.yaml"
    profile.write_text(bundled("event-hotline").read_text(encoding="utf-8"), encoding="utf-8")
    return profile


def test_a_rebuild_converts_only_the_edited_page_and_equals_a_full_build(
    tmp_path, catalog, monkeypatch
):
    from conftest import file_tree

    from generator.publish.site_cache import PageMemo, site_caches
    from generator.serve import load, rebuild

    monkeypatch.setenv("CCDOCS_CACHE_DIR", str(tmp_path / "cache"))
    profile = _event_hotline(tmp_path)
    project = tmp_path / "project"
    address = "127.0.0.1:8000"
    assert refresh(profile, project, catalog, None, lambda findings, summary, ok: None)
    docs = {p: p.stat().st_mtime_ns for p in (project / "docs").glob("*.md")}
    memo = PageMemo()
    with site_caches(memo):
        rebuild(load(project, tmp_path / "served", address))
        assert memo.converted == len(docs)

        text = profile.read_text(encoding="utf-8")
        # organization.parent is printed in the operations manual only
        parent = "parent: {zh: 赛事组织委员会 观众服务部"
        assert parent in text
        profile.write_text(text.replace(parent, parent[:-1] + "处"), encoding="utf-8")
        assert refresh(profile, project, catalog, None, lambda findings, summary, ok: None)
        changed = [p.name for p, stamp in docs.items() if p.stat().st_mtime_ns != stamp]
        assert changed == ["operations-manual.md"]
        rebuild(load(project, tmp_path / "served", address))
        assert memo.converted == len(docs) + 1

    with site_caches(cached=False):  # no caches at all
        rebuild(load(project, tmp_path / "plain", address))
    assert "观众服务处" in (tmp_path / "served" / "operations-manual.html").read_text("utf-8")
    assert file_tree(tmp_path / "served") == file_tree(tmp_path / "plain")


def fetch(url: str, folder: Path) -> bytes:
    """The body at ``url``, also written to ``folder``/fetched for pdftotext."""
    import urllib.request

    with urllib.request.urlopen(url, timeout=120) as response:
        data = bytes(response.read())
    (folder / "fetched").write_bytes(data)
    return data


def pdf_text(folder: Path) -> str:
    import subprocess

    command = ["pdftotext", str(folder / "fetched"), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_serve_shows_a_save_within_moments_and_the_problems_of_a_broken_one(tmp_path):
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    profile = tmp_path / "center.yaml"
    profile.write_text(bundled("minimal").read_text(encoding="utf-8"), encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/operations-manual.html"

    def page_with(text: str, timeout: float, problems: bool = False) -> str:
        """The page once it shows ``text`` (and the problems banner, or not)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    body = response.read().decode("utf-8")
                if text in body and ('class="ccdocs-problems"' in body) == problems:
                    return body
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.05)
        raise AssertionError(f"the preview never showed {text!r} (problems: {problems})")

    env = {**os.environ, "CCDOCS_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "generator", "serve", str(profile)]
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [*command, "--address", f"127.0.0.1:{port}"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            page = page_with("示例客户服务中心", 180)
            assert "livereload" in page
            # The pages link to the documents' DOCX and PDF, made when asked for.
            assert 'href="../pdf/operations-manual.pdf"' in page
            assert 'href="../docx/operations-manual.docx"' in page
            first = fetch(f"http://127.0.0.1:{port}/pdf/operations-manual.pdf", tmp_path)
            assert first.startswith(b"%PDF") and "示例客户服务中心" in pdf_text(tmp_path)
            docx = fetch(f"http://127.0.0.1:{port}/docx/operations-manual.docx", tmp_path)
            assert docx.startswith(b"PK")
            assert fetch(f"http://127.0.0.1:{port}/pdf/operations-manual.pdf", tmp_path) == first
            with pytest.raises(urllib.error.HTTPError):  # no such document
                fetch(f"http://127.0.0.1:{port}/pdf/no-such-document.pdf", tmp_path)
            profile.write_text(profile.read_text("utf-8").replace("中心", "总部"), "utf-8")
            page_with("示例客户服务总部", 60)
            fetch(f"http://127.0.0.1:{port}/pdf/operations-manual.pdf", tmp_path)
            assert "示例客户服务总部" in pdf_text(tmp_path)  # the saved version
            broken = profile.read_text("utf-8") + "  seats: many\n"
            profile.write_text(broken, encoding="utf-8")
            banner = page_with("/organization/seats:", 60, problems=True)
            assert "示例客户服务总部" in banner  # the last good pages, under the banner
            profile.write_text(broken.replace("many", "30"), encoding="utf-8")
            page_with("<td>30</td>", 60)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                code = server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()
                raise
    assert code == 0, (tmp_path / "serve.log").read_text("utf-8")


def test_a_print_that_cannot_be_made_is_said_in_the_browser(tmp_path, catalog):
    from generator.build import render_profile
    from generator.serve import Prints

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the prints would go", encoding="utf-8")
    prints = Prints(blocked)
    prints.publication = render_profile(bundled("minimal"), catalog=catalog).publication
    answered: list[str] = []

    def site(environ, start_response):
        start_response("404 Not Found", [])
        return [b"from the site"]

    app = prints.app(site)
    body = app({"PATH_INFO": "/docx/operations-manual.docx"}, lambda s, h: answered.append(s))
    assert answered == ["500 Internal Server Error"]
    assert b"NotADirectoryError" in b"".join(body) and b"Traceback" not in b"".join(body)
    for path in ("/docx/operations-manual.pdf", "/pdf/nothing.pdf", "/index.html"):
        assert app({"PATH_INFO": path}, lambda s, h: answered.append(s)) == [b"from the site"]
