"""The states each transition of a rental starts from, and how a transition refuses: the first
refusal raised with every other one in `details["also"]`, nothing changed."""

from __future__ import annotations

from collections.abc import Iterable

from fleet.models import Rental
from mobility.core.db import db
from mobility.core.errors import Conflict, DomainError, NotQualified, ValidationFailed
from mobility.core.translations import lazy_gettext as _l
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


def reason_given(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def check_reason(value: str | None, field: str) -> str:
    value = reason_given(value)
    if value is None or len(value) < MIN_REASON:
        raise ValidationFailed(details={field: _l(
            "Write the reason (at least %(n)d characters).", n=MIN_REASON)})
    return value[:2000]


def explain(error: DomainError) -> str:
    """One line for a page: the refusal's message and the other things still missing."""
    text = str(error.message)
    details = error.details if isinstance(error.details, dict) else {}
    for item in details.get("also", []):
        text += " " + str(item["message"])
    return text

