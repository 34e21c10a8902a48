"""Workshops, their sessions and who attends them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.core.columns import UTCDateTime, utcnow
from mobility.core.db import db
from mobility.core.tenancy import PlatformScoped
from mobility.people.models.codes import STAFF_EDIT


class Workshop(PlatformScoped, db.Model):
    """A collective workshop theme (e.g. "Reading the bus map")."""

    __tablename__ = "workshops"
    view_roles = STAFF_EDIT
    edit_roles = STAFF_EDIT
    __table_args__ = (UniqueConstraint("platform_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkshopSession(PlatformScoped, db.Model):
    """One 2-hour session of a workshop, with a capacity and attendees."""

    __tablename__ = "workshop_sessions"
    view_roles = STAFF_EDIT
    edit_roles = STAFF_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_min: Mapped[int] = mapped_column(Integer, default=120)
    capacity: Mapped[int] = mapped_column(Integer, default=8)
    location: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop = relationship("Workshop")
    attendances = relationship(
        "WorkshopAttendance", back_populates="session", order_by="WorkshopAttendance.id"
    )

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - len(self.attendances))


class WorkshopAttendance(PlatformScoped, db.Model):
    """A beneficiary registered for a workshop session, and whether they came."""

    __tablename__ = "workshop_attendances"
    __table_args__ = (UniqueConstraint("session_id", "beneficiary_id"),)
    view_roles = STAFF_EDIT
    edit_roles = STAFF_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("workshop_sessions.id"), index=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="registered")
    action_id: Mapped[int | None] = mapped_column(ForeignKey("pathway_actions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session = relationship("WorkshopSession", back_populates="attendances")
    beneficiary = relationship("Beneficiary")


