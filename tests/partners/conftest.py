"""Fixtures of the partner tests: the loopback OpenID provider (one per session)."""

from __future__ import annotations

import pytest

from tests.partners.oidc_provider import start_provider

APP_BASE = "http://app.test"
SIRET_ML = "73282932000074"  # valid (Luhn) SIRETs, none a real partner's here
SIRET_OTHER = "35600000000048"
SIRET_PLATFORM = "44306184100047"

ACCOUNTS = {
    "claire.prescriber@ml.example.org": {
        "email": "claire.prescriber@ml.example.org", "given_name": "Claire",
        "usual_name": "Martin", "siret": SIRET_ML},
    "elsewhere@ml.example.org": {
        "email": "elsewhere@ml.example.org", "given_name": "Paul", "usual_name": "Durand",
        "siret": SIRET_OTHER},
    "stranger@ft.example.org": {
        "email": "stranger@ft.example.org", "given_name": "Nora", "usual_name": "Ali",
        "siret": SIRET_ML},
    "advisor.pc@platform.example.org": {
        "email": "advisor.pc@platform.example.org", "given_name": "Lou", "usual_name": "Roy",
        "siret": SIRET_PLATFORM},
}


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    provider = start_provider(tmp_path_factory.mktemp("oidc"), redirect_base=APP_BASE,
                              accounts=ACCOUNTS)
    yield provider
    provider.stop()
