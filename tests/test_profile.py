"""Load stage: YAML into data with a position for every value and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import ProfileError
from generator.profile import load_profile, parse_profile


def test_values_and_keys_keep_line_and_column(load):
    profile = load(
        """
        organization:
          id: acme
          name: Acme
        roles:
          - id: csr
            name: Agent
        """
    )
    assert profile.data["roles"][0]["id"] == "csr"
    value = profile.locate("/roles/0/name")
    assert (value.line, value.column) == (6, 11)
    key = profile.locate("/roles/0/name", key=True)
    assert (key.line, key.column) == (6, 5)


def test_missing_pointer_locates_nearest_parent(load):
    profile = load("organization:\n  id: acme\n")
    location = profile.locate("/organization/name")
    assert (location.line, location.column, location.pointer) == (2, 3, "/organization/name")


def test_dates_stay_strings(load):
    profile = load("assessment_date: 2026-03-31\n")
    assert profile.data["assessment_date"] == "2026-03-31"


def test_merge_keys_are_resolved(load):
    profile = load(
        """
        base: &base {kind: voice}
        channel:
          <<: *base
          id: hotline
        """
    )
    assert profile.data["channel"] == {"kind": "voice", "id": "hotline"}


def test_duplicate_key_is_an_error_at_the_second_key(write_profile):
    path = write_profile("organization:\n  id: a\n  id: b\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert caught.value.findings[0].format() == (
        f"{path}:3:3: /organization/id: duplicate key 'id'"
        " (keep one of them; YAML would silently use the last)"
    )


def test_yaml_syntax_error_is_located(write_profile):
    path = write_profile("organization:\n  id: a\n name: b\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    finding = caught.value.findings[0]
    assert (finding.location.line, finding.location.column) == (3, 2)
    assert finding.message.startswith("YAML syntax error:")


def test_tab_indentation_gets_a_hint(write_profile):
    path = write_profile("organization:\n\tid: a\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert caught.value.findings[0].location.line == 2
    assert "tabs" in caught.value.findings[0].hint


def test_python_tags_are_refused(write_profile):
    path = write_profile("organization: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert caught.value.findings[0].location.line == 1


def test_missing_file_is_a_finding(tmp_path: Path):
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path / "nope.yaml")
    assert caught.value.findings[0].message == "file not found"


def test_non_utf8_file_is_a_finding(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert caught.value.findings[0].message == "not UTF-8 text"


def test_empty_file_loads_as_empty_mapping(write_profile):
    assert load_profile(write_profile("")).data == {}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_loads_or_fails_with_located_findings(text: str):
    try:
        parse_profile(text, Path("p.yaml"))
    except ProfileError as e:
        assert e.findings
        assert all(str(f.location.file) == "p.yaml" for f in e.findings)
