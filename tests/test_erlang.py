"""Erlang C against published worked examples, an exact rational-arithmetic oracle and a
high-precision (mpmath) oracle; the search for agents is exact at its limits and bounded."""

from __future__ import annotations

import functools
import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mpmath import mp, mpf

from generator.resolve.erlang import (
    MAX_AGENTS,
    AgentLimitError,
    agents_required,
    average_speed_of_answer,
    erlang_b,
    erlang_c,
    exact,
    service_level,
)


def exact_erlang_c(agents: int, traffic: Fraction) -> Fraction:
    """The textbook formula with factorials, in exact arithmetic."""
    top = traffic**agents / math.factorial(agents) * Fraction(agents, 1) / (agents - traffic)
    bottom = sum(traffic**k / math.factorial(k) for k in range(agents)) + top
    return top / bottom


def test_small_published_value():
    # ErlangC[3, 2] = 4/9 in Wolfram's reference documentation.
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9, abs=1e-12)


def test_ten_erlang_worked_example():
    # 100 contacts per 30 minutes, 180 s handle time: 10 Erlangs; 14 agents give
    # P(wait) 17.4 %, 88.8 % answered within 20 s and an ASA of 7.8 s.
    traffic = 100 * 180 / 1800
    assert erlang_c(14, traffic) == pytest.approx(0.174132, abs=1e-6)
    assert service_level(14, traffic, 180, 20) == pytest.approx(0.888350, abs=1e-6)
    assert average_speed_of_answer(14, traffic, 180) == pytest.approx(7.835937, abs=1e-6)
    staffing = agents_required(100, 1800, 180, 0.80, 20)
    assert staffing.agents == 14


def test_forty_eight_erlang_worked_example():
    # 360 contacts per 30 minutes, 4-minute handle time, 55 agents, 15 s target:
    # Erlang C 0.2387, ASA 8.18 s, 84.6 % within 15 s.
    traffic = 360 * 240 / 1800
    assert traffic == 48
    assert erlang_c(55, traffic) == pytest.approx(0.238701, abs=1e-6)
    assert average_speed_of_answer(55, traffic, 240) == pytest.approx(8.184032, abs=1e-6)
    assert service_level(55, traffic, 240, 15) == pytest.approx(0.845883, abs=1e-6)


@pytest.mark.parametrize(
    ("agents", "traffic"),
    [(1, Fraction(1, 2)), (5, Fraction(9, 2)), (30, Fraction(25)), (120, Fraction(1105, 10))],
)
def test_matches_the_exact_formula_to_1e_6(agents, traffic):
    assert erlang_c(agents, float(traffic)) == pytest.approx(
        float(exact_erlang_c(agents, traffic)), abs=1e-6
    )


def test_large_centers_do_not_overflow():
    # 2,000 agents: the factorial formula overflows floats; the recurrence does not.
    value = erlang_c(2000, 1950.0)
    assert 0.0 < value < 1.0
    assert erlang_b(2000, 1950.0) < value


def test_occupancy_cap_and_shrinkage():
    # 100 Erlangs meet 80/20 with ~107 agents at 93 % occupancy; an 85 % cap needs 118.
    uncapped = agents_required(1000, 1800, 180, 0.80, 20)
    capped = agents_required(1000, 1800, 180, 0.80, 20, max_occupancy=0.85, shrinkage=0.30)
    assert uncapped.occupancy > 0.85
    assert capped.agents == math.ceil(100 / 0.85) == 118
    assert capped.rostered == math.ceil(118 / 0.7) == 169


def test_no_contacts_needs_no_agents():
    assert agents_required(0, 1800, 180, 0.8, 20).agents == 0


@given(
    contacts=st.floats(min_value=1, max_value=3000),
    aht=st.floats(min_value=30, max_value=900),
    target=st.floats(min_value=0.5, max_value=0.95),
)
def test_required_agents_are_the_fewest_that_meet_the_target(contacts, aht, target):
    staffing = agents_required(contacts, 1800, aht, target, 20, max_occupancy=0.9)
    assert staffing.service_level >= target and staffing.occupancy <= 0.9
    fewer = staffing.agents - 1
    if fewer > 0:
        assert (
            service_level(fewer, staffing.traffic, aht, 20) < target
            or staffing.traffic / fewer > 0.9
        )


# -- a high-precision oracle: the closed form, summed with 40 significant digits -----------------


@functools.cache
def poisson_terms(traffic: float, count: int) -> tuple[mpf, ...]:
    """A^k / k! for k = 0..count, each straight from its power and factorial."""
    with mp.workdps(40):
        a = mpf(traffic)
        return tuple(a**k / mp.factorial(k) for k in range(count + 1))


def oracle_erlang_c(agents: int, traffic: float | Fraction) -> mpf:
    """C(N, A) = (A^N/N! · N/(N - A)) / (Σ_{k<N} A^k/k! + A^N/N! · N/(N - A))."""
    key = float(traffic)
    terms = poisson_terms(key, max(agents, 64))
    with mp.workdps(40):
        a = _mp(traffic)
        top = terms[agents] * agents / (agents - a)
        return top / (mp.fsum(terms[:agents]) + top)


def oracle_service_level(agents: int, traffic: float | Fraction, aht: float, seconds: float) -> mpf:
    with mp.workdps(40):
        a = _mp(traffic)
        return 1 - oracle_erlang_c(agents, traffic) * mp.exp(-(agents - a) * seconds / mpf(aht))


def oracle_asa(agents: int, traffic: float, aht: float) -> mpf:
    with mp.workdps(40):
        return oracle_erlang_c(agents, traffic) * mpf(aht) / (agents - mpf(traffic))


def _mp(value: float | Fraction) -> mpf:
    if isinstance(value, Fraction):
        return mpf(value.numerator) / value.denominator
    return mpf(value)


def relatively_close(value: float, exact: mpf, tolerance: float = 1e-9) -> bool:
    with mp.workdps(40):
        return abs(mpf(value) - exact) <= tolerance * abs(exact)


def agents_above(traffic: float) -> list[int]:
    """Agent counts just above the traffic, around the usual answer and well past it."""
    first = math.floor(traffic) + 1
    spread = math.sqrt(traffic)
    return sorted({first, first + 1, first + math.ceil(spread), first + math.ceil(3 * spread) + 2})


@pytest.mark.parametrize("traffic", [0.0, 0.5, 1.0, 7.3, 50.0, 200.0, 999.9, 2000.0])
def test_erlang_c_service_level_and_asa_match_the_closed_form_to_1e_9(traffic):
    for agents in agents_above(traffic):
        assert relatively_close(erlang_c(agents, traffic), oracle_erlang_c(agents, traffic))
        for aht, seconds in ((180.0, 20.0), (30.0, 60.0)):
            assert relatively_close(
                service_level(agents, traffic, aht, seconds),
                oracle_service_level(agents, traffic, aht, seconds),
            )
            assert relatively_close(
                average_speed_of_answer(agents, traffic, aht), oracle_asa(agents, traffic, aht)
            )


def test_erlang_b_far_above_the_traffic_matches_the_closed_form():
    # The recurrence starts near A - 12·√A and stops at the smallest normal float: still exact.
    for agents, traffic in ((2100, 2000.0), (2400, 2000.0), (60, 7.3)):
        with mp.workdps(40):
            terms = poisson_terms(traffic, agents)
            exact_b = terms[agents] / mp.fsum(terms)
        assert relatively_close(erlang_b(agents, traffic), exact_b)
    assert erlang_b(100_000, 1000.0) == 0.0  # below 1e-308: a float cannot hold it


def oracle_agents(
    contacts: int, aht: int, level: Fraction, seconds: int, occupancy: Fraction
) -> int:
    """The smallest N, tried one by one, with N > A, A/N <= the occupancy and the target met."""
    traffic = Fraction(contacts * aht, 1800)
    agents = 0
    while True:
        agents += 1
        if agents <= traffic or traffic / agents > occupancy:
            continue
        if oracle_service_level(agents, traffic, aht, seconds) >= _mp(level):
            return agents


BRUTE_FORCE_GRID = [
    (100, 180, "0.8", 20, "1"),  # the 10-Erlang worked example: 14 agents
    (57, 180, "0.5", 20, "0.57"),  # A = 5.7: 10 agents are exactly 57 % busy
    (85, 180, "0.5", 20, "0.85"),  # A = 8.5: 10 agents are exactly 85 % busy
    (1000, 180, "0.8", 20, "0.85"),  # A = 100: 118 agents, the cap binds
    *itertools.product(
        (1, 37, 360, 2000), (30, 240), ("0.5", "0.8", "0.95"), (20,), ("0.57", "0.85", "1")
    ),
]


@pytest.mark.parametrize(("contacts", "aht", "level", "seconds", "occupancy"), BRUTE_FORCE_GRID)
def test_agents_required_is_the_smallest_n_found_by_brute_force(
    contacts, aht, level, seconds, occupancy
):
    got = agents_required(contacts, 1800, aht, float(level), seconds, float(occupancy))
    assert got.agents == oracle_agents(contacts, aht, Fraction(level), seconds, Fraction(occupancy))


# -- exact at the limits ------------------------------------------------------------------------


def test_exactly_the_maximum_occupancy_is_enough():
    # 57 contacts x 180 s / 1800 s = 5.7 Erlangs: 10 agents are busy exactly 57 % of the time,
    # though 5.7 / 10 is 0.5700000000000001 in binary floating point.
    staffing = agents_required(57, 1800, 180, 0.5, 20, max_occupancy=0.57)
    assert staffing.agents == 10
    assert staffing.occupancy == 0.57
    # 8.5 Erlangs at 85 %: 8.5 / 0.85 is 10.000000000000002 in floats, exactly 10 in decimals.
    assert agents_required(85, 1800, 180, 0.5, 20, max_occupancy=0.85).agents == 10


def test_rostered_headcount_is_rounded_up_exactly():
    # 40 contacts need 7 agents at 80/20; 7 / (1 - 30 %) is exactly 10.
    assert agents_required(40, 1800, 180, 0.8, 20).agents == 7
    assert agents_required(40, 1800, 180, 0.8, 20, shrinkage=0.3).rostered == 10
    # a hair more shrinkage needs an eleventh: 7 / 0.699999999993 = 10.0000000001
    assert agents_required(40, 1800, 180, 0.8, 20, shrinkage=0.300000000007).rostered == 11


def test_rostered_headcount_from_exact_shares():
    staffing = agents_required(
        40, 1800, 180, Fraction(4, 5), 20, Fraction(1), Fraction(3, 10) + Fraction(1, 10**30)
    )
    assert staffing.rostered == 11


# -- bounded search -----------------------------------------------------------------------------


@pytest.mark.parametrize("contacts", [1e15, 10**400, 1.7e308])
def test_a_forecast_beyond_the_agent_limit_is_refused_before_any_search(contacts):
    with pytest.raises(AgentLimitError):
        agents_required(contacts, 1800, 180, 0.8, 20)


def test_a_target_met_only_past_the_limit_is_refused():
    # 99 990 Erlangs start below the limit but need a few more agents than it allows.
    with pytest.raises(AgentLimitError):
        agents_required(999_900, 1800, 180, 0.8, 20)
    assert agents_required(999_000, 1800, 180, 0.8, 20).agents == 99_914


def test_a_day_at_the_agent_limit_is_planned():
    # 96 intervals of 15 minutes, each just under the limit and each different (nothing cached),
    # from an occupancy cap of about 1 % (agents far above the traffic) to none.
    for i in range(96):
        occupancy = Fraction(i + 1, 96)
        contacts = math.floor(99_000 * occupancy) * 5 - i
        staffing = agents_required(contacts, 900, 180, 0.8, 20, occupancy)
        assert 98_000 < staffing.agents <= MAX_AGENTS


def test_huge_integers_and_tiny_values_do_not_overflow():
    # an answer time too long for a float: every contact is answered in time
    assert agents_required(100, 1800, 180, 0.8, 10**400).service_level == 1.0
    # an AHT beyond float range: only a vanishing forecast can be planned, and its ASA is
    # beyond float range too (the validate stage reports it)
    tiny = agents_required(1e-318, 1800, 10**320, 0.8, 20)
    assert tiny.agents == 1 and math.isinf(tiny.asa)
    assert agents_required(5e-324, 1800, 180, 0.8, 20).agents == 1


@given(
    contacts=st.one_of(st.floats(min_value=0, max_value=1e308), st.integers(0, 10**400)),
    aht=st.one_of(st.floats(min_value=1e-300, max_value=1e300), st.integers(1, 10**400)),
    seconds=st.one_of(st.floats(min_value=1e-300, max_value=1e300), st.integers(1, 10**400)),
    level=st.floats(min_value=0, max_value=0.999999),
    occupancy=st.floats(min_value=0.001, max_value=1),
)
def test_any_forecast_is_planned_within_the_limit_or_refused(
    contacts, aht, seconds, level, occupancy
):
    try:
        staffing = agents_required(contacts, 1800, aht, level, seconds, occupancy, 0.3)
    except AgentLimitError:
        return
    traffic = exact(contacts) * exact(aht) / 1800
    assert staffing.agents <= MAX_AGENTS
    if staffing.agents:
        assert staffing.agents > traffic and traffic / staffing.agents <= exact(occupancy)
        assert staffing.service_level >= level - 1e-12


@pytest.mark.parametrize(
    "arguments",
    [
        (100, 1800, 180, 1.0, 20),  # a 100 % target
        (100, 1800, 180, 0.8, 20, 0.0),  # no occupancy allowed
        (100, 1800, 180, 0.8, 20, 1.0, 1.0),  # all time lost to shrinkage
        (100, 1800, 0, 0.8, 20),  # no handle time
        (100, 0, 180, 0.8, 20),  # no interval
        (-1, 1800, 180, 0.8, 20),
        (math.nan, 1800, 180, 0.8, 20),
        (math.inf, 1800, 180, 0.8, 20),
    ],
)
def test_inputs_that_cannot_be_planned_are_value_errors(arguments):
    with pytest.raises(ValueError):
        agents_required(*arguments)
