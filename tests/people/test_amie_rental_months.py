"""AMIE's "at most 5 months" counts the person's AMIE rentals, not car rentals at the daily
rate."""

from datetime import timedelta

from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.people.services import eligibility_for
from mobility.platforms.models import Platform
from mobility.pricing.services import ensure_terms
from tests.factories import create_amie_beneficiary, create_rental, create_site, create_vehicle


def _rental_left(result) -> bool:
    return next(r for r in result["reasons"] if r["criterion"] == "rental_left")["met"]


def test_car_rentals_use_up_the_amie_months(app):
    person = create_amie_beneficiary()
    assert _rental_left(eligibility_for(person, "amie")) is True
    site = create_site(platform=db.session.get(Platform, person.platform_id))
    car = create_vehicle(site, kind="car")
    daily = create_rental(car, person, start_date=local_today() - timedelta(days=400),
                          end_date=local_today() - timedelta(days=250))
    ensure_terms(daily, scheme="bougez")
    assert _rental_left(eligibility_for(person, "amie")) is True
    plan = create_rental(car, person, start_date=local_today() - timedelta(days=200),
                         end_date=local_today() - timedelta(days=20))
    ensure_terms(plan, scheme="amie")
    assert _rental_left(eligibility_for(person, "amie")) is False


def test_bike_rentals_do_not_count_for_amie(app):
    person = create_amie_beneficiary()
    site = create_site(platform=db.session.get(Platform, person.platform_id))
    bike = create_vehicle(site, kind="bike")
    create_rental(bike, person, start_date=local_today() - timedelta(days=200),
                  end_date=local_today() - timedelta(days=20))
    assert _rental_left(eligibility_for(person, "amie")) is True
