"""Commute feasibility: can a person get from home to work for their shift, mode by mode?

Shift semantics: ``arrive_by`` is the time the shift starts (be at work by then) and
``leave_at`` the time it ends (leave work then), both local wall-clock times, for each date in
``days`` (the date the shift *starts*). When ``leave_at`` is earlier than ``arrive_by`` the shift
ends the next day (21:00 → 05:00 is a night shift ending at 05:00 the day after). Equal times are
rejected, and so is a shift longer than ``limits.max_shift_duration_h``.

Road modes do not depend on the time of day (free-flow durations, no traffic). Public transport
is checked per day: a direct trip reaching work at most ``transit_max_wait_min`` before the
shift starts, and one leaving at most that long after it ends.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from .engine import Point, Route, RoutingEngine
from .exceptions import (
    GeocoderNotConfigured,
    InvalidCommute,
    InvalidShift,
    NoRouteFound,
    OutsideNetworkArea,
    SameOriginDestination,
)
from .network import haversine_m
from .settings import ATTRIBUTION, MODES, TRANSIT, CommuteLimits, check_mode
from .transit import TransitDay, TransitFeed, plan_days

#: Two points closer than this are considered the same place.
SAME_PLACE_M = 25.0


@dataclass(frozen=True)
class Reason:
    """Why a mode is (or is not) feasible: a stable ``code`` and an English ``message``."""

    code: str
    message: str


@dataclass(frozen=True)
class ModeResult:
    """Outcome for one mode. Distance/duration are None when there is no route."""

    mode: str
    distance_m: float | None
    duration_s: float | None
    feasible: bool
    reasons: tuple[Reason, ...]
    route: Route | None = None


@dataclass(frozen=True)
class Shift:
    """A shift's start and end times; ``ends_next_day`` when end < start."""

    arrive_by: time
    leave_at: time

    @property
    def ends_next_day(self) -> bool:
        """True for a shift that ends after midnight."""
        return self.leave_at < self.arrive_by

    @property
    def duration_s(self) -> float:
        """Length of the shift."""
        start = datetime.combine(date(2000, 1, 3), self.arrive_by)
        return (self.end_on(date(2000, 1, 3)) - start).total_seconds()

    def start_on(self, day: date) -> datetime:
        """Start datetime for a shift starting on ``day``."""
        return datetime.combine(day, self.arrive_by)

    def end_on(self, day: date) -> datetime:
        """End datetime for a shift starting on ``day``."""
        end_day = day + timedelta(days=1) if self.ends_next_day else day
        return datetime.combine(end_day, self.leave_at)


def make_shift(arrive_by: time | None, leave_at: time | None, *,
               limits: CommuteLimits) -> Shift | None:
    """Validate shift times (see module doc); None when neither is given."""
    if arrive_by is None and leave_at is None:
        return None
    if arrive_by is None or leave_at is None:
        raise InvalidShift("give both arrive_by (shift start) and leave_at (shift end)")
    if arrive_by == leave_at:
        raise InvalidShift("a shift cannot start and end at the same time")
    shift = Shift(arrive_by, leave_at)
    if shift.duration_s > limits.max_shift_duration_h * 3600:
        raise InvalidShift(
            f"shift {arrive_by:%H:%M} → {leave_at:%H:%M} lasts {shift.duration_s / 3600:.1f} h, "
            f"more than {limits.max_shift_duration_h:g} h")
    return shift


@dataclass(frozen=True)
class TransitResult:
    """Public transport outcome over the requested days."""

    feasible: bool
    reasons: tuple[Reason, ...]
    days: tuple[TransitDay, ...]
    duration_s: float | None  # longest door-to-door trip over the days


@dataclass(frozen=True)
class CommuteCheck:
    """Everything :func:`check_commute` found."""

    origin: Point
    destination: Point
    shift: Shift | None
    modes: dict[str, ModeResult]
    transit: TransitResult | None = None
    origin_label: str | None = None
    destination_label: str | None = None
    attribution: str = field(default=ATTRIBUTION)

    @property
    def feasible_modes(self) -> list[str]:
        """Feasible road modes, in :data:`MODES` order."""
        return [m for m, r in self.modes.items() if r.feasible]


def resolve_point(place, geocoder) -> tuple[Point, str | None]:
    """A ``(lat, lon)`` tuple as is, or an address string through ``geocoder``."""
    if isinstance(place, str):
        if geocoder is None:
            raise GeocoderNotConfigured("an address was given but no geocoder is configured")
        found = geocoder.geocode(place)
        return (found.lat, found.lon), found.label
    try:
        lat, lon = (float(v) for v in place)
    except (TypeError, ValueError) as exc:
        raise InvalidCommute(f"not a (lat, lon) point or an address: {place!r}") from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or math.isnan(lat) or math.isnan(lon):
        raise InvalidCommute(f"invalid coordinates ({lat}, {lon})")
    return (lat, lon), None


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min"


def check_commute(engine: RoutingEngine, origin, destination, *,
                  arrive_by: time | None = None, leave_at: time | None = None,
                  days: Sequence[date] = (), modes: Sequence[str] = MODES,
                  limits: CommuteLimits | None = None, transit: TransitFeed | None = None,
                  geocoder=None, off_network: str = "raise") -> CommuteCheck:
    """Check a home → work commute for each mode (and public transport if ``transit``).

    ``origin``/``destination`` are ``(lat, lon)`` or address strings (needs ``geocoder``).
    All road modes are routed through :meth:`RoutingEngine.routes`, so modes sharing a
    network share its work. A point too far from a mode's network raises
    OutsideNetworkArea, or with ``off_network="result"`` gives that mode an infeasible result
    with reason ``off_network``. Raises UnknownMode, SameOriginDestination, InvalidShift,
    InvalidCommute, AddressNotFound, OutsideNetworkArea, NetworkNotConfigured.
    """
    if off_network not in ("raise", "result"):
        raise ValueError("off_network is 'raise' or 'result'")
    limits = limits or CommuteLimits()
    modes = [check_mode(m) for m in modes]
    if not modes and transit is None:
        raise InvalidCommute("no travel mode to check")
    shift = make_shift(arrive_by, leave_at, limits=limits)
    home, home_label = resolve_point(origin, geocoder)
    work, work_label = resolve_point(destination, geocoder)
    if haversine_m(home[0], home[1], work[0], work[1]) < SAME_PLACE_M:
        raise SameOriginDestination("origin and destination are the same place")
    results: dict[str, ModeResult] = {}
    routes = engine.routes(home, work, modes=modes) if modes else {}
    for mode in modes:
        limit_s = limits.max_duration_min[mode] * 60
        route = routes[mode]
        if isinstance(route, NoRouteFound):
            results[mode] = ModeResult(mode, None, None, False,
                                       (Reason("no_route", f"no {mode} route found"),))
            continue
        if isinstance(route, OutsideNetworkArea) and off_network == "result":
            results[mode] = ModeResult(mode, None, None, False,
                                       (Reason("off_network", str(route)),))
            continue
        if isinstance(route, Exception):
            raise route
        if route.duration_s <= limit_s:
            reason = Reason("within_limit", f"{_minutes(route.duration_s)} ≤ {_minutes(limit_s)}")
        else:
            reason = Reason("too_long", f"{_minutes(route.duration_s)} > {_minutes(limit_s)}")
        results[mode] = ModeResult(mode, route.distance_m, route.duration_s,
                                   route.duration_s <= limit_s, (reason,), route)
    transit_result = None
    if transit is not None:
        transit_result = _check_transit(engine, transit, home, work, shift, days, limits)
    return CommuteCheck(origin=home, destination=work, shift=shift, modes=results,
                        transit=transit_result, origin_label=home_label,
                        destination_label=work_label)


def _check_transit(engine, feed: TransitFeed, home: Point, work: Point, shift: Shift | None,
                   days: Sequence[date], limits: CommuteLimits) -> TransitResult:
    if shift is None or not days:
        raise InvalidShift("the public transport check needs arrive_by, leave_at and days")
    plans = plan_days(feed, engine, home, work,
                      shifts=[(shift.start_on(d), shift.end_on(d)) for d in days],
                      max_walk_m=limits.transit_max_walk_m,
                      max_wait_s=limits.transit_max_wait_min * 60)
    reasons = []
    limit_s = limits.max_duration_min[TRANSIT] * 60
    worst = None
    for plan in plans:
        label = plan.day.strftime("%a %Y-%m-%d")
        if plan.outbound is None:
            reasons.append(Reason("no_outbound", f"{label}: no direct trip reaching work between "
                                  f"{limits.transit_max_wait_min:g} min before "
                                  f"{shift.arrive_by:%H:%M} and {shift.arrive_by:%H:%M}"))
        if plan.inbound is None:
            reasons.append(Reason("no_return", f"{label}: no direct trip home leaving within "
                                  f"{limits.transit_max_wait_min:g} min after "
                                  f"{shift.leave_at:%H:%M}"))
        for leg in (plan.outbound, plan.inbound):
            if leg is not None:
                worst = max(worst or 0.0, leg.duration_s)
                if leg.duration_s > limit_s:
                    reasons.append(Reason("too_long", f"{label}: {_minutes(leg.duration_s)} by "
                                          f"public transport > {_minutes(limit_s)}"))
    feasible = not reasons
    if feasible:
        reasons.append(Reason("within_limit", f"direct trips there and back on all {len(plans)} "
                              f"day(s), at most {_minutes(worst or 0)} door to door"))
    return TransitResult(feasible=feasible, reasons=tuple(reasons), days=tuple(plans),
                         duration_s=worst)
