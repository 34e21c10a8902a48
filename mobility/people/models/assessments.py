"""Mobility assessments (entry and exit) and eligibility overrides."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.core.columns import UTCDateTime, utcnow
from mobility.core.db import db
from mobility.core.roles import BENEFICIARY
from mobility.core.tenancy import PlatformScoped
from mobility.people.models.codes import STAFF_EDIT


class MobilityAssessment(PlatformScoped, db.Model):
    """A mobility skills assessment (bilan de compétences mobilité), at entry or exit."""

    __tablename__ = "mobility_assessments"
    __table_args__ = (
        UniqueConstraint("pathway_id", "kind"),
        # the activity report's range filters (mobility/reports/queries.py)
        Index("ix_mobility_assessments_platform_kind_on", "platform_id", "kind", "assessed_on"),
    )
    view_roles = STAFF_EDIT
    edit_roles = STAFF_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    assessed_on: Mapped[date] = mapped_column(Date)
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answers: Mapped[dict] = mapped_column(JSON)
    sub_scores: Mapped[dict] = mapped_column(JSON)
    mobility_potential: Mapped[int] = mapped_column(Integer)
    #: the recommended ladder as computed at the time (levels, statuses, reason codes)
    ladder: Mapped[list] = mapped_column(JSON)
    #: the weights and thresholds used, so later changes of settings don't rewrite history
    scoring: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pathway = relationship("Pathway", back_populates="assessments")
    beneficiary = relationship("Beneficiary")
    assessor = relationship("User")

    def can_view(self, user) -> bool:
        if user is not None and user.role == BENEFICIARY:
            return self.same_platform(user) and self.beneficiary.user_id == user.id
        return super().can_view(user)


class EligibilityOverride(PlatformScoped, db.Model):
    """An advisor's written decision to admit a person to a scheme despite failed criteria.

    Scoped: it lifts only the `criteria` it names (all the failed ones when it was recorded);
    dated: it lapses after `expires_on` (by default the end of the pathway)."""

    __tablename__ = "eligibility_overrides"
    view_roles = STAFF_EDIT
    edit_roles = STAFF_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(16))
    justification: Mapped[str] = mapped_column(Text)
    #: criterion codes this override lifts (`mobility.people.eligibility.CRITERIA`)
    criteria: Mapped[list | None] = mapped_column(JSON)
    #: last day it applies; None: until the pathway it was recorded in ends
    expires_on: Mapped[date | None] = mapped_column(Date)
    pathway_id: Mapped[int | None] = mapped_column(ForeignKey("pathways.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")
    pathway = relationship("Pathway")

    def applies_on(self, day: date) -> bool:
        """In force on `day`: not expired and its pathway still open."""
        if self.expires_on is not None and day > self.expires_on:
            return False
        return self.pathway is None or self.pathway.status == "open"

    def lifts(self, criterion: str) -> bool:
        return self.criteria is None or criterion in self.criteria
