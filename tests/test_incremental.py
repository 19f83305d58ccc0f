"""Incremental builds: nothing redone when nothing changed; a change redoes only its outputs."""

from __future__ import annotations

import json
import os

import pytest

from generator.build import build_profile
from generator.incremental import STATE_FILE

FORMATS = ("md", "docx", "audit")


@pytest.fixture
def client(write_profile):
    """A client profile that extends the bundled event hotline."""
    return write_profile(
        """
        extends: event-hotline
        emergency:
          scope: 覆盖中心运行期间的各类中断事件。
        """
    )


def _stamps(folder):
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_a_rebuild_with_unchanged_inputs_writes_nothing(tmp_path, client, catalog):
    first = build_profile(client, tmp_path, formats=FORMATS, catalog=catalog)
    assert len(first.files) > 6 and not first.reused
    before = _stamps(first.output)
    again = build_profile(client, tmp_path, formats=FORMATS, catalog=catalog)
    assert again.up_to_date and again.files == ()
    assert {p.name for p in again.reused} >= {"operations-manual.docx", "audit"}
    assert _stamps(first.output) == before
    assert again.gap_count == first.gap_count and again.audit["report"] == first.audit["report"]


def test_changing_one_value_redoes_only_the_outputs_that_use_it(tmp_path, client, catalog):
    first = build_profile(client, tmp_path, formats=FORMATS, catalog=catalog)
    before = _stamps(first.output)
    client.write_text(
        client.read_text("utf-8").replace("各类中断事件", "各类中断和降级事件"), "utf-8"
    )
    second = build_profile(client, tmp_path, formats=FORMATS, catalog=catalog)
    written = {str(p.relative_to(second.output)) for p in second.files}
    assert written == {"manual/dr-plan.md", "docx/dr-plan.docx"}
    after = _stamps(second.output)
    for name in ("docx/operations-manual.docx", "docx/training-syllabus.docx", "audit/audit.xlsx"):
        path = second.output / name
        assert after[path] == before[path], f"{name} was rewritten"
    assert "各类中断和降级事件" in (second.output / "manual" / "dr-plan.md").read_text("utf-8")


def test_a_deleted_output_is_made_again_and_force_redoes_everything(tmp_path, client, catalog):
    first = build_profile(client, tmp_path, formats=("md",), catalog=catalog)
    (first.output / "manual" / "training-syllabus.md").unlink()
    again = build_profile(client, tmp_path, formats=("md",), catalog=catalog)
    assert [p.name for p in again.files] == ["training-syllabus.md"]
    forced = build_profile(client, tmp_path, formats=("md",), catalog=catalog, force=True)
    assert len(forced.files) == 8


def test_a_template_change_or_a_new_format_is_not_missed(tmp_path, client, catalog):
    overrides = tmp_path / "tpl"
    (overrides / "manual").mkdir(parents=True)
    template = overrides / "manual" / "dr-plan.md.jinja"
    template.write_text("# DR v1\n", encoding="utf-8")
    out = tmp_path / "out"
    build_profile(client, out, formats=("md",), catalog=catalog, templates=[overrides])
    template.write_text("# DR v2\n", encoding="utf-8")
    second = build_profile(client, out, formats=("md",), catalog=catalog, templates=[overrides])
    assert [p.name for p in second.files] == ["dr-plan.md"]
    third = build_profile(
        client, out, formats=("md", "audit"), catalog=catalog, templates=[overrides]
    )
    assert {p.parent.name for p in third.files} == {"audit"}


def test_the_state_file_is_json_beside_the_outputs(tmp_path, client, catalog):
    result = build_profile(client, tmp_path, formats=("md",), catalog=catalog)
    state = json.loads((result.output / STATE_FILE).read_text(encoding="utf-8"))
    assert state["schema"] == "ccdocs-build-state/1"
    assert sorted(state["outputs"]) == [
        "manual/dr-plan.md",
        "manual/operations-manual.md",
        "manual/performance-appraisal.md",
        "manual/position-descriptions.md",
        "manual/qa-scorecard.md",
        "manual/rewards-penalties.md",
        "manual/training-syllabus.md",
        "manual/work-rules.md",
    ]
    os.utime(result.output / STATE_FILE)  # touching the state alone changes nothing
    assert build_profile(client, tmp_path, formats=("md",), catalog=catalog).up_to_date


def test_a_forged_summary_in_the_state_file_decides_nothing(tmp_path):
    from click.testing import CliRunner
    from conftest import bundled

    from generator.cli import EXIT_GAPS, cli

    water = str(bundled("water-utility"))
    runner = CliRunner()
    assert (
        runner.invoke(cli, ["build", water, "--out", str(tmp_path), "--format", "md"]).exit_code
        == 0
    )
    state = tmp_path / "water-utility" / STATE_FILE
    raw = json.loads(state.read_text(encoding="utf-8"))
    raw["summary"]["gaps"] = 0
    raw["summary"]["audit"] = {"maturity": [], "outcomes": []}
    state.write_text(json.dumps(raw), encoding="utf-8")
    strict = runner.invoke(
        cli, ["build", water, "--out", str(tmp_path), "--format", "md", "--strict"]
    )
    assert strict.exit_code == EXIT_GAPS, strict.output
    assert "13 个差距" in strict.output


@pytest.mark.parametrize(
    "text",
    [
        '{"schema": "ccdocs-build-state/1", "inputs": [], "outputs": 7, "summary": "x"}',
        "\xff\xfe",
        "[]",
    ],
)
def test_a_state_file_edited_by_hand_means_a_full_rebuild_not_a_crash(tmp_path, client, text):
    first = build_profile(client, tmp_path, formats=["md"])
    (first.output / STATE_FILE).write_text(text, encoding="utf-8", errors="surrogateescape")
    result = build_profile(client, tmp_path, formats=["md"])
    assert result.files  # rebuilt, nothing trusted


def test_a_state_file_replaced_by_a_fifo_is_not_read(tmp_path, client):
    state = build_profile(client, tmp_path, formats=["md"]).output / STATE_FILE
    state.unlink()
    os.mkfifo(state)
    result = build_profile(client, tmp_path, formats=["md"])  # would hang reading the pipe
    assert result.files


def test_an_unchanged_build_takes_its_verdicts_from_the_users_cache(
    tmp_path, client, catalog, monkeypatch
):
    """Verdicts are kept per fingerprint outside the output folder, by the build that computed
    them or by the first rebuild that needs them; what a build kept is what a rebuild computes;
    a damaged entry is computed again, and an edited state file still decides nothing."""
    import generator.build as build_module

    monkeypatch.setenv("CCDOCS_CACHE_DIR", str(tmp_path / "cache"))
    calls = []
    real = build_module.verdicts
    monkeypatch.setattr(build_module, "verdicts", lambda *a: calls.append(1) or real(*a))
    first = build_profile(client, tmp_path / "out", formats=("md", "audit"), catalog=catalog)
    again = build_profile(client, tmp_path / "out", formats=("md", "audit"), catalog=catalog)
    third = build_profile(client, tmp_path / "out", formats=("md", "audit"), catalog=catalog)
    assert again.up_to_date and third.up_to_date and calls == []  # the build kept them
    assert third.audit == again.audit and third.gap_count == first.gap_count
    assert json.dumps(again.audit["report"]) == json.dumps(first.audit["report"])
    for entry in (tmp_path / "cache" / "verdicts").glob("*.json"):
        entry.unlink()
    computed = build_profile(client, tmp_path / "out", formats=("md", "audit"), catalog=catalog)
    assert len(calls) == 1 and computed.audit == again.audit  # kept = computed

    state = first.output / STATE_FILE
    edited = json.loads(state.read_text("utf-8"))
    edited["summary"]["gaps"] = 999
    state.write_text(json.dumps(edited), "utf-8")
    (entry,) = (tmp_path / "cache" / "verdicts").glob("*.json")
    entry.write_text("{not json", "utf-8")
    fourth = build_profile(client, tmp_path / "out", formats=("md", "audit"), catalog=catalog)
    assert fourth.up_to_date and len(calls) == 2 and fourth.gap_count == first.gap_count


def test_an_unchanged_build_words_no_message_it_does_not_show(
    tmp_path, client, catalog, monkeypatch
):
    """Wording a message reads the message catalogue, a fifth of a rebuild that finds everything
    current: such a rebuild words nothing (the lock's "busy" error is made only when raised)."""
    import generator.messages as messages

    build_profile(client, tmp_path / "out", formats=("md", "audit"), catalog=catalog)
    said: list[str] = []
    real = messages.say
    monkeypatch.setattr(messages, "say", lambda code, *rest: said.append(code) or real(code, *rest))
    again = build_profile(client, tmp_path / "out", formats=("md", "audit"), catalog=catalog)
    assert again.up_to_date and said == []
