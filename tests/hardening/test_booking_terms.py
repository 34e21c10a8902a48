"""Item 8 of issue 14: a booking is never left without its price terms. The terms are written
in the booking's own transaction: when writing them fails, no rental remains; when the booking
succeeds, its terms are there, also for bookings sent through the Idempotency-Key path."""

from __future__ import annotations

from sqlalchemy import func, select

from fleet.models import Rental
from mobility.core.db import db
from mobility.pricing import services as pricing
from mobility.pricing.models import RentalTerms
from tests.rentals.world import make_world


def _count(model) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(model))


def test_every_booking_has_its_terms(app, client):
    world = make_world(client)
    person, vehicle = world.person(), world.vehicle()
    rental_id = world.booked(person, vehicle)
    terms = db.session.scalars(select(RentalTerms).where(RentalTerms.rental_id == rental_id))
    assert len(list(terms)) == 1


def test_a_failure_writing_the_terms_leaves_no_rental(app, client, monkeypatch):
    world = make_world(client)
    person, vehicle = world.person(), world.vehicle()

    def broken(rental, **kwargs):  # a fault inside the booking's transaction
        raise RuntimeError("the terms could not be written")

    monkeypatch.setattr(pricing, "new_terms", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer the 500 instead of raising
    assert world.book(person, vehicle).status_code == 500
    assert _count(Rental) == 0 and _count(RentalTerms) == 0
    monkeypatch.undo()
    assert world.book(person, vehicle).status_code == 201
    assert _count(Rental) == 1 and _count(RentalTerms) == 1
