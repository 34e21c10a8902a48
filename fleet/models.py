"""Fleet records: sites, vehicles, rentals, inspections, photos, maintenance, carpool, minibus.

Access rules live on the models (`can_view` / `can_edit` and a few finer `can_*`), as for every
platform record. Rental periods are dates, half-open `[start_date, end_date)`: the vehicle comes
back on `end_date` and may leave again the same day with someone else.
"""

from __future__ import annotations

from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
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
    Time,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleet.licences import required_category
from mobility.core.columns import UTCDateTime, in_check, utcnow
from mobility.core.db import db
from mobility.core.labels import label_of
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY, FLEET_MANAGER
from mobility.core.tenancy import PlatformScoped

# Roles, spelled here so that `fleet` imports nothing else from `mobility`.

VEHICLE_KINDS = ("bike", "e_bike", "scooter", "moped", "car")
VEHICLE_KIND_LABELS = {
    "bike": _l("Bike"), "e_bike": _l("E-bike"), "scooter": _l("Scooter"),
    "moped": _l("Moped"), "car": _l("Car"),
}
#: other kinds that can stand in for a kind, best first (for alternatives and replacements)
FITTING_KINDS = {
    "bike": ("e_bike",),
    "e_bike": ("bike", "scooter"),
    "scooter": ("moped", "e_bike"),
    "moped": ("scooter",),
    "car": ("moped", "scooter"),
}
#: kinds with an engine and fuel or battery level to track
MOTOR_KINDS = frozenset({"e_bike", "scooter", "moped", "car"})

VEHICLE_STATUSES = ("available", "rented", "maintenance", "immobilised", "retired")
VEHICLE_STATUS_LABELS = {
    "available": _l("Available"), "rented": _l("Rented"), "maintenance": _l("In maintenance"),
    "immobilised": _l("Immobilised"), "retired": _l("Retired"),
}
#: statuses in which a vehicle cannot be booked
UNBOOKABLE_STATUSES = frozenset({"maintenance", "immobilised", "retired"})

SITE_KINDS = ("pole", "parking")
SITE_KIND_LABELS = {"pole": _l("Pole"), "parking": _l("Parking")}

RENTAL_STATUSES = ("booked", "in_progress", "returned", "closed", "cancelled")
RENTAL_STATUS_LABELS = {
    "booked": _l("Booked"), "in_progress": _l("In progress"), "returned": _l("Returned"),
    "closed": _l("Closed"), "cancelled": _l("Cancelled"),
}
#: rentals out or booked, as SQL with literal values: the partial index on them is used only by
#: queries that spell the same condition (a bound parameter would not match it)
OPEN_RENTALS_SQL = "status IN ('booked', 'in_progress')"
#: statuses of a rental that still holds its vehicle for its period
BLOCKING_RENTAL_STATUSES = ("booked", "in_progress", "returned", "closed")
#: statuses after the vehicle came back (returned, then settled and closed)
ENDED_RENTAL_STATUSES = ("returned", "closed")

INSPECTION_KINDS = ("check_out", "check_in")
INSPECTION_KIND_LABELS = {"check_out": _l("Check-out"), "check_in": _l("Check-in")}
CHECKLIST_LABELS = {
    "lights": _l("Lights"), "brakes": _l("Brakes"), "tyres": _l("Tyres"), "lock": _l("Lock"),
    "helmet": _l("Helmet"), "documents": _l("Documents"), "battery_charger": _l("Charger"),
    "mirrors": _l("Mirrors"), "bodywork": _l("Bodywork"),
    "safety_kit": _l("Safety vest and triangle"),
    "chain": _l("Chain"), "bell": _l("Bell"),
}
CHECKLISTS = {
    "bike": ("lights", "brakes", "tyres", "chain", "bell", "lock", "helmet"),
    "e_bike": ("lights", "brakes", "tyres", "chain", "bell", "lock", "helmet", "battery_charger"),
    "scooter": ("lights", "brakes", "tyres", "mirrors", "lock", "helmet", "documents"),
    "moped": ("lights", "brakes", "tyres", "mirrors", "lock", "helmet", "documents"),
    "car": ("lights", "brakes", "tyres", "mirrors", "bodywork", "safety_kit", "documents"),
}
#: checklist items without which a vehicle is not safe to leave: a failed one refuses the
#: hand-over and opens a repair job
SAFETY_ITEMS = frozenset({"brakes", "lights", "tyres"})
#: kinds that must be insured to be on the road (Code des assurances, art. L211-1: every motor
#: vehicle); pedal-assisted e-bikes are cycles
INSURED_KINDS = frozenset({"scooter", "moped", "car"})
#: kinds that need a valid technical inspection (contrôle technique, Code de la route
#: art. R323-1 for cars; for two-wheelers it is checked when a date is recorded)
INSPECTED_KINDS = frozenset({"car"})
#: vehicle "classes" for the one-vehicle-at-a-time rule
VEHICLE_CLASSES = {"bike": "cycle", "e_bike": "cycle", "scooter": "two_wheeler",
                   "moped": "two_wheeler", "car": "car"}

MAINTENANCE_KINDS = ("service", "repair", "technical_inspection")
MAINTENANCE_KIND_LABELS = {
    "service": _l("Service"), "repair": _l("Repair"),
    "technical_inspection": _l("Technical inspection"),
}
MAINTENANCE_STATUSES = ("open", "done", "cancelled")
MAINTENANCE_STATUS_LABELS = {"open": _l("Open"), "done": _l("Done"), "cancelled": _l("Cancelled")}

DRIVER_KINDS = ("volunteer", "employee", "beneficiary")
DRIVER_KIND_LABELS = {
    "volunteer": _l("Volunteer"), "employee": _l("Employee"), "beneficiary": _l("Beneficiary"),
}
WEEKDAY_LABELS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))
SEAT_STATUSES = ("booked", "cancelled")
MINIBUS_CHARTER_VERSION = "2026-1"

STAFF_VIEW = frozenset({ADMIN, ADVISOR, FLEET_MANAGER})
FLEET_EDIT = frozenset({ADMIN, FLEET_MANAGER})
BOOKING_EDIT = frozenset({ADMIN, ADVISOR})


class Site(PlatformScoped, db.Model):
    """A pole or parking where vehicles are kept and handed over (site, pôle, parking)."""

    __tablename__ = "fleet_sites"
    __table_args__ = (CheckConstraint(in_check("kind", SITE_KINDS), name="kind_known"),)
    view_roles = STAFF_VIEW
    edit_roles = FLEET_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="pole")
    address: Mapped[str] = mapped_column(String(300))
    opening_hours: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(32))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    kind_label = label_of("kind", SITE_KIND_LABELS)

    def __repr__(self) -> str:
        return f"<Site {self.name}>"


class Vehicle(PlatformScoped, db.Model):
    """A bike, e-bike, scooter, moped or car lent to beneficiaries."""

    __tablename__ = "fleet_vehicles"
    __table_args__ = (
        CheckConstraint(in_check("kind", VEHICLE_KINDS), name="kind_known"),
        CheckConstraint(in_check("status", VEHICLE_STATUSES), name="status_known"),
        CheckConstraint("odometer_km >= 0", name="odometer_positive"),
        CheckConstraint("energy_level_pct IS NULL OR (energy_level_pct BETWEEN 0 AND 100)",
                        name="energy_level_range"),
        Index("ix_fleet_vehicles_search", "platform_id", "kind", "site_id"),
        # the list of vehicles by plate, a page at a time (keyset)
        Index("ix_fleet_vehicles_platform_plate", "platform_id", "plate", "id"),
    )
    view_roles = STAFF_VIEW
    edit_roles = FLEET_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    site_id: Mapped[int] = mapped_column(ForeignKey("fleet_sites.id"), index=True)
    #: number plate (motor vehicles) or frame number (bikes)
    plate: Mapped[str] = mapped_column(String(40))
    label: Mapped[str | None] = mapped_column(String(120))
    odometer_km: Mapped[int] = mapped_column(Integer, default=0)
    #: fuel (cars, mopeds) or battery (e-bikes, electric scooters) level, in percent
    energy_level_pct: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="available")
    insurance_policy: Mapped[str | None] = mapped_column(String(80))
    insurance_expires_on: Mapped[date | None] = mapped_column(Date)
    technical_inspection_expires_on: Mapped[date | None] = mapped_column(Date)
    #: engine size of a two-wheeler, in cm³ (none: up to 50 cm³ / 45 km/h, a moped)
    engine_cc: Mapped[int | None] = mapped_column(Integer)
    #: the licence category the vehicle needs (`fleet.licences.required_category`), kept in
    #: step with kind and engine size by the services
    licence_category: Mapped[str | None] = mapped_column(String(4))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    site = relationship("Site")
    photos = relationship("Photo", primaryjoin="and_(Photo.vehicle_id == Vehicle.id, "
                          "Photo.inspection_id == None)", viewonly=True,
                          order_by="Photo.id")

    kind_label = label_of("kind", VEHICLE_KIND_LABELS)

    status_label = label_of("status", VEHICLE_STATUS_LABELS)

    @property
    def display_name(self) -> str:
        return f"{self.kind_label} {self.plate}" + (f" ({self.label})" if self.label else "")

    @property
    def needed_licence(self) -> str | None:
        """The licence category the vehicle needs, from its kind and engine size (the rule's
        one home is `fleet.licences.required_category`; `licence_category` stores it)."""
        return required_category(self.kind, self.engine_cc)

    @property
    def is_bookable(self) -> bool:
        return self.status not in UNBOOKABLE_STATUSES

    def expiring_documents(self, today: date, within_days: int = 30) -> list[str]:
        """Names of the documents expired or expiring within `within_days`."""
        out = []
        for name, when in (("insurance", self.insurance_expires_on),
                           ("technical_inspection", self.technical_inspection_expires_on)):
            if when is not None and (when - today).days <= within_days:
                out.append(name)
        return out

    def __repr__(self) -> str:
        return f"<Vehicle {self.kind} {self.plate}>"


class Rental(PlatformScoped, db.Model):
    """A vehicle lent to a beneficiary for `[start_date, end_date)` (mise à disposition)."""

    __tablename__ = "fleet_rentals"
    __table_args__ = (
        CheckConstraint(in_check("status", RENTAL_STATUSES), name="status_known"),
        CheckConstraint("end_date > start_date", name="period_not_empty"),
        Index("ix_fleet_rentals_vehicle_period", "vehicle_id", "end_date", "start_date"),
        Index("ix_fleet_rentals_platform_status_end", "platform_id", "status", "end_date"),
        # vehicles still out (small): the availability search skips overdue ones
        Index("ix_fleet_rentals_out", "vehicle_id", "end_date",
              sqlite_where=text("status = 'in_progress'"),
              postgresql_where=text("status = 'in_progress'")),
        # lists of rentals by start date, a page at a time (keyset): the open ones (the lists'
        # default, a small part of the history) and every one
        Index("ix_fleet_rentals_open_start", "platform_id", "start_date", "id",
              sqlite_where=text(OPEN_RENTALS_SQL), postgresql_where=text(OPEN_RENTALS_SQL)),
        Index("ix_fleet_rentals_platform_start", "platform_id", "start_date", "id"),
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


class Photo(PlatformScoped, db.Model):
    """An uploaded picture of a vehicle or of an inspection, stored under UPLOAD_FOLDER."""

    __tablename__ = "fleet_photos"
    view_roles = STAFF_VIEW
    edit_roles = FLEET_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("fleet_vehicles.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(
        ForeignKey("fleet_inspections.id"), index=True
    )
    #: server-generated file name (random), never the uploader's
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MaintenanceJob(PlatformScoped, db.Model):
    """A service, repair or technical inspection, due by date or by odometer."""

    __tablename__ = "fleet_maintenance_jobs"
    __table_args__ = (
        CheckConstraint(in_check("kind", MAINTENANCE_KINDS), name="kind_known"),
        CheckConstraint(in_check("status", MAINTENANCE_STATUSES), name="status_known"),
        CheckConstraint("cost_cents IS NULL OR cost_cents >= 0", name="cost_positive"),
    )
    view_roles = FLEET_EDIT
    edit_roles = FLEET_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("fleet_vehicles.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    due_odometer_km: Mapped[int | None] = mapped_column(Integer)
    cost_cents: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")
    #: the check-in inspection whose damage opened this job
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("fleet_inspections.id"))
    done_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vehicle = relationship("Vehicle")

    kind_label = label_of("kind", MAINTENANCE_KIND_LABELS)

    status_label = label_of("status", MAINTENANCE_STATUS_LABELS)

    def is_due(self, today: date) -> bool:
        """Open and due by date, or by the vehicle's odometer."""
        if self.status != "open":
            return False
        if self.due_on is not None and self.due_on <= today:
            return True
        return (self.due_odometer_km is not None and self.vehicle is not None
                and self.vehicle.odometer_km >= self.due_odometer_km)


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
