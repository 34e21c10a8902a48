"""Platforms: the tenants of an installation (an association's pole, a regional network)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from mobility.core.columns import UTCDateTime, utcnow
from mobility.core.db import db


class Platform(db.Model):
    __tablename__ = "platforms"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: ISO 3166 country: the region of phone numbers typed without a country code
    country: Mapped[str] = mapped_column(String(2), default="FR", server_default="FR")
    #: the lender on the provision contract: the association that carries the platform
    legal_name: Mapped[str | None] = mapped_column(String(200))
    legal_address: Mapped[str | None] = mapped_column(String(300))
    #: 14 digits (INSEE's SIRENE register), checked by `mobility.platforms.siret` (python-stdnum);
    #: the lender on contracts, the structure published to data·inclusion, ProConnect's match
    siret: Mapped[str | None] = mapped_column(String(14))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Platform {self.slug}>"

    @property
    def lender_name(self) -> str:
        """The association named as lender on contracts (the platform's name until set)."""
        return self.legal_name or self.name
