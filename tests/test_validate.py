"""Validate stage: every error kind, located at its exact line and column, all reported at once."""

from __future__ import annotations

from generator.profile import load_profile
from generator.validate import validate_profile

BASE = """\
organization:
  id: acme
  name: Acme
roles:
  - id: duty-mgr
    name: Duty manager
  - id: csr
    name: Agent
    reports_to: duty-mgr
"""


def errors_of(write_profile, catalog, text: str) -> list[str]:
    path = write_profile(text)
    result = validate_profile(load_profile(path), catalog)
    return [f.format().removeprefix(f"{path}:") for f in result.errors]


def test_a_valid_profile_has_no_errors(write_profile, catalog):
    assert errors_of(write_profile, catalog, BASE) == []


def test_unknown_key_is_located_at_the_key_with_did_you_mean(write_profile, catalog):
    text = BASE.replace("  name: Acme\n", "  name: Acme\n  industy: water\n")
    [error] = errors_of(write_profile, catalog, text)
    assert error.startswith(
        "4:3: /organization/industy: unknown key 'industy' (did you mean 'industry'?)"
    )


def test_wrong_type_is_located_at_the_value(write_profile, catalog):
    text = BASE + "assessment_date: [2026]\n"
    assert errors_of(write_profile, catalog, text) == [
        "10:18: /assessment_date: a list is not text (write text here)"
    ]


def test_a_text_per_language_needs_language_codes_and_text(write_profile, catalog):
    text = BASE.replace("  name: Acme\n", "  name: {zh: 示例, english: Acme}\n")
    text += "positioning:\n  vision: {en: 7}\n"
    assert errors_of(write_profile, catalog, text) == [
        "3:9: /organization/name: 'english' is not valid: a two-letter language code such as zh"
        " or en",
        "11:16: /positioning/vision/en: 7 is not text (write text here)",
    ]
    ok = BASE.replace("  name: Acme\n", "  name: {zh: 示例中心, en: Acme}\n")
    assert errors_of(write_profile, catalog, ok) == []


def test_enum_value_with_did_you_mean(write_profile, catalog):
    text = BASE.replace("  name: Acme\n", "  name: Acme\n  type: outsource\n")
    [error] = errors_of(write_profile, catalog, text)
    assert error.startswith(
        "4:9: /organization/type: 'outsource' is not one of: in-house, outsourced, hosted"
        " (did you mean 'outsourced'?)"
    )


def test_percentage_over_100_is_impossible(write_profile, catalog):
    text = BASE + "service_levels:\n  - {channel: x, percent: 120, seconds: 20}\n"
    errors = errors_of(write_profile, catalog, text)
    assert (
        "11:27: /service_levels/0/percent: 120 must be less than 100 (no number of agents answers"
        " every contact in time: Erlang C never reaches 100 %; write a target below 100, e.g. 80)"
        in errors
    )
    # the unknown channel is reported in the same run
    assert any(
        e.startswith("11:15: /service_levels/0/channel: 'x' is not a channel id") for e in errors
    )


def test_impossible_date_is_an_error(write_profile, catalog):
    text = BASE + "assessment_date: 2026-02-30\n"
    assert errors_of(write_profile, catalog, text) == [
        "10:18: /assessment_date: '2026-02-30' is not a valid date"
        " (write it as YYYY-MM-DD, e.g. 2026-03-31)"
    ]


def test_end_before_start_is_an_error(write_profile, catalog):
    text = BASE + "positioning:\n  strategy:\n    start: 2026-01-01\n    end: 2025-12-31\n"
    assert errors_of(write_profile, catalog, text) == [
        "13:10: /positioning/strategy/end: '2025-12-31' is before the start '2026-01-01'"
        " (the end must not come before the start)"
    ]


def test_broken_role_reference_suggests_the_near_id(write_profile, catalog):
    text = BASE.replace("reports_to: duty-mgr", "reports_to: dutymgr")
    assert errors_of(write_profile, catalog, text) == [
        "9:17: /roles/1/reports_to: 'dutymgr' is not a role id (did you mean 'duty-mgr'?)"
        " (use an id defined under roles)"
    ]


def test_reporting_loop_is_an_error(write_profile, catalog):
    text = BASE.replace("    name: Duty manager\n", "    name: Duty manager\n    reports_to: csr\n")
    [error] = errors_of(write_profile, catalog, text)
    assert error.startswith(
        "7:17: /roles/0/reports_to: reporting line loops: duty-mgr -> csr -> duty-mgr"
    )


def test_duplicate_id_is_an_error(write_profile, catalog):
    text = BASE.replace("  - id: csr", "  - id: duty-mgr")
    errors = errors_of(write_profile, catalog, text)
    assert (
        "7:9: /roles/1/id: duplicate id 'duty-mgr' (ids must be unique within their list)" in errors
    )


def test_kpi_and_contact_references_are_checked(write_profile, catalog):
    text = BASE + (
        "kpis:\n  - {id: csat, name: CSAT}\n"
        "processes:\n  - {id: p, name: P, kind: business, kpis: [cast]}\n"
        "emergency:\n  contacts:\n    - {id: it, name: IT}\n"
        "  plans:\n    - {id: x, title: X, call_tree: [it, boss]}\n"
    )
    assert errors_of(write_profile, catalog, text) == [
        "13:45: /processes/0/kpis/0: 'cast' is not a KPI id (did you mean 'csat'?)"
        " (use an id defined under kpis)",
        "18:41: /emergency/plans/0/call_tree/1: 'boss' is not a contact id"
        " (use an id defined under emergency.contacts)",
    ]


def test_weights_must_add_up(write_profile, catalog):
    text = BASE + "quality:\n  form:\n    - {item: a, weight: 60}\n    - {item: b, weight: 30}\n"
    assert errors_of(write_profile, catalog, text) == [
        "12:5: /quality/form: the weights add up to 90, not 100 (adjust the weights)"
    ]


def test_intervals_must_run_forward(write_profile, catalog):
    text = BASE + (
        "staffing:\n  intervals:\n    - {start: '09:00', contacts: 1}\n"
        "    - {start: '08:30', contacts: 1}\n"
    )
    assert errors_of(write_profile, catalog, text) == [
        "13:15: /staffing/intervals/1/start: '08:30' does not come after '09:00'"
        " (keep the list in order)"
    ]


def test_target_level_and_scores_come_from_the_map(write_profile, catalog):
    text = BASE + (
        "targets:\n  - {standard: cc-cmm-oc-2011, level: 6}\n  - {standard: cc-cmm}\n"
        "self_assessment:\n  - {requirement: cc-cmm-oc-2011/1, c: 7, f: 10}\n"
    )
    errors = errors_of(write_profile, catalog, text)
    assert "11:39: /targets/0/level: 6 is more than the maximum 5 (lower the value)" in errors
    assert any(
        e.startswith("12:16: /targets/1/standard: 'cc-cmm' is not a standard id") for e in errors
    )
    assert any(
        e.startswith("14:40: /self_assessment/0/c: 7 is not a score of CC-CMM-OC 2011")
        for e in errors
    )


def test_an_item_scored_twice_is_an_error_at_both_entries(write_profile, catalog):
    text = BASE + (
        "self_assessment:\n"
        "  - {requirement: cc-cmm-oc-2011/1, c: 10, f: 10}\n"
        "  - {requirement: cc-cmm-oc-2011/2, c: 5, f: 5}\n"
        "  - {requirement: cc-cmm-oc-2011/1, c: 5, f: 0}\n"
    )
    errors = [e for e in errors_of(write_profile, catalog, text) if "more than once" in e]
    assert errors == [
        "11:19: /self_assessment/0/requirement: 'cc-cmm-oc-2011/1' is scored more than once "
        "(also at line 13) (keep one entry per item in self_assessment)",
        "13:19: /self_assessment/2/requirement: 'cc-cmm-oc-2011/1' is scored more than once "
        "(also at line 11) (keep one entry per item in self_assessment)",
    ]


def test_missing_required_key_points_at_the_mapping(write_profile, catalog):
    assert errors_of(write_profile, catalog, "organization:\n  name: Acme\n") == [
        "2:3: /organization: missing required key 'id' (add 'id:' here)"
    ]


def test_every_error_is_reported_in_one_run_sorted_by_line(write_profile, catalog):
    text = BASE.replace("type", "x") + "assessment_date: nope\nbogus: 1\n"
    text = text.replace("reports_to: duty-mgr", "reports_to: nobody")
    errors = errors_of(write_profile, catalog, text)
    lines = [int(e.split(":")[0]) for e in errors]
    assert lines == sorted(lines) and len(errors) == 3


def test_gaps_are_not_errors(write_profile, catalog):
    path = write_profile(BASE)
    result = validate_profile(load_profile(path), catalog)
    assert result.ok and result.gaps
    assert all(g.requirement_ids for g in result.gaps)


def test_loops_are_found_once_each_with_tails_leading_into_them():
    from generator.references import _loops

    parent_of = {"a": "b", "b": "c", "c": "b", "d": "d", "e": "a", "f": "g", "g": "h"}
    assert _loops(parent_of) == [["b", "c"], ["d"]]
    chain = {f"r{i}": f"r{i - 1}" for i in range(1, 5000)}
    assert _loops(chain) == []
    chain["r0"] = "r4999"
    [loop] = _loops(chain)
    assert loop[0] == "r1" and len(loop) == 5000  # r1 is the first member in document order


def test_did_you_mean_among_thousands_of_ids_finds_typos_at_either_end():
    from generator.references import suggester

    suggest = suggester([f"role-{i:05d}" for i in range(5000)] + ["duty-mgr", "quality-lead"])
    assert suggest("quality-laed") == "quality-lead"
    assert suggest("uality-lead") == "quality-lead"
    assert suggest("duty-mrg") == "duty-mgr"
    assert suggest("ole-01234") == "role-01234"
    assert suggest("zzzzzz") == ""
