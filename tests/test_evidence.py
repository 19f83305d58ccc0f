"""Evidence files: inside the profile's folder, hashed; a missing file is a gap, not a crash."""

from __future__ import annotations

import hashlib
import os

import pytest

from generator.evidence import load_evidence
from generator.profile import load_profile
from generator.validate import validate_profile

PROFILE = """\
organization: {{id: acme, name: Acme}}
assessment_date: 2026-03-01
records:
  - {{id: r1, kind: emergency-test-record, date: 2026-01-10, file: {file}}}
"""


def _validate(write_profile, catalog, file: str):
    profile = load_profile(write_profile(PROFILE.format(file=file)))
    return validate_profile(profile, catalog, load_evidence(profile))


def test_an_evidence_file_is_found_and_hashed(write_profile, tmp_path, catalog):
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "drill.md").write_text("drill ok\n", encoding="utf-8")
    profile = load_profile(write_profile(PROFILE.format(file="evidence/drill.md")))
    [info] = load_evidence(profile).values()
    assert info.status == "ok" and info.size == 9
    assert info.sha256 == hashlib.sha256(b"drill ok\n").hexdigest()
    result = validate_profile(profile, catalog, load_evidence(profile))
    assert not [g for g in result.gaps if g.subject == "emergency-test-record"]


def test_a_missing_evidence_file_makes_the_record_partial(write_profile, catalog):
    result = _validate(write_profile, catalog, "evidence/nowhere.md")
    [gap] = [g for g in result.gaps if g.subject == "emergency-test-record"]
    assert (gap.status, gap.location.line) == ("partial", 4)
    assert gap.detail_text == "evidence file evidence/nowhere.md not found"


@pytest.mark.parametrize("path", ["../secret.md", "/etc/passwd", "evidence/../../x.md"])
def test_an_evidence_path_leaving_the_folder_is_an_error(write_profile, catalog, path):
    [error] = _validate(write_profile, catalog, path).errors
    assert error.message == f"evidence path '{path}' leaves the profile's folder"
    assert error.location.line == 4


def test_a_symlink_leading_out_of_the_folder_is_an_error(write_profile, tmp_path, catalog):
    outside = tmp_path.parent / "outside-secret.md"
    outside.write_text("secret", encoding="utf-8")
    os.symlink(outside, tmp_path / "link.md")
    [error] = _validate(write_profile, catalog, "link.md").errors
    assert "leaves the profile's folder" in error.message


def test_a_fifo_or_folder_is_refused_without_reading_it(write_profile, tmp_path, catalog):
    os.mkfifo(tmp_path / "pipe")  # reading it would block for ever
    (tmp_path / "folder").mkdir()
    for name in ("pipe", "folder"):
        [error] = _validate(write_profile, catalog, name).errors
        assert error.message == f"evidence path '{name}' is not a regular file " + (
            "(a folder, device, pipe or socket)"
        )


def test_a_symlink_to_a_device_is_refused(write_profile, tmp_path, catalog):
    os.symlink("/dev/zero", tmp_path / "zero")
    [error] = _validate(write_profile, catalog, "zero").errors
    assert "leaves the profile's folder" in error.message


@pytest.mark.parametrize("path", ['"a\\0b"', '"' + "x" * 5000 + '"', "loop"])
def test_an_unreadable_evidence_path_is_an_error_not_a_crash(
    write_profile, tmp_path, catalog, path
):
    os.symlink("loop", tmp_path / "loop")  # a symlink to itself
    [error] = _validate(write_profile, catalog, path).errors
    assert "cannot be read" in error.message and error.location.line == 4


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device file needs root")
def test_a_device_file_inside_the_folder_is_refused_without_reading_it(
    write_profile, tmp_path, catalog
):
    import stat

    os.mknod(tmp_path / "zero", 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # like /dev/zero
    [error] = _validate(write_profile, catalog, "zero").errors
    assert "is not a regular file" in error.message
