"""The routing context a commute check reads: settings, engine, geocoder and timetables.

The context (engine, geocoder, transit feeds, street arrays for the map) is loaded lazily, once
per process and configuration, from `ROUTING_CACHE_DIR` (local engine) or from OSRM servers
(`ROUTING_ENGINE=osrm`). With nothing configured the app still runs: checks raise
`RoutingNotConfigured` (503) with a message in French and English.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from flask import current_app
from sqlalchemy import select

import routing
from mobility.audit.services import record_audit
from mobility.commute.models import CommuteSettings
from mobility.commute.streets import load_street_arrays
from mobility.config import PROJECT_ROOT
from mobility.core.db import db
from mobility.core.errors import DomainError, ValidationFailed
from mobility.core.translations import lazy_gettext as _l

log = logging.getLogger(__name__)


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


def configure(app) -> None:
    """Open the routing context at start-up when `ROUTING_PRELOAD` is set (`mobility.config`
    reads the commute settings from the environment)."""
    if app.config.get("ROUTING_PRELOAD"):
        preload_routing(app)


def preload_routing(app) -> RoutingContext:
    """Open the routing context now (``ROUTING_PRELOAD=1``), not on the first commute page.

    Under ``gunicorn --preload`` this runs in the master before it forks, so every worker
    starts with the engine and geocoder open; the networks are memory-mapped files, shared
    by all workers through the page cache either way.
    """
    with app.app_context():
        return routing_context()


def config_value(key: str, default: Any = None) -> Any:
    """A setting of the current app (`mobility.config`), else `default`."""
    value = current_app.config.get(key)
    return default if value in (None, "") else value


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
                self._streets = load_street_arrays(self.engine, self.cache_dir) or {}
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
        str(config_value("ROUTING_ENGINE", "local")).lower(),
        str(config_value("ROUTING_CACHE_DIR", PROJECT_ROOT / ".cache" / "routing")),
        tuple(str(config_value(k, "")) for k in ("OSRM_URL_CAR", "OSRM_URL_BIKE", "OSRM_URL_FOOT")),
        float(config_value("OSRM_TIMEOUT_S", 5.0)),
        str(config_value("GEOCODER", "offline")).lower(),
        str(config_value("GEOCODER_URL", "")),
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
    context.bounds = _read_bounds(cache)
    context.engine, context.engine_error = _open_engine(engine_kind, cache, osrm_urls, timeout_s)
    if context.engine_error:
        log.warning("commute: no routing engine: %s", context.engine_error)
    try:
        context.geocoder = _open_geocoder(geocoder_kind, geocoder_url, cache, context.bounds)
    except (routing.RoutingError, ValueError, OSError, EOFError) as error:
        context.geocoder_error = str(error)
        log.warning("commute: no geocoder: %s", error)
    return context


def _read_bounds(cache: Path) -> tuple[float, float, float, float] | None:
    """The covered area (south, west, north, east) from the cache's manifest, if any."""
    manifest = cache / "manifest.json"
    if not manifest.exists():
        return None
    try:
        bounds = json.loads(manifest.read_text()).get("bounds")
    except ValueError:
        return None
    return tuple(bounds) if bounds else None


def _open_engine(engine_kind: str, cache: Path, osrm_urls, timeout_s: float
                 ) -> tuple[routing.RoutingEngine | None, str | None]:
    """(engine, None), or (None, why there is none)."""
    if engine_kind == "osrm":
        urls = dict(zip(("car", "bike", "foot"), osrm_urls, strict=True))
        by_mode = {mode: urls[key.removeprefix("OSRM_URL_").lower()]
                   for mode, key in OSRM_URL_KEYS.items()}
        by_mode = {m: u for m, u in by_mode.items() if u}
        if by_mode:
            return routing.OSRMEngine(by_mode, timeout_s=timeout_s), None
        return None, "ROUTING_ENGINE=osrm but no OSRM_URL_CAR/BIKE/FOOT is set"
    try:
        return routing.LocalEngine.from_cache(cache), None
    except routing.RoutingError as error:
        return None, str(error)
    except (OSError, ValueError, EOFError) as error:  # a damaged cache
        return None, f"routing cache unreadable: {error}"


def _open_geocoder(geocoder_kind: str, geocoder_url: str, cache: Path, bounds) -> Any:
    """The configured geocoder (offline index of the cache, or an online service)."""
    if geocoder_kind == "offline":
        return routing.make_geocoder("offline", cache_dir=cache)
    options: dict[str, Any] = {"bounds": bounds}
    if geocoder_url:
        parsed = urlparse(geocoder_url)
        options["scheme"] = parsed.scheme or "https"
        options["domain"] = (parsed.netloc + parsed.path).rstrip("/")
    return routing.make_geocoder(geocoder_kind, **options)


def is_configured() -> bool:
    """True when a road network (cache or OSRM server) is set up."""
    return routing_context().engine is not None


# -- settings and timetables --------------------------------------------------------------------


def settings_for(platform_id: int) -> CommuteSettings | None:
    """The platform's commute settings row, if any."""
    return db.session.scalar(select(CommuteSettings).where(
        CommuteSettings.platform_id == platform_id))


def read_feed(path: Path) -> routing.TransitFeed:
    """The GTFS feed at `path`, read once per file version (`TransitFeedError` if unreadable)."""
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
            read_feed(full)
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
