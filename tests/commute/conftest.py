"""Fixtures of the commute tests: the routing cache of the Monaco extract (built once if
missing), the TEST GTFS feed of the routing tests, API clients per role."""

from __future__ import annotations

import pytest

import routing
from tests.routing.routing_data import MONACO_PBF, TEST_GTFS


@pytest.fixture(scope="session")
def routing_cache():
    """The routing cache of the Monaco extract (built once when missing)."""
    return routing.build_cache(MONACO_PBF, routing.default_cache_dir())


@pytest.fixture(autouse=True)
def _routing_config(request, routing_cache):
    """Point every app of these tests at the cache (no tile server, no GTFS by default)."""
    if "app" in request.fixturenames or "sqlite_app" in request.fixturenames:
        app = request.getfixturevalue("sqlite_app" if "sqlite_app" in request.fixturenames
                                      else "app")
        app.config.update(ROUTING_CACHE_DIR=str(routing_cache), ROUTING_ENGINE="local",
                          GEOCODER="offline", GTFS_PATH="", MAP_TILE_URL="")
    yield


@pytest.fixture
def gtfs(app):
    """Use the TEST GTFS feed (made-up lines T1 Beausoleil–Monaco, T2 Cap-d'Ail–Monaco,
    06:00–21:00 Monday to Saturday)."""
    app.config["GTFS_PATH"] = str(TEST_GTFS)
    return TEST_GTFS


@pytest.fixture
def no_network(app, tmp_path):
    """An app whose routing cache folder is empty."""
    app.config["ROUTING_CACHE_DIR"] = str(tmp_path / "no-cache")
    return app
