"""The advisor's and the admin's side of the outbox: calls to make and failed messages, what
a person's file lists, retry / handled / cancel, and a message's preview."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from fleet.models import Rental
from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.core.errors import Forbidden
from mobility.core.roles import ADVISOR
from mobility.notifications.models import NEEDS_ADVISOR, SECRET_CONTEXT_KEYS, OutboxMessage
from mobility.notifications.outbox import mask_secrets
from mobility.notifications.recipients import (
    Recipient,
    recipient_contact,
    recipients_of,
)
from mobility.notifications.rendering import decode_context, render_message
from mobility.people.models import Beneficiary, Pathway


def last_reminder(beneficiary_id: int) -> OutboxMessage | None:
    """The last message sent (or tried) to a beneficiary, for their file."""
    return db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient_type == "beneficiary",
                                    OutboxMessage.recipient_id == beneficiary_id,
                                    OutboxMessage.kind != "portal_code",
                                    OutboxMessage.status.notin_(("pending", "cancelled")))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(1))


@dataclass
class FileMessage:
    """A message of the outbox as a person's file lists it."""

    message: OutboxMessage
    to_person: bool
    recipient_name: str
    subject: str


def messages_about_person(beneficiary: Beneficiary, *, limit: int = 20) -> list[FileMessage]:
    """Messages to the person, to their referents about their pathways or rentals, and to the
    prescriber standing in for a referent about their pathways, the latest first. A sign-in
    code's messages are left out altogether: the file never shows one, live or masked."""
    pathway_ids = select(Pathway.id).where(Pathway.beneficiary_id == beneficiary.id)
    rental_ids = select(Rental.id).where(Rental.beneficiary_id == beneficiary.id)
    about_pathway = ((OutboxMessage.object_type == "pathway")
                     & OutboxMessage.object_id.in_(pathway_ids))
    about_rental = ((OutboxMessage.object_type == "rental")
                    & OutboxMessage.object_id.in_(rental_ids))
    messages = list(db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.platform_id == beneficiary.platform_id,
            OutboxMessage.kind.notin_(tuple(SECRET_CONTEXT_KEYS)),
            or_((OutboxMessage.recipient_type == "beneficiary")
                & (OutboxMessage.recipient_id == beneficiary.id),
                (OutboxMessage.recipient_type == "referent") & or_(about_pathway, about_rental),
                # a user told about the pathway is the prescriber standing in for a referent;
                # staff reminders about rentals are not messages to the person's side
                (OutboxMessage.recipient_type == "user") & about_pathway))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)))
    recipients = recipients_of(messages)
    out = []
    for message in messages:
        recipient = recipients.get((message.recipient_type, message.recipient_id))
        rendered, _error = preview(message, recipient)
        out.append(FileMessage(
            message=message,
            to_person=message.recipient_type == "beneficiary",
            recipient_name=getattr(recipient, "name", "—"),
            subject=rendered.subject if rendered else message.kind_label))
    return out


def retry_message(actor, message: OutboxMessage) -> None:
    """Send a failed or held message again, now, with a fresh series of attempts."""
    if not message.can_retry(actor):
        raise Forbidden()
    message.status, message.attempts, message.next_attempt_at = "pending", 0, utcnow()
    # the new attempt gets its own delivery report
    message.delivery_status = message.delivery_reason = message.provider_message_id = None
    db.session.commit()


def mark_handled(actor, message: OutboxMessage) -> None:
    """The advisor made the call, or dealt with the failed message otherwise."""
    if not message.can_mark_handled(actor):
        raise Forbidden()
    message.status, message.handled_at, message.handled_by_id = "handled", utcnow(), actor.id
    db.session.commit()


def cancel_message(actor, message: OutboxMessage) -> None:
    if not message.can_cancel(actor):
        raise Forbidden()
    message.status = "cancelled"
    message.context = mask_secrets(message.kind, message.context)
    db.session.commit()


def advisor_queue(user, *, limit: int = 200) -> list[OutboxMessage]:
    """Calls to make and messages that could not be sent, for this advisor (or nobody's)."""
    query = select(OutboxMessage).where(
        OutboxMessage.platform_id == user.platform_id,
        OutboxMessage.status.in_(NEEDS_ADVISOR),
    )
    if user.role == ADVISOR:
        query = query.where(or_(OutboxMessage.advisor_id == user.id,
                                OutboxMessage.advisor_id.is_(None)))
    return list(db.session.scalars(
        query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)))


def preview(message: OutboxMessage, recipient: Recipient | None = None):
    """The rendered message, or the template error as text."""
    recipient = recipient or recipient_contact(message)
    context = {"recipient_name": recipient.name if recipient else "",
               **decode_context(mask_secrets(message.kind, message.context))}
    try:
        return render_message(message.kind, message.locale, context), None
    except Exception as error:  # shown to the admin next to the message
        return None, f"{error.__class__.__name__}: {error}"
