"""Carpool matching: rank drivers' rides by the detour needed to carry a passenger.

The driver goes origin → passenger's home → passenger's work → destination instead of
origin → destination. All legs come from a few matrix (one-to-many) searches, never one
shortest path per pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .engine import Point, RoutingEngine
from .settings import CAR, CarpoolLimits


@dataclass(frozen=True)
class CarpoolRide:
    """A driver's regular trip."""

    origin: Point
    destination: Point
    ride_id: object = None


@dataclass(frozen=True)
class CarpoolMatch:
    """A ride that can carry the passenger, with the driver's extra time and distance."""

    ride_index: int
    ride_id: object
    detour_s: float
    detour_m: float
    direct_s: float  # driver's trip without the passenger
    direct_m: float
    pickup_s: float  # driver's time from their origin to the passenger's home


def _ride(r) -> CarpoolRide:
    return r if isinstance(r, CarpoolRide) else CarpoolRide(tuple(r[0]), tuple(r[1]))


def match_carpools(engine: RoutingEngine, passengers: Sequence[tuple[Point, Point]],
                   rides: Sequence, *, mode: str = CAR, limits: CarpoolLimits | None = None
                   ) -> list[list[CarpoolMatch]]:
    """For each passenger ``(home, work)``, the acceptable rides, smallest detour first.

    Uses three matrix searches: ride origins → (homes + ride destinations), works → ride
    destinations, homes → works.
    """
    limits = limits or CarpoolLimits()
    rides = [_ride(r) for r in rides]
    if not rides or not passengers:
        return [[] for _ in passengers]
    homes = [p[0] for p in passengers]
    works = [p[1] for p in passengers]
    starts = [r.origin for r in rides]
    ends = [r.destination for r in rides]
    n_p = len(passengers)
    t1 = engine.table(starts, homes + ends, mode=mode)
    pick_s, pick_m = t1.durations_s[:, :n_p], t1.distances_m[:, :n_p]  # (R, P)
    direct_s = np.diagonal(t1.durations_s[:, n_p:])
    direct_m = np.diagonal(t1.distances_m[:, n_p:])
    t2 = engine.table(works, ends, mode=mode)  # (P, R)
    t3 = engine.table(homes, works, mode=mode)
    shared_s, shared_m = np.diagonal(t3.durations_s), np.diagonal(t3.distances_m)
    detour_s = pick_s + shared_s[None, :] + t2.durations_s.T - direct_s[:, None]  # (R, P)
    detour_m = pick_m + shared_m[None, :] + t2.distances_m.T - direct_m[:, None]
    ok = (detour_s <= limits.max_detour_s) & (detour_m <= limits.max_detour_m)
    ok &= np.isfinite(detour_s) & np.isfinite(detour_m)
    out = []
    for p in range(n_p):
        idx = np.flatnonzero(ok[:, p])
        order = idx[np.lexsort((detour_m[idx, p], detour_s[idx, p]))]
        out.append([
            CarpoolMatch(ride_index=int(r), ride_id=rides[r].ride_id,
                         detour_s=max(0.0, float(detour_s[r, p])),
                         detour_m=max(0.0, float(detour_m[r, p])),
                         direct_s=float(direct_s[r]), direct_m=float(direct_m[r]),
                         pickup_s=float(pick_s[r, p]))
            for r in order
        ])
    return out


def rank_carpool_rides(engine: RoutingEngine, home: Point, work: Point, rides: Sequence, *,
                       mode: str = CAR, limits: CarpoolLimits | None = None
                       ) -> list[CarpoolMatch]:
    """Acceptable rides for one passenger, smallest extra driving time first."""
    return match_carpools(engine, [(home, work)], rides, mode=mode, limits=limits)[0]
