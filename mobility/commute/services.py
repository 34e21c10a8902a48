"""Commute checks as other features and the tests name them: a thin re-export, no code.

Each name has one home (import from there in new code):

- `context`: settings, the process-wide routing context (engine, geocoder), GTFS feeds and the
  platform's feed setting, the routing errors;
- `inputs`: modes, days and shift times, and how they are read;
- `places`: addresses and coordinates resolved to places (`geocode_address`);
- `checks`: `compute_check`;
- `reasons`, `presentation`: messages, and a check as people read it (`present`);
- `beneficiaries`, `history`: a person's check, computed from the file and stored;
- `distances`: carpool ranking, the mileage allowance, a file's home and work points;
- `maps`, `streets`: the page's map and its street layer;
- `transit_lines`: the platform's lines and which feed a check reads (`gtfs_path_for`).

Functions other features call (they never raise for routing problems):
`geocode_address`, `mileage_allowance_km`, `commute_feasibility_for`, `rank_rides_for`,
`latest_check_for`.
"""

from __future__ import annotations

from mobility.commute.beneficiaries import (
    capacities_for,
    commute_feasibility_for,
    compute_for_beneficiary,
    file_values,
    run_check_for_beneficiary,
    store_check,
)
from mobility.commute.checks import compute_check
from mobility.commute.context import (
    GeocoderNotAvailable,
    RoutingContext,
    RoutingNotConfigured,
    RoutingUnavailable,
    configure,
    is_configured,
    preload_routing,
    reset_routing_context,
    routing_context,
    set_gtfs_path,
    settings_for,
)
from mobility.commute.distances import (
    VEHICLE_MODES,
    beneficiary_points,
    mileage_allowance_km,
    rank_rides_for,
)
from mobility.commute.history import checks_of, erase_checks_for, latest_check_for
from mobility.commute.inputs import (
    ALL_MODES,
    ATTRIBUTION,
    ROAD_MODES,
    TRANSIT,
    WEEKDAY_NAMES,
    check_shift,
    next_working_days,
    parse_days,
    parse_modes,
    parse_time,
)
from mobility.commute.maps import map_data, parse_bbox, streets_geojson
from mobility.commute.places import Place, geocode_address, resolve_place
from mobility.commute.presentation import check_data, error_messages, present, present_check
from mobility.commute.transit_lines import gtfs_path_for
from mobility.people.reasons import (
    MODE_LABELS,
    REASON_MESSAGES,
    WEEKDAY_LABELS,
    present_reason,
    reason_message,
)

__all__ = [
    "ALL_MODES", "ATTRIBUTION", "MODE_LABELS", "REASON_MESSAGES", "ROAD_MODES", "TRANSIT",
    "VEHICLE_MODES", "WEEKDAY_LABELS", "WEEKDAY_NAMES", "GeocoderNotAvailable", "Place",
    "RoutingContext", "RoutingNotConfigured", "RoutingUnavailable", "beneficiary_points",
    "capacities_for", "check_data", "check_shift", "checks_of", "commute_feasibility_for",
    "compute_check", "compute_for_beneficiary", "configure", "erase_checks_for",
    "error_messages", "file_values", "geocode_address", "gtfs_path_for", "is_configured",
    "latest_check_for", "map_data", "mileage_allowance_km", "next_working_days", "parse_bbox",
    "parse_days", "parse_modes", "parse_time", "present", "present_check", "present_reason",
    "preload_routing", "rank_rides_for", "reason_message", "reset_routing_context",
    "resolve_place", "routing_context", "run_check_for_beneficiary", "set_gtfs_path",
    "settings_for", "store_check", "streets_geojson",
]
