"""GEOCODER=ban asks the BAN on the Géoplateforme unless GEOCODER_URL names an addok."""

from __future__ import annotations

import routing


def test_ban_defaults_to_the_geoplateforme():
    geocoder = routing.make_geocoder("ban")  # constructed only: no network in tests
    assert geocoder.backend.geocode_api == "https://data.geopf.fr/geocodage/search"
    assert geocoder.backend.reverse_api == "https://data.geopf.fr/geocodage/reverse"


def test_a_self_hosted_addok_replaces_it():
    geocoder = routing.make_geocoder("ban", domain="addok.internal:7878", scheme="http")
    assert geocoder.backend.geocode_api == "http://addok.internal:7878/search"
