"""Changes to a rental on the way: its return date moved (extend, shorten) or its vehicle
replaced, under the same rules as a booking."""

from __future__ import annotations

from datetime import date

from fleet import services as fleet
from fleet.models import Rental
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.payments.services import deposit_of
from mobility.pricing import services as pricing
from mobility.rentals import rules, signals
from mobility.rentals.lifecycle.booking import mileage_allowance_for
from mobility.rentals.lifecycle.states import check_state, refuse
from mobility.rentals.rules import Refusal


def change_end(actor, rental: Rental, new_end: date | None) -> Rental:
    """Move the planned return date. Extending needs the same as booking those extra days: the
    vehicle roadworthy and the licence in force until the new date, AMIE months left, no other
    rental of the vehicle; a signed contract then needs its new version signed."""
    refuse([check_state(rental, "change_end")])
    if new_end is None:
        raise ValidationFailed(details={"end": _l("This field is required.")})
    if new_end > rental.end_date:
        terms = pricing.ensure_terms(rental, commit=False)
        refusals = [
            rules.check_licence(rental.beneficiary, rental.vehicle, start=rental.end_date,
                                end=new_end),
            rules.check_roadworthy(rental.vehicle, end=new_end, today=local_today()),
        ]
        if terms.scheme == "amie":
            refusals.append(rules.check_amie_months(
                rental.beneficiary, start=rental.start_date, end=new_end,
                exclude_rental_id=rental.id))
        refusals.append(rules.check_one_vehicle_per_class(
            rental.beneficiary, rental.vehicle, start=rental.end_date, end=new_end,
            exclude_rental_id=rental.id, reason=(rental.overrides or {}).get("second_vehicle")))
        refuse(refusals)
        db.session.commit()
    return fleet.change_end_date(actor, rental, new_end)


def extend(actor, rental: Rental, new_end: date | None) -> Rental:
    if new_end is not None and new_end <= rental.end_date:
        raise ValidationFailed(details={
            "end": _l("To extend, choose a date after the planned return date.")})
    return change_end(actor, rental, new_end)


def shorten(actor, rental: Rental, new_end: date | None) -> Rental:
    if new_end is not None and new_end >= rental.end_date:
        raise ValidationFailed(details={
            "end": _l("To shorten, choose a date before the planned return date.")})
    return change_end(actor, rental, new_end)


def replace(actor, rental: Rental, new_vehicle_id: int | None = None) -> Rental:
    """Move a rental to another vehicle (the first one is immobilised): the same rules as a
    booking for the new vehicle (licence, roadworthiness, no overlap), new price terms and
    mileage allowance for its kind, a contract to sign before the new hand-over, a vehicle at
    the same site when one is free there, and the person told through the outbox. Returns the
    rental now holding the replacement (a new one when the first was out)."""
    refuse([check_state(rental, "replace")])
    if new_vehicle_id is None:
        options = fleet.replacement_options(rental, limit=1)
        if not options:
            refuse([Refusal("no_replacement", _l(
                "No vehicle is free for the rest of this rental: shorten it or look at later "
                "dates."), status=409)])
        new_vehicle = options[0]
    else:
        new_vehicle = fleet.vehicle_of_platform(new_vehicle_id, rental.platform_id)
    if new_vehicle.id == rental.vehicle_id:
        raise ValidationFailed(details={"vehicle_id": _l("Choose another vehicle.")})
    terms = pricing.ensure_terms(rental, commit=False)
    if terms.scheme == "amie" and new_vehicle.kind != "car":
        raise ValidationFailed(details={"vehicle_id": _l(
            "The progressive plan (AMIE) is for cars only: choose a car.")})
    person = rental.beneficiary
    today = local_today()
    start = max(rental.start_date, today) if rental.status == "in_progress" else rental.start_date
    refuse([rules.check_licence(person, new_vehicle, start=start, end=rental.end_date),
            rules.check_roadworthy(new_vehicle, end=rental.end_date, today=today)])
    allowance = mileage_allowance_for(person, new_vehicle)
    scheme = terms.scheme
    deposit = deposit_of(rental)
    db.session.commit()

    def new_terms(target: Rental, moved_from: Rental | None) -> None:
        target.daily_mileage_allowance_km = allowance
        old_terms = pricing.terms_of(target)
        if old_terms is not None:
            db.session.delete(old_terms)
            db.session.flush()
        # the plan goes on at the month the person is in (`pricing.amie_first_month_of`)
        db.session.add(pricing.new_terms(target, scheme=scheme))
        if moved_from is not None and deposit is not None:
            deposit.rental_id = target.id  # the person's deposit stays with them
            target.deposit_exemption_reason = moved_from.deposit_exemption_reason

    result = fleet.replace_vehicle(actor, rental, new_vehicle.id, in_transaction=new_terms)
    signals.vehicle_replaced.send(result, vehicle=new_vehicle)  # the person is told, then
    db.session.commit()
    return result

