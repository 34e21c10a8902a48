"""Partner organisations (structures prescriptrices) that refer people to the platform."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.core.columns import UTCDateTime, utcnow
from mobility.core.db import db
from mobility.core.tenancy import PlatformScoped
from mobility.core.translations import lazy_gettext as _l

ORGANISATION_KINDS = {
    "france_travail": _l("France Travail agency"),
    "mission_locale": _l("Mission locale"),
    "ccas": _l("CCAS"),
    "departement_rsa": _l("Département RSA service"),
    "temp_agency": _l("Temp agency"),
    "plie": _l("PLIE"),
    "insertion": _l("Insertion organisation"),
    "employer": _l("Employer"),
    "social_garage": _l("Social garage"),
    "social_driving_school": _l("Social driving school"),
    "other": _l("Other"),
}

#: Kinds of partner operators an advisor can send a beneficiary to (not prescribers).
PARTNER_OPERATOR_KINDS = ("social_garage", "social_driving_school")


class PartnerOrganisation(PlatformScoped, db.Model):
    __tablename__ = "partner_organisations"
    __table_args__ = (UniqueConstraint("platform_id", "name"),)
    view_roles = frozenset({"admin", "advisor", "fleet_manager"})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    # matched against ProConnect's `siret` claim; checked by mobility.platforms.siret
    siret: Mapped[str | None] = mapped_column(String(14))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    referents = relationship(
        "Referent", back_populates="organisation", order_by="Referent.last_name"
    )

    @property
    def kind_label(self) -> str:
        return str(ORGANISATION_KINDS.get(self.kind, self.kind))

    def can_view(self, user) -> bool:
        if user is not None and user.role == "prescriber":
            return user.organisation_id == self.id
        return super().can_view(user)


class Referent(PlatformScoped, db.Model):
    """A person in a partner organisation who follows beneficiaries (référent).

    A referent may have a `prescriber` login (`user_id`); that user's `organisation_id` is the
    referent's organisation.
    """

    __tablename__ = "referents"
    view_roles = frozenset({"admin", "advisor"})

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("partner_organisations.id"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    job_title: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation = relationship("PartnerOrganisation", back_populates="referents")
    user = relationship("User", foreign_keys=[user_id])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def can_view(self, user) -> bool:
        if user is not None and user.role == "prescriber":
            return self.same_platform(user) and user.organisation_id == self.organisation_id
        return super().can_view(user)
