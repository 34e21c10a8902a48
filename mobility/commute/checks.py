"""The commute check: each road mode routed, public transport checked at the shift times.

`compute_check` returns plain data (codes and parameters, not messages), the form a check is
stored in; `mobility.commute.presentation` turns it into labels and messages.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from shapely.geometry import LineString

import routing
from mobility.commute.context import (
    RoutingNotConfigured,
    RoutingUnavailable,
    read_feed,
    routing_context,
)
from mobility.commute.inputs import (
    TRANSIT,
    check_shift,
    next_working_days,
    parse_days,
    parse_modes,
    parse_time,
)
from mobility.commute.places import Place, outside_area, resolve_place
from mobility.commute.transit_lines import gtfs_path_for
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.people.ladder import build_ladder
from mobility.people.reasons import round_min
from routing.commute import SAME_PLACE_M
from routing.network import haversine_m

log = logging.getLogger(__name__)


def _reason(code: str, **params) -> dict:
    return {"code": code, "params": params}


def _geometry(points: Sequence[tuple[float, float]]) -> list[list[float]]:
    """Route geometry simplified (about 3 m) and rounded, as [[lat, lon], ...]."""
    if len(points) < 3:
        return [[round(a, 5), round(b, 5)] for a, b in points]
    line = LineString([(lon, lat) for lat, lon in points]).simplify(0.00003)
    return [[round(lat, 5), round(lon, 5)] for lon, lat in line.coords]


def _mode_result(result: routing.ModeResult, limit_min: float) -> dict:
    reasons = []
    for r in result.reasons:
        if r.code in ("within_limit", "too_long") and result.duration_s is not None:
            reasons.append(_reason(r.code, duration_min=round_min(result.duration_s),
                                   limit_min=int(limit_min)))
        else:
            reasons.append(_reason(r.code))
    return {
        "distance_m": None if result.distance_m is None else round(result.distance_m, 1),
        "duration_s": None if result.duration_s is None else round(result.duration_s, 1),
        "feasible": bool(result.feasible), "reasons": reasons,
        "geometry": _geometry(result.route.geometry) if result.route is not None else [],
    }


def _unrouted(code: str) -> dict:
    return {"distance_m": None, "duration_s": None, "feasible": False,
            "reasons": [_reason(code)], "geometry": []}


def _leg(leg) -> dict | None:
    if leg is None:
        return None
    return {"route": leg.route_name, "board_stop": leg.board_stop,
            "alight_stop": leg.alight_stop, "leave_at": leg.leave_at.strftime("%H:%M"),
            "board_at": leg.board_at.strftime("%H:%M"),
            "alight_at": leg.alight_at.strftime("%H:%M"),
            "arrive_at": leg.arrive_at.strftime("%H:%M"),
            "walk_to_stop_m": round(leg.walk_to_stop_m), "walk_from_stop_m":
                round(leg.walk_from_stop_m), "duration_s": round(leg.duration_s)}


def _transit_result(result: routing.TransitResult, shift: routing.Shift,
                    limits: routing.CommuteLimits) -> dict:
    wait = int(limits.transit_max_wait_min)
    limit_min = int(limits.max_duration_min[TRANSIT])
    reasons = []
    for plan in result.days:
        day = plan.day.isoformat()
        if plan.outbound is None:
            reasons.append(_reason("no_outbound", day=day, wait_min=wait,
                                   time=shift.arrive_by.strftime("%H:%M")))
        if plan.inbound is None:
            reasons.append(_reason("no_return", day=day, wait_min=wait,
                                   time=shift.leave_at.strftime("%H:%M")))
        for leg in (plan.outbound, plan.inbound):
            if leg is not None and leg.duration_s > limit_min * 60:
                reasons.append(_reason("transit_too_long", day=day,
                                       duration_min=round_min(leg.duration_s),
                                       limit_min=limit_min))
    if result.feasible:
        reasons = [_reason("transit_ok", days=len(result.days),
                           duration_min=round_min(result.duration_s or 0))]
    return {
        "checked": True, "feasible": bool(result.feasible),
        "duration_s": None if result.duration_s is None else round(result.duration_s),
        "reasons": reasons,
        "days": [{"date": p.day.isoformat(), "feasible": p.feasible,
                  "outbound": _leg(p.outbound), "inbound": _leg(p.inbound)}
                 for p in result.days],
    }


def _transit_not_checked(code: str) -> dict:
    return {"checked": False, "feasible": False, "duration_s": None,
            "reasons": [_reason(code)], "days": []}


def compute_check(origin: Any, destination: Any, *, arrive_by: Any = None,
                  leave_at: Any = None, days: Iterable[Any] | None = None,
                  modes: Iterable[str] | None = None, capacities: Mapping[str, bool] | None = None,
                  platform_id: int | None = None) -> dict:
    """Run a commute check; returns the data to store or present (codes, not messages).

    Raises ValidationFailed (400: bad time, day, mode, address, place outside the area, same
    place, invalid shift), RoutingNotConfigured or RoutingUnavailable / GeocoderNotAvailable
    (503). Nothing is written.
    """
    limits = routing.CommuteLimits()
    arrive_by = parse_time(arrive_by, "arrive_by")
    leave_at = parse_time(leave_at, "leave_at")
    wanted = parse_modes(modes)
    shift = check_shift(arrive_by, leave_at, limits)
    day_list = parse_days(days) if days else []
    if shift is not None and not day_list:
        day_list = next_working_days()
    context = routing_context()
    engine = context.require_engine()
    home = resolve_place(origin, "origin", context)
    work = resolve_place(destination, "destination", context)
    if float(haversine_m(home.lat, home.lon, work.lat, work.lon)) < SAME_PLACE_M:
        message = _l("The origin and the destination are the same place.")
        raise ValidationFailed(message, code="same_origin_destination",
                               details={"destination": message})
    try:
        results = _check_roads(engine, home, work, wanted, limits)
        transit = None
        if TRANSIT in wanted:
            transit = _check_transit(engine, home, work, shift, day_list, limits, platform_id)
    except routing.RoutingServerUnavailable:
        raise RoutingUnavailable() from None
    except routing.NetworkNotConfigured:
        raise RoutingNotConfigured() from None
    if TRANSIT not in wanted and all(
            r["reasons"][0]["code"] == "not_configured" for r in results.values()):
        raise RoutingNotConfigured(_l("No road network is set up for the requested modes."))
    caps = dict(capacities or {})
    # the one ladder (`mobility.people.ladder`) of a check, from the given capacities; a
    # person's stored check gets the full ladder of their file (`ladder.ladder_for`)
    ladder = build_ladder(capacities=caps, modes=results, transit=transit,
                          minibus=caps.get("minibus_available"))
    return {
        "origin": {"text": home.text, "label": home.label, "lat": home.lat, "lon": home.lon},
        "destination": {"text": work.text, "label": work.label, "lat": work.lat,
                        "lon": work.lon},
        "arrive_by": arrive_by, "leave_at": leave_at,
        "days": [d.isoformat() for d in day_list],
        "modes": results, "transit": transit, "ladder": ladder,
        "capacities": ladder.pop("capacities"), "engine": context.engine_kind,
    }


def _check_roads(engine, home: Place, work: Place, wanted: list[str],
                 limits: routing.CommuteLimits) -> dict[str, dict]:
    """The result of each wanted road mode; `outside_area` when every routed mode finds
    home or work off its network."""
    results: dict[str, dict] = {}
    outside: list[str] = []
    road_modes = [m for m in wanted if m != TRANSIT and m in engine.modes]
    # one call for every road mode: modes sharing a network share its search
    check = routing.check_commute(engine, home.point, work.point, modes=road_modes,
                                  limits=limits, off_network="result") if road_modes else None
    for mode in (m for m in wanted if m != TRANSIT):
        if mode not in engine.modes:
            results[mode] = _unrouted("not_configured")
            continue
        result = check.modes[mode]
        if result.reasons[0].code == "off_network":
            results[mode] = _unrouted("off_network")
            outside.append(mode)
            continue
        results[mode] = _mode_result(result, limits.max_duration_min[mode])
    if road_modes and len(outside) == len(road_modes):
        raise outside_area(_which_outside(engine, home, work, road_modes[0]))
    return results


def _which_outside(engine, home: Place, work: Place, mode: str) -> str:
    """Which of origin/destination lies off the network (origin when unknown)."""
    if isinstance(engine, routing.LocalEngine):
        for name, place in (("origin", home), ("destination", work)):
            try:
                engine.snap([place.point], mode=mode)
            except routing.OutsideNetworkArea:
                return name
    return "origin"


def _check_transit(engine, home: Place, work: Place, shift, day_list, limits, platform_id
                   ) -> dict:
    path = gtfs_path_for(platform_id)
    if path is None:
        return _transit_not_checked("no_feed")
    if shift is None:
        return _transit_not_checked("no_shift")
    try:
        feed = read_feed(path)
    except routing.TransitFeedError as error:
        log.warning("commute: GTFS feed unreadable: %s", error)
        return _transit_not_checked("feed_error")
    try:
        check = routing.check_commute(engine, home.point, work.point, modes=[],
                                      arrive_by=shift.arrive_by, leave_at=shift.leave_at,
                                      days=day_list, limits=limits, transit=feed)
    except routing.OutsideNetworkArea:
        return _transit_not_checked("off_network")
    except routing.NetworkNotConfigured:
        return _transit_not_checked("no_walk_network")
    except routing.RoutingServerUnavailable:
        raise
    except routing.RoutingError as error:  # e.g. no walk network to reach the stops
        log.info("commute: transit not checked: %s", error)
        return _transit_not_checked("no_walk_network")
    return _transit_result(check.transit, shift, limits)
