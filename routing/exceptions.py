"""Named exceptions raised by the routing library.

Every error derives from :class:`RoutingError`, so callers can catch the whole family at once.
"""

from __future__ import annotations


class RoutingError(Exception):
    """Base class of every error raised by :mod:`routing`."""


class NetworkNotConfigured(RoutingError):
    """No network (cache, engine or server URL) is configured for the requested mode."""


class CacheBuildError(RoutingError):
    """The routing cache could not be built from the given extract."""


class OutsideNetworkArea(RoutingError):
    """A point or an address lies farther from the network than the configured snap distance."""


class AddressNotFound(RoutingError):
    """The geocoder found no address, street, place or POI that matches the query."""


class GeocoderNotConfigured(RoutingError, ValueError):
    """Unknown geocoder kind, or the offline geocoder index has not been built."""


class GeocoderUnavailable(RoutingError):
    """A remote geocoding service did not answer or answered with an error."""


class NoRouteFound(RoutingError):
    """Both points are on the network but no path joins them for this mode."""


class RoutingServerUnavailable(RoutingError):
    """The routing server (OSRM) could not be reached or answered with a server error."""


class UnknownMode(RoutingError, ValueError):
    """The travel mode is not one of :data:`routing.MODES`."""


class InvalidCommute(RoutingError, ValueError):
    """The commute request is inconsistent (see subclasses)."""


class SameOriginDestination(InvalidCommute):
    """Origin and destination are the same place."""


class InvalidShift(InvalidCommute):
    """Shift times are missing, equal, or describe a shift longer than allowed."""


class TransitFeedError(RoutingError):
    """The GTFS feed could not be read or is missing required tables."""
