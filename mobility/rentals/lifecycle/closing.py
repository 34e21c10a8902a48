"""The end of a rental: late days waived, the rental settled (deposit given back or kept in
part for documented damage) and closed, or a booking cancelled."""

from __future__ import annotations

from fleet import services as fleet
from fleet.models import Rental
from mobility.audit.services import record_audit
from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.payments import services as payments
from mobility.rentals.lifecycle.states import check_reason, check_state, reason_given, refuse
from mobility.rentals.rules import Refusal


def waive_late_days(actor, rental: Rental, *, reason: str) -> Rental:
    """An advisor does not charge the days kept after the planned return (reason audited)."""
    reason = check_reason(reason, "reason")
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
        if not reason_given(damage_note):
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
    refuse([check_state(rental, "cancel")])
    deposit = payments.deposit_of(rental)
    if deposit is not None and deposit.is_open:
        payments.release_deposit(actor, deposit)
    return fleet.cancel_rental(actor, rental)

