"""Places of a commute: an address text or coordinates resolved to a point in the covered area.

`geocode_address` is the lenient form other features call: it never raises for routing
problems.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import routing
from mobility.commute.context import GeocoderNotAvailable, RoutingContext, routing_context
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l

log = logging.getLogger(__name__)

_POSTCODE_RE = re.compile(r"\b\d{5}\b")


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
        return _resolve_text(value, field_name, context)
    lat, lon = _coordinates(value, field_name)
    if context.bounds is not None and not _within(context.bounds, lat, lon, margin=0.01):
        raise outside_area(field_name)
    return Place(lat, lon)


def _resolve_text(value: str, field_name: str, context: RoutingContext) -> Place:
    """An address text geocoded into a `Place` (see `resolve_place`)."""
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
        raise outside_area(field_name) from None
    except routing.GeocoderUnavailable:
        raise GeocoderNotAvailable() from None
    return Place(float(found.lat), float(found.lon), text=text, label=found.label)


def _coordinates(value: Any, field_name: str) -> tuple[float, float]:
    """`{"lat", "lon"}` or a (lat, lon) pair → valid (lat, lon) floats, else ValidationFailed."""
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
    return lat, lon


def _within(bounds, lat: float, lon: float, *, margin: float = 0.0) -> bool:
    s, w, n, e = bounds
    return s - margin <= lat <= n + margin and w - margin <= lon <= e + margin


def outside_area(field_name: str) -> ValidationFailed:
    """The refusal of a place outside the area covered by the road network."""
    return ValidationFailed(
        _l("This place is outside the area covered by the road network."), code="outside_area",
        details={field_name: _l("This place is outside the area covered by the road network.")})


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


