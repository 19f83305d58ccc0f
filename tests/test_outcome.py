"""CCCS review outcomes: every outcome reachable from KPI results, and never a star without them."""

from __future__ import annotations

import pytest
from conftest import bundled

from generator.build import render_profile
from generator.profile import load_profile

PERIOD = "{start: 2026-07-01, end: 2026-09-30}"


def _kpis():
    return {
        k["id"]: k for k in load_profile(bundled("bank-card-center")).data["kpis"] if "target" in k
    }


def _value(kpi, how: str) -> float:
    """A result that beats, meets or misses the KPI's target."""
    step = {"beat": 0.5, "meet": 0.0, "miss": -0.5}[how]
    sign = 1 if kpi["target"]["direction"] == "at-least" else -1
    return kpi["target"]["value"] + sign * step


def _outcome(tmp_path, catalog, results: dict[str, str], extra: str = "") -> dict:
    """The CCCS result of the bank-card center with ``results`` (KPI id -> beat/meet/miss)."""
    kpis = _kpis()
    lines = ["extends: bank-card-center", "kpis:"]
    for kpi_id, how in results.items():
        value = _value(kpis[kpi_id], how)
        lines.append(
            f"  - {{id: {kpi_id}, actual: {{value: {value}, period: {PERIOD}, source: ACD}}}}"
        )
    path = tmp_path / "profile.yaml"
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    audit = render_profile(path, catalog=catalog).publication.audit
    [outcome] = audit["outcomes"]
    return outcome


def _every(how: str, **others: str) -> dict[str, str]:
    return {kpi_id: others.get(kpi_id.replace("-", "_"), how) for kpi_id in _kpis()}


def test_without_kpi_results_no_star_is_named_only_readiness(catalog):
    for name in ("event-hotline", "water-utility", "bank-card-center"):
        audit = render_profile(bundled(name), catalog=catalog).publication.audit
        [outcome] = audit["outcomes"]
        assert outcome["outcome"] is None and outcome["name"] is None, name
        assert outcome["ready"] and outcome["results"] == 0, name


def test_the_telecom_hotlines_third_quarter_results_give_basic_compliance(catalog):
    [outcome] = render_profile(bundled("telecom"), catalog=catalog).publication.audit["outcomes"]
    assert (outcome["outcome"], outcome["results"]) == ("basic", 17)
    [missed] = [k["id"] for k in outcome["kpis"] if not k["attained"]]
    assert missed == "repair-timeliness"


def test_every_result_beating_its_target_is_five_stars(tmp_path, catalog):
    outcome = _outcome(tmp_path, catalog, _every("beat"))
    assert outcome["outcome"] == "five-star"
    rated = [c for c in outcome["categories"] if c["rated"]]
    assert [c["number"] for c in rated] == ["2", "4", "5", "6", "7"]
    assert all(c["exceeds"] for c in rated)


def test_exceeding_in_one_category_only_is_four_stars(tmp_path, catalog):
    outcome = _outcome(tmp_path, catalog, _every("meet", adherence="beat", attrition="beat"))
    assert outcome["outcome"] == "four-star"
    exceeding = [c["number"] for c in outcome["categories"] if c["exceeds"]]
    assert exceeding == ["5"]  # people: both its KPIs beat their targets


def test_a_missed_target_is_basic_compliance(tmp_path, catalog):
    outcome = _outcome(tmp_path, catalog, _every("beat", aht="miss"))
    assert outcome["outcome"] == "basic"
    assert outcome["figures"]["kpis_attained"] == pytest.approx(16 / 17)


def test_most_targets_missed_is_not_passed(tmp_path, catalog):
    outcome = _outcome(tmp_path, catalog, _every("miss", csat="meet", aht="meet"))
    assert outcome["outcome"] == "not-passed"


def test_document_gaps_with_good_results_are_not_passed(tmp_path, catalog):
    # A KPI without a target or an owner: a gap in category 4 (performance).
    path = tmp_path / "gap"
    path.mkdir()
    results = _every("beat")
    outcome = _outcome(path, catalog, results)
    assert outcome["outcome"] == "five-star"
    text = (path / "profile.yaml").read_text(encoding="utf-8")
    (path / "profile.yaml").write_text(
        text.replace("kpis:\n", "kpis:\n  - {id: new-kpi, name: 新指标}\n"), encoding="utf-8"
    )
    [outcome] = render_profile(path / "profile.yaml", catalog=catalog).publication.audit["outcomes"]
    assert not outcome["ready"] and outcome["met"] == 6
    assert outcome["outcome"] == "not-passed"


def test_open_emergency_or_record_gaps_stop_every_category_exceeding(tmp_path, catalog):
    stale = (
        "records:\n  - {id: drill-2026-06, date: 2024-06-13}\n"
        "  - {id: drill-2026-09, date: 2024-09-19}\n"
    )
    outcome = _outcome(tmp_path, catalog, _every("beat"), stale)
    assert outcome["outcome"] == "basic"
    assert {c["reason"] for c in outcome["categories"] if c["rated"]} == {"blocked"}
    assert [(g["subject"], g["status"]) for g in outcome["blocking"]] == [
        ("emergency-test-record", "stale")
    ]


def test_results_that_are_stale_or_from_the_future_do_not_count(tmp_path, catalog):
    kpis = _kpis()
    lines = ["extends: bank-card-center", "kpis:"]
    old = "{start: 2025-01-01, end: 2025-06-30}"  # ended 488 days before 2026-10-31
    later = "{start: 2026-10-01, end: 2026-11-30}"
    for kpi_id, period in (("aht", old), ("csat", later)):
        value = _value(kpis[kpi_id], "beat")
        lines.append(
            f"  - {{id: {kpi_id}, actual: {{value: {value}, period: {period}, source: x}}}}"
        )
    path = tmp_path / "profile.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [outcome] = render_profile(path, catalog=catalog).publication.audit["outcomes"]
    statuses = {k["id"]: k["status"] for k in outcome["kpis"]}
    assert (statuses["aht"], statuses["csat"]) == ("stale", "future")
    assert outcome["outcome"] is None  # nothing counted: readiness only


def test_a_result_exactly_on_target_is_attained_not_beaten(tmp_path, catalog):
    outcome = _outcome(tmp_path, catalog, {"abandon-rate": "meet"})
    [kpi] = [k for k in outcome["kpis"] if k["id"] == "abandon-rate"]
    assert kpi["attained"] and not kpi["beaten"]


def test_the_gap_report_explains_the_outcome_and_lists_the_interpretations(tmp_path, catalog):
    _outcome(tmp_path, catalog, _every("beat"))
    pages = render_profile(tmp_path / "profile.yaml", catalog=catalog).publication.audit_pages
    text = pages["gap-report.md"]
    assert "CCCS-OP 2014：五星（17 项 KPI 实际结果；5 / 5 个以绩效评价的范畴超越标准）" in text
    method = text[text.index("## 方法") :]
    assert "标准只用文字描述四种结论" in method  # the outcome rule is ccdocs' interpretation
    assert "运营年限按周年计算" in method
    assert "等级认证要求表" in method


def test_the_english_report_says_documents_ready_without_a_star(catalog):
    pages = render_profile(bundled("event-hotline"), language="en", catalog=catalog)
    text = pages.publication.audit_pages["gap-report.md"]
    assert "CCCS-OP 2014: documents ready for a CCCS review (no KPI results" in text
    assert "star" not in text.split("## Method")[0].replace("no outcome or star", "")


@pytest.mark.parametrize(
    ("end", "status"),
    [
        ("2025-10-30", "counted"),
        ("2025-10-29", "stale"),
        ("2026-10-31", "counted"),
        ("2026-11-01", "future"),
    ],
)
def test_a_result_counts_up_to_366_days_after_its_period_and_not_before_it_ends(end, status):
    from generator.audit.outcome import kpi_results

    data = {
        "assessment_date": "2026-10-31",
        "kpis": [
            {
                "id": "k",
                "name": "K",
                "target": {"value": 80, "direction": "at-least"},
                "actual": {
                    "value": 81,
                    "period": {"start": "2025-01-01", "end": end},
                    "source": "x",
                },
            }
        ],
    }
    assert kpi_results(data, 366)["k"]["status"] == status
