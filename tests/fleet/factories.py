"""Fleet factories: plain functions `create_x(**overrides)`."""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta

from fleet.models import CarpoolRide, Rental, Site, Vehicle
from fleet.services import today
from mobility.extensions import db
from mobility.people.models import Beneficiary
from tests.factories import create_platform

_counter = itertools.count(1)


def create_beneficiary(platform=None, **overrides) -> Beneficiary:
    platform = platform or create_platform()
    n = next(_counter)
    person = Beneficiary(platform_id=platform.id, first_name=overrides.pop("first_name", "Léa"),
                         last_name=overrides.pop("last_name", f"Martin{n}"),
                         birth_date=overrides.pop("birth_date", date(1990, 1, 1)),
                         phone=overrides.pop("phone", "06 00 00 00 00"), **overrides)
    db.session.add(person)
    db.session.commit()
    return person


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
    vehicle = Vehicle(platform_id=site.platform_id, site_id=site.id,
                      kind=overrides.pop("kind", "scooter"),
                      plate=overrides.pop("plate", f"GA-{n:03d}-BC"),
                      odometer_km=overrides.pop("odometer_km", 1000), **overrides)
    db.session.add(vehicle)
    db.session.commit()
    return vehicle


def create_rental(vehicle: Vehicle | None = None, beneficiary: Beneficiary | None = None,
                  **overrides) -> Rental:
    vehicle = vehicle or create_vehicle()
    beneficiary = beneficiary or create_beneficiary(_platform(vehicle))
    start = overrides.pop("start_date", today())
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
                       valid_from=overrides.pop("valid_from", today()), **overrides)
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
