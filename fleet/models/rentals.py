"""Rentals (mise à disposition) and their inspections (état des lieux).

Rental periods are dates, half-open `[start_date, end_date)`: the vehicle comes back on
`end_date` and may leave again the same day with someone else.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleet.models.constants import (
    BOOKING_EDIT,
    FLEET_EDIT,
    INSPECTION_KIND_LABELS,
    INSPECTION_KINDS,
    OPEN_RENTALS_SQL,
    RENTAL_STATUS_LABELS,
    RENTAL_STATUSES,
    STAFF_VIEW,
)
from mobility.core.columns import UTCDateTime, in_check, utcnow
from mobility.core.db import db
from mobility.core.labels import label_of
from mobility.core.roles import BENEFICIARY
from mobility.core.tenancy import PlatformScoped


class Rental(PlatformScoped, db.Model):
    """A vehicle lent to a beneficiary for `[start_date, end_date)` (mise à disposition)."""

    __tablename__ = "fleet_rentals"
    __table_args__ = (
        CheckConstraint(in_check("status", RENTAL_STATUSES), name="status_known"),
        CheckConstraint("end_date > start_date", name="period_not_empty"),
        # a vehicle's rentals by period (double booking, availability); on SQLite it also holds
        # what the report reads of the rentals overlapping its period (occupancy, money), so
        # those scans read no table row. Not on PostgreSQL, whose availability search it made
        # slower (p50 12.6 -> 14.4 ms at a million rentals) and whose report needs no help.
        Index("ix_fleet_rentals_vehicle_period", "vehicle_id", "end_date", "start_date",
              "status", "platform_id", "beneficiary_id").ddl_if(dialect="sqlite"),
        Index("ix_fleet_rentals_vehicle_period", "vehicle_id", "end_date", "start_date"
              ).ddl_if(dialect="postgresql"),
        Index("ix_fleet_rentals_platform_status_end", "platform_id", "status", "end_date"),
        # vehicles still out (small): the availability search skips overdue ones
        Index("ix_fleet_rentals_out", "vehicle_id", "end_date",
              sqlite_where=text("status = 'in_progress'"),
              postgresql_where=text("status = 'in_progress'")),
        # lists of rentals by start date, a page at a time (keyset): the open ones (the lists'
        # default, a small part of the history) and every one (that one also holds what the
        # report counts of the rentals started in a period, so it reads no table row)
        Index("ix_fleet_rentals_open_start", "platform_id", "start_date", "id",
              sqlite_where=text(OPEN_RENTALS_SQL), postgresql_where=text(OPEN_RENTALS_SQL)),
        Index("ix_fleet_rentals_platform_start", "platform_id", "start_date", "id", "status",
              "vehicle_id", "beneficiary_id"),
        # PostgreSQL: an advisor's open rentals (the dashboard's day), a few hundred out of a
        # platform's thousands out and booked ahead. Not on SQLite, whose planner then reads
        # the whole history for the list of open rentals (1 s at a million rentals) and does
        # not use it for the dashboard's "mine or nobody's" anyway.
        Index("ix_fleet_rentals_advisor_open", "advisor_id", "start_date",
              postgresql_where=text(OPEN_RENTALS_SQL)).ddl_if(dialect="postgresql"),
        # PostgreSQL: a vehicle is never rented twice for overlapping periods, whatever the
        # concurrency (cancelled rentals free their period; early returns shorten it).
        ExcludeConstraint(
            ("vehicle_id", "="),
            (func.daterange(text("start_date"), text("end_date"), text("'[)'")), "&&"),
            where=text("status <> 'cancelled'"),
            using="gist",
            name="ex_fleet_rentals_no_overlap",
        ).ddl_if(dialect="postgresql"),
    )
    view_roles = STAFF_VIEW
    edit_roles = BOOKING_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("fleet_vehicles.id"))
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    #: the advisor who booked it (the one to contact about the beneficiary)
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    start_date: Mapped[date] = mapped_column(Date)
    #: the planned return date (exclusive end of the period); shortened by an early return
    end_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="booked")
    #: 120 % of the home-work round trip, set by `fleet.services.set_mileage_allowance`
    daily_mileage_allowance_km: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    return_site_id: Mapped[int | None] = mapped_column(ForeignKey("fleet_sites.id"))
    return_slot_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the day the vehicle actually came back; past `end_date`, the days kept are charged
    returned_on: Mapped[date | None] = mapped_column(Date)
    #: days kept after the planned return, fixed at the check-in
    late_days: Mapped[int] = mapped_column(Integer, default=0)
    #: an advisor's reason for not charging the late days
    late_days_waived_reason: Mapped[str | None] = mapped_column(Text)
    #: an advisor's reason for handing over without a deposit
    deposit_exemption_reason: Mapped[str | None] = mapped_column(Text)
    #: advisors' written overrides of scheme rules at booking: {rule: reason}
    overrides: Mapped[dict | None] = mapped_column(JSON)
    #: the rental this one replaces (vehicle immobilised while out)
    replaces_rental_id: Mapped[int | None] = mapped_column(ForeignKey("fleet_rentals.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vehicle = relationship("Vehicle")
    beneficiary = relationship("Beneficiary")
    advisor = relationship("User", foreign_keys=[advisor_id])
    return_site = relationship("Site", foreign_keys=[return_site_id])
    replaces = relationship("Rental", remote_side=[id], foreign_keys=[replaces_rental_id])
    inspections = relationship("Inspection", back_populates="rental", order_by="Inspection.id")

    status_label = label_of("status", RENTAL_STATUS_LABELS)

    @property
    def is_open(self) -> bool:
        """Booked or in progress: it can still change."""
        return self.status in ("booked", "in_progress")

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days

    def is_overdue(self, today: date) -> bool:
        return self.status == "in_progress" and self.end_date < today

    def inspection(self, kind: str) -> Inspection | None:
        return next((i for i in self.inspections if i.kind == kind), None)

    def can_view(self, user) -> bool:
        if user is not None and user.role == BENEFICIARY:
            return (self.same_platform(user) and self.beneficiary is not None
                    and self.beneficiary.user_id == user.id)
        return super().can_view(user)

    def can_inspect(self, user) -> bool:
        """Check-out, check-in and return slots are the fleet manager's."""
        return self.same_platform(user) and user.role in FLEET_EDIT

    def can_extend(self, user) -> bool:
        return self.can_edit(user) and self.is_open

    def __repr__(self) -> str:
        return f"<Rental {self.id} vehicle={self.vehicle_id} [{self.start_date}, {self.end_date})>"


class Inspection(PlatformScoped, db.Model):
    """The condition of a vehicle when it leaves or comes back (état des lieux)."""

    __tablename__ = "fleet_inspections"
    __table_args__ = (
        CheckConstraint(in_check("kind", INSPECTION_KINDS), name="kind_known"),
        Index("uq_fleet_inspections_rental_kind", "rental_id", "kind", unique=True),
    )
    view_roles = STAFF_VIEW
    edit_roles = FLEET_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    rental_id: Mapped[int] = mapped_column(ForeignKey("fleet_rentals.id"))
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("fleet_vehicles.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    odometer_km: Mapped[int] = mapped_column(Integer)
    energy_level_pct: Mapped[int | None] = mapped_column(Integer)
    #: checklist item -> True when in good order
    checklist: Mapped[dict] = mapped_column(JSON, default=dict)
    damage_notes: Mapped[str | None] = mapped_column(Text)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    inspected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # -- the beneficiary's sign-off on screen (`fleet.services.sign_off`) --
    #: the name the beneficiary typed
    signoff_name: Mapped[str | None] = mapped_column(String(200))
    #: the beneficiary ticked "I have checked the condition report"
    signoff_checked: Mapped[bool] = mapped_column(Boolean, default=False,
                                                  server_default=false())
    #: the staff member who saw them sign
    signoff_witness_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signoff_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rental = relationship("Rental", back_populates="inspections")
    inspector = relationship("User", foreign_keys=[inspector_id])
    signoff_witness = relationship("User", foreign_keys=[signoff_witness_id])
    photos = relationship("Photo", order_by="Photo.id", viewonly=True)

    kind_label = label_of("kind", INSPECTION_KIND_LABELS)

    @property
    def is_signed_off(self) -> bool:
        return bool(self.signoff_checked and self.signoff_name and self.signoff_at)
