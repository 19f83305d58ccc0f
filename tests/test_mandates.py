"""The mandate layer: derived from the standards map, giving gaps and an editor schema."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from generator import fieldpath
from generator.mandate_schema import mandate_schema
from generator.mandates import Target, find_gaps, mandated_requirements
from generator.profile import load_profile

BASE = """\
organization: {id: acme, name: Acme}
targets: [{standard: cc-cmm-oc-2011, level: 1}]
"""


def _numbers(catalog, level: int) -> set[str]:
    target = Target(catalog.standards["cc-cmm-oc-2011"], level)
    return {r.number for r in mandated_requirements([target])}


def test_level_2_adds_the_culture_integration_items(catalog):
    assert _numbers(catalog, 2) - _numbers(catalog, 1) == {"2", "7", "13", "15"}
    assert len(_numbers(catalog, 1)) == 29


def test_field_path_semantics():
    data = {
        "roles": [{"id": "a", "duties": ["x"]}, {"id": "b"}],
        "policies": [{"kind": "data"}],
        "empty": "  ",
    }
    assert fieldpath.missing(data, "roles[].duties") == ["/roles/1/duties"]
    assert fieldpath.missing(data, "policies[kind=data]") == []
    assert fieldpath.missing(data, "policies[kind=personnel]") == ["/policies"]
    assert fieldpath.missing(data, "empty") == ["/empty"]
    assert fieldpath.missing(data, "absent.deeper") == ["/absent"]
    assert fieldpath.values(data, "roles[].id") == [("/roles/0/id", "a"), ("/roles/1/id", "b")]


def test_a_missing_field_is_a_gap_with_its_requirement(load, catalog):
    profile = load(BASE + "positioning:\n  mission: Serve\n")
    gaps = {(g.subject, g.location.pointer): g for g in find_gaps(profile, catalog)}
    vision = gaps[("positioning.vision", "/positioning/vision")]
    assert vision.requirement_ids == ("cc-cmm-oc-2011/1",)
    assert (vision.location.line, vision.status) == (4, "missing")
    assert ("positioning.mission", "/positioning/mission") not in gaps


def test_one_missing_value_asked_by_two_standards_is_one_gap(load, catalog):
    text = BASE.replace("targets: [", "targets: [{standard: cccs-op-2014}, ")
    gaps = [g for g in find_gaps(load(text), catalog) if g.subject == "positioning.vision"]
    assert [g.requirement_ids for g in gaps] == [("cc-cmm-oc-2011/1", "cccs-op-2014/1")]


def _with_records(load, date: str, assessed: str):
    return load(
        BASE
        + f"assessment_date: {assessed}\n"
        + "records:\n"
        + f"  - {{id: r1, kind: emergency-test-record, date: {date}}}\n"
    )


def test_a_record_older_than_its_maximum_age_is_stale(load, catalog):
    profile = _with_records(load, "2025-01-01", "2026-03-01")
    [gap] = [g for g in find_gaps(profile, catalog) if g.subject == "emergency-test-record"]
    assert gap.status == "stale"
    assert gap.detail_text == "newest is 424 days old on 2026-03-01, allowed 366"
    assert gap.location.line == 5


def test_a_record_within_its_maximum_age_is_no_gap(load, catalog):
    profile = _with_records(load, "2025-12-01", "2026-03-01")
    assert not [g for g in find_gaps(profile, catalog) if g.subject == "emergency-test-record"]


def test_staleness_is_judged_against_the_assessment_date_not_the_clock(load, catalog):
    profile = _with_records(load, "2000-01-01", "2000-06-01")
    assert not [g for g in find_gaps(profile, catalog) if g.subject == "emergency-test-record"]


def test_mandate_schema_rejects_exactly_what_has_gaps(catalog, load):
    target = [Target(catalog.standards["cc-cmm-oc-2011"], 1)]
    schema = mandate_schema(catalog, target)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    empty = load(BASE)
    assert list(validator.iter_errors(empty.data))
    bundled = load_profile(catalog_profile("event-hotline"))
    assert not list(validator.iter_errors(bundled.data))


def test_mandate_schema_marks_fields_required_with_their_requirement(catalog):
    schema = mandate_schema(catalog, [Target(catalog.standards["cc-cmm-oc-2011"], 1)])
    positioning = schema["allOf"][0]["properties"]["positioning"]
    assert {"vision", "mission", "core_values"} <= set(positioning["required"])
    assert positioning["properties"]["vision"]["description"] == "Required by cc-cmm-oc-2011/1"


def catalog_profile(name: str):
    from conftest import bundled

    return bundled(name)


PLANS = """\
assessment_date: 2026-03-31
roles: [{id: csr, title: CSR}, {id: lead, title: Lead}, {id: boss, title: Boss}]
training:
  modules:
    - {id: security, title: Security, audience: [csr, lead]}
security: {training_module: security}
emergency:
  plans:
    - {id: outage, title: Outage, test_cycle: yearly, last_test: 2025-03-31}
    - {id: surge, title: Surge, test_cycle: quarterly, last_test: 2025-12-30}
    - {id: fire, title: Fire, test_cycle: monthly, last_test: 2026-01-31}
"""


def test_an_exercise_due_before_the_assessment_date_is_overdue(load, catalog):
    gaps = [g for g in find_gaps(load(BASE + PLANS), catalog) if g.kind == "date"]
    # yearly from 2025-03-31: due 2026-03-31, on the day, not overdue; quarterly from 2025-12-30:
    # due 2026-03-30, overdue; monthly from 31 January: due 28 February, overdue.
    assert [(g.location.pointer, g.status, g.detail_text) for g in gaps] == [
        ("/emergency/plans/1/last_test", "stale", "due on 2026-03-30, overdue on 2026-03-31"),
        ("/emergency/plans/2/last_test", "stale", "due on 2026-02-28, overdue on 2026-03-31"),
    ]
    assert gaps[0].requirement_ids == ("cc-cmm-oc-2011/24",)


def test_a_plan_without_an_exercise_date_has_no_current_drill(load, catalog):
    text = (BASE + PLANS).replace(", last_test: 2025-03-31", "")
    gaps = {(g.subject, g.status) for g in find_gaps(load(text), catalog)}
    assert ("emergency.plans[].last_test", "partial") in gaps


def test_next_due_counts_calendar_months_and_stops_at_the_calendars_end():
    import datetime as dt

    from generator.cycles import next_due

    assert next_due(dt.date(2024, 1, 31), "monthly") == dt.date(2024, 2, 29)
    assert next_due(dt.date(2024, 2, 29), "yearly") == dt.date(2025, 2, 28)
    assert next_due(dt.date(2026, 11, 30), "quarterly") == dt.date(2027, 2, 28)
    assert next_due(dt.date(9999, 12, 31), "daily") is None
    assert next_due(dt.date(9999, 6, 1), "yearly") is None
    assert next_due(dt.date(2026, 1, 1), "per-event") is None


def test_every_role_left_out_of_the_security_course_is_a_gap_naming_it(load, catalog):
    gaps = [g for g in find_gaps(load(BASE + PLANS), catalog) if g.kind == "audience"]
    assert [(g.subject, g.status, g.location.pointer) for g in gaps] == [
        ("boss", "partial", "/training/modules/0/audience")
    ]
    assert gaps[0].requirement_ids == ("cc-cmm-oc-2011/28",)
    assert "add the role 'boss'" in gaps[0].hint
