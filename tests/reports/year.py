"""A small platform with a known year of activity, for the reports and privacy tests (its
records made with `tests.factories`)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from fleet.models import (
    CarpoolRide,
    MinibusBooking,
    MinibusRun,
    Rental,
    SeatBooking,
    Site,
    Vehicle,
)
from mobility.core.db import db
from mobility.organisations.models import PartnerOrganisation
from mobility.payments.models import Payment
from mobility.people.models import (
    Beneficiary,
    CaseNote,
    PathwayAction,
    Referral,
)
from tests.factories import (
    create_assessment,
    create_beneficiary,
    create_organisation,
    create_pathway,
    create_platform,
    create_site,
    create_vehicle,
)

_counter = itertools.count(1)
YEAR = 2025
START, END = date(YEAR, 1, 1), date(YEAR, 12, 31)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def create_person(platform, **overrides) -> Beneficiary:
    """A person of the year's activity: a complete file (health, employer...) made in January."""
    n = next(_counter)
    values = dict(first_name=f"Inès{n}", last_name="Marchetti", birth_date=date(1995, 6, 1),
                  gender="female", phone="06 11 22 33 44", email=f"ines{n}@exemple.fr",
                  address="3 rue des Orangers, 06240 Beausoleil", employer="Hôtel Hermitage",
                  health_constraints="Asthme sévère", created_at=at(date(YEAR, 1, 2)))
    values.update(overrides)
    return create_beneficiary(platform, **values)


def create_year_assessment(pathway, kind: str, potential: int, on: date):
    """An assessment of the year, with an answer the anonymisation must erase."""
    return create_assessment(pathway, kind, potential, on, answers={"health": "asthma"},
                             sub_scores={"global": potential})


def create_fleet(platform) -> tuple[Site, Vehicle, Vehicle]:
    """A site with a car and a bike, no papers."""
    site = create_site(platform, address="1 avenue de Verdun, 06240 Beausoleil")
    papers = {"insurance_expires_on": None, "technical_inspection_expires_on": None,
              "licence_category": None, "odometer_km": 0}
    car = create_vehicle(site, kind="car", plate=f"AB-{next(_counter):03d}-CD", **papers)
    bike = create_vehicle(site, kind="bike", plate=f"VELO-{next(_counter)}", **papers)
    return site, car, bike


@dataclass
class Year:
    """What `create_year` made, to assert on."""

    platform: object
    people: list = field(default_factory=list)
    organisations: list = field(default_factory=list)
    rentals: list = field(default_factory=list)
    payments: list = field(default_factory=list)


def create_year(platform=None) -> Year:
    """A year of activity with known figures (see tests/reports/test_reports.py)."""
    platform = platform or create_platform()
    year = Year(platform)
    ml = create_organisation(platform, name=f"Mission locale {next(_counter)}")
    ft = create_organisation(platform, name=f"France Travail {next(_counter)}",
                             kind="france_travail")
    garage = PartnerOrganisation(platform_id=platform.id, name=f"Garage {next(_counter)}",
                                 kind="social_garage")
    db.session.add(garage)
    db.session.flush()
    year.organisations = [ml, ft, garage]

    ines = create_person(platform, lives_in_qpv=True, birth_date=date(1990, 3, 4))
    karim = create_person(platform, first_name="Karim", gender="male", receives_rsa=True,
                          birth_date=date(2003, 8, 9))
    sam = create_person(platform, first_name="Sam", gender="other", birth_date=None)
    old = create_person(platform, first_name="Outside", gender="male",
                        created_at=at(date(YEAR - 2, 1, 1)))
    year.people = [ines, karim, sam, old]

    for org, status, day in ((ml, "accepted", date(YEAR, 2, 1)), (ml, "declined", date(YEAR, 3, 1)),
                             (ft, "submitted", date(YEAR, 12, 30)),
                             (ft, "accepted", date(YEAR - 1, 12, 30))):
        db.session.add(Referral(
            platform_id=platform.id, organisation_id=org.id, first_name="Ref", last_name="Erral",
            reason="job_found", status=status, created_at=at(day),
            beneficiary_id=ines.id if status == "accepted" and day.year == YEAR else None))

    p_ines = create_pathway(ines, date(YEAR, 2, 3), status="exited", exit_date=date(YEAR, 9, 1),
                            exit_reason="solution_found", exit_solution="own_car",
                            exit_employment="permanent", exit_notes="A trouvé une voiture.")
    p_karim = create_pathway(karim, date(YEAR - 1, 11, 1))
    create_pathway(sam, date(YEAR, 12, 1))
    create_pathway(old, date(YEAR - 2, 1, 1), status="exited", exit_date=date(YEAR - 2, 6, 1),
                   exit_reason="moved", exit_solution="none", exit_employment="none")
    create_year_assessment(p_ines, "entry", 40, date(YEAR, 2, 5))
    create_year_assessment(p_ines, "exit", 70, date(YEAR, 8, 30))
    create_year_assessment(p_karim, "entry", 50, date(YEAR - 1, 11, 2))
    for pathway, kind, day in ((p_ines, "coaching", date(YEAR, 2, 10)),
                               (p_ines, "coaching", date(YEAR, 3, 10)),
                               (p_karim, "coaching", date(YEAR, 1, 10)),
                               (p_karim, "workshop", date(YEAR, 4, 10)),
                               (p_karim, "coaching", date(YEAR - 1, 12, 1))):
        db.session.add(PathwayAction(platform_id=platform.id, pathway_id=pathway.id, kind=kind,
                                     done_on=day, notes="Notes libres"))
    db.session.add(PathwayAction(platform_id=platform.id, pathway_id=p_ines.id,
                                 kind="partner_referral", done_on=date(YEAR, 5, 5),
                                 partner_organisation_id=garage.id))
    db.session.add(CaseNote(platform_id=platform.id, beneficiary_id=ines.id,
                            pathway_id=p_ines.id, kind="meeting", noted_on=date(YEAR, 2, 5),
                            text="Situation familiale difficile"))

    _site, car, bike = create_fleet(platform)
    # car: 10 days inside the year, 5,00 EUR a day -> 50,00 EUR; 20,00 EUR paid
    car_rental = Rental(platform_id=platform.id, vehicle_id=car.id, beneficiary_id=ines.id,
                        start_date=date(YEAR, 3, 1), end_date=date(YEAR, 3, 11),
                        status="returned", notes="Rayure portière")
    # bike: from 27 Dec of the year before to 6 Jan: 5 days in the year; 1,00 EUR a day
    bike_rental = Rental(platform_id=platform.id, vehicle_id=bike.id, beneficiary_id=sam.id,
                         start_date=date(YEAR - 1, 12, 27), end_date=date(YEAR, 1, 6),
                         status="returned")
    cancelled = Rental(platform_id=platform.id, vehicle_id=car.id, beneficiary_id=karim.id,
                       start_date=date(YEAR, 6, 1), end_date=date(YEAR, 6, 30),
                       status="cancelled")
    db.session.add_all([car_rental, bike_rental, cancelled])
    db.session.flush()
    year.rentals = [car_rental, bike_rental]
    payment = Payment(platform_id=platform.id, rental_id=car_rental.id, amount_cents=2000,
                      method="cash", status="succeeded", paid_on=date(YEAR, 3, 1))
    db.session.add(payment)
    year.payments = [payment]

    ride = CarpoolRide(platform_id=platform.id, driver_kind="volunteer", driver_name="Jean",
                       origin="Beausoleil", destination="Monaco", departure_time=time(7),
                       seats=3, valid_from=date(YEAR, 1, 1))
    run = MinibusRun(platform_id=platform.id, name="Tournée", run_date=date(YEAR, 4, 2),
                     departure_time=time(6), driver_name="Paul", capacity=8)
    db.session.add_all([ride, run])
    db.session.flush()
    for day in (date(YEAR, 4, 1), date(YEAR, 4, 2)):
        db.session.add(SeatBooking(platform_id=platform.id, ride_id=ride.id,
                                   beneficiary_id=karim.id, ride_date=day, seat_number=1))
    db.session.add(MinibusBooking(platform_id=platform.id, run_id=run.id,
                                  beneficiary_id=karim.id, seat_number=1,
                                  charter_accepted_at=at(date(YEAR, 4, 1)),
                                  charter_version="2026-1"))
    db.session.commit()
    return year


def days_ago(now: datetime, days: int) -> date:
    return (now - timedelta(days=days)).date()
