"""What the payment services share: Stripe calls run once per business operation, and the
amount check.

Stripe calls go through `stripe_operation(key, ...)`: the business operation's key
(`rental:{id}:deposit`, `checkpoint:{id}:payment`...) is committed BEFORE the call and sent as
the idempotency key; a retry after a network failure reuses it, a finished operation is not
sent again.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.payments import gateway
from mobility.payments.models import StripeOperation


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



def check_amount(amount_cents, field: str = "amount_cents") -> int:
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ValidationFailed(details={field: _l("Enter a whole number of cents above zero.")})
    if amount_cents > 10_000_000:
        raise ValidationFailed(details={field: _l("This amount is too large.")})
    return amount_cents


