"""Edition diffs: change logs per document and section, from profiles or built editions."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from generator.build import build_profile
from generator.cli import EXIT_OK, cli
from generator.editions import Edition, compare, next_version, sections
from generator.evidence import load_evidence
from generator.profile import load_profile
from generator.validate import validate_profile


@pytest.fixture
def editions(write_profile):
    old = write_profile("extends: event-hotline\n", name="v1.yaml")
    new = write_profile(
        """
        extends: event-hotline
        positioning:
          vision: 成为最受观众信赖的赛事服务热线。
        """,
        name="v2.yaml",
    )
    return old, new


def test_sections_are_matched_by_anchor_so_renumbering_is_no_change():
    old = "# T\n\n## 1 范围 {#scope}\n\n正文\n\n```text\n# not a heading\n```\n"
    new = "# T\n\n## 1 新章 {#new}\n\n内容\n\n" + old[5:].replace("## 1 范围", "## 2 范围")
    assert [s.key for s in sections(old)] == ["T", "scope"]
    [doc] = compare(Edition("a", "x", {"m": old}), Edition("b", "x", {"m": new}))
    assert [(c.kind, c.title) for c in doc.sections] == [("added", "1 新章")]
    [gone] = compare(Edition("a", "x", {"m": new}), Edition("b", "x", {"m": old}))
    assert [(c.kind, c.anchor) for c in gone.sections] == [("removed", "new")]
    edited = new.replace("正文", "新正文")
    [doc] = compare(Edition("a", "x", {"m": new}), Edition("b", "x", {"m": edited}))
    assert [(c.kind, c.added, c.removed) for c in doc.sections] == [("changed", 1, 1)]


def test_next_version_raises_the_last_number_unless_it_was_raised():
    assert next_version("2.0", "2.0") == "2.1"
    assert next_version("1.9", "1.9") == "1.10"
    assert next_version("2.0", "3.0") == "3.0"
    assert next_version("", "") == "1.1"


def test_diff_of_two_profiles_names_the_changed_section(tmp_path, editions, catalog):
    old, new = editions
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--out", str(out)])
    assert result.exit_code == EXIT_OK, result.output
    # in the profiles' language
    assert "operations-manual：新增 0 处，删除 0 处，修改 1 处" in result.output
    assert "dr-plan：新增 0 处，删除 0 处，修改 0 处" in result.output
    folder = out / "event-hotline" / "changes"
    data = json.loads((folder / "changes.json").read_text(encoding="utf-8"))
    [manual] = [d for d in data["documents"] if d["document"] == "operations-manual"]
    [change] = manual["sections"]
    assert change["kind"] == "changed" and change["anchor"] == "culture"
    assert "+- **愿景**：成为最受观众信赖的赛事服务热线。" in change["excerpt"]

    text = (folder / "changes.md").read_text(encoding="utf-8")
    assert "[查看章节](../manual/operations-manual.md#culture)" in text
    snippet = text.split("```yaml\n")[1].split("```")[0]
    control = yaml.safe_load(snippet)["document_control"]
    assert list(control) == ["operations-manual"]
    [entry] = control["operations-manual"]["revisions"]
    assert entry["version"] == "2.1" and "愿景" in entry["summary"]

    # The suggested entry fits the profile: appended to the revision history, it validates.
    profile = load_profile(new)
    history = profile.data["document_control"]["operations-manual"]["revisions"]
    revisions = yaml.safe_dump([*history, {**entry, "date": "2008-07-02"}], allow_unicode=True)
    with new.open("a", encoding="utf-8") as f:
        f.write("document_control:\n  operations-manual:\n    revisions:\n")
        f.write("".join(f"      {line}\n" for line in revisions.splitlines()))
    fixed = load_profile(new)
    assert not validate_profile(fixed, catalog, load_evidence(fixed)).errors


def test_diff_of_two_built_editions_matches_the_profile_diff(tmp_path, editions, catalog):
    old, new = editions
    a = build_profile(old, tmp_path / "a", formats=("md",), catalog=catalog).output
    b = build_profile(new, tmp_path / "b", formats=("md",), catalog=catalog).output
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["diff", str(a), str(b / "manual"), "--out", str(out)])
    assert result.exit_code == EXIT_OK, result.output
    assert "operations-manual：新增 0 处，删除 0 处，修改 1 处" in result.output
    data = json.loads((out / "event-hotline" / "changes" / "changes.json").read_text("utf-8"))
    assert sum(d["counts"]["changed"] for d in data["documents"]) == 1


def test_build_since_puts_the_change_log_in_the_site(tmp_path, editions, catalog):
    old, new = editions
    result = build_profile(new, tmp_path, formats=("site",), catalog=catalog, since=old)
    page = (result.output / "site" / "changes.html").read_text(encoding="utf-8")
    assert "版本变更记录" in page and "愿景、使命、核心价值观" in page
    assert 'href="operations-manual.html#culture"' in page
    index = (result.output / "site" / "index.html").read_text(encoding="utf-8")
    assert "changes.html" in index  # in the navigation
