"""Audit log: who read or changed which personal record, and when; never the values."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.core.columns import UTCDateTime, utcnow
from mobility.core.db import db
from mobility.core.tenancy import PlatformScoped

AUDIT_ACTIONS = (
    "view", "create", "update", "delete", "export", "anonymise",
    "login", "login_failed", "logout", "token_issued", "disable", "enable",
    # an advisor lifted a scheme rule with a written reason (no assessment, second vehicle,
    # deposit exemption, late days waived)
    "override",
)


class AuditEvent(PlatformScoped, db.Model):
    __tablename__ = "audit_events"
    # the log's page, newest first, a page at a time (keyset)
    __table_args__ = (Index("ix_audit_events_platform_at", "platform_id", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    #: names of the fields read or changed, never their values
    fields: Mapped[list | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))
    via: Mapped[str] = mapped_column(String(8), default="web")

    actor = relationship("User", foreign_keys=[actor_id])
