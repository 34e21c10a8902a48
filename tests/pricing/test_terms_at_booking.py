"""A booking fixes its price terms at once: viewing the ledger later writes nothing."""

from datetime import timedelta

from sqlalchemy import func, select

from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.platforms.models import Platform
from mobility.pricing.models import RentalTerms
from mobility.rentals.lifecycle import book
from tests.factories import create_beneficiary, create_site, create_user, create_vehicle, login


def test_booking_fixes_the_terms_and_the_ledger_page_writes_nothing(client):
    advisor = create_user("advisor")
    platform = db.session.get(Platform, advisor.platform_id)
    person = create_beneficiary(platform, receives_rsa=True, ready=True)
    car = create_vehicle(create_site(platform), kind="car")
    start = local_today() + timedelta(days=2)
    rental = book(advisor, beneficiary_id=person.id, vehicle_id=car.id, start=start,
                  end=start + timedelta(days=14))
    terms = db.session.scalar(select(RentalTerms).where(RentalTerms.rental_id == rental.id))
    assert terms is not None and terms.receives_rsa is True
    login(client, advisor)
    assert client.get(f"/payments/rentals/{rental.id}").status_code == 200
    assert db.session.scalar(select(func.count(RentalTerms.id))) == 1
