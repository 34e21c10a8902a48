"""Factories for commute tests: `create_commute_check(...)`, real places of the extract."""

from __future__ import annotations

from mobility.commute import services
from tests.people.factories import create_beneficiary
from tests.routing.routing_data import (  # noqa: F401  (re-exported for the tests)
    AT_SEA,
    BEAUSOLEIL_HOME,
    CAP_DAIL_HOME,
    FONTVIEILLE_WORK,
    MONACO_WORK,
    PARIS,
    WEEK,
)

BEAUSOLEIL_ADDRESS = "12 boulevard de la République, 06240 Beausoleil"
CASINO_ADDRESS = "Place du Casino, 98000 Monaco"
CAP_DAIL_ADDRESS = "5 avenue du 3 Septembre, 06320 Cap-d'Ail"


def point(p: tuple[float, float]) -> dict:
    """A (lat, lon) tuple as the API's {"lat", "lon"}."""
    return {"lat": p[0], "lon": p[1]}


def create_commuter(platform, **overrides):
    """A beneficiary living in Beausoleil (by the T1 stop) and working at Monaco's station."""
    values = dict(address="Avenue de Varavilla, 06240 Beausoleil",
                  address_lat=BEAUSOLEIL_HOME[0], address_lon=BEAUSOLEIL_HOME[1],
                  workplace_address="Gare de Monaco, 98000 Monaco",
                  workplace_lat=MONACO_WORK[0], workplace_lon=MONACO_WORK[1])
    values.update(overrides)
    return create_beneficiary(platform, **values)


def create_commute_check(platform, actor=None, beneficiary=None, **overrides):
    """A stored check of a commuter's file."""
    beneficiary = beneficiary or create_commuter(platform)
    return services.run_check_for_beneficiary(actor, beneficiary, **overrides)
