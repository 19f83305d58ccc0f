"""Load stage: YAML into data with a position for every value and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cli import cli
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


# -- hostile input: refused with a located error, never a hang or a traceback --------------------

BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def refusal(text: str) -> str:
    """The one finding a refused text gives, formatted."""
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, Path("p.yaml"))
    (finding,) = caught.value.findings
    assert finding.location.line is not None, finding
    return finding.format()


def test_alias_bomb_is_refused():
    assert "more than 200,000 values" in refusal(BILLION_LAUGHS)


def test_aliases_of_one_long_text_are_refused():
    text = "a: &a " + "x" * 1_000_000 + "\nb: [" + ", ".join(["*a"] * 40) + "]\n"
    assert "MiB of text" in refusal(text)


def test_alias_inside_itself_is_refused():
    assert "contains it" in refusal("a: &a [1, *a]\n")
    assert "contains it" in refusal("a: &a {b: *a}\n")


def test_ordinary_aliases_and_merge_keys_still_work():
    data = parse_profile("base: &b {x: 1}\nc: {<<: *b, y: 2}\nd: [*b]\n", Path("p.yaml")).data
    assert data["c"] == {"x": 1, "y": 2} and data["d"] == [{"x": 1}]


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: !!python/object/apply:os.system ['true']\n", "!!python/object/apply:os.system"),
        ("a: !custom x\n", "!custom"),
        ("a: !!binary aGVsbG8=\n", "!!binary"),
        ("a: !!set {x: null}\n", "!!set"),
        ("a: !!timestamp 2024-01-01\n", "!!timestamp"),
        ("!shape\nb: 1\n", "!shape"),
    ],
)
def test_tags_are_refused(text, tag):
    assert f"tag {tag} is not allowed" in refusal(text)


def test_lone_equals_sign_is_text():
    assert parse_profile("a: =\n", Path("p.yaml")).data == {"a": "="}


def test_keys_must_be_text():
    assert "a key must be text" in refusal("? [a, b]\n: 1\n")


def test_duplicate_keys_are_refused_at_the_second():
    assert refusal("a: 1\nb: 2\na: 3\n").startswith("p.yaml:3:1: /a: duplicate key 'a'")


def test_deep_nesting_is_refused():
    assert "maximum nesting depth" in refusal("a: " + "[" * 5000 + "]" * 5000 + "\n")


@pytest.mark.parametrize("depth", [65, 900])
def test_nesting_under_the_parsers_limit_but_deep_enough_to_exhaust_recursion_is_refused(
    depth, tmp_path
):
    flow = "a: " + "{b: " * depth + "1" + "}" * depth + "\n"
    seq = "a: " + "[" * depth + "]" * depth + "\n"
    for text in (flow, seq):
        assert "nested deeper than 64 levels" in refusal(text)


def test_64_levels_go_through_every_stage_as_located_errors(tmp_path):
    text = "organization: {id: x, name: X}\nextra: " + "{b: " * 63 + "1" + "}" * 63 + "\n"
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1 and "p.yaml:2:1: /extra: unknown key 'extra'" in result.output


@pytest.mark.parametrize("digits", [16, 5000])
def test_a_number_too_large_for_a_profile_is_a_located_error(digits):
    message = refusal("organization: {id: x, name: X, seats: " + "9" * digits + "}\n")
    assert message.startswith("p.yaml:1:39: /organization/seats: the number is too large")


def test_over_large_file_is_refused_before_reading(write_profile):
    path = write_profile("")
    with path.open("wb") as f:  # sparse: no need to write 4 MiB
        f.truncate(4 * 1024 * 1024 + 1)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert "larger than 4 MiB" in caught.value.findings[0].format()


def test_a_folder_or_device_is_not_a_profile(tmp_path):
    for path in (tmp_path, Path("/dev/zero")):
        with pytest.raises(ProfileError) as caught:
            load_profile(path)
        assert caught.value.findings[0].message == "not a regular file"


def test_root_that_is_not_a_mapping_is_an_error(catalog, write_profile):
    from generator.validate import validate_profile

    for text in ("- a\n- b\n", "just text\n", "42\n"):
        profile = load_profile(write_profile(text))
        errors = validate_profile(profile, catalog, {}).errors
        assert [(e.location.line, e.location.column) for e in errors] == [(1, 1)], errors
        assert "is not a mapping" in errors[0].message


def test_a_profile_saved_as_gbk_is_located_with_a_conversion_hint(tmp_path):
    path = tmp_path / "center.yaml"
    path.write_bytes("organization: {id: g, name: 示例中心}\n".encode("gbk"))
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    message = caught.value.findings[0].format()
    assert message.startswith(f"{path}:1:31: /: not UTF-8 text (it reads as GBK/GB18030")
    assert "iconv -f GB18030 -t UTF-8 center.yaml" in message


def test_a_profile_read_again_is_parsed_again_only_when_its_bytes_change(tmp_path):
    """Loads of one file share its parse, never its data: a change to one load's data is not
    seen by the next, and an edited file is read as edited."""
    base = tmp_path / "base.yaml"
    base.write_text("organization:\n  id: acme\n  name: Acme\nroles:\n  - {id: csr, name: Agent}\n")
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\norganization:\n  name: Acme South\n")
    first = load_profile(child)
    first.data["roles"][0]["name"] = "changed by its reader"
    first.data["organization"]["id"] = "other"
    second = load_profile(child)
    assert second.data["roles"][0]["name"] == "Agent"
    assert second.data["organization"] == {"id": "acme", "name": "Acme South"}
    assert second.locate("/roles/0/name").line == 5
    base.write_text("organization:\n  id: acme\n  name: Acme\nroles:\n  - {id: csr, name: Lead}\n")
    assert load_profile(child).data["roles"][0]["name"] == "Lead"
