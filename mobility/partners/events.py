"""The webhook events, one function each, called explicitly by the transition that causes
them, inside its transaction (before its commit). Payloads: ids and states only."""

from __future__ import annotations

from mobility.partners.webhooks import emit


def referral_created(referral) -> None:
    emit("referral.created", platform_id=referral.platform_id, data={
        "referral_id": referral.id, "status": referral.status,
        "organisation_id": referral.organisation_id})


def referral_decided(referral) -> None:
    emit("referral.decided", platform_id=referral.platform_id, data={
        "referral_id": referral.id, "status": referral.status,
        "organisation_id": referral.organisation_id, "beneficiary_id": referral.beneficiary_id,
        "pathway_id": referral.pathway_id})


def _rental(event: str, rental) -> None:
    emit(event, platform_id=rental.platform_id, data={
        "rental_id": rental.id, "status": rental.status, "vehicle_id": rental.vehicle_id,
        "beneficiary_id": rental.beneficiary_id, "start_date": rental.start_date.isoformat(),
        "end_date": rental.end_date.isoformat()})


def rental_booked(rental) -> None:
    _rental("rental.booked", rental)


def rental_handed_over(rental) -> None:
    _rental("rental.handed_over", rental)


def rental_returned(rental) -> None:
    _rental("rental.returned", rental)


def checkpoint_recorded(checkpoint) -> None:
    emit("checkpoint.recorded", platform_id=checkpoint.platform_id, data={
        "checkpoint_id": checkpoint.id, "rental_id": checkpoint.rental_id,
        "kind": checkpoint.kind, "date": checkpoint.date.isoformat()})


def pathway_exited(pathway) -> None:
    emit("pathway.exited", platform_id=pathway.platform_id, data={
        "pathway_id": pathway.id, "beneficiary_id": pathway.beneficiary_id,
        "status": pathway.status, "exit_date": pathway.exit_date.isoformat()})
