"""Commute checks: the process-wide routing context, checks, storage and helpers for others.

The routing context (engine, geocoder, transit feeds, street arrays for the map) is loaded
lazily, once per process and configuration, from `ROUTING_CACHE_DIR` (local engine) or from
OSRM servers (`ROUTING_ENGINE=osrm`). With nothing configured the app still runs: checks raise
`RoutingNotConfigured` (503) with a message in French and English.

Functions other features call (they never raise for routing problems):
`geocode_address`, `mileage_allowance_km`, `commute_feasibility_for`, `rank_rides_for`,
`latest_check_for`.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

import routing
from mobility.audit.services import record_audit
from mobility.commute.models import CommuteCheck, CommuteSettings
from mobility.config import PROJECT_ROOT
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import DomainError, ValidationFailed
from mobility.i18n import in_both_languages
from routing.commute import SAME_PLACE_M
from routing.graph import GRAPH_SUFFIX, Graph
from routing.network import haversine_m

log = logging.getLogger(__name__)

ATTRIBUTION = routing.ATTRIBUTION
TRANSIT = routing.TRANSIT
ROAD_MODES: tuple[str, ...] = routing.MODES
ALL_MODES: tuple[str, ...] = (*ROAD_MODES, TRANSIT)
MAX_DAYS = 14

MODE_LABELS = {
    "walk": _l("On foot"),
    "bike": _l("Bike"),
    "e_bike": _l("E-bike"),
    "two_wheel_motor": _l("Scooter or moped"),
    "car": _l("Car"),
    TRANSIT: _l("Public transport"),
    "carpool": _l("Carpool"),
    "minibus": _l("Minibus"),
}
#: Fleet vehicle kinds and the routing mode they travel with.
VEHICLE_MODES = {"bike": "bike", "e_bike": "e_bike", "scooter": "two_wheel_motor",
                 "moped": "two_wheel_motor", "car": "car"}
WEEKDAYS = {
    **{name: i for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{name: i for i, name in enumerate(
        ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"))},
}
WEEKDAY_LABELS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
                  _l("Saturday"), _l("Sunday"))
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_POSTCODE_RE = re.compile(r"\b\d{5}\b")


# -- errors ------------------------------------------------------------------------------------


class RoutingNotConfigured(DomainError):
    """No road network (cache or OSRM server) is set up: 503."""

    status = 503
    code = "routing_not_configured"
    default_message = _l("No road network is set up, so commute checks are not available. An "
                         "administrator must build the routing cache or configure an OSRM "
                         "server.")


class RoutingUnavailable(DomainError):
    """The routing server (OSRM) or the address search service does not answer: 503."""

    status = 503
    code = "routing_unavailable"
    default_message = _l("The routing server does not answer right now. Please try again "
                         "later.")


class GeocoderNotAvailable(DomainError):
    """Address search is not set up or does not answer: 503."""

    status = 503
    code = "geocoder_unavailable"
    default_message = _l("Address search is not available right now: give coordinates, or try "
                         "again later.")


# -- configuration -----------------------------------------------------------------------------


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name) or default)
    except ValueError:
        return default


def configure(app) -> None:
    """Add the commute settings to `app.config` (environment values, else defaults)."""
    env = os.environ.get
    app.config.setdefault("ROUTING_CACHE_DIR", env("ROUTING_CACHE_DIR")
                          or str(PROJECT_ROOT / ".cache" / "routing"))
    app.config.setdefault("ROUTING_ENGINE", (env("ROUTING_ENGINE") or "local").lower())
    for key in ("OSRM_URL_CAR", "OSRM_URL_BIKE", "OSRM_URL_FOOT", "GEOCODER_URL", "GTFS_PATH",
                "MAP_TILE_URL"):
        app.config.setdefault(key, env(key, ""))
    app.config.setdefault("OSRM_TIMEOUT_S", _env_float("OSRM_TIMEOUT_S", 5.0))
    app.config.setdefault("GEOCODER", (env("GEOCODER") or "offline").lower())
    app.config.setdefault("ROUTING_PRELOAD",
                          (env("ROUTING_PRELOAD") or "").lower() in ("1", "true", "yes"))
    if app.config["ROUTING_PRELOAD"]:
        preload_routing(app)


def preload_routing(app) -> RoutingContext:
    """Open the routing context now (``ROUTING_PRELOAD=1``), not on the first commute page.

    Under ``gunicorn --preload`` this runs in the master before it forks, so every worker
    starts with the engine and geocoder open; the networks are memory-mapped files, shared
    by all workers through the page cache either way.
    """
    with app.app_context():
        return routing_context()


def _config(key: str, default: Any = None) -> Any:
    value = current_app.config.get(key)
    if value in (None, ""):
        value = os.environ.get(key) or default
    return value


# -- the routing context -----------------------------------------------------------------------


@dataclass
class RoutingContext:
    """Engine, geocoder and map data of one configuration, shared by the whole process."""

    engine_kind: str
    engine: routing.RoutingEngine | None = None
    engine_error: str | None = None
    geocoder: Any = None
    geocoder_error: str | None = None
    bounds: tuple[float, float, float, float] | None = None
    cache_dir: Path | None = None
    _streets: dict | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def require_engine(self) -> routing.RoutingEngine:
        """The engine, or `RoutingNotConfigured`."""
        if self.engine is None:
            raise RoutingNotConfigured()
        return self.engine

    def street_arrays(self) -> dict | None:
        """Edges of the car and walk networks as arrays for the map (None without a cache)."""
        with self._lock:
            if self._streets is None:
                self._streets = _load_street_arrays(self) or {}
        return self._streets or None


_contexts: dict[tuple, RoutingContext] = {}
_contexts_lock = threading.Lock()
_feeds: dict[tuple, Any] = {}
_feeds_lock = threading.Lock()

#: OSRM server per mode: the car profile serves scooters and mopeds too, the bicycle profile
#: serves e-bikes (same network, the bicycle profile's speed).
OSRM_URL_KEYS = {"walk": "OSRM_URL_FOOT", "bike": "OSRM_URL_BIKE", "e_bike": "OSRM_URL_BIKE",
                 "two_wheel_motor": "OSRM_URL_CAR", "car": "OSRM_URL_CAR"}


def _context_key() -> tuple:
    return (
        str(_config("ROUTING_ENGINE", "local")).lower(),
        str(_config("ROUTING_CACHE_DIR", PROJECT_ROOT / ".cache" / "routing")),
        tuple(str(_config(k, "")) for k in ("OSRM_URL_CAR", "OSRM_URL_BIKE", "OSRM_URL_FOOT")),
        float(_config("OSRM_TIMEOUT_S", 5.0)),
        str(_config("GEOCODER", "offline")).lower(),
        str(_config("GEOCODER_URL", "")),
    )


def routing_context() -> RoutingContext:
    """The process-wide routing context of the current app's configuration (loaded once)."""
    key = _context_key()
    context = _contexts.get(key)
    if context is None:
        with _contexts_lock:
            context = _contexts.get(key)
            if context is None:
                context = _load_context(*key)
                _contexts[key] = context
    return context


def reset_routing_context() -> None:
    """Forget every loaded context and feed (tests, or after rebuilding the cache)."""
    with _contexts_lock:
        _contexts.clear()
    with _feeds_lock:
        _feeds.clear()


def _load_context(engine_kind, cache_dir, osrm_urls, timeout_s, geocoder_kind, geocoder_url
                  ) -> RoutingContext:
    cache = Path(cache_dir)
    context = RoutingContext(engine_kind=engine_kind, cache_dir=cache)
    manifest = cache / "manifest.json"
    if manifest.exists():
        try:
            import json

            bounds = json.loads(manifest.read_text()).get("bounds")
            context.bounds = tuple(bounds) if bounds else None
        except ValueError:
            pass
    if engine_kind == "osrm":
        urls = dict(zip(("car", "bike", "foot"), osrm_urls, strict=True))
        by_mode = {mode: urls[key.removeprefix("OSRM_URL_").lower()]
                   for mode, key in OSRM_URL_KEYS.items()}
        by_mode = {m: u for m, u in by_mode.items() if u}
        if by_mode:
            context.engine = routing.OSRMEngine(by_mode, timeout_s=timeout_s)
        else:
            context.engine_error = "ROUTING_ENGINE=osrm but no OSRM_URL_CAR/BIKE/FOOT is set"
    else:
        try:
            context.engine = routing.LocalEngine.from_cache(cache)
        except routing.RoutingError as error:
            context.engine_error = str(error)
        except (OSError, ValueError, EOFError) as error:  # a damaged cache
            context.engine_error = f"routing cache unreadable: {error}"
    if context.engine_error:
        log.warning("commute: no routing engine: %s", context.engine_error)
    try:
        if geocoder_kind == "offline":
            context.geocoder = routing.make_geocoder("offline", cache_dir=cache)
        else:
            options: dict[str, Any] = {"bounds": context.bounds}
            if geocoder_url:
                parsed = urlparse(geocoder_url)
                options["scheme"] = parsed.scheme or "https"
                options["domain"] = (parsed.netloc + parsed.path).rstrip("/")
            context.geocoder = routing.make_geocoder(geocoder_kind, **options)
    except (routing.RoutingError, ValueError, OSError, EOFError) as error:
        context.geocoder_error = str(error)
        log.warning("commute: no geocoder: %s", error)
    return context


def is_configured() -> bool:
    """True when a road network (cache or OSRM server) is set up."""
    return routing_context().engine is not None


# -- transit feeds -----------------------------------------------------------------------------


def settings_for(platform_id: int) -> CommuteSettings | None:
    """The platform's commute settings row, if any."""
    return db.session.scalar(select(CommuteSettings).where(
        CommuteSettings.platform_id == platform_id))


def gtfs_path_for(platform_id: int | None) -> Path | None:
    """The GTFS feed of a platform: its settings row (a real or imported feed), else the
    illustrative feed written from its lines (`transit_lines`), else `GTFS_PATH`; None when
    none exists."""
    row = settings_for(platform_id) if platform_id is not None else None
    if (row is None or not row.gtfs_path) and platform_id is not None:
        from mobility.commute.transit_lines import current_lines_feed

        lines_feed = current_lines_feed(platform_id)
        if lines_feed is not None:
            return lines_feed
    text = (row.gtfs_path if row is not None and row.gtfs_path else None) or _config("GTFS_PATH")
    if not text:
        return None
    path = Path(text)
    return path if path.is_absolute() else PROJECT_ROOT / path


def _read_feed(path: Path):
    try:
        stamp = path.stat().st_mtime
    except OSError as error:
        raise routing.TransitFeedError(f"GTFS feed not found: {path}") from error
    key = (str(path), stamp)
    with _feeds_lock:
        if key not in _feeds:
            try:
                _feeds[key] = routing.TransitFeed.read(path)
            except routing.TransitFeedError as error:
                _feeds[key] = error
        feed = _feeds[key]
    if isinstance(feed, Exception):
        raise feed
    return feed


def set_gtfs_path(actor, platform_id: int, path: str | None) -> CommuteSettings:
    """Set (or clear with None/"") the platform's GTFS feed; the feed must be readable."""
    path = (path or "").strip() or None
    if path is not None:
        full = Path(path) if Path(path).is_absolute() else PROJECT_ROOT / path
        try:
            _read_feed(full)
        except routing.TransitFeedError:
            raise ValidationFailed(details={"gtfs_path": _l(
                "No readable GTFS feed (folder or zip) at this path on the server.")}) from None
    row = settings_for(platform_id)
    if row is None:
        row = CommuteSettings(platform_id=platform_id)
        db.session.add(row)
    row.gtfs_path = path
    db.session.flush()
    record_audit(actor, "update", object_type="CommuteSettings", object_id=row.id,
                 platform_id=platform_id, fields=["gtfs_path"])
    db.session.commit()
    return row


# -- input parsing -----------------------------------------------------------------------------




def parse_time(value: Any, field_name: str) -> time | None:
    """ "HH:MM" (or a `time`) → time; empty → None; anything else → ValidationFailed."""
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    match = _TIME_RE.match(str(value).strip())
    if not match:
        raise ValidationFailed(details={field_name: _l("Must be a time (HH:MM).")})
    return time(int(match.group(1)), int(match.group(2)))


def next_working_days(start: date | None = None, count: int = 5) -> list[date]:
    """The next `count` Monday-to-Friday dates from `start` (today) on, `start` included."""
    day = start or local_today()
    out = []
    while len(out) < count:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def parse_days(values: Iterable[Any] | None, *, start: date | None = None) -> list[date]:
    """ISO dates and/or weekday names → sorted distinct dates (the dates the shifts start).

    A weekday name (English or French, "monday"/"mon"/"lundi") is its next occurrence from
    today (Europe/Paris) on, today included.
    """
    start = start or local_today()
    out: set[date] = set()
    for value in values or ():
        if isinstance(value, date):
            out.add(value)
            continue
        text = str(value).strip().lower()
        if text in WEEKDAYS:
            out.add(start + timedelta(days=(WEEKDAYS[text] - start.weekday()) % 7))
            continue
        try:
            out.add(date.fromisoformat(text))
        except ValueError:
            raise ValidationFailed(details={"days": _l(
                "Give days as dates (YYYY-MM-DD) or weekday names (monday … sunday).")}) from None
    if len(out) > MAX_DAYS:
        raise ValidationFailed(details={"days": _l("At most %(n)d days per check.", n=MAX_DAYS)})
    return sorted(out)


def parse_modes(values: Iterable[str] | None) -> list[str]:
    """Requested modes (road modes and `public_transport`); None or empty → all of them."""
    if not values:
        return list(ALL_MODES)
    out = []
    for value in values:
        if value not in ALL_MODES:
            raise ValidationFailed(
                _l("Unknown travel mode: %(mode)s.", mode=str(value)[:40]),
                code="unknown_mode",
                details={"modes": _l("Choose among: %(modes)s.", modes=", ".join(ALL_MODES))})
        if value not in out:
            out.append(value)
    return out


def check_shift(arrive_by: time | None, leave_at: time | None,
                limits: routing.CommuteLimits) -> routing.Shift | None:
    """Validate the shift (see docs/commute.md): both times or none, different, not too long."""
    if arrive_by is None and leave_at is None:
        return None
    missing = "leave_at" if arrive_by is not None else "arrive_by"
    if arrive_by is None or leave_at is None:
        raise ValidationFailed(
            _l("Give both the shift start and the shift end, or neither."), code="invalid_shift",
            details={missing: _l("Give both the shift start and the shift end, or neither.")})
    if arrive_by == leave_at:
        raise ValidationFailed(
            _l("The shift cannot start and end at the same time."), code="invalid_shift",
            details={"leave_at": _l("The shift cannot start and end at the same time.")})
    shift = routing.Shift(arrive_by, leave_at)
    if shift.duration_s > limits.max_shift_duration_h * 3600:
        message = _l("The shift would last %(hours)s hours, more than %(max)s: the end is before "
                     "the start. An end earlier than the start means a night shift ending the "
                     "next day.", hours=f"{shift.duration_s / 3600:.0f}",
                     max=f"{limits.max_shift_duration_h:g}")
        raise ValidationFailed(message, code="invalid_shift", details={"leave_at": message})
    return shift


# -- places ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A resolved origin or destination."""

    lat: float
    lon: float
    text: str | None = None
    label: str | None = None

    @property
    def point(self) -> tuple[float, float]:
        """(lat, lon)."""
        return (self.lat, self.lon)


def _geocode_text(geocoder, text: str):
    """Geocode, retrying without 5-digit postcodes (OSM rarely tags them on streets)."""
    try:
        return geocoder.geocode(text)
    except routing.AddressNotFound:
        simpler = re.sub(r"\s*,\s*(?=,|$)", "", _POSTCODE_RE.sub("", text)).strip(" ,")
        if simpler and simpler != text:
            return geocoder.geocode(simpler)
        raise


def resolve_place(value: Any, field_name: str, context: RoutingContext | None = None) -> Place:
    """An address text or `{"lat", "lon"}` (or a (lat, lon) pair) → `Place`.

    Unknown address or a point outside the covered area → ValidationFailed on `field_name`;
    no geocoder → GeocoderNotAvailable (503).
    """
    context = context or routing_context()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValidationFailed(details={field_name: _l("This field is required.")})
        if context.geocoder is None:
            raise GeocoderNotAvailable(_l(
                "Address search is not set up: give coordinates, or ask an administrator to "
                "build the routing cache."), code="geocoder_not_configured")
        try:
            found = _geocode_text(context.geocoder, text)
        except routing.AddressNotFound:
            raise ValidationFailed(
                _l("Address not found."), code="address_not_found",
                details={field_name: _l("No address, street or place matches this text in the "
                                        "covered area. Check the spelling or add the town.")}
            ) from None
        except routing.OutsideNetworkArea:
            raise _outside(field_name) from None
        except routing.GeocoderUnavailable:
            raise GeocoderNotAvailable() from None
        return Place(float(found.lat), float(found.lon), text=text, label=found.label)
    if isinstance(value, Mapping):
        lat, lon = value.get("lat"), value.get("lon")
    elif isinstance(value, Sequence) and len(value) == 2:
        lat, lon = value
    else:
        raise ValidationFailed(details={field_name: _l(
            "Give an address or coordinates {\"lat\": …, \"lon\": …}.")})
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise ValidationFailed(details={field_name: _l(
            "Give an address or coordinates {\"lat\": …, \"lon\": …}.")}) from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90
            and -180 <= lon <= 180):
        raise ValidationFailed(details={field_name: _l("These coordinates are not valid.")})
    if context.bounds is not None and not _within(context.bounds, lat, lon, margin=0.01):
        raise _outside(field_name)
    return Place(lat, lon)


def _within(bounds, lat: float, lon: float, *, margin: float = 0.0) -> bool:
    s, w, n, e = bounds
    return s - margin <= lat <= n + margin and w - margin <= lon <= e + margin


def _outside(field_name: str) -> ValidationFailed:
    return ValidationFailed(
        _l("This place is outside the area covered by the road network."), code="outside_area",
        details={field_name: _l("This place is outside the area covered by the road network.")})


# -- checks ------------------------------------------------------------------------------------


def _reason(code: str, **params) -> dict:
    return {"code": code, "params": params}


def _round_min(seconds: float) -> int:
    return int(math.ceil(seconds / 60 - 1e-9))


def _geometry(points: Sequence[tuple[float, float]]) -> list[list[float]]:
    """Route geometry simplified (about 3 m) and rounded, as [[lat, lon], ...]."""
    if len(points) < 3:
        return [[round(a, 5), round(b, 5)] for a, b in points]
    from shapely.geometry import LineString

    line = LineString([(lon, lat) for lat, lon in points]).simplify(0.00003)
    return [[round(lat, 5), round(lon, 5)] for lon, lat in line.coords]


def _mode_result(result: routing.ModeResult, limit_min: float) -> dict:
    reasons = []
    for r in result.reasons:
        if r.code in ("within_limit", "too_long") and result.duration_s is not None:
            reasons.append(_reason(r.code, duration_min=_round_min(result.duration_s),
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
                                       duration_min=_round_min(leg.duration_s),
                                       limit_min=limit_min))
    if result.feasible:
        reasons = [_reason("transit_ok", days=len(result.days),
                           duration_min=_round_min(result.duration_s or 0))]
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


def _ladder(modes: Mapping[str, dict], transit: dict | None, capacities: Mapping[str, Any]
            ) -> dict:
    """The one ladder (`mobility.commute.ladder`) of a check, from the given capacities; a
    person's stored check gets the full ladder of their file (`ladder.ladder_for`)."""
    from mobility.commute.ladder import build_ladder

    return build_ladder(capacities=capacities, modes=modes, transit=transit,
                        minibus=capacities.get("minibus_available"))


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
    results: dict[str, dict] = {}
    outside: list[str] = []
    try:
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
        road = [m for m in wanted if m != TRANSIT and m in engine.modes]
        if road and len(outside) == len(road):
            raise _outside(_which_outside(engine, home, work, road[0]))
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
    ladder = _ladder(results, transit, dict(capacities or {}))
    return {
        "origin": {"text": home.text, "label": home.label, "lat": home.lat, "lon": home.lon},
        "destination": {"text": work.text, "label": work.label, "lat": work.lat,
                        "lon": work.lon},
        "arrive_by": arrive_by, "leave_at": leave_at,
        "days": [d.isoformat() for d in day_list],
        "modes": results, "transit": transit, "ladder": ladder,
        "capacities": ladder.pop("capacities"), "engine": context.engine_kind,
    }


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
        feed = _read_feed(path)
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


# -- presenting --------------------------------------------------------------------------------

REASON_MESSAGES = {
    "within_limit": _l("%(duration_min)s min, within the %(limit_min)s min limit"),
    "too_long": _l("Too long: %(duration_min)s min, more than %(limit_min)s min"),
    "no_route": _l("No route found for this mode."),
    "off_network": _l("Home or workplace is too far from the network for this mode."),
    "not_configured": _l("No network is set up for this mode."),
    "not_requested": _l("Not checked (mode not requested)."),
    "no_outbound": _l("%(day)s: no direct trip reaching work between %(wait_min)s min before "
                      "%(time)s and %(time)s."),
    "no_return": _l("%(day)s: no direct trip home leaving within %(wait_min)s min after "
                    "%(time)s."),
    "transit_too_long": _l("%(day)s: %(duration_min)s min by public transport, more than "
                           "%(limit_min)s min."),
    "no_feed": _l("No public transport timetable is set up for this platform."),
    "no_shift": _l("Public transport needs the shift times to be checked."),
    "feed_error": _l("The public transport timetable could not be read."),
    "no_walk_network": _l("Public transport could not be checked: no walking network to reach "
                          "the stops."),
}


#: reasons whose message counts something, rendered with ngettext from their parameters
PLURAL_REASON_MESSAGES: dict[str, Callable[..., str]] = {
    "transit_ok": lambda days, **values: ngettext(
        "Direct trips there and back on the day checked, at most %(duration_min)s min door to "
        "door.",
        "Direct trips there and back on all %(num)d days, at most %(duration_min)s min door to "
        "door.", int(days), **values),
}


def _day_label(text: str) -> str:
    """ "2025-03-03" → "Lundi 03/03/2025" in the current language."""
    from mobility.i18n import local_date

    try:
        day = date.fromisoformat(text)
    except (TypeError, ValueError):
        return str(text)
    return f"{WEEKDAY_LABELS[day.weekday()]} {local_date(day)}"


def _format_params(params: Mapping[str, Any]) -> dict:
    out = dict(params)
    if isinstance(out.get("day"), str):
        out["day"] = _day_label(out["day"])
    out.pop("mode", None)
    return out


def reason_message(reason: Mapping[str, Any]) -> str:
    """The reason's message in the current language (prefixed by the mode in the ladder)."""
    from mobility.commute.ladder import REASON_MESSAGES as LADDER_MESSAGES

    template = REASON_MESSAGES.get(reason["code"]) or LADDER_MESSAGES.get(reason["code"])
    params = reason.get("params") or {}
    if reason["code"] in PLURAL_REASON_MESSAGES:
        text = PLURAL_REASON_MESSAGES[reason["code"]](**_format_params(params))
    elif template is None:
        return reason["code"]
    else:
        text = str(template) % _format_params(params) if "%(" in str(template) \
            else str(template)
    mode = params.get("mode")
    if mode:
        return f"{MODE_LABELS.get(mode, mode)} : {text}" if _is_fr() else \
            f"{MODE_LABELS.get(mode, mode)}: {text}"
    return text


def _is_fr() -> bool:
    from flask_babel import get_locale

    return str(get_locale() or "fr").startswith("fr")


def present_reason(reason: Mapping[str, Any]) -> dict:
    from flask_babel import force_locale

    messages = {}
    for locale in ("fr", "en"):
        with force_locale(locale):
            messages[locale] = reason_message(reason)
    return {"code": reason["code"], "message": reason_message(reason), "messages": messages,
            **({"mode": reason["params"]["mode"]} if reason.get("params", {}).get("mode")
               else {})}


def _hhmm(value: Any) -> str | None:
    if value is None:
        return None
    return value.strftime("%H:%M") if isinstance(value, time) else str(value)


def present(data: Mapping[str, Any], *, check: CommuteCheck | None = None,
            geometry: bool = True) -> dict:
    """The API/page view of a check: labels and messages in French and English."""
    modes = {}
    for mode, r in data["modes"].items():
        item = {"mode": mode, "label": str(MODE_LABELS.get(mode, mode)),
                "distance_m": r["distance_m"], "duration_s": r["duration_s"],
                "distance_km": None if r["distance_m"] is None
                else round(r["distance_m"] / 1000, 1),
                "duration_min": None if r["duration_s"] is None
                else _round_min(r["duration_s"]),
                "feasible": r["feasible"],
                "reasons": [present_reason(x) for x in r["reasons"]]}
        if geometry:
            item["geometry"] = r.get("geometry") or []
        modes[mode] = item
    transit = data.get("transit")
    if transit is not None:
        transit = {**transit, "label": str(MODE_LABELS[TRANSIT]),
                   "days": [{**d, "label": _day_label(d["date"])} for d in transit["days"]],
                   "reasons": [present_reason(x) for x in transit["reasons"]],
                   "duration_min": None if transit.get("duration_s") is None
                   else _round_min(transit["duration_s"])}
    from mobility.commute.ladder import present_ladder

    ladder = present_ladder(data["ladder"])
    arrive_by, leave_at = data.get("arrive_by"), data.get("leave_at")
    ends_next_day = None
    if arrive_by is not None and leave_at is not None:
        ends_next_day = _hhmm(leave_at) < _hhmm(arrive_by)
    return {
        "id": check.id if check is not None else None,
        "beneficiary_id": check.beneficiary_id if check is not None else None,
        "created_at": check.created_at.isoformat() if check is not None else None,
        "origin": data["origin"], "destination": data["destination"],
        "arrive_by": _hhmm(arrive_by), "leave_at": _hhmm(leave_at),
        "shift_ends_next_day": ends_next_day, "days": data["days"],
        "day_labels": [_day_label(d) for d in data["days"]],
        "modes": modes, "transit": transit, "ladder": ladder,
        "capacities": data.get("capacities", {}), "engine": data.get("engine"),
        "attribution": ATTRIBUTION,
    }


def check_data(check: CommuteCheck) -> dict:
    """A stored check in the form `compute_check` returns."""
    return {
        "origin": {"text": check.origin_text, "label": check.origin_label,
                   "lat": check.origin_lat, "lon": check.origin_lon},
        "destination": {"text": check.destination_text, "label": check.destination_label,
                        "lat": check.destination_lat, "lon": check.destination_lon},
        "arrive_by": check.arrive_by, "leave_at": check.leave_at, "days": check.days or [],
        "modes": check.modes or {}, "transit": check.transit, "ladder": check.ladder or {},
        "capacities": check.capacities or {}, "engine": check.engine,
    }


def present_check(check: CommuteCheck, *, geometry: bool = True) -> dict:
    """The API/page view of a stored check."""
    return present(check_data(check), check=check, geometry=geometry)


# -- beneficiaries -----------------------------------------------------------------------------


def capacities_for(beneficiary) -> dict:
    """What the ladder knows the person can do: the latest assessment, the file's licence."""
    from mobility.commute.ladder import capacities_from, latest_assessment_of

    assessment = latest_assessment_of(beneficiary)
    return capacities_from(assessment.answers if assessment is not None else None,
                           has_licence_b=bool(beneficiary.has_licence_b
                                              or beneficiary.licence_b_since))


def file_values(beneficiary) -> dict:
    """Origin, destination and shift of the beneficiary's file (for the form and the API)."""
    origin: Any = beneficiary.address or None
    destination: Any = beneficiary.workplace_address or None
    return {"origin": origin, "destination": destination,
            "origin_point": (beneficiary.address_lat, beneficiary.address_lon)
            if beneficiary.address_lat is not None and beneficiary.address_lon is not None
            else None,
            "destination_point": (beneficiary.workplace_lat, beneficiary.workplace_lon)
            if beneficiary.workplace_lat is not None and beneficiary.workplace_lon is not None
            else None,
            "arrive_by": beneficiary.shift_start, "leave_at": beneficiary.shift_end}


def _file_place(text: Any, point: tuple | None, file_text: str | None) -> Any:
    """Use the file's coordinates when the address is the file's one (no geocoding needed)."""
    if point is not None and (text is None or (isinstance(text, str) and file_text
                                               and text.strip() == file_text.strip())):
        return {"lat": point[0], "lon": point[1], "text": file_text}
    return text


def compute_for_beneficiary(beneficiary, **overrides) -> dict:
    """`compute_check` from the file: home → workplace, the file's shift, its capacities.

    `overrides` may replace origin, destination, arrive_by, leave_at, days, modes,
    capacities.
    """
    values = file_values(beneficiary)
    origin = overrides.get("origin") or values["origin"]
    destination = overrides.get("destination") or values["destination"]
    origin = _file_place(origin, values["origin_point"], beneficiary.address)
    destination = _file_place(destination, values["destination_point"],
                              beneficiary.workplace_address)
    missing = {}
    if not origin:
        missing["origin"] = _l("The file has no home address.")
    if not destination:
        missing["destination"] = _l("The file has no workplace address.")
    if missing:
        raise ValidationFailed(_l("Complete the file's addresses first."),
                               code="missing_address", details=missing)
    caps = dict(overrides.get("capacities") or {})
    shift_given = "arrive_by" in overrides or "leave_at" in overrides
    data = compute_check(
        origin, destination,
        arrive_by=overrides.get("arrive_by") if shift_given else values["arrive_by"],
        leave_at=overrides.get("leave_at") if shift_given else values["leave_at"],
        days=overrides.get("days"), modes=overrides.get("modes"), capacities=caps,
        platform_id=beneficiary.platform_id)
    for key, place in (("origin", origin), ("destination", destination)):
        if isinstance(place, Mapping) and place.get("text"):
            data[key]["text"] = data[key]["label"] = place["text"]
    if not caps:  # what the person can do comes from their file, not from the request
        data["capacities"] = capacities_for(beneficiary)
    return data


def store_check(actor, beneficiary, data: Mapping[str, Any]) -> CommuteCheck:
    """Store a computed check for `beneficiary` (audited, committed)."""
    origin, destination = data["origin"], data["destination"]
    check = CommuteCheck(
        platform_id=beneficiary.platform_id, beneficiary_id=beneficiary.id,
        created_by_id=actor.id if actor is not None else None,
        origin_text=(origin.get("text") or None) and origin["text"][:300],
        origin_label=(origin.get("label") or None) and origin["label"][:300],
        origin_lat=origin["lat"], origin_lon=origin["lon"],
        destination_text=(destination.get("text") or None) and destination["text"][:300],
        destination_label=(destination.get("label") or None) and destination["label"][:300],
        destination_lat=destination["lat"], destination_lon=destination["lon"],
        arrive_by=data["arrive_by"], leave_at=data["leave_at"], days=list(data["days"]),
        modes=dict(data["modes"]), transit=data["transit"], ladder=dict(data["ladder"]),
        capacities=dict(data["capacities"]), recommended=data["ladder"].get("recommended"),
        engine=data.get("engine") or "local",
    )
    db.session.add(check)
    db.session.flush()
    from mobility.commute.ladder import ladder_for

    # the person's ladder (assessment, file, carpool rides, minibus) at the time of the check
    ladder = ladder_for(beneficiary, check)
    ladder.pop("capacities", None)
    check.ladder, check.recommended = ladder, ladder["recommended"]
    if actor is not None:
        record_audit(actor, "create", object_type="CommuteCheck", object_id=check.id,
                     platform_id=beneficiary.platform_id,
                     fields=["origin", "destination", "shift", "days", "results"])
    db.session.commit()
    return check


def run_check_for_beneficiary(actor, beneficiary, **overrides) -> CommuteCheck:
    """Compute a check from the file (with `overrides`) and store it."""
    return store_check(actor, beneficiary, compute_for_beneficiary(beneficiary, **overrides))


def checks_of(beneficiary, *, limit: int = 20) -> list[CommuteCheck]:
    """The beneficiary's stored checks, newest first."""
    return list(db.session.scalars(
        select(CommuteCheck).where(CommuteCheck.beneficiary_id == beneficiary.id)
        .order_by(CommuteCheck.created_at.desc(), CommuteCheck.id.desc()).limit(limit)))


def latest_check_for(beneficiary) -> CommuteCheck | None:
    """The beneficiary's latest stored check, or None."""
    found = checks_of(beneficiary, limit=1)
    return found[0] if found else None


# -- helpers for other features ----------------------------------------------------------------


def geocode_address(text: str | None) -> tuple[float, float] | None:
    """(lat, lon) of an address with the configured geocoder, or None (never raises for
    routing errors: unknown address, outside the area, no geocoder, service down)."""
    if not text or not str(text).strip():
        return None
    try:
        context = routing_context()
        if context.geocoder is None:
            return None
        place = _geocode_text(context.geocoder, str(text).strip())
    except routing.RoutingError as error:
        log.info("commute: address not geocoded: %s", error.__class__.__name__)
        return None
    return (float(place.lat), float(place.lon))


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


def commute_feasibility_for(beneficiary) -> dict[str, Any] | None:
    """The beneficiary's home → work commute checked now at the file's shift times
    (`{"modes", "transit"}` as a check stores them), for the ladder of an assessment. None
    when it cannot be computed (no network, missing or unknown addresses, invalid shift).
    Nothing is stored."""
    try:
        data = compute_for_beneficiary(beneficiary)
    except DomainError as error:
        log.info("commute: no feasibility for beneficiary %s: %s", beneficiary.id, error.code)
        return None
    return {"modes": data["modes"], "transit": data.get("transit")}


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


# -- the map's street layer --------------------------------------------------------------------

STREET_CLASSES = {
    "major": {"motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
              "secondary", "secondary_link", "tertiary", "tertiary_link"},
    "minor": {"residential", "unclassified", "living_street", "road", "service"},
    "path": {"footway", "path", "steps", "pedestrian", "corridor", "elevator", "track",
             "cycleway"},
}
MAX_STREET_EDGES = 2000
MAX_BBOX_DEG = (0.12, 0.16)  # lat, lon spans (about 13 km)


def _simplified(geoms: list[np.ndarray]) -> list[np.ndarray]:
    """Edge polylines ((lat, lon) arrays) simplified to about 2 m, to keep the map light."""
    import shapely

    if not geoms:
        return []
    sizes = np.array([len(g) for g in geoms])
    lines = shapely.linestrings(np.concatenate(geoms)[:, ::-1],
                                indices=np.repeat(np.arange(len(geoms)), sizes))
    lines = shapely.simplify(lines, 0.00002)
    return [np.asarray(shapely.get_coordinates(line))[:, ::-1] for line in lines]


def _load_street_arrays(context: RoutingContext) -> dict | None:
    networks = {}
    for name in ("car", "walk"):
        network = None
        if isinstance(context.engine, routing.LocalEngine) and name in context.engine.modes:
            network = context.engine.graph(name).network
        elif context.cache_dir is not None:
            try:
                network = Graph(name, context.cache_dir / "networks" / f"{name}{GRAPH_SUFFIX}")
            except (routing.RoutingError, OSError, ValueError):
                network = None
        if network is not None:
            networks[name] = network
    if not networks:
        return None
    out = {}
    for name, network in networks.items():
        classes = np.array([next((c for c, hws in STREET_CLASSES.items() if h in hws), "")
                            for h in network.edge_highway], dtype=object)
        keep = classes != ""
        if name == "walk":
            keep &= classes == "path"  # roads come from the car network
        else:
            keep &= classes != "path"
        u, v = network.edge_u, network.edge_v
        pair = np.minimum(u, v) * network.node_count + np.maximum(u, v)
        idx = np.flatnonzero(keep)
        _, first = np.unique(pair[idx], return_index=True)
        idx = idx[np.sort(first)]
        geoms = _simplified([np.asarray(network.edge_points(i)) for i in idx])
        out[name] = {
            "classes": classes[idx],
            "min_lat": np.array([g[:, 0].min() for g in geoms]),
            "max_lat": np.array([g[:, 0].max() for g in geoms]),
            "min_lon": np.array([g[:, 1].min() for g in geoms]),
            "max_lon": np.array([g[:, 1].max() for g in geoms]),
            "geoms": geoms,
        }
    return out


def parse_bbox(text: str | None) -> tuple[float, float, float, float]:
    """ "south,west,north,east" → floats; too large or malformed → ValidationFailed."""
    try:
        s, w, n, e = (float(x) for x in (text or "").split(","))
    except ValueError:
        raise ValidationFailed(details={"bbox": _l(
            "Give bbox=south,west,north,east in degrees.")}) from None
    if not (s < n and w < e) or not all(math.isfinite(x) for x in (s, w, n, e)):
        raise ValidationFailed(details={"bbox": _l(
            "Give bbox=south,west,north,east in degrees.")})
    if n - s > MAX_BBOX_DEG[0] or e - w > MAX_BBOX_DEG[1]:
        raise ValidationFailed(details={"bbox": _l("This area is too large for the map.")})
    return s, w, n, e


def streets_geojson(bbox: tuple[float, float, float, float]) -> dict:
    """The streets crossing `bbox` as GeoJSON (one MultiLineString per class: major, minor,
    path), from the cached car and walk networks; minor streets and paths are left out when
    the area holds too many edges. Empty without a cache."""
    s, w, n, e = bbox
    arrays = routing_context().street_arrays()
    features = []
    if arrays:
        selected: dict[str, list] = {"major": [], "minor": [], "path": []}
        for data in arrays.values():
            hit = np.flatnonzero((data["max_lat"] >= s) & (data["min_lat"] <= n)
                                 & (data["max_lon"] >= w) & (data["min_lon"] <= e))
            for i in hit:
                selected[data["classes"][i]].append(data["geoms"][i])
        total = sum(len(v) for v in selected.values())
        for cls in ("path", "minor"):
            if total > MAX_STREET_EDGES:
                total -= len(selected[cls])
                selected[cls] = []
        for cls, geoms in selected.items():
            if geoms:
                features.append({"type": "Feature", "properties": {"class": cls},
                                 "geometry": {"type": "MultiLineString", "coordinates": [
                                     [[round(float(lon), 5), round(float(lat), 5)]
                                      for lat, lon in g] for g in geoms]}})
    return {"type": "FeatureCollection", "features": features, "attribution": ATTRIBUTION}


def map_data(data: Mapping[str, Any]) -> dict:
    """What the page's map needs: points, routes, the bounding box, tiles, attribution."""
    origin, destination = data["origin"], data["destination"]
    points = [(origin["lat"], origin["lon"]), (destination["lat"], destination["lon"])]
    routes = {}
    for mode, r in data["modes"].items():
        geometry = r.get("geometry") or []
        if geometry:
            routes[mode] = {"label": str(MODE_LABELS.get(mode, mode)), "points": geometry,
                            "feasible": r["feasible"]}
            points.extend(tuple(p) for p in geometry)
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    pad_lat = max((max(lats) - min(lats)) * 0.15, 0.003)
    pad_lon = max((max(lons) - min(lons)) * 0.15, 0.004)
    bbox = [min(lats) - pad_lat, min(lons) - pad_lon, max(lats) + pad_lat, max(lons) + pad_lon]
    bbox[2] = min(bbox[2], bbox[0] + MAX_BBOX_DEG[0])
    bbox[3] = min(bbox[3], bbox[1] + MAX_BBOX_DEG[1])
    return {"home": [origin["lat"], origin["lon"]],
            "work": [destination["lat"], destination["lon"]],
            "home_label": origin.get("label") or origin.get("text") or "",
            "work_label": destination.get("label") or destination.get("text") or "",
            "routes": routes, "bbox": [round(x, 5) for x in bbox],
            "tile_url": _config("MAP_TILE_URL") or None, "attribution": ATTRIBUTION,
            "labels": {"home": _("Home"), "work": _("Work")}}


def error_messages(error: DomainError) -> dict[str, str]:
    """An error's message in French and English."""
    return in_both_languages(error.message)


def erase_checks_for(beneficiary) -> int:
    """Delete the beneficiary's stored checks (they hold home and work places), e.g. when the
    file is anonymised; returns how many. The caller commits."""
    checks = list(db.session.scalars(select(CommuteCheck).where(
        CommuteCheck.beneficiary_id == beneficiary.id)))
    for check in checks:
        db.session.delete(check)
    return len(checks)
