"""The demo platform obeys every rule of the rental's life, and shows one refused booking."""

from sqlalchemy import select

from fleet.models import Rental
from mobility.contracts.services import contract_is_current
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.demo import load_demo
from mobility.people.models import CaseNote
from mobility.pricing import services as pricing
from mobility.rentals import rules
from mobility.rentals.demo import REFUSED_NOTE


def test_no_demo_rental_breaks_a_rule(sqlite_app):
    platform = load_demo()
    rentals = db.session.scalars(select(Rental).where(Rental.platform_id == platform.id)).all()
    out = [r for r in rentals if r.status == "in_progress"]
    assert len(out) >= 5
    for rental in out:
        person, vehicle = rental.beneficiary, rental.vehicle
        assert contract_is_current(rental), rental
        assert rules.check_deposit(rental) is None, rental
        assert rules.check_open_pathway(person) is None, rental
        assert rules.check_licence(person, vehicle, start=rental.start_date,
                                   end=rental.end_date) is None, rental
        assert rules.check_roadworthy(vehicle, end=rental.end_date, today=local_today()) is None, (
            rental)
    for rental in rentals:
        if rental.status == "booked":
            assert rules.check_licence(rental.beneficiary, rental.vehicle,
                                       start=rental.start_date, end=rental.end_date) is None
    people = {r.beneficiary_id for r in rentals}
    for person_id in people:
        assert pricing.amie_months_used(person_id) <= pricing.amie_max_months(platform.id)
    assert any(pricing.ensure_terms(r).scheme == "amie" for r in out)
    assert not [r for r in rentals if r.status == "returned"]  # settled and closed
    note = db.session.scalar(select(CaseNote).where(CaseNote.text.startswith(REFUSED_NOTE)))
    assert note is not None and "licence_required" in note.text
    load_demo()
    assert db.session.scalar(select(db.func.count(CaseNote.id)).where(
        CaseNote.text.startswith(REFUSED_NOTE))) == 1
