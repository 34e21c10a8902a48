"""The record that a person's file was anonymised (once: the UNIQUE constraint refuses twice)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from mobility.core.columns import UTCDateTime, utcnow
from mobility.core.db import db
from mobility.core.roles import ADMIN, ADVISOR
from mobility.core.tenancy import PlatformScoped

ANONYMISATION_REASONS = ("request", "inactivity")


class Anonymisation(PlatformScoped, db.Model):
    """A beneficiary's file anonymised: on request (by `actor_id`) or by the retention job."""

    __tablename__ = "privacy_anonymisations"
    __table_args__ = (
        CheckConstraint("reason IN ('request', 'inactivity')", name="reason_known"),
    )
    view_roles = frozenset({ADMIN, ADVISOR})
    edit_roles = frozenset({ADMIN, ADVISOR})

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(16))
    #: the advisor or admin who asked for it (None: the scheduled job)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    anonymised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
