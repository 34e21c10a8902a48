"""Fleet services: every change to the fleet goes through one of these functions.

They validate input, enforce the rules (no double booking, no overselling of seats), write in
one transaction and commit. Refusals raise `mobility.core.errors` exceptions, so nothing is changed.

Auditing: `fleet` may not import the audit package; the web layer installs `audit_hook`
(`record_audit`'s signature) at start-up and services call it inside their transaction.

The rules of a rental's steps that read the person, the prices, the contract or the deposit
live in `mobility.rentals.lifecycle`, which calls the rental functions here once they hold;
these keep the fleet's own invariants (periods, no double booking, inspections).
"""

from __future__ import annotations

import io
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from fleet.licences import required_category
from fleet.models import (
    CHECKLISTS,
    DRIVER_KINDS,
    FITTING_KINDS,
    MAINTENANCE_KINDS,
    MINIBUS_CHARTER_VERSION,
    SITE_KINDS,
    UNBOOKABLE_STATUSES,
    VEHICLE_KINDS,
    VEHICLE_STATUS_LABELS,
    VEHICLE_STATUSES,
    CarpoolRide,
    Inspection,
    MaintenanceJob,
    MinibusBooking,
    MinibusRun,
    MinibusStop,
    Photo,
    Rental,
    SeatBooking,
    Site,
    Vehicle,
)
from mobility.core.columns import utcnow
from mobility.core.dates import PARIS, local_today
from mobility.core.db import db, write_transaction
from mobility.core.errors import Conflict, NotFound, ValidationFailed

#: how far ahead the "first date a vehicle frees up" looks
FREE_DATE_HORIZON_DAYS = 365
#: longest rental one booking may cover
MAX_RENTAL_DAYS = 366
ALLOWED_IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
                         "WEBP": ("webp", "image/webp")}
MAX_IMAGE_PIXELS = 40_000_000

#: set by the web layer to `mobility.audit.services.record_audit`
audit_hook: Callable[..., Any] | None = None




def _audit(actor, action: str, obj, fields: Iterable[str] | None = None) -> None:
    if audit_hook is not None and actor is not None:
        audit_hook(actor, action, object_type=type(obj).__name__, object_id=obj.id,
                   platform_id=obj.platform_id, fields=fields)


def _get(model, object_id: int | None, platform_id: int, field: str, message):
    obj = db.session.get(model, object_id) if object_id is not None else None
    if obj is None or obj.platform_id != platform_id:
        raise ValidationFailed(details={field: message})
    return obj


def _beneficiary_on_platform(beneficiary_id: int | None, platform_id: int,
                             field: str = "beneficiary_id") -> int:
    table = db.metadata.tables["beneficiaries"]
    row = None
    if beneficiary_id is not None:
        row = db.session.execute(
            select(table.c.id).where(table.c.id == beneficiary_id,
                                     table.c.platform_id == platform_id)
        ).first()
    if row is None:
        raise ValidationFailed(details={field: _l("This beneficiary does not exist.")})
    return row.id


def _is_exclusion_violation(error: IntegrityError) -> bool:
    orig = error.orig
    return getattr(orig, "sqlstate", None) == "23P01" or "ex_fleet_rentals_no_overlap" in str(orig)


def _check_fields(fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed(details={name: _l("This field is not expected.")
                                        for name in sorted(unknown)})


# --- sites and vehicles -----------------------------------------------------------------------

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
    _check_fields(fields, SITE_FIELDS)
    fields.setdefault("kind", "pole")
    fields.setdefault("name", "")
    fields.setdefault("address", "")
    _validate_site(fields)
    site = Site(platform_id=actor.platform_id, **fields)
    db.session.add(site)
    db.session.flush()
    _audit(actor, "create", site, fields)
    db.session.commit()
    return site


def update_site(actor, site: Site, **fields) -> Site:
    """Change a site's fields."""
    _check_fields(fields, SITE_FIELDS)
    _validate_site(fields)
    for name, value in fields.items():
        setattr(site, name, value)
    _audit(actor, "update", site, fields)
    db.session.commit()
    return site


def _validate_vehicle(fields: dict, platform_id: int) -> None:
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
    if "site_id" in fields:
        site = db.session.get(Site, fields["site_id"]) if fields["site_id"] else None
        if site is None or site.platform_id != platform_id:
            errors["site_id"] = _l("This site does not exist.")
    engine_cc = fields.get("engine_cc")
    if engine_cc is not None and not 1 <= engine_cc <= 2000:
        errors["engine_cc"] = _l("Give the engine size in cm³ (1 to 2,000).")
    if errors:
        raise ValidationFailed(details=errors)


def create_vehicle(actor, **fields) -> Vehicle:
    """Add a vehicle to the fleet."""
    _check_fields(fields, VEHICLE_FIELDS)
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
    _audit(actor, "create", vehicle, fields)
    db.session.commit()
    return vehicle


def update_vehicle(actor, vehicle: Vehicle, **fields) -> Vehicle:
    """Change a vehicle's fields (immobilising goes through `immobilise_vehicle`)."""
    _check_fields(fields, VEHICLE_FIELDS)
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
    _audit(actor, "update", vehicle, fields)
    db.session.commit()
    return vehicle


def vehicle_of_platform(vehicle_id: int | None, platform_id: int) -> Vehicle:
    """A vehicle of the platform, or a 400 on the `vehicle_id` field."""
    return _get(Vehicle, vehicle_id, platform_id, "vehicle_id", _l("This vehicle does not exist."))


# --- availability -----------------------------------------------------------------------------

def _validate_period(start: date | None, end: date | None, *, new: bool = False) -> None:
    errors = {}
    if start is None:
        errors["start"] = _l("This field is required.")
    if end is None:
        errors["end"] = _l("This field is required.")
    if errors:
        raise ValidationFailed(details=errors)
    if end <= start:
        raise ValidationFailed(details={"end": _l("The end date must be after the start date.")})
    if (end - start).days > MAX_RENTAL_DAYS:
        raise ValidationFailed(details={"end": _l("A rental lasts at most one year.")})
    if new and start < local_today():
        raise ValidationFailed(details={"start": _l("The period cannot start in the past.")})


def validate_new_period(start: date | None, end: date | None) -> None:
    """A booking's period: both dates, in order, at most a year, not starting in the past."""
    _validate_period(start, end, new=True)


def overlapping(start: date, end: date):
    """SQL condition: a rental that holds its vehicle during part of `[start, end)`."""
    return and_(Rental.status != "cancelled", Rental.start_date < end, Rental.end_date > start)


def _overdue_out():
    """SQL condition: a vehicle still out after its planned return (not offered until back)."""
    return and_(Rental.status == "in_progress", Rental.end_date < local_today())


def free_vehicles(platform_id: int, *, start: date, end: date, kind: str | None = None,
                  site_id: int | None = None, exclude_site_id: int | None = None,
                  kinds: Iterable[str] | None = None, limit: int | None = None) -> list[Vehicle]:
    """Vehicles free for the whole period `[start, end)`, bookable, by site then plate."""
    busy = select(Rental.id).where(Rental.vehicle_id == Vehicle.id, overlapping(start, end))
    still_out = select(Rental.id).where(Rental.vehicle_id == Vehicle.id, _overdue_out())
    query = select(Vehicle).where(
        Vehicle.platform_id == platform_id, Vehicle.status.not_in(UNBOOKABLE_STATUSES),
        ~busy.exists(), ~still_out.exists(),
    ).options(joinedload(Vehicle.site)).order_by(Vehicle.site_id, Vehicle.plate)
    if kind:
        query = query.where(Vehicle.kind == kind)
    if kinds is not None:
        query = query.where(Vehicle.kind.in_(list(kinds)))
    if site_id:
        query = query.where(Vehicle.site_id == site_id)
    if exclude_site_id:
        query = query.where(Vehicle.site_id != exclude_site_id)
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def first_free_dates(vehicles: list[Vehicle], start: date, days: int) -> list[tuple[Vehicle, date]]:
    """For each vehicle, the first date from `start` it is free for `days` days, earliest first."""
    if not vehicles:
        return []
    horizon = start + timedelta(days=FREE_DATE_HORIZON_DAYS)
    rows = db.session.execute(
        select(Rental.vehicle_id, Rental.start_date, Rental.end_date).where(
            Rental.vehicle_id.in_([v.id for v in vehicles]), overlapping(start, horizon)
        ).order_by(Rental.vehicle_id, Rental.start_date)
    ).all()
    by_vehicle: dict[int, list[tuple[date, date]]] = {}
    for vehicle_id, rental_start, rental_end in rows:
        by_vehicle.setdefault(vehicle_id, []).append((rental_start, rental_end))
    out = []
    for vehicle in vehicles:
        candidate = start
        for rental_start, rental_end in by_vehicle.get(vehicle.id, []):
            if rental_start >= candidate + timedelta(days=days):
                break
            candidate = max(candidate, rental_end)
        if candidate < horizon:
            out.append((vehicle, candidate))
    out.sort(key=lambda pair: (pair[1], pair[0].plate))
    return out


def search_availability(platform_id: int, *, start: date, end: date, kind: str | None = None,
                        site_id: int | None = None, alternatives_limit: int = 5) -> dict:
    """What is free for `[start, end)`; when nothing is, the nearest alternatives.

    Returns `{"vehicles": [...], "alternatives": {"other_sites": [...], "other_kinds": [...],
    "later": [(vehicle, first_free_date), ...]}}` (alternatives empty when vehicles are free).
    """
    _validate_period(start, end)
    if kind is not None and kind not in VEHICLE_KINDS:
        raise ValidationFailed(
            details={"kind": _l("This value is not one of the allowed choices.")})
    vehicles = free_vehicles(platform_id, start=start, end=end, kind=kind, site_id=site_id)
    alternatives: dict[str, list] = {"other_sites": [], "other_kinds": [], "later": []}
    if not vehicles:
        if site_id:
            alternatives["other_sites"] = free_vehicles(
                platform_id, start=start, end=end, kind=kind, exclude_site_id=site_id,
                limit=alternatives_limit)
        if kind:
            alternatives["other_kinds"] = free_vehicles(
                platform_id, start=start, end=end, kinds=FITTING_KINDS.get(kind, ()),
                site_id=site_id, limit=alternatives_limit)
        query = select(Vehicle).where(
            Vehicle.platform_id == platform_id, Vehicle.status.not_in(UNBOOKABLE_STATUSES))
        if kind:
            query = query.where(Vehicle.kind == kind)
        if site_id:
            query = query.where(Vehicle.site_id == site_id)
        candidates = list(db.session.scalars(query.options(joinedload(Vehicle.site))))
        alternatives["later"] = first_free_dates(
            candidates, start, (end - start).days)[:alternatives_limit]
    return {"vehicles": vehicles, "alternatives": alternatives}


# --- rentals ----------------------------------------------------------------------------------

def conflicts_for(vehicle_id: int, start: date, end: date,
                  exclude_rental_id: int | None = None) -> list[Rental]:
    """Rentals of the vehicle that overlap `[start, end)`."""
    query = select(Rental).where(Rental.vehicle_id == vehicle_id, overlapping(start, end))
    if exclude_rental_id is not None:
        query = query.where(Rental.id != exclude_rental_id)
    return list(db.session.scalars(query.order_by(Rental.start_date)))


def conflict_details(rentals: list[Rental]) -> dict:
    return {"conflicts": [
        {"rental_id": r.id, "vehicle_id": r.vehicle_id, "start": r.start_date.isoformat(),
         "end": r.end_date.isoformat(), "status": r.status} for r in rentals
    ]}


def _double_booking(vehicle_id: int, start: date, end: date, exclude: int | None) -> Conflict:
    db.session.rollback()
    found = conflicts_for(vehicle_id, start, end, exclude)
    db.session.rollback()
    return Conflict(_l("This vehicle is already booked for part of this period."),
                    code="double_booking", details=conflict_details(found))


def guard_period(vehicle_id: int, start: date, end: date, exclude: int | None = None) -> None:
    """409 `double_booking` when another rental holds the vehicle during `[start, end)`."""
    found = conflicts_for(vehicle_id, start, end, exclude)
    if found:
        raise Conflict(_l("This vehicle is already booked for part of this period."),
                       code="double_booking", details=conflict_details(found))


def book_rental(actor, *, beneficiary_id: int, vehicle_id: int, start: date, end: date,
                notes: str | None = None,
                in_transaction: Callable[[Rental], None] | None = None) -> Rental:
    """Store a booking of a vehicle for `[start, end)`; 409 when it overlaps a rental.
    `in_transaction(rental)` adds what belongs with it (price terms...) in the same
    transaction. The person's and the scheme's rules are `mobility.rentals.lifecycle.book`'s.

    SQLite: the check and the insert run under the write lock (BEGIN IMMEDIATE). PostgreSQL:
    the exclusion constraint refuses the loser of a race, mapped to the same 409.
    """
    platform_id = actor.platform_id
    _validate_period(start, end, new=True)
    vehicle = _get(Vehicle, vehicle_id, platform_id, "vehicle_id",
                   _l("This vehicle does not exist."))
    _beneficiary_on_platform(beneficiary_id, platform_id)
    if not vehicle.is_bookable:
        raise Conflict(_l("This vehicle cannot be booked: it is %(status)s.",
                          status=VEHICLE_STATUS_LABELS[vehicle.status]),
                       code="vehicle_unavailable", details={"status": vehicle.status})
    try:
        with write_transaction():
            guard_period(vehicle_id, start, end)
            rental = Rental(platform_id=platform_id, vehicle_id=vehicle_id,
                            beneficiary_id=beneficiary_id, start_date=start, end_date=end,
                            advisor_id=getattr(actor, "id", None), notes=notes, status="booked")
            db.session.add(rental)
            db.session.flush()
            if in_transaction is not None:
                in_transaction(rental)
                db.session.flush()
            _audit(actor, "create", rental,
                   ["beneficiary_id", "vehicle_id", "start_date", "end_date"])
    except IntegrityError as error:
        if _is_exclusion_violation(error):
            raise _double_booking(vehicle_id, start, end, None) from None
        raise
    return rental


def change_end_date(actor, rental: Rental, new_end: date) -> Rental:
    """Extend or shorten an open rental's planned return date."""
    if not rental.is_open:
        raise Conflict(_l("This rental is closed: it cannot change."), code="rental_closed")
    if new_end is None:
        raise ValidationFailed(details={"end": _l("This field is required.")})
    if new_end <= rental.start_date:
        raise ValidationFailed(details={"end": _l("The end date must be after the start date.")})
    if (new_end - rental.start_date).days > MAX_RENTAL_DAYS:
        raise ValidationFailed(details={"end": _l("A rental lasts at most one year.")})
    if rental.status == "in_progress" and new_end < local_today():
        raise ValidationFailed(details={
            "end": _l("The return date cannot be in the past: record the return instead.")})
    if new_end == rental.end_date:
        return rental
    rental_id, vehicle_id, start = rental.id, rental.vehicle_id, rental.start_date
    try:
        with write_transaction():
            rental = db.session.get(Rental, rental_id)
            if new_end > rental.end_date:
                guard_period(vehicle_id, rental.end_date, new_end, rental_id)
            rental.end_date = new_end
            db.session.flush()
            _audit(actor, "update", rental, ["end_date"])
    except IntegrityError as error:
        if _is_exclusion_violation(error):
            raise _double_booking(vehicle_id, start, new_end, rental_id) from None
        raise
    return rental


def extend_rental(actor, rental: Rental, new_end: date) -> Rental:
    """Push the planned return date later (409 when the vehicle is booked after)."""
    if new_end is not None and new_end <= rental.end_date:
        raise ValidationFailed(details={
            "end": _l("To extend, choose a date after the planned return date.")})
    return change_end_date(actor, rental, new_end)


def shorten_rental(actor, rental: Rental, new_end: date) -> Rental:
    """Bring the planned return date forward."""
    if new_end is not None and new_end >= rental.end_date:
        raise ValidationFailed(details={
            "end": _l("To shorten, choose a date before the planned return date.")})
    return change_end_date(actor, rental, new_end)


def cancel_rental(actor, rental: Rental) -> Rental:
    """Cancel a booking not yet handed over; its period is free again."""
    if rental.status != "booked":
        raise Conflict(_l("Only a booking not yet handed over can be cancelled."),
                       code="rental_not_cancellable")
    rental.status = "cancelled"
    rental.cancelled_at = utcnow()
    _audit(actor, "update", rental, ["status"])
    db.session.commit()
    return rental


def set_mileage_allowance(rental: Rental, km: float | None) -> Rental:
    """Record the daily mileage allowance (120 % of the home-work round trip), in km."""
    if km is not None and km < 0:
        raise ValidationFailed(
            details={"daily_mileage_allowance_km": _l("This number is too small.")})
    rental.daily_mileage_allowance_km = None if km is None else round(float(km), 1)
    db.session.commit()
    return rental


def _validate_checklist(kind: str, checklist: dict | None) -> dict:
    items = CHECKLISTS[kind]
    checklist = checklist or {}
    unknown = set(checklist) - set(items)
    if unknown:
        raise ValidationFailed(details={"checklist": _l("Unknown checklist items: %(items)s.",
                                                        items=", ".join(sorted(unknown)))})
    return {item: bool(checklist.get(item, False)) for item in items}


def _inspection(actor, rental: Rental, kind: str, odometer_km: int | None,
                energy_level_pct: int | None, checklist: dict | None,
                damage_notes: str | None, signoff: dict | None = None) -> Inspection:
    vehicle = rental.vehicle
    errors = {}
    # a sign-off begun (a name typed or the box ticked) must be complete; none may come later
    signing = bool(signoff and ((signoff.get("name") or "").strip() or signoff.get("checked")))
    if signing:
        errors.update(check_signoff(rental, name=signoff.get("name"),
                                    checked=bool(signoff.get("checked"))))
    minimum = vehicle.odometer_km
    if kind == "check_in" and rental.inspection("check_out") is not None:
        minimum = max(minimum, rental.inspection("check_out").odometer_km)
    if odometer_km is None:
        errors["odometer_km"] = _l("This field is required.")
    elif odometer_km < minimum:
        errors["odometer_km"] = _l("The odometer cannot go back (last reading: %(km)s km).",
                                   km=minimum)
    if energy_level_pct is not None and not 0 <= energy_level_pct <= 100:
        errors["energy_level_pct"] = _l("A level is between 0 and 100 %.")
    if errors:
        raise ValidationFailed(details=errors)
    inspection = Inspection(
        platform_id=rental.platform_id, rental_id=rental.id, vehicle_id=vehicle.id, kind=kind,
        odometer_km=odometer_km, energy_level_pct=energy_level_pct,
        checklist=_validate_checklist(vehicle.kind, checklist),
        damage_notes=(damage_notes or "").strip() or None, inspector_id=getattr(actor, "id", None),
    )
    if signing:
        _apply_signoff(actor, inspection, signoff["name"])
    db.session.add(inspection)
    vehicle.odometer_km = odometer_km
    if energy_level_pct is not None:
        vehicle.energy_level_pct = energy_level_pct
    return inspection


def check_out(actor, rental: Rental, *, odometer_km: int | None,
              energy_level_pct: int | None = None, checklist: dict | None = None,
              damage_notes: str | None = None, signoff: dict | None = None,
              in_transaction: Callable[[Rental], None] | None = None) -> Inspection:
    """Hand the vehicle over: the check-out inspection, the rental starts.
    `signoff` ({"name", "checked"}) is the beneficiary's sign-off, when given on the spot;
    `in_transaction(rental)` adds what belongs with it in the same transaction."""
    if rental.status != "booked":
        raise Conflict(_l("This rental is not waiting for its check-out."), code="not_booked")
    if local_today() < rental.start_date:
        raise ValidationFailed(details={"start": _l(
            "The rental starts on %(date)s: the vehicle cannot leave before.",
            date=rental.start_date.isoformat())})
    if local_today() >= rental.end_date:
        raise ValidationFailed(details={"end": _l("The rental period is over.")})
    if not rental.vehicle.is_bookable:
        raise Conflict(_l("This vehicle cannot be booked: it is %(status)s.",
                          status=VEHICLE_STATUS_LABELS[rental.vehicle.status]),
                       code="vehicle_unavailable")
    inspection = _inspection(actor, rental, "check_out", odometer_km, energy_level_pct,
                             checklist, damage_notes, signoff)
    rental.status = "in_progress"
    rental.checked_out_at = utcnow()
    rental.vehicle.status = "rented"
    db.session.flush()
    _audit(actor, "update", rental, ["status"])
    if in_transaction is not None:
        in_transaction(rental)
    db.session.commit()
    return inspection


def check_in(actor, rental: Rental, *, odometer_km: int | None,
             energy_level_pct: int | None = None, checklist: dict | None = None,
             damage_notes: str | None = None,
             open_maintenance: bool = False, immobilise: bool = False,
             signoff: dict | None = None,
             in_transaction: Callable[[Rental], None] | None = None
             ) -> tuple[Inspection, MaintenanceJob | None]:
    """Take the vehicle back: the check-in inspection; an early return frees the rest.

    With `open_maintenance` (new damage), a repair job is opened; with `immobilise` the
    vehicle waits in maintenance instead of going back to available.
    """
    if rental.status != "in_progress":
        raise Conflict(_l("This rental is not in progress."), code="not_in_progress")
    inspection = _inspection(actor, rental, "check_in", odometer_km, energy_level_pct,
                             checklist, damage_notes, signoff)
    day = local_today()
    rental.status = "returned"
    rental.returned_at = utcnow()
    rental.returned_on = day
    if day < rental.end_date:
        rental.end_date = max(day, rental.start_date + timedelta(days=1))
    # days kept after the planned return are charged (mobility.pricing: late_days)
    rental.late_days = max(0, (day - rental.end_date).days)
    job = None
    if open_maintenance or immobilise:
        db.session.flush()
        job = MaintenanceJob(
            platform_id=rental.platform_id, vehicle_id=rental.vehicle_id, kind="repair",
            description=inspection.damage_notes or "",
            due_on=day, inspection_id=inspection.id, status="open")
        db.session.add(job)
    rental.vehicle.status = "maintenance" if immobilise else "available"
    db.session.flush()
    _audit(actor, "update", rental, ["status", "end_date"])
    if in_transaction is not None:
        in_transaction(rental)
    db.session.commit()
    return inspection, job


def normalise_name(name: str | None) -> str:
    """A person's name for comparison: accents, case, hyphens and extra spaces ignored (one
    home: the contract's signature and the condition report's sign-off)."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.replace("-", " ").casefold().split())


def check_signoff(rental: Rental, *, name: str | None, checked: bool) -> dict:
    """The refusals of a beneficiary's sign-off of a condition report (empty when valid): the
    box ticked and the beneficiary's own first and last name typed."""
    errors = {}
    if not checked:
        errors["signoff_checked"] = _l("The beneficiary must tick that they checked the "
                                       "condition report.")
    if normalise_name(name) != normalise_name(rental.beneficiary.full_name):
        errors["signoff_name"] = _l("The beneficiary types their first and last name, as on "
                                    "the file.")
    return errors


def _apply_signoff(actor, inspection: Inspection, name: str) -> None:
    inspection.signoff_name = " ".join(name.split())[:200]
    inspection.signoff_checked = True
    inspection.signoff_witness_id = getattr(actor, "id", None)
    inspection.signoff_at = utcnow()


def sign_off(actor, inspection: Inspection, *, name: str | None, checked: bool) -> Inspection:
    """The beneficiary signs the condition report off on screen after the inspection (typed
    name, ticked box), witnessed by `actor`. Signed once: a second time is a 409."""
    if inspection.is_signed_off:
        raise Conflict(_l("This condition report is already signed off."),
                       code="already_signed_off")
    errors = check_signoff(inspection.rental, name=name, checked=checked)
    if errors:
        raise ValidationFailed(details=errors)
    _apply_signoff(actor, inspection, name or "")
    _audit(actor, "update", inspection, ["signoff_name", "signoff_checked",
                                         "signoff_witness_id", "signoff_at"])
    db.session.commit()
    return inspection


def inspection_differences(rental: Rental) -> list[dict]:
    """What changed between check-out and check-in: odometer, level, checklist, damage."""
    out_, in_ = rental.inspection("check_out"), rental.inspection("check_in")
    if out_ is None or in_ is None:
        return []
    diffs = [{"field": "odometer_km", "check_out": out_.odometer_km, "check_in": in_.odometer_km,
              "delta": in_.odometer_km - out_.odometer_km}]
    if out_.energy_level_pct is not None or in_.energy_level_pct is not None:
        diffs.append({"field": "energy_level_pct", "check_out": out_.energy_level_pct,
                      "check_in": in_.energy_level_pct,
                      "delta": (in_.energy_level_pct or 0) - (out_.energy_level_pct or 0)})
    for item in sorted(set(out_.checklist) | set(in_.checklist)):
        before, after = out_.checklist.get(item), in_.checklist.get(item)
        if before != after:
            diffs.append({"field": f"checklist.{item}", "check_out": before, "check_in": after})
    if (in_.damage_notes or "") != (out_.damage_notes or ""):
        diffs.append({"field": "damage_notes", "check_out": out_.damage_notes,
                      "check_in": in_.damage_notes})
    return diffs


def schedule_return(actor, rental: Rental, *, site_id: int, slot_at: datetime) -> Rental:
    """Fix the time and site where the vehicle comes back."""
    if not rental.is_open:
        raise Conflict(_l("This rental is closed: it cannot change."), code="rental_closed")
    site = _get(Site, site_id, rental.platform_id, "site_id", _l("This site does not exist."))
    if slot_at is None:
        raise ValidationFailed(details={"slot_at": _l("This field is required.")})
    if slot_at.tzinfo is None:
        slot_at = slot_at.replace(tzinfo=PARIS)
    if slot_at.astimezone(UTC) < utcnow() - timedelta(minutes=5):
        raise ValidationFailed(details={"slot_at": _l("The slot cannot be in the past.")})
    rental.return_site_id = site.id
    rental.return_slot_at = slot_at.astimezone(UTC)
    _audit(actor, "update", rental, ["return_site_id", "return_slot_at"])
    db.session.commit()
    return rental


#: the returns board's buckets, in the board's order
RETURN_BUCKETS = ("overdue", "today", "week")
#: "this week" on the returns board: due back within the next 6 days
RETURN_WEEK_DAYS = 6


def return_bucket(rental: Rental, day: date) -> str:
    """Which bucket of the returns board a vehicle out falls in on `day`."""
    if rental.end_date < day:
        return "overdue"
    return "today" if rental.end_date == day else "week"


def returns_query(platform_id: int, day: date, buckets: Iterable[str] = RETURN_BUCKETS):
    """The select of vehicles out in `buckets` (overdue, due back today, within 6 days), in
    the board's order once sorted by (end_date, id); the board's rows' relations eager-loaded."""
    buckets = set(buckets)
    ends = []
    if "overdue" in buckets:
        ends.append(Rental.end_date < day)
    if "today" in buckets:
        ends.append(Rental.end_date == day)
    if "week" in buckets:
        ends.append(and_(Rental.end_date > day,
                         Rental.end_date <= day + timedelta(days=RETURN_WEEK_DAYS)))
    return (select(Rental).where(Rental.platform_id == platform_id,
                                 Rental.status == "in_progress", or_(*ends) if ends else False)
            .options(joinedload(Rental.vehicle).joinedload(Vehicle.site),
                     joinedload(Rental.beneficiary), joinedload(Rental.advisor),
                     joinedload(Rental.return_site),
                     # the API's rows show each rental's inspections and their photos
                     selectinload(Rental.inspections).selectinload(Inspection.photos))
            .order_by(Rental.end_date, Rental.id))


def returns_counts(platform_id: int, day: date | None = None) -> dict[str, int]:
    """How many vehicles are in each bucket of the returns board, in one query."""
    day = day or local_today()
    bucket = case((Rental.end_date < day, "overdue"), (Rental.end_date == day, "today"),
                  else_="week")
    rows = db.session.execute(
        select(bucket, func.count()).where(
            Rental.platform_id == platform_id, Rental.status == "in_progress",
            Rental.end_date <= day + timedelta(days=RETURN_WEEK_DAYS)).group_by(bucket)).all()
    counts = dict.fromkeys(RETURN_BUCKETS, 0)
    counts.update({name: n for name, n in rows})
    return counts


def returns_board(platform_id: int, day: date | None = None) -> dict[str, list[Rental]]:
    """Vehicles out: overdue, due back today, due back within the next 6 days (every row:
    for the scheduler's reminders; pages show them a page at a time)."""
    day = day or local_today()
    board: dict[str, list[Rental]] = {name: [] for name in RETURN_BUCKETS}
    for rental in db.session.scalars(returns_query(platform_id, day)):
        board[return_bucket(rental, day)].append(rental)
    return board


# --- maintenance and immobilisation -------------------------------------------------------------

def create_maintenance_job(actor, vehicle: Vehicle, *, kind: str, description: str = "",
                           due_on: date | None = None, due_odometer_km: int | None = None,
                           cost_cents: int | None = None) -> MaintenanceJob:
    """Plan a service, repair or technical inspection, due by date and/or by odometer."""
    errors = {}
    if kind not in MAINTENANCE_KINDS:
        errors["kind"] = _l("This value is not one of the allowed choices.")
    if due_on is None and due_odometer_km is None:
        errors["due_on"] = _l("Give a due date or a due odometer reading.")
    if due_odometer_km is not None and due_odometer_km < 0:
        errors["due_odometer_km"] = _l("The odometer cannot be negative.")
    if cost_cents is not None and cost_cents < 0:
        errors["cost_cents"] = _l("The cost cannot be negative.")
    if errors:
        raise ValidationFailed(details=errors)
    job = MaintenanceJob(platform_id=vehicle.platform_id, vehicle_id=vehicle.id, kind=kind,
                         description=(description or "").strip(), due_on=due_on,
                         due_odometer_km=due_odometer_km, cost_cents=cost_cents)
    db.session.add(job)
    db.session.flush()
    _audit(actor, "create", job, ["kind", "due_on", "due_odometer_km"])
    db.session.commit()
    return job


def complete_maintenance_job(actor, job: MaintenanceJob, *, cost_cents: int | None = None,
                             done_on: date | None = None,
                             next_technical_inspection_on: date | None = None) -> MaintenanceJob:
    """Close a job; the vehicle is available again when nothing else keeps it."""
    if job.status != "open":
        raise Conflict(_l("This job is already closed."), code="job_closed")
    if cost_cents is not None and cost_cents < 0:
        raise ValidationFailed(details={"cost_cents": _l("The cost cannot be negative.")})
    job.status = "done"
    job.done_on = done_on or local_today()
    if cost_cents is not None:
        job.cost_cents = cost_cents
    vehicle = job.vehicle
    if job.kind == "technical_inspection" and next_technical_inspection_on:
        vehicle.technical_inspection_expires_on = next_technical_inspection_on
    others_open = db.session.scalar(select(func.count()).select_from(MaintenanceJob).where(
        MaintenanceJob.vehicle_id == vehicle.id, MaintenanceJob.status == "open",
        MaintenanceJob.id != job.id, MaintenanceJob.due_on <= job.done_on))
    if vehicle.status in ("maintenance", "immobilised") and not others_open:
        out = db.session.scalar(select(func.count()).select_from(Rental).where(
            Rental.vehicle_id == vehicle.id, Rental.status == "in_progress"))
        vehicle.status = "rented" if out else "available"
    _audit(actor, "update", job, ["status", "cost_cents"])
    db.session.commit()
    return job


def maintenance_due(platform_id: int, day: date | None = None, within_days: int = 14
                    ) -> list[MaintenanceJob]:
    """Open jobs due by date within `within_days`, or by odometer (within 500 km)."""
    day = day or local_today()
    return list(db.session.scalars(
        select(MaintenanceJob).join(Vehicle, Vehicle.id == MaintenanceJob.vehicle_id).where(
            MaintenanceJob.platform_id == platform_id, MaintenanceJob.status == "open",
            or_(MaintenanceJob.due_on <= day + timedelta(days=within_days),
                Vehicle.odometer_km >= MaintenanceJob.due_odometer_km - 500),
        ).options(joinedload(MaintenanceJob.vehicle).joinedload(Vehicle.site))
        .order_by(MaintenanceJob.due_on.is_(None), MaintenanceJob.due_on, MaintenanceJob.id)
    ))


def replacement_options(rental: Rental, limit: int = 5) -> list[Vehicle]:
    """Vehicles that could take over a rental: same kind at the same site, same kind
    elsewhere, then a fitting kind; free for the rest of the rental."""
    start = max(rental.start_date, local_today())
    end = rental.end_date
    if end <= start:
        return []
    vehicle = rental.vehicle
    out: list[Vehicle] = []
    for kwargs in (
        {"kind": vehicle.kind, "site_id": vehicle.site_id},
        {"kind": vehicle.kind, "exclude_site_id": vehicle.site_id},
        {"kinds": FITTING_KINDS.get(vehicle.kind, ())},
    ):
        for candidate in free_vehicles(rental.platform_id, start=start, end=end, limit=limit,
                                       **kwargs):
            if candidate.id != vehicle.id and candidate not in out:
                out.append(candidate)
        if len(out) >= limit:
            break
    return out[:limit]


def immobilisation_impact(vehicle: Vehicle) -> list[dict]:
    """The open rentals an immobilisation breaks, each with replacement vehicles."""
    rentals = db.session.scalars(
        select(Rental).where(Rental.vehicle_id == vehicle.id,
                             Rental.status.in_(("booked", "in_progress")),
                             Rental.end_date > local_today())
        .options(joinedload(Rental.beneficiary), joinedload(Rental.advisor))
        .order_by(Rental.start_date)
    ).all()
    return [{"rental": r, "replacements": replacement_options(r)} for r in rentals]


def immobilise_vehicle(actor, vehicle: Vehicle, *, reason: str = "") -> list[dict]:
    """Take a vehicle off the road; returns the broken rentals with replacement offers."""
    if vehicle.status == "retired":
        raise Conflict(_l("This vehicle is retired."), code="vehicle_retired")
    vehicle.status = "immobilised"
    if reason.strip():
        vehicle.notes = ((vehicle.notes or "") + "\n" + reason.strip()).strip()
    _audit(actor, "update", vehicle, ["status"])
    db.session.commit()
    return immobilisation_impact(vehicle)


def replace_vehicle(actor, rental: Rental, new_vehicle_id: int,
                    in_transaction: Callable[[Rental, Rental | None], None] | None = None
                    ) -> Rental:
    """Move a rental to another vehicle. A rental in progress is closed today and a new rental
    starts today on the replacement, so the beneficiary keeps a vehicle; returns the rental
    now holding the replacement. `in_transaction(rental, replaced_or_None)` adds its new
    terms in the same transaction (`mobility.rentals.lifecycle.replace` checks the rules)."""
    if not rental.is_open:
        raise Conflict(_l("This rental is closed: it cannot change."), code="rental_closed")
    new_vehicle = _get(Vehicle, new_vehicle_id, rental.platform_id, "vehicle_id",
                       _l("This vehicle does not exist."))
    if new_vehicle.id == rental.vehicle_id:
        raise ValidationFailed(details={"vehicle_id": _l("Choose another vehicle.")})
    if not new_vehicle.is_bookable:
        raise Conflict(_l("This vehicle cannot be booked: it is %(status)s.",
                          status=VEHICLE_STATUS_LABELS[new_vehicle.status]),
                       code="vehicle_unavailable")
    day = local_today()
    rental_id = rental.id
    start = max(rental.start_date, day) if rental.status == "in_progress" else rental.start_date
    end = rental.end_date
    try:
        with write_transaction():
            rental = db.session.get(Rental, rental_id)
            guard_period(new_vehicle.id, start, end, rental_id)
            if rental.status == "booked":
                rental.vehicle_id = new_vehicle.id
                db.session.flush()
                db.session.refresh(rental, ["vehicle"])
                result = rental
                if in_transaction is not None:
                    in_transaction(rental, None)
                _audit(actor, "update", rental, ["vehicle_id"])
            else:
                rental.status = "returned"
                rental.returned_at = utcnow()
                rental.returned_on = day
                rental.end_date = max(day, rental.start_date + timedelta(days=1))
                if rental.vehicle.status == "rented":  # not immobilised first: back at base
                    rental.vehicle.status = "available"
                db.session.flush()
                # the replacement can leave today, even on the first day of the rental
                result = Rental(platform_id=rental.platform_id, vehicle_id=new_vehicle.id,
                                beneficiary_id=rental.beneficiary_id,
                                advisor_id=rental.advisor_id, replaces_rental_id=rental.id,
                                start_date=day, end_date=end, status="booked",
                                notes=None)
                if result.end_date <= result.start_date:
                    raise ValidationFailed(details={"end": _l("The rental period is over.")})
                db.session.add(result)
                db.session.flush()
                if in_transaction is not None:
                    in_transaction(result, rental)
                _audit(actor, "update", rental, ["status", "end_date"])
                _audit(actor, "create", result, ["beneficiary_id", "vehicle_id", "start_date",
                                                 "end_date"])
    except IntegrityError as error:
        if _is_exclusion_violation(error):
            raise _double_booking(new_vehicle.id, start, end, rental_id) from None
        raise
    return result


# --- photos -----------------------------------------------------------------------------------

def without_metadata(data: bytes, image_format: str) -> bytes:
    """The picture re-encoded from its pixels only: EXIF (GPS position, camera, date), XMP
    and comments are dropped; the EXIF orientation is applied first so it still shows upright.
    """
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image)
        pixels = Image.frombytes(upright.mode, upright.size, upright.tobytes())
        if "transparency" in upright.info and upright.mode in ("P", "L", "RGB"):
            pixels.info["transparency"] = upright.info["transparency"]
        if upright.mode == "P":
            pixels.putpalette(upright.getpalette())
        out = io.BytesIO()
        options = {"quality": 90} if image_format in ("JPEG", "WEBP") else {}
        pixels.save(out, format=image_format, **options)
    return out.getvalue()


@dataclass(frozen=True)
class CleanPicture:
    """An uploaded picture checked from its bytes and re-encoded without its metadata."""

    data: bytes
    extension: str
    content_type: str
    width: int
    height: int


def clean_picture(data: bytes, *, max_bytes: int, field: str = "photo",
                  formats: Iterable[str] = tuple(ALLOWED_IMAGE_FORMATS),
                  refusal: Any = None) -> CleanPicture:
    """Check an uploaded picture's size and real type from its bytes (never its name), then
    strip its metadata (`without_metadata`). The one home for picture uploads: vehicle and
    inspection photos, people's documents. Refusals are 400s on `field`; `refusal` is the
    message for a file of another type."""
    from PIL import Image, UnidentifiedImageError

    refusal = refusal or _l("This file is not a picture (JPEG, PNG or WebP).")
    if not data:
        raise ValidationFailed(details={field: _l("Choose a picture to send.")})
    if len(data) > max_bytes:
        raise ValidationFailed(details={field: _l(
            "The picture is too large (at most %(mb)s MB).", mb=max_bytes // (1024 * 1024))})
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationFailed(details={field: _l("The picture has too many pixels.")})
            image.verify()
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise ValidationFailed(details={field: refusal}) from None
    if image_format not in ALLOWED_IMAGE_FORMATS or image_format not in formats:
        raise ValidationFailed(details={field: refusal})
    extension, content_type = ALLOWED_IMAGE_FORMATS[image_format]
    return CleanPicture(without_metadata(data, image_format), extension, content_type,
                        width, height)


def store_upload(folder: str | Path, data: bytes, extension: str) -> str:
    """Write checked bytes under `folder` with a random server-side name (never the
    uploader's); returns the name."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{extension}"
    (folder / name).write_bytes(data)
    return name


def save_photo(actor, vehicle: Vehicle, data: bytes, *, upload_folder: str | Path,
               max_bytes: int, inspection: Inspection | None = None) -> Photo:
    """Store an uploaded picture after checking its size and its real type from the bytes."""
    picture = clean_picture(data, max_bytes=max_bytes)
    name = store_upload(Path(upload_folder) / "fleet", picture.data, picture.extension)
    photo = Photo(platform_id=vehicle.platform_id, vehicle_id=vehicle.id,
                  inspection_id=inspection.id if inspection else None, stored_name=name,
                  content_type=picture.content_type, size_bytes=len(picture.data),
                  width=picture.width, height=picture.height,
                  uploaded_by_id=getattr(actor, "id", None))
    db.session.add(photo)
    db.session.commit()
    return photo


def photo_path(photo: Photo, upload_folder: str | Path) -> Path:
    """Where a stored picture lives on disk."""
    return Path(upload_folder) / "fleet" / photo.stored_name


# --- carpool ----------------------------------------------------------------------------------

def create_ride(actor, *, driver_kind: str, driver_name: str, origin: str, destination: str,
                departure_time, seats: int, valid_from: date,
                weekdays: Iterable[int] = (0, 1, 2, 3, 4),
                return_time=None, valid_until: date | None = None,
                driver_phone: str | None = None, driver_beneficiary_id: int | None = None,
                notes: str | None = None) -> CarpoolRide:
    """Offer a regular carpool ride."""
    errors = {}
    if driver_kind not in DRIVER_KINDS:
        errors["driver_kind"] = _l("This value is not one of the allowed choices.")
    for name, value in (("driver_name", driver_name), ("origin", origin),
                        ("destination", destination)):
        if not (value or "").strip():
            errors[name] = _l("This field is required.")
    if seats is None or seats < 1 or seats > 8:
        errors["seats"] = _l("Between 1 and 8 seats.")
    days = sorted({int(d) for d in weekdays or ()})
    if not days or any(d < 0 or d > 6 for d in days):
        errors["weekdays"] = _l("Choose at least one day of the week.")
    if valid_until is not None and valid_from is not None and valid_until < valid_from:
        errors["valid_until"] = _l("The end date must be after the start date.")
    if departure_time is None:
        errors["departure_time"] = _l("This field is required.")
    if errors:
        raise ValidationFailed(details=errors)
    if driver_kind == "beneficiary":
        _beneficiary_on_platform(driver_beneficiary_id, actor.platform_id, "driver_beneficiary_id")
    else:
        driver_beneficiary_id = None
    ride = CarpoolRide(
        platform_id=actor.platform_id, driver_kind=driver_kind, driver_name=driver_name.strip(),
        driver_phone=driver_phone, driver_beneficiary_id=driver_beneficiary_id,
        origin=origin.strip(), destination=destination.strip(),
        weekdays=",".join(str(d) for d in days), departure_time=departure_time,
        return_time=return_time, seats=seats, valid_from=valid_from, valid_until=valid_until,
        notes=notes)
    db.session.add(ride)
    db.session.flush()
    _audit(actor, "create", ride, ["driver_kind", "origin", "destination", "seats"])
    db.session.commit()
    return ride


def seats_taken(ride_id: int, day: date) -> int:
    return db.session.scalar(select(func.count()).select_from(SeatBooking).where(
        SeatBooking.ride_id == ride_id, SeatBooking.ride_date == day,
        SeatBooking.status == "booked")) or 0


def _free_seat_number(taken: set[int], capacity: int) -> int | None:
    return next((n for n in range(1, capacity + 1) if n not in taken), None)


def book_seats(actor, ride: CarpoolRide, *, beneficiary_id: int, dates: Iterable[date]
               ) -> list[SeatBooking]:
    """Book one seat per date for a beneficiary, all or nothing; 409 when a date is full.

    The ride row is locked (SELECT ... FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite)
    and a unique seat number per ride and date backs it: seats are never oversold.
    """
    days = sorted(set(dates or ()))
    if not days:
        raise ValidationFailed(details={"dates": _l("Choose at least one date.")})
    if days[0] < local_today():
        raise ValidationFailed(details={"dates": _l("A date is in the past.")})
    not_running = [d.isoformat() for d in days if not ride.runs_on(d)]
    if not_running:
        raise ValidationFailed(details={"dates": _l(
            "The ride does not run on: %(dates)s.", dates=", ".join(not_running))})
    _beneficiary_on_platform(beneficiary_id, ride.platform_id)
    ride_id = ride.id
    bookings: list[SeatBooking] = []
    try:
        with write_transaction():
            ride = db.session.scalars(select(CarpoolRide).where(CarpoolRide.id == ride_id)
                                      .with_for_update().execution_options(
                                          populate_existing=True)).one()
            rows = db.session.execute(select(
                SeatBooking.ride_date, SeatBooking.seat_number, SeatBooking.beneficiary_id
            ).where(SeatBooking.ride_id == ride_id, SeatBooking.ride_date.in_(days),
                    SeatBooking.status == "booked")).all()
            taken: dict[date, set[int]] = {d: set() for d in days}
            already = []
            for ride_date, seat_number, booked_for in rows:
                taken[ride_date].add(seat_number)
                if booked_for == beneficiary_id:
                    already.append(ride_date.isoformat())
            if already:
                raise Conflict(_l("This beneficiary already has a seat on: %(dates)s.",
                                  dates=", ".join(already)), code="seat_already_booked",
                               details={"dates": already})
            full = [d.isoformat() for d in days if len(taken[d]) >= ride.seats]
            if full:
                raise Conflict(_l("This ride is full on: %(dates)s.", dates=", ".join(full)),
                               code="ride_full", details={"full_dates": full,
                                                          "seats": ride.seats})
            for day in days:
                booking = SeatBooking(
                    platform_id=ride.platform_id, ride_id=ride_id, beneficiary_id=beneficiary_id,
                    ride_date=day, seat_number=_free_seat_number(taken[day], ride.seats),
                    booked_by_id=getattr(actor, "id", None))
                db.session.add(booking)
                bookings.append(booking)
            db.session.flush()
            for booking in bookings:
                _audit(actor, "create", booking, ["beneficiary_id", "ride_date"])
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_l("This ride is full on: %(dates)s.",
                          dates=", ".join(d.isoformat() for d in days)),
                       code="ride_full", details={"full_dates": [d.isoformat() for d in days]}
                       ) from None
    return bookings


def cancel_seat(actor, booking: SeatBooking | MinibusBooking):
    """Free a booked seat."""
    if booking.status != "booked":
        raise Conflict(_l("This seat is already cancelled."), code="seat_cancelled")
    booking.status = "cancelled"
    _audit(actor, "update", booking, ["status"])
    db.session.commit()
    return booking


# --- minibus ----------------------------------------------------------------------------------

def create_run(actor, *, name: str, run_date: date, departure_time, driver_name: str,
               capacity: int, stops: list[dict], vehicle_id: int | None = None,
               notes: str | None = None) -> MinibusRun:
    """Plan a minibus run with its ordered stops (`{"name", "address", "stop_time"}`)."""
    errors = {}
    for field_name, value in (("name", name), ("driver_name", driver_name)):
        if not (value or "").strip():
            errors[field_name] = _l("This field is required.")
    if run_date is None:
        errors["run_date"] = _l("This field is required.")
    elif run_date < local_today():
        errors["run_date"] = _l("The date cannot be in the past.")
    if capacity is None or not 1 <= capacity <= 30:
        errors["capacity"] = _l("Between 1 and 30 seats.")
    if not stops or any(not (s.get("name") or "").strip() for s in stops):
        errors["stops"] = _l("Give at least one stop, each with a name.")
    if departure_time is None:
        errors["departure_time"] = _l("This field is required.")
    if errors:
        raise ValidationFailed(details=errors)
    if vehicle_id is not None:
        _get(Vehicle, vehicle_id, actor.platform_id, "vehicle_id",
             _l("This vehicle does not exist."))
    run = MinibusRun(platform_id=actor.platform_id, name=name.strip(), run_date=run_date,
                     departure_time=departure_time, driver_name=driver_name.strip(),
                     vehicle_id=vehicle_id, capacity=capacity, notes=notes)
    for position, stop in enumerate(stops, start=1):
        run.stops.append(MinibusStop(platform_id=actor.platform_id, position=position,
                                     name=stop["name"].strip(), address=stop.get("address"),
                                     stop_time=stop.get("stop_time")))
    db.session.add(run)
    db.session.flush()
    _audit(actor, "create", run, ["name", "run_date", "capacity"])
    db.session.commit()
    return run


def book_minibus_seat(actor, run: MinibusRun, *, beneficiary_id: int, charter_accepted: bool,
                      stop_id: int | None = None) -> MinibusBooking:
    """Book a seat on a run; the passenger must accept the service charter (recorded)."""
    if not charter_accepted:
        raise ValidationFailed(details={"charter_accepted": _l(
            "The passenger must accept the service charter.")})
    if run.run_date < local_today():
        raise ValidationFailed(details={"run_id": _l("This run is in the past.")})
    _beneficiary_on_platform(beneficiary_id, run.platform_id)
    if stop_id is not None and stop_id not in {s.id for s in run.stops}:
        raise ValidationFailed(details={"stop_id": _l("This stop is not on the run.")})
    run_id = run.id
    try:
        with write_transaction():
            run = db.session.scalars(select(MinibusRun).where(MinibusRun.id == run_id)
                                     .with_for_update().execution_options(
                                         populate_existing=True)).one()
            rows = db.session.execute(select(MinibusBooking.seat_number,
                                             MinibusBooking.beneficiary_id).where(
                MinibusBooking.run_id == run_id, MinibusBooking.status == "booked")).all()
            if any(b == beneficiary_id for _, b in rows):
                raise Conflict(_l("This beneficiary already has a seat on this run."),
                               code="seat_already_booked")
            seat = _free_seat_number({n for n, _ in rows}, run.capacity)
            if seat is None:
                raise Conflict(_l("This run is full."), code="run_full",
                               details={"capacity": run.capacity})
            booking = MinibusBooking(
                platform_id=run.platform_id, run_id=run_id, beneficiary_id=beneficiary_id,
                stop_id=stop_id, seat_number=seat, charter_accepted_at=utcnow(),
                charter_version=MINIBUS_CHARTER_VERSION, booked_by_id=getattr(actor, "id", None))
            db.session.add(booking)
            db.session.flush()
            _audit(actor, "create", booking, ["beneficiary_id", "charter_accepted_at"])
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_l("This run is full."), code="run_full") from None
    return booking


def get_scoped(model, object_id: int, platform_id: int):
    """A record of the platform, or NotFound (used by jobs and the CLI)."""
    obj = db.session.get(model, object_id)
    if obj is None or obj.platform_id != platform_id:
        raise NotFound()
    return obj
