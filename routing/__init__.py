"""Routing library of the mobility platform: road networks per mode, routing engines,
geocoding, commute feasibility, public-transport timetables, mileage allowance and carpool
matching.

Imports nothing from the web application. Every result shown to users must carry
:data:`ATTRIBUTION` ("© OpenStreetMap contributors").
"""

from .cache import build_cache, load_graph
from .carpool import CarpoolMatch, CarpoolRide, match_carpools, rank_carpool_rides
from .commute import CommuteCheck, ModeResult, Reason, Shift, TransitResult, check_commute
from .engine import LocalEngine, OSRMEngine, Route, RoutingEngine, Table
from .exceptions import (
    AddressNotFound,
    CacheBuildError,
    GeocoderNotConfigured,
    GeocoderUnavailable,
    InvalidCommute,
    InvalidShift,
    NetworkNotConfigured,
    NoRouteFound,
    OutsideNetworkArea,
    RoutingError,
    RoutingServerUnavailable,
    SameOriginDestination,
    TransitFeedError,
    UnknownMode,
)
from .geocoding import OfflineGeocoder, make_geocoder
from .geocoding_words import GeocodedPlace, import_address_csv
from .mileage import daily_mileage_allowance_km
from .settings import (
    ATTRIBUTION,
    MODES,
    TRANSIT,
    CarpoolLimits,
    CommuteLimits,
    SpeedSettings,
    default_cache_dir,
)
from .transit import TransitFeed

__all__ = [
    "ATTRIBUTION", "MODES", "TRANSIT", "AddressNotFound", "CacheBuildError", "CarpoolLimits",
    "CarpoolMatch", "CarpoolRide", "CommuteCheck", "CommuteLimits", "GeocodedPlace",
    "GeocoderNotConfigured", "GeocoderUnavailable", "InvalidCommute", "InvalidShift",
    "LocalEngine", "ModeResult", "NetworkNotConfigured", "NoRouteFound",
    "OSRMEngine", "OfflineGeocoder", "OutsideNetworkArea", "Reason", "Route", "RoutingEngine",
    "RoutingError", "RoutingServerUnavailable", "SameOriginDestination", "Shift",
    "SpeedSettings", "Table", "TransitFeed", "TransitFeedError", "TransitResult",
    "UnknownMode", "build_cache", "check_commute", "daily_mileage_allowance_km",
    "default_cache_dir", "import_address_csv", "load_graph", "make_geocoder",
    "match_carpools", "rank_carpool_rides",
]
