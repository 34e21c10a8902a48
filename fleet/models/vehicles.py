"""Sites, vehicles, their photos and maintenance jobs.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleet.licences import required_category
from fleet.models.constants import (
    FLEET_EDIT,
    MAINTENANCE_KIND_LABELS,
    MAINTENANCE_KINDS,
    MAINTENANCE_STATUS_LABELS,
    MAINTENANCE_STATUSES,
    SITE_KIND_LABELS,
    SITE_KINDS,
    STAFF_VIEW,
    UNBOOKABLE_STATUSES,
    VEHICLE_KIND_LABELS,
    VEHICLE_KINDS,
    VEHICLE_STATUS_LABELS,
    VEHICLE_STATUSES,
)
from mobility.core.columns import UTCDateTime, in_check, utcnow
from mobility.core.db import db
from mobility.core.labels import label_of
from mobility.core.tenancy import PlatformScoped


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
