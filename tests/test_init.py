"""ccdocs init: a new profile folder from each preset, valid at once, with its gaps listed."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from generator.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, cli
from generator.profile import read_profile
from generator.scaffold import presets


def test_every_issue_preset_is_bundled():
    assert presets() == ["bank-card-center", "event-hotline", "minimal", "telecom", "water-utility"]


@pytest.mark.parametrize("preset", presets())
def test_init_writes_a_folder_that_validates_at_once(tmp_path, preset):
    folder = tmp_path / "client"
    result = CliRunner().invoke(cli, ["init", str(folder), "--preset", preset])
    assert result.exit_code == EXIT_OK, result.output
    # in the preset's language; the minimal preset states none, so the locale's (C in tests)
    said = ("valid —", "gaps against") if preset == "minimal" else ("有效 —", "个差距")
    assert said[0] in result.output and said[1] in result.output
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "evidence",
        "profile.schema.json",
        "profile.yaml",
    ]
    text = (folder / "profile.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=profile.schema.json\n")
    assert f"evidence/{preset}/" not in text
    # The editor's schema accepts the profile as written (timestamps stay strings, as in editors).
    schema = json.loads((folder / "profile.schema.json").read_text(encoding="utf-8"))
    data = read_profile(folder / "profile.yaml").data
    errors = list(Draft202012Validator(schema).iter_errors(data))
    if preset != "minimal" and preset != "water-utility":  # presets without planted gaps
        assert errors == [], [e.message for e in errors][:3]
    guide = (folder / "README.md").read_text(encoding="utf-8")
    assert guide.startswith("# 客户联络中心文件配置说明")
    assert "ccdocs validate profile.yaml" in guide


def test_evidence_the_preset_names_is_listed_as_a_gap_until_it_is_there(tmp_path):
    folder = tmp_path / "bank"
    result = CliRunner().invoke(cli, ["init", str(folder), "--preset", "bank-card-center"])
    assert "找不到证据文件 evidence/nda-register.md" in result.output
    assert "- `evidence/nda-register.md`" in (folder / "README.md").read_text(encoding="utf-8")
    (folder / "evidence" / "nda-register.md").write_text("# NDA register\n", encoding="utf-8")
    again = CliRunner().invoke(cli, ["validate", str(folder / "profile.yaml")])
    assert "找不到证据文件 evidence/nda-register.md" not in again.output


def test_lang_sets_the_documents_language_and_the_guide(tmp_path):
    for preset in ("minimal", "telecom"):
        folder = tmp_path / preset
        result = CliRunner().invoke(cli, ["init", str(folder), "--preset", preset, "--lang", "en"])
        assert result.exit_code == EXIT_OK, result.output
        data = read_profile(folder / "profile.yaml").data
        assert data["organization"]["language"] == "en"
        guide = (folder / "README.md").read_text(encoding="utf-8")
        assert guide.startswith("# Setting up the centre's documents")


def test_init_never_overwrites_and_names_the_presets(tmp_path):
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(folder)])
    assert result.exit_code == EXIT_ERRORS
    assert "already exists and is not empty" in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    unknown = CliRunner().invoke(cli, ["init", str(tmp_path / "new"), "--preset", "bank"])
    assert unknown.exit_code == EXIT_USAGE
    assert "bank-card-center" in unknown.output
