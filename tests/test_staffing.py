"""The workforce plan: inputs that cannot be staffed are errors at their line and column, in
`ccdocs validate` and `ccdocs build` alike; the plan itself is exact."""

from __future__ import annotations

from click.testing import CliRunner

from generator.cli import EXIT_ERRORS, cli
from generator.profile import load_profile
from generator.resolve.staffing import resolve_staffing
from generator.validate import validate_profile

STAFFED = """\
organization:
  id: acme
  name: Acme
  channels:
    - {id: hotline, kind: voice}
service_levels:
  - {channel: hotline, percent: 80, seconds: 20}
staffing:
  channel: hotline
  aht_seconds: 180
  max_occupancy: 85
  shrinkage: 30
  intervals:
    - {start: '09:00', contacts: 100}
    - {start: '09:30', contacts: 120}
"""


def errors_of(write_profile, catalog, text: str) -> list[str]:
    path = write_profile(text)
    result = validate_profile(load_profile(path), catalog)
    return [f.format().removeprefix(f"{path}:") for f in result.errors]


def test_a_complete_staffing_section_is_valid(write_profile, catalog):
    assert errors_of(write_profile, catalog, STAFFED) == []


def test_what_cannot_be_staffed_is_refused_with_what_to_do(write_profile, catalog):
    text = (
        STAFFED.replace("percent: 80", "percent: 100")
        .replace("aht_seconds: 180", "aht_seconds: 0")
        .replace("max_occupancy: 85", "max_occupancy: 0")
        .replace("shrinkage: 30", "shrinkage: 100")
    )
    assert errors_of(write_profile, catalog, text) == [
        "7:33: /service_levels/0/percent: 100 must be less than 100 (no number of agents answers"
        " every contact in time: Erlang C never reaches 100 %; write a target below 100, e.g. 80)",
        "10:16: /staffing/aht_seconds: 0 must be greater than 0"
        " (write the average handle time of one contact in seconds, e.g. 180)",
        "11:18: /staffing/max_occupancy: 0 must be greater than 0 (at 0 % occupancy agents never"
        " handle a contact; write the highest share of their time agents may be busy, e.g. 85)",
        "12:14: /staffing/shrinkage: 100 must be less than 100 (at 100 % shrinkage no paid time is"
        " left for contacts; write the share of paid time agents are unavailable, below 100,"
        " e.g. 30)",
    ]


def test_just_below_the_limits_is_valid(write_profile, catalog):
    text = (
        STAFFED.replace("percent: 80", "percent: 99.9")
        .replace("max_occupancy: 85", "max_occupancy: 0.5")
        .replace("shrinkage: 30", "shrinkage: 99.5")
    )
    assert errors_of(write_profile, catalog, text) == []


def test_nan_and_infinities_are_located_errors(write_profile, catalog):
    text = (
        STAFFED.replace("seconds: 20", "seconds: .inf")
        .replace("aht_seconds: 180", "aht_seconds: -.inf")
        .replace("shrinkage: 30", "shrinkage: .NaN")
        .replace("contacts: 100", "contacts: .nan")
        .replace("contacts: 120", "contacts: 1.0e+999")
    )
    hint = " (write an ordinary number: YAML reads .nan, .inf and numbers beyond 1.8e308 as these)"
    assert errors_of(write_profile, catalog, text) == [
        "7:46: /service_levels/0/seconds: infinity is not a finite number" + hint,
        "10:16: /staffing/aht_seconds: -infinity is not a finite number" + hint,
        "12:14: /staffing/shrinkage: NaN is not a finite number" + hint,
        "14:34: /staffing/intervals/0/contacts: NaN is not a finite number" + hint,
        "15:34: /staffing/intervals/1/contacts: infinity is not a finite number" + hint,
    ]


def test_a_forecast_beyond_the_agent_limit_is_located_at_its_contacts(write_profile, catalog):
    text = STAFFED.replace("contacts: 100", "contacts: 1.0e+15").replace(
        "contacts: 120", "contacts: 1.7e+308"
    )
    hint = (
        " (check the forecast: contacts counts the contacts of this 30-minute interval only,"
        " and a plan has at most 100,000 agents per interval)"
    )
    assert errors_of(write_profile, catalog, text) == [
        "14:34: /staffing/intervals/0/contacts: the 09:00 interval needs more than 100,000 agents"
        " (80 % within 20 s, occupancy at most 85 %)" + hint,
        "15:34: /staffing/intervals/1/contacts: the 09:30 interval needs more than 100,000 agents"
        " (80 % within 20 s, occupancy at most 85 %)" + hint,
    ]


def test_an_aht_too_long_for_any_number_is_located(write_profile, catalog):
    # 0.9 Erlangs on one agent wait 9 AHTs on average: beyond a float for an AHT of 1.5e+308 s
    text = (
        STAFFED.replace("aht_seconds: 180", "aht_seconds: 1.5e+308")
        .replace("percent: 80", "percent: 0")
        .replace("max_occupancy: 85", "max_occupancy: 95")
        .replace("contacts: 100", "contacts: 1.08e-305")
        .replace("contacts: 120", "contacts: 0")
    )
    assert errors_of(write_profile, catalog, text) == [
        "10:16: /staffing/aht_seconds: this AHT is too long to plan: the average speed of answer"
        " is beyond any number (write the average handle time of one contact in seconds, e.g. 180)"
    ]


def test_long_numbers_are_shown_short_in_messages(write_profile, catalog):
    text = STAFFED.replace("contacts: 120", "contacts: 1.0e+15").replace(
        "seconds: 20", "seconds: 1.0e+300"
    )
    [error] = errors_of(write_profile, catalog, text)
    assert "needs more than 100,000 agents (80 % within 1e+300 s, occupancy at most 85 %)" in error


def test_more_than_a_day_of_intervals_is_refused(write_profile, catalog):
    starts = [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 24 * 60 + 1, 15)]  # 97, to 24:00
    intervals = "".join(f"    - {{start: '{s}', contacts: 10}}\n" for s in starts)
    text = STAFFED.split("    - {start: '09:00'")[0] + intervals
    assert errors_of(write_profile, catalog, text) == [
        "14:5: /staffing/intervals: more than 96 items"
        " (a day has at most 96 intervals of 15 minutes; plan one day)"
    ]


def test_validate_and_build_exit_1_on_a_forecast_beyond_the_limit(write_profile, tmp_path):
    path = write_profile(STAFFED.replace("contacts: 120", "contacts: 1.0e+15"))
    where = f"{path}:15:34: /staffing/intervals/1/contacts: the 09:30 interval needs more than"
    for args in (["validate"], ["build", "--format", "md", "--out", str(tmp_path / "out")]):
        result = CliRunner().invoke(cli, [*args, str(path)])
        assert result.exit_code == EXIT_ERRORS, result.output
        assert where in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "acme").exists()


def test_the_plan_is_exact_at_the_occupancy_limit(load):
    profile = load(
        STAFFED.replace("max_occupancy: 85", "max_occupancy: 57")
        .replace("percent: 80", "percent: 50")
        .replace("contacts: 100", "contacts: 57")
    )
    plan = resolve_staffing(profile.data)
    assert plan is not None
    first = plan["rows"][0]
    assert (first["traffic"], first["agents"], first["occupancy"]) == (5.7, 10, 57.0)
    assert first["rostered"] == 15  # 10 / (1 - 30 %) = 14.29, rounded up
    assert plan["total_contacts"] == 177


def test_the_total_of_fractional_forecasts_is_exact(load):
    profile = load(STAFFED.replace("contacts: 100", "contacts: 0.1").replace("120", "0.2"))
    plan = resolve_staffing(profile.data)
    assert plan is not None and plan["total_contacts"] == 0.3  # not 0.30000000000000004
