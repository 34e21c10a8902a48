"""The rental's life as a state machine, one function per transition.

    quote -> book (with a scheme) -> [reprice] -> sign contract -> take deposit
          -> hand over (check-out) -> weekly checkpoints -> extend / shorten / replace
          -> take back (check-in) -> settle -> closed;  cancel from booked

Each transition checks ALL its preconditions (`mobility.rentals.rules`) before it changes
anything, and refuses with a stable code and a message in French and English that says what to
do next: HTTP 409 for the rental's state, 422 when the person or the vehicle does not qualify.
Booking, replacement and extension go through the same checks. `docs/lifecycle.md` has the
diagram and the table of transitions, preconditions and refusal codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from fleet import services as fleet
from fleet.models import CHECKLIST_LABELS, CHECKLISTS, MaintenanceJob, Rental, Vehicle
from mobility.audit.services import record_audit
from mobility.core.columns import utcnow
from mobility.core.dates import add_months, local_today
from mobility.core.db import db
from mobility.core.errors import Conflict, DomainError, NotQualified, ValidationFailed
from mobility.partners import events as webhook_events
from mobility.pricing import services as pricing
from mobility.pricing.engine import SCHEMES
from mobility.rentals import rules
from mobility.rentals.rules import MIN_REASON, Refusal

#: the states a transition starts from
ALLOWED_FROM = {
    "reprice": ("booked", "in_progress"),
    "sign_contract": ("booked", "in_progress"),
    "take_deposit": ("booked", "in_progress"),
    "exempt_deposit": ("booked",),
    "hand_over": ("booked",),
    "change_end": ("booked", "in_progress"),
    "replace": ("booked", "in_progress"),
    "take_back": ("in_progress",),
    "waive_late_days": ("returned",),
    "settle": ("returned",),
    "cancel": ("booked",),
}
STATE_CODES = {"hand_over": "not_booked", "take_back": "not_in_progress",
               "cancel": "rental_not_cancellable", "settle": "not_returned",
               "waive_late_days": "not_returned"}
STATE_MESSAGES = {
    "hand_over": _l("This rental is not waiting for its hand-over."),
    "take_back": _l("This rental is not in progress: there is no vehicle to take back."),
    "cancel": _l("Only a booking not yet handed over can be cancelled: take the vehicle back "
                 "instead."),
    "settle": _l("Take the vehicle back (check-in) before settling the rental."),
    "waive_late_days": _l("Late days are known once the vehicle is back."),
    "exempt_deposit": _l("A deposit exemption is recorded before the hand-over."),
}


def refuse(refusals: Iterable[Refusal | None]) -> None:
    """Raise the first refusal, with every other one in `details["also"]`; nothing changed."""
    found = [item for item in refusals if item is not None]
    if not found:
        return
    first = found[0]
    details = dict(first.details)
    if len(found) > 1:
        details["also"] = [{"code": item.code, "message": item.message} for item in found[1:]]
    error_class = Conflict if first.status == 409 else NotQualified
    db.session.rollback()
    raise error_class(first.message, code=first.code, details=details or None)


def check_state(rental: Rental, transition: str) -> Refusal | None:
    if rental.status in ALLOWED_FROM[transition]:
        return None
    message = STATE_MESSAGES.get(transition, _l(
        "This rental is %(status)s: this step is no longer possible.",
        status=rental.status_label))
    return Refusal(STATE_CODES.get(transition, "rental_closed"), message, status=409,
                   details={"status": rental.status})


def _reason(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _check_reason(value: str | None, field: str) -> str:
    value = _reason(value)
    if value is None or len(value) < MIN_REASON:
        raise ValidationFailed(details={field: _l(
            "Write the reason (at least %(n)d characters).", n=MIN_REASON)})
    return value[:2000]


# -- book ---------------------------------------------------------------------------------

@dataclass
class BookingOverrides:
    """An advisor's written reasons that lift scheme rules for one booking."""

    no_assessment: str | None = None
    second_vehicle: str | None = None


def _person(beneficiary_id: int | None, platform_id: int):
    from mobility.people.models import Beneficiary

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
    recorded = {name: _reason(value)[:2000] for name, value in
                (("no_assessment", overrides.no_assessment),
                 ("second_vehicle", overrides.second_vehicle)) if _reason(value)}
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
        webhook_events.rental_booked(rental)

    return fleet.book_rental(actor, beneficiary_id=person.id, vehicle_id=vehicle.id,
                             start=start, end=end, notes=notes, in_transaction=add_terms)


def _membership_goes_first(rental: Rental, terms) -> None:
    """The annual membership fee is charged once, with the first instalment of the person's
    first rental of the year (`pricing.membership_due` looks back a year). A rental booked
    later for earlier dates takes the fee over from a later one whose contract is not signed
    yet; a signed contract keeps it, and then this rental owes none."""
    from mobility.contracts.services import contract_of
    from mobility.pricing.models import RentalTerms

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
    from flask import current_app

    if not current_app.config.get("GEOCODING_ENABLED", not current_app.testing):
        return None
    from mobility.commute.services import beneficiary_points, mileage_allowance_km

    points = beneficiary_points(person)
    if points is None:
        return None
    km = mileage_allowance_km(*points, vehicle.kind)
    return None if km is None else round(float(km), 1)


# -- reprice --------------------------------------------------------------------------------

def change_scheme(actor, rental: Rental, scheme: str) -> Rental:
    """Choose Bougez (daily) or AMIE (progressive) before the contract is signed; the AMIE
    plan needs the person's eligibility (or an override) and months left."""
    from mobility.contracts.services import contract_of

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
        terms.amie_first_month = pricing.amie_first_month_of(rental) if scheme == "amie" else 1
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
    from mobility.contracts.services import contract_of

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


# -- contract and deposit -------------------------------------------------------------------

def sign_contract(actor, rental: Rental, *, signer_name: str, accepted: bool,
                  document_sha256: str | None = None, via: str = "web"):
    """The person signs the current version of the contract (it states the prices, the deposit
    and the mileage allowance the checkpoints apply)."""
    from mobility.contracts import services as contracts

    refuse([check_state(rental, "sign_contract")])
    return contracts.sign_contract(actor, rental, signer_name=signer_name, accepted=accepted,
                                   document_sha256=document_sha256, via=via)


def take_deposit(actor, rental: Rental, **options: Any):
    """Take the deposit the rental's terms set (in person, or a card with Stripe)."""
    from mobility.payments import services as payments

    refuse([check_state(rental, "take_deposit")])
    if rules.deposit_due_cents(rental) == 0:
        refuse([Refusal("no_deposit_due", _l(
            "The tariff sets no deposit for this vehicle: there is nothing to take."),
            status=409)])
    return payments.take_deposit(actor, rental, **options)


def exempt_deposit(actor, rental: Rental, *, reason: str) -> Rental:
    """An advisor records why the person hands over no deposit (written reason, audited)."""
    from mobility.payments.services import deposit_of

    reason = _check_reason(reason, "reason")
    refuse([check_state(rental, "exempt_deposit")])
    deposit = deposit_of(rental)
    if deposit is not None and deposit.status == "held":
        refuse([Refusal("deposit_exists", _l("A deposit is already held for this rental."),
                        status=409)])
    rental.deposit_exemption_reason = reason
    record_audit(actor, "override", object_type="Rental", object_id=rental.id,
                 platform_id=rental.platform_id, fields=["deposit_exemption_reason"])
    db.session.commit()
    return rental


# -- hand over ------------------------------------------------------------------------------

@dataclass
class ReadyItem:
    code: str
    ok: bool
    label: Any
    message: Any = None


READY_LABELS = {
    "pathway": _l("Pathway in progress"),
    "licence": _l("Licence for this vehicle"),
    "contract": _l("Contract signed (current version)"),
    "deposit": _l("Deposit held or exemption recorded"),
    "vehicle": _l("Vehicle roadworthy until the return (documents, no defect)"),
    "period": _l("Within the rental period"),
}


def handover_refusals(rental: Rental, today: date) -> dict[str, Refusal | None]:
    """The hand-over's conditions, by item of the "ready to hand over" list."""
    person, vehicle = rental.beneficiary, rental.vehicle
    return {
        "period": rules.check_in_period(rental, today),
        "pathway": rules.check_open_pathway(person),
        "licence": rules.check_licence(person, vehicle, start=max(today, rental.start_date),
                                       end=rental.end_date),
        "vehicle": rules.check_roadworthy(vehicle, end=rental.end_date, today=today),
        "contract": rules.check_contract_signed(rental),
        "deposit": rules.check_deposit(rental),
    }


def handover_readiness(rental: Rental, today: date | None = None) -> list[ReadyItem]:
    """What is done and what is still missing before the vehicle may leave (the checklist is
    filled at the hand-over itself)."""
    if rental.status != "booked":
        return []
    checks = handover_refusals(rental, today or local_today())
    return [ReadyItem(code, refusal is None, READY_LABELS[code],
                      refusal.message if refusal else None) for code, refusal in checks.items()]


def hand_over(actor, rental: Rental, *, odometer_km: int | None,
              energy_level_pct: int | None = None, checklist: dict | None = None,
              damage_notes: str | None = None, signoff: dict | None = None):
    """The vehicle leaves (check-out inspection): the rental is in progress.

    Needs: the rental booked and within its period; the person's pathway open and the licence
    the vehicle needs, in force; the vehicle roadworthy until the return; the current contract
    version signed; the deposit held (or an exemption recorded, or none set by the tariff); the
    checklist with every item of the kind. A failed safety item (brakes, lights, tyres) refuses
    the hand-over and opens a repair job.
    """
    refuse([check_state(rental, "hand_over")])
    today = local_today()
    checklist, failed = rules.check_checklist(rental.vehicle.kind, checklist)
    refuse(handover_refusals(rental, today).values())
    if failed:
        job = MaintenanceJob(
            platform_id=rental.platform_id, vehicle_id=rental.vehicle_id, kind="repair",
            description=str(_l("Found at the hand-over: %(items)s.", items=", ".join(
                str(CHECKLIST_LABELS[item]) for item in failed))),
            due_on=today, status="open")
        db.session.add(job)
        rental.vehicle.status = "maintenance"
        db.session.flush()
        record_audit(actor, "create", object_type="MaintenanceJob", object_id=job.id,
                     platform_id=rental.platform_id, fields=["kind", "description"])
        db.session.commit()
        raise NotQualified(_l(
            "The vehicle cannot leave: %(items)s failed the check. A repair job was opened; "
            "replace the vehicle or repair it first.", items=", ".join(
                str(CHECKLIST_LABELS[item]) for item in failed)),
            code="checklist_failed", details={"failed": failed, "maintenance_job_id": job.id})
    return fleet.check_out(actor, rental, odometer_km=odometer_km,
                           energy_level_pct=energy_level_pct, checklist=checklist,
                           damage_notes=damage_notes, signoff=signoff,
                           in_transaction=webhook_events.rental_handed_over)


# -- extend, shorten, replace ---------------------------------------------------------------

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
    from mobility.payments.services import deposit_of

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
    _tell_replacement(actor, result, new_vehicle)
    return result


def _tell_replacement(actor, rental: Rental, vehicle: Vehicle) -> None:
    from mobility.notifications.outbox import enqueue_notification

    site = vehicle.site
    enqueue_notification(
        kind="vehicle_replaced", key=f"rental:{rental.id}:replaced:{vehicle.id}",
        recipient=rental.beneficiary, advisor_id=rental.advisor_id, about=("rental", rental.id),
        context={"vehicle": vehicle.display_name, "place": site.name if site else None,
                 "address": site.address if site else None, "date": rental.start_date})
    db.session.commit()


# -- take back, settle, cancel ----------------------------------------------------------------

def take_back(actor, rental: Rental, *, odometer_km: int | None,
              energy_level_pct: int | None = None, checklist: dict | None = None,
              damage_notes: str | None = None, open_maintenance: bool = False,
              immobilise: bool = False, signoff: dict | None = None):
    """The vehicle comes back (check-in inspection): days kept after the planned return are
    counted to be charged; the distance driven is compared with the allowance."""
    refuse([check_state(rental, "take_back")])
    checklist, _failed = rules.check_checklist(rental.vehicle.kind, checklist)
    return fleet.check_in(actor, rental, odometer_km=odometer_km,
                          energy_level_pct=energy_level_pct, checklist=checklist,
                          damage_notes=damage_notes, open_maintenance=open_maintenance,
                          immobilise=immobilise, signoff=signoff,
                          in_transaction=webhook_events.rental_returned)


def mileage_summary(rental: Rental) -> dict[str, Any] | None:
    """Distance driven between check-out and check-in against the allowance of the working
    days in between (the checkpoints' rule)."""
    from mobility.checkpoints.services import working_days

    out_, in_ = rental.inspection("check_out"), rental.inspection("check_in")
    if out_ is None or in_ is None:
        return None
    driven = in_.odometer_km - out_.odometer_km
    days = working_days(out_.inspected_at.date(), in_.inspected_at.date())
    allowance = rules.allowance_for(rental, days)
    return {"driven_km": driven, "working_days": days, "allowance_km": allowance,
            "over_allowance": allowance is not None and driven > allowance,
            "over_km": round(max(0.0, driven - allowance), 1) if allowance is not None else None}


def waive_late_days(actor, rental: Rental, *, reason: str) -> Rental:
    """An advisor does not charge the days kept after the planned return (reason audited)."""
    reason = _check_reason(reason, "reason")
    refuse([check_state(rental, "waive_late_days")])
    if not rental.late_days:
        refuse([Refusal("no_late_days", _l("The vehicle came back on time: nothing to waive."),
                        status=409)])
    rental.late_days_waived_reason = reason
    record_audit(actor, "override", object_type="Rental", object_id=rental.id,
                 platform_id=rental.platform_id, fields=["late_days_waived_reason"])
    db.session.commit()
    return rental


def settle(actor, rental: Rental, *, kept_cents: int = 0, damage_note: str | None = None,
           waive_late_days_reason: str | None = None) -> Rental:
    """Close a returned rental: late days charged (or waived with a reason), the deposit given
    back or kept in part for documented damage. Then nothing more changes on it."""
    from mobility.payments import services as payments

    refuse([check_state(rental, "settle")])
    deposit = payments.deposit_of(rental)
    if isinstance(kept_cents, bool) or not isinstance(kept_cents, int) or kept_cents < 0:
        raise ValidationFailed(details={"kept_cents": _l("Enter a whole number of cents.")})
    if kept_cents:
        if deposit is None or deposit.status != "held":
            raise ValidationFailed(details={"kept_cents": _l(
                "There is no deposit held to keep part of.")})
        if kept_cents > deposit.amount_cents:
            raise ValidationFailed(details={"kept_cents": _l(
                "You cannot keep more than the deposit.")})
        if not _reason(damage_note):
            raise ValidationFailed(details={"damage_note": _l(
                "Describe the damage that justifies keeping the deposit.")})
    if waive_late_days_reason:
        waive_late_days(actor, rental, reason=waive_late_days_reason)
    if deposit is not None and deposit.is_open:
        if kept_cents:
            payments.keep_deposit(actor, deposit, amount_cents=kept_cents,
                                  damage_note=damage_note or "")
        else:
            payments.release_deposit(actor, deposit)
    rental.status = "closed"
    rental.closed_at = utcnow()
    record_audit(actor, "update", object_type="Rental", object_id=rental.id,
                 platform_id=rental.platform_id, fields=["status"])
    db.session.commit()
    return rental


def cancel(actor, rental: Rental) -> Rental:
    """Cancel a booking not yet handed over: its period is free again and a deposit already
    taken is given back."""
    from mobility.payments import services as payments

    refuse([check_state(rental, "cancel")])
    deposit = payments.deposit_of(rental)
    if deposit is not None and deposit.is_open:
        payments.release_deposit(actor, deposit)
    return fleet.cancel_rental(actor, rental)


def explain(error: DomainError) -> str:
    """One line for a page: the refusal's message and the other things still missing."""
    text = str(error.message)
    details = error.details if isinstance(error.details, dict) else {}
    for item in details.get("also", []):
        text += " " + str(item["message"])
    return text


__all__ = ["CHECKLISTS", "BookingOverrides", "book", "cancel", "change_end", "change_scheme",
           "exempt_deposit", "extend", "hand_over", "handover_readiness", "mileage_summary",
           "replace", "settle", "shorten", "sign_contract", "situation_changed", "take_back",
           "take_deposit", "waive_late_days"]
