"""The standards map: complete, consistent, and every mandate points at something that exists."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from generator.bundled import bundled_dir
from generator.errors import StandardsMapError
from generator.standards import check_catalog, load_catalog


def test_every_mandate_points_at_something_that_exists(catalog):
    assert check_catalog(catalog) == []
    for req in catalog.requirements.values():
        assert all(d in catalog.documents for d in req.documents), req.uid


def test_profile_schema_is_a_valid_draft_2020_12_schema(catalog):
    Draft202012Validator.check_schema(catalog.profile_schema)


def test_cc_cmm_has_items_1_to_33_in_sections_1_1_to_1_6(catalog):
    cmm = catalog.standards["cc-cmm-oc-2011"]
    assert [r.number for r in cmm.requirements] == [str(i) for i in range(1, 34)]
    assert {r.section for r in cmm.requirements} == {"1.1", "1.2", "1.3", "1.4", "1.5", "1.6"}
    assert [s.id for s in cmm.sections] == ["1.0", "2.0", "3.0", "4.0", "5.0"]
    assert len(cmm.section_ids()) == 5 + 7 + 3 + 4 + 5 + 4 + 2 + 2 + 2 + 5


def test_cc_cmm_level_thresholds_are_the_seed_table(catalog):
    levels = catalog.standards["cc-cmm-oc-2011"].levels
    assert [lv["min_total"] for lv in levels] == [2250, 2500, 2750, 3200, 3380]
    shares = [[(r["dimension"], r["min_share"]) for r in lv["rules"]] for lv in levels]
    assert shares[0] == [("c", 0.8), ("f", 0.6)]
    assert shares[1] == [("c", 0.9), ("f", 0.7)]
    assert shares[2] == [("c", 1.0), ("f", 0.8)]
    assert shares[3] == [("c", 1.0), ("c", 0.8), ("f", 0.9), ("f", 0.7)]
    assert shares[4] == [("c", 1.0), ("c", 1.0), ("f", 1.0), ("f", 0.9)]


def test_yearly_records_are_mandated_where_the_seed_asks(catalog):
    reqs = catalog.requirements
    yearly = {
        uid: [(r.document, r.max_age_days) for r in reqs[uid].records]
        for uid in (
            "cc-cmm-oc-2011/8",
            "cc-cmm-oc-2011/19",
            "cc-cmm-oc-2011/24",
            "cc-cmm-oc-2011/27",
        )
    }
    assert yearly == {
        "cc-cmm-oc-2011/8": [("management-system-audit-record", 366)],
        "cc-cmm-oc-2011/19": [("information-system-review-record", 366)],
        "cc-cmm-oc-2011/24": [("emergency-test-record", 366)],
        "cc-cmm-oc-2011/27": [("nda-review-record", 366)],
    }


def test_cccs_editions_have_their_structure(catalog):
    op = catalog.standards["cccs-op-2014"]
    assert len(op.requirements) == 7
    assert [o["id"] for o in op.outcomes] == ["not-passed", "basic", "four-star", "five-star"]
    seventh = catalog.standards["cccs-7"]
    assert dict(seventh.extra["counts"]) == {
        "modules": 9,
        "sub_modules": 52,
        "review_requirements": 208,
        "processes": 236,
        "kpis": 75,
    }
    assert len(seventh.sections) == 9


def test_course_and_skill_catalogues_are_loaded(catalog):
    assert len(catalog.course_ids()) >= 8
    assert "intermediate/1.1.1" in catalog.skill_codes()
    terms = {t["id"] for s in catalog.standards.values() for t in s.extra.get("terms", [])}
    assert {"cc", "csr", "kpi"} <= terms


def test_every_text_has_both_languages(catalog):
    for req in catalog.requirements.values():
        assert req.title["zh"] and req.title["en"] and req.summary["zh"] and req.summary["en"]


def _copy_map(tmp_path: Path) -> Path:
    target = tmp_path / "standards_map"
    shutil.copytree(bundled_dir("standards_map"), target)
    return target


def test_a_mandate_naming_an_unknown_field_is_rejected(tmp_path):
    map_dir = _copy_map(tmp_path)
    path = map_dir / "cc-cmm-oc-2011.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "[positioning.culture_adoption]", "[positioning.culture_adoptoin]"
        ),
        encoding="utf-8",
    )
    with pytest.raises(StandardsMapError, match="no property 'culture_adoptoin'"):
        load_catalog(map_dir)


def test_a_typo_in_a_map_key_is_rejected(tmp_path):
    map_dir = _copy_map(tmp_path)
    path = map_dir / "cccs-7.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("    fields: [", "    feilds: [", 1),
        encoding="utf-8",
    )
    with pytest.raises(StandardsMapError, match="feilds"):
        load_catalog(map_dir)


def test_adding_a_standard_needs_only_a_yaml_file(tmp_path):
    map_dir = _copy_map(tmp_path)
    (map_dir / "house-rules-2026.yaml").write_text(
        "id: house-rules-2026\nshort: House rules\ntitle: {zh: 内部规范, en: House rules}\n"
        "edition: '2026'\nkind: review-standard\n"
        "sections: [{id: a, title: {zh: 甲, en: A}}]\n"
        "requirements:\n"
        "  - {id: '1', section: a, title: {zh: 值班, en: Duty}, summary: {zh: 写明值班, en: Duty}, "
        "fields: [floor.duty]}\n",
        encoding="utf-8",
    )
    catalog = load_catalog(map_dir)
    assert catalog.requirements["house-rules-2026/1"].fields == ("floor.duty",)


def test_every_bilingual_text_in_the_map_has_exactly_zh_and_en():
    import yaml

    def walk(value, where):
        if isinstance(value, dict):
            if "zh" in value or "en" in value:
                assert set(value) - {"id"} == {"zh", "en"}, where
            for key, child in value.items():
                walk(child, f"{where}/{key}")
        elif isinstance(value, list):
            for i, child in enumerate(value):
                walk(child, f"{where}/{i}")

    for path in sorted(bundled_dir("standards_map").glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)


def test_every_threshold_says_where_it_comes_from(catalog):
    from generator.audit.method import interpretations

    for standard in catalog.standards.values():
        for level in standard.levels:
            assert level["source"]["by"] in ("standard", "ccdocs"), standard.id
        for outcome in standard.outcomes:
            assert outcome["source"]["by"] in ("standard", "ccdocs"), standard.id
        for req in standard.requirements:
            assert all(r.source.get("by") for r in req.records), req.uid
            assert all(r.source.get("by") for r in req.rules), req.uid
            assert req.level == 1 or req.level_source.get("by"), req.uid
    notes = {i["note"]["en"] for i in interpretations(catalog.standards.values())}
    cmm = catalog.standards["cc-cmm-oc-2011"]
    assert cmm.levels[0]["source"]["by"] == "standard"  # the seed's level table
    assert cmm.scoring["evidence_cap"]["source"]["note"]["en"] in notes  # ours, listed
    people = catalog.requirements["cccs-op-2014/5"]  # the syllabus rules, ours
    assert people.syllabus and people.syllabus_source["note"]["en"] in notes
    goals = catalog.standards["cccs-pq-2005"].extra["goal_audiences"]  # whom the goals are for
    assert goals["source"]["note"]["en"] in notes
    assert len(notes) == 17  # and the five consistency rules of the DR plan


def test_a_level_without_a_source_is_refused(tmp_path):
    folder = tmp_path / "map"
    shutil.copytree(Path(__file__).parent.parent / "standards_map", folder)
    path = folder / "cc-cmm-oc-2011.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    source: *level-table\n", "", 1), encoding="utf-8")
    with pytest.raises(StandardsMapError, match="source"):
        load_catalog(folder)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id: cc-cmm-oc-2011\n".encode("utf-16"), "not UTF-8 text"),
        (b"- just\n- a list\n", r"cc-cmm-oc-2011\.yaml"),
        (b"id: [unclosed\n", "invalid YAML"),
    ],
)
def test_a_malformed_overlay_is_an_input_error_naming_the_file(tmp_path, content, message):
    (tmp_path / "cc-cmm-oc-2011.yaml").write_bytes(content)
    with pytest.raises(StandardsMapError, match=message):
        load_catalog(overlays=[tmp_path])


def test_an_overlay_file_that_is_a_pipe_is_refused_not_read(tmp_path):
    import os

    os.mkfifo(tmp_path / "cc-cmm-oc-2011.yaml")
    with pytest.raises(StandardsMapError, match=r"cc-cmm-oc-2011\.yaml"):
        load_catalog(overlays=[tmp_path])
