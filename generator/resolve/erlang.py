"""Erlang C staffing for one queue (M/M/N: Poisson arrivals, exponential handle times, no abandons).

Computed through the Erlang B recurrence B(0) = 1, B(k) = A·B(k-1) / (k + A·B(k-1)), which stays
in floating-point range for any number of agents (no factorials, no powers of A).

``agents_required`` searches upwards from the first number of agents that can work at all and
carries B from one number of agents to the next, so the whole search is one pass of the
recurrence. It never plans more than ``MAX_AGENTS`` agents in an interval, far beyond any real
queue; near that limit one interval takes about 2 ms, so a day of 96 intervals is planned in
about 0.2 s.
"""

from __future__ import annotations

import functools
import math
import sys
from dataclasses import dataclass
from fractions import Fraction

MAX_AGENTS = 100_000
# A service level this close below the target counts as meeting it: the floating-point result is
# only that accurate, and a level equal to the target in exact arithmetic must not fail on
# rounding.
SERVICE_LEVEL_TOLERANCE = 1e-12

Real = int | float | Fraction


class AgentLimitError(ValueError):
    """Meeting the target in one interval would take more than ``MAX_AGENTS`` agents."""


def erlang_b(agents: int, traffic: float) -> float:
    """Probability that a contact finds all ``agents`` busy in a loss system (Erlang B).

    With at least A agents the recurrence starts at 1 at ``k0 = A - 12·√A`` instead of 0: that
    drops the terms of ``Σ A^k/k!`` below k0, a Poisson tail below ``exp(-(A - k0)² / 2A) =
    e^-72`` of a sum that is at least half the total, far under a float's precision. It stops
    with 0 once B falls below the smallest normal float (it only falls further, and subnormal
    steps round to themselves). So it takes about ``12·√A + min(N - A, 40·√A)`` steps, however
    many agents there are.
    """
    if agents < 0 or traffic < 0:
        raise ValueError("agents and traffic must not be negative")
    blocking = 1.0
    start = max(1, math.floor(traffic - 12 * math.sqrt(traffic))) if agents >= traffic else 1
    for k in range(start, agents + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
        if blocking < sys.float_info.min:
            return 0.0
    return blocking


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a contact has to wait (Erlang C); 1 when the queue is unstable."""
    if agents <= traffic:
        return 1.0
    return _waiting(agents, traffic, erlang_b(agents, traffic))


def service_level(agents: int, traffic: float, aht: float, target_seconds: float) -> float:
    """Share of contacts answered within ``target_seconds``."""
    if agents <= traffic:
        return 0.0
    return _answered(agents, traffic, erlang_c(agents, traffic), target_seconds / aht)


def average_speed_of_answer(agents: int, traffic: float, aht: float) -> float:
    """Mean queue time over all contacts, in the unit of ``aht``; infinite when unstable."""
    if agents <= traffic:
        return math.inf
    return erlang_c(agents, traffic) * aht / (agents - traffic)


def _waiting(agents: int, traffic: float, blocking: float) -> float:
    """Erlang C from Erlang B with the same agents and traffic (``agents > traffic``)."""
    return agents * blocking / (agents - traffic * (1.0 - blocking))


def _answered(agents: int, traffic: float, waiting: float, target_per_aht: float) -> float:
    """Service level from Erlang C; ``target_per_aht`` is the answer time in handle times."""
    if agents <= traffic:
        return 0.0
    return 1.0 - waiting * math.exp(-(agents - traffic) * target_per_aht)


@dataclass(frozen=True, slots=True)
class Staffing:
    """What one interval needs: agents on the phones and the results they give."""

    contacts: Real
    traffic: float  # Erlangs
    agents: int
    service_level: float  # 0..1
    asa: float  # seconds
    occupancy: float  # 0..1
    rostered: int  # agents / (1 - shrinkage), rounded up


def exact(value: Real) -> Fraction:
    """``value`` as a fraction: a float as the decimal it prints as (``0.85`` is 85/100).

    Profile numbers are written in decimal; taking the float's binary value instead would make
    85 % of 10 agents slightly more than 8.5. ValueError for NaN and infinities.
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


@functools.lru_cache(maxsize=1024, typed=True)
def agents_required(
    contacts: Real,
    interval_seconds: Real,
    aht: Real,
    target_level: Real,
    target_seconds: Real,
    max_occupancy: Real = 1,
    shrinkage: Real = 0,
) -> Staffing:
    """The fewest agents that meet the service-level target without exceeding ``max_occupancy``.

    ``target_level``, ``max_occupancy`` and ``shrinkage`` are fractions (0.8 for 80 %); floats are
    read as the decimals they print as. Occupancy and the rostered headcount are compared and
    rounded in exact arithmetic; the service level may fall ``SERVICE_LEVEL_TOLERANCE`` short.

    Raises:
        AgentLimitError: the target needs more than ``MAX_AGENTS`` agents.
        ValueError: an argument out of its range (negative, NaN, a target of 100 % or more).
    """
    traffic = _traffic(contacts, interval_seconds, aht)
    level, occupancy, shrink = _shares(target_level, max_occupancy, shrinkage)
    if traffic == 0:
        return Staffing(contacts, 0.0, 0, 1.0, 0.0, 0.0, 0)
    first = max(math.floor(traffic) + 1, math.ceil(traffic / occupancy))
    if first > MAX_AGENTS:
        raise AgentLimitError(f"more than {MAX_AGENTS} agents needed")
    load = float(traffic)
    target_per_aht = _float_or_inf(exact(target_seconds) / exact(aht))
    agents, waiting = _search(first, load, target_per_aht, float(level))
    return Staffing(
        contacts=contacts,
        traffic=load,
        agents=agents,
        service_level=_answered(agents, load, waiting, target_per_aht),
        asa=_float_or_inf(Fraction(waiting) * exact(aht) / (agents - traffic)),
        occupancy=float(traffic / agents),
        rostered=math.ceil(agents / (1 - shrink)),
    )


def _traffic(contacts: Real, interval_seconds: Real, aht: Real) -> Fraction:
    """Offered load in Erlangs, exact; ValueError when an input is out of range."""
    count, length, handle = exact(contacts), exact(interval_seconds), exact(aht)
    if count < 0 or length <= 0 or handle <= 0:
        raise ValueError("contacts must not be negative; interval and AHT must be positive")
    return count * handle / length


def _shares(level: Real, occupancy: Real, shrinkage: Real) -> tuple[Fraction, Fraction, Fraction]:
    shares = exact(level), exact(occupancy), exact(shrinkage)
    if not (0 <= shares[0] < 1 and 0 < shares[1] <= 1 and 0 <= shares[2] < 1):
        raise ValueError("target in [0, 1), occupancy in (0, 1] and shrinkage in [0, 1) expected")
    return shares


def _float_or_inf(value: Fraction) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf


def _search(first: int, traffic: float, target_per_aht: float, level: float) -> tuple[int, float]:
    """The fewest agents from ``first`` on whose service level reaches ``level``, and their
    Erlang C; B(N + 1) comes from B(N), so the whole search is one pass of the recurrence."""
    agents, blocking = first, erlang_b(first, traffic)
    while True:
        waiting = _waiting(agents, traffic, blocking) if agents > traffic else 1.0
        if _answered(agents, traffic, waiting, target_per_aht) >= level - SERVICE_LEVEL_TOLERANCE:
            return agents, waiting
        if agents >= MAX_AGENTS:
            raise AgentLimitError(f"more than {MAX_AGENTS} agents needed")
        agents += 1
        blocking = traffic * blocking / (agents + traffic * blocking)
