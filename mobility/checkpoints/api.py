"""API: checkpoints of a rental."""

from __future__ import annotations

from datetime import date, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from fleet.models import Rental
from mobility.api import api_route
from mobility.auth.policies import get_or_404
from mobility.checkpoints import services
from mobility.checkpoints.models import Checkpoint
from mobility.core.roles import ADMIN, ADVISOR, FLEET_MANAGER
from mobility.payments.models import PAYMENT_METHODS


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount_cents: StrictInt = Field(gt=0)
    method: Literal[PAYMENT_METHODS]  # type: ignore[valid-type]
    reference: str | None = Field(None, max_length=80)


class CheckpointBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: date
    odometer_km: StrictInt = Field(ge=0)
    payment: PaymentIn | None = None
    condition: dict[str, StrictBool] = Field(default_factory=dict)
    condition_note: str | None = Field(None, max_length=2000)
    note: str | None = Field(None, max_length=5000)
    exit_solution: str | None = Field(None, max_length=2000)
    next_date: date | None = None
    #: the next checkpoint's local time (Europe/Paris), its site, or a place in words
    next_time: time | None = None
    next_site_id: StrictInt | None = None
    next_place: str | None = Field(None, max_length=200)
    send_to_referent: bool = True


def checkpoint_payload(checkpoint: Checkpoint) -> dict:
    payment = checkpoint.payment
    return {
        "id": checkpoint.id, "rental_id": checkpoint.rental_id, "kind": checkpoint.kind,
        "date": checkpoint.date.isoformat(), "odometer_km": checkpoint.odometer_km,
        "previous_odometer_km": checkpoint.previous_odometer_km,
        "km_driven": checkpoint.km_driven, "working_days": checkpoint.working_days,
        "allowance_km": checkpoint.allowance_km, "over_allowance": checkpoint.over_allowance,
        "condition": checkpoint.condition, "condition_note": checkpoint.condition_note,
        "note": checkpoint.note, "exit_solution": checkpoint.exit_solution,
        "next_date": checkpoint.next_date.isoformat() if checkpoint.next_date else None,
        "next_time": checkpoint.next_time.strftime("%H:%M") if checkpoint.next_time else None,
        "next_site_id": checkpoint.next_site_id, "next_place": checkpoint.next_place,
        "arrears_cents": checkpoint.arrears_cents,
        "microcredit_proposed": checkpoint.microcredit_proposed,
        "sent_to_referent": checkpoint.feedback_id is not None,
        "payment": None if payment is None else {
            "id": payment.id, "amount_cents": payment.amount_cents, "method": payment.method,
            "status": payment.status,
            "stripe_payment_intent_id": payment.stripe_payment_intent_id,
            "stripe_client_secret": payment.stripe_client_secret,
        },
    }


@api_route("/rentals/<int:rental_id>/checkpoints", methods=("POST",),
           roles={ADMIN, ADVISOR}, body=CheckpointBody, status=201, tags=["checkpoints"],
           summary="Record a checkpoint: odometer, condition, payment, notes, next date")
def create_checkpoint(user, rental_id: int, body: CheckpointBody):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    checkpoint = services.record_checkpoint(
        user, rental, day=body.date, odometer_km=body.odometer_km, condition=body.condition,
        payment=body.payment.model_dump() if body.payment else None,
        condition_note=body.condition_note, note=body.note, exit_solution=body.exit_solution,
        next_date=body.next_date, next_time=body.next_time, next_site_id=body.next_site_id,
        next_place=body.next_place, send_to_referent=body.send_to_referent)
    return checkpoint_payload(checkpoint), 201


@api_route("/rentals/<int:rental_id>/checkpoints", roles={ADMIN, ADVISOR, FLEET_MANAGER},
           tags=["checkpoints"], summary="The rental's checkpoints, oldest first")
def list_checkpoints(user, rental_id: int):
    rental = get_or_404(Rental, rental_id, user)
    payloads = [checkpoint_payload(c) for c in services.checkpoints_of(rental)]
    if user.role not in PRIVATE_READERS:
        payloads = [{k: v for k, v in p.items() if k not in PRIVATE_FIELDS} for p in payloads]
    return payloads


#: who reads the advisor's side of a checkpoint (the checkpoint page is theirs alone)
PRIVATE_READERS = frozenset({ADMIN, ADVISOR})
#: what a fleet manager does not see: the advisor's notes about the person, the money
PRIVATE_FIELDS = frozenset({"note", "exit_solution", "payment", "arrears_cents",
                            "microcredit_proposed", "sent_to_referent"})
