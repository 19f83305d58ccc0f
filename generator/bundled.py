"""Where the bundled data folders are: in the wheel, or beside the package in a source tree."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """The folder ``name`` (standards_map, templates, org_profiles, site) shipped with ccdocs."""
    installed = _PACKAGE / "bundled" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def default_profile() -> Path:
    """The profile ``ccdocs`` uses when none is given: the event hotline."""
    return bundled_dir("org_profiles") / "event-hotline.yaml"
