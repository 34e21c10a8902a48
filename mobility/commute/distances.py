"""Road distances other features ask for: carpool rides ranked by detour, the rental's daily
mileage allowance, a file's home and work points. These never raise for routing problems."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import routing
from mobility.commute.context import routing_context
from mobility.commute.places import geocode_address

log = logging.getLogger(__name__)

#: Fleet vehicle kinds and the routing mode they travel with.
VEHICLE_MODES = {"bike": "bike", "e_bike": "e_bike", "scooter": "two_wheel_motor",
                 "moped": "two_wheel_motor", "car": "car"}


def mileage_allowance_km(home: tuple[float, float], work: tuple[float, float],
                         vehicle_kind: str) -> float | None:
    """Daily mileage allowance (120 % of the home → work → home road distance, rounded up to
    0.1 km) for a fleet vehicle kind (bike, e_bike, scooter, moped, car); None when the kind
    is unknown, a point is missing or off the network, or no network is configured."""
    mode = VEHICLE_MODES.get(vehicle_kind)
    if mode is None or home is None or work is None or None in (*home, *work):
        return None
    engine = routing_context().engine
    if engine is None or mode not in engine.modes:
        return None
    try:
        return float(routing.daily_mileage_allowance_km(
            engine, (float(home[0]), float(home[1])), (float(work[0]), float(work[1])),
            mode=mode))
    except routing.RoutingError as error:
        log.info("commute: no mileage allowance: %s", error.__class__.__name__)
        return None


def beneficiary_points(beneficiary) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """(home, work) points of the file: stored coordinates, else geocoded; None if unknown."""
    home = ((beneficiary.address_lat, beneficiary.address_lon)
            if beneficiary.address_lat is not None else geocode_address(beneficiary.address))
    work = ((beneficiary.workplace_lat, beneficiary.workplace_lon)
            if beneficiary.workplace_lat is not None
            else geocode_address(beneficiary.workplace_address))
    if home is None or work is None or None in (*home, *work):
        return None
    return home, work


def rank_rides_for(beneficiary, rides: Sequence, *, home: tuple | None = None,
                   work: tuple | None = None) -> list | None:
    """Carpool rides that fit the beneficiary's commute, smallest detour first.

    `rides` are `routing.CarpoolRide(origin, destination, ride_id)` or `(origin, destination)`
    pairs of (lat, lon); returns `routing.CarpoolMatch` objects (with `ride_id`, `detour_s`,
    `detour_m`), or None when the commute or the network is unknown.
    """
    points = (home, work) if home is not None and work is not None and None not in (
        *home, *work) else beneficiary_points(beneficiary)
    engine = routing_context().engine
    if points is None or engine is None or "car" not in engine.modes:
        return None
    try:
        return routing.rank_carpool_rides(engine, points[0], points[1], list(rides))
    except routing.RoutingError as error:
        log.info("commute: carpool ranking failed: %s", error.__class__.__name__)
        return None


