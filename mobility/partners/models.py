"""Webhook endpoints and their deliveries (an outbox), the offer published to data·inclusion,
and the ProConnect identities of people."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
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
from mobility.core.roles import ADMIN
from mobility.core.tenancy import PlatformScoped
from mobility.core.translations import lazy_gettext as _l

# -- webhooks -------------------------------------------------------------------------------

#: The events partners may subscribe to; each carries ids and states only.
EVENTS = {
    "referral.created": _l("A referral was submitted"),
    "referral.decided": _l("A referral was accepted or declined"),
    "rental.booked": _l("A vehicle was booked"),
    "rental.handed_over": _l("A vehicle was handed over"),
    "rental.returned": _l("A vehicle was returned"),
    "checkpoint.recorded": _l("A checkpoint was recorded"),
    "pathway.exited": _l("A pathway was closed"),
}

#: pending: waiting (or retried at `next_attempt_at`); sending: claimed by a sender;
#: delivered: the receiver answered 2xx (never sent again); failed: out of attempts.
DELIVERY_STATUSES = ("pending", "sending", "delivered", "failed", "cancelled")
DELIVERY_STATUS_LABELS = {
    "pending": _l("Waiting to be sent"),
    "sending": _l("Being sent"),
    "delivered": _l("Delivered"),
    "failed": _l("Failed"),
    "cancelled": _l("Cancelled"),
}


class WebhookEndpoint(PlatformScoped, db.Model):
    """A partner's URL that receives the platform's events, signed with its own secret."""

    __tablename__ = "webhook_endpoints"
    view_roles = frozenset({ADMIN})
    edit_roles = frozenset({ADMIN})

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list] = mapped_column(JSON)
    # kept in clear: the HMAC needs it (shown once to the admin who registers the endpoint)
    secret: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    deliveries = relationship("WebhookDelivery", back_populates="endpoint",
                              order_by="WebhookDelivery.id.desc()", lazy="dynamic")

    @property
    def active(self) -> bool:
        return self.deleted_at is None


class WebhookDelivery(PlatformScoped, db.Model):
    """One event for one endpoint, written in the transaction of the event, sent by the
    scheduler, retried with backoff. UNIQUE (event_id, endpoint_id): one delivery per event."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id"),
        CheckConstraint(in_check("status", DELIVERY_STATUSES), name="status_known"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )
    view_roles = frozenset({ADMIN})
    edit_roles = frozenset({ADMIN})

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    event_id: Mapped[str] = mapped_column(String(40))
    event: Mapped[str] = mapped_column(String(40))
    # the exact bytes sent (and signed) at every attempt
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(2000))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    endpoint = relationship("WebhookEndpoint", back_populates="deliveries")

    status_label = label_of("status", DELIVERY_STATUS_LABELS)


# -- data·inclusion ---------------------------------------------------------------------------

class PublishedStructure(PlatformScoped, db.Model):
    """What the platform publishes about itself to data·inclusion (one row per platform).
    The SIRET is the platform's own (`Platform.siret`)."""

    __tablename__ = "published_structures"
    __table_args__ = (UniqueConstraint("platform_id"),)
    view_roles = frozenset({ADMIN})
    edit_roles = frozenset({ADMIN})

    id: Mapped[int] = mapped_column(primary_key=True)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(255))
    address_complement: Mapped[str | None] = mapped_column(String(255))
    postcode: Mapped[str | None] = mapped_column(String(5))
    city: Mapped[str | None] = mapped_column(String(100))
    insee_code: Mapped[str | None] = mapped_column(String(5))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(500))
    opening_hours: Mapped[str | None] = mapped_column(String(255))
    updated_on: Mapped[date] = mapped_column(Date)


class PublishedService(PlatformScoped, db.Model):
    """One offer of the platform as a data·inclusion service."""

    __tablename__ = "published_services"
    __table_args__ = (UniqueConstraint("platform_id", "offer"),)
    view_roles = frozenset({ADMIN})
    edit_roles = frozenset({ADMIN})

    id: Mapped[int] = mapped_column(primary_key=True)
    offer: Mapped[str] = mapped_column(String(32))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text)
    fees: Mapped[str | None] = mapped_column(String(16))
    fees_details: Mapped[str | None] = mapped_column(String(500))
    audiences: Mapped[list | None] = mapped_column(JSON)
    audiences_details: Mapped[str | None] = mapped_column(String(1000))
    access_conditions: Mapped[str | None] = mapped_column(String(1000))
    referral_details: Mapped[str | None] = mapped_column(String(1000))
    eligibility_zone: Mapped[list | None] = mapped_column(JSON)
    updated_on: Mapped[date] = mapped_column(Date)


# -- ProConnect -------------------------------------------------------------------------------

class ProConnectIdentity(db.Model):
    """A person's ProConnect identity (issuer + `sub`), attached to one account — or waiting
    for an admin to attach it (`user_id` empty: nobody is signed in with it)."""

    __tablename__ = "proconnect_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    # the platform whose organisation carries the SIRET (pending identities, for its admins)
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platforms.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    siret: Mapped[str | None] = mapped_column(String(14))
    last_acr: Mapped[str | None] = mapped_column(String(100))
    last_amr: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
