"""Demo: the papers of the demo rentals, so that none of them breaks a rule.

Rentals handed over have their contract signed (on the hand-over day) and their deposit held;
past ones are settled and closed; the car lent to a person on the progressive plan is under
AMIE; bookings waiting for their hand-over show what is still missing. One booking that the
rules refuse (a car for a person without a licence) is tried through the real step, and its
reason noted on the person's file. Idempotent.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from fleet.models import Rental, Vehicle
from mobility.auth.models import User
from mobility.contracts.models import RentalContract
from mobility.contracts.services import contract_of, ensure_contract
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import DomainError
from mobility.payments.models import Deposit
from mobility.payments.services import deposit_of
from mobility.people.models import Beneficiary, CaseNote
from mobility.rentals import lifecycle, rules

REFUSED_NOTE = "Réservation refusée par la plateforme : "


def load(platform) -> None:
    advisor = db.session.scalar(select(User).where(User.platform_id == platform.id,
                                                   User.role == "advisor").order_by(User.id))
    if advisor is None:
        return
    rentals = db.session.scalars(select(Rental).where(
        Rental.platform_id == platform.id,
        Rental.status.in_(("in_progress", "returned"))).order_by(Rental.id)).all()
    _progressive_plan(advisor, rentals)
    for rental in rentals:
        _papers(advisor, rental)
    db.session.commit()
    for rental in rentals:
        if rental.status == "returned":
            lifecycle.settle(advisor, rental)
    _refused_booking(advisor, platform)


def _progressive_plan(advisor, rentals) -> None:
    """The car lent for several months to a person who qualifies is on the AMIE plan."""
    for rental in rentals:
        if (rental.status == "in_progress" and rental.vehicle.kind == "car"
                and rental.days > 60 and contract_of(rental) is None):
            try:
                lifecycle.change_scheme(advisor, rental, "amie")
            except DomainError:
                db.session.rollback()
            return


def _papers(advisor, rental: Rental) -> None:
    """Contract signed and deposit held on the hand-over day (released at the return)."""
    handed_over = rental.checked_out_at or rental.created_at
    contract = contract_of(rental)
    if contract is None or not contract.is_signed:
        contract = ensure_contract(rental)
        db.session.execute(update(RentalContract).where(RentalContract.id == contract.id).values(
            signed_at=handed_over - timedelta(minutes=20),
            signer_name=rental.beneficiary.full_name, signed_by_id=advisor.id,
            signed_via="web"))
    due = rules.deposit_due_cents(rental)
    if due and deposit_of(rental) is None:
        db.session.add(Deposit(
            platform_id=rental.platform_id, rental_id=rental.id, amount_cents=due,
            method="cheque", status="held", reference=f"CHQ {4_200_000 + rental.id}",
            taken_by_id=advisor.id, held_at=handed_over - timedelta(minutes=15)))
    db.session.flush()


def _refused_booking(advisor, platform) -> None:
    """A car asked for a person without a driving licence: the booking step refuses it."""
    person = db.session.scalar(select(Beneficiary).where(
        Beneficiary.platform_id == platform.id, Beneficiary.first_name == "Chloé"))
    car = db.session.scalar(select(Vehicle).where(
        Vehicle.platform_id == platform.id, Vehicle.kind == "car",
        Vehicle.status == "available").order_by(Vehicle.id))
    if person is None or car is None or person.open_pathway is None:
        return
    if db.session.scalar(select(CaseNote.id).where(
            CaseNote.beneficiary_id == person.id, CaseNote.text.startswith(REFUSED_NOTE))):
        return
    start = local_today() + timedelta(days=3)
    try:
        lifecycle.book(advisor, beneficiary_id=person.id, vehicle_id=car.id, start=start,
                       end=start + timedelta(days=28))
    except DomainError as error:
        db.session.rollback()
        db.session.add(CaseNote(
            platform_id=platform.id, beneficiary_id=person.id,
            pathway_id=person.open_pathway.id, author_id=advisor.id, kind="other",
            noted_on=local_today(), text=f"{REFUSED_NOTE}{lifecycle.explain(error)} "
                                   f"(code « {error.code} »). Orientée vers l'auto-école "
                                   "sociale ; un VAE est proposé en attendant."))
        db.session.commit()
        return
    raise RuntimeError("the demo's refused booking was accepted: a licence rule is missing")
