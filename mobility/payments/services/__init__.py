"""Payments, deposits, the ledger of a rental, Stripe operations and webhook events.

A small package: each part lives in its own module and is re-exported here, because many
callers (checkpoints, rentals, portal, the payment pages and API, the tests) use
`services.<name>`:

- `operations`: `stripe_operation` (a Stripe call once per business operation, its key
  committed before the call and sent as the idempotency key) and the amount check;
- `payments`: payments in person and online (PaymentIntent), re-read from Stripe;
- `deposits`: the deposit taken, synced, released or kept, and card holds near expiry;
- `webhooks`: Stripe events stored by id, uniquely, in the same transaction as their effect;
- `ledger`: charges against payments for one rental or many at once.
"""

from mobility.payments import gateway
from mobility.payments.services.deposits import (
    HOLD_EXPIRY_MARGIN,
    HOLD_LIFETIME,
    IN_PERSON_METHODS,
    SHORT_RENTAL_MAX_DAYS,
    HoldDecision,
    decide_hold,
    deposit_kind_for,
    deposit_of,
    handle_expiring_holds,
    holds_near_expiry,
    keep_deposit,
    release_deposit,
    sync_deposit,
    take_deposit,
)
from mobility.payments.services.ledger import (
    arrears_cents,
    balances,
    due_by_rental,
    ledger,
    paid_by_rental,
)
from mobility.payments.services.operations import check_amount, stripe_operation
from mobility.payments.services.payments import (
    PAID_BEFORE_START,
    PAID_ON_AHEAD,
    PAYABLE_ONLINE_STATUSES,
    DuplicateReference,
    new_payment,
    online_payments_to_pay,
    payments_of,
    record_payment,
    refresh_online_payment,
    start_online_payment,
    sync_payment,
)
from mobility.payments.services.webhooks import HANDLED_EVENTS, handle_event
from mobility.pricing.services import ensure_terms

__all__ = [
    "HANDLED_EVENTS", "HOLD_EXPIRY_MARGIN", "HOLD_LIFETIME", "IN_PERSON_METHODS",
    "PAID_BEFORE_START", "PAID_ON_AHEAD", "PAYABLE_ONLINE_STATUSES", "SHORT_RENTAL_MAX_DAYS",
    "DuplicateReference", "HoldDecision", "arrears_cents", "balances", "check_amount",
    "decide_hold", "deposit_kind_for", "deposit_of", "due_by_rental", "ensure_terms",
    "gateway", "handle_event", "handle_expiring_holds", "holds_near_expiry", "keep_deposit",
    "ledger", "new_payment", "online_payments_to_pay", "paid_by_rental", "payments_of",
    "record_payment", "refresh_online_payment", "release_deposit", "start_online_payment",
    "stripe_operation", "sync_deposit", "sync_payment", "take_deposit",
]
