"""A person's rentals as their file shows them: each with its vehicle, dates and status, what is
still missing before the hand-over, the contract, the deposit, what is owed and paid, and the
next checkpoint, so that the advisor's day starts and ends on the person's file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from fleet.models import MinibusBooking, Rental, SeatBooking, Vehicle
from mobility.checkpoints.models import Checkpoint
from mobility.checkpoints.services import next_appointment
from mobility.contracts.services import contracts_of
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.payments.services.deposits import deposits_of
from mobility.payments.services.ledger import due_by_rental, paid_by_rental
from mobility.people.models import WorkshopAttendance, WorkshopSession
from mobility.pricing.services import priced_terms
from mobility.rentals.lifecycle.handover import PaperworkRead, ReadyItem, handover_readiness

#: rentals shown on the file (the most recent first); older ones stay on the fleet pages
FILE_RENTALS_LIMIT = 20


@dataclass
class RentalSummary:
    """One rental of the person, in the words of their file."""

    rental: Rental
    scheme: str
    contract_signed: bool
    contract_current: bool
    deposit_status: str | None
    deposit_label: str | None
    deposit_exempted: bool
    due_cents: int
    paid_cents: int
    next_checkpoint: date | None
    missing: list[ReadyItem] = field(default_factory=list)
    #: the next checkpoint's day, time and place (`checkpoints.services.Appointment`)
    appointment: object | None = None

    @property
    def arrears_cents(self) -> int:
        return max(0, self.due_cents - self.paid_cents)


def next_appointment_for(rental: Rental, scheme: str):
    """The rental's next checkpoint appointment (`checkpoints.next_appointment`: day, time,
    place); none unless the vehicle is out."""
    if rental.status != "in_progress":
        return None
    latest = db.session.scalar(select(Checkpoint).where(Checkpoint.rental_id == rental.id)
                               .order_by(Checkpoint.date.desc(), Checkpoint.id.desc()).limit(1))
    return next_appointment(rental, [latest] if latest is not None else [],
                            "monthly" if scheme == "amie" else "weekly")


def next_checkpoint_of(rental: Rental, scheme: str) -> date | None:
    """The date of the rental's next checkpoint (`checkpoints.next_checkpoint_date`); none
    unless the vehicle is out."""
    appointment = next_appointment_for(rental, scheme)
    return appointment.day if appointment is not None else None


def rentals_of_person(person, today: date | None = None) -> list[RentalSummary]:
    """The person's rentals, most recent first (at most `FILE_RENTALS_LIMIT`)."""
    today = today or local_today()
    rentals = db.session.scalars(
        select(Rental).where(Rental.beneficiary_id == person.id,
                             Rental.platform_id == person.platform_id)
        .options(joinedload(Rental.vehicle).joinedload(Vehicle.site))
        .order_by(Rental.start_date.desc(), Rental.id.desc())
        .limit(FILE_RENTALS_LIMIT)).unique().all()
    # a fixed number of queries whatever the number of rentals (the booked ones' readiness and
    # the checkpoint of those out aside): what `ledger`, `contract_is_current` and `deposit_of`
    # give one rental, read for all at once
    priced = priced_terms(rentals)
    due = due_by_rental(rentals, today, priced)
    paid = paid_by_rental([r.id for r in rentals])
    contracts = contracts_of(rentals, priced)
    deposits = deposits_of(rentals)
    out = []
    for rental in rentals:
        due_cents, scheme = due.get(rental.id, (0, "bougez"))
        contract, current = contracts.get(rental.id, (None, False))
        deposit = deposits.get(rental.id)
        paperwork = PaperworkRead(
            contract=contract, current=current, deposit=deposit,
            deposit_cents=priced[rental.id][0].deposit_cents if rental.id in priced else None)
        appointment = next_appointment_for(rental, scheme)
        out.append(RentalSummary(
            rental=rental, scheme=scheme,
            contract_signed=contract is not None and contract.is_signed,
            contract_current=current,
            deposit_status=deposit.status if deposit else None,
            deposit_label=deposit.status_label if deposit else None,
            deposit_exempted=bool(rental.deposit_exemption_reason),
            due_cents=due_cents,
            paid_cents=paid.get(rental.id, 0),
            next_checkpoint=appointment.day if appointment is not None else None,
            missing=[item for item in handover_readiness(rental, today, paperwork)
                     if not item.ok],
            appointment=appointment,
        ))
    return out


#: seats, workshops and messages shown on the file (the most recent first)
FILE_LIST_LIMIT = 20


@dataclass
class SeatLine:
    """A carpool or minibus seat of the person, in the words of their file."""

    kind: str  # "carpool" or "minibus"
    booking: object
    day: date
    title: str
    departure: object
    status: str
    anchor_id: int


def seats_of_person(person, today: date | None = None) -> list[SeatLine]:
    """The person's carpool and minibus seats: the coming ones first (soonest first), then the
    past ones (latest first); at most `FILE_LIST_LIMIT`."""
    today = today or local_today()
    carpool = db.session.scalars(
        select(SeatBooking).where(SeatBooking.beneficiary_id == person.id,
                                  SeatBooking.platform_id == person.platform_id)
        .options(joinedload(SeatBooking.ride))
        .order_by(SeatBooking.ride_date.desc(), SeatBooking.id.desc())
        .limit(FILE_LIST_LIMIT)).all()
    minibus = db.session.scalars(
        select(MinibusBooking).where(MinibusBooking.beneficiary_id == person.id,
                                     MinibusBooking.platform_id == person.platform_id)
        .options(joinedload(MinibusBooking.run), joinedload(MinibusBooking.stop))
        .order_by(MinibusBooking.id.desc()).limit(FILE_LIST_LIMIT)).all()
    lines = [SeatLine("carpool", b, b.ride_date, f"{b.ride.origin} → {b.ride.destination}",
                      b.ride.departure_time, b.status, b.ride_id) for b in carpool]
    lines += [SeatLine("minibus", b, b.run.run_date, b.run.name,
                       b.stop.stop_time if b.stop and b.stop.stop_time else b.run.departure_time,
                       b.status, b.run_id) for b in minibus]
    coming = sorted((line for line in lines if line.day >= today), key=lambda line: line.day)
    past = sorted((line for line in lines if line.day < today), key=lambda line: line.day,
                  reverse=True)
    return (coming + past)[:FILE_LIST_LIMIT]


def workshops_of_person(person) -> list:
    """The workshop sessions the person is registered for, the latest first."""
    return db.session.scalars(
        select(WorkshopAttendance).join(WorkshopSession)
        .where(WorkshopAttendance.beneficiary_id == person.id,
               WorkshopAttendance.platform_id == person.platform_id)
        .options(joinedload(WorkshopAttendance.session).joinedload(WorkshopSession.workshop))
        .order_by(WorkshopSession.starts_at.desc()).limit(FILE_LIST_LIMIT)).unique().all()
