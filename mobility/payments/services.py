"""Payments, deposits, the ledger of a rental, Stripe operations and webhook events.

Stripe calls go through `stripe_operation(key, ...)`: the business operation's key
(`rental:{id}:deposit`, `checkpoint:{id}:payment`...) is committed BEFORE the call and sent as
the idempotency key; a retry after a network failure reuses it, a finished operation is not
sent again. Webhook events are stored by id, uniquely, in the same transaction as their effect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from fleet.models import ENDED_RENTAL_STATUSES as ENDED
from fleet.models import Rental
from mobility.audit.services import record_audit
from mobility.core.columns import utcnow
from mobility.core.db import db, id_in, write_transaction
from mobility.core.errors import Conflict, ValidationFailed
from mobility.payments import gateway
from mobility.payments.models import (
    DEPOSIT_METHODS,
    PAYMENT_METHODS,
    Deposit,
    Payment,
    StripeEvent,
    StripeOperation,
)
from mobility.pricing.services import (
    amie_first_months,
    amie_max_months,
    ensure_terms,
    quote_under_terms,
    rental_quote,
)

#: rentals longer than this many days save the card (SetupIntent); shorter ones hold it
SHORT_RENTAL_MAX_DAYS = 7
#: Stripe releases an uncaptured card authorisation after 7 days
HOLD_LIFETIME = timedelta(days=7)
#: holds expiring within this delay are handled by `handle_expiring_holds`
HOLD_EXPIRY_MARGIN = timedelta(days=1)
IN_PERSON_METHODS = ("cash", "cheque", "card_terminal")

log = logging.getLogger(__name__)


# -- Stripe operations with stored idempotency keys ---------------------------------------

def stripe_operation(key: str, call: Callable[[str], dict], *,
                     platform_id: int | None) -> dict:
    """Run a Stripe call once per business operation `key`.

    The key is stored (committed) before the call; a retry after a network failure sends the
    same idempotency key; an operation already done returns its stored result without calling
    Stripe; after a definite refusal (a declined card) the next attempt uses `key:retry<n>`.
    """
    operation = db.session.scalar(select(StripeOperation).where(StripeOperation.key == key))
    if operation is not None and operation.status == "succeeded":
        return operation.result or {}
    if operation is None:
        operation = StripeOperation(key=key, idempotency_key=key, platform_id=platform_id,
                                    generation=1, attempts=0, status="pending")
        db.session.add(operation)
    elif operation.status == "failed":
        operation.generation += 1
        operation.idempotency_key = f"{key}:retry{operation.generation}"
        operation.status = "pending"
    operation.attempts += 1
    db.session.commit()  # stored before the call
    try:
        result = call(operation.idempotency_key)
    except gateway.GatewayError as error:
        operation.status = "pending" if error.retryable else "failed"
        operation.last_error = (error.detail or str(error.message))[:500]
        db.session.commit()
        raise
    operation.status, operation.stripe_id, operation.result = "succeeded", result.get("id"), result
    operation.last_error = None
    db.session.commit()
    return result


# -- payments -----------------------------------------------------------------------------

def _check_open(rental) -> None:
    if rental.status not in ("booked", "in_progress"):
        raise Conflict(_l("This rental is closed: nothing more can be recorded on it."),
                       code="rental_closed")


def _check_amount(amount_cents, field: str = "amount_cents") -> int:
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ValidationFailed(details={field: _l("Enter a whole number of cents above zero.")})
    if amount_cents > 10_000_000:
        raise ValidationFailed(details={field: _l("This amount is too large.")})
    return amount_cents


#: a payment may be dated from a month before its rental starts (a deposit cheque, a first
#: instalment) to a week ahead of today (later is a typing error: 2099 for 2029)
PAID_BEFORE_START = timedelta(days=31)
PAID_ON_AHEAD = timedelta(days=7)


def _check_paid_on(rental, paid_on: date | None) -> None:
    if paid_on is None:
        return
    earliest = rental.start_date - PAID_BEFORE_START
    if not (earliest <= paid_on <= utcnow().date() + PAID_ON_AHEAD):
        raise ValidationFailed(details={"paid_on": _l(
            "The payment date must be between a month before the rental starts and a week "
            "from today.")})


class DuplicateReference(Conflict):
    code = "duplicate_reference"
    default_message = _l("A payment with this cheque or receipt number is already recorded "
                         "for this rental.")


def new_payment(actor, rental, *, amount_cents: int, method: str, paid_on: date,
                reference: str | None = None, idempotency_key: str | None = None) -> Payment:
    """Add a payment to the session (not committed): in person it is received at once; through
    Stripe it waits for the card (`start_online_payment`)."""
    _check_amount(amount_cents)
    _check_paid_on(rental, paid_on)
    if method not in PAYMENT_METHODS:
        raise ValidationFailed(details={"method": _l("Unknown payment method: cash, cheque, "
                                                     "card_terminal or stripe.")})
    if method == "stripe" and not gateway.is_configured():
        raise gateway.StripeNotConfigured()
    reference = (reference or "").strip()[:80] or None
    if reference is not None and db.session.scalar(select(Payment.id).where(
            Payment.rental_id == rental.id, Payment.reference == reference)) is not None:
        raise DuplicateReference()
    payment = Payment(
        platform_id=rental.platform_id, rental_id=rental.id, amount_cents=amount_cents,
        method=method, status="pending" if method == "stripe" else "succeeded",
        reference=reference, paid_on=None if method == "stripe"
        else paid_on, idempotency_key=idempotency_key, recorded_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(payment)
    except IntegrityError:  # a parallel request recorded the same reference first
        raise DuplicateReference() from None
    record_audit(actor, "create", object_type="Payment", object_id=payment.id,
                 platform_id=rental.platform_id, fields=["amount_cents", "method"])
    return payment


def record_payment(actor, rental, *, amount_cents: int, method: str, paid_on: date,
                   reference: str | None = None) -> Payment:
    """Record a payment outside a checkpoint (e.g. at the return)."""
    _check_open_or_returned(rental)
    payment = new_payment(actor, rental, amount_cents=amount_cents, method=method,
                          paid_on=paid_on, reference=reference)
    if method == "stripe":
        payment.idempotency_key = f"payment:{payment.id}"
    db.session.commit()
    if method == "stripe":
        start_online_payment(payment)
    return payment


def _check_open_or_returned(rental) -> None:
    if rental.status == "cancelled":
        raise Conflict(_l("This rental was cancelled."), code="rental_closed")


def start_online_payment(payment: Payment) -> Payment:
    """Create the Stripe PaymentIntent the beneficiary pays online (idempotent per payment)."""
    result = stripe_operation(
        payment.idempotency_key,
        lambda key: gateway.create_payment_intent(
            idempotency_key=key, amount_cents=payment.amount_cents,
            metadata={"payment_id": str(payment.id), "rental_id": str(payment.rental_id)}),
        platform_id=payment.platform_id,
    )
    payment.stripe_payment_intent_id = result["id"]
    payment.stripe_client_secret = result.get("client_secret")
    db.session.commit()
    return payment


def sync_payment(payment: Payment, intent: dict | None = None) -> Payment:
    """Bring a Stripe payment's status in line with Stripe's PaymentIntent (re-read)."""
    intent = intent or gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
    status = intent.get("status")
    if status == "succeeded" and payment.status != "succeeded":
        payment.status = "succeeded"
        payment.paid_on = utcnow().date()
    elif status == "canceled":
        payment.status = "cancelled"
    elif status == "requires_payment_method" and intent.get("last_payment_error"):
        payment.status = "failed"
    return payment


#: online payments the beneficiary can (still) pay on the page: waiting, or a card refused
#: (Stripe keeps the PaymentIntent open for another card)
PAYABLE_ONLINE_STATUSES = ("pending", "failed")


def online_payments_to_pay(rental_ids) -> list[Payment]:
    """The online payments still waiting for a card on these rentals, in one query."""
    rental_ids = list(rental_ids)
    if not rental_ids:
        return []
    return list(db.session.scalars(
        select(Payment).where(id_in(Payment.rental_id, rental_ids), Payment.method == "stripe",
                              Payment.status.in_(PAYABLE_ONLINE_STATUSES))
        .order_by(Payment.id)))


def refresh_online_payment(payment: Payment, actor=None) -> dict:
    """Before the beneficiary pays, or after the browser says it paid: make sure the
    PaymentIntent exists (a creation that failed is sent again under the same key), then
    RE-READ it from Stripe and bring the payment in line. Never trusts the browser.

    Returns the PaymentIntent as Stripe sees it ({} for a payment that is not online or is
    already settled)."""
    if payment.method != "stripe" or payment.status not in PAYABLE_ONLINE_STATUSES:
        return {}
    if not payment.stripe_payment_intent_id:
        payment.idempotency_key = payment.idempotency_key or f"payment:{payment.id}"
        start_online_payment(payment)
    intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
    before = payment.status
    sync_payment(payment, intent)
    if payment.status != before:
        record_audit(actor, "update", object_type="Payment", object_id=payment.id,
                     platform_id=payment.platform_id, fields=["status"])
    db.session.commit()
    return intent


# -- deposits -----------------------------------------------------------------------------

def deposit_of(rental) -> Deposit | None:
    return db.session.scalar(select(Deposit).where(Deposit.rental_id == rental.id))


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
    amount = terms.deposit_cents if amount_cents is None else _check_amount(amount_cents)
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
        intent = intent or gateway.retrieve_setup_intent(deposit.stripe_setup_intent_id)
        if intent.get("status") == "succeeded" and deposit.status == "pending":
            deposit.status, deposit.held_at = "held", utcnow()
            deposit.stripe_payment_method_id = intent.get("payment_method")
        elif intent.get("status") == "canceled" and deposit.status == "pending":
            deposit.status = "failed"
    elif deposit.stripe_payment_intent_id:
        intent = intent or gateway.retrieve_payment_intent(deposit.stripe_payment_intent_id)
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
    return deposit


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
    _check_amount(amount_cents)
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


# -- webhook events -----------------------------------------------------------------------

HANDLED_EVENTS = (
    "payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
    "payment_intent.amount_capturable_updated", "setup_intent.succeeded",
    "setup_intent.setup_failed", "setup_intent.canceled",
)


def handle_event(event: dict) -> str:
    """Apply a verified webhook event once. Returns 'duplicate', 'ignored' or what changed.

    The object is re-read from Stripe before acting (the event's copy may be stale or forged
    by replay); the event id is stored uniquely in the same transaction as the effect.
    """
    event_id = event.get("id")
    event_type = event.get("type", "")
    data = (event.get("data") or {}).get("object") or {}
    object_id = data.get("id")
    if not event_id:
        raise ValidationFailed(details={"id": _l("The event has no id.")})
    if db.session.scalar(select(StripeEvent.id).where(StripeEvent.event_id == event_id)):
        return "duplicate"
    fresh = None
    if event_type in HANDLED_EVENTS and object_id and not _known_intent(object_id):
        # not ours (another installation on the account, a deleted record): answer 200 so
        # that Stripe stops retrying, and leave a trace for the operator
        log.warning("Stripe event %s (%s) about unknown object %s", event_id, event_type,
                    object_id)
    elif event_type in HANDLED_EVENTS and object_id:
        fresh = (gateway.retrieve_setup_intent(object_id) if event_type.startswith("setup_intent")
                 else gateway.retrieve_payment_intent(object_id))
    db.session.rollback()
    try:
        with write_transaction():
            outcome = (_apply(event_type, fresh) if fresh
                       else "unknown_object" if event_type in HANDLED_EVENTS and object_id
                       else "ignored")
            db.session.add(StripeEvent(event_id=event_id, type=event_type[:80],
                                       object_id=object_id, outcome=outcome))
            db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return "duplicate"
    return outcome


def _known_intent(object_id: str) -> bool:
    """True when a deposit or a payment of ours points to this Stripe object."""
    return any(db.session.scalar(select(column).where(column == object_id).limit(1))
               for column in (Deposit.stripe_setup_intent_id, Deposit.stripe_payment_intent_id,
                              Payment.stripe_payment_intent_id))


def _apply(event_type: str, intent: dict) -> str:
    if event_type.startswith("setup_intent"):
        deposit = db.session.scalar(select(Deposit).where(
            Deposit.stripe_setup_intent_id == intent["id"]))
        if deposit is None:
            return "unknown_object"
        sync_deposit(deposit, intent)
        return f"deposit:{deposit.status}"
    deposit = db.session.scalar(select(Deposit).where(
        Deposit.stripe_payment_intent_id == intent["id"]))
    if deposit is not None:
        sync_deposit(deposit, intent)
        return f"deposit:{deposit.status}"
    payment = db.session.scalar(select(Payment).where(
        Payment.stripe_payment_intent_id == intent["id"]))
    if payment is not None:
        sync_payment(payment, intent)
        return f"payment:{payment.status}"
    return "unknown_object"


# -- the ledger ---------------------------------------------------------------------------

# -- many rentals at once (lists, dashboards: a fixed number of queries) --------------------

def paid_by_rental(rental_ids: list[int]) -> dict[int, int]:
    """Succeeded payments of each rental, in one query."""
    from mobility.payments.models import Payment

    if not rental_ids:
        return {}
    return dict(db.session.execute(
        select(Payment.rental_id, func.sum(Payment.amount_cents))
        .where(id_in(Payment.rental_id, rental_ids), Payment.status == "succeeded")
        .group_by(Payment.rental_id)).all())


def due_by_rental(rentals: list[Rental], today: date) -> dict[int, tuple[int, str]]:
    """What each rental owes by today under its terms (instalments due), computed in memory
    from its terms; a rental whose price is not fixed yet is priced as `ensure_terms` would
    fix it (tariff in force on its start date, the person's situation), without writing."""
    from mobility.pricing.engine import QuoteError, Situation, TariffRates, quote
    from mobility.pricing.models import RentalTerms, Tariff

    if not rentals:
        return {}
    limit = amie_max_months(rentals[0].platform_id)
    terms = {t.rental_id: t for t in db.session.scalars(select(RentalTerms).where(
        id_in(RentalTerms.rental_id, [r.id for r in rentals])).options(
            selectinload(RentalTerms.amendments)))}
    first_months = amie_first_months([r for r in rentals if r.id in terms
                                      and terms[r.id].scheme == "amie"])
    tariffs: list[Tariff] | None = None
    memberships: dict[int, list[date]] | None = None
    due: dict[int, tuple[int, str]] = {}
    for rental in rentals:
        item = terms.get(rental.id)
        if item is not None:
            try:
                result = quote_under_terms(rental, item, max_months=limit,
                                           first_month=first_months.get(rental.id))
            except QuoteError:
                continue
            due[rental.id] = (sum(i.amount_cents for i in result.instalments
                                  if i.due_date <= today or rental.status in ENDED),
                              item.scheme)
            continue
        if tariffs is None:
            tariffs = list(db.session.scalars(select(Tariff).where(
                Tariff.platform_id == rental.platform_id)))
            memberships = _membership_starts([r.beneficiary_id for r in rentals])
        tariff = next((t for t in tariffs if t.covers(rental.start_date)), None)
        rates = tariff.tariff_rates() if tariff else TariffRates()
        scheme = "bougez"
        person = rental.beneficiary
        since = rental.start_date - timedelta(days=365)
        charged = any(since < day <= rental.start_date
                      for day in memberships.get(rental.beneficiary_id, ()))
        situation = Situation(receives_rsa=bool(person.receives_rsa),
                              lives_in_qpv=bool(person.lives_in_qpv),
                              resources_band=person.resources_band,
                              membership_due=not charged)
        try:
            result = quote(rates, kind=rental.vehicle.kind, start=rental.start_date,
                           end=rental.end_date, scheme=scheme, situation=situation)
        except QuoteError:
            continue
        due[rental.id] = (sum(i.amount_cents for i in result.instalments
                              if i.due_date <= today or rental.status in ENDED), scheme)
    return due


def _membership_starts(beneficiary_ids: list[int]) -> dict[int, list[date]]:
    """Start dates of each person's rentals that charged the membership fee (one query)."""
    from mobility.pricing.models import RentalTerms

    starts: dict[int, list[date]] = {}
    for person_id, start in db.session.execute(
            select(Rental.beneficiary_id, Rental.start_date)
            .join(RentalTerms, RentalTerms.rental_id == Rental.id)
            .where(id_in(Rental.beneficiary_id, beneficiary_ids),
                   RentalTerms.membership_due.is_(True), Rental.status != "cancelled")):
        starts.setdefault(person_id, []).append(start)
    return starts


def balances(rentals: list, today: date | None = None) -> dict[int, dict[str, int]]:
    """`{"paid_cents", "arrears_cents"}` of many rentals in a few queries: what `ledger`
    gives one rental, for list pages."""
    today = today or datetime.now(UTC).date()
    paid = paid_by_rental([r.id for r in rentals])
    due = due_by_rental(rentals, today)
    return {r.id: {"paid_cents": paid.get(r.id, 0),
                   "arrears_cents": max(0, due.get(r.id, (0, ""))[0] - paid.get(r.id, 0))}
            for r in rentals}


def ledger(rental, *, today: date | None = None) -> dict:
    """Charges (the instalments of the rental's terms, up to its actual return date) against
    payments: what is due today, paid, pending, and the arrears (computed, never typed)."""
    today = today or datetime.now(UTC).date()
    terms = ensure_terms(rental)
    if rental.status == "cancelled":
        charges = []
        quote = None
    else:
        quote = rental_quote(rental, terms)
        charges = [
            {"number": i.number, "due_date": i.due_date.isoformat(),
             "period_start": i.period_start.isoformat(), "period_end": i.period_end.isoformat(),
             "amount_cents": i.amount_cents, "due": i.due_date <= today
             or rental.status in ENDED}
            for i in quote.instalments
        ]
    payments = db.session.scalars(
        select(Payment).where(Payment.rental_id == rental.id).order_by(Payment.id)).all()
    paid = sum(p.amount_cents for p in payments if p.status == "succeeded")
    pending = sum(p.amount_cents for p in payments if p.status == "pending")
    charged = sum(c["amount_cents"] for c in charges)
    due = sum(c["amount_cents"] for c in charges if c["due"])
    deposit = deposit_of(rental)
    return {
        "rental_id": rental.id,
        "scheme": terms.scheme,
        "period": quote.period if quote else None,
        "charged_cents": charged,
        "due_cents": due,
        "paid_cents": paid,
        "pending_cents": pending,
        "arrears_cents": max(0, due - paid),
        "credit_cents": max(0, paid - due),
        "balance_cents": paid - charged,
        "charges": charges,
        "payments": [
            {"id": p.id, "amount_cents": p.amount_cents, "method": p.method,
             "status": p.status, "paid_on": p.paid_on.isoformat() if p.paid_on else None,
             "reference": p.reference, "stripe_payment_intent_id": p.stripe_payment_intent_id}
            for p in payments
        ],
        "deposit": None if deposit is None else {
            "id": deposit.id, "amount_cents": deposit.amount_cents, "method": deposit.method,
            "status": deposit.status, "kept_cents": deposit.kept_cents,
            "hold_expires_at": deposit.hold_expires_at.isoformat()
            if deposit.hold_expires_at else None,
        },
        "microcredit": None if not quote or not quote.microcredit else {
            "month": quote.microcredit["month"],
            "date": quote.microcredit["date"].isoformat(),
        },
    }


def payments_of(rental) -> list[Payment]:
    """The rental's payments, oldest first."""
    return list(db.session.scalars(
        select(Payment).where(Payment.rental_id == rental.id).order_by(Payment.id)))


def arrears_cents(rental, *, today: date | None = None) -> int:
    return ledger(rental, today=today)["arrears_cents"]
