"""Payments of a rental: recorded in person, or paid online through a Stripe PaymentIntent
(created once per payment, re-read from Stripe, never trusted from the browser)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mobility.audit.services import record_audit
from mobility.core.columns import utcnow
from mobility.core.db import db, id_in
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.payments import gateway
from mobility.payments.models import PAYMENT_METHODS, Payment
from mobility.payments.services.operations import check_amount, stripe_operation

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
    check_amount(amount_cents)
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



def payments_of(rental) -> list[Payment]:
    """The rental's payments, oldest first."""
    return list(db.session.scalars(
        select(Payment).where(Payment.rental_id == rental.id).order_by(Payment.id)))
