"""Platforms: the tenants of an installation (an association's pole, a regional network)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from mobility.db_types import UTCDateTime, utcnow
from mobility.extensions import db


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
    #: 14 digits (INSEE's SIRENE register), checked by `mobility.partners.siret` (python-stdnum);
    #: the lender on contracts, the structure published to data·inclusion, ProConnect's match
    siret: Mapped[str | None] = mapped_column(String(14))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Platform {self.slug}>"

    @property
    def lender_name(self) -> str:
        """The association named as lender on contracts (the platform's name until set)."""
        return self.legal_name or self.name


class PlatformScoped:
    """Mixin for every record that belongs to a platform.

    `can_view` / `can_edit` are the access policies: each model refines them, views and API
    handlers call them through `mobility.auth.policies.get_or_404`, never re-implement them.
    """

    #: roles that may read records of this kind on their own platform
    view_roles: ClassVar[frozenset[str]] = frozenset({"admin"})
    #: roles that may change records of this kind on their own platform
    edit_roles: ClassVar[frozenset[str]] = frozenset({"admin"})

    @declared_attr
    def platform_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("platforms.id"), index=True)

    def same_platform(self, user) -> bool:
        return user is not None and user.platform_id == self.platform_id

    def can_view(self, user) -> bool:
        return self.same_platform(user) and user.role in self.view_roles

    def can_edit(self, user) -> bool:
        return self.same_platform(user) and user.role in self.edit_roles
