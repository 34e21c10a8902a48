"""Daily mileage allowance of a rented vehicle."""

from __future__ import annotations

import math

from .engine import Point, RoutingEngine

#: The allowance is this share of the home–work round trip.
ALLOWANCE_FACTOR = 1.2


def daily_mileage_allowance_km(engine: RoutingEngine, home: Point, work: Point, *, mode: str,
                               factor: float = ALLOWANCE_FACTOR) -> float:
    """120 % of the home → work → home road distance for ``mode``, in km.

    Each direction is routed separately (one-way streets differ). The result is rounded *up*
    to the next 0.1 km, in the beneficiary's favour.
    """
    there = engine.route(home, work, mode=mode).distance_m
    back = engine.route(work, home, mode=mode).distance_m
    km = factor * (there + back) / 1000.0
    return math.ceil(round(km * 10, 6)) / 10
