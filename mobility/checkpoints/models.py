"""The weekly checkpoint (point étape; monthly check-in for the AMIE plan)."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

import fleet.models  # noqa: F401  (the rentals table we point to)
import mobility.payments.models  # noqa: F401  (payments table)
from mobility.core.columns import UTCDateTime, utcnow
from mobility.core.db import db
from mobility.core.labels import label_of
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY, FLEET_MANAGER
from mobility.core.tenancy import PlatformScoped
from mobility.core.translations import lazy_gettext as _l

CHECKPOINT_KIND_LABELS = {"weekly": _l("Weekly checkpoint"), "monthly": _l("Monthly check-in")}


class Checkpoint(PlatformScoped, db.Model):
    """One meeting with the beneficiary and the vehicle: odometer against the allowance,
    condition, the period's payment, notes, exit solution, next date. Arrears are computed."""

    __tablename__ = "checkpoints"
    __table_args__ = (
        CheckConstraint("odometer_km >= 0", name="odometer_positive"),
        CheckConstraint("kind IN ('weekly', 'monthly')", name="kind_known"),
        UniqueConstraint("rental_id", "date"),
    )
    view_roles = frozenset({ADMIN, ADVISOR, FLEET_MANAGER})
    edit_roles = frozenset({ADMIN, ADVISOR})

    id: Mapped[int] = mapped_column(primary_key=True)
    rental_id: Mapped[int] = mapped_column(ForeignKey("fleet_rentals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8), default="weekly")
    date: Mapped[date] = mapped_column(Date)
    odometer_km: Mapped[int] = mapped_column(Integer)
    #: the previous reading (checkpoint or check-out inspection) and its date, if any
    previous_odometer_km: Mapped[int | None] = mapped_column(Integer)
    previous_reading_on: Mapped[date | None] = mapped_column(Date)
    working_days: Mapped[int | None] = mapped_column(Integer)
    allowance_km: Mapped[float | None] = mapped_column(Float)
    over_allowance: Mapped[bool] = mapped_column(Boolean, default=False)
    #: checklist item -> True when in good order
    condition: Mapped[dict] = mapped_column(JSON, default=dict)
    condition_note: Mapped[str | None] = mapped_column(Text)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    note: Mapped[str | None] = mapped_column(Text)
    exit_solution: Mapped[str | None] = mapped_column(Text)
    next_date: Mapped[date | None] = mapped_column(Date)
    #: the next checkpoint's appointment: its time (local, Europe/Paris) and place, a site of
    #: the platform or, when it is elsewhere, a place in words (one of the two)
    next_time: Mapped[time | None] = mapped_column(Time)
    next_site_id: Mapped[int | None] = mapped_column(ForeignKey("fleet_sites.id"))
    next_place: Mapped[str | None] = mapped_column(String(200))
    #: arrears right after this checkpoint (computed from the ledger, never typed)
    arrears_cents: Mapped[int] = mapped_column(Integer, default=0)
    microcredit_proposed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the summary sent to the referent (people.ReferentFeedback), when there is a pathway
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("referent_feedback.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rental = relationship("Rental")
    payment = relationship("Payment")
    recorded_by = relationship("User")
    next_site = relationship("Site", foreign_keys=[next_site_id])

    @property
    def km_driven(self) -> int | None:
        if self.previous_odometer_km is None:
            return None
        return self.odometer_km - self.previous_odometer_km

    kind_label = label_of("kind", CHECKPOINT_KIND_LABELS)

    def can_view(self, user) -> bool:
        if user is not None and user.role == BENEFICIARY:
            return self.rental is not None and self.rental.can_view(user)
        return super().can_view(user)
