"""The outbox (every message, written in the transaction that causes it) and channel choices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.core.columns import UTCDateTime, in_check, utcnow
from mobility.core.db import db
from mobility.core.labels import label_of
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY
from mobility.core.tenancy import PlatformScoped
from mobility.core.translations import lazy_gettext as _l
from mobility.notifications.kinds import kind_label
from mobility.people.models import Beneficiary

CHANNELS = ("email", "sms", "call")
CHANNEL_LABELS = {
    "email": _l("E-mail"),
    "sms": _l("Text message (SMS)"),
    "call": _l("Phone call by the advisor"),
}
RECIPIENT_TYPES = ("user", "beneficiary", "referent")

#: pending: waiting to be sent (or retried at `next_attempt_at`); sending: claimed by a sender;
#: held: no transport configured (SMTP_HOST / SMS_ENDPOINT_URL), kept for admins to see;
#: failed: the last attempt failed (final); to_call: the advisor should phone the person;
#: handled: a call made or a failure dealt with by an advisor.
STATUSES = ("pending", "sending", "sent", "held", "failed", "to_call", "handled", "cancelled")
STATUS_LABELS = {
    "pending": _l("Waiting to be sent"),
    "sending": _l("Being sent"),
    "sent": _l("Sent"),
    "held": _l("Held: no sending service configured"),
    "failed": _l("Failed"),
    "to_call": _l("To call"),
    "handled": _l("Handled"),
    "cancelled": _l("Cancelled"),
}
DELIVERY_STATUSES = ("sent", "delivered", "failed")
DELIVERY_LABELS = {
    "sent": _l("Sent, no delivery report yet"),
    "delivered": _l("Delivered to the phone"),
    "failed": _l("Not delivered"),
}
#: statuses an advisor still has to act on
NEEDS_ADVISOR = ("failed", "to_call")


#: context values that are secrets (a sign-in code): masked once the message left the outbox,
#: and never shown on the outbox pages, so no admin can read one and sign in as the person
SECRET_CONTEXT_KEYS = {"portal_code": ("code",)}


class OutboxMessage(PlatformScoped, db.Model):
    """One message to one person, sent by the scheduler, retried with backoff.

    `key` names the event and the recipient (`rental:12:return_due:2026-03-02:beneficiary:7`);
    the UNIQUE constraint on it makes every reminder idempotent, whoever enqueues it and however
    often. The recipient's address is looked up when sending, so a corrected phone number or
    e-mail heals a failing message at its next attempt.
    """

    __tablename__ = "notification_outbox"
    __table_args__ = (
        UniqueConstraint("key"),
        CheckConstraint(in_check("status", STATUSES), name="status_known"),
        CheckConstraint(in_check("channel", CHANNELS), name="channel_known"),
        CheckConstraint(in_check("recipient_type", RECIPIENT_TYPES), name="recipient_type_known"),
        Index("ix_notification_outbox_due", "status", "next_attempt_at"),
        Index("ix_notification_outbox_platform_status", "platform_id", "status"),
    )
    view_roles = frozenset({ADMIN, ADVISOR})
    edit_roles = frozenset({ADMIN, ADVISOR})

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    recipient_type: Mapped[str] = mapped_column(String(16))
    recipient_id: Mapped[int] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(8), default="fr")
    #: template variables (JSON; dates encoded by `mobility.notifications.rendering`)
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    #: the advisor who sees the call task or the final failure (None: every advisor)
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: what the message is about, e.g. ("rental", 12)
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: the address (e-mail or E.164 phone) used at the last attempt
    to_address: Mapped[str | None] = mapped_column(String(254))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the SMS provider's id of the message (Brevo messageId, OVH job id), for its callbacks
    provider_message_id: Mapped[str | None] = mapped_column(String(64), index=True)
    #: what the provider reported last: sent (to the network), delivered, or failed
    delivery_status: Mapped[str | None] = mapped_column(String(16))
    delivery_reason: Mapped[str | None] = mapped_column(String(255))
    delivery_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the e-mail sent because this SMS could not be delivered
    fallback_id: Mapped[int | None] = mapped_column(Integer)

    advisor = relationship("User", foreign_keys=[advisor_id])
    handled_by = relationship("User", foreign_keys=[handled_by_id])

    status_label = label_of("status", STATUS_LABELS)

    @property
    def delivery_label(self) -> str:
        """What the advisor reads about the message's arrival."""
        if self.delivery_status == "delivered":
            return str(DELIVERY_LABELS["delivered"])
        if self.delivery_status == "failed":
            return str(DELIVERY_LABELS["failed"])
        if self.status == "sent":
            return str(DELIVERY_LABELS["sent"])
        return self.status_label

    channel_label = label_of("channel", CHANNEL_LABELS)

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    def can_retry(self, user) -> bool:
        # a sign-in code is masked once it failed: sending it again would send the mask
        return (self.can_edit(user) and self.status in ("failed", "held")
                and not (self.status == "failed" and self.kind in SECRET_CONTEXT_KEYS))

    def can_mark_handled(self, user) -> bool:
        return self.can_edit(user) and self.status in NEEDS_ADVISOR

    def can_cancel(self, user) -> bool:
        return (self.same_platform(user) and user.role == ADMIN
                and self.status in ("pending", "held", "failed", "to_call"))

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.key} {self.channel} {self.status}>"


class NotificationPreference(PlatformScoped, db.Model):
    """How a person wants to be reached: e-mail, SMS, or a phone call by their advisor.

    One row per user or per beneficiary (the people feature's `Beneficiary` has no such field).
    `phone` is an E.164 number for staff who want SMS (users have no phone of their own).
    """

    __tablename__ = "notification_preferences"
    __table_args__ = (
        UniqueConstraint("user_id"),
        UniqueConstraint("beneficiary_id"),
        CheckConstraint(in_check("channel", CHANNELS), name="channel_known"),
        CheckConstraint("(user_id IS NULL) <> (beneficiary_id IS NULL)", name="one_owner"),
    )
    view_roles = frozenset({ADMIN, ADVISOR})
    edit_roles = frozenset({ADMIN, ADVISOR})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"))
    channel: Mapped[str] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(20))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def can_view(self, user) -> bool:
        if user is not None and user.id is not None and self.user_id == user.id:
            return True
        if user is not None and user.role == BENEFICIARY and self.beneficiary_id is not None:
            beneficiary = db.session.get(Beneficiary, self.beneficiary_id)
            return beneficiary is not None and beneficiary.can_view(user)
        return super().can_view(user)

    can_edit = can_view
