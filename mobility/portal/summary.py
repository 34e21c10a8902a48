"""What a beneficiary sees at home: their vehicle, next checkpoint, money, contract, seats,
commute and advisor. Only their own records, read through the models' access rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from fleet.models import MinibusBooking, MinibusRun, Rental, SeatBooking
from mobility.checkpoints.models import Checkpoint
from mobility.checkpoints.services import Appointment, next_appointment
from mobility.commute.person_ladder import person_ladder
from mobility.commute.services import latest_check_for, present_check
from mobility.contracts.models import RentalContract
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.payments.services import ensure_terms, ledger, online_payments_to_pay
from mobility.people.models import Beneficiary


@dataclass
class RentalSummary:
    rental: Rental
    next_checkpoint: date | None
    ledger: dict[str, Any]
    contract: RentalContract | None
    #: the next checkpoint's day, time and place
    appointment: Appointment | None = None


@dataclass
class PortalSummary:
    beneficiary: Beneficiary
    rentals: list[RentalSummary] = field(default_factory=list)
    carpool_seats: list[SeatBooking] = field(default_factory=list)
    minibus_seats: list[MinibusBooking] = field(default_factory=list)
    advisor: Any = None
    #: the phone of the site the person deals with (the call button when the advisor has none)
    site_phone: str | None = None
    has_commute: bool = False
    #: online payments (Stripe) still waiting for the person's card, on the rentals shown
    online_payments: list[Any] = field(default_factory=list)

    def online_payments_of(self, rental) -> list[Any]:
        return [p for p in self.online_payments if p.rental_id == rental.id]


def beneficiary_of(user) -> Beneficiary | None:
    """The beneficiary file linked to a beneficiary's login."""
    return db.session.scalar(select(Beneficiary).where(Beneficiary.user_id == user.id,
                                                       Beneficiary.platform_id == user.platform_id))


def portal_summary(user) -> PortalSummary | None:
    """Everything the beneficiary's home page shows, or None without a linked file."""
    beneficiary = beneficiary_of(user)
    if beneficiary is None:
        return None
    return summary_for(beneficiary, user)


def summary_for(beneficiary: Beneficiary, viewer) -> PortalSummary:
    """What the portal shows for this beneficiary, read with `viewer`'s access rights (the
    beneficiary themself, or their advisor printing the summary sheet)."""

    user = viewer
    rentals = db.session.scalars(
        select(Rental).where(Rental.beneficiary_id == beneficiary.id,
                             Rental.status.in_(("booked", "in_progress")))
        .options(joinedload(Rental.vehicle), joinedload(Rental.return_site),
                 joinedload(Rental.advisor))
        .order_by(Rental.start_date)
    ).all()
    summary = PortalSummary(beneficiary=beneficiary)
    for rental in rentals:
        if not rental.can_view(user):  # the model's rule, whatever the query says
            continue
        checkpoints = db.session.scalars(select(Checkpoint).where(
            Checkpoint.rental_id == rental.id).order_by(Checkpoint.date)).all()
        kind = "monthly" if ensure_terms(rental).scheme == "amie" else "weekly"
        contract = db.session.scalar(select(RentalContract).where(
            RentalContract.rental_id == rental.id))
        appointment = next_appointment(rental, list(checkpoints), kind)
        summary.rentals.append(RentalSummary(
            rental=rental, next_checkpoint=appointment.day if appointment else None,
            ledger=ledger(rental), contract=contract, appointment=appointment))
        summary.advisor = summary.advisor or rental.advisor
    summary.online_payments = online_payments_to_pay(item.rental.id for item in summary.rentals)
    summary.carpool_seats = db.session.scalars(
        select(SeatBooking).where(SeatBooking.beneficiary_id == beneficiary.id,
                                  SeatBooking.status == "booked",
                                  SeatBooking.ride_date >= local_today())
        .options(joinedload(SeatBooking.ride)).order_by(SeatBooking.ride_date)
    ).all()
    summary.minibus_seats = db.session.scalars(
        select(MinibusBooking).join(MinibusRun, MinibusRun.id == MinibusBooking.run_id)
        .where(MinibusBooking.beneficiary_id == beneficiary.id,
               MinibusBooking.status == "booked", MinibusRun.run_date >= local_today())
        .options(joinedload(MinibusBooking.run), joinedload(MinibusBooking.stop))
        .order_by(MinibusRun.run_date)
    ).all()
    summary.site_phone = next((item.rental.vehicle.site.phone for item in summary.rentals
                               if item.rental.vehicle.site.phone), None)
    if summary.advisor is None:
        pathway = beneficiary.current_pathway
        summary.advisor = getattr(pathway, "advisor", None) if pathway else None
    summary.has_commute = latest_check_for(beneficiary) is not None
    return summary


def commute_for_sheet(beneficiary: Beneficiary, viewer) -> dict | None:
    """The latest commute check as the sheet and the portal's home show it (no map geometry),
    or None (also when `viewer` may not see it)."""
    check = latest_check_for(beneficiary)
    if check is None or not check.can_view(viewer):
        return None
    result = present_check(check, geometry=False, both_languages=False)
    result["ladder"] = person_ladder(beneficiary, check)  # the same ladder as the file's
    return result
