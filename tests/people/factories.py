"""Factories for people tests: `create_beneficiary(...)`, `create_referral(...)`, answer sets."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta

from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.organisations.models import Referent
from mobility.people.models import Beneficiary, Pathway, Referral
from tests.factories import create_organisation, create_platform

_counter = itertools.count(1)

#: a complete set of answers with good mobility
GOOD_ANSWERS = {
    "modes_used": ["walk", "bus", "train"], "trips_alone": "anywhere",
    "longest_trip": "nearby_towns", "walking": "easy", "balance": "good", "perception": "good",
    "reads_map": "yes", "reads_timetable": "yes", "buys_ticket": "yes", "orientation": "yes",
    "rides_bike": "confident", "two_wheeler": "some", "licence_b": "held",
    "driving_experience": "occasional", "knows_network": "good", "knows_fare_rights": "yes",
    "budget": "enough", "equipment": ["phone_data", "transit_pass"], "hours": "standard",
    "children": "none", "health": "none",
}
#: a complete set of answers with little mobility
LOW_ANSWERS = {
    **GOOD_ANSWERS, "modes_used": ["walk"], "trips_alone": "familiar_only",
    "longest_trip": "town", "reads_map": "with_help", "reads_timetable": "no",
    "buys_ticket": "with_help", "orientation": "with_help", "rides_bike": "no",
    "two_wheeler": "no", "licence_b": "no", "driving_experience": "none",
    "knows_network": "none", "knows_fare_rights": "no", "budget": "tight",
    "equipment": ["none"], "hours": "early_late",
}


def create_referent(platform, organisation=None, **overrides) -> Referent:
    organisation = organisation or create_organisation(platform)
    n = next(_counter)
    referent = Referent(platform_id=platform.id, organisation_id=organisation.id,
                        first_name=overrides.pop("first_name", "Anne"),
                        last_name=overrides.pop("last_name", f"Référente {n}"), **overrides)
    db.session.add(referent)
    db.session.commit()
    return referent


def create_beneficiary(platform=None, *, pathway: bool = True, opened_days_ago: int = 30,
                       **overrides) -> Beneficiary:
    """A beneficiary (AMIE-eligible by default) with an open pathway."""
    platform = platform or create_platform()
    n = next(_counter)
    values = dict(
        first_name=f"Camille{n}", last_name="Durand", birth_date=date(1990, 5, 17),
        gender="female", phone="0600000000", email=f"camille{n}@example.org",
        address="12 boulevard de la République, 06240 Beausoleil", receives_rsa=True,
        lives_in_qpv=False, has_disability=True, health_constraints="Asthme",
        has_licence_b=True, licence_b_since=date(2015, 1, 10), employment_kind="job",
        employer="Hôtel de Paris", workplace_address="Place du Casino, Monaco",
        contract_type="fixed_term", contract_start=local_today() - timedelta(days=10),
        contract_end=local_today() + timedelta(days=170), shift_start=time(6, 0),
        shift_end=time(14, 0), obstacles=["no_vehicle"],
    )
    if "referent_id" not in overrides:
        values["referent_id"] = create_referent(platform).id
    values.update(overrides)
    beneficiary = Beneficiary(platform_id=platform.id, **values)
    db.session.add(beneficiary)
    if pathway:
        db.session.add(Pathway(platform_id=platform.id, beneficiary=beneficiary, status="open",
                               opened_on=local_today() - timedelta(days=opened_days_ago)))
    db.session.commit()
    return beneficiary


def create_referral(platform, organisation=None, **overrides) -> Referral:
    organisation = organisation or create_organisation(platform)
    n = next(_counter)
    referral = Referral(
        platform_id=platform.id, organisation_id=organisation.id,
        first_name=overrides.pop("first_name", f"Lina{n}"),
        last_name=overrides.pop("last_name", "Martin"),
        birth_date=overrides.pop("birth_date", date(1998, 3, 2)), reason="job_found",
        employer="SBM", workplace_address="Port Hercule, Monaco", obstacles=["no_licence"],
        consent=True, status=overrides.pop("status", "submitted"), **overrides,
    )
    db.session.add(referral)
    db.session.commit()
    return referral


def referral_body(**overrides) -> dict:
    body = {
        "first_name": "Inès", "last_name": "Garcia", "birth_date": "1997-02-03",
        "gender": "female", "phone": "0611223344", "address": "Avenue de Verdun, 06360 Èze",
        "reason": "job_found", "employer": "Café de Paris",
        "workplace_address": "Place du Casino, Monaco", "shift_start": "05:30",
        "shift_end": "13:00", "early_shifts": True, "contract_type": "fixed_term",
        "contract_start": "2026-01-05", "contract_end": "2026-07-05",
        "obstacles": ["no_vehicle", "cost"], "consent": True,
    }
    body.update(overrides)
    return body
