"""Maintenance jobs, immobilisation and the replacement of a vehicle in open rentals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from fleet.models import (
    FITTING_KINDS,
    MAINTENANCE_KINDS,
    VEHICLE_STATUS_LABELS,
    MaintenanceJob,
    Rental,
    Vehicle,
)
from fleet.services.common import audit, is_exclusion_violation, of_platform
from fleet.services.rentals import double_booking_conflict, free_vehicles, guard_period
from mobility.core.columns import utcnow
from mobility.core.dates import local_today
from mobility.core.db import db, write_transaction
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.translations import lazy_gettext as _l


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
    audit(actor, "create", job, ["kind", "due_on", "due_odometer_km"])
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
    audit(actor, "update", job, ["status", "cost_cents"])
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
    audit(actor, "update", vehicle, ["status"])
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
    new_vehicle = of_platform(Vehicle, new_vehicle_id, rental.platform_id, "vehicle_id",
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
                audit(actor, "update", rental, ["vehicle_id"])
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
                audit(actor, "update", rental, ["status", "end_date"])
                audit(actor, "create", result, ["beneficiary_id", "vehicle_id", "start_date",
                                                "end_date"])
    except IntegrityError as error:
        if is_exclusion_violation(error):
            raise double_booking_conflict(new_vehicle.id, start, end, rental_id) from None
        raise
    return result
