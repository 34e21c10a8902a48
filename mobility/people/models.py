"""Beneficiaries and their files (the people side of the domain)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.auth.roles import ADMIN, ADVISOR, FLEET_MANAGER
from mobility.db_types import UTCDateTime, utcnow
from mobility.extensions import db
from mobility.platforms.models import PlatformScoped


class Beneficiary(PlatformScoped, db.Model):
    """A person accompanied by the platform (bénéficiaire)."""

    __tablename__ = "beneficiaries"
    view_roles = frozenset({ADMIN, ADVISOR, FLEET_MANAGER})
    edit_roles = frozenset({ADMIN, ADVISOR})

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(300))
    address_lat: Mapped[float | None] = mapped_column(Float)
    address_lon: Mapped[float | None] = mapped_column(Float)
    receives_rsa: Mapped[bool] = mapped_column(Boolean, default=False)
    lives_in_qpv: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the login of the beneficiary, when they have one
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def can_view(self, user) -> bool:
        if user is not None and user.role == "beneficiary":
            return self.user_id == user.id
        return super().can_view(user)
