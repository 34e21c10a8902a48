"""Record a checkpoint in one transaction: reading, condition, payment, notes, next date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import force_locale
from sqlalchemy import select

from fleet.models import CHECKLISTS, Site
from mobility.audit.services import record_audit
from mobility.checkpoints import signals
from mobility.checkpoints.models import Checkpoint
from mobility.core.dates import PARIS, add_months
from mobility.core.db import db
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.translations import gettext as _
from mobility.core.translations import lazy_gettext as _l
from mobility.i18n import local_date, number
from mobility.payments import gateway
from mobility.payments import services as payments
from mobility.people.models import ReferentFeedback
from mobility.pricing.amie import amie_first_month_of, amie_max_months
from mobility.pricing.mileage import allowance_for
from mobility.pricing.services import ensure_terms

#: a checkpoint more than this many days after the previous one is refused as a typo
MAX_GAP_DAYS = 400


@dataclass
class Reading:
    odometer_km: int
    on: date


def working_days(after: date, until: date) -> int:
    """Monday-to-Friday days in `(after, until]`: the days the person drives to work."""
    if until <= after:
        return 0
    days = (until - after).days
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    for offset in range(1, rest + 1):
        if (after + timedelta(days=full_weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def checkpoints_of(rental) -> list[Checkpoint]:
    return list(db.session.scalars(select(Checkpoint).where(Checkpoint.rental_id == rental.id)
                                   .order_by(Checkpoint.date, Checkpoint.id)))


def last_reading(rental) -> Reading | None:
    """The latest odometer reading: the last checkpoint's, else the check-out inspection's."""
    latest = db.session.scalar(select(Checkpoint).where(Checkpoint.rental_id == rental.id)
                               .order_by(Checkpoint.date.desc(), Checkpoint.id.desc()).limit(1))
    if latest is not None:
        return Reading(latest.odometer_km, latest.date)
    inspection = rental.inspection("check_out")
    if inspection is not None:
        return Reading(inspection.odometer_km, inspection.inspected_at.date())
    return None


def default_next_date(kind: str, day: date) -> date:
    return add_months(day, 1) if kind == "monthly" else day + timedelta(days=7)


#: how long a checkpoint meeting lasts in a calendar
CHECKPOINT_MINUTES = 30


@dataclass(frozen=True)
class Appointment:
    """The next checkpoint: its day, time (local) and place (a site of the platform, or a
    place in words). `is_default` when no checkpoint set it yet: the first one is a week (a
    month for AMIE) after the start, at the rental's site, time to be agreed."""

    day: date
    time: time | None
    site: Site | None
    place: str | None
    is_default: bool

    @property
    def place_text(self) -> str | None:
        """Where, in words: the site's name and address, or the place as written."""
        if self.site is not None:
            return ", ".join(p for p in (self.site.name, self.site.address) if p) or None
        return self.place

    @property
    def starts_at(self) -> datetime | None:
        """The local start (Europe/Paris), when a time is set."""
        if self.time is None:
            return None
        return datetime.combine(self.day, self.time, tzinfo=PARIS)


def rental_site(rental) -> Site | None:
    """The rental's site: where its vehicle is kept and was handed over."""
    return rental.vehicle.site if rental.vehicle is not None else None


def next_appointment(rental, checkpoints: list[Checkpoint], kind: str) -> Appointment | None:
    """The appointment set at the last checkpoint; before any, the default one (a week, a
    month for AMIE, after the start, at the rental's site). None once the rental is closed."""
    if not rental.is_open:
        return None
    if checkpoints:
        last = checkpoints[-1]
        if last.next_date is None:
            return None
        return Appointment(day=last.next_date, time=last.next_time, site=last.next_site,
                           place=last.next_place, is_default=False)
    return Appointment(day=default_next_date(kind, rental.start_date), time=None,
                       site=rental_site(rental), place=None, is_default=True)


def next_appointment_of(rental) -> Appointment | None:
    """`next_appointment` for one rental, reading its last checkpoint and its scheme."""
    latest = db.session.scalar(select(Checkpoint).where(Checkpoint.rental_id == rental.id)
                               .order_by(Checkpoint.date.desc(), Checkpoint.id.desc()).limit(1))
    kind = "monthly" if ensure_terms(rental).scheme == "amie" else "weekly"
    return next_appointment(rental, [latest] if latest is not None else [], kind)


def next_checkpoint_date(rental, checkpoints: list[Checkpoint], kind: str) -> date | None:
    """The date set at the last checkpoint, else a week (a month for AMIE) after the start."""
    appointment = next_appointment(rental, checkpoints, kind)
    return appointment.day if appointment is not None else None


def record_checkpoint(actor, rental, *, day: date, odometer_km: int, condition: dict | None,
                      payment: dict | None = None, condition_note: str | None = None,
                      note: str | None = None, exit_solution: str | None = None,
                      next_date: date | None = None, next_time: time | None = None,
                      next_site_id: int | None = None, next_place: str | None = None,
                      send_to_referent: bool = True) -> Checkpoint:
    """One checkpoint, one transaction. Refused (4xx, nothing written) before the hand-over or
    on a closed rental, on an odometer below the last reading, an unknown payment method or a
    bad amount, a site of another platform, or both a site and a place. The next checkpoint
    takes place at `next_site_id`, or at `next_place` (in words), else at the rental's site.
    The AMIE monthly report always goes to the referent (the scheme sends it
    "systématiquement")."""
    _refuse_unless_out(rental)
    kind = "monthly" if ensure_terms(rental).scheme == "amie" else "weekly"
    if kind == "monthly":
        send_to_referent = True
    previous = last_reading(rental)
    errors = {**_odometer_errors(odometer_km, previous), **_date_errors(rental, day, previous)}
    meeting_errors, next_site, next_place = _next_meeting(rental, day, next_date, next_site_id,
                                                          next_place)
    errors.update(meeting_errors)
    condition = condition or {}
    errors.update(_condition_errors(rental, condition))
    errors.update(_payment_errors(payment))
    if db.session.scalar(select(Checkpoint.id).where(Checkpoint.rental_id == rental.id,
                                                     Checkpoint.date == day)):
        raise Conflict(_l("A checkpoint is already recorded on this date."),
                       code="checkpoint_exists")
    if errors:
        raise ValidationFailed(details=errors)

    checkpoint = Checkpoint(
        platform_id=rental.platform_id, rental_id=rental.id, kind=kind, date=day,
        odometer_km=odometer_km, condition=condition, **_notes(condition_note, note,
                                                               exit_solution),
        next_date=next_date or default_next_date(kind, day), next_time=next_time,
        next_site_id=next_site.id if next_site is not None else None, next_place=next_place,
        recorded_by_id=actor.id,
    )
    # the vehicle's reading moves on, so the check-in cannot go below a checkpoint's odometer
    rental.vehicle.odometer_km = max(rental.vehicle.odometer_km or 0, odometer_km)
    if previous is not None:
        _set_mileage(checkpoint, rental, previous)
    if kind == "monthly":
        limit = amie_max_months(rental.platform_id)
        checkpoint.microcredit_proposed = day >= add_months(
            rental.start_date, max(0, limit - amie_first_month_of(rental)))
    db.session.add(checkpoint)
    db.session.flush()
    if payment is not None:
        checkpoint.payment_id = _new_payment(actor, rental, checkpoint, payment).id
    db.session.flush()
    checkpoint.arrears_cents = payments.ledger(rental, today=day)["arrears_cents"]
    if send_to_referent:
        checkpoint.feedback_id = _send_summary(actor, rental, checkpoint)
    record_audit(actor, "create", object_type="Checkpoint", object_id=checkpoint.id,
                 platform_id=rental.platform_id,
                 fields=["odometer_km", "condition", "payment", "note", "exit_solution"])
    signals.checkpoint_recorded.send(checkpoint)
    db.session.commit()
    _start_online_payment(checkpoint)
    return checkpoint


def _notes(condition_note: str | None, note: str | None, exit_solution: str | None) -> dict:
    """The checkpoint's texts, trimmed (None when empty)."""
    return {"condition_note": (condition_note or "").strip() or None,
            "note": (note or "").strip() or None,
            "exit_solution": (exit_solution or "").strip() or None}


def _start_online_payment(checkpoint: Checkpoint) -> None:
    """Send an online payment taken at the checkpoint to Stripe, once the checkpoint is saved."""
    if checkpoint.payment is not None and checkpoint.payment.method == "stripe":
        try:
            payments.start_online_payment(checkpoint.payment)
        except gateway.GatewayError:
            db.session.rollback()  # the payment stays pending with its key: retry later


def _refuse_unless_out(rental) -> None:
    """A 409 unless the vehicle is out: not yet handed over, or the rental closed."""
    if rental.status == "booked":
        raise Conflict(_l("The vehicle has not been handed over yet: record the hand-over "
                          "first."), code="not_handed_over")
    if rental.status != "in_progress":
        raise Conflict(_l("This rental is closed: no checkpoint can be recorded on it."),
                       code="rental_closed")


def _odometer_errors(odometer_km, previous: Reading | None) -> dict[str, object]:
    if isinstance(odometer_km, bool) or not isinstance(odometer_km, int) or odometer_km < 0:
        return {"odometer_km": _l("Enter the odometer in whole kilometres.")}
    if previous is not None and odometer_km < previous.odometer_km:
        return {"odometer_km": _l("The odometer cannot be below the last reading "
                                  "(%(km)d km).", km=previous.odometer_km)}
    return {}


def _date_errors(rental, day: date, previous: Reading | None) -> dict[str, object]:
    if day < rental.start_date:
        return {"date": _l("The checkpoint cannot be before the rental starts.")}
    if previous is not None and day < previous.on:
        return {"date": _l("The checkpoint cannot be before the last reading.")}
    if previous is not None and (day - previous.on).days > MAX_GAP_DAYS:
        return {"date": _l("This date is too far from the last reading.")}
    return {}


def _next_meeting(rental, day: date, next_date: date | None, next_site_id: int | None,
                  next_place: str | None) -> tuple[dict[str, object], Site | None, str | None]:
    """The refusals of the next meeting's date and place, its site and its place in words: a
    site of the platform, or a place (not both), else the rental's site."""
    errors: dict[str, object] = {}
    if next_date is not None and next_date <= day:
        errors["next_date"] = _l("The next checkpoint must be after this one.")
    next_place = (next_place or "").strip() or None
    next_site = None
    if next_place is not None and len(next_place) > 200:
        errors["next_place"] = _l("Write the place in 200 characters at most.")
    if next_site_id is not None:
        next_site = db.session.get(Site, next_site_id)
        if next_site is None or next_site.platform_id != rental.platform_id:
            errors["next_site_id"] = _l("Choose one of the platform's sites.")
        elif next_place is not None:
            errors["next_place"] = _l("Choose a site or write a place, not both.")
    elif next_place is None:
        next_site = rental_site(rental)
    return errors, next_site, next_place


def _condition_errors(rental, condition: dict) -> dict[str, object]:
    allowed_items = set(CHECKLISTS.get(rental.vehicle.kind, ()))
    unknown = [key for key in condition if key not in allowed_items]
    if unknown or not all(isinstance(v, bool) for v in condition.values()):
        return {"condition": _l("Unknown checklist item or value: use %(items)s with true or "
                                "false.", items=", ".join(sorted(allowed_items)))}
    return {}


def _payment_errors(payment: dict | None) -> dict[str, object]:
    """The refusals of a payment taken at the checkpoint; Stripe unset is its own refusal."""
    errors: dict[str, object] = {}
    if payment is None:
        return errors
    amount, method = payment.get("amount_cents"), payment.get("method")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        errors["payment.amount_cents"] = _l("Enter a whole number of cents above zero.")
    if method not in ("cash", "cheque", "card_terminal", "stripe"):
        errors["payment.method"] = _l("Unknown payment method: cash, cheque, "
                                      "card_terminal or stripe.")
    elif method == "stripe" and not gateway.is_configured():
        raise gateway.StripeNotConfigured()
    return errors


def _set_mileage(checkpoint: Checkpoint, rental, previous: Reading) -> None:
    """The distance since the last reading against the allowance for the working days."""
    checkpoint.previous_odometer_km = previous.odometer_km
    checkpoint.previous_reading_on = previous.on
    checkpoint.working_days = working_days(previous.on, checkpoint.date)
    checkpoint.allowance_km = allowance_for(rental, checkpoint.working_days)
    if checkpoint.allowance_km is not None:
        checkpoint.over_allowance = (
            checkpoint.odometer_km - previous.odometer_km) > checkpoint.allowance_km


def _new_payment(actor, rental, checkpoint: Checkpoint, payment: dict):
    return payments.new_payment(
        actor, rental, amount_cents=payment["amount_cents"], method=payment["method"],
        paid_on=checkpoint.date, reference=payment.get("reference"),
        idempotency_key=f"checkpoint:{checkpoint.id}:payment"
        if payment["method"] == "stripe" else None)


def retry_online_payment(checkpoint: Checkpoint) -> Checkpoint:
    """Send a checkpoint's online payment to Stripe again (same idempotency key)."""
    payment = checkpoint.payment
    if payment is None or payment.method != "stripe" or payment.stripe_payment_intent_id:
        raise Conflict(_l("There is no online payment waiting to be sent."),
                       code="nothing_to_retry")
    payments.start_online_payment(payment)
    return checkpoint


def summary(rental, checkpoint: Checkpoint) -> str:
    """What the referent reads (no private note, no amounts beyond arrears)."""
    parts = [_("%(kind)s of %(date)s, rental of a %(vehicle)s.",
               kind=checkpoint.kind_label, date=local_date(checkpoint.date),
               vehicle=rental.vehicle.kind_label.lower())]
    if checkpoint.km_driven is not None:
        parts.append(_("%(km)d km since the last reading.", km=checkpoint.km_driven))
    if checkpoint.over_allowance:
        parts.append(_("Over the mileage allowance (%(allowance)s km): to be discussed.",
                       allowance=number(checkpoint.allowance_km)))
    parts.append(_("Payments up to date.") if checkpoint.arrears_cents == 0
                 else _("Payments behind schedule."))
    if checkpoint.exit_solution:
        parts.append(_("Exit solution: %(text)s", text=checkpoint.exit_solution))
    if checkpoint.microcredit_proposed:
        parts.append(_("Month 5 of the plan: a microcredit to buy a car is proposed."))
    if checkpoint.next_date:
        parts.append(_("Next meeting: %(date)s.", date=local_date(checkpoint.next_date)))
    return " ".join(parts)


def _send_summary(actor, rental, checkpoint: Checkpoint) -> int | None:
    """Store the summary as feedback on the person's open pathway (shown to the referent)."""
    pathway = getattr(rental.beneficiary, "open_pathway", None)
    if pathway is None:
        return None
    with force_locale("fr"):
        text = summary(rental, checkpoint)
    feedback = ReferentFeedback(platform_id=rental.platform_id, pathway_id=pathway.id,
                                author_id=actor.id, summary=text)
    db.session.add(feedback)
    db.session.flush()
    return feedback.id
