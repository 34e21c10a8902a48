"""What the fleet API answers: records as JSON."""

from __future__ import annotations

from fleet import services
from fleet.models import (
    CHECKLISTS,
    CarpoolRide,
    Inspection,
    MaintenanceJob,
    MinibusBooking,
    MinibusRun,
    Rental,
    SeatBooking,
    Site,
    Vehicle,
)
from mobility.rentals import lifecycle


def site_json(site: Site) -> dict:
    return {"id": site.id, "name": site.name, "kind": site.kind, "address": site.address,
            "opening_hours": site.opening_hours, "phone": site.phone, "lat": site.lat,
            "lon": site.lon, "active": site.active}


def vehicle_json(vehicle: Vehicle) -> dict:
    return {
        "id": vehicle.id, "kind": vehicle.kind, "site_id": vehicle.site_id,
        "site_name": vehicle.site.name if vehicle.site else None, "plate": vehicle.plate,
        "label": vehicle.label, "odometer_km": vehicle.odometer_km,
        "energy_level_pct": vehicle.energy_level_pct, "status": vehicle.status,
        "insurance_policy": vehicle.insurance_policy,
        "insurance_expires_on": iso(vehicle.insurance_expires_on),
        "technical_inspection_expires_on": iso(vehicle.technical_inspection_expires_on),
        "engine_cc": vehicle.engine_cc, "licence_category": vehicle.licence_category,
        "checklist": list(CHECKLISTS[vehicle.kind]),
        "photos": [p.id for p in vehicle.photos],
    }


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def inspection_json(inspection: Inspection) -> dict:
    return {"id": inspection.id, "kind": inspection.kind, "odometer_km": inspection.odometer_km,
            "energy_level_pct": inspection.energy_level_pct, "checklist": inspection.checklist,
            "damage_notes": inspection.damage_notes,
            "inspected_at": iso(inspection.inspected_at),
            "photos": [p.id for p in inspection.photos],
            "signoff": {"name": inspection.signoff_name,
                        "witness_id": inspection.signoff_witness_id,
                        "at": iso(inspection.signoff_at)} if inspection.is_signed_off else None}


def rental_json(rental: Rental, *, for_beneficiary: bool = False) -> dict:
    out = {
        "id": rental.id, "vehicle_id": rental.vehicle_id, "beneficiary_id": rental.beneficiary_id,
        "vehicle": {"kind": rental.vehicle.kind, "plate": rental.vehicle.plate,
                    "site_id": rental.vehicle.site_id, "site_name": rental.vehicle.site.name},
        "start": rental.start_date.isoformat(), "end": rental.end_date.isoformat(),
        "status": rental.status, "days": rental.days,
        "daily_mileage_allowance_km": rental.daily_mileage_allowance_km,
        "return_site_id": rental.return_site_id, "return_slot_at": iso(rental.return_slot_at),
        "checked_out_at": iso(rental.checked_out_at), "returned_at": iso(rental.returned_at),
        "returned_on": iso(rental.returned_on), "late_days": rental.late_days or 0,
        "replaces_rental_id": rental.replaces_rental_id, "closed_at": iso(rental.closed_at),
    }
    if not for_beneficiary:
        out["advisor_id"] = rental.advisor_id
        out["inspections"] = [inspection_json(i) for i in rental.inspections]
        out["differences"] = services.inspection_differences(rental)
        out["mileage"] = lifecycle.mileage_summary(rental)
        out["late_days_waived_reason"] = rental.late_days_waived_reason
        out["deposit_exemption_reason"] = rental.deposit_exemption_reason
        out["overrides"] = rental.overrides or {}
        out["ready_to_hand_over"] = readiness_json(rental)
    return out


def readiness_json(rental: Rental) -> list[dict] | None:
    """Before the hand-over: each condition, done or with what to do."""
    if rental.status != "booked":
        return None
    return [{"item": item.code, "ok": item.ok, "label": str(item.label),
             "message": str(item.message) if item.message else None}
            for item in lifecycle.handover_readiness(rental)]


def job_json(job: MaintenanceJob) -> dict:
    return {"id": job.id, "vehicle_id": job.vehicle_id, "kind": job.kind,
            "description": job.description, "due_on": iso(job.due_on),
            "due_odometer_km": job.due_odometer_km, "cost_cents": job.cost_cents,
            "status": job.status, "done_on": iso(job.done_on),
            "inspection_id": job.inspection_id}


def ride_json(ride: CarpoolRide) -> dict:
    return {"id": ride.id, "driver_kind": ride.driver_kind, "driver_name": ride.driver_name,
            "origin": ride.origin, "destination": ride.destination,
            "weekdays": ride.weekday_numbers, "departure_time": ride.departure_time.isoformat(),
            "return_time": iso(ride.return_time), "seats": ride.seats,
            "valid_from": ride.valid_from.isoformat(), "valid_until": iso(ride.valid_until)}


def seat_json(booking: SeatBooking) -> dict:
    return {"id": booking.id, "ride_id": booking.ride_id, "beneficiary_id": booking.beneficiary_id,
            "date": booking.ride_date.isoformat(), "seat_number": booking.seat_number,
            "status": booking.status}


def run_json(run: MinibusRun) -> dict:
    return {"id": run.id, "name": run.name, "run_date": run.run_date.isoformat(),
            "departure_time": run.departure_time.isoformat(), "driver_name": run.driver_name,
            "vehicle_id": run.vehicle_id, "capacity": run.capacity,
            "stops": [{"id": s.id, "position": s.position, "name": s.name, "address": s.address,
                       "stop_time": iso(s.stop_time)} for s in run.stops]}


def minibus_seat_json(booking: MinibusBooking) -> dict:
    return {"id": booking.id, "run_id": booking.run_id, "beneficiary_id": booking.beneficiary_id,
            "stop_id": booking.stop_id, "seat_number": booking.seat_number,
            "status": booking.status, "charter_accepted_at": iso(booking.charter_accepted_at),
            "charter_version": booking.charter_version}
