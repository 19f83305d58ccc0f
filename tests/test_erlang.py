"""Erlang C against published worked examples and an exact rational-arithmetic oracle."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.resolve.erlang import (
    agents_required,
    average_speed_of_answer,
    erlang_b,
    erlang_c,
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
