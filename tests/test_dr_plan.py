"""The DR plan's business-impact analysis, response levels, timed recovery steps, message
templates and exercise coverage: their validation, their consistency rules and how they render."""

from __future__ import annotations

import re

import pytest
from conftest import bundled
from test_render import render

from generator.build import render_profile
from generator.profile import load_profile
from generator.validate import validate_profile

BASE = """\
organization:
  id: acme
  name: Acme
  channels:
    - {id: phone, kind: voice, name: Hotline}
    - {id: chat, kind: chat, name: Web chat}
roles:
  - {id: director, name: Director}
  - {id: duty-mgr, name: Duty manager, reports_to: director}
targets: [{standard: cc-cmm-oc-2011, level: 1}]
assessment_date: 2026-03-31
emergency:
  contacts:
    - {id: parent, name: Head office}
  levels:
    - {id: I, trigger: Hotline down, declared_by: director, notify_contacts: [parent]}
    - {id: II, trigger: One channel down, declared_by: duty-mgr}
  business_impact:
    - {channel: phone, rto_minutes: 30, mtd_minutes: 120}
    - {channel: chat, rto_minutes: 60, mtd_minutes: 240}
  plans:
    - id: outage
      title: Platform outage
      level: I
      rto_minutes: 30
      channels: [phone, chat]
      test_cycle: yearly
      last_test: 2026-01-10
      recovery_steps:
        - {step: Switch to the standby platform, minutes: 20, role: duty-mgr}
        - {step: Test calls, minutes: 10}
"""


def _check(write_profile, catalog, text: str):
    path = write_profile(text)
    return path, validate_profile(load_profile(path), catalog)


def rule_gaps(write_profile, catalog, text: str) -> list[str]:
    """The consistency-rule gaps of ``text``, as the CLI prints them (without the file)."""
    path, result = _check(write_profile, catalog, text)
    assert result.errors == ()
    return [
        g.to_finding().format().removeprefix(f"{path}:") for g in result.gaps if g.kind == "rule"
    ]


def errors_of(write_profile, catalog, text: str) -> list[str]:
    path, result = _check(write_profile, catalog, text)
    return [f.format().removeprefix(f"{path}:") for f in result.errors]


# -- consistency rules ---------------------------------------------------------------------------


def test_a_consistent_plan_has_no_rule_gaps(write_profile, catalog):
    assert rule_gaps(write_profile, catalog, BASE) == []


def test_an_rto_longer_than_the_maximum_tolerable_downtime_is_a_gap(write_profile, catalog):
    text = BASE.replace("{channel: chat, rto_minutes: 60,", "{channel: chat, rto_minutes: 300,")
    assert rule_gaps(write_profile, catalog, text) == [
        "20:36: /emergency/business_impact/1/rto_minutes: partial rule rto-within-mtd:"
        " channel 'chat': RTO 300 min is longer than its maximum tolerable downtime 240 min"
        " [cc-cmm-oc-2011/22]"
        " (shorten the RTO to the maximum tolerable downtime or less)"
    ]


def test_a_plan_slower_than_the_rto_of_a_channel_it_restores_is_a_gap(write_profile, catalog):
    text = BASE.replace("      rto_minutes: 30\n", "      rto_minutes: 45\n").replace(
        "minutes: 20, role", "minutes: 35, role"
    )
    assert rule_gaps(write_profile, catalog, text) == [
        "25:20: /emergency/plans/0/rto_minutes: partial rule plan-rto-within-bia:"
        " plan 'outage': RTO 45 min is longer than the RTO 30 min of channel 'phone' in"
        " business_impact [cc-cmm-oc-2011/22]"
        " (shorten the plan's rto_minutes, or revise the channel's RTO)"
    ]


def test_a_plan_that_may_lose_more_data_than_a_channel_allows_is_a_gap(write_profile, catalog):
    text = BASE.replace(
        "{channel: chat, rto_minutes: 60,", "{channel: chat, rpo_minutes: 15, rto_minutes: 60,"
    ).replace("      rto_minutes: 30\n", "      rto_minutes: 30\n      rpo_minutes: 60\n")
    assert rule_gaps(write_profile, catalog, text) == [
        "26:20: /emergency/plans/0/rpo_minutes: partial rule plan-rpo-within-bia:"
        " plan 'outage': RPO 60 min is longer than the RPO 15 min of channel 'chat' in"
        " business_impact [cc-cmm-oc-2011/22]"
        " (back up more often and lower the plan's rpo_minutes, or revise the channel's RPO)"
    ]


def test_a_plan_without_channels_is_not_held_to_the_analysis(write_profile, catalog):
    text = BASE.replace("      rto_minutes: 30\n", "      rto_minutes: 45\n      rpo_minutes: 9\n")
    text = text.replace("      channels: [phone, chat]\n", "").replace(
        "{channel: phone,", "{channel: phone, rpo_minutes: 0,"
    )
    assert rule_gaps(write_profile, catalog, text) == []


def test_a_channel_missing_from_the_analysis_is_a_gap(write_profile, catalog):
    text = BASE.replace("    - {channel: chat, rto_minutes: 60, mtd_minutes: 240}\n", "")
    assert rule_gaps(write_profile, catalog, text) == [
        "19:5: /emergency/business_impact: partial rule bia-covers-channels:"
        " channel 'chat' has no entry [cc-cmm-oc-2011/22]"
        " (add an entry for the channel under emergency.business_impact)"
    ]


def test_without_an_analysis_no_channel_needs_an_entry(write_profile, catalog):
    start = BASE.index("  business_impact:")
    text = BASE[:start] + BASE[BASE.index("  plans:") :]
    assert rule_gaps(write_profile, catalog, text) == []


def test_recovery_steps_longer_than_the_rto_are_a_gap_naming_both(write_profile, catalog):
    text = BASE.replace("{step: Test calls, minutes: 10}", "{step: Test calls, minutes: 25}")
    assert rule_gaps(write_profile, catalog, text) == [
        "30:9: /emergency/plans/0/recovery_steps: partial rule steps-within-rto:"
        " plan 'outage': its recovery steps take 45 min in all, longer than its RTO 30 min"
        " [cc-cmm-oc-2011/23]"
        " (shorten the recovery steps or revise the plan's rto_minutes)"
    ]


def test_a_rule_without_data_to_hold_to_it_is_neither_met_nor_a_gap(write_profile, catalog):
    from generator.mandates import check_requirement

    def rules(text: str) -> list[tuple[str, str]]:
        profile = load_profile(write_profile(text))
        return [
            (c.subject, c.status)
            for uid in ("cc-cmm-oc-2011/22", "cc-cmm-oc-2011/23")
            for c in check_requirement(profile, catalog, catalog.requirements[uid])
            if c.kind == "rule"
        ]

    assert rules(BASE) == [
        ("rto-within-mtd", "present"),
        ("bia-covers-channels", "present"),
        ("plan-rto-within-bia", "present"),
        ("steps-within-rto", "present"),
    ]  # the analysis gives no RPO: plan-rpo-within-bia has nothing to check
    assert rules(BASE[: BASE.index("emergency:")]) == []


@pytest.mark.parametrize("name", ["event-hotline", "water-utility", "telecom", "bank-card-center"])
def test_the_bundled_presets_break_no_rule(name, catalog):
    result = validate_profile(load_profile(bundled(name)), catalog)
    assert result.errors == ()
    assert [g.to_finding().format() for g in result.gaps if g.kind == "rule"] == []
    data = load_profile(bundled(name)).data["emergency"]
    assert {"levels", "business_impact", "communications"} <= set(data)
    assert any(p.get("recovery_steps") for p in data["plans"])


def test_an_overdue_or_never_held_exercise_stays_one_gap_of_item_24(write_profile, catalog):
    """Exercise coverage is audited by item 24's date and field mandates, not a second time."""
    text = BASE.replace("last_test: 2026-01-10", "last_test: 2024-01-10")
    _, result = _check(write_profile, catalog, text)
    late = [g for g in result.gaps if g.subject == "emergency.plans[].last_test"]
    assert [(g.kind, g.status, g.location.line) for g in late] == [("date", "stale", 28)]
    text = BASE.replace("      last_test: 2026-01-10\n", "")
    _, result = _check(write_profile, catalog, text)
    never = [g for g in result.gaps if g.subject == "emergency.plans[].last_test"]
    assert [(g.kind, g.status) for g in never] == [("field", "partial")]


def test_the_gap_report_names_a_broken_rule_in_words_with_its_remedy(write_profile, catalog):
    text = BASE.replace("{step: Test calls, minutes: 10}", "{step: Test calls, minutes: 25}")
    pages = render_profile(write_profile(text), catalog=catalog).publication.audit_pages
    row = next(line for line in pages["gap-report.md"].splitlines() if "恢复步骤合计" in line)
    assert "| 23 应急规划六环节 | 一致性规则：恢复步骤合计不超过预案 RTO |" in row
    assert "profile.yaml 第 30 行 | 压缩恢复步骤的时长，或重新评估预案的 rto_minutes |" in row


# -- validation ----------------------------------------------------------------------------------


def test_a_plan_level_that_no_response_level_defines_is_located(write_profile, catalog):
    text = BASE.replace("      level: I\n", "      level: III\n")
    assert errors_of(write_profile, catalog, text) == [
        "24:14: /emergency/plans/0/level: 'III' is not a response level defined under"
        " emergency.levels (did you mean 'II'?) (use an id defined under emergency.levels)"
    ]


def test_without_response_levels_a_plan_may_name_any_level(write_profile, catalog):
    start = BASE.index("  levels:")
    text = BASE[:start] + BASE[BASE.index("  business_impact:") :]
    assert errors_of(write_profile, catalog, text.replace("level: I\n", "level: IV\n")) == []


def test_broken_references_of_the_new_blocks_are_located(write_profile, catalog):
    text = (
        BASE.replace("declared_by: director,", "declared_by: directr,")
        .replace("notify_contacts: [parent]", "notify_contacts: [head]")
        .replace("{channel: phone, rto_minutes: 30", "{channel: fone, rto_minutes: 30")
        .replace("channels: [phone, chat]", "channels: [phone, sms]")
    )
    assert errors_of(write_profile, catalog, text) == [
        "16:51: /emergency/levels/0/declared_by: 'directr' is not a role id (did you mean"
        " 'director'?) (use an id defined under roles)",
        "16:78: /emergency/levels/0/notify_contacts/0: 'head' is not a contact id (use an id"
        " defined under emergency.contacts)",
        "19:17: /emergency/business_impact/0/channel: 'fone' is not a channel id (did you mean"
        " 'phone'?) (use an id defined under organization.channels)",
        "26:25: /emergency/plans/0/channels/1: 'sms' is not a channel id (use an id defined"
        " under organization.channels)",
    ]


def test_malformed_entries_are_located_with_what_to_write(write_profile, catalog):
    text = (
        BASE.replace("{channel: chat, rto_minutes: 60, mtd_minutes: 240}", "{channel: chat}")
        .replace("{step: Test calls, minutes: 10}", "{step: Test calls, minutes: 0}")
        .replace("{id: II, trigger", "{id: V, trigger")
    )
    assert errors_of(write_profile, catalog, text) == [
        "17:12: /emergency/levels/1/id: 'V' is not one of: I, II, III, IV (did you mean"
        " 'IV'?) (use one of the listed values)",
        "20:7: /emergency/business_impact/1: missing required key 'mtd_minutes' (add"
        " 'mtd_minutes:' here)",
        "20:7: /emergency/business_impact/1: missing required key 'rto_minutes' (add"
        " 'rto_minutes:' here)",
        "31:39: /emergency/plans/0/recovery_steps/1/minutes: 0 must be greater than 0 (raise"
        " the value)",
    ]


def test_a_message_placeholder_that_is_not_known_is_located(write_profile, catalog):
    text = BASE + (
        "  communications:\n"
        "    - {id: sms, audience: customers, text: {zh: '预计{eta}恢复', en: 'Back by {when}'}}\n"
    )
    [error] = errors_of(write_profile, catalog, text)
    assert error.startswith(
        "33:66: /emergency/communications/0/text/en: 'Back by {when}' is not valid: text whose"
        " placeholders, in braces, are among {incident}, {start}, {next_update}, {eta},"
    )


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_placeholder_the_schema_allows_has_words(catalog, language):
    from generator.labels import load_labels
    from generator.render import template_dirs

    pattern = catalog.profile_schema["$defs"]["message"]["pattern"]
    allowed = set(re.search(r"\\\{\((.*?)\)", pattern)[1].split("|"))
    assert set(load_labels(language, template_dirs())["dr"]["slots"]) == allowed


# -- rendering -----------------------------------------------------------------------------------


def _section(text: str, anchor: str) -> str:
    start = text.index(f"{{#{anchor}}}")
    return text[start : text.index("\n## ", start)]


def test_the_business_impact_table_has_a_row_per_entry(catalog):
    dr_plan = render(bundled("bank-card-center"), catalog)["dr-plan"]
    bia = _section(dr_plan, "business-impact")
    assert (
        "| 信用卡客服热线（挂失与盗刷处置） | 客户无法及时挂失和止付，资金损失风险上升，"
        "易引发监管投诉 | 30 | 5 | 60 | IVR 自助挂失保持可用，异地分中心坐席优先受理挂失和盗刷 |"
    ) in bia
    assert bia.count("\n| ") == 1 + 8  # the header and one row per entry


def test_response_levels_name_who_declares_and_who_is_told(catalog):
    dr_plan = render(bundled("event-hotline"), catalog, "en")["dr-plan"]
    levels = _section(dr_plan, "response-levels")
    assert "| Level II (Major) |" in levels
    assert (
        "| Operations Manager | Centre Director, Duty Manager, IT Manager, Knowledge Base Editor,"
        in levels
    )
    assert levels.index("Level I (") < levels.index("Level II (") < levels.index("Level IV (")


def test_a_plan_names_its_level_as_defined_or_as_written(write_profile, catalog):
    defined = render(write_profile(BASE), catalog, "en")["dr-plan"]
    assert "| [Level I](#response-levels) |" in defined
    start = BASE.index("  levels:")
    bare = BASE[:start] + BASE[BASE.index("  business_impact:") :]
    written = render(write_profile(bare, "bare.yaml"), catalog, "en")["dr-plan"]
    assert "| I | — | 30 | — |" in written


def test_recovery_steps_show_the_elapsed_time_against_the_rto(catalog):
    dr_plan = render(bundled("water-utility"), catalog)["dr-plan"]
    plan = _section(dr_plan, "scenarios")
    assert "| 3 | 备用坐席签入，启用纸质工单登记 | 班长 | 20 | 45 |" in plan
    assert "恢复步骤合计 55 分钟，预案 RTO 为 60 分钟。" in plan


def test_message_templates_show_their_placeholders_in_words(catalog):
    zh = _section(render(bundled("event-hotline"), catalog)["dr-plan"], "communications")
    assert "下次通报时间：【下次通报时间】。" in zh
    assert re.search(r"\{(?!#)|\\", zh) is None  # every placeholder filled in, none escaped
    en = _section(render(bundled("event-hotline"), catalog, "en")["dr-plan"], "communications")
    assert "Next update: [time of the next update]." in en
    assert "**For plans**: Call platform outage plan" in en
    assert "**For plans**: All plans" in en


def test_the_exercise_table_names_the_records_of_each_plan(catalog):
    drills = _section(render(bundled("telecom"), catalog)["dr-plan"], "drills")
    table = drills[drills.index("\n| ") : drills.index("\n\n", drills.index("\n| "))]
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    assert rows[0].endswith("| 演练记录 |")
    recorded = [row for row in rows[1:] if not row.endswith("| — |")]
    assert len(recorded) == 2
