"""Shared transport: carpool rides and their seats, minibus runs, stops and seats.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, Time, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleet.models.constants import (
    BOOKING_EDIT,
    DRIVER_KIND_LABELS,
    DRIVER_KINDS,
    SEAT_STATUSES,
    STAFF_VIEW,
    WEEKDAY_LABELS,
)
from mobility.core.columns import UTCDateTime, in_check, utcnow
from mobility.core.db import db
from mobility.core.labels import label_of
from mobility.core.tenancy import PlatformScoped


class CarpoolRide(PlatformScoped, db.Model):
    """A regular ride offered by a driver, with seats beneficiaries book per date."""

    __tablename__ = "fleet_carpool_rides"
    __table_args__ = (
        CheckConstraint(in_check("driver_kind", DRIVER_KINDS), name="driver_kind_known"),
        CheckConstraint("seats >= 1", name="seats_positive"),
    )
    view_roles = STAFF_VIEW
    edit_roles = STAFF_VIEW

    id: Mapped[int] = mapped_column(primary_key=True)
    driver_kind: Mapped[str] = mapped_column(String(16))
    driver_name: Mapped[str] = mapped_column(String(200))
    driver_phone: Mapped[str | None] = mapped_column(String(32))
    driver_beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"))
    origin: Mapped[str] = mapped_column(String(300))
    destination: Mapped[str] = mapped_column(String(300))
    #: days of the week the ride runs, Monday = 0, e.g. "0,1,2,3,4"
    weekdays: Mapped[str] = mapped_column(String(20), default="0,1,2,3,4")
    departure_time: Mapped[time] = mapped_column(Time)
    return_time: Mapped[time | None] = mapped_column(Time)
    seats: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    driver_beneficiary = relationship("Beneficiary", foreign_keys=[driver_beneficiary_id])

    @property
    def weekday_numbers(self) -> list[int]:
        return [int(d) for d in self.weekdays.split(",") if d.strip() != ""]

    @property
    def weekday_labels(self) -> str:
        return ", ".join(str(WEEKDAY_LABELS[d]) for d in self.weekday_numbers)

    driver_kind_label = label_of("driver_kind", DRIVER_KIND_LABELS)

    def runs_on(self, day: date) -> bool:
        return (day.weekday() in self.weekday_numbers and day >= self.valid_from
                and (self.valid_until is None or day <= self.valid_until))


class SeatBooking(PlatformScoped, db.Model):
    """One seat of a carpool ride for one beneficiary on one date."""

    __tablename__ = "fleet_seat_bookings"
    __table_args__ = (
        CheckConstraint(in_check("status", SEAT_STATUSES), name="status_known"),
        # A seat number is taken once per ride and date: the last seat cannot be sold twice.
        Index("uq_fleet_seat_bookings_seat", "ride_id", "ride_date", "seat_number", unique=True,
              sqlite_where=text("status = 'booked'"), postgresql_where=text("status = 'booked'")),
        Index("uq_fleet_seat_bookings_person", "ride_id", "ride_date", "beneficiary_id",
              unique=True, sqlite_where=text("status = 'booked'"),
              postgresql_where=text("status = 'booked'")),
        # the activity report's seats of a period
        Index("ix_fleet_seat_bookings_platform_date", "platform_id", "ride_date"),
    )
    view_roles = STAFF_VIEW
    edit_roles = BOOKING_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    ride_id: Mapped[int] = mapped_column(ForeignKey("fleet_carpool_rides.id"))
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    ride_date: Mapped[date] = mapped_column(Date)
    seat_number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="booked")
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ride = relationship("CarpoolRide")
    beneficiary = relationship("Beneficiary")


class MinibusRun(PlatformScoped, db.Model):
    """A run of the minibus (transport micro-collectif): a driver, a vehicle, ordered stops."""

    __tablename__ = "fleet_minibus_runs"
    __table_args__ = (CheckConstraint("capacity >= 1", name="capacity_positive"),)
    view_roles = STAFF_VIEW
    edit_roles = STAFF_VIEW

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    run_date: Mapped[date] = mapped_column(Date, index=True)
    departure_time: Mapped[time] = mapped_column(Time)
    driver_name: Mapped[str] = mapped_column(String(200))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("fleet_vehicles.id"))
    capacity: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vehicle = relationship("Vehicle")
    stops = relationship("MinibusStop", order_by="MinibusStop.position",
                         cascade="all, delete-orphan")


class MinibusStop(PlatformScoped, db.Model):
    """A stop of a minibus run, in order."""

    __tablename__ = "fleet_minibus_stops"
    __table_args__ = (Index("uq_fleet_minibus_stops_position", "run_id", "position", unique=True),)
    view_roles = STAFF_VIEW
    edit_roles = STAFF_VIEW

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("fleet_minibus_runs.id"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    stop_time: Mapped[time | None] = mapped_column(Time)


class MinibusBooking(PlatformScoped, db.Model):
    """A seat on a minibus run; the passenger accepted the service charter."""

    __tablename__ = "fleet_minibus_bookings"
    __table_args__ = (
        CheckConstraint(in_check("status", SEAT_STATUSES), name="status_known"),
        Index("uq_fleet_minibus_bookings_seat", "run_id", "seat_number", unique=True,
              sqlite_where=text("status = 'booked'"), postgresql_where=text("status = 'booked'")),
        Index("uq_fleet_minibus_bookings_person", "run_id", "beneficiary_id", unique=True,
              sqlite_where=text("status = 'booked'"), postgresql_where=text("status = 'booked'")),
    )
    view_roles = STAFF_VIEW
    edit_roles = BOOKING_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("fleet_minibus_runs.id"))
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    stop_id: Mapped[int | None] = mapped_column(ForeignKey("fleet_minibus_stops.id"))
    seat_number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="booked")
    charter_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    charter_version: Mapped[str] = mapped_column(String(16))
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    run = relationship("MinibusRun")
    beneficiary = relationship("Beneficiary")
    stop = relationship("MinibusStop")
