"""Payments, deposits, Stripe operations (idempotency keys) and Stripe events (webhooks)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

import fleet.models  # noqa: F401  (the rentals table we point to)
from mobility.core.columns import UTCDateTime, in_check, utcnow
from mobility.core.db import db
from mobility.core.labels import label_of
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY, FLEET_MANAGER
from mobility.core.tenancy import PlatformScoped
from mobility.core.translations import lazy_gettext as _l

PAYMENT_METHODS = ("cash", "cheque", "card_terminal", "stripe")
PAYMENT_METHOD_LABELS = {
    "cash": _l("Cash"), "cheque": _l("Cheque"), "card_terminal": _l("Card terminal"),
    "stripe": _l("Online card payment (Stripe)"),
}
PAYMENT_STATUSES = ("pending", "succeeded", "failed", "cancelled")
PAYMENT_STATUS_LABELS = {
    "pending": _l("Waiting for payment"), "succeeded": _l("Paid"),
    "failed": _l("Payment failed"), "cancelled": _l("Payment cancelled"),
}
DEPOSIT_METHODS = ("cheque", "cash", "card_terminal", "stripe_setup", "stripe_hold")
DEPOSIT_METHOD_LABELS = {
    "cheque": _l("Cheque kept (not cashed)"), "cash": _l("Cash"),
    "card_terminal": _l("Card terminal"),
    "stripe_setup": _l("Card saved with Stripe (long rental)"),
    "stripe_hold": _l("Card hold with Stripe (short rental)"),
}
DEPOSIT_STATUSES = ("pending", "held", "released", "kept", "failed", "expired")
DEPOSIT_STATUS_LABELS = {
    "pending": _l("Waiting for the card"), "held": _l("Deposit held"),
    "released": _l("Deposit released"), "kept": _l("Deposit kept (in part or in full)"),
    "failed": _l("Deposit failed"),
    "expired": _l("Hold expired: take it again"),
}
STAFF = frozenset({ADMIN, ADVISOR, FLEET_MANAGER})
MONEY_EDIT = frozenset({ADMIN, ADVISOR})


class _RentalOwned:
    """Beneficiaries see the records of their own rentals; staff of the platform see all."""

    def can_view(self, user) -> bool:
        if user is not None and user.role == BENEFICIARY:
            return self.rental is not None and self.rental.can_view(user)
        return super().can_view(user)


class Payment(_RentalOwned, PlatformScoped, db.Model):
    """Money received for a rental (rent instalments, membership)."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(in_check("method", PAYMENT_METHODS), name="method_known"),
        CheckConstraint(in_check("status", PAYMENT_STATUSES), name="status_known"),
        # one cheque, one terminal receipt: recorded once per rental (issue 14)
        UniqueConstraint("rental_id", "reference", name="uq_payments_reference_once"),
        # what a rental has paid (by a date), read from the index alone: the report sums it
        # for each of a year's hundreds of thousands of rentals, lists and ledgers per rental
        Index("ix_payments_rental_paid", "rental_id", "status", "paid_on", "amount_cents"),
        # what was paid in a period, by method, read from the index alone (the report)
        Index("ix_payments_platform_paid", "platform_id", "paid_on", "status", "method",
              "amount_cents"),
    )
    view_roles = STAFF
    edit_roles = MONEY_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    rental_id: Mapped[int] = mapped_column(ForeignKey("fleet_rentals.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="succeeded")
    #: cheque number, terminal receipt number...
    reference: Mapped[str | None] = mapped_column(String(80))
    paid_on: Mapped[date | None] = mapped_column(Date)
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    stripe_client_secret: Mapped[str | None] = mapped_column(String(255))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rental = relationship("Rental")
    recorded_by = relationship("User")

    method_label = label_of("method", PAYMENT_METHOD_LABELS)

    status_label = label_of("status", PAYMENT_STATUS_LABELS)


class Deposit(_RentalOwned, PlatformScoped, db.Model):
    """The deposit (caution) of a rental: in person or through Stripe; one per rental."""

    __tablename__ = "deposits"
    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount_positive"),
        CheckConstraint("kept_cents >= 0 AND kept_cents <= amount_cents", name="kept_range"),
        CheckConstraint(in_check("method", DEPOSIT_METHODS), name="method_known"),
        CheckConstraint(in_check("status", DEPOSIT_STATUSES), name="status_known"),
    )
    view_roles = STAFF
    edit_roles = MONEY_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    rental_id: Mapped[int] = mapped_column(ForeignKey("fleet_rentals.id"), unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reference: Mapped[str | None] = mapped_column(String(80))
    #: amount kept for documented damage, and why
    kept_cents: Mapped[int] = mapped_column(Integer, default=0)
    damage_note: Mapped[str | None] = mapped_column(Text)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(120))
    stripe_setup_intent_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    stripe_payment_method_id: Mapped[str | None] = mapped_column(String(120))
    stripe_client_secret: Mapped[str | None] = mapped_column(String(255))
    #: card holds lapse after 7 days: capture or release before
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    renewals: Mapped[int] = mapped_column(Integer, default=0)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rental = relationship("Rental")

    method_label = label_of("method", DEPOSIT_METHOD_LABELS)

    status_label = label_of("status", DEPOSIT_STATUS_LABELS)

    @property
    def is_stripe(self) -> bool:
        return self.method in ("stripe_setup", "stripe_hold")

    @property
    def is_open(self) -> bool:
        return self.status in ("pending", "held", "expired")


class StripeOperation(db.Model):
    """One business operation sent to Stripe, stored BEFORE the call with its idempotency key
    (`rental:{id}:deposit`, `checkpoint:{id}:payment`...), so that a retry reuses the key."""

    __tablename__ = "stripe_operations"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platforms.id"), index=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    #: the key actually sent (the business key, then `:retry<n>` after a definite failure)
    idempotency_key: Mapped[str] = mapped_column(String(140))
    generation: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    stripe_id: Mapped[str | None] = mapped_column(String(120))
    result: Mapped[dict | None] = mapped_column(JSON)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StripeEvent(db.Model):
    """A webhook event already handled: its id is unique, stored with its effect."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(120), unique=True)
    type: Mapped[str] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(120))
    outcome: Mapped[str | None] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
