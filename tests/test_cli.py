"""The ccdocs command, run in-process the way a user runs it."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import bundled
from jsonschema import Draft202012Validator

from generator.cli import EXIT_ERRORS, EXIT_GAPS, EXIT_USAGE, cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_validate_defaults_to_the_bundled_event_hotline():
    result = run("validate")
    assert result.exit_code == 0, result.output
    # The profile is in Chinese, so ccdocs speaks Chinese unless told otherwise
    assert "有效 — 奥运观众呼叫中心（event-hotline）" in result.output
    english = run("validate", "--lang", "en")
    assert "valid — 奥运观众呼叫中心 (event-hotline)" in english.output
    assert "0 gaps against CC-CMM-OC 2011 L1, CCCS-OP 2014" in english.output


def test_water_utility_has_gaps_and_fails_only_under_strict():
    path = str(bundled("water-utility"))
    assert run("validate", path).exit_code == 0
    assert run("validate", "--strict", path).exit_code == EXIT_GAPS


def test_minimal_profile_validates_with_gaps():
    result = run("validate", str(bundled("minimal")))
    assert result.exit_code == 0
    assert "gaps against CC-CMM-OC 2011 L1" in result.output


def test_errors_exit_1_with_located_lines(write_profile):
    path = write_profile("organization:\n  id: Bad Id\n  name: x\n")
    result = run("validate", str(path))
    assert result.exit_code == EXIT_ERRORS
    assert f"{path}:2:7: /organization/id: 'Bad Id' is not valid:" in result.output


def test_json_output_carries_the_same_findings():
    result = run("validate", "--format", "json", str(bundled("water-utility")))
    payload = json.loads(result.output)
    assert payload["valid"] is True and payload["errors"] == []
    statuses = sorted({g["status"] for g in payload["gaps"]})
    assert statuses == ["missing", "partial", "stale"]
    first = payload["gaps"][0]
    assert set(first) >= {"file", "line", "column", "pointer", "message", "requirements", "kind"}


def test_json_output_for_a_broken_file(write_profile):
    path = write_profile("organization: [\n")
    result = run("validate", "--format", "json", str(path))
    assert result.exit_code == EXIT_ERRORS
    payload = json.loads(result.output)
    assert payload["valid"] is False and payload["errors"][0]["line"] == 2


def test_binary_garbage_gives_a_message_not_a_traceback(tmp_path):
    path = tmp_path / "garbage.yaml"
    path.write_bytes(bytes(range(256)))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == EXIT_ERRORS
    assert "Traceback" not in result.output
    assert "not UTF-8 text" in result.output


def test_schema_prints_a_valid_schema_with_mandates():
    plain = json.loads(run("schema").output)
    mandated = json.loads(run("schema", "--standard", "cc-cmm-oc-2011", "--level", "2").output)
    Draft202012Validator.check_schema(plain)
    Draft202012Validator.check_schema(mandated)
    assert "allOf" not in plain
    assert mandated["allOf"][0]["description"] == "Fields mandated by CC-CMM-OC 2011 L2"


def test_schema_with_an_unknown_standard_is_a_usage_error():
    result = CliRunner().invoke(cli, ["schema", "--standard", "cc-cmm"])
    assert result.exit_code == EXIT_USAGE
    assert "did you mean 'cc-cmm-oc-2011'?" in result.output


def test_control_characters_from_a_profile_are_shown_not_obeyed(write_profile):
    """A terminal escape sequence in a profile must not reach the terminal as one."""
    path = write_profile('organization: {id: x, name: "\\e]0;pwned\\a\\e[2J"}\n')
    result = run("validate", str(path))
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]0;pwned\\x07\\x1b[2J" in result.output


def test_bidirectional_controls_are_shown_not_obeyed(write_profile):
    """A right-to-left override would make a line read differently from what it holds."""
    path = write_profile('organization: {id: x, name: X}\nroles: [{id: a, name: "\\u202eevil"}]\n')
    result = run("validate", str(path))
    assert "\u202e" not in result.output
    path = write_profile("organization: {id: x, name: X}\nbogus\u202e: 1\n")
    result = run("validate", str(path))
    assert "\u202e" not in result.output and "bogus\\u202e" in result.output
