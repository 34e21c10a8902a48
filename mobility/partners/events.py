"""The webhook events, one function each, connected to the signal of the transition that causes
them (`connect`, from the feature's `init_app`), so they run inside its transaction (before its
commit). Payloads: ids and states only."""

from __future__ import annotations

from mobility.checkpoints import signals as checkpoint_signals
from mobility.partners.webhooks import emit
from mobility.people import signals as people_signals
from mobility.rentals import signals as rental_signals


def referral_created(referral, **_context) -> None:
    emit("referral.created", platform_id=referral.platform_id, data={
        "referral_id": referral.id, "status": referral.status,
        "organisation_id": referral.organisation_id})


def referral_decided(referral, **_context) -> None:
    emit("referral.decided", platform_id=referral.platform_id, data={
        "referral_id": referral.id, "status": referral.status,
        "organisation_id": referral.organisation_id, "beneficiary_id": referral.beneficiary_id,
        "pathway_id": referral.pathway_id})


def _rental(event: str, rental) -> None:
    emit(event, platform_id=rental.platform_id, data={
        "rental_id": rental.id, "status": rental.status, "vehicle_id": rental.vehicle_id,
        "beneficiary_id": rental.beneficiary_id, "start_date": rental.start_date.isoformat(),
        "end_date": rental.end_date.isoformat()})


def rental_booked(rental, **_context) -> None:
    _rental("rental.booked", rental)


def rental_handed_over(rental, **_context) -> None:
    _rental("rental.handed_over", rental)


def rental_returned(rental, **_context) -> None:
    _rental("rental.returned", rental)


def checkpoint_recorded(checkpoint, **_context) -> None:
    emit("checkpoint.recorded", platform_id=checkpoint.platform_id, data={
        "checkpoint_id": checkpoint.id, "rental_id": checkpoint.rental_id,
        "kind": checkpoint.kind, "date": checkpoint.date.isoformat()})


def pathway_exited(pathway, **_context) -> None:
    emit("pathway.exited", platform_id=pathway.platform_id, data={
        "pathway_id": pathway.id, "beneficiary_id": pathway.beneficiary_id,
        "status": pathway.status, "exit_date": pathway.exit_date.isoformat()})


def connect() -> None:
    """Connect each event to its transition's signal (idempotent)."""
    people_signals.referral_created.connect(referral_created)
    people_signals.referral_decided.connect(referral_decided)
    people_signals.pathway_exited.connect(pathway_exited)
    rental_signals.rental_booked.connect(rental_booked)
    rental_signals.rental_handed_over.connect(rental_handed_over)
    rental_signals.rental_returned.connect(rental_returned)
    checkpoint_signals.checkpoint_recorded.connect(checkpoint_recorded)
