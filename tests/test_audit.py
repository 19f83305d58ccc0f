"""Audit stage: gap report, CC-CMM levels at the seed's boundaries, CCCS outcome, traceability."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import bundled
from openpyxl import load_workbook

from generator.audit.score import level_result, operating_years
from generator.build import build_profile, render_profile
from generator.cli import EXIT_GAPS, cli

PLANTED = {
    ("field", "positioning.culture_adoption", "missing"),
    ("field", "positioning.annual_plan.items[].targets", "partial"),
    ("field", "facilities.environment.wellbeing", "missing"),
    ("field", "facilities.it_room.humidity", "missing"),
    ("field", "facilities.it_room.cctv", "missing"),
    ("field", "security.policies[kind=third-party]", "missing"),
    ("field", "risks[].recovery_hours", "partial"),
    ("field", "emergency.plans[].stages.public_information", "partial"),
    ("record", "nda-review-record", "missing"),
    ("record", "emergency-test-record", "stale"),
}


@pytest.fixture(scope="module")
def water(catalog):
    return render_profile(bundled("water-utility"), catalog=catalog).publication.audit


def test_the_water_utility_gap_report_lists_exactly_its_planted_gaps(water):
    found = {
        (item["kind"], item["subject"], item["status"])
        for standard in water["report"]["standards"]
        for section in standard["sections"]
        for item in section["items"]
        if item["status"] != "present"
    }
    assert found == PLANTED


def test_the_event_hotline_has_no_gaps(catalog):
    audit = render_profile(bundled("event-hotline"), catalog=catalog).publication.audit
    summary = audit["report"]["summary"]
    assert summary["present"] == summary["total"] and summary["coverage"] == 100.0


def test_gap_report_groups_items_by_the_standards_sections(water):
    cmm = water["report"]["standards"][0]
    assert cmm["label"] == "CC-CMM-OC 2011 L2"
    assert [s["id"] for s in cmm["sections"]] == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]
    section = cmm["sections"][4]
    assert section["summary"]["stale"] == 1 and section["top"] == "1.0"


def _scores(c_compliant: int, f_compliant: int, total_items: int = 33) -> dict:
    return {
        f"cc-cmm-oc-2011/{i}": {
            "c": 10 if i <= c_compliant else 5,
            "f": 10 if i <= f_compliant else 5,
        }
        for i in range(1, total_items + 1)
    }


@pytest.mark.parametrize(
    ("c", "f", "level"),
    [
        (27, 20, 1),  # 81.8 % C, 60.6 % F: L1
        (26, 20, 0),  # 78.8 % C: below the 80 % of L1
        (27, 19, 0),  # 57.6 % F: below the 60 % of L1
        (30, 24, 2),  # 90.9 % C, 72.7 % F: L2
        (29, 24, 1),  # 87.9 % C: below the 90 % of L2
        (33, 27, 3),  # 100 % C, 81.8 % F: L3
        (32, 33, 2),  # 97.0 % C: L3 needs every item method-compliant
    ],
)
def test_cc_cmm_levels_at_the_boundaries_of_the_seed_table(catalog, c, f, level):
    result = level_result(catalog.standards["cc-cmm-oc-2011"], _scores(c, f), years=10)
    assert result["level"] == level


@pytest.mark.parametrize(("years", "level"), [(None, 2), (1.9, 2), (2.0, 3)])
def test_l3_needs_two_years_of_operation(catalog, years, level):
    result = level_result(catalog.standards["cc-cmm-oc-2011"], _scores(33, 27), years=years)
    assert result["level"] == level
    if level == 2:
        assert result["blockers"] == [{"rule": "operating_years", "needed": 2, "actual": years}]


def test_operating_years_run_from_operating_since_to_the_assessment_date():
    data = {"organization": {"operating_since": "2024-05-01"}, "assessment_date": "2026-05-01"}
    assert operating_years(data) == 2.0
    temporary = {
        "organization": {"period": {"start": "2008-06-01"}},
        "assessment_date": "2008-07-25",
    }
    assert operating_years(temporary) == 0.1
    assert operating_years({"organization": {}}) is None


def test_l4_needs_section_5_items_which_the_shipped_map_lacks(catalog):
    result = level_result(catalog.standards["cc-cmm-oc-2011"], _scores(33, 33), years=10)
    assert result["level"] == 3 and result["next_level"] == 4
    unassessable = [b for b in result["blockers"] if b.get("assessable") is False]
    assert [b["sections"] for b in unassessable] == [["5.0"], ["5.0"]]


def test_the_total_score_threshold_blocks_a_level(catalog):
    # Every item method-compliant but execution only partly (5): 75 % of the maximum, scaled
    # to 2550 of 3400: enough for L1 (2250) and L2 (2500), not L3 (2750); shares fail first.
    scores = {f"cc-cmm-oc-2011/{i}": {"c": 10, "f": 5} for i in range(1, 34)}
    result = level_result(catalog.standards["cc-cmm-oc-2011"], scores)
    assert result["scaled_total"] == 2550.0
    assert result["level"] == 0  # F-Rate share 0 %: not even L1
    [blocker] = [b for b in result["blockers"] if b["dimension"] == "f"]
    assert blocker["items_needed"] == 20


def test_blockers_name_the_items_short_of_the_next_level(water):
    [result] = water["maturity"]
    assert result["level"] == 1 and result["next_level"] == 2
    c_rule = next(b for b in result["blockers"] if b.get("dimension") == "c")
    assert c_rule["not_compliant"] == ["2", "5", "13", "23", "29"]
    assert c_rule["items_needed"] == 2


def test_cccs_outcome_comes_from_the_rules_in_the_map(water):
    [outcome] = water["outcomes"]
    assert (outcome["outcome"], outcome["met"], outcome["requirements"]) == ("five-star", 7, 7)


def test_traceability_links_requirements_to_sections_and_evidence(water):
    row = next(r for r in water["trace"] if r["requirement"] == "cc-cmm-oc-2011/24")
    assert row["status"] == "stale"
    assert [s["anchor"] for s in row["sections"]] == ["drills"]
    assert row["evidence"][0]["file"] == "evidence/water-utility/drill-2024.md"


def test_audit_files_json_xlsx_and_svg(tmp_path, catalog):
    result = build_profile(bundled("water-utility"), tmp_path, formats=["audit"], catalog=catalog)
    audit = result.output / "audit"
    report = json.loads((audit / "gap-report.json").read_text(encoding="utf-8"))
    assert report["schema"] == "ccdocs-gap-report/1"
    assert report["summary"]["stale"] == 1
    book = load_workbook(audit / "audit.xlsx")
    assert book.sheetnames == ["gaps", "traceability"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    assert "<svg" in (audit / "coverage.svg").read_text(encoding="utf-8")


def test_fail_on_exits_non_zero_for_the_chosen_statuses(tmp_path):
    path = str(bundled("water-utility"))
    runner = CliRunner()
    assert runner.invoke(cli, ["audit", path, "--out", str(tmp_path)]).exit_code == 0
    stale = runner.invoke(cli, ["audit", path, "--out", str(tmp_path), "--fail-on", "stale"])
    assert stale.exit_code == EXIT_GAPS
    assert "1 stale" in stale.output
    event = runner.invoke(cli, ["audit", "--out", str(tmp_path), "--fail-on", "missing,stale"])
    assert event.exit_code == 0


def test_gap_report_json_follows_its_published_schema(tmp_path, catalog):
    from importlib.resources import files

    from jsonschema import Draft202012Validator

    schema = json.loads(files("generator.audit").joinpath("gap-report.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    for name in ("water-utility", "event-hotline", "minimal"):
        result = build_profile(bundled(name), tmp_path, formats=["audit"], catalog=catalog)
        report = json.loads((result.output / "audit" / "gap-report.json").read_text())
        assert list(Draft202012Validator(schema).iter_errors(report)) == [], name


def test_an_overlay_adds_items_that_can_then_be_scored(catalog):
    from pathlib import Path

    from generator.standards import load_catalog

    overlaid = load_catalog(overlays=[Path(__file__).parent / "data" / "overlay"])
    cmm = overlaid.standards["cc-cmm-oc-2011"]
    assert "cc-cmm-oc-2011/101" in overlaid.requirements
    assert overlaid.requirements["cc-cmm-oc-2011/1"].summary == (
        catalog.requirements["cc-cmm-oc-2011/1"].summary
    )
    scores = {f"cc-cmm-oc-2011/{i}": {"c": 10, "f": 10} for i in [*range(1, 34), 101]}
    result = level_result(cmm, scores, years=5)
    assert result["level"] == 5  # section 5.0 is now assessable and fully compliant


def test_the_overlay_option_reaches_every_command(tmp_path):
    from pathlib import Path

    overlay = str(Path(__file__).parent / "data" / "overlay")
    result = CliRunner().invoke(
        cli, ["--overlay", overlay, "audit", str(bundled("water-utility")), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
