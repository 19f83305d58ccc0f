"""Render stage: the manual set as Markdown, deterministic, safe, traceable, in zh and en."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import bundled

from generator.build import build_profile, placeholder_pattern, render_profile
from generator.errors import ProfileError, TemplateError
from generator.render import load_labels, template_dirs

GOLDEN = Path(__file__).parent / "golden"
CASES = [
    ("event-hotline", "zh"),
    ("event-hotline", "en"),
    ("water-utility", "zh"),
    ("minimal", "zh"),
]


def render(path: Path, catalog, language: str | None = None, overrides=()) -> dict[str, str]:
    """The documents as published: rendered, with their traceability appendix."""
    rendered = render_profile(path, language=language, catalog=catalog, templates=overrides)
    return dict(rendered.publication.documents)


@pytest.mark.parametrize(("name", "language"), CASES)
def test_rendered_markdown_matches_the_golden_files(name, language, catalog, request):
    documents = render(bundled(name), catalog, language)
    folder = GOLDEN / f"{name}.{language}"
    if request.config.getoption("--update-golden"):
        folder.mkdir(parents=True, exist_ok=True)
        for doc_id, text in documents.items():
            (folder / f"{doc_id}.md").write_text(text, encoding="utf-8")
    for doc_id, text in documents.items():
        expected = (folder / f"{doc_id}.md").read_text(encoding="utf-8")
        assert text == expected, f"{folder.name}/{doc_id}.md differs; review, then --update-golden"


def test_a_complete_profile_renders_no_placeholders(catalog):
    pattern = placeholder_pattern(load_labels("zh", template_dirs())["placeholder"])
    for text in render(bundled("event-hotline"), catalog).values():
        assert not pattern.findall(text)


def test_missing_mandated_content_is_a_visible_named_placeholder(catalog):
    documents = render(bundled("water-utility"), catalog)
    manual = documents["operations-manual"]
    assert "【待补充：文化宣贯 - CC-CMM-OC 2】" in manual
    assert "【待补充：视频监控 - CC-CMM-OC 14】" in manual
    assert "【待补充：信息发布 - CC-CMM-OC 23】" in documents["dr-plan"]


def test_every_requirement_that_mandates_a_document_is_cited(catalog):
    cited = set()
    for text in render(bundled("minimal"), catalog).values():
        for ids in re.findall(r"<!-- satisfies: (.*?) -->", text):
            cited.update(ids.split())
    mandating = {r.uid for r in catalog.requirements.values() if r.documents}
    assert mandating - cited == set()
    assert cited <= set(catalog.requirements)


def test_every_generated_chapter_has_an_anchor(catalog):
    documents = render(bundled("event-hotline"), catalog)
    for doc_id, doc in catalog.generated.items():
        anchors = set(re.findall(r"^#+ .*\{#([a-z0-9-]+)\}$", documents[doc_id], re.M))
        assert set(doc["chapters"]) <= anchors, doc_id


def test_profile_values_are_data_not_template_code(write_profile, catalog):
    text = bundled("minimal").read_text(encoding="utf-8")
    path = write_profile(
        text.replace("name: 示例客户服务中心", "name: '{{ 7*7 }} <script>alert(1)</script> a|b'")
    )
    manual = render(path, catalog)["operations-manual"]
    first = manual.split("\n")[0]
    assert first.startswith("# \\{\\{ 7\\*7 \\}\\} ") and "49" not in first
    assert "<script>" not in manual
    assert "&lt;script&gt;alert(1)&lt;/script&gt; a\\|b" in manual


def test_english_documents_use_english_boilerplate(catalog):
    manual = render(bundled("event-hotline"), catalog, "en")["operations-manual"]
    assert "## Document control {#control}" in manual
    assert "## 1 Positioning and direction {#positioning}" in manual
    assert "*依据" not in manual and "文件控制" not in manual


def test_rendering_is_deterministic(catalog):
    assert render(bundled("event-hotline"), catalog) == render(bundled("event-hotline"), catalog)


def test_a_template_cannot_reach_python_internals(tmp_path, catalog):
    evil = tmp_path / "manual"
    evil.mkdir()
    (evil / "dr-plan.md.jinja").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateError, match="dr-plan"):
        render(bundled("minimal"), catalog, overrides=[tmp_path])


def test_a_template_cannot_include_files_outside_its_folders(tmp_path, catalog):
    evil = tmp_path / "manual"
    evil.mkdir()
    (evil / "dr-plan.md.jinja").write_text('{% include "../../../../etc/passwd" %}')
    with pytest.raises(TemplateError):
        render(bundled("minimal"), catalog, overrides=[tmp_path])


def test_an_override_replaces_a_shipped_template_by_path(tmp_path, catalog):
    (tmp_path / "manual").mkdir()
    (tmp_path / "manual" / "dr-plan.md.jinja").write_text("# {{ org.name }} DR\n")
    text = render(bundled("minimal"), catalog, overrides=[tmp_path])["dr-plan"]
    assert text.startswith("# 示例客户服务中心 DR\n\n## 附录")


def test_build_writes_the_manual_set_and_is_byte_identical(tmp_path, catalog):
    first = build_profile(bundled("event-hotline"), tmp_path / "a", formats=["md"], catalog=catalog)
    second = build_profile(
        bundled("event-hotline"), tmp_path / "b", formats=["md"], catalog=catalog
    )
    names = sorted(p.name for p in first.files)
    assert names == ["dr-plan.md", "operations-manual.md", "training-syllabus.md"]
    for a, b in zip(first.files, second.files, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert first.output == tmp_path / "a" / "event-hotline"


def test_a_failed_build_leaves_the_previous_output_untouched(tmp_path, write_profile, catalog):
    path = write_profile(bundled("minimal").read_text(encoding="utf-8"))
    result = build_profile(path, tmp_path / "out", formats=["md"], catalog=catalog)
    before = {p: p.read_bytes() for p in result.files}
    path.write_text(path.read_text(encoding="utf-8") + "bogus: 1\n", encoding="utf-8")
    with pytest.raises(ProfileError):
        build_profile(path, tmp_path / "out", catalog=catalog)
    broken = tmp_path / "tpl" / "manual"
    broken.mkdir(parents=True)
    (broken / "dr-plan.md.jinja").write_text("{{ no_such_variable }}")
    path.write_text(bundled("minimal").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(TemplateError):
        build_profile(path, tmp_path / "out", catalog=catalog, templates=[tmp_path / "tpl"])
    assert {p: p.read_bytes() for p in result.files} == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["minimal"]


def test_texts_given_per_language_follow_the_document_language(write_profile, catalog):
    path = write_profile(
        """
        extends: event-hotline
        organization:
          name: {en: Beijing Spectator Line}
        positioning:
          social_responsibility: {zh: 为听障观众提供短信服务。}
        """
    )
    english = render_profile(path, language="en", catalog=catalog)
    chinese = render_profile(path, language="zh", catalog=catalog)
    assert english.publication.site_name == "Beijing Spectator Line"
    assert english.publication.facts["dr-plan"].organization == "Beijing Spectator Line"
    assert chinese.publication.site_name == "奥运观众呼叫中心"  # the preset's zh is kept
    manual = english.publication.documents["operations-manual"]
    assert manual.startswith("# Beijing Spectator Line Operations Manual")
    assert "为听障观众提供短信服务。" in manual  # no English version: the one given stands in
    assert "{'zh'" not in manual and "{'en'" not in manual


def test_localize_resolves_only_per_language_texts():
    from generator.resolve.model import localize

    data = {
        "name": {"zh": "中心", "en": "Centre"},
        "scores": {"c": 10, "f": 5},
        "items": [{"title": {"en": "Only English"}}],
    }
    assert localize(data, "zh") == {
        "name": "中心",
        "scores": {"c": 10, "f": 5},
        "items": [{"title": "Only English"}],
    }
    assert localize(data, "en")["name"] == "Centre"
