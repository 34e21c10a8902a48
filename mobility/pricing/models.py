"""Tariffs per platform with effective dates, and the price terms each rental keeps."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

import fleet.models  # noqa: F401  (the rentals table our terms point to)
from mobility.core.columns import UTCDateTime, utcnow
from mobility.core.db import db
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY, FLEET_MANAGER
from mobility.core.tenancy import PlatformScoped
from mobility.pricing.engine import QuoteError, Situation, TariffRates, bougez_week_terms


class Tariff(PlatformScoped, db.Model):
    """The prices of a platform from `effective_from` to `effective_until` (exclusive, open if
    None). Periods of one platform never overlap; a tariff is never edited once created, except
    to close it (past rentals keep the terms they started under anyway)."""

    __tablename__ = "pricing_tariffs"
    __table_args__ = (
        CheckConstraint("effective_until IS NULL OR effective_until > effective_from",
                        name="period_not_empty"),
        UniqueConstraint("platform_id", "effective_from"),
    )
    view_roles = frozenset({ADMIN, ADVISOR, FLEET_MANAGER})
    edit_roles = frozenset({ADMIN})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_until: Mapped[date | None] = mapped_column(Date)
    #: the numbers, as `TariffRates.to_dict()` (daily rates and deposits per kind, reductions,
    #: membership fee, seat prices, the AMIE ladder)
    rates: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def tariff_rates(self) -> TariffRates:
        return TariffRates.from_dict(self.rates or {})

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_until is None or day < self.effective_until)

    def __repr__(self) -> str:
        return f"<Tariff {self.effective_from}..{self.effective_until}>"


class RentalTerms(PlatformScoped, db.Model):
    """The price terms of one rental: scheme, the tariff snapshot it started under, the person's
    situation at booking. Charges are recomputed from these with the rental's actual dates."""

    __tablename__ = "pricing_rental_terms"
    __table_args__ = (
        CheckConstraint("scheme IN ('bougez', 'amie')", name="scheme_known"),
        CheckConstraint("deposit_cents >= 0", name="deposit_positive"),
        # what the activity report reads of each rental's terms, without the wide row
        Index("ix_pricing_rental_terms_week", "rental_id", "scheme", "priced_kind",
              "daily_rate_cents", "reduction_pct", "first_fee_cents"),
    )
    view_roles = frozenset({ADMIN, ADVISOR, FLEET_MANAGER})
    edit_roles = frozenset({ADMIN, ADVISOR})

    id: Mapped[int] = mapped_column(primary_key=True)
    rental_id: Mapped[int] = mapped_column(ForeignKey("fleet_rentals.id"), unique=True)
    tariff_id: Mapped[int | None] = mapped_column(ForeignKey("pricing_tariffs.id"))
    scheme: Mapped[str] = mapped_column(String(16), default="bougez")
    #: `TariffRates.to_dict()` at booking time
    rates: Mapped[dict] = mapped_column(JSON)
    receives_rsa: Mapped[bool] = mapped_column(default=False)
    lives_in_qpv: Mapped[bool] = mapped_column(default=False)
    resources_band: Mapped[str | None] = mapped_column(String(16))
    membership_due: Mapped[bool] = mapped_column(default=False)
    deposit_cents: Mapped[int] = mapped_column(Integer, default=0)
    #: AMIE: the person's month of the plan this rental started at when it was booked, kept for
    #: the record; prices use `services.amie_first_month_of`, which follows later bookings
    amie_first_month: Mapped[int] = mapped_column(Integer, default=1)
    #: "Bougez" terms: the vehicle kind they were fixed for and what the pricing engine gives
    #: them for it (`bougez_week_terms`: daily rate, reduction, fee of the first instalment),
    #: set on every write from the fields above (`fix_week_terms`), so that sums over many
    #: rentals (the activity report) run in SQL; None: not known (AMIE, a kind or tariff the
    #: engine refuses, terms written before them), such rentals are priced one by one
    priced_kind: Mapped[str | None] = mapped_column(String(20))
    daily_rate_cents: Mapped[int | None] = mapped_column(Integer)
    reduction_pct: Mapped[int | None] = mapped_column(Integer)
    first_fee_cents: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rental = relationship("Rental")
    tariff = relationship("Tariff")
    amendments = relationship("RentalAmendment", order_by="RentalAmendment.effective_from",
                              primaryjoin="RentalTerms.rental_id == RentalAmendment.rental_id",
                              foreign_keys="RentalAmendment.rental_id", viewonly=True)

    def tariff_rates(self) -> TariffRates:
        return TariffRates.from_dict(self.rates or {})

    def situation(self) -> Situation:
        """The person's situation these terms were fixed with."""
        return Situation(receives_rsa=bool(self.receives_rsa),
                         lives_in_qpv=bool(self.lives_in_qpv),
                         resources_band=self.resources_band,
                         membership_due=bool(self.membership_due))

    def fix_week_terms(self) -> None:
        """Set the daily rate, reduction and first fee these "Bougez" terms give a vehicle of
        `priced_kind` (None for AMIE terms, without a kind, or refused by the engine)."""
        week = None
        if self.scheme == "bougez" and self.priced_kind:
            with suppress(QuoteError):
                week = bougez_week_terms(self.tariff_rates(), self.priced_kind,
                                         self.situation())
        self.daily_rate_cents, self.reduction_pct, self.first_fee_cents = week or (None,) * 3

    def can_view(self, user) -> bool:
        if user is not None and user.role == BENEFICIARY:
            return self.rental is not None and self.rental.can_view(user)
        return super().can_view(user)


@event.listens_for(RentalTerms, "before_insert")
@event.listens_for(RentalTerms, "before_update")
def _fix_week_terms(_mapper, _connection, terms: RentalTerms) -> None:
    # on every write through the ORM: the stored numbers always follow the terms' fields
    terms.fix_week_terms()


class RentalAmendment(PlatformScoped, db.Model):
    """A change of the person's situation after the contract was signed: it applies from the
    next weekly (Bougez) or monthly (AMIE) period, and the next contract version states it."""

    __tablename__ = "pricing_rental_amendments"
    view_roles = frozenset({ADMIN, ADVISOR})
    edit_roles = frozenset({ADMIN, ADVISOR})

    id: Mapped[int] = mapped_column(primary_key=True)
    rental_id: Mapped[int] = mapped_column(ForeignKey("fleet_rentals.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    receives_rsa: Mapped[bool] = mapped_column(default=False)
    lives_in_qpv: Mapped[bool] = mapped_column(default=False)
    resources_band: Mapped[str | None] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
