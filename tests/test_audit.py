"""Audit stage: gap report, CC-CMM levels at the seed's boundaries, CCCS outcome, traceability."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import bundled
from openpyxl import load_workbook

from generator.audit.maturity import Operation, level_result, operation_of
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
    ("date", "emergency.plans[].last_test", "stale"),
    ("audience", "service-vp", "partial"),
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
    assert section["summary"]["stale"] == 2 and section["top"] == "1.0"  # a record, a due date


def _scores(c_compliant: int, f_compliant: int, total_items: int = 33) -> dict:
    return {
        f"cc-cmm-oc-2011/{i}": {
            "c": 10 if i <= c_compliant else 5,
            "f": 10 if i <= f_compliant else 5,
        }
        for i in range(1, total_items + 1)
    }


LONG = Operation(dt.date(2000, 1, 1), dt.date(2026, 1, 1))


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
    result = level_result(catalog.standards["cc-cmm-oc-2011"], _scores(c, f), LONG)
    assert result["level"] == level


@pytest.mark.parametrize(
    ("since", "until", "level"),
    [
        ("2024-05-01", "2026-04-30", 2),  # 729 days: "2.0 years" rounded, but not two years
        ("2024-05-01", "2026-05-01", 3),  # the second anniversary
        ("2020-02-29", "2022-02-28", 2),  # a leap-day start: its anniversary is 1 March
        ("2020-02-29", "2022-03-01", 3),
    ],
)
def test_years_of_operation_are_whole_anniversaries(catalog, since, until, level):
    operation = Operation(dt.date.fromisoformat(since), dt.date.fromisoformat(until))
    result = level_result(catalog.standards["cc-cmm-oc-2011"], _scores(33, 27), operation)
    assert result["level"] == level
    if level == 2:
        [blocker] = result["blockers"]
        assert blocker["rule"] == "operating_years" and blocker["status"] == "failed"
        assert blocker["qualifies_on"] == ("2026-05-01" if since[5:] == "05-01" else "2022-03-01")


def test_unknown_years_never_satisfy_a_minimum(catalog):
    result = level_result(catalog.standards["cc-cmm-oc-2011"], _scores(33, 27), None)
    assert result["level"] == 2
    assert result["blockers"] == [
        {"rule": "operating_years", "status": "unknown", "needed": 2, "actual": None}
    ]


def test_operation_counts_to_the_assessment_date_or_a_temporary_centers_end():
    data = {"organization": {"operating_since": "2024-05-01"}, "assessment_date": "2026-05-01"}
    assert operation_of(data).completed_years == 2
    temporary = {
        "organization": {"period": {"start": "2008-06-01", "end": "2008-09-30"}},
        "assessment_date": "2012-01-01",
    }
    operation = operation_of(temporary)
    assert operation.until == dt.date(2008, 9, 30) and operation.completed_years == 0
    assert operation.qualifies_on(2) is None  # the period ends before two years
    assert operation_of({"organization": {}}) is None
    end_of_calendar = Operation(dt.date(9998, 6, 1), dt.date(9999, 12, 31))
    assert end_of_calendar.qualifies_on(5) is None


def test_the_report_prints_the_day_the_years_are_first_met(water, catalog):
    [result] = water["maturity"]
    assert result["operation"]["qualifies"][0] == {"level": 3, "years": 2, "on": "2017-04-01"}
    page = render_profile(bundled("water-utility"), catalog=catalog).publication.audit_pages
    assert "L3 要求运营满 2 年：2017-04-01 起满足" in page["gap-report.md"]


def test_l4_needs_section_5_items_which_the_shipped_map_lacks(catalog):
    result = level_result(catalog.standards["cc-cmm-oc-2011"], _scores(33, 33), LONG)
    assert result["level"] == 3 and result["next_level"] == 4
    no_items = [b for b in result["blockers"] if b["status"] == "no-items"]
    assert [b["sections"] for b in no_items] == [["5.0"], ["5.0"]]


def test_every_level_statement_says_what_was_scored(catalog):
    result = level_result(catalog.standards["cc-cmm-oc-2011"], _scores(33, 27), LONG)
    assert result["scope"] == {"scored": ["1.0"], "unscored": ["2.0", "3.0", "4.0", "5.0"]}
    assert result["provisional"]
    assert result["total"] == {
        "assessable": False,
        "reason": "no-weights",
        "score": None,
        "maximum": None,
    }
    assert {"rule": "total", "status": "not-assessed", "needed": 2250, "actual": None} in result[
        "not_assessed"
    ]


def test_scores_the_evidence_contradicts_are_capped_and_the_supported_level_is_the_headline(
    water,
):
    [result] = water["maturity"]
    capped = {(u["number"], u["dimension"]): u for u in result["unsupported"]}
    it_room = capped[("14", "c")]
    assert (it_room["claimed"], it_room["supported"]) == (10, 5)
    assert {g["subject"] for g in it_room["gaps"]} == {
        "facilities.it_room.humidity",
        "facilities.it_room.cctv",
    }
    assert capped[("24", "c")]["gaps"][0]["status"] == "stale"
    assert (result["claimed_level"], result["level"]) == (1, 0)
    assert result["level"] == result["supported"]["level"]


def test_the_supported_level_heads_cli_gap_report_workbook_and_batch_summary(tmp_path):
    runner = CliRunner()
    path = str(bundled("water-utility"))
    cli_run = runner.invoke(cli, ["audit", path, "--out", str(tmp_path)])
    headline = (  # in the profile's language
        "CC-CMM-OC 2011：证据支持的等级为 未达 L1（自评 L1 应用级）；"
        "暂定：2.0、3.0、4.0、5.0 部分未评分，总分未评估"
    )
    assert headline in cli_run.output
    audit = tmp_path / "water-utility" / "audit"
    zh = "CC-CMM-OC 2011：证据支持的等级为 未达 L1（自评 L1 应用级）"
    assert zh in (audit / "gap-report.md").read_text(encoding="utf-8")
    book = load_workbook(audit / "audit.xlsx")
    row = [c.value for c in book["成熟度"][2]]
    assert row[:4] == ["CC-CMM-OC 2011", 0, 1, "是"] and row[-1].startswith(zh)
    batch = runner.invoke(
        cli,
        ["build", path, str(bundled("telecom")), "--out", str(tmp_path / "b"), "--format", "md"],
    )
    assert batch.exit_code == 0, batch.output
    assert zh in (tmp_path / "b" / "summary.md").read_text(encoding="utf-8")
    site = render_profile(bundled("water-utility")).publication.pages["gap-report.md"]
    assert zh in site  # the site's gap-report page


def test_blockers_name_the_items_short_of_the_next_level(water):
    [result] = water["maturity"]
    supported = result["supported"]
    assert supported["level"] == 0 and supported["next_level"] == 1
    c_rule, f_rule = supported["blockers"]
    assert c_rule["dimension"] == "c" and c_rule["status"] == "failed"
    assert c_rule["not_compliant"] == ["2", "5", "13", "14", "21", "23", "24", "27", "28", "29"]
    assert c_rule["items_needed"] == 4
    assert f_rule["dimension"] == "f" and f_rule["items_needed"] == 1


def _weighted_overlay(folder, weight: float):
    """A licensed-pack stand-in: one item in each of 2.1, 3.1, 4.1 and 5.1, a weight for every
    item, and the total-score rule."""
    extra = [("101", "2.1"), ("102", "3.1"), ("103", "4.1"), ("104", "5.1")]
    lines = ["id: cc-cmm-oc-2011", "scoring:", "  total:", "    source: {by: standard, ref: pack}"]
    lines.append("requirements:")
    lines += [f'  - {{id: "{i}", weight: {weight}}}' for i in range(1, 34)]
    lines += [
        f'  - {{id: "{n}", section: "{s}", weight: {weight}, title: {{zh: 示例, en: Example}},'
        " summary: {zh: 示例, en: Example}}"
        for n, s in extra
    ]
    folder.mkdir()
    (folder / "cc-cmm-oc-2011.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(("weight", "level"), [(40, 0), (50, 1)])
def test_with_item_weights_the_total_score_rule_decides(tmp_path, weight, level):
    from generator.standards import load_catalog

    overlaid = load_catalog(overlays=[_weighted_overlay(tmp_path / "pack", weight)])
    cmm = overlaid.standards["cc-cmm-oc-2011"]
    uids = [r.uid for r in cmm.requirements if not r.uid.endswith("/104")]  # 36 items in 1.0-4.0
    # 30 of 36 C-compliant (83 %), 22 of 36 F-compliant (61 %): the share rules of L1 hold.
    scores = {u: {"c": 10 if i < 30 else 0, "f": 10 if i < 22 else 0} for i, u in enumerate(uids)}
    result = level_result(cmm, scores, LONG)
    assert result["total"]["assessable"] and result["total"]["maximum"] == 37 * 2 * weight
    assert result["total"]["score"] == 52 * weight  # 2080 with weight 40, 2600 with 50
    assert result["level"] == level
    assert not result["provisional"]  # every section has items and the total is assessable
    if level == 0:
        assert [b["rule"] for b in result["blockers"]] == ["total"]
        assert result["blockers"][0]["status"] == "failed"


def test_complete_documents_alone_never_give_a_cccs_star(water):
    [outcome] = water["outcomes"]
    assert (outcome["met"], outcome["requirements"]) == (7, 7)
    assert outcome["ready"] and outcome["outcome"] is None  # ready for review, no star


def test_traceability_links_requirements_to_sections_and_evidence(water):
    row = next(r for r in water["trace"] if r["requirement"] == "cc-cmm-oc-2011/24")
    assert row["status"] == "stale"
    assert [s["anchor"] for s in row["sections"]] == ["drills"]
    assert row["evidence"][0]["file"] == "evidence/water-utility/drill-2024.md"


def test_audit_files_json_xlsx_and_svg(tmp_path, catalog):
    result = build_profile(bundled("water-utility"), tmp_path, formats=["audit"], catalog=catalog)
    audit = result.output / "audit"
    report = json.loads((audit / "gap-report.json").read_text(encoding="utf-8"))
    assert report["schema"] == "ccdocs-gap-report/2"
    assert report["summary"]["stale"] == 2
    book = load_workbook(audit / "audit.xlsx")
    # in the build's language, with words for ids, ready to sort, filter and print
    assert book.sheetnames == ["差距", "追溯矩阵", "成熟度", "评分"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
        assert sheet.print_title_rows == "$1:$1" and sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.column_dimensions["B"].width > 5
    gaps = list(book["差距"].iter_rows(values_only=True))
    assert gaps[0][:8] == ("标准", "章节", "要求", "要求名称", "类型", "要求项", "状态", "严重程度")
    stale = next(row for row in gaps if row[11] == "emergency-test-record")
    assert stale[5:8] == ("应急演练与更新记录", "已过期", "主要")
    assert stale[10] == "重新开展该项工作，并在 records 下登记新的 应急演练与更新记录 记录"
    status = book["差距"].cell(row=gaps.index(stale) + 1, column=7)
    assert status.fill.fgColor.rgb.endswith("FFE5CC")  # amber for stale
    assert stale[8] == "预置档案 water-utility.yaml"  # a bundled preset, said in words
    stale_item = next(
        i
        for std in report["standards"]
        for sec in std["sections"]
        for i in sec["items"]
        if i["subject"] == "emergency-test-record"
    )
    assert stale_item["location"]["file"] == "water-utility.yaml"
    assert stale_item["location"]["preset"] is True
    page = (audit / "gap-report.md").read_text(encoding="utf-8")
    assert "预置档案 water-utility.yaml 第 " in page and "(preset)" not in page
    # the coverage chart names each section by its title: CCCS's section ids stay out
    svg = (audit / "coverage.svg").read_text(encoding="utf-8")
    labels = re.findall(r'text-anchor="end">([^<]*)<', svg)
    assert "CC-CMM-OC 2011 1.5 应急管理" in labels and "CCCS-OP 2014 前提条件" in labels
    assert not any(re.search(r"\b(precondition|drivers|system)\b", label) for label in labels)


def test_fail_on_exits_non_zero_for_the_chosen_statuses(tmp_path):
    path = str(bundled("water-utility"))
    runner = CliRunner()
    assert runner.invoke(cli, ["audit", path, "--out", str(tmp_path)]).exit_code == 0
    stale = runner.invoke(cli, ["audit", path, "--out", str(tmp_path), "--fail-on", "stale"])
    assert stale.exit_code == EXIT_GAPS
    assert "--fail-on stale：已过期 2" in stale.output  # in the profile's language
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
    result = level_result(cmm, scores, LONG)
    assert result["level"] == 5  # section 5.0 is now assessable and fully compliant
    assert result["provisional"]  # but sections 2.0-4.0 still have no items


def test_the_overlay_option_reaches_every_command(tmp_path):
    from pathlib import Path

    overlay = str(Path(__file__).parent / "data" / "overlay")
    result = CliRunner().invoke(
        cli, ["--overlay", overlay, "audit", str(bundled("water-utility")), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output


def test_the_audit_json_does_not_depend_on_how_the_profile_path_was_typed(
    tmp_path, catalog, monkeypatch
):
    import shutil

    folder = tmp_path / "center"
    shutil.copytree(bundled("water-utility").parent, folder)
    reports = []
    for cwd, typed in ((tmp_path, "center/water-utility.yaml"), (folder, "./water-utility.yaml")):
        monkeypatch.chdir(cwd)
        out = tmp_path / f"out{len(reports)}"
        result = build_profile(Path(typed), out, formats=["audit"], catalog=catalog)
        reports.append((result.output / "audit" / "gap-report.json").read_bytes())
    assert reports[0] == reports[1]
    report = json.loads(reports[0])
    assert report["profile"] == "water-utility.yaml"
