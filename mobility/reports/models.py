"""Networks of platforms, for reports over several platforms.

A network is a slug and a name; its member platforms are rows of `report_network_members`
(a platform belongs to at most one network). The admins of the network's *head platform*
(for example the regional network's own platform) are the network's admins: they may read the
activity report of the whole network and of each member. Other admins see their own platform.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.core.columns import UTCDateTime, utcnow
from mobility.core.db import db


class ReportNetwork(db.Model):
    """A network of platforms (réseau), headed by one of them."""

    __tablename__ = "report_networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: the admins of this platform are the network's admins
    head_platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members = relationship("ReportNetworkMember", back_populates="network",
                           cascade="all, delete-orphan")

    @property
    def platform_ids(self) -> list[int]:
        return sorted({m.platform_id for m in self.members} | {self.head_platform_id})

    def is_admin(self, user) -> bool:
        """True for the admins of the head platform."""
        return (user is not None and user.role == "admin"
                and user.platform_id == self.head_platform_id)


class ReportNetworkMember(db.Model):
    """A platform's membership of a network."""

    __tablename__ = "report_network_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("report_networks.id"), index=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), unique=True)

    network = relationship("ReportNetwork", back_populates="members")
