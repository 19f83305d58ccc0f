"""What the document model gathers and derives: position descriptions, risk ratings."""

from __future__ import annotations

from generator.resolve.positions import resolve_positions

ROLES = [
    {"id": "lead", "name": "班组长", "duties": ["带班"]},
    {"id": "agent", "name": "坐席", "reports_to": "lead", "headcount": 12},
]
DATA = {
    "kpis": [
        {"id": "sl", "name": "服务水平", "owner": "lead"},
        {"id": "qa", "name": "质检得分", "owner": "qa-lead"},
    ],
    "processes": [
        {
            "id": "p1",
            "name": "来电受理",
            "kind": "business",
            "owner": "lead",
            "steps": [{"action": "接听", "role": "agent"}, {"action": "复核", "role": "lead"}],
        },
        {"id": "p2", "name": "外呼", "kind": "business", "steps": [{"action": "拨打"}]},
    ],
}
MODULES = [
    {"id": "m1", "title": "服务规范", "audience": ["agent"], "skill_list": [{"key": "5/1.1"}]},
    {"id": "m2", "title": "带班技巧", "audience": ["lead"], "skill_list": []},
    {"id": "m3", "title": "无对象课程", "skill_list": [{"key": "4/2.1"}]},
]


def test_each_role_gets_its_line_kpis_processes_training_and_skills():
    lead, agent = resolve_positions(DATA, ROLES, MODULES)
    assert (lead["manager"], lead["reports"]) == ("", ["坐席"])
    assert (agent["manager"], agent["reports"]) == ("班组长", [])
    assert [k["name"] for k in lead["kpis"]] == ["服务水平"] and agent["kpis"] == []
    assert lead["processes"] == [{"name": "来电受理", "owner": True, "steps": ["复核"]}]
    assert agent["processes"] == [{"name": "来电受理", "owner": False, "steps": ["接听"]}]
    # only modules naming the role as audience: a module without an audience names nobody
    assert (lead["modules"], agent["modules"]) == (["带班技巧"], ["服务规范"])
    assert [s["key"] for s in agent["skills"]] == ["5/1.1"] and lead["skills"] == []
    assert agent["headcount"] == 12 and lead["duties"] == ["带班"]


def test_a_risk_is_rated_by_the_catalogues_rule_and_a_site_loss_is_never_low(catalog):
    from generator.resolve.model import rate_risks, risk_rule

    rule = risk_rule(catalog)
    risks = [
        {"id": "site-loss", "probability": 1, "impact": 5},  # score 5, a total loss: medium
        {"id": "surge", "probability": 4, "impact": 4},  # 16: high
        {"id": "slip", "probability": 2, "impact": 2},  # 4: low
        {"id": "leak", "probability": 2, "impact": 4},  # 8: medium
        {"id": "unknown"},  # no figures: no rating
    ]
    rated = {r["id"]: r["rating"] for r in rate_risks(risks, rule)}
    assert rated == {
        "site-loss": "medium",
        "surge": "high",
        "slip": "low",
        "leak": "medium",
        "unknown": None,
    }


def test_texts_not_in_the_documents_language_are_counted_and_located():
    from generator.resolve.translation import untranslated

    data = {
        "organization": {"name": {"zh": "热线", "en": "Hotline"}, "parent": "水务集团"},
        "roles": [{"id": "lead", "name": {"zh": "班组长"}}, {"id": "agent", "name": "Agent"}],
    }
    assert list(untranslated(data, "zh")) == []  # a Latin text in Chinese is not flagged
    assert list(untranslated(data, "en")) == [
        ("/organization/parent", "水务集团"),  # given once, in Chinese
        ("/roles/0/name", "班组长"),  # given per language, without English
    ]


def test_a_build_says_which_documents_show_other_languages_and_strict_fails(tmp_path):
    from click.testing import CliRunner
    from conftest import bundled

    from generator.cli import EXIT_ERRORS, cli

    profile = str(bundled("water-utility"))
    args = ["build", profile, "--format", "md", "--out", str(tmp_path)]
    chinese = CliRunner().invoke(cli, args)
    assert chinese.exit_code == 0 and "another language" not in chinese.output
    english = CliRunner().invoke(cli, [*args, "--lang", "en", "--out", str(tmp_path / "en")])
    assert english.exit_code == 0
    assert "texts in another language than the documents': dr-plan " in english.output
    assert "water-utility.yaml:8:9 (/organization/name)" in english.output
    strict = CliRunner().invoke(
        cli, [*args, "--lang", "en", "--out", str(tmp_path / "en"), "--strict-language"]
    )
    assert strict.exit_code == EXIT_ERRORS  # the same from a build that writes nothing
    assert "water-utility.yaml:8:9 (/organization/name)" in strict.output


def test_the_glossary_lists_the_terms_the_documents_use_each_once(catalog):
    from generator.build import _used_terms
    from generator.resolve.model import _glossary

    terms = _glossary(catalog)
    ids = [t["id"] for t in terms]
    assert len(ids) == len(set(ids))  # the skill standard's and ccdocs' own, each once
    texts = ["平均处理时长按 ACD 报表计算", "Erlang C 测算坐席；IVR 分流"]
    used = {t["id"] for t in _used_terms(terms, texts, "zh")}
    assert used == {"aht", "ivr"}  # 爱尔兰C公式 is not named in Chinese; "ACD" is no term
    english = {t["id"] for t in _used_terms(terms, ["Erlang C staffing; the AHTX field"], "en")}
    assert english == {"erlang-c"}  # AHT only as a whole word


def test_risk_rating_boundaries_and_no_rule_no_rating(catalog):
    from generator.resolve.model import rate_risks, risk_rule

    rule = risk_rule(catalog)
    assert rule is not None and (rule["high"], rule["medium"]) == (15, 8)
    cases = {  # (probability, impact): rating; a product of two 1-5 figures
        (4, 4): "high",  # 16, above 15
        (3, 5): "high",  # 15, at the high threshold
        (3, 4): "medium",  # 12, below it
        (3, 3): "medium",  # 9, above 8
        (2, 4): "medium",  # 8, at the medium threshold
        (2, 3): "low",  # 6, below it
        (1, 5): "medium",  # 5, lifted by the floor for impact 5
        (1, 4): "low",  # 4, impact 4 has no floor
    }
    risks = [{"id": f"r{p}{i}", "probability": p, "impact": i} for p, i in cases]
    rated = {r["id"]: r["rating"] for r in rate_risks(risks, rule)}
    assert rated == {f"r{p}{i}": rating for (p, i), rating in cases.items()}
    unrated = rate_risks(risks, None)  # a map without a rule: scores, no ratings
    assert {r["rating"] for r in unrated} == {None} and unrated[0]["score"] == 16
