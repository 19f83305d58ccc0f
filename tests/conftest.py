"""Shared fixtures: the catalog, bundled profiles, and a writer for small inline profiles."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator.bundled import bundled_dir
from generator.profile import Profile, load_profile
from generator.standards import Catalog, load_catalog

PROFILES = bundled_dir("org_profiles")


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
