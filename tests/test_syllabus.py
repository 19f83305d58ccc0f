"""The training syllabus' own rules (cccs-op-2014/5's ``syllabus``): onboarding modules are
assessed, a stated onboarding total adds up, and management modules carry CCCS-PQ's goals."""

from __future__ import annotations

import pytest

from generator.mandates import find_gaps
from generator.profile import load_profile
from generator.render import Renderer
from generator.resolve import resolve_model
from generator.resolve.model import localize
from tests.conftest import bundled

BASE = """\
organization: {id: acme, name: Acme}
targets: [{standard: cccs-op-2014}]
roles:
  - {id: lead, name: Lead, skill_level: senior}
  - {id: agent, name: Agent, reports_to: lead, skill_level: junior}
training:
  onboarding_hours: 30
  modules:
    - {id: intro, title: Intro, audience: [agent], hours: 8, assessment: written,
       pass_mark: 80, assessor: lead}
    - {id: nesting, title: Nesting, audience: [agent], hours: 16, assessment: observation}
    - {id: refresher, title: Refresher, track: recurring, audience: [agent], hours: 2}
"""
FULL = ["event-hotline", "water-utility", "telecom", "bank-card-center"]


def _syllabus_gaps(profile, catalog):
    return [
        g.to_finding().format()
        for g in find_gaps(profile, catalog)
        if g.subject.startswith("training.modules[].") or g.kind == "total"
    ]


def test_unassessed_onboarding_modules_and_a_total_that_differs_are_located_gaps(
    write_profile, catalog
):
    path = write_profile(BASE)
    assert _syllabus_gaps(load_profile(path), catalog) == [
        f"{path}:7:21: /training/onboarding_hours: partial total training.onboarding_hours: "
        "stated 30 h, the onboarding modules' hours add up to 24 h [cccs-op-2014/5] "
        "(make training.onboarding_hours equal the sum of its parts)",
        f"{path}:11:7: /training/modules/1: partial field training.modules[].assessor: onboarding "
        "module assessed (observation) without its assessor [cccs-op-2014/5] "
        "(fill in training.modules[].assessor)",
        f"{path}:11:7: /training/modules/1: partial field training.modules[].pass_mark: onboarding "
        "module assessed (observation) without its pass_mark [cccs-op-2014/5] "
        "(fill in training.modules[].pass_mark)",
    ]


def test_an_onboarding_module_assessed_by_none_is_a_gap_a_recurring_one_is_not(
    write_profile, catalog
):
    text = BASE.replace("hours: 16, assessment: observation", "hours: 22, assessment: none")
    path = write_profile(text.replace("hours: 2}", "hours: 2, assessment: none}"))
    assert _syllabus_gaps(load_profile(path), catalog) == [
        f"{path}:11:79: /training/modules/1/assessment: partial field "
        "training.modules[].assessment: onboarding module not assessed [cccs-op-2014/5] "
        "(fill in training.modules[].assessment)"
    ]


@pytest.mark.parametrize("name", FULL)
def test_bundled_syllabi_state_their_onboarding_total_and_assess_every_onboarding_module(
    name, catalog
):
    profile = load_profile(bundled(name))
    assert profile.data["training"].get("onboarding_hours"), "no stated onboarding total"
    assert _syllabus_gaps(profile, catalog) == []


def test_the_syllabus_shows_a_stated_total_that_differs_and_placeholders_for_assessments(
    write_profile, catalog
):
    profile = load_profile(write_profile(BASE))
    model = resolve_model(profile, catalog, tuple(find_gaps(profile, catalog)), "en")
    text = Renderer(model, "en").render("manual/training-syllabus.md.jinja")
    stated = "The stated total (30 h) differs from the sum of the onboarding modules' hours (24 h)"
    assert stated in text
    nesting = text[text.index("{#module-nesting}") :]
    pass_mark = "[TO BE COMPLETED: Pass mark of an onboarding module - CCCS-OP 5]"
    assert f"| Observation | {pass_mark} |" in nesting


def test_management_modules_show_cccs_pq_goals_for_their_roles_by_skill_level(catalog):
    profile = load_profile(bundled("event-hotline"))
    model = resolve_model(profile, catalog, (), "zh")
    tiers = {t["tier"]: t["roles"] for t in model.context["training"]["management_goals"]}
    assert set(tiers) == {"mid_goals", "senior_goals"}
    assert "运营经理" in tiers["senior_goals"] and "班组长" in tiers["mid_goals"]
    goals = catalog.standards["cccs-pq-2005"].extra["senior_goals"]
    assert len(goals) == 10


def _task_keywords(catalog) -> dict[str, list[str]]:
    """``level/task`` -> the keywords of the task (vss-2020's task_keywords, our reading)."""
    keywords = catalog.standards["vss-2020"].extra["task_keywords"]
    return {
        f"{level}/{task}": words
        for level, tasks in keywords.items()
        if level != "source"
        for task, words in tasks.items()
    }


def test_every_skill_task_has_keywords(catalog):
    keywords = _task_keywords(catalog)
    skill_levels = catalog.standards["vss-2020"].extra["skill_levels"]
    tasks = {
        f"{level['id']}/{task['code']}"
        for level in skill_levels
        for area in level["areas"]
        for task in area["tasks"]
    }
    assert set(keywords) == tasks and all(keywords.values())


@pytest.mark.parametrize("name", FULL)
def test_cited_skills_fit_what_the_module_teaches(name, catalog):
    """A module citing a skill names, in its title or topics, a keyword of the skill's task."""
    keywords = _task_keywords(catalog)
    data = load_profile(bundled(name)).data
    misfits = []
    for module in data["training"]["modules"]:
        text = " ".join(localize([module["title"], *module.get("topics", [])], "zh"))
        for code in module.get("skills", []):
            task = code.rsplit(".", 1)[0]
            if not any(word in text for word in keywords[task]):
                misfits.append(f"{module['id']}: {code}")
    assert misfits == []
