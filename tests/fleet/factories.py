"""Fleet factories: plain functions `create_x(**overrides)`."""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta

from sqlalchemy import select

from fleet.licences import required_category
from fleet.models import INSPECTED_KINDS, INSURED_KINDS, CarpoolRide, Rental, Site, Vehicle
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.people.models import Beneficiary
from tests.factories import create_platform

_counter = itertools.count(1)


def create_beneficiary(platform=None, *, ready: bool = True, **overrides) -> Beneficiary:
    """A person; `ready` (the default) gives them what a booking needs: followed by a referent,
    a mobility obstacle, a B licence held since 2015, an open pathway with its entry
    assessment. `ready=False` gives a bare file, to test the refusals."""
    platform = platform or create_platform()
    n = next(_counter)
    if ready:
        overrides.setdefault("referent_id", create_referent(platform).id)
        overrides.setdefault("obstacles", ["no_vehicle"])
        if "licences" not in overrides and "has_licence_b" not in overrides:
            overrides.update(B_LICENCE)
    person = Beneficiary(platform_id=platform.id, first_name=overrides.pop("first_name", "Léa"),
                         last_name=overrides.pop("last_name", f"Martin{n}"),
                         birth_date=overrides.pop("birth_date", date(1990, 1, 1)),
                         phone=overrides.pop("phone", "06 00 00 00 00"), **overrides)
    db.session.add(person)
    db.session.flush()
    if ready:
        open_pathway(person, assessed=True)
    db.session.commit()
    return person


B_LICENCE = {"licences": [{"category": "B", "obtained_on": "2015-06-01", "valid_until": None,
                           "suspended": False, "a1_training": False}],
             "has_licence_b": True, "licence_b_since": date(2015, 6, 1)}


def make_ready(person: Beneficiary) -> Beneficiary:
    """Give an existing file what a booking needs (referent, obstacle, B licence, open pathway
    with its entry assessment)."""
    from mobility.platforms.models import Platform

    platform = db.session.get(Platform, person.platform_id)
    person.referent_id = person.referent_id or create_referent(platform).id
    person.obstacles = person.obstacles or ["no_vehicle"]
    if not person.licences:
        for name, value in B_LICENCE.items():
            setattr(person, name, value)
    open_pathway(person, assessed=True)
    db.session.commit()
    return person


def create_referent(platform):
    from mobility.organisations.models import PartnerOrganisation, Referent

    referent = db.session.scalar(select(Referent).where(Referent.platform_id == platform.id)
                                 .limit(1))
    if referent is None:
        organisation = PartnerOrganisation(platform_id=platform.id, name="Mission locale test",
                                           kind="mission_locale")
        db.session.add(organisation)
        db.session.flush()
        referent = Referent(platform_id=platform.id, organisation_id=organisation.id,
                            first_name="Nadia", last_name="Referente")
        db.session.add(referent)
        db.session.flush()
    return referent


def open_pathway(person: Beneficiary, *, assessed: bool = True):
    """The person's open pathway (opened if none), with an entry assessment when `assessed`."""
    from mobility.people.models import MobilityAssessment, Pathway

    db.session.flush()
    db.session.expire(person, ["pathways"])
    pathway = person.open_pathway
    if pathway is None:
        pathway = Pathway(platform_id=person.platform_id, beneficiary_id=person.id,
                          status="open", opened_on=local_today() - timedelta(days=30))
        db.session.add(pathway)
        db.session.flush()
    if assessed and pathway.assessment("entry") is None:
        db.session.add(MobilityAssessment(
            platform_id=person.platform_id, beneficiary_id=person.id, pathway_id=pathway.id,
            kind="entry", assessed_on=local_today() - timedelta(days=28), answers={},
            sub_scores={}, mobility_potential=40, ladder=[], scoring={}))
    db.session.flush()
    db.session.expire(person, ["pathways"])
    return pathway


def create_site(platform=None, **overrides) -> Site:
    platform = platform or create_platform()
    n = next(_counter)
    site = Site(platform_id=platform.id, name=overrides.pop("name", f"Pôle {n}"),
                kind=overrides.pop("kind", "pole"),
                address=overrides.pop("address", f"{n} avenue de Verdun, 06240 Beausoleil"),
                **overrides)
    db.session.add(site)
    db.session.commit()
    return site


def create_vehicle(site: Site | None = None, **overrides) -> Vehicle:
    site = site or create_site()
    n = next(_counter)
    kind = overrides.pop("kind", "scooter")
    # on the road for a year: insured, and inspected for a car
    overrides.setdefault("insurance_expires_on", local_today() + timedelta(days=365)
                         if kind in INSURED_KINDS else None)
    overrides.setdefault("technical_inspection_expires_on", local_today() + timedelta(days=365)
                         if kind in INSPECTED_KINDS else None)
    overrides.setdefault("licence_category",
                         required_category(kind, overrides.get("engine_cc")))
    vehicle = Vehicle(platform_id=site.platform_id, site_id=site.id, kind=kind,
                      plate=overrides.pop("plate", f"GA-{n:03d}-BC"),
                      odometer_km=overrides.pop("odometer_km", 1000), **overrides)
    db.session.add(vehicle)
    db.session.commit()
    return vehicle


def create_rental(vehicle: Vehicle | None = None, beneficiary: Beneficiary | None = None,
                  **overrides) -> Rental:
    vehicle = vehicle or create_vehicle()
    beneficiary = beneficiary or create_beneficiary(_platform(vehicle))
    start = overrides.pop("start_date", local_today())
    rental = Rental(platform_id=vehicle.platform_id, vehicle_id=vehicle.id,
                    beneficiary_id=beneficiary.id, start_date=start,
                    end_date=overrides.pop("end_date", start + timedelta(days=14)),
                    status=overrides.pop("status", "booked"), **overrides)
    db.session.add(rental)
    db.session.commit()
    return rental


def create_ride(platform, **overrides) -> CarpoolRide:
    from datetime import time

    ride = CarpoolRide(platform_id=platform.id,
                       driver_kind=overrides.pop("driver_kind", "volunteer"),
                       driver_name=overrides.pop("driver_name", "Gérard Vial"),
                       origin=overrides.pop("origin", "Beausoleil"),
                       destination=overrides.pop("destination", "Monaco"),
                       weekdays=overrides.pop("weekdays", "0,1,2,3,4,5,6"),
                       departure_time=overrides.pop("departure_time", time(7, 30)),
                       seats=overrides.pop("seats", 3),
                       valid_from=overrides.pop("valid_from", local_today()), **overrides)
    db.session.add(ride)
    db.session.commit()
    return ride


def _platform(vehicle: Vehicle):
    from mobility.platforms.models import Platform

    return db.session.get(Platform, vehicle.platform_id)


def png_bytes(size: tuple[int, int] = (4, 3)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def good_checklist(kind: str) -> dict[str, bool]:
    """Every item of the kind's check-out checklist, in good order."""
    from fleet.models import CHECKLISTS

    return {item: True for item in CHECKLISTS[kind]}


def prepare_hand_over(actor, rental: Rental) -> Rental:
    """What the hand-over needs, through the real steps: the contract signed by the person and
    the deposit held (a cheque)."""
    from mobility.rentals import lifecycle

    lifecycle.sign_contract(actor, rental, signer_name=rental.beneficiary.full_name,
                            accepted=True)
    if lifecycle.rules.deposit_due_cents(rental):
        lifecycle.take_deposit(actor, rental, method="cheque", reference=f"CHQ-{rental.id}")
    return rental
