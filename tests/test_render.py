"""Render stage: the manual set as Markdown, deterministic, safe, traceable, in zh and en."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from conftest import bundled

from generator.build import build_profile, render_profile
from generator.errors import ProfileError, TemplateError
from generator.labels import load_labels
from generator.render import placeholder_pattern, template_dirs

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


@pytest.mark.parametrize(("name", "language"), CASES)
def test_no_paragraph_runs_on_from_a_list(name, language, catalog):
    """A line right after a list item, with no blank line between, continues the item: a bold
    sub-heading there was printed at the end of the list's last line."""
    for doc_id, text in render(bundled(name), catalog, language).items():
        lines = text.splitlines()
        for before, line in itertools.pairwise(lines):
            if before.startswith(("- ", "* ")) and line.startswith("**"):
                raise AssertionError(f"{name}.{language}/{doc_id}: {line!r} runs on from a list")


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


def test_a_kpi_without_a_formula_is_a_gap_and_prints_a_placeholder(write_profile, catalog):
    text = bundled("event-hotline").read_text(encoding="utf-8")
    start = text.index("    formula:", text.index("\nkpis:"))
    end = text.index("\n", start) + 1
    while text.startswith("      ", end):  # the formula's versions, one a line
        end = text.index("\n", end) + 1
    path = write_profile(text[:start] + text[end:])
    rendered = render_profile(path, catalog=catalog)
    fields = [(g.subject, g.status) for g in rendered.gaps if g.kind == "field"]
    assert fields == [("kpis[].formula", "partial")]
    assert (
        "- **计算公式**：【待补充：KPI 计算公式 - CCCS-OP 4】"
        in rendered.publication.documents["operations-manual"]
    )


def test_a_missing_mandated_record_prints_a_placeholder(catalog):
    documents = render(bundled("minimal"), catalog)
    assert "【待补充：应急演练与更新记录 - CC-CMM-OC 24】" in documents["dr-plan"]
    assert "【待补充：安全培训与考试记录 - CC-CMM-OC 28】" in documents["training-syllabus"]


def test_an_overdue_exercise_is_marked_in_the_dr_plan(catalog):
    dr_plan = render(bundled("water-utility"), catalog)["dr-plan"]
    assert "| 呼叫平台故障应急预案 | 每年 | 2024-09-20 | 2025-09-20 **（已逾期）** |" in dr_plan


def test_every_generated_chapter_has_an_anchor(catalog):
    documents = render(bundled("event-hotline"), catalog)
    for doc_id, doc in catalog.generated.items():
        anchors = set(re.findall(r"^#+ .*\{#([a-z0-9-]+)\}$", documents[doc_id], re.M))
        assert set(doc["chapters"]) <= anchors, doc_id


def test_manual_chapters_are_numbered_in_catalogue_order(catalog):
    """The forms annex names a chapter by its place in the catalogue's list: the two agree."""
    manual = render(bundled("event-hotline"), catalog)["operations-manual"]
    numbered = re.findall(r"^## (\d+) .*\{#([a-z0-9-]+)\}$", manual, re.M)
    chapters = catalog.generated["operations-manual"]["chapters"]
    assert numbered and [(str(chapters.index(a)), a) for _, a in numbered] == numbered
    assert "| 交接班记录表 | [9 现场管理](#floor) |" in manual


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
    assert "## 1 General provisions {#general}" in manual
    assert "*依据" not in manual and "文件控制" not in manual


# Chinese, Japanese and Korean script: ideographs, radicals, kana, CJK and full-width punctuation.
CJK = re.compile(
    r"[\u2e80-\u2fff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+"
)
# Proper names the bilingual profile gives only in Chinese, allowed in its English documents.
CHINESE_ONLY_NAMES: tuple[str, ...] = ()


def test_the_bilingual_profile_shows_no_chinese_in_its_english_documents(catalog):
    rendered = render_profile(bundled("event-hotline"), language="en", catalog=catalog)
    assert set(rendered.untranslated) == set(rendered.publication.documents)
    assert sum(rendered.untranslated.values()) == 0, rendered.untranslated_at
    for doc_id, text in rendered.publication.documents.items():
        for name in CHINESE_ONLY_NAMES:
            text = text.replace(name, "")
        chinese = [(n, line) for n, line in enumerate(text.splitlines(), 1) if CJK.search(line)]
        assert not chinese, f"event-hotline.en/{doc_id}.md shows Chinese: {chinese[:5]}"


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
    manual = [
        "operations-manual",
        "performance-appraisal",
        "position-descriptions",
        "qa-scorecard",
        "rewards-penalties",
        "training-syllabus",
        "work-rules",
    ]
    assert names == ["dr-plan.md", *(f"{name}.md" for name in manual)]
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
          core_values: [{zh: 无障碍服务}]
        """
    )
    english = render_profile(path, language="en", catalog=catalog)
    chinese = render_profile(path, language="zh", catalog=catalog)
    assert english.publication.site_name == "Beijing Spectator Line"
    assert english.publication.facts["dr-plan"].organization == "Beijing Spectator Line"
    assert chinese.publication.site_name == "奥运观众呼叫中心"  # the preset's zh is kept
    manual = english.publication.documents["operations-manual"]
    assert manual.startswith("# Beijing Spectator Line Operations Manual")
    assert "**Core values**: 无障碍服务\n" in manual  # no English version: the one given stands in
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


def _sections_with_citations(text: str) -> list[tuple[str, str, list[str]]]:
    """(anchor, section text with its subsections, cited requirement ids) of every section."""
    headings = [
        (m.start(), len(m.group(1)), m.group(2))
        for m in re.finditer(r"^(#+) .*\{#([a-z0-9-]+)\}$", text, re.M)
    ]
    found = []
    for i, (start, depth, anchor) in enumerate(headings):
        end = next((s for s, d, _ in headings[i + 1 :] if d <= depth), len(text))
        own_end = headings[i + 1][0] if i + 1 < len(headings) else len(text)
        ids = re.findall(r"<!-- satisfies: (.*?) -->", text[start:own_end])
        if ids:
            found.append((anchor, text[start:end], ids[0].split()))
    return found


def _leaves(value) -> list[str]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [str(value)] if isinstance(value, str | int | float) and str(value).strip() else []


def _carried(req, catalog, data, doc_id: str, anchor: str, section: str, labels) -> bool:
    """Whether ``section`` shows at least one of the requirement's mandated things: a value
    (or its enum word), the document's chapter, a record, or a placeholder citing it."""
    from generator import fieldpath

    plain = section.replace("\\", "")
    cite = re.compile(re.escape(f"{catalog.standards[req.standard].cite} {req.number}") + r"\b")
    if any(cite.search(p) for p in placeholder_pattern(labels["placeholder"]).findall(plain)):
        return True
    words = {
        str(k): str(v)
        for kind in labels["enums"].values()
        if isinstance(kind, dict)
        for k, v in kind.items()
    }
    paths = list(req.fields)
    for document in req.documents:
        entry = catalog.documents[document]
        if entry.carried_by == (doc_id, anchor):
            return True
        paths += entry.fields
    for path in paths:
        for _, value in fieldpath.values(data, path):
            shown = [w for leaf in _leaves(value) for w in (leaf, words.get(leaf, leaf))]
            if any(leaf in plain for leaf in shown if len(leaf) > 1):
                return True
    records = [r for r in data.get("records", []) for m in req.records if r["kind"] == m.document]
    return any(r.get("title", r["id"]) in plain for r in records)


@pytest.mark.parametrize("name", ["event-hotline", "bank-card-center", "telecom", "water-utility"])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_citation_is_carried_by_the_section_that_makes_it(name, language, catalog):
    from generator.resolve.model import localize

    rendered = render_profile(bundled(name), language=language, catalog=catalog)
    data = localize(load_profile_data(bundled(name)), language)
    labels = load_labels(language, template_dirs())
    wrong = []
    for doc_id, text in rendered.publication.documents.items():
        for anchor, section, ids in _sections_with_citations(text):
            for uid in ids:
                req = catalog.requirements[uid]
                if not _carried(req, catalog, data, doc_id, anchor, section, labels):
                    wrong.append(f"{doc_id}#{anchor} cites {uid}")
    assert wrong == []


def load_profile_data(path: Path):
    from generator.profile import load_profile

    return load_profile(path).data


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "ran longer than",
        ),
        ('{{ "x" * 10**9 }}', "a value of more than"),
        ('{% for i in range(100000) %}{{ "y" * 1000 }}{% endfor %}', "wrote more than"),
    ],
)
def test_a_template_that_loops_or_grows_without_end_is_stopped(
    tmp_path, catalog, monkeypatch, body, message
):
    import generator.sandbox

    monkeypatch.setattr(generator.sandbox, "SECONDS", 0.5)
    monkeypatch.setattr(generator.sandbox, "MAX_CHARACTERS", 10_000_000)
    (tmp_path / "manual").mkdir()
    (tmp_path / "manual" / "dr-plan.md.jinja").write_text(body, encoding="utf-8")
    with pytest.raises(TemplateError, match=message) as caught:
        render_profile(bundled("minimal"), catalog=catalog, templates=[tmp_path])
    assert "manual/dr-plan.md.jinja" in str(caught.value)


def test_a_consultants_label_file_from_an_earlier_release_falls_back_to_shipped_labels(
    tmp_path, catalog
):
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "zh.yaml").write_text(
        "audit:\n  gap_report: 差距检查表\n", encoding="utf-8"
    )  # one label of its own; audit.headline and the rest are newer than the file
    rendered = render_profile(bundled("water-utility"), catalog=catalog, templates=[tmp_path])
    page = rendered.publication.audit_pages["gap-report.md"]
    assert "差距检查表" in page and "证据支持的等级为" in page


def test_a_label_of_the_wrong_shape_names_the_label_file(tmp_path, catalog):
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "zh.yaml").write_text("audit: 5\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"label 'audit' must be a group of labels"):
        render_profile(bundled("minimal"), catalog=catalog, templates=[tmp_path])


@pytest.mark.parametrize("name", ["manual/dr-plan.md.jinja", "labels/zh.yaml"])
def test_a_template_or_label_file_that_is_a_pipe_is_refused_not_read(tmp_path, catalog, name):
    import os

    (tmp_path / name).parent.mkdir(parents=True)
    os.mkfifo(tmp_path / name)
    with pytest.raises(TemplateError, match="regular"):
        render_profile(bundled("minimal"), catalog=catalog, templates=[tmp_path])


def _role_modules_profile(write_profile, roles: int, modules: int, name: str) -> Path:
    """``roles`` roles each attending one of ``modules`` onboarding modules, in turn."""
    import yaml

    data = {
        "organization": {"id": "many-roles", "name": "示例中心"},
        "roles": [{"id": f"role-{i:03}", "name": f"岗位 {i:03}"} for i in range(roles)],
        "training": {
            "modules": [
                {
                    "id": f"module-{j:03}",
                    "title": f"课程 {j:03}",
                    "track": "onboarding",
                    "hours": 2,
                    "audience": [f"role-{i:03}" for i in range(j, roles, modules)],
                }
                for j in range(modules)
            ]
        },
    }
    return write_profile(yaml.safe_dump(data, allow_unicode=True), name)


def _chapter(text: str, anchor: str) -> str:
    start = text.index(f"{{#{anchor}}}")
    return text[start : text.index("\n## ", start)]


def test_the_role_modules_chapter_grows_with_assignments_not_roles_times_modules(
    write_profile, catalog
):
    chapters = {}
    for modules in (20, 40):
        path = _role_modules_profile(write_profile, 60, modules, f"m{modules}.yaml")
        chapters[modules] = _chapter(render(path, catalog)["training-syllabus"], "matrix")
    table = [line for line in chapters[20].splitlines() if line.startswith("|")]
    assert len(table) == 2 + 60  # header, separator, one row per role
    assert {line.count(" | ") for line in table[2:]} == {3}  # four columns, whatever the modules
    assert table[0] == "| 岗位 | 参加的培训课程 | 一次性学时（岗前与管理） | 在岗复训学时（每次） |"
    assert "| 岗位 007 | 课程 007 | 2 | — |" in table
    assert "| 岗位 027 | 课程 007 | 2 | — |" in table
    assert "module-" not in chapters[20]  # names, never ids
    # Twice the modules, the same assignments: the same rows, not twice the columns.
    assert len(chapters[40]) == len(chapters[20])
    assert "| 岗位 027 | 课程 027 | 2 | — |" in chapters[40]


def test_one_off_and_recurring_hours_are_shown_apart(write_profile, catalog):
    path = write_profile(
        """
        organization: {id: hours, name: Hours Centre, language: en}
        roles:
          - {id: agent, name: Agent}
          - {id: lead, name: Team lead}
          - {id: idle, name: Nobody's trainee}
        training:
          modules:
            - {id: intro, title: Introduction, track: onboarding, hours: 6,
               audience: [agent, agent]}
            - {id: weekly-a, title: Case review, track: recurring, hours: 1, frequency: weekly,
               audience: [agent, lead]}
            - {id: daily, title: Briefing, track: recurring, hours: 0.25, frequency: daily,
               audience: [agent]}
            - {id: weekly-b, title: Coaching, track: recurring, hours: 0.5, frequency: weekly,
               audience: [agent]}
            - {id: adhoc, title: Ad hoc drill, track: recurring, hours: 2, audience: [lead]}
            - {id: leading, title: Leading a team, track: management, hours: 8, audience: [lead]}
        """
    )
    chapter = _chapter(render(path, catalog)["training-syllabus"], "matrix")
    rows = [line for line in chapter.splitlines() if line.startswith("| ")][1:]
    assert rows == [
        "| Agent | Introduction, Case review, Briefing, Coaching | 6 | Daily 0.25; Weekly 1.5 |",
        "| Team lead | Case review, Ad hoc drill, Leading a team | 8"
        " | Weekly 1; No set frequency 2 |",
    ]


ID_WORTHY = re.compile(r"[a-z]")


def _ids(value: object, found: set[str]) -> set[str]:
    """Every id in a profile's data."""
    if isinstance(value, dict):
        if isinstance(value.get("id"), str):
            found.add(value["id"])
        for child in value.values():
            _ids(child, found)
    elif isinstance(value, list):
        for child in value:
            _ids(child, found)
    return found


@pytest.mark.parametrize("name", ["event-hotline", "water-utility", "bank-card-center", "telecom"])
def test_no_id_shows_where_a_chinese_reader_expects_words(name, catalog):
    """A zh document names roles, modules, KPIs, processes, records and forms in words: no id of
    the profile or the catalogue is left in its text (comments, anchors, link targets, code,
    diagram sources and evidence file paths aside)."""
    from generator.profile import load_profile

    profile = load_profile(bundled(name))
    ids = _ids(profile.data, set()) | set(catalog.documents)
    ids |= {d.form for d in catalog.documents.values() if d.form}
    ids = {
        i
        for i in ids
        if ID_WORTHY.search(i) and len(i) > 2 and i != profile.data["organization"]["id"]
    }
    rendered = render_profile(bundled(name), catalog=catalog, language="zh")
    for doc_id, text in rendered.publication.documents.items():
        shown = re.sub(r"<!--.*?-->|```.*?```|`[^`\n]*`", "", text, flags=re.S)
        shown = re.sub(r"\]\([^)\n]*\)|\{#[^}\n]*\}|evidence/\S+", "", shown)
        left = sorted(i for i in ids if re.search(rf"(?<![\w/.-]){re.escape(i)}(?![\w/.-])", shown))
        assert left == [], (doc_id, left)
