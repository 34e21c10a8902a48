"""Demo fleet: 3 sites around Monaco, 40 vehicles of every kind, rentals in progress, returns
due today, this week and one overdue, a maintenance job due, an immobilised car, carpool
rides and a minibus run. Idempotent: a second run changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import func, select

from fleet.models import (
    CHECKLISTS,
    CarpoolRide,
    Inspection,
    MaintenanceJob,
    MinibusBooking,
    MinibusRun,
    MinibusStop,
    Rental,
    SeatBooking,
    Site,
    Vehicle,
)
from mobility.auth.models import User
from mobility.core.columns import utcnow
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.people.models import Beneficiary, MobilityAssessment, Pathway
from mobility.rentals.lifecycle import mileage_allowance_for

SITES = (
    ("Pôle mobilité Beausoleil", "pole", "12 boulevard de la République, 06240 Beausoleil",
     "Lun-ven 8h30-12h30, 13h30-17h30", "04 93 78 00 00", 43.7427, 7.4240),
    ("Parking du port de Cap-d'Ail", "parking", "Avenue du Port, 06320 Cap-d'Ail",
     "Tous les jours 7h-20h", None, 43.7226, 7.4096),
    ("Pôle mobilité Roquebrune-Cap-Martin", "pole",
     "205 avenue Aristide Briand, 06190 Roquebrune-Cap-Martin",
     "Lun-ven 9h-12h, 14h-17h", "04 93 35 00 00", 43.7598, 7.4715),
)

#: (kind, count, label) — 40 vehicles in all
FLEET = (
    ("bike", 10, "Vélo de ville Arcade"),
    ("e_bike", 9, "VAE O2feel iSwan"),
    ("scooter", 8, "Scooter électrique Niu MQi"),
    ("moped", 6, "Cyclomoteur Peugeot Kisbee 50"),
    ("car", 7, "Renault Clio"),
)

DEMO_PEOPLE = (
    ("Amina", "Benhaddou", date(1994, 3, 12), "06 12 34 56 01", "8 rue des Martyrs, Beausoleil"),
    ("Lucas", "Giordano", date(2001, 7, 2), "06 12 34 56 02", "3 avenue de Verdun, Cap-d'Ail"),
    ("Fatou", "Diallo", date(1988, 11, 23), "06 12 34 56 03",
     "14 avenue Paul Doumer, Roquebrune-Cap-Martin"),
    ("Kevin", "Rossi", date(1999, 1, 30), "06 12 34 56 04",
     "27 boulevard du Général Leclerc, Beausoleil"),
    ("Sandrine", "Lopez", date(1979, 5, 18), "06 12 34 56 05", "5 chemin des Révoires, Cap-d'Ail"),
    ("Yanis", "Haddad", date(2003, 9, 9), "06 12 34 56 06", "2 rue Paul Bourgeois, Menton"),
    ("Maria", "Pereira", date(1991, 12, 1), "06 12 34 56 07",
     "41 avenue Jean Jaurès, Roquebrune-Cap-Martin"),
    ("Thomas", "Bernard", date(1985, 4, 27), "06 12 34 56 08", "9 rue Jules Ferry, Beausoleil"),
)


def _plate(kind: str, n: int) -> str:
    if kind in ("bike", "e_bike"):
        return f"{'VL' if kind == 'bike' else 'VA'}{202400 + n:06d}"
    letters = "ABCDEFGHJKLMNPQRSTVWXYZ"
    suffix = {"scooter": "SC", "moped": "MB"}.get(kind, "VT")
    return f"G{letters[n % len(letters)]}-{100 + n * 7:03d}-{suffix}"


def _licence(person: Beneficiary, category: str, obtained_on: date) -> None:
    """Record a licence on a demo file (and the B shorthand)."""
    items = [item for item in (person.licences or []) if item.get("category") != category]
    items.append({"category": category, "obtained_on": obtained_on.isoformat(),
                  "valid_until": None, "suspended": False, "a1_training": False})
    person.licences = items
    if category == "B":
        person.has_licence_b, person.licence_b_since = True, obtained_on


def _beneficiaries(platform) -> list[Beneficiary]:
    """The demo's renters: people with a pathway in progress and their entry assessment."""
    assessed = (select(Pathway.beneficiary_id)
                .join(MobilityAssessment, MobilityAssessment.pathway_id == Pathway.id)
                .where(Pathway.status == "open", MobilityAssessment.kind == "entry"))
    rows = list(db.session.scalars(select(Beneficiary).where(
        Beneficiary.platform_id == platform.id, Beneficiary.id.in_(assessed))
        .order_by(Beneficiary.id)))
    if len(rows) >= 6:
        return rows
    for first, last, born, phone, address in DEMO_PEOPLE:
        if any(b.first_name == first and b.last_name == last for b in rows):
            continue
        person = Beneficiary(platform_id=platform.id, first_name=first, last_name=last,
                             birth_date=born, phone=phone, address=address)
        db.session.add(person)
        rows.append(person)
    db.session.flush()
    return rows


def load(platform) -> None:
    """Create or complete the demo fleet of `platform`."""
    day = local_today()
    vehicles = _vehicles(platform, _sites(platform), day)
    already = db.session.scalar(select(func.count()).select_from(Rental).where(
        Rental.platform_id == platform.id))
    if already:
        db.session.commit()
        return
    people = _beneficiaries(platform)
    advisor = db.session.scalar(select(User).where(User.platform_id == platform.id,
                                                   User.role == "advisor").order_by(User.id))
    manager = db.session.scalar(select(User).where(User.platform_id == platform.id,
                                                   User.role == "fleet_manager").order_by(User.id))
    advisor_id = advisor.id if advisor else None
    _rentals(_Renter(platform.id, day, advisor_id, manager.id if manager else None),
             vehicles, people)
    _maintenance(platform, vehicles, day)
    _carpool(platform, people, day, advisor_id)
    _minibus(platform, people, day, advisor_id, vehicles["car"][6])
    db.session.commit()


def _sites(platform) -> list[Site]:
    sites = []
    for name, kind, address, hours, phone, lat, lon in SITES:
        site = db.session.scalar(select(Site).where(Site.platform_id == platform.id,
                                                    Site.name == name))
        if site is None:
            site = Site(platform_id=platform.id, name=name, kind=kind, address=address,
                        opening_hours=hours, phone=phone, lat=lat, lon=lon)
            db.session.add(site)
        sites.append(site)
    db.session.flush()
    return sites


def _vehicles(platform, sites: list[Site], day: date) -> dict[str, list[Vehicle]]:
    vehicles: dict[str, list[Vehicle]] = {}
    n = 0
    for kind, count, label in FLEET:
        for i in range(count):
            n += 1
            plate = _plate(kind, n)
            vehicle = db.session.scalar(select(Vehicle).where(
                Vehicle.platform_id == platform.id, Vehicle.plate == plate))
            if vehicle is None:
                vehicle = _new_vehicle(platform, kind, sites[i % 3], plate, label, n, day)
                db.session.add(vehicle)
            vehicles.setdefault(kind, []).append(vehicle)
    db.session.flush()
    return vehicles


def _new_vehicle(platform, kind: str, site: Site, plate: str, label: str, n: int,
                 day: date) -> Vehicle:
    motor = kind in ("scooter", "moped", "car")
    return Vehicle(
        platform_id=platform.id, kind=kind, site_id=site.id, plate=plate,
        label=label, odometer_km=(1200 + 937 * n) % 40000 if motor else 150 * n,
        energy_level_pct=None if kind == "bike" else 60 + (n * 7) % 40,
        insurance_policy=f"MAIF-{880000 + n}" if motor or kind == "e_bike" else None,
        insurance_expires_on=day + timedelta(days=20 + 11 * n) if motor else None,
        technical_inspection_expires_on=(
            day + timedelta(days=15 + 37 * n) if kind == "car" else None),
    )


@dataclass(frozen=True)
class _Renter:
    """Writes the demo's rentals: days are relative to `day`; the inspections are the
    manager's."""

    platform_id: int
    day: date
    advisor_id: int | None
    manager_id: int | None

    def rent(self, vehicle: Vehicle, person: Beneficiary, start: int, end: int,
             status: str) -> Rental:
        rental = Rental(platform_id=self.platform_id, vehicle_id=vehicle.id,
                        beneficiary_id=person.id, advisor_id=self.advisor_id,
                        start_date=self.day + timedelta(days=start),
                        end_date=self.day + timedelta(days=end), status=status)
        db.session.add(rental)
        db.session.flush()
        # 120 % of the person's home-work round trip, computed on the road network
        rental.daily_mileage_allowance_km = mileage_allowance_for(person, vehicle)
        if status in ("in_progress", "returned"):
            rental.checked_out_at = utcnow() - timedelta(days=-start)
            self._inspect(rental, vehicle, "check_out", vehicle.odometer_km, -start)
            if status == "in_progress":
                vehicle.status = "rented"
        if status == "returned":
            rental.returned_at = utcnow() - timedelta(days=-end)
            self._inspect(rental, vehicle, "check_in", vehicle.odometer_km + 310, -end)
            vehicle.odometer_km += 310
        return rental

    def _inspect(self, rental: Rental, vehicle: Vehicle, kind: str, odometer_km: int,
                 days_ago: int) -> None:
        db.session.add(Inspection(
            platform_id=self.platform_id, rental_id=rental.id, vehicle_id=vehicle.id,
            kind=kind, odometer_km=odometer_km, energy_level_pct=vehicle.energy_level_pct,
            checklist={item: True for item in CHECKLISTS[vehicle.kind]},
            inspector_id=self.manager_id, inspected_at=utcnow() - timedelta(days=days_ago)))


def _rentals(renter: _Renter, vehicles: dict[str, list[Vehicle]],
             people: list[Beneficiary]) -> None:
    by_name = {person.first_name: person for person in people}

    def person(first: str, fallback: int) -> Beneficiary:
        return by_name.get(first) or people[fallback % len(people)]

    rent = renter.rent
    cars, scooters, mopeds = vehicles["car"], vehicles["scooter"], vehicles["moped"]
    ebikes, bikes = vehicles["e_bike"], vehicles["bike"]
    thomas, julien, chloe = person("Thomas", 0), person("Julien", 1), person("Chloé", 2)
    fatou, yasmine, paul = person("Fatou", 3), person("Yasmine", 4), person("Paul", 5)
    # the licences the renters hold (Code de la route: B for a car, AM for a moped or a
    # 50 cm³ scooter unless born before 1988, B includes AM)
    _licence(yasmine, "B", date(2001, 6, 18))
    for rider in (julien, fatou):
        _licence(rider, "AM", rider.birth_date.replace(year=rider.birth_date.year + 15))
    # in progress: one overdue, two due today, two this week, the rest later
    rent(cars[0], thomas, -40, -2, "in_progress")
    rent(scooters[0], julien, -30, 0, "in_progress")
    rent(ebikes[0], chloe, -14, 0, "in_progress")
    rent(mopeds[0], fatou, -20, 3, "in_progress")
    rent(cars[1], yasmine, -60, 5, "in_progress")
    rent(bikes[0], paul, -7, 21, "in_progress")
    # booked, starting soon; one back-to-back with a rental ending today
    rent(ebikes[1], julien, 2, 60, "booked")
    rent(cars[3], yasmine, 7, 97, "booked")
    rent(scooters[0], yasmine, 1, 29, "booked")
    # past, returned
    rent(bikes[1], chloe, -90, -30, "returned")
    rent(mopeds[1], fatou, -120, -35, "returned")
    # an immobilised car with a booking that needs a replacement
    broken = cars[4]
    broken.status = "immobilised"
    broken.notes = "Embrayage HS (signalé au retour)."
    rent(broken, thomas, 3, 40, "booked")


def _maintenance(platform, vehicles: dict[str, list[Vehicle]], day: date) -> None:
    """The immobilised car's repair, a service due (by date), a technical inspection due."""
    cars, scooters = vehicles["car"], vehicles["scooter"]
    db.session.add(MaintenanceJob(platform_id=platform.id, vehicle_id=cars[4].id, kind="repair",
                                  description="Remplacement de l'embrayage",
                                  due_on=day + timedelta(days=4),
                                  cost_cents=68000))
    db.session.add(MaintenanceJob(platform_id=platform.id, vehicle_id=scooters[2].id,
                                  kind="service", description="Révision des 5 000 km",
                                  due_on=day - timedelta(days=1), cost_cents=9000))
    db.session.add(MaintenanceJob(platform_id=platform.id, vehicle_id=cars[5].id,
                                  kind="technical_inspection", description="Contrôle technique",
                                  due_on=day + timedelta(days=10)))


def _next_weekday(day: date) -> date:
    """The first Monday-to-Friday day after `day`."""
    next_weekday = day + timedelta(days=1)
    while next_weekday.weekday() > 4:
        next_weekday += timedelta(days=1)
    return next_weekday


def _carpool(platform, people: list[Beneficiary], day: date, advisor_id: int | None) -> None:
    ride = CarpoolRide(platform_id=platform.id, driver_kind="volunteer",
                       driver_name="Gérard Vial", driver_phone="06 98 76 54 32",
                       origin="Gare de Beausoleil",
                       destination="Zone d'activités de l'Arénas, Nice",
                       weekdays="0,1,2,3,4", departure_time=time(7, 15), return_time=time(17, 30),
                       seats=3, valid_from=day - timedelta(days=30))
    ride2 = CarpoolRide(platform_id=platform.id, driver_kind="employee",
                        driver_name="Hôtel Métropole (navette salariés)",
                        origin="Roquebrune-Cap-Martin, place de la Mairie",
                        destination="Monaco, avenue de la Madone", weekdays="0,1,2,3,4,5",
                        departure_time=time(6, 30), seats=4, valid_from=day - timedelta(days=10))
    db.session.add_all([ride, ride2])
    db.session.flush()
    db.session.add(SeatBooking(platform_id=platform.id, ride_id=ride.id,
                               beneficiary_id=people[2].id, ride_date=_next_weekday(day),
                               seat_number=1, booked_by_id=advisor_id))


def _minibus(platform, people: list[Beneficiary], day: date, advisor_id: int | None,
             vehicle: Vehicle) -> None:
    run = MinibusRun(platform_id=platform.id, name="Tournée zones d'emploi de Monaco",
                     run_date=_next_weekday(day), departure_time=time(6, 45),
                     driver_name="Patrick Ferrero", vehicle_id=vehicle.id, capacity=8)
    for position, (name, address, at) in enumerate((
        ("Beausoleil – Marché", "boulevard de la République", time(6, 45)),
        ("Cap-d'Ail – Gare", "avenue de la Gare", time(7, 0)),
        ("Roquebrune – Carnolès", "avenue Paul Doumer", time(7, 15)),
        ("Monaco – Fontvieille", "zone industrielle", time(7, 35)),
    ), start=1):
        run.stops.append(MinibusStop(platform_id=platform.id, position=position, name=name,
                                     address=address, stop_time=at))
    db.session.add(run)
    db.session.flush()
    db.session.add(MinibusBooking(platform_id=platform.id, run_id=run.id,
                                  beneficiary_id=people[3].id, stop_id=run.stops[0].id,
                                  seat_number=1, charter_accepted_at=utcnow(),
                                  charter_version="2026-1", booked_by_id=advisor_id))
