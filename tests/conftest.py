"""Shared fixtures: the catalog, bundled profiles, and a writer for small inline profiles."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import os
import shutil
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.bundled import bundled_dir
from generator.profile import Profile, load_profile
from generator.standards import Catalog, load_catalog

PROFILES = bundled_dir("org_profiles")
# DOCX builds lay their contents out with LibreOffice when it is installed: seconds a document.
# The tests of that pass ask for it; every other build (subprocesses too) goes without.
os.environ["CCDOCS_SOFFICE"] = "none"
# Messages about a profile that states no language follow the locale: the same on every machine.
os.environ["LC_ALL"] = "C.UTF-8"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files")


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def write_profile(tmp_path: Path):
    """Write dedented YAML to tmp_path/profile.yaml and return its path."""

    def write(text: str, name: str = "profile.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def load(write_profile):
    """Write YAML and load it as a Profile."""

    def do(text: str) -> Profile:
        return load_profile(write_profile(text))

    return do


def bundled(name: str) -> Path:
    return PROFILES / f"{name}.yaml"


# -- the site in a real browser ------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# The theme draws Mermaid diagrams into closed shadow roots; open them so a test can look in.
OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  return attach.call(this, {...init, mode: "open"});
};
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on a free local port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; the test is skipped where either is missing."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


def file_tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder``: relative path -> sha256 (a symlink: its target)."""
    tree = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            tree[path.relative_to(folder).as_posix()] = f"-> {os.readlink(path)}"
        elif path.is_file():
            tree[path.relative_to(folder).as_posix()] = hashlib.sha256(
                path.read_bytes()
            ).hexdigest()
    return tree
