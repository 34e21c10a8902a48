"""The deposit of a rental: taken in person or on a card (a SetupIntent saves the card for
long rentals, a manual-capture hold for short ones), released or kept for damage at the return,
and card holds renewed or released before Stripe lets them lapse after 7 days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from fleet.models import ENDED_RENTAL_STATUSES as ENDED
from mobility.audit.services import record_audit
from mobility.core.columns import utcnow
from mobility.core.db import db, id_in
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.payments import gateway
from mobility.payments.models import DEPOSIT_METHODS, Deposit
from mobility.payments.services.operations import check_amount, stripe_operation
from mobility.pricing.services import ensure_terms

#: rentals longer than this many days save the card (SetupIntent); shorter ones hold it
SHORT_RENTAL_MAX_DAYS = 7
#: Stripe releases an uncaptured card authorisation after 7 days
HOLD_LIFETIME = timedelta(days=7)
#: holds expiring within this delay are handled by `handle_expiring_holds`
HOLD_EXPIRY_MARGIN = timedelta(days=1)
IN_PERSON_METHODS = ("cash", "cheque", "card_terminal")


def _check_open(rental) -> None:
    if rental.status not in ("booked", "in_progress"):
        raise Conflict(_l("This rental is closed: nothing more can be recorded on it."),
                       code="rental_closed")



def deposit_of(rental) -> Deposit | None:
    return db.session.scalar(select(Deposit).where(Deposit.rental_id == rental.id))


def deposits_of(rentals) -> dict[int, Deposit]:
    """The deposit of each rental that has one (`deposit_of`), in one query."""
    if not rentals:
        return {}
    return {d.rental_id: d for d in db.session.scalars(
        select(Deposit).where(id_in(Deposit.rental_id, [r.id for r in rentals])))}


def deposit_kind_for(rental) -> str:
    """SetupIntent (card saved) for rentals longer than a few days, a hold for short ones."""
    return "stripe_setup" if rental.days > SHORT_RENTAL_MAX_DAYS else "stripe_hold"


def take_deposit(actor, rental, *, method: str, reference: str | None = None,
                 amount_cents: int | None = None, payment_method_id: str | None = None
                 ) -> Deposit:
    """Take the rental's deposit, in person (held at once) or through Stripe: with the card
    collected on the page (`payment_method_id`, confirmed server-side) it is held at once,
    otherwise it waits for the card (entered with the returned client secret; the webhook or a
    re-read brings it to `held`)."""
    _check_open(rental)
    if method not in DEPOSIT_METHODS:
        raise ValidationFailed(details={"method": _l("Unknown deposit method.")})
    terms = ensure_terms(rental)
    amount = terms.deposit_cents if amount_cents is None else check_amount(amount_cents)
    existing = deposit_of(rental)
    if existing is not None and existing.status not in ("failed",):
        raise Conflict(_l("A deposit is already recorded for this rental."),
                       code="deposit_exists")
    if method in ("stripe_setup", "stripe_hold") and not gateway.is_configured():
        raise gateway.StripeNotConfigured()
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    deposit = Deposit(platform_id=rental.platform_id, rental_id=rental.id, amount_cents=amount,
                      method=method, reference=(reference or "").strip()[:80] or None,
                      taken_by_id=actor.id)
    if method in IN_PERSON_METHODS:
        deposit.status, deposit.held_at = "held", utcnow()
    db.session.add(deposit)
    db.session.flush()
    record_audit(actor, "create", object_type="Deposit", object_id=deposit.id,
                 platform_id=rental.platform_id, fields=["amount_cents", "method"])
    db.session.commit()
    if deposit.is_stripe:
        try:
            _start_stripe_deposit(deposit, rental, payment_method_id)
        except gateway.GatewayError as error:
            db.session.rollback()
            if not error.retryable:
                deposit.status = "failed"
                db.session.commit()
            raise
    return deposit


def _start_stripe_deposit(deposit: Deposit, rental, payment_method_id: str | None) -> None:
    meta = {"rental_id": str(rental.id), "deposit_id": str(deposit.id)}
    customer = stripe_operation(
        f"rental:{rental.id}:customer",
        lambda key: gateway.create_customer(idempotency_key=key,
                                            name=rental.beneficiary.full_name, metadata=meta),
        platform_id=rental.platform_id,
    )
    deposit.stripe_customer_id = customer["id"]
    db.session.commit()
    if deposit.method == "stripe_setup":
        intent = stripe_operation(
            f"rental:{rental.id}:deposit",
            lambda key: gateway.create_setup_intent(idempotency_key=key,
                                                    customer=customer["id"], metadata=meta),
            platform_id=rental.platform_id,
        )
        deposit.stripe_setup_intent_id = intent["id"]
        deposit.stripe_client_secret = intent.get("client_secret")
        db.session.commit()
        if payment_method_id:
            intent = stripe_operation(
                f"rental:{rental.id}:deposit:confirm",
                lambda key: gateway.confirm_setup_intent(
                    intent["id"], idempotency_key=key, payment_method=payment_method_id),
                platform_id=rental.platform_id,
            )
    else:
        intent = stripe_operation(
            f"rental:{rental.id}:deposit",
            lambda key: gateway.create_payment_intent(
                idempotency_key=key, amount_cents=deposit.amount_cents,
                customer=customer["id"], payment_method=payment_method_id,
                manual_capture=True, confirm=bool(payment_method_id), metadata=meta),
            platform_id=rental.platform_id,
        )
        deposit.stripe_payment_intent_id = intent["id"]
        deposit.stripe_client_secret = intent.get("client_secret")
    sync_deposit(deposit, intent)
    db.session.commit()


def sync_deposit(deposit: Deposit, intent: dict | None = None) -> Deposit:
    """Bring a Stripe deposit in line with its (re-read) SetupIntent or PaymentIntent."""
    if deposit.method == "stripe_setup" and deposit.stripe_setup_intent_id:
        _sync_saved_card(deposit, intent or gateway.retrieve_setup_intent(
            deposit.stripe_setup_intent_id))
    elif deposit.stripe_payment_intent_id:
        _sync_hold(deposit, intent or gateway.retrieve_payment_intent(
            deposit.stripe_payment_intent_id))
    return deposit


def _sync_saved_card(deposit: Deposit, intent: dict) -> None:
    """A SetupIntent: the card saved holds the deposit; a cancelled one fails it."""
    if deposit.status != "pending":
        return
    if intent.get("status") == "succeeded":
        deposit.status, deposit.held_at = "held", utcnow()
        deposit.stripe_payment_method_id = intent.get("payment_method")
    elif intent.get("status") == "canceled":
        deposit.status = "failed"


def _sync_hold(deposit: Deposit, intent: dict) -> None:
    """A manual-capture PaymentIntent: authorised (held for 7 days), cancelled (released, or
    failed before it was held) or captured (kept)."""
    status = intent.get("status")
    if status == "requires_capture" and deposit.status in ("pending", "expired"):
        deposit.status, deposit.held_at = "held", utcnow()
        deposit.hold_expires_at = deposit.held_at + HOLD_LIFETIME
        deposit.stripe_payment_method_id = intent.get("payment_method")
    elif status == "canceled" and deposit.status in ("pending", "held"):
        deposit.status = "released" if deposit.status == "held" else "failed"
        deposit.closed_at = deposit.closed_at or utcnow()
    elif status == "succeeded" and deposit.status == "held":
        deposit.status = "kept"
        deposit.kept_cents = int(intent.get("amount_received") or deposit.kept_cents)
        deposit.closed_at = deposit.closed_at or utcnow()


def release_deposit(actor, deposit: Deposit) -> Deposit:
    """Give the deposit back at the return: cheque or cash returned, hold released."""
    if deposit.status not in ("held", "pending", "expired"):
        raise Conflict(_l("This deposit is already closed."), code="deposit_closed")
    rental = deposit.rental
    if deposit.stripe_payment_intent_id:
        gateway_status = gateway.retrieve_payment_intent(deposit.stripe_payment_intent_id)
        if gateway_status.get("status") != "canceled":
            stripe_operation(
                f"rental:{rental.id}:deposit:release",
                lambda key: gateway.cancel_payment_intent(deposit.stripe_payment_intent_id,
                                                          idempotency_key=key),
                platform_id=deposit.platform_id)
    elif deposit.stripe_setup_intent_id and deposit.status == "pending":
        stripe_operation(
            f"rental:{rental.id}:deposit:release",
            lambda key: gateway.cancel_setup_intent(deposit.stripe_setup_intent_id,
                                                    idempotency_key=key),
            platform_id=deposit.platform_id)
    deposit.status, deposit.closed_at = "released", utcnow()
    record_audit(actor, "update", object_type="Deposit", object_id=deposit.id,
                 platform_id=deposit.platform_id, fields=["status"])
    db.session.commit()
    return deposit


def keep_deposit(actor, deposit: Deposit, *, amount_cents: int, damage_note: str) -> Deposit:
    """Keep part or all of the deposit for documented damage; the rest is released."""
    check_amount(amount_cents)
    if not (damage_note or "").strip():
        raise ValidationFailed(details={"damage_note": _l("Describe the damage that justifies "
                                                          "keeping the deposit.")})
    if amount_cents > deposit.amount_cents:
        raise ValidationFailed(details={"amount_cents": _l("You cannot keep more than the "
                                                           "deposit.")})
    if deposit.status != "held":
        raise Conflict(_l("Only a deposit that is held can be kept."), code="deposit_not_held")
    rental = deposit.rental
    meta = {"rental_id": str(rental.id), "deposit_id": str(deposit.id), "reason": "damage"}
    if deposit.method == "stripe_hold":
        stripe_operation(
            f"rental:{rental.id}:deposit:capture",
            lambda key: gateway.capture_payment_intent(
                deposit.stripe_payment_intent_id, idempotency_key=key,
                amount_cents=amount_cents),
            platform_id=deposit.platform_id)
    elif deposit.method == "stripe_setup":
        stripe_operation(
            f"rental:{rental.id}:deposit:capture",
            lambda key: gateway.create_payment_intent(
                idempotency_key=key, amount_cents=amount_cents,
                customer=deposit.stripe_customer_id,
                payment_method=deposit.stripe_payment_method_id, confirm=True,
                off_session=True, metadata=meta),
            platform_id=deposit.platform_id)
    deposit.status, deposit.kept_cents = "kept", amount_cents
    deposit.damage_note = damage_note.strip()
    deposit.closed_at = utcnow()
    record_audit(actor, "update", object_type="Deposit", object_id=deposit.id,
                 platform_id=deposit.platform_id, fields=["status", "kept_cents",
                                                          "damage_note"])
    db.session.commit()
    return deposit


@dataclass
class HoldDecision:
    deposit: Deposit
    decision: str  # release, renew, needs_attention
    outcome: str = ""


def holds_near_expiry(now: datetime | None = None,
                      margin: timedelta = HOLD_EXPIRY_MARGIN) -> list[Deposit]:
    """Card holds (all platforms) that lapse within `margin`: the scheduler acts on them."""
    now = now or utcnow()
    return list(db.session.scalars(select(Deposit).where(
        Deposit.method == "stripe_hold", Deposit.status == "held",
        Deposit.hold_expires_at.is_not(None), Deposit.hold_expires_at <= now + margin,
    ).order_by(Deposit.hold_expires_at)))


def decide_hold(deposit: Deposit) -> str:
    """Release the hold of a finished rental; renew it while the vehicle is still out."""
    if deposit.rental.status in (*ENDED, "cancelled"):
        return "release"
    return "renew"


def handle_expiring_holds(now: datetime | None = None) -> list[HoldDecision]:
    """For each hold near its 7-day expiry: release it (rental over, no damage recorded) or
    renew it (a new off-session hold on the same card, then the old one released). A renewal
    the card refuses marks the deposit `expired`: the advisor takes it again, in person.
    Damage is kept by the advisor (`keep_deposit`) at the return, never automatically."""
    decisions = []
    for deposit in holds_near_expiry(now):
        decision = HoldDecision(deposit, decide_hold(deposit))
        try:
            if decision.decision == "release":
                _system_release(deposit)
                decision.outcome = "released"
            else:
                decision.outcome = _renew_hold(deposit)
        except gateway.GatewayError as error:
            db.session.rollback()
            decision.outcome = f"error: {error.detail or error.code}"
        decisions.append(decision)
    return decisions


def _system_release(deposit: Deposit) -> None:
    stripe_operation(
        f"rental:{deposit.rental_id}:deposit:release",
        lambda key: gateway.cancel_payment_intent(deposit.stripe_payment_intent_id,
                                                  idempotency_key=key),
        platform_id=deposit.platform_id)
    deposit.status, deposit.closed_at = "released", utcnow()
    db.session.commit()


def _renew_hold(deposit: Deposit) -> str:
    number = deposit.renewals + 1
    old = deposit.stripe_payment_intent_id
    try:
        intent = stripe_operation(
            f"rental:{deposit.rental_id}:deposit:renew:{number}",
            lambda key: gateway.create_payment_intent(
                idempotency_key=key, amount_cents=deposit.amount_cents,
                customer=deposit.stripe_customer_id,
                payment_method=deposit.stripe_payment_method_id, manual_capture=True,
                confirm=True, off_session=True,
                metadata={"rental_id": str(deposit.rental_id), "deposit_id": str(deposit.id),
                          "renewal": str(number)}),
            platform_id=deposit.platform_id)
    except gateway.GatewayError as error:
        if error.retryable:
            raise
        deposit.status = "expired"
        db.session.commit()
        return "expired"
    stripe_operation(
        f"rental:{deposit.rental_id}:deposit:renew:{number}:release-old",
        lambda key: gateway.cancel_payment_intent(old, idempotency_key=key),
        platform_id=deposit.platform_id)
    deposit.stripe_payment_intent_id = intent["id"]
    deposit.renewals = number
    deposit.held_at = utcnow()
    deposit.hold_expires_at = deposit.held_at + HOLD_LIFETIME
    db.session.commit()
    return "renewed"

