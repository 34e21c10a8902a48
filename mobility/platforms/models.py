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
    #: the lender on the provision contract: the association that carries the platform
    legal_name: Mapped[str | None] = mapped_column(String(200))
    legal_address: Mapped[str | None] = mapped_column(String(300))
    #: 14 digits (INSEE's SIRENE register), checked with `valid_siret`
    siret: Mapped[str | None] = mapped_column(String(14))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Platform {self.slug}>"

    @property
    def lender_name(self) -> str:
        """The association named as lender on contracts (the platform's name until set)."""
        return self.legal_name or self.name


def valid_siret(value: str) -> bool:
    """14 digits whose Luhn sum is a multiple of 10 (INSEE's check key for SIREN/SIRET; La
    Poste's establishments, SIREN 356000000, use a digit sum multiple of 5 instead)."""
    digits = value.replace(" ", "")
    if len(digits) != 14 or not digits.isdigit():
        return False
    if digits.startswith("356000000"):
        return sum(int(d) for d in digits) % 5 == 0
    total = 0
    for index, char in enumerate(reversed(digits)):
        d = int(char) * (2 if index % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


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
