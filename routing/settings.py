"""Travel modes, speeds and limits: documented defaults, each overridable.

Speeds are in km/h, durations in minutes or seconds, distances in metres, as their names say.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from .exceptions import UnknownMode

#: Attribution that must be shown with every map, route or geocoded result.
ATTRIBUTION = "© OpenStreetMap contributors"

WALK = "walk"
BIKE = "bike"
E_BIKE = "e_bike"
TWO_WHEEL_MOTOR = "two_wheel_motor"
CAR = "car"
#: Every road travel mode, from the most to the least environment-friendly.
MODES: tuple[str, ...] = (WALK, BIKE, E_BIKE, TWO_WHEEL_MOTOR, CAR)
#: The pseudo-mode used for public transport results.
TRANSIT = "public_transport"

#: Which filtered network each mode routes on (bike and e-bike share the cycling network).
NETWORK_OF_MODE: dict[str, str] = {
    WALK: "walk",
    BIKE: "cycle",
    E_BIKE: "cycle",
    TWO_WHEEL_MOTOR: "two_wheel_motor",
    CAR: "car",
}
NETWORKS: tuple[str, ...] = ("walk", "cycle", "two_wheel_motor", "car")

#: Default speed (km/h) of motor traffic per OSM highway class, used when a way has no maxspeed.
#: These are urban/peri-urban travel speeds (junctions included), lower than legal limits.
DEFAULT_ROAD_SPEEDS_KMH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 50.0,
    "trunk": 70.0,
    "trunk_link": 40.0,
    "primary": 45.0,
    "primary_link": 35.0,
    "secondary": 40.0,
    "secondary_link": 30.0,
    "tertiary": 35.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 25.0,
    "living_street": 15.0,
    "service": 15.0,
    "road": 25.0,
    "track": 15.0,
}


def check_mode(mode: str) -> str:
    """Return ``mode`` if it is a known road travel mode, else raise :class:`UnknownMode`."""
    if mode not in MODES:
        raise UnknownMode(f"unknown travel mode {mode!r}; expected one of {', '.join(MODES)}")
    return mode


@dataclass(frozen=True)
class SpeedSettings:
    """Speeds per mode.

    Walking, cycling and e-bike speeds are flat-ground cruising speeds; when edges carry a
    ``grade`` (only if the cache was built with an elevation raster) they are slowed uphill by
    ``*_uphill_loss_per_pct`` (fraction of speed lost per % of slope, floored at
    ``min_speed_fraction``). The e-bike's motor assistance makes it lose much less speed uphill.
    Motor modes use the way's ``maxspeed`` when tagged, else :data:`DEFAULT_ROAD_SPEEDS_KMH`,
    times ``road_speed_factor``; two-wheel motor vehicles are capped at ``two_wheel_motor_max_kmh``.
    """

    walk_kmh: float = 4.5
    bike_kmh: float = 15.0
    e_bike_kmh: float = 20.0
    walk_uphill_loss_per_pct: float = 0.03
    bike_uphill_loss_per_pct: float = 0.08
    e_bike_uphill_loss_per_pct: float = 0.03
    downhill_gain_per_pct: float = 0.02
    max_downhill_gain: float = 0.3
    min_speed_fraction: float = 0.25
    road_speeds_kmh: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_ROAD_SPEEDS_KMH))
    road_speed_factor: float = 1.0
    two_wheel_motor_max_kmh: float = 45.0
    car_max_kmh: float = 130.0

    def flat_speed_kmh(self, mode: str) -> float | None:
        """Cruising speed of a muscle/assisted mode on flat ground (None for motor modes)."""
        return {WALK: self.walk_kmh, BIKE: self.bike_kmh, E_BIKE: self.e_bike_kmh}.get(mode)

    def graded_speed_kmh(self, mode: str, grade: float) -> float:
        """Speed of walk/bike/e_bike on a slope ``grade`` (rise/run, e.g. 0.08 for 8 %)."""
        base = self.flat_speed_kmh(check_mode(mode))
        if base is None:
            raise UnknownMode(f"{mode!r} is a motor mode; its speed does not depend on grade")
        if grade is None or math.isnan(grade):
            return base
        pct = grade * 100.0
        loss = {
            WALK: self.walk_uphill_loss_per_pct,
            BIKE: self.bike_uphill_loss_per_pct,
            E_BIKE: self.e_bike_uphill_loss_per_pct,
        }[mode]
        if pct >= 0:
            factor = max(self.min_speed_fraction, 1.0 - loss * pct)
        else:
            factor = 1.0 + min(self.max_downhill_gain, self.downhill_gain_per_pct * -pct)
        return base * factor


@dataclass(frozen=True)
class CommuteLimits:
    """Maximum acceptable one-way door-to-door duration per mode, and public-transport limits."""

    max_duration_min: dict[str, float] = field(
        default_factory=lambda: {
            WALK: 30.0,
            BIKE: 45.0,
            E_BIKE: 45.0,
            TWO_WHEEL_MOTOR: 60.0,
            CAR: 60.0,
            TRANSIT: 90.0,
        }
    )
    #: Farthest walk (network metres) between home or work and a public-transport stop.
    transit_max_walk_m: float = 1000.0
    #: Longest acceptable wait at work before the shift starts or after it ends.
    transit_max_wait_min: float = 45.0
    #: A shift whose end comes before its start ends the next day; longer shifts are rejected.
    max_shift_duration_h: float = 16.0


@dataclass(frozen=True)
class CarpoolLimits:
    """How much a driver accepts to lengthen their trip to carry a passenger."""

    max_detour_s: float = 15 * 60.0
    max_detour_m: float = 10_000.0


def default_cache_dir() -> Path:
    """``$ROUTING_CACHE_DIR`` if set, else ``<project>/.cache/routing``."""
    env = os.environ.get("ROUTING_CACHE_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / ".cache" / "routing"
