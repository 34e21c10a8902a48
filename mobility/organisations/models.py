"""Partner organisations (structures prescriptrices) that refer people to the platform."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mobility.db_types import UTCDateTime, utcnow
from mobility.extensions import db
from mobility.platforms.models import PlatformScoped

ORGANISATION_KINDS = {
    "france_travail": _l("France Travail agency"),
    "mission_locale": _l("Mission locale"),
    "ccas": _l("CCAS"),
    "departement_rsa": _l("Département RSA service"),
    "temp_agency": _l("Temp agency"),
    "plie": _l("PLIE"),
    "insertion": _l("Insertion organisation"),
    "employer": _l("Employer"),
    "other": _l("Other"),
}


class PartnerOrganisation(PlatformScoped, db.Model):
    __tablename__ = "partner_organisations"
    __table_args__ = (UniqueConstraint("platform_id", "name"),)
    view_roles = frozenset({"admin", "advisor", "fleet_manager"})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def kind_label(self) -> str:
        return str(ORGANISATION_KINDS.get(self.kind, self.kind))

    def can_view(self, user) -> bool:
        if user is not None and user.role == "prescriber":
            return user.organisation_id == self.id
        return super().can_view(user)
