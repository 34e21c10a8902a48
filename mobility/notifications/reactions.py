"""What the platform tells people when something happens in a feature below notifications:
each handler is connected to that feature's signal (`connect`, from the feature's `init_app`)
and queues its messages in the sender's transaction; the outbox sends them."""

from __future__ import annotations

from typing import Any

from mobility.notifications.outbox import enqueue_notification
from mobility.notifications.recipients import recipient_key
from mobility.people import signals as people_signals
from mobility.people.models import EXIT_EMPLOYMENT, EXIT_SOLUTIONS, Beneficiary, Pathway, label
from mobility.rentals import signals as rental_signals


def notify_referents(actor, beneficiary: Beneficiary, pathway: Pathway, *, kind: str,
                     event: str, context: dict[str, Any]) -> int:
    """Queue a message to the referent of each of the pathway's referrals (else to the
    prescriber who sent it), in the caller's transaction; the outbox sends it by e-mail or
    SMS. Returns how many were queued."""
    recipients = {}
    for referral in pathway.referrals:
        recipient = referral.referent or referral.submitted_by
        if recipient is not None:
            recipients[recipient_key(recipient)] = recipient
    queued = 0
    for (recipient_type, recipient_id), recipient in sorted(recipients.items()):
        queued += enqueue_notification(
            kind=kind, key=f"{event}:{recipient_type}:{recipient_id}", recipient=recipient,
            context={"beneficiary_name": beneficiary.full_name,
                     "advisor_name": actor.full_name, **context},
            advisor_id=actor.id, about=("pathway", pathway.id),
        )
    return queued


def feedback_to_referents(feedback, *, actor, beneficiary: Beneficiary, pathway: Pathway) -> None:
    """The advisor's feedback, to the pathway's referents."""
    notify_referents(actor, beneficiary, pathway, kind="referent_feedback",
                     event=f"feedback:{feedback.id}", context={"summary": feedback.summary})


def exit_to_referents(pathway: Pathway, *, actor, beneficiary: Beneficiary) -> None:
    """The pathway's outcome, to its referents."""
    notify_referents(actor, beneficiary, pathway, kind="pathway_exit",
                     event=f"pathway:{pathway.id}:exit",
                     context={"exit_date": pathway.exit_date,
                              "summary": f"{label(EXIT_SOLUTIONS, pathway.exit_solution)} · "
                                         f"{label(EXIT_EMPLOYMENT, pathway.exit_employment)}"})


def replacement_to_person(rental, *, vehicle) -> None:
    """Where and from when the person fetches the replacement vehicle."""
    site = vehicle.site
    enqueue_notification(
        kind="vehicle_replaced", key=f"rental:{rental.id}:replaced:{vehicle.id}",
        recipient=rental.beneficiary, advisor_id=rental.advisor_id, about=("rental", rental.id),
        context={"vehicle": vehicle.display_name, "place": site.name if site else None,
                 "address": site.address if site else None, "date": rental.start_date})


def connect() -> None:
    """Connect the handlers to the signals of the features below (idempotent)."""
    people_signals.feedback_given.connect(feedback_to_referents)
    people_signals.pathway_exited.connect(exit_to_referents)
    rental_signals.vehicle_replaced.connect(replacement_to_person)
