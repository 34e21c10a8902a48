"""Book a vehicle under a scheme, change the scheme before the contract is signed, and follow a
change of the person's situation (re-priced, or amended from the next period once signed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from fleet import services as fleet
from fleet.models import Rental, Vehicle
from mobility.audit.services import record_audit
from mobility.commute.services import beneficiary_points, mileage_allowance_km
from mobility.contracts.services import contract_of
from mobility.core.dates import add_months, local_today
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.people.models import Beneficiary
from mobility.pricing import services as pricing
from mobility.pricing.amie import amie_first_month_of
from mobility.pricing.engine import SCHEMES
from mobility.pricing.models import RentalTerms
from mobility.rentals import rules, signals
from mobility.rentals.lifecycle.states import check_state, reason_given, refuse
from mobility.rentals.rules import Refusal


@dataclass
class BookingOverrides:
    """An advisor's written reasons that lift scheme rules for one booking."""
    no_assessment: str | None = None
    second_vehicle: str | None = None


def _person(beneficiary_id: int | None, platform_id: int):
    person = db.session.get(Beneficiary, beneficiary_id) if beneficiary_id else None
    if person is None or person.platform_id != platform_id:
        raise ValidationFailed(details={"beneficiary_id": _l("This beneficiary does not exist.")})
    return person


def booking_refusals(person, vehicle: Vehicle, *, start: date, end: date, scheme: str,
                     overrides: BookingOverrides, exclude_rental_id: int | None = None
                     ) -> list[Refusal | None]:
    """Every rule a booking must meet, in the order the advisor fixes them (AMIE's months
    before its other criteria: a full plan says so, not "not eligible")."""
    months = [rules.check_amie_months(person, start=start, end=end,
                                      exclude_rental_id=exclude_rental_id)
              ] if scheme == "amie" else []
    return [
        rules.check_open_pathway(person),
        rules.check_licence(person, vehicle, start=start, end=end),
        rules.check_roadworthy(vehicle, end=end, today=local_today()),
        rules.check_entry_assessment(person, overrides.no_assessment),
        *months,
        rules.check_scheme(person, scheme),
        rules.check_one_vehicle_per_class(person, vehicle, start=start, end=end,
                                          exclude_rental_id=exclude_rental_id,
                                          reason=overrides.second_vehicle),
    ]


def book(actor, *, beneficiary_id: int, vehicle_id: int, start: date, end: date,
         scheme: str = "bougez", notes: str | None = None,
         overrides: BookingOverrides | None = None) -> Rental:
    """Book a vehicle for a person under a scheme: the rental, its price terms and its mileage
    allowance are written in one transaction, or nothing is.

    Needs: an open pathway; the licence and age the vehicle's class needs (no override); a
    vehicle roadworthy until the planned return; the entry assessment (or a written reason);
    the scheme's eligibility (or an override in force); no second vehicle of the same class on
    those days (or a written reason); AMIE: the person's months within the limit; no overlap
    with another rental of the vehicle (409 `double_booking`).
    """
    overrides = overrides or BookingOverrides()
    if scheme not in SCHEMES:
        raise ValidationFailed(details={"scheme": _l("This scheme is not known (bougez or amie).")})
    fleet.validate_new_period(start, end)
    vehicle = fleet.vehicle_of_platform(vehicle_id, actor.platform_id)
    if scheme == "amie" and vehicle.kind != "car":
        raise ValidationFailed(details={"scheme": _l(
            "The progressive plan (AMIE) is for cars only.")})
    person = _person(beneficiary_id, actor.platform_id)
    fleet.guard_period(vehicle.id, start, end)  # checked again under the write lock
    refuse(booking_refusals(person, vehicle, start=start, end=end, scheme=scheme,
                            overrides=overrides))
    recorded = {name: reason_given(value)[:2000] for name, value in
                (("no_assessment", overrides.no_assessment),
                 ("second_vehicle", overrides.second_vehicle)) if reason_given(value)}
    allowance = mileage_allowance_for(person, vehicle)
    db.session.commit()  # the reads above must not hold a transaction into the write lock

    def add_terms(rental: Rental) -> None:
        rental.daily_mileage_allowance_km = allowance
        rental.overrides = recorded or None
        terms = pricing.new_terms(rental, scheme=scheme)
        db.session.add(terms)
        _membership_goes_first(rental, terms)
        for name in recorded:
            record_audit(actor, "override", object_type="Rental", object_id=rental.id,
                         platform_id=rental.platform_id, fields=[f"overrides.{name}"])
        signals.rental_booked.send(rental)

    return fleet.book_rental(actor, beneficiary_id=person.id, vehicle_id=vehicle.id,
                             start=start, end=end, notes=notes, in_transaction=add_terms)


def _membership_goes_first(rental: Rental, terms) -> None:
    """The annual membership fee is charged once, with the first instalment of the person's
    first rental of the year (`pricing.membership_due` looks back a year). A rental booked
    later for earlier dates takes the fee over from a later one whose contract is not signed
    yet; a signed contract keeps it, and then this rental owes none."""
    if not terms.membership_due:
        return
    later = db.session.scalars(
        select(RentalTerms).join(Rental, Rental.id == RentalTerms.rental_id).where(
            Rental.beneficiary_id == rental.beneficiary_id, Rental.id != rental.id,
            Rental.status != "cancelled", RentalTerms.membership_due.is_(True),
            Rental.start_date > rental.start_date,
            Rental.start_date < rental.start_date + timedelta(days=365))).all()
    for other in later:
        contract = contract_of(other.rental)
        if contract is not None and contract.is_signed:
            terms.membership_due = False
            return
    for other in later:
        other.membership_due = False


def mileage_allowance_for(person, vehicle: Vehicle) -> float | None:
    """120 % of the home-work round trip for the vehicle's mode, rounded to 0.1 km (the figure
    the contract states and the checkpoints apply), or None when routing cannot tell."""
    if not current_app.config.get("GEOCODING_ENABLED", not current_app.testing):
        return None

    points = beneficiary_points(person)
    if points is None:
        return None
    km = mileage_allowance_km(*points, vehicle.kind)
    return None if km is None else round(float(km), 1)


# -- reprice --------------------------------------------------------------------------------

def change_scheme(actor, rental: Rental, scheme: str) -> Rental:
    """Choose Bougez (daily) or AMIE (progressive) before the contract is signed; the AMIE
    plan needs the person's eligibility (or an override) and months left."""
    if scheme not in SCHEMES:
        raise ValidationFailed(details={"scheme": _l("This scheme is not known (bougez or amie).")})
    refuse([check_state(rental, "reprice")])
    contract = contract_of(rental)
    if contract is not None and contract.is_signed:
        refuse([Refusal("contract_signed", _l(
            "The contract is signed: its prices can no longer change."), status=409)])
    if scheme == "amie" and rental.vehicle.kind != "car":
        raise ValidationFailed(details={"scheme": _l(
            "The progressive plan (AMIE) is for cars only.")})
    person = rental.beneficiary
    if scheme == "amie":
        refuse([rules.check_scheme(person, "amie"),
                rules.check_amie_months(person, start=rental.start_date, end=rental.end_date,
                                        exclude_rental_id=rental.id)])
    terms = pricing.ensure_terms(rental, commit=False)
    if terms.scheme != scheme:
        terms.scheme = scheme
        terms.amie_first_month = amie_first_month_of(rental) if scheme == "amie" else 1
        pricing.refresh_situation(terms, person)
        record_audit(actor, "update", object_type="RentalTerms", object_id=terms.id,
                     platform_id=rental.platform_id, fields=["scheme"])
    db.session.commit()
    return rental


def next_period_start(rental: Rental, terms, today: date) -> date:
    """The first day of the next weekly (Bougez) or monthly (AMIE) period after `today`."""
    if today < rental.start_date:
        return rental.start_date
    if terms.scheme == "amie":
        months = 1
        while add_months(rental.start_date, months) <= today:
            months += 1
        return add_months(rental.start_date, months)
    weeks = (today - rental.start_date).days // 7 + 1
    return rental.start_date + timedelta(days=7 * weeks)


def situation_changed(actor, person) -> list[Rental]:
    """The person's situation (RSA, QPV, resources band) changed: each open rental is re-priced
    while its contract is unsigned, or amended from its next period once signed (the next
    contract version states it). Returns the rentals touched."""
    touched = []
    rentals = db.session.scalars(select(Rental).where(
        Rental.beneficiary_id == person.id, Rental.status.in_(("booked", "in_progress")))).all()
    for rental in rentals:
        terms = pricing.terms_of(rental)
        if terms is None:
            continue
        contract = contract_of(rental)
        if contract is None or not contract.is_signed:
            if pricing.refresh_situation(terms, person):
                record_audit(actor, "update", object_type="RentalTerms", object_id=terms.id,
                             platform_id=rental.platform_id, fields=["situation"])
                touched.append(rental)
            continue
        effective = next_period_start(rental, terms, local_today())
        if effective < rental.end_date and pricing.add_amendment(
                actor, rental, terms, person, effective_from=effective) is not None:
            touched.append(rental)
    db.session.commit()
    return touched

