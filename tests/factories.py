"""The test factories: one `create_x(**fields)` per kind of record, used by every test package.

Each factory gives sensible defaults, lets every field be overridden by keyword, saves the record
(committed) and returns it; what it needs and is not given (a platform, a site, a person) it
creates. Loaded as a pytest plugin from `tests/conftest.py`, so the fixtures at the end
(`platform`, `make_user`) are available everywhere.

- platform and staff: `create_platform`, `create_organisation`, `create_user`, `create_staff`,
  `create_referent`;
- people: `create_beneficiary` (a bare file, or `ready=True`: what a booking needs),
  `create_amie_beneficiary` (a complete file meeting every AMIE criterion), `open_pathway`,
  `make_ready`, `create_pathway`, `create_assessment`, `create_referral`;
- fleet: `create_site`, `create_vehicle`, `create_rental`, `create_money_rental` (checked out,
  with a mileage allowance), `create_amie_rental`, `create_ride`, `create_maintenance_job`;
- workshops: `create_workshop_session`;
- signing in: `login` (the real form), `api_token`, `bearer`, `csrf_token_from`.
"""

from __future__ import annotations

import copy
import itertools
import re
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from fleet.licences import required_category
from fleet.models import (
    INSPECTED_KINDS,
    INSURED_KINDS,
    CarpoolRide,
    Inspection,
    MaintenanceJob,
    Rental,
    Site,
    Vehicle,
)
from mobility.auth.models import User
from mobility.core.dates import add_months, local_today
from mobility.core.db import db
from mobility.organisations.models import PartnerOrganisation, Referent
from mobility.people.models import (
    Beneficiary,
    MobilityAssessment,
    Pathway,
    Referral,
    Workshop,
    WorkshopAttendance,
    WorkshopSession,
)
from mobility.platforms.models import Platform
from mobility.pricing.engine import TariffRates
from mobility.pricing.models import RentalTerms

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def _saved(record):
    db.session.add(record)
    db.session.commit()
    return record


def platform_of(record) -> Platform:
    """The platform a record belongs to."""
    return db.session.get(Platform, record.platform_id)


# --- the platform and its staff ---------------------------------------------------------------

def create_platform(**overrides) -> Platform:
    n = next(_counter)
    return _saved(Platform(slug=overrides.pop("slug", f"platform-{n}"),
                           name=overrides.pop("name", f"Platform {n}"), **overrides))


def create_organisation(platform: Platform, **overrides) -> PartnerOrganisation:
    n = next(_counter)
    return _saved(PartnerOrganisation(
        platform_id=platform.id, name=overrides.pop("name", f"Mission locale {n}"),
        kind=overrides.pop("kind", "mission_locale"), **overrides,
    ))


def create_user(role: str = "advisor", platform: Platform | None = None, **overrides) -> User:
    """A staff (or beneficiary) account that signs in with `PASSWORD`; `password=None` gives an
    account with no password (an actor for services, quicker: nothing to hash). A prescriber
    belongs to a new organisation unless given one."""
    platform = platform or create_platform()
    n = next(_counter)
    organisation_id = overrides.pop("organisation_id", None)
    if role == "prescriber" and organisation_id is None:
        organisation_id = create_organisation(platform).id
    password = overrides.pop("password", PASSWORD)
    user = User(
        email=overrides.pop("email", f"{role}{n}@example.org"), role=role,
        platform_id=platform.id, full_name=overrides.pop("full_name", f"{role.title()} {n}"),
        organisation_id=organisation_id, **overrides,
    )
    if password is not None:
        user.set_password(password)
    return _saved(user)


def create_staff(platform: Platform) -> dict[str, User]:
    """An advisor and a fleet manager (with e-mail addresses), by role."""
    return {"advisor": create_user("advisor", platform=platform),
            "fleet_manager": create_user("fleet_manager", platform=platform)}


def create_referent(platform: Platform, organisation: PartnerOrganisation | None = None,
                    **overrides) -> Referent:
    """A new referent, of a new organisation unless given one."""
    organisation = organisation or create_organisation(platform)
    n = next(_counter)
    return _saved(Referent(platform_id=platform.id, organisation_id=organisation.id,
                           first_name=overrides.pop("first_name", "Anne"),
                           last_name=overrides.pop("last_name", f"Référente {n}"), **overrides))


def referent_of(platform: Platform) -> Referent:
    """The platform's first referent (one made with its organisation if none): who follows a
    `ready` person. Flushed, not committed."""
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


# --- people ---------------------------------------------------------------------------------

#: a B licence held since 2015, as the file stores it
B_LICENCE = {"licences": [{"category": "B", "obtained_on": "2015-06-01", "valid_until": None,
                           "suspended": False, "a1_training": False}],
             "has_licence_b": True, "licence_b_since": date(2015, 6, 1)}


def create_beneficiary(platform: Platform | None = None, *, ready: bool = False,
                       pathway: bool | date = False, assessed: bool | None = None,
                       **fields) -> Beneficiary:
    """A person's file: a name and an e-mail address (no phone, no birth date).

    - `ready=True`: what a booking needs: an adult (born in 1990), followed by the platform's
      referent, a mobility obstacle, a B licence held since 2015, an open pathway with its
      entry assessment;
    - `pathway=True` (opened 30 days ago) or a date: an open pathway; `assessed`: with its
      entry assessment (by default when `ready`).
    """
    platform = platform or create_platform()
    n = next(_counter)
    values = {"first_name": "Léa", "last_name": f"Martin{n}", "email": f"lea{n}@example.org",
              "phone": None}
    if ready:
        values["birth_date"] = date(1990, 1, 1)
        if "referent_id" not in fields:
            values["referent_id"] = referent_of(platform).id
        values["obstacles"] = ["no_vehicle"]
        if "licences" not in fields and "has_licence_b" not in fields:
            values.update(copy.deepcopy(B_LICENCE))
    values.update(fields)
    person = Beneficiary(platform_id=platform.id, **values)
    db.session.add(person)
    db.session.flush()
    if ready or pathway:
        open_pathway(person, assessed=ready if assessed is None else assessed,
                     opened_on=pathway if isinstance(pathway, date) else None)
    db.session.commit()
    return person


def create_amie_beneficiary(platform: Platform | None = None, *, pathway: bool | date = True,
                            opened_days_ago: int = 30, **fields) -> Beneficiary:
    """A complete file that meets every AMIE criterion (RSA, a disability, a B licence since
    2015, a fixed-term job at Monaco started 10 days ago, early shifts), followed by a new
    referent, with an open pathway opened `opened_days_ago` days ago (no assessment)."""
    platform = platform or create_platform()
    if pathway is True:
        pathway = local_today() - timedelta(days=opened_days_ago)
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
    if "referent_id" not in fields:
        values["referent_id"] = create_referent(platform).id
    values.update(fields)
    return create_beneficiary(platform, pathway=pathway, **values)


def open_pathway(person: Beneficiary, *, assessed: bool = True,
                 opened_on: date | None = None) -> Pathway:
    """The person's open pathway (opened 30 days ago, or on `opened_on`, if none), with an entry
    assessment 28 days ago when `assessed`. Flushed, not committed."""
    db.session.flush()
    db.session.expire(person, ["pathways"])
    pathway = person.open_pathway
    if pathway is None:
        pathway = Pathway(platform_id=person.platform_id, beneficiary_id=person.id,
                          status="open",
                          opened_on=opened_on or local_today() - timedelta(days=30))
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


def make_ready(person: Beneficiary) -> Beneficiary:
    """Give an existing file what a booking needs (as `create_beneficiary(ready=True)`)."""
    platform = platform_of(person)
    person.referent_id = person.referent_id or referent_of(platform).id
    person.obstacles = person.obstacles or ["no_vehicle"]
    if not person.licences:
        for name, value in copy.deepcopy(B_LICENCE).items():
            setattr(person, name, value)
    open_pathway(person, assessed=True)
    db.session.commit()
    return person


def create_pathway(person: Beneficiary, opened_on: date | None = None, **overrides) -> Pathway:
    """A pathway of the person (open unless told), whatever others they have."""
    return _saved(Pathway(platform_id=person.platform_id, beneficiary_id=person.id,
                          opened_on=opened_on or local_today(),
                          status=overrides.pop("status", "open"), **overrides))


def create_assessment(pathway: Pathway, kind: str = "entry", potential: int = 40,
                      on: date | None = None, **overrides) -> MobilityAssessment:
    """A mobility assessment of the pathway."""
    return _saved(MobilityAssessment(
        platform_id=pathway.platform_id, beneficiary_id=pathway.beneficiary_id,
        pathway_id=pathway.id, kind=kind, assessed_on=on or local_today(),
        answers=overrides.pop("answers", {}), sub_scores=overrides.pop("sub_scores", {}),
        mobility_potential=potential, ladder=overrides.pop("ladder", []),
        scoring=overrides.pop("scoring", {}), **overrides))


def create_referral(platform: Platform, organisation: PartnerOrganisation | None = None,
                    **overrides) -> Referral:
    """A referral sent by an organisation (a new one unless given), submitted."""
    organisation = organisation or create_organisation(platform)
    n = next(_counter)
    return _saved(Referral(
        platform_id=platform.id, organisation_id=organisation.id,
        first_name=overrides.pop("first_name", f"Lina{n}"),
        last_name=overrides.pop("last_name", "Martin"),
        birth_date=overrides.pop("birth_date", date(1998, 3, 2)), reason="job_found",
        employer="SBM", workplace_address="Port Hercule, Monaco", obstacles=["no_licence"],
        consent=True, status=overrides.pop("status", "submitted"), **overrides,
    ))


# --- sites, vehicles, rentals ---------------------------------------------------------------

def create_site(platform: Platform | None = None, **overrides) -> Site:
    platform = platform or create_platform()
    n = next(_counter)
    return _saved(Site(platform_id=platform.id, name=overrides.pop("name", f"Pôle {n}"),
                       kind=overrides.pop("kind", "pole"),
                       address=overrides.pop("address",
                                             f"{n} avenue de Verdun, 06240 Beausoleil"),
                       **overrides))


def create_vehicle(site: Site | None = None, *, platform: Platform | None = None,
                   **overrides) -> Vehicle:
    """A vehicle (a scooter unless told) at the site (a new site of `platform` unless given),
    on the road for a year: insured, inspected for a car, of the licence category its kind
    needs."""
    site = site or create_site(platform)
    n = next(_counter)
    kind = overrides.pop("kind", "scooter")
    overrides.setdefault("insurance_expires_on", local_today() + timedelta(days=365)
                         if kind in INSURED_KINDS else None)
    overrides.setdefault("technical_inspection_expires_on", local_today() + timedelta(days=365)
                         if kind in INSPECTED_KINDS else None)
    overrides.setdefault("licence_category",
                         required_category(kind, overrides.get("engine_cc")))
    return _saved(Vehicle(platform_id=site.platform_id, site_id=site.id, kind=kind,
                          plate=overrides.pop("plate", f"GA-{n:03d}-BC"),
                          odometer_km=overrides.pop("odometer_km", 1000), **overrides))


def create_rental(vehicle: Vehicle | None = None, beneficiary: Beneficiary | None = None, *,
                  platform: Platform | None = None, start_date: date | None = None,
                  end_date: date | None = None, advisor: User | None = None,
                  **overrides) -> Rental:
    """A rental (booked unless told) of the vehicle (a new one of `platform` unless given) by
    the person (a `ready` one unless given), for 14 days from today, or ending on `end_date`."""
    vehicle = vehicle or create_vehicle(platform=platform)
    beneficiary = beneficiary or create_beneficiary(platform_of(vehicle), ready=True)
    if start_date is None:
        start_date = end_date - timedelta(days=14) if end_date else local_today()
    if advisor is not None:
        overrides["advisor_id"] = advisor.id
    return _saved(Rental(platform_id=vehicle.platform_id, vehicle_id=vehicle.id,
                         beneficiary_id=beneficiary.id, start_date=start_date,
                         end_date=end_date or start_date + timedelta(days=14),
                         status=overrides.pop("status", "booked"), **overrides))


def create_money_rental(platform: Platform | None = None, *, kind: str = "car",
                        beneficiary: Beneficiary | None = None, start: date = date(2026, 3, 2),
                        days: int = 28, status: str = "in_progress",
                        allowance_km: float | None = 40.0, check_out_km: int | None = 10000,
                        **overrides) -> Rental:
    """A rental as the money tests take it: a car in progress from 2 March 2026 for 28 days,
    40 km a day included, checked out at 10,000 km (the person's pathway opened on 5 January
    2026)."""
    platform = platform or create_platform()
    vehicle = create_vehicle(platform=platform, kind=kind, odometer_km=10000)
    beneficiary = beneficiary or create_beneficiary(platform, pathway=date(2026, 1, 5))
    rental = create_rental(vehicle, beneficiary, start_date=start,
                           end_date=start + timedelta(days=days), status=status,
                           daily_mileage_allowance_km=allowance_km, **overrides)
    if check_out_km is not None:
        _saved(Inspection(
            platform_id=platform.id, rental_id=rental.id, vehicle_id=vehicle.id,
            kind="check_out", odometer_km=check_out_km, checklist={},
            inspected_at=datetime(start.year, start.month, start.day, 9, tzinfo=UTC)))
    return rental


def create_amie_rental(platform: Platform, *, start_date: date, months: int = 5,
                       advisor: User | None = None, **overrides) -> Rental:
    """A car rented under the AMIE scheme for `months` months, in progress."""
    rental = create_rental(create_vehicle(platform=platform, kind="car"),
                           create_beneficiary(platform), start_date=start_date,
                           end_date=add_months(start_date, months), advisor=advisor,
                           status=overrides.pop("status", "in_progress"), **overrides)
    _saved(RentalTerms(platform_id=platform.id, rental_id=rental.id, scheme="amie",
                       rates=TariffRates().to_dict(), resources_band="under_600"))
    return rental


def create_ride(platform: Platform, **overrides) -> CarpoolRide:
    """A volunteer's carpool ride Beausoleil → Monaco at 07:30 every day, 3 seats."""
    return _saved(CarpoolRide(
        platform_id=platform.id, driver_kind=overrides.pop("driver_kind", "volunteer"),
        driver_name=overrides.pop("driver_name", "Gérard Vial"),
        origin=overrides.pop("origin", "Beausoleil"),
        destination=overrides.pop("destination", "Monaco"),
        weekdays=overrides.pop("weekdays", "0,1,2,3,4,5,6"),
        departure_time=overrides.pop("departure_time", time(7, 30)),
        seats=overrides.pop("seats", 3),
        valid_from=overrides.pop("valid_from", local_today()), **overrides))


def create_maintenance_job(vehicle: Vehicle, **overrides) -> MaintenanceJob:
    return _saved(MaintenanceJob(platform_id=vehicle.platform_id, vehicle_id=vehicle.id,
                                 kind=overrides.pop("kind", "service"), **overrides))


# --- workshops --------------------------------------------------------------------------------

def create_workshop_session(platform: Platform, *, starts_at: datetime,
                            attendees: Iterable[Beneficiary] = (),
                            advisor: User | None = None) -> WorkshopSession:
    """A session of a new workshop, with the people registered (each with a pathway followed by
    `advisor`, when given)."""
    workshop = Workshop(platform_id=platform.id, title=f"Lire le plan de bus {next(_counter)}")
    db.session.add(workshop)
    db.session.flush()
    session = WorkshopSession(platform_id=platform.id, workshop_id=workshop.id,
                              starts_at=starts_at, location="Pôle de Beausoleil")
    db.session.add(session)
    db.session.flush()
    for person in attendees:
        if advisor is not None:
            db.session.add(Pathway(platform_id=platform.id, beneficiary_id=person.id,
                                   advisor_id=advisor.id, opened_on=starts_at.date()))
        db.session.add(WorkshopAttendance(platform_id=platform.id, session_id=session.id,
                                          beneficiary_id=person.id))
    db.session.commit()
    return session


# --- signing in -------------------------------------------------------------------------------

def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, user: User, password: str = PASSWORD):
    """Sign in through the real form (CSRF token included); returns the response."""
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "email": user.email,
                                       "password": password})


def api_token(client, user: User, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port where nothing listens for the block: bound but never listening, so no
    other process can take it meanwhile and a connection is always refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def platform(app) -> Platform:
    return create_platform()


@pytest.fixture
def make_user(app):
    return create_user
