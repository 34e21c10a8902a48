"""Fixtures of the routing tests: the real Monaco extract, its cache (built once per session),
the offline geocoder, the TEST GTFS feed and a real osrm-routed on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

import routing
from routing.osrm_server import (
    OSRMSetupError,
    ensure_osrm_venv,
    find_python312,
    prepare_osrm_data,
    run_osrm_server,
)

from .routing_data import MONACO_PBF, TEST_GTFS, in_ci


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    """Routing cache of the Monaco extract: built once, reused while the extract is unchanged."""
    return routing.build_cache(MONACO_PBF, routing.default_cache_dir())


@pytest.fixture(scope="session")
def engine(cache_dir) -> routing.LocalEngine:
    return routing.LocalEngine.from_cache(cache_dir)


@pytest.fixture(scope="session")
def geocoder(cache_dir) -> routing.OfflineGeocoder:
    return routing.make_geocoder("offline", cache_dir=cache_dir)


@pytest.fixture(scope="session")
def feed() -> routing.TransitFeed:
    return routing.TransitFeed.read(TEST_GTFS)


@pytest.fixture(scope="session")
def osrm_car_url(cache_dir):
    """Base URL of a real osrm-routed (car profile) on 127.0.0.1 for the session.

    Outside CI, a missing Python 3.12 or osrm-bindings skips the OSRM tests; under CI=true
    it fails them.
    """
    if find_python312() is None:
        reason = "no Python >= 3.12 interpreter for osrm-bindings (set OSRM_PYTHON)"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        vpy = ensure_osrm_venv(cache_dir)
        osrm_file = prepare_osrm_data(MONACO_PBF, profile="car", cache_dir=cache_dir,
                                      venv_python=vpy)
    except OSRMSetupError as exc:
        if in_ci():
            pytest.fail(f"osrm-bindings unavailable: {exc}")
        pytest.skip(f"osrm-bindings unavailable: {exc}")
    with run_osrm_server(osrm_file, venv_python=vpy) as url:
        yield url
