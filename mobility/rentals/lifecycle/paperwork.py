"""The steps between booking and hand-over: the contract signed, the deposit taken or an
exemption recorded."""

from __future__ import annotations

from typing import Any

from fleet.models import Rental
from mobility.audit.services import record_audit
from mobility.contracts import services as contracts
from mobility.core.db import db
from mobility.core.translations import lazy_gettext as _l
from mobility.payments import services as payments
from mobility.rentals import rules
from mobility.rentals.lifecycle.states import check_reason, check_state, refuse
from mobility.rentals.rules import Refusal


def sign_contract(actor, rental: Rental, *, signer_name: str, accepted: bool,
                  document_sha256: str | None = None, via: str = "web"):
    """The person signs the current version of the contract (it states the prices, the deposit
    and the mileage allowance the checkpoints apply)."""
    refuse([check_state(rental, "sign_contract")])
    return contracts.sign_contract(actor, rental, signer_name=signer_name, accepted=accepted,
                                   document_sha256=document_sha256, via=via)


def take_deposit(actor, rental: Rental, **options: Any):
    """Take the deposit the rental's terms set (in person, or a card with Stripe)."""
    refuse([check_state(rental, "take_deposit")])
    if rules.deposit_due_cents(rental) == 0:
        refuse([Refusal("no_deposit_due", _l(
            "The tariff sets no deposit for this vehicle: there is nothing to take."),
            status=409)])
    return payments.take_deposit(actor, rental, **options)


def exempt_deposit(actor, rental: Rental, *, reason: str) -> Rental:
    """An advisor records why the person hands over no deposit (written reason, audited)."""
    reason = check_reason(reason, "reason")
    refuse([check_state(rental, "exempt_deposit")])
    deposit = payments.deposit_of(rental)
    if deposit is not None and deposit.status == "held":
        refuse([Refusal("deposit_exists", _l("A deposit is already held for this rental."),
                        status=409)])
    rental.deposit_exemption_reason = reason
    record_audit(actor, "override", object_type="Rental", object_id=rental.id,
                 platform_id=rental.platform_id, fields=["deposit_exemption_reason"])
    db.session.commit()
    return rental

