"""The demo platform: a territory around Monaco and its French neighbouring communes.

`load_demo()` is idempotent: running it twice changes nothing. Feature packages add their
demo data through `mobility.<feature>.demo.load(platform)`.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from mobility.auth.models import User
from mobility.core.db import db
from mobility.organisations.models import PartnerOrganisation
from mobility.partners.demo import DEMO_SIRETS
from mobility.platforms.models import Platform

DEMO_SLUG = "riviera"
DEMO_PASSWORD = "demo-mobilite-2026"

DEMO_ORGANISATIONS = (
    ("France Travail Menton", "france_travail"),
    ("Mission locale Pays de Menton", "mission_locale"),
    ("CCAS de Beausoleil", "ccas"),
    ("Département des Alpes-Maritimes – service RSA", "departement_rsa"),
    ("Intérim Riviera", "temp_agency"),
)

#: (email, password, role) of the demo accounts, printed by `flask demo load`.
DEMO_ACCOUNTS = (
    ("admin@demo.mobilite.fr", DEMO_PASSWORD, "admin"),
    ("conseillere@demo.mobilite.fr", DEMO_PASSWORD, "advisor"),
    ("parc@demo.mobilite.fr", DEMO_PASSWORD, "fleet_manager"),
    ("referente@demo.mobilite.fr", DEMO_PASSWORD, "prescriber"),
    ("beneficiaire@demo.mobilite.fr", DEMO_PASSWORD, "beneficiary"),
)
#: the demo advisor's work phone (a Nice-area landline, E.164), shown on the portal
DEMO_ADVISOR_PHONE = "+33493123456"
DEMO_NAMES = {
    "admin": "Claire Administratrice",
    "advisor": "Sophie Martin",
    "fleet_manager": "Karim Benali",
    "prescriber": "Nadia Rossi",
    "beneficiary": "Julien Moreau",
}


def _get_or_create(model, defaults: dict | None = None, **keys):
    row = db.session.scalar(select(model).filter_by(**keys))
    if row is None:
        row = model(**keys, **(defaults or {}))
        db.session.add(row)
        db.session.flush()
    return row


def load_demo() -> Platform:
    """Create or complete the demo platform and its accounts."""
    platform = _get_or_create(
        Platform, slug=DEMO_SLUG,
        defaults={"name": "Plateforme mobilité Riviera (démo)"},
    )
    if platform.legal_name is None:
        # illustrative identity, set before any contract is signed (the contracts state it);
        # the SIRET is the fictitious one the partners' demo publishes
        platform.legal_name = "Association Mobilité Riviera (démo)"
        platform.legal_address = "12 avenue de Verdun, 06500 Menton"
        platform.siret = platform.siret or DEMO_SIRETS["platform"]
    organisations = {
        name: _get_or_create(PartnerOrganisation, platform_id=platform.id, name=name,
                             defaults={"kind": kind})
        for name, kind in DEMO_ORGANISATIONS
    }
    for email, password, role in DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email, role=role, platform_id=platform.id, full_name=DEMO_NAMES[role],
                organisation_id=(
                    organisations["Mission locale Pays de Menton"].id
                    if role == "prescriber" else None
                ),
            )
            user.set_password(password)
            db.session.add(user)
        if role == "advisor" and user.phone is None:
            user.phone = DEMO_ADVISOR_PHONE  # the portal's call button
    db.session.commit()
    for feature in current_app.extensions["features"]:
        if feature.load_demo is not None:
            feature.load_demo(platform)
            db.session.commit()
    return platform
