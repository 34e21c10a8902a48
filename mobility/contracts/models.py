"""The provision contract (contrat de mise à disposition) of a rental: the exact PDF, its
SHA-256, and the beneficiary's acceptance (name, time)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

import fleet.models  # noqa: F401  (the rentals table we point to)
from mobility.core.columns import UTCDateTime, utcnow
from mobility.core.db import db
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY
from mobility.core.tenancy import PlatformScoped

TEMPLATE_VERSION = "2026-2"


class RentalContract(PlatformScoped, db.Model):
    """A version of a rental's contract. Until signed it is regenerated when the rental's terms
    change; once signed, the archived bytes never change (their hash is what was accepted), and
    a later change (extension, replacement, amendment) makes a new version to sign."""

    __tablename__ = "rental_contracts"
    __table_args__ = (UniqueConstraint("rental_id", "version"),)
    view_roles = frozenset({ADMIN, ADVISOR})
    edit_roles = frozenset({ADMIN, ADVISOR})

    id: Mapped[int] = mapped_column(primary_key=True)
    rental_id: Mapped[int] = mapped_column(ForeignKey("fleet_rentals.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    template_version: Mapped[str] = mapped_column(String(16), default=TEMPLATE_VERSION)
    #: hash of what the document was generated from (regenerate a draft when it changes)
    source_fingerprint: Mapped[str] = mapped_column(String(64))
    document: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str] = mapped_column(String(64))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signer_name: Mapped[str | None] = mapped_column(String(200))
    #: the account that was signed in when the beneficiary accepted (advisor's screen or own)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_via: Mapped[str | None] = mapped_column(String(8))
    #: the copy handed out once signed: the accepted pages, then the signature record (who,
    #: when, how, the SHA-256 of `document`); `document` itself stays what was accepted
    signed_document: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    signed_document_sha256: Mapped[str | None] = mapped_column(String(64))

    rental = relationship("Rental")
    signed_by = relationship("User")

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def can_view(self, user) -> bool:
        if user is not None and user.role == BENEFICIARY:
            return self.rental is not None and self.rental.can_view(user)
        return super().can_view(user)
