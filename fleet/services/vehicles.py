"""Sites (poles, parkings) and vehicles: create, change, find one of the platform."""

from __future__ import annotations

from sqlalchemy import func, select

from fleet.licences import required_category
from fleet.models import SITE_KINDS, VEHICLE_KINDS, VEHICLE_STATUSES, Rental, Site, Vehicle
from fleet.services.common import audit, check_fields, of_platform
from mobility.core.db import db
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.translations import lazy_gettext as _l

SITE_FIELDS = {"name", "kind", "address", "opening_hours", "phone", "lat", "lon", "active"}
VEHICLE_FIELDS = {"kind", "site_id", "plate", "label", "odometer_km", "energy_level_pct",
                  "status", "insurance_policy", "insurance_expires_on",
                  "technical_inspection_expires_on", "engine_cc", "notes"}


def _validate_site(fields: dict) -> None:
    errors = {}
    if "name" in fields and not (fields["name"] or "").strip():
        errors["name"] = _l("This field is required.")
    if "address" in fields and not (fields["address"] or "").strip():
        errors["address"] = _l("This field is required.")
    if "kind" in fields and fields["kind"] not in SITE_KINDS:
        errors["kind"] = _l("This value is not one of the allowed choices.")
    if errors:
        raise ValidationFailed(details=errors)


def create_site(actor, **fields) -> Site:
    """Create a site (pole or parking) on the actor's platform."""
    check_fields(fields, SITE_FIELDS)
    fields.setdefault("kind", "pole")
    fields.setdefault("name", "")
    fields.setdefault("address", "")
    _validate_site(fields)
    site = Site(platform_id=actor.platform_id, **fields)
    db.session.add(site)
    db.session.flush()
    audit(actor, "create", site, fields)
    db.session.commit()
    return site


def update_site(actor, site: Site, **fields) -> Site:
    """Change a site's fields."""
    check_fields(fields, SITE_FIELDS)
    _validate_site(fields)
    for name, value in fields.items():
        setattr(site, name, value)
    audit(actor, "update", site, fields)
    db.session.commit()
    return site


def _validate_vehicle(fields: dict, platform_id: int) -> None:
    errors = {**_vehicle_value_errors(fields), **_vehicle_site_and_engine_errors(fields,
                                                                               platform_id)}
    if errors:
        raise ValidationFailed(details=errors)


def _vehicle_value_errors(fields: dict) -> dict:
    """Kind, status, plate, odometer and level: the refusals of those given."""
    errors = {}
    if "kind" in fields and fields["kind"] not in VEHICLE_KINDS:
        errors["kind"] = _l("This value is not one of the allowed choices.")
    if "status" in fields and fields["status"] not in VEHICLE_STATUSES:
        errors["status"] = _l("This value is not one of the allowed choices.")
    if "plate" in fields and not (fields["plate"] or "").strip():
        errors["plate"] = _l("Give the number plate or the frame number.")
    if "odometer_km" in fields and (fields["odometer_km"] is None or fields["odometer_km"] < 0):
        errors["odometer_km"] = _l("The odometer cannot be negative.")
    level = fields.get("energy_level_pct")
    if level is not None and not 0 <= level <= 100:
        errors["energy_level_pct"] = _l("A level is between 0 and 100 %.")
    return errors


def _vehicle_site_and_engine_errors(fields: dict, platform_id: int) -> dict:
    """The site (of the platform) and the engine size: the refusals of those given."""
    errors = {}
    if "site_id" in fields:
        site = db.session.get(Site, fields["site_id"]) if fields["site_id"] else None
        if site is None or site.platform_id != platform_id:
            errors["site_id"] = _l("This site does not exist.")
    engine_cc = fields.get("engine_cc")
    if engine_cc is not None and not 1 <= engine_cc <= 2000:
        errors["engine_cc"] = _l("Give the engine size in cm³ (1 to 2,000).")
    return errors


def create_vehicle(actor, **fields) -> Vehicle:
    """Add a vehicle to the fleet."""
    check_fields(fields, VEHICLE_FIELDS)
    for required in ("kind", "site_id", "plate"):
        fields.setdefault(required, None)
    fields.setdefault("odometer_km", 0)
    fields.setdefault("status", "available")
    if fields["status"] == "rented":
        raise ValidationFailed(details={"status": _l("A new vehicle cannot be rented yet.")})
    _validate_vehicle(fields, actor.platform_id)
    fields["plate"] = fields["plate"].strip().upper()
    fields["licence_category"] = required_category(fields["kind"], fields.get("engine_cc"))
    vehicle = Vehicle(platform_id=actor.platform_id, **fields)
    db.session.add(vehicle)
    db.session.flush()
    audit(actor, "create", vehicle, fields)
    db.session.commit()
    return vehicle


def update_vehicle(actor, vehicle: Vehicle, **fields) -> Vehicle:
    """Change a vehicle's fields (immobilising goes through `immobilise_vehicle`)."""
    check_fields(fields, VEHICLE_FIELDS)
    _validate_vehicle(fields, vehicle.platform_id)
    if "plate" in fields:
        fields["plate"] = fields["plate"].strip().upper()
    if "kind" in fields and fields["kind"] != vehicle.kind and db.session.scalar(
        select(func.count()).select_from(Rental).where(
            Rental.vehicle_id == vehicle.id, Rental.status.in_(("booked", "in_progress")))
    ):
        raise Conflict(_l("This vehicle has open rentals: its kind cannot change."))
    for name, value in fields.items():
        setattr(vehicle, name, value)
    vehicle.licence_category = required_category(vehicle.kind, vehicle.engine_cc)
    audit(actor, "update", vehicle, fields)
    db.session.commit()
    return vehicle


def vehicle_of_platform(vehicle_id: int | None, platform_id: int) -> Vehicle:
    """A vehicle of the platform, or a 400 on the `vehicle_id` field."""
    return of_platform(Vehicle, vehicle_id, platform_id, "vehicle_id",
                       _l("This vehicle does not exist."))
