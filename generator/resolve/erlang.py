"""Erlang C staffing for one queue (M/M/N: Poisson arrivals, exponential handle times, no abandons).

Computed through the Erlang B recurrence B(0) = 1, B(k) = A·B(k-1) / (k + A·B(k-1)), which stays
in floating-point range for any number of agents (no factorials, no powers of A).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def erlang_b(agents: int, traffic: float) -> float:
    """Probability that a contact finds all ``agents`` busy in a loss system (Erlang B)."""
    if agents < 0 or traffic < 0:
        raise ValueError("agents and traffic must not be negative")
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return blocking


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a contact has to wait (Erlang C); 1 when the queue is unstable."""
    if agents <= traffic:
        return 1.0
    blocking = erlang_b(agents, traffic)
    return agents * blocking / (agents - traffic * (1.0 - blocking))


def service_level(agents: int, traffic: float, aht: float, target_seconds: float) -> float:
    """Share of contacts answered within ``target_seconds``."""
    if agents <= traffic:
        return 0.0
    wait = erlang_c(agents, traffic)
    return 1.0 - wait * math.exp(-(agents - traffic) * target_seconds / aht)


def average_speed_of_answer(agents: int, traffic: float, aht: float) -> float:
    """Mean queue time over all contacts, in the unit of ``aht``; infinite when unstable."""
    if agents <= traffic:
        return math.inf
    return erlang_c(agents, traffic) * aht / (agents - traffic)


@dataclass(frozen=True, slots=True)
class Staffing:
    """What one interval needs: agents on the phones and the results they give."""

    contacts: float
    traffic: float  # Erlangs
    agents: int
    service_level: float  # 0..1
    asa: float  # seconds
    occupancy: float  # 0..1
    rostered: int  # agents / (1 - shrinkage), rounded up


def agents_required(
    contacts: float,
    interval_seconds: float,
    aht: float,
    target_level: float,
    target_seconds: float,
    max_occupancy: float = 1.0,
    shrinkage: float = 0.0,
) -> Staffing:
    """The fewest agents that meet the service-level target without exceeding ``max_occupancy``.

    ``target_level``, ``max_occupancy`` and ``shrinkage`` are fractions (0.8 for 80 %).
    """
    traffic = contacts * aht / interval_seconds
    agents = max(1, math.floor(traffic) + 1) if traffic > 0 else 0
    while agents and (
        service_level(agents, traffic, aht, target_seconds) < target_level
        or traffic / agents > max_occupancy
    ):
        agents += 1
    if agents == 0:
        return Staffing(contacts, 0.0, 0, 1.0, 0.0, 0.0, 0)
    return Staffing(
        contacts=contacts,
        traffic=traffic,
        agents=agents,
        service_level=service_level(agents, traffic, aht, target_seconds),
        asa=average_speed_of_answer(agents, traffic, aht),
        occupancy=traffic / agents,
        rostered=math.ceil(agents / (1.0 - shrinkage) - 1e-9),
    )
