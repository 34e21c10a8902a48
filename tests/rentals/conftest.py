"""Fixtures of the rental rules tests (helpers in `tests.rentals.world`)."""

import pytest

from tests.rentals.world import make_world


@pytest.fixture
def world(client):
    """A platform with a site, an advisor and a fleet manager using the API."""
    return make_world(client)
