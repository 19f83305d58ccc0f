"""The appraisal, rewards and penalties, QA scorecard and work-rules documents: what the model
gathers for them, what the validator refuses, and how a profile's document set and titles
reach the gap report and the build."""

from __future__ import annotations

from generator.build import render_profile
from generator.mandates import find_gaps
from generator.profile import load_profile
from generator.resolve.appraisal import resolve_appraisal, resolve_rewards
from generator.resolve.work_rules import resolve_work_rules
from generator.validate import validate_profile
from tests.conftest import bundled

ROLES = [{"id": "lead", "name": "班组长"}, {"id": "agent", "name": "坐席"}]
DATA = {
    "kpis": [
        {"id": "qa", "name": "质检得分", "owner": "lead", "target": {"value": 90}},
        {"id": "sl", "name": "服务水平", "owner": "lead"},
    ],
    "people": {
        "appraisal": {
            "scorecards": [
                {
                    "role": "agent",
                    "items": [{"kpi": "qa", "weight": 70}, {"item": "纪律", "weight": 30}],
                }
            ],
            "grades": [
                {"id": "c", "name": "合格", "min_score": 0},
                {"id": "a", "name": "优秀", "min_score": 90},
                {"id": "b", "name": "良好", "min_score": 75},
            ],
        },
        "rewards": [{"id": "star", "name": "服务之星", "grade": "a"}],
        "penalties": [{"id": "talk", "conduct": "迟到", "level": "reminder"}],
    },
    "processes": [
        {
            "id": "p",
            "name": "来电受理",
            "kind": "business",
            "steps": [
                {"action": "接听", "role": "agent"},
                {"action": "复核", "role": "lead", "time_limit": "当班"},
                {"action": "回访", "role": "agent"},
            ],
        }
    ],
    "work_rules": {"roles": [{"role": "lead", "rules": ["每小时巡视"]}]},
}


def test_a_scorecard_item_that_is_a_kpi_takes_its_name_and_target_from_the_catalogue():
    lead, agent = resolve_appraisal(DATA, ROLES)["scorecards"]
    assert (lead["items"], [k["id"] for k in lead["owned"]]) == ([], ["qa", "sl"])
    qa, discipline = agent["items"]
    assert (qa["name"], qa["kpi"]["target"], qa["weight"]) == ("质检得分", {"value": 90}, 70)
    assert (discipline["name"], discipline["kpi"], agent["total"]) == ("纪律", None, 100)


def test_grades_run_from_the_top_each_up_to_the_next_and_rewards_name_their_grade():
    grades = resolve_appraisal(DATA, ROLES)["grades"]
    assert [(g["name"], g["min_score"], g["high"]) for g in grades] == [
        ("优秀", 90, None),
        ("良好", 75, 90),
        ("合格", 0, 75),
    ]
    rewards = resolve_rewards(DATA)
    assert rewards["rewards"][0]["grade_name"] == "优秀"
    assert rewards["penalties"][0]["grade_name"] is None


def test_work_rules_keep_each_steps_number_in_its_process_and_the_roles_own_rules():
    lead, agent = resolve_work_rules(DATA, ROLES)
    assert lead["processes"] == [
        {
            "id": "p",
            "name": "来电受理",
            "steps": [{"number": 2, "action": "复核", "time_limit": "当班"}],
        }
    ]
    assert lead["rules"] == ["每小时巡视"]
    assert [s["number"] for s in agent["processes"][0]["steps"]] == [1, 3] and agent["rules"] == []


BASE = """\
organization: {id: acme, name: Acme}
roles:
  - {id: lead, name: Lead}
kpis:
  - {id: qa, name: QA}
"""


def _errors(write_profile, catalog, text: str) -> list[str]:
    path = write_profile(text)
    result = validate_profile(load_profile(path), catalog)
    return [f.format().removeprefix(f"{path}:") for f in result.errors]


def test_scorecard_weights_must_add_up_and_references_must_resolve(write_profile, catalog):
    text = BASE + (
        "people:\n"
        "  appraisal:\n"
        "    scorecards:\n"
        "      - role: leed\n"
        "        items: [{kpi: qa, weight: 60}, {item: X, weight: 30}]\n"
        "    grades: [{id: a, name: A, min_score: 90}]\n"
        "  rewards: [{id: r, name: R, grade: b}]\n"
        "work_rules:\n  roles: [{role: lead, rules: [x]}]\n"
        "document_set: [work-rule]\n"
    )
    assert _errors(write_profile, catalog, text) == [
        "9:15: /people/appraisal/scorecards/0/role: 'leed' is not a role id (did you mean "
        "'lead'?) (use an id defined under roles)",
        "10:16: /people/appraisal/scorecards/0/items: the weights add up to 90, not 100 "
        "(adjust the weights)",
        "12:37: /people/rewards/0/grade: 'b' is not a grade id"
        " (use an id defined under people.appraisal.grades)",
        "15:16: /document_set/0: 'work-rule' is not a generated document id (did you mean "
        "'work-rules'?) (use a generated document id from the standards map)",
    ]


def test_a_mandated_document_whose_carrier_the_set_leaves_out_is_a_located_gap(
    write_profile, catalog
):
    text = (
        bundled("water-utility")
        .read_text(encoding="utf-8")
        .replace("\ntargets:\n", "\ndocument_set: [operations-manual, dr-plan]\ntargets:\n")
    )
    profile = load_profile(write_profile(text))
    gaps = {g.subject: g for g in find_gaps(profile, catalog) if g.kind == "document"}
    appraisal = gaps["appraisal-rules"]
    assert (appraisal.status, appraisal.location.pointer) == ("missing", "/document_set")
    assert (
        appraisal.detail_text == "carried by performance-appraisal, which document_set leaves out"
    )
    assert appraisal.hint_key == "document-set" and "cccs-op-2014/5" in appraisal.requirement_ids
    assert {"reward-penalty-rules", "role-work-rules", "quality-rules", "job-descriptions"} <= set(
        gaps
    )
    line = text.splitlines()[appraisal.location.line - 1]
    assert line.startswith("document_set:")


def test_the_water_utility_keeps_the_four_documents_its_certification_names(catalog):
    rendered = render_profile(bundled("water-utility"), catalog=catalog)
    titles = {d: text.splitlines()[0] for d, text in rendered.publication.documents.items()}
    assert len(titles) == 8
    name = "# 示例市自来水公司供水服务热线中心 "
    assert titles["position-descriptions"] == name + "热线中心岗位职责"
    assert titles["work-rules"] == name + "热线中心工作细则"
    assert titles["rewards-penalties"] == name + "供水服务管理奖惩办法"
    assert titles["performance-appraisal"] == name + "热线工作目标管理考评办法"


def test_a_profile_that_chooses_its_documents_gets_only_those(write_profile, catalog):
    text = (
        bundled("water-utility")
        .read_text(encoding="utf-8")
        .replace("\ntargets:\n", "\ndocument_set: [operations-manual, qa-scorecard]\ntargets:\n")
    )
    rendered = render_profile(write_profile(text), catalog=catalog)
    assert sorted(rendered.publication.documents) == ["operations-manual", "qa-scorecard"]
    manual = rendered.publication.documents["operations-manual"]
    assert "详见《热线质检标准》。" in manual and "详见《热线中心工作细则》" not in manual


def test_the_gap_report_lists_an_unfilled_rules_document_and_links_where_it_belongs(
    write_profile, catalog
):
    text = bundled("water-utility").read_text(encoding="utf-8")
    start = text.index("  rewards:\n")
    text = text[:start] + text[text.index("  rewards_procedure:") :]  # no rewards or penalties
    pages = render_profile(write_profile(text), catalog=catalog).publication.pages
    line = next(x for x in pages["gap-report.md"].splitlines() if "奖惩办法 的内容" in x)
    assert line.startswith("| 5 人员 | 补充 奖惩办法 的内容（见 [供水服务管理奖惩办法：奖励]")
    assert "(rewards-penalties.md#rewards)" in line and "缺失" in line


def test_the_event_hotlines_rules_texts_are_written_in_both_languages():
    from generator.resolve.translation import untranslated

    data = load_profile(bundled("event-hotline")).data
    people = data["people"]
    rules = {
        "/people/appraisal/scorecards": people["appraisal"]["scorecards"],
        "/people/appraisal/grades": people["appraisal"]["grades"],
        "/people/appraisal/calibration": people["appraisal"]["calibration"],
        "/people/rewards": people["rewards"],
        "/people/penalties": people["penalties"],
        "/quality/critical_errors": data["quality"]["critical_errors"],
        "/quality/sampling": data["quality"]["sampling"],
        "/work_rules": data["work_rules"],
    }
    for pointer, value in rules.items():
        assert list(untranslated(value, "en", pointer)) == [], pointer
        assert list(untranslated(value, "zh", pointer)) == [], pointer
