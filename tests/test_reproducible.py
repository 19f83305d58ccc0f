"""Reproducible output: the same inputs built in different folders, time zones and locales give
byte-identical Markdown, JSON, manifest and evidence pack."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import PROFILES

CCDOCS = str(Path(sys.executable).parent / "ccdocs")
ENVIRONMENTS = [
    {"TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
    {"TZ": "Pacific/Chatham", "LC_ALL": "", "LANG": "zh_CN.GB18030", "LANGUAGE": "zh_CN"},
]


def build_in(folder: Path, environment: dict[str, str]) -> Path:
    """Copy the water utility (it has evidence files) into ``folder``, build it from there."""
    center = folder / "center"
    shutil.copytree(PROFILES / "evidence" / "water-utility", center / "evidence" / "water-utility")
    shutil.copy(PROFILES / "water-utility.yaml", center / "water.yaml")
    env = {**os.environ, **environment}
    for command in (["build", "--format", "md,audit"], ["evidence"]):
        run = subprocess.run(
            [CCDOCS, *command, "center/water.yaml", "--out", "out"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stdout + run.stderr
    return folder / "out" / "water-utility"


def digests(folder: Path, patterns: tuple[str, ...]) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for pattern in patterns
        for path in sorted(folder.glob(pattern))
    }


@pytest.mark.e2e
def test_two_builds_in_other_folders_time_zones_and_locales_are_byte_identical(tmp_path):
    first = build_in(tmp_path / "one", ENVIRONMENTS[0])
    second = build_in(tmp_path / "two" / "deeper" / "path with spaces", ENVIRONMENTS[1])
    patterns = ("manual/*.md", "audit/*.json", "audit/*.md", "evidence-pack.zip")
    one, two = digests(first, patterns), digests(second, patterns)
    assert {Path(p).parent.name for p in one} == {"manual", "audit", ""}
    assert len(one) >= 6
    assert one == two
    with (
        zipfile.ZipFile(first / "evidence-pack.zip") as a,
        zipfile.ZipFile(second / "evidence-pack.zip") as b,
    ):
        assert a.read("manifest.json") == b.read("manifest.json")
        assert {i.date_time for i in a.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        names = a.namelist()
    assert any(n.endswith(".docx") for n in names) and any(n.endswith(".pdf") for n in names)


def test_the_sites_sitemap_carries_no_build_time(tmp_path):
    from conftest import bundled

    from generator.build import build_profile

    result = build_profile(bundled("minimal"), tmp_path, formats=["site"])
    header = (result.output / "site" / "sitemap.xml.gz").read_bytes()[:10]
    assert header[4:8] == b"\0\0\0\0"  # the gzip MTIME field


@pytest.mark.e2e
def test_conversions_side_by_side_give_the_bytes_of_a_serial_build(tmp_path, catalog):
    """The documents split between two workers (each share converted by one pandoc run and
    laid out by one Typst process of its own) or all converted together in this process:
    every output file is the same."""
    from generator.build import build_profile

    def digests(workers: int) -> dict[str, str]:
        out = build_profile(
            PROFILES / "water-utility.yaml",
            tmp_path / f"w{workers}",
            formats=("md", "docx", "pdf", "site", "audit"),
            catalog=catalog,
            workers=workers,
        ).output
        return {
            str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != ".ccdocs-state.json"
        }

    serial, parallel = digests(1), digests(2)
    assert any(name.endswith(".pdf") for name in serial)
    assert parallel == serial
