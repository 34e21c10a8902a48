"""The transit-first ladder: public transport first, then the most environment-friendly mode
that fits the person's capacities and the trip; carpool and minibus last."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .settings import BIKE, CAR, E_BIKE, TRANSIT, TWO_WHEEL_MOTOR, WALK

#: Ladder levels in order, with the modes each level covers.
LADDER_LEVELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("public_transport", (TRANSIT,)),
    ("walk_bike", (WALK, BIKE)),
    ("e_bike", (E_BIKE,)),
    ("two_wheel_motor", (TWO_WHEEL_MOTOR,)),
    ("car", (CAR,)),
    ("carpool", ()),
    ("minibus", ()),
)


@dataclass(frozen=True)
class LadderLevel:
    """One rung: ``status`` is recommended, passed (with reasons) or available (below the pick)."""

    level: str
    status: str
    reasons: tuple[str, ...]
    mode: str | None = None  # the mode that makes the level work (e.g. walk or bike)


@dataclass(frozen=True)
class Ladder:
    """The whole ladder and the recommended level (None if nothing fits)."""

    levels: tuple[LadderLevel, ...]
    recommended: str | None


def _feasible(results: Mapping[str, object], mode: str) -> tuple[bool, str]:
    r = results.get(mode)
    if r is None:
        return False, f"{mode} not evaluated"
    if getattr(r, "feasible", False):
        return True, ""
    reasons = getattr(r, "reasons", ())
    text = "; ".join(getattr(x, "message", str(x)) for x in reasons) or "not feasible"
    return False, f"{mode}: {text}"


def transit_first_ladder(results: Mapping[str, object], *, can_ride_bike: bool,
                         has_licence_b: bool, has_moped_capacity: bool, can_walk: bool = True,
                         carpool_available: bool = False, minibus_available: bool = True
                         ) -> Ladder:
    """Order the solutions and pick the first that fits.

    ``results`` maps modes (and ``"public_transport"``) to objects with ``feasible`` and
    ``reasons`` (e.g. ``CommuteCheck.modes`` plus ``{"public_transport": check.transit}``).
    Pure function: no I/O.
    """
    capable = {WALK: can_walk, BIKE: can_ride_bike, E_BIKE: can_ride_bike,
               TWO_WHEEL_MOTOR: has_moped_capacity, CAR: has_licence_b}
    missing = {WALK: "cannot walk that far", BIKE: "cannot ride a bike",
               E_BIKE: "cannot ride a bike", TWO_WHEEL_MOTOR: "no capacity to ride a moped/scooter",
               CAR: "no driving licence B"}
    levels = []
    recommended = None
    for level, modes in LADDER_LEVELS:
        ok_mode, reasons = None, []
        if level == "carpool":
            if carpool_available:
                ok_mode = "carpool"
            else:
                reasons.append("no carpool ride matches the trip")
        elif level == "minibus":
            if minibus_available:
                ok_mode = "minibus"
            else:
                reasons.append("no minibus run serves the trip")
        else:
            for mode in modes:
                if mode != TRANSIT and not capable[mode]:
                    reasons.append(f"{mode}: {missing[mode]}")
                    continue
                ok, why = _feasible(results, mode)
                if ok:
                    ok_mode = mode
                    break
                reasons.append(why)
        if ok_mode is not None and recommended is None:
            recommended = level
            levels.append(LadderLevel(level, "recommended", (), ok_mode))
        elif ok_mode is not None:
            levels.append(LadderLevel(level, "available", (), ok_mode))
        else:
            levels.append(LadderLevel(level, "passed", tuple(reasons)))
    return Ladder(levels=tuple(levels), recommended=recommended)
