"""Maintenance due by date or odometer, and vehicle documents expiring (to fleet managers)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from fleet.models import MaintenanceJob, Vehicle
from mobility.core.db import db
from mobility.core.translations import lazy_gettext as _l
from mobility.notifications.rendering import absolute_link
from mobility.notifications.settings import setting
from mobility.scheduling.jobs._recipients import StaffCache
from mobility.scheduling.registry import Reminder, reminder_job

DOCUMENTS = {"insurance": "insurance_expires_on",
             "technical_inspection": "technical_inspection_expires_on"}


@reminder_job("maintenance_due", label=_l("Maintenance due"), daily_minute=15)
def maintenance_due(today, now):
    """Open jobs due within REMINDER_MAINTENANCE_DAYS days or REMINDER_MAINTENANCE_KM km."""
    staff = StaffCache()
    horizon = today + timedelta(days=setting("REMINDER_MAINTENANCE_DAYS"))
    margin_km = setting("REMINDER_MAINTENANCE_KM")
    jobs = db.session.scalars(
        select(MaintenanceJob).join(Vehicle, MaintenanceJob.vehicle_id == Vehicle.id)
        .where(MaintenanceJob.status == "open", Vehicle.status != "retired",
               or_(and_(MaintenanceJob.due_on.is_not(None), MaintenanceJob.due_on <= horizon),
                   and_(MaintenanceJob.due_odometer_km.is_not(None),
                        Vehicle.odometer_km >= MaintenanceJob.due_odometer_km - margin_km)))
        .options(joinedload(MaintenanceJob.vehicle)).order_by(MaintenanceJob.id))
    for job in jobs:
        yield Reminder(
            kind="maintenance_due",
            key=f"maintenance:{job.id}:due:{job.due_on or '-'}:{job.due_odometer_km or '-'}",
            recipients=staff.fleet_managers(job.platform_id), platform_id=job.platform_id,
            about=("maintenance_job", job.id),
            context={"vehicle": job.vehicle.display_name, "job_kind": job.kind,
                     "description": job.description or "", "due_on": job.due_on,
                     "due_odometer_km": job.due_odometer_km,
                     "odometer_km": job.vehicle.odometer_km,
                     "link": absolute_link("fleet.maintenance")},
        )


@reminder_job("vehicle_documents", label=_l("Insurance and technical inspection expiring"),
              daily_minute=20)
def vehicle_documents(today, now):
    """Vehicles whose insurance or technical inspection ends within REMINDER_DOCUMENT_DAYS."""
    staff = StaffCache()
    horizon = today + timedelta(days=setting("REMINDER_DOCUMENT_DAYS"))
    vehicles = db.session.scalars(
        select(Vehicle).where(Vehicle.status != "retired", or_(
            *(getattr(Vehicle, column) <= horizon for column in DOCUMENTS.values())))
        .order_by(Vehicle.id))
    for vehicle in vehicles:
        for document, column in DOCUMENTS.items():
            expires_on = getattr(vehicle, column)
            if expires_on is None or expires_on > horizon:
                continue
            yield Reminder(
                kind="vehicle_document_expiring",
                key=f"vehicle:{vehicle.id}:{document}_expiry:{expires_on}",
                recipients=staff.fleet_managers(vehicle.platform_id),
                platform_id=vehicle.platform_id, about=("vehicle", vehicle.id),
                context={"vehicle": vehicle.display_name, "document": document,
                         "expires_on": expires_on,
                         "link": absolute_link("fleet.vehicle", vehicle_id=vehicle.id)},
            )
