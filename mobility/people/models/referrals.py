"""Referrals from partner organisations and the feedback sent back to their referents."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.core.columns import UTCDateTime, utcnow
from mobility.core.db import db
from mobility.core.roles import PRESCRIBER
from mobility.core.tenancy import PlatformScoped
from mobility.people.models.codes import STAFF_EDIT


class Referral(PlatformScoped, db.Model):
    """A referral (fiche de liaison) sent by a partner organisation."""

    __tablename__ = "referrals"
    # the list of referrals, newest first, a page at a time (keyset)
    __table_args__ = (Index("ix_referrals_platform_created", "platform_id", "created_at", "id"),)
    view_roles = STAFF_EDIT
    edit_roles = STAFF_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("partner_organisations.id"), index=True
    )
    referent_id: Mapped[int | None] = mapped_column(ForeignKey("referents.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # -- the person --
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(300))
    # -- the need --
    reason: Mapped[str] = mapped_column(String(16))
    employer: Mapped[str | None] = mapped_column(String(200))
    workplace_address: Mapped[str | None] = mapped_column(String(300))
    schedule: Mapped[str | None] = mapped_column(String(200))
    shift_start: Mapped[time | None] = mapped_column(Time)
    shift_end: Mapped[time | None] = mapped_column(Time)
    night_shifts: Mapped[bool] = mapped_column(Boolean, default=False)
    early_shifts: Mapped[bool] = mapped_column(Boolean, default=False)
    contract_type: Mapped[str | None] = mapped_column(String(24))
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    obstacles: Mapped[list | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # -- the decision --
    status: Mapped[str] = mapped_column(String(16), default="submitted", index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiaries.id"), index=True
    )
    pathway_id: Mapped[int | None] = mapped_column(ForeignKey("pathways.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation = relationship("PartnerOrganisation")
    referent = relationship("Referent")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    beneficiary = relationship("Beneficiary")
    pathway = relationship("Pathway", back_populates="referrals")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def can_view(self, user) -> bool:
        if user is not None and user.role == PRESCRIBER:
            return self.same_platform(user) and user.organisation_id == self.organisation_id
        return super().can_view(user)

    def feedback_items(self) -> list[ReferentFeedback]:
        """The advisor's feedback sent to the referent about this referral's pathway."""
        if self.pathway is None:
            return []
        return list(self.pathway.feedback)


class ReferentFeedback(PlatformScoped, db.Model):
    """A short summary the advisor sends to the referent(s) after a meeting."""

    __tablename__ = "referent_feedback"
    view_roles = STAFF_EDIT
    edit_roles = STAFF_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    summary: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pathway = relationship("Pathway", back_populates="feedback")
    author = relationship("User")


