"""Stripe webhook events: stored by id, uniquely, in the same transaction as their effect;
the object is re-read from Stripe before anything changes."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mobility.core.db import db, write_transaction
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.payments import gateway
from mobility.payments.models import Deposit, Payment, StripeEvent
from mobility.payments.services.deposits import sync_deposit
from mobility.payments.services.payments import sync_payment

log = logging.getLogger(__name__)

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

