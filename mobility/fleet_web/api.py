"""Fleet API: sites, vehicles, availability, rentals, returns, maintenance, carpool, minibus."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from flask import current_app
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field

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
from mobility.api import api_route
from mobility.auth.policies import get_or_404, scoped
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY, FLEET_MANAGER, STAFF
from mobility.fleet_web import lists
from mobility.pagination import PageOnly, PageQuery, page_response, paginate
from mobility.rentals import lifecycle

FLEET = {ADMIN, FLEET_MANAGER}
BOOKERS = {ADMIN, ADVISOR}
TAGS = ["fleet"]

VehicleKind = Literal["bike", "e_bike", "scooter", "moped", "car"]
VehicleStatus = Literal["available", "maintenance", "immobilised", "retired"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SiteIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(min_length=1, max_length=300)
    kind: Literal["pole", "parking"] = "pole"
    opening_hours: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=32)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)


class VehicleIn(Strict):
    kind: VehicleKind
    site_id: int
    plate: str = Field(min_length=1, max_length=40, description="Number plate or frame number")
    label: str | None = Field(default=None, max_length=120)
    odometer_km: int = Field(default=0, ge=0)
    energy_level_pct: int | None = Field(default=None, ge=0, le=100)
    status: VehicleStatus = "available"
    insurance_policy: str | None = Field(default=None, max_length=80)
    insurance_expires_on: date | None = None
    technical_inspection_expires_on: date | None = None
    engine_cc: int | None = Field(default=None, ge=1, le=2000, description="Two-wheelers: "
                                  "engine size; over 50 cm³ needs an A1 licence, over 125 A2")
    notes: str | None = Field(default=None, max_length=4000)


class VehiclePatch(Strict):
    site_id: int | None = None
    plate: str | None = Field(default=None, min_length=1, max_length=40)
    label: str | None = Field(default=None, max_length=120)
    odometer_km: int | None = Field(default=None, ge=0)
    energy_level_pct: int | None = Field(default=None, ge=0, le=100)
    status: VehicleStatus | None = None
    insurance_policy: str | None = Field(default=None, max_length=80)
    insurance_expires_on: date | None = None
    technical_inspection_expires_on: date | None = None
    engine_cc: int | None = Field(default=None, ge=1, le=2000)
    notes: str | None = Field(default=None, max_length=4000)


class VehicleQuery(Strict, PageQuery):
    q: str | None = Field(default=None, max_length=100, description="Part of a plate or label")
    kind: VehicleKind | None = None
    site_id: int | None = None
    status: Literal["available", "rented", "maintenance", "immobilised", "retired"] | None = None


class AvailabilityQuery(Strict):
    start: date
    end: date = Field(description="Planned return date (exclusive)")
    kind: VehicleKind | None = None
    site_id: int | None = None


class RentalIn(Strict):
    beneficiary_id: int
    vehicle_id: int
    start: date
    end: date = Field(description="Planned return date: the vehicle is free again that day")
    scheme: Literal["bougez", "amie"] = Field(default="bougez", description="Daily rate "
                                              "(Bougez) or the progressive car plan (AMIE)")
    no_assessment_reason: str | None = Field(
        default=None, max_length=2000, description="Why the booking cannot wait for the entry "
        "assessment (an advisor's override, audited)")
    second_vehicle_reason: str | None = Field(
        default=None, max_length=2000, description="Why the person needs a second vehicle of "
        "the same class over these days (audited)")
    notes: str | None = Field(default=None, max_length=4000)


class ReasonIn(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class SchemeIn(Strict):
    scheme: Literal["bougez", "amie"]


class SettleIn(Strict):
    kept_cents: int = Field(default=0, ge=0, description="Part of the deposit kept for "
                            "documented damage (0: given back)")
    damage_note: str | None = Field(default=None, max_length=2000)
    waive_late_days_reason: str | None = Field(default=None, max_length=2000)


class EndIn(Strict):
    end: date


class SignOffIn(Strict):
    name: str = Field(max_length=200, description="the beneficiary's first and last name, "
                      "typed by them")
    checked: bool = Field(description="the beneficiary ticked \"I have checked the condition "
                          "report\"")


class InspectionIn(Strict):
    odometer_km: int = Field(ge=0, le=2_000_000)
    energy_level_pct: int | None = Field(default=None, ge=0, le=100)
    checklist: dict[str, bool] = Field(default_factory=dict, description="Every item of the "
                                       "vehicle's checklist (GET /vehicles/{id}), true when in "
                                       "good order")
    damage_notes: str | None = Field(default=None, max_length=4000)
    signoff: SignOffIn | None = Field(default=None, description="The beneficiary's sign-off "
                                      "on screen, witnessed by the caller (optional)")


class CheckInIn(InspectionIn):
    open_maintenance: bool = False
    immobilise: bool = False


class ReturnSlotIn(Strict):
    site_id: int
    slot_at: datetime


class ReturnsQuery(Strict, PageQuery):
    status: Literal["due", "overdue"] | None = None


class MaintenanceIn(Strict):
    kind: Literal["service", "repair", "technical_inspection"]
    description: str = ""
    due_on: date | None = None
    due_odometer_km: int | None = Field(default=None, ge=0)
    cost_cents: int | None = Field(default=None, ge=0)


class MaintenanceDoneIn(Strict):
    cost_cents: int | None = Field(default=None, ge=0)
    done_on: date | None = None
    next_technical_inspection_on: date | None = None


class ImmobiliseIn(Strict):
    reason: str = ""


class ReplaceIn(Strict):
    vehicle_id: int | None = Field(default=None, description="The replacement; omitted: the "
                                   "first free one, at the same site when possible")


class RideIn(Strict):
    driver_kind: Literal["volunteer", "employee", "beneficiary"]
    driver_name: str = Field(min_length=1, max_length=200)
    driver_phone: str | None = Field(default=None, max_length=32)
    driver_beneficiary_id: int | None = None
    origin: str = Field(min_length=1, max_length=300)
    destination: str = Field(min_length=1, max_length=300)
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    departure_time: time
    return_time: time | None = None
    seats: int = Field(ge=1, le=8)
    valid_from: date
    valid_until: date | None = None
    notes: str | None = None


class SeatsIn(Strict):
    beneficiary_id: int
    day: date | None = Field(default=None, alias="date")
    dates: list[date] | None = None


class StopIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    stop_time: time | None = None


class RunIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    run_date: date
    departure_time: time
    driver_name: str = Field(min_length=1, max_length=200)
    vehicle_id: int | None = None
    capacity: int = Field(ge=1, le=30)
    stops: list[StopIn] = Field(min_length=1)
    notes: str | None = None


class MinibusSeatIn(Strict):
    beneficiary_id: int
    charter_accepted: bool
    stop_id: int | None = None


# --- serialisers ------------------------------------------------------------------------------

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
        "insurance_expires_on": _iso(vehicle.insurance_expires_on),
        "technical_inspection_expires_on": _iso(vehicle.technical_inspection_expires_on),
        "engine_cc": vehicle.engine_cc, "licence_category": vehicle.licence_category,
        "checklist": list(CHECKLISTS[vehicle.kind]),
        "photos": [p.id for p in vehicle.photos],
    }


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def inspection_json(inspection: Inspection) -> dict:
    return {"id": inspection.id, "kind": inspection.kind, "odometer_km": inspection.odometer_km,
            "energy_level_pct": inspection.energy_level_pct, "checklist": inspection.checklist,
            "damage_notes": inspection.damage_notes,
            "inspected_at": _iso(inspection.inspected_at),
            "photos": [p.id for p in inspection.photos],
            "signoff": {"name": inspection.signoff_name,
                        "witness_id": inspection.signoff_witness_id,
                        "at": _iso(inspection.signoff_at)} if inspection.is_signed_off else None}


def rental_json(rental: Rental, *, for_beneficiary: bool = False) -> dict:
    out = {
        "id": rental.id, "vehicle_id": rental.vehicle_id, "beneficiary_id": rental.beneficiary_id,
        "vehicle": {"kind": rental.vehicle.kind, "plate": rental.vehicle.plate,
                    "site_id": rental.vehicle.site_id, "site_name": rental.vehicle.site.name},
        "start": rental.start_date.isoformat(), "end": rental.end_date.isoformat(),
        "status": rental.status, "days": rental.days,
        "daily_mileage_allowance_km": rental.daily_mileage_allowance_km,
        "return_site_id": rental.return_site_id, "return_slot_at": _iso(rental.return_slot_at),
        "checked_out_at": _iso(rental.checked_out_at), "returned_at": _iso(rental.returned_at),
        "returned_on": _iso(rental.returned_on), "late_days": rental.late_days or 0,
        "replaces_rental_id": rental.replaces_rental_id, "closed_at": _iso(rental.closed_at),
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
            "description": job.description, "due_on": _iso(job.due_on),
            "due_odometer_km": job.due_odometer_km, "cost_cents": job.cost_cents,
            "status": job.status, "done_on": _iso(job.done_on),
            "inspection_id": job.inspection_id}


def ride_json(ride: CarpoolRide) -> dict:
    return {"id": ride.id, "driver_kind": ride.driver_kind, "driver_name": ride.driver_name,
            "origin": ride.origin, "destination": ride.destination,
            "weekdays": ride.weekday_numbers, "departure_time": ride.departure_time.isoformat(),
            "return_time": _iso(ride.return_time), "seats": ride.seats,
            "valid_from": ride.valid_from.isoformat(), "valid_until": _iso(ride.valid_until)}


def seat_json(booking: SeatBooking) -> dict:
    return {"id": booking.id, "ride_id": booking.ride_id, "beneficiary_id": booking.beneficiary_id,
            "date": booking.ride_date.isoformat(), "seat_number": booking.seat_number,
            "status": booking.status}


def run_json(run: MinibusRun) -> dict:
    return {"id": run.id, "name": run.name, "run_date": run.run_date.isoformat(),
            "departure_time": run.departure_time.isoformat(), "driver_name": run.driver_name,
            "vehicle_id": run.vehicle_id, "capacity": run.capacity,
            "stops": [{"id": s.id, "position": s.position, "name": s.name, "address": s.address,
                       "stop_time": _iso(s.stop_time)} for s in run.stops]}


def minibus_seat_json(booking: MinibusBooking) -> dict:
    return {"id": booking.id, "run_id": booking.run_id, "beneficiary_id": booking.beneficiary_id,
            "stop_id": booking.stop_id, "seat_number": booking.seat_number,
            "status": booking.status, "charter_accepted_at": _iso(booking.charter_accepted_at),
            "charter_version": booking.charter_version}


def _site_id_of_platform(user, site_id: int | None) -> int | None:
    if site_id is None:
        return None
    site = db.session.get(Site, site_id)
    if site is None or site.platform_id != user.platform_id:
        raise ValidationFailed(details={"site_id": _l("This site does not exist.")})
    return site_id


# --- sites and vehicles -----------------------------------------------------------------------

@api_route("/sites", roles=STAFF, query=PageOnly, response=list, tags=TAGS,
           summary="List the sites, by name, a page at a time (Link: rel=next)")
def list_sites(user, query: PageOnly):
    page = paginate(scoped(Site, user), (Site.name, Site.id), cursor=query.cursor,
                    limit=query.limit)
    return page_response(page, [site_json(s) for s in page])


@api_route("/sites", methods=("POST",), roles=FLEET, body=SiteIn, status=201,
           summary="Create a site (pole or parking)", tags=TAGS)
def create_site(user, body: SiteIn):
    return site_json(services.create_site(user, **body.model_dump())), 201


@api_route("/vehicles", roles=STAFF, query=VehicleQuery, response=list, tags=TAGS,
           summary="List the vehicles, by plate, a page at a time (Link: rel=next)")
def list_vehicles(user, query: VehicleQuery):
    # the site and the photos of the page's vehicles in two more queries, not two per vehicle
    page = lists.vehicle_page(user, lists.VehicleFilters(
        kind=query.kind, site_id=query.site_id, status=query.status, q=query.q),
        cursor=query.cursor, limit=query.limit, photos=True)
    return page_response(page, [vehicle_json(v) for v in page])


@api_route("/vehicles", methods=("POST",), roles=FLEET, body=VehicleIn, status=201,
           summary="Add a vehicle", tags=TAGS)
def create_vehicle(user, body: VehicleIn):
    return vehicle_json(services.create_vehicle(user, **body.model_dump())), 201


@api_route("/vehicles/<int:vehicle_id>", roles=STAFF, summary="One vehicle", tags=TAGS)
def get_vehicle(user, vehicle_id: int):
    return vehicle_json(get_or_404(Vehicle, vehicle_id, user))


@api_route("/vehicles/<int:vehicle_id>", methods=("PATCH",), roles=FLEET, body=VehiclePatch,
           summary="Change a vehicle (immobilising answers the broken rentals)", tags=TAGS)
def patch_vehicle(user, vehicle_id: int, body: VehiclePatch):
    vehicle = get_or_404(Vehicle, vehicle_id, user, action="edit")
    fields = body.model_dump(exclude_unset=True)
    impact = None
    if fields.get("status") == "immobilised":
        fields.pop("status")
        if fields:
            services.update_vehicle(user, vehicle, **fields)
        impact = services.immobilise_vehicle(user, vehicle)
    else:
        services.update_vehicle(user, vehicle, **fields)
    out = vehicle_json(vehicle)
    if impact is not None:
        out["broken_rentals"] = _impact_json(impact)
    return out


def _impact_json(impact: list[dict]) -> list[dict]:
    return [{"rental": rental_json(item["rental"]),
             "replacements": [vehicle_json(v) for v in item["replacements"]]} for item in impact]


@api_route("/vehicles/<int:vehicle_id>/immobilise", methods=("POST",), roles=FLEET,
           body=ImmobiliseIn, summary="Immobilise a vehicle; lists broken rentals and "
           "replacement vehicles", tags=TAGS)
def immobilise(user, vehicle_id: int, body: ImmobiliseIn):
    vehicle = get_or_404(Vehicle, vehicle_id, user, action="edit")
    impact = services.immobilise_vehicle(user, vehicle, reason=body.reason)
    return {"vehicle": vehicle_json(vehicle), "broken_rentals": _impact_json(impact)}


# --- availability and rentals -----------------------------------------------------------------

@api_route("/availability", roles=STAFF, query=AvailabilityQuery,
           summary="Vehicles free for a whole period, or the nearest alternatives", tags=TAGS)
def availability(user, query: AvailabilityQuery):
    result = services.search_availability(
        user.platform_id, start=query.start, end=query.end, kind=query.kind,
        site_id=_site_id_of_platform(user, query.site_id))
    alt = result["alternatives"]
    return {
        "start": query.start.isoformat(), "end": query.end.isoformat(),
        "vehicles": [vehicle_json(v) for v in result["vehicles"]],
        "alternatives": {
            "other_sites": [vehicle_json(v) for v in alt["other_sites"]],
            "other_kinds": [vehicle_json(v) for v in alt["other_kinds"]],
            "later": [{"vehicle": vehicle_json(v), "first_free_date": d.isoformat()}
                      for v, d in alt["later"]],
        },
    }


@api_route("/rentals", methods=("POST",), roles=BOOKERS, body=RentalIn, status=201,
           summary="Book a vehicle for a beneficiary (409 with the conflicting rentals)",
           tags=TAGS)
def create_rental(user, body: RentalIn):
    rental = lifecycle.book(
        user, beneficiary_id=body.beneficiary_id, vehicle_id=body.vehicle_id, start=body.start,
        end=body.end, scheme=body.scheme, notes=body.notes,
        overrides=lifecycle.BookingOverrides(no_assessment=body.no_assessment_reason,
                                             second_vehicle=body.second_vehicle_reason))
    return rental_json(rental), 201


@api_route("/rentals/<int:rental_id>", roles=STAFF | {BENEFICIARY},
           summary="One rental (a beneficiary sees only their own)", tags=TAGS)
def get_rental(user, rental_id: int):
    rental = get_or_404(Rental, rental_id, user)
    return rental_json(rental, for_beneficiary=user.role == BENEFICIARY)


@api_route("/rentals/<int:rental_id>/extend", methods=("POST",), roles=BOOKERS, body=EndIn,
           summary="Extend a rental (409 when the vehicle is booked after)", tags=TAGS)
def extend_rental(user, rental_id: int, body: EndIn):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    return rental_json(lifecycle.extend(user, rental, body.end))


@api_route("/rentals/<int:rental_id>/shorten", methods=("POST",), roles=BOOKERS, body=EndIn,
           summary="Bring a rental's planned return date forward", tags=TAGS)
def shorten_rental(user, rental_id: int, body: EndIn):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    return rental_json(lifecycle.shorten(user, rental, body.end))


@api_route("/rentals/<int:rental_id>/cancel", methods=("POST",), roles=BOOKERS,
           summary="Cancel a booking not yet handed over", tags=TAGS)
def cancel_rental(user, rental_id: int):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    return rental_json(lifecycle.cancel(user, rental))


@api_route("/rentals/<int:rental_id>/check-out", methods=("POST",), roles=FLEET,
           body=InspectionIn, summary="Hand the vehicle over (check-out inspection)", tags=TAGS)
def check_out(user, rental_id: int, body: InspectionIn):
    rental = get_or_404(Rental, rental_id, user, action="inspect")
    lifecycle.hand_over(user, rental, **body.model_dump())
    return rental_json(rental)


@api_route("/rentals/<int:rental_id>/check-in", methods=("POST",), roles=FLEET,
           body=CheckInIn, summary="Take the vehicle back (check-in inspection; an early "
           "return frees the rest of the period)", tags=TAGS)
def check_in(user, rental_id: int, body: CheckInIn):
    rental = get_or_404(Rental, rental_id, user, action="inspect")
    _, job = lifecycle.take_back(user, rental, **body.model_dump())
    out = rental_json(rental)
    out["maintenance_job"] = job_json(job) if job else None
    return out


@api_route("/rentals/<int:rental_id>/return-slot", methods=("POST",), roles=FLEET,
           body=ReturnSlotIn, summary="Schedule the return at a site", tags=TAGS)
def return_slot(user, rental_id: int, body: ReturnSlotIn):
    rental = get_or_404(Rental, rental_id, user, action="inspect")
    return rental_json(services.schedule_return(user, rental, site_id=body.site_id,
                                                slot_at=body.slot_at))


@api_route("/rentals/<int:rental_id>/replace", methods=("POST",), roles=FLEET | BOOKERS,
           body=ReplaceIn, summary="Move a rental to a replacement vehicle", tags=TAGS)
def replace(user, rental_id: int, body: ReplaceIn):
    rental = get_or_404(Rental, rental_id, user)
    return rental_json(lifecycle.replace(user, rental, body.vehicle_id))


@api_route("/rentals/<int:rental_id>/readiness", roles=STAFF,
           summary="What is done and what is missing before the hand-over", tags=TAGS)
def readiness(user, rental_id: int):
    rental = get_or_404(Rental, rental_id, user)
    return {"rental_id": rental.id, "status": rental.status,
            "items": readiness_json(rental) or []}


@api_route("/rentals/<int:rental_id>/scheme", methods=("POST",), roles=BOOKERS, body=SchemeIn,
           summary="Choose the scheme before the contract is signed (re-prices the rental)",
           tags=TAGS)
def change_scheme(user, rental_id: int, body: SchemeIn):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    return rental_json(lifecycle.change_scheme(user, rental, body.scheme))


@api_route("/rentals/<int:rental_id>/deposit-exemption", methods=("POST",), roles=BOOKERS,
           body=ReasonIn, summary="Hand over without a deposit, with the advisor's reason",
           tags=TAGS)
def exempt_deposit(user, rental_id: int, body: ReasonIn):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    return rental_json(lifecycle.exempt_deposit(user, rental, reason=body.reason))


@api_route("/rentals/<int:rental_id>/late-days/waive", methods=("POST",), roles=BOOKERS,
           body=ReasonIn, summary="Do not charge the days kept after the planned return",
           tags=TAGS)
def waive_late_days(user, rental_id: int, body: ReasonIn):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    return rental_json(lifecycle.waive_late_days(user, rental, reason=body.reason))


@api_route("/rentals/<int:rental_id>/settle", methods=("POST",), roles=BOOKERS, body=SettleIn,
           summary="Close a returned rental: late days, deposit given back or kept",
           tags=TAGS)
def settle(user, rental_id: int, body: SettleIn):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    return rental_json(lifecycle.settle(user, rental, kept_cents=body.kept_cents,
                                        damage_note=body.damage_note,
                                        waive_late_days_reason=body.waive_late_days_reason))


def _returns_row(rental: Rental, bucket: str) -> dict:
    out = rental_json(rental)
    out["bucket"] = bucket
    out["beneficiary"] = {"id": rental.beneficiary.id, "name": rental.beneficiary.full_name,
                          "phone": rental.beneficiary.phone}
    out["advisor"] = ({"id": rental.advisor.id, "name": rental.advisor.full_name,
                       "email": rental.advisor.email} if rental.advisor else None)
    return out


@api_route("/returns", roles=STAFF, query=ReturnsQuery, response=list,
           summary="Returns due (today and this week) or overdue, by planned return date, "
           "a page at a time (Link: rel=next)", tags=TAGS)
def returns(user, query: ReturnsQuery):
    day = local_today()
    buckets = {"due": ("today", "week"), "overdue": ("overdue",),
               None: services.RETURN_BUCKETS}[query.status]
    page = paginate(services.returns_query(user.platform_id, day, buckets),
                    (Rental.end_date, Rental.id), cursor=query.cursor, limit=query.limit,
                    unique=True)
    return page_response(page, [_returns_row(r, services.return_bucket(r, day)) for r in page])


# --- maintenance ------------------------------------------------------------------------------

@api_route("/maintenance", roles=FLEET, summary="Maintenance jobs due soon", tags=TAGS)
def maintenance_list(user):
    return [job_json(j) for j in services.maintenance_due(user.platform_id)]


@api_route("/vehicles/<int:vehicle_id>/maintenance", methods=("POST",), roles=FLEET,
           body=MaintenanceIn, status=201, summary="Plan a maintenance job", tags=TAGS)
def maintenance_create(user, vehicle_id: int, body: MaintenanceIn):
    vehicle = get_or_404(Vehicle, vehicle_id, user, action="edit")
    return job_json(services.create_maintenance_job(user, vehicle, **body.model_dump())), 201


@api_route("/maintenance/<int:job_id>/complete", methods=("POST",), roles=FLEET,
           body=MaintenanceDoneIn, summary="Close a maintenance job", tags=TAGS)
def maintenance_complete(user, job_id: int, body: MaintenanceDoneIn):
    job = get_or_404(MaintenanceJob, job_id, user, action="edit")
    return job_json(services.complete_maintenance_job(user, job, **body.model_dump()))


# --- carpool and minibus ----------------------------------------------------------------------

@api_route("/carpool/rides", roles=STAFF, query=PageOnly, response=list, tags=TAGS,
           summary="List carpool rides, a page at a time (Link: rel=next)")
def list_rides(user, query: PageOnly):
    page = paginate(scoped(CarpoolRide, user), (CarpoolRide.id,), cursor=query.cursor,
                    limit=query.limit)
    return page_response(page, [ride_json(r) for r in page])


@api_route("/carpool/rides", methods=("POST",), roles=STAFF, body=RideIn, status=201,
           summary="Offer a carpool ride", tags=TAGS)
def create_ride(user, body: RideIn):
    return ride_json(services.create_ride(user, **body.model_dump())), 201


@api_route("/carpool/rides/<int:ride_id>/seats", methods=("POST",), roles=BOOKERS, body=SeatsIn,
           status=201, summary="Book seats on a ride for dates (409 when full)", tags=TAGS)
def book_seats(user, ride_id: int, body: SeatsIn):
    ride = get_or_404(CarpoolRide, ride_id, user)
    dates = list(body.dates or []) + ([body.day] if body.day else [])
    bookings = services.book_seats(user, ride, beneficiary_id=body.beneficiary_id, dates=dates)
    return [seat_json(b) for b in bookings], 201


@api_route("/minibus/runs", roles=STAFF, query=PageOnly, response=list, tags=TAGS,
           summary="List minibus runs by date, a page at a time (Link: rel=next)")
def list_runs(user, query: PageOnly):
    page = paginate(scoped(MinibusRun, user), (MinibusRun.run_date, MinibusRun.id),
                    cursor=query.cursor, limit=query.limit)
    return page_response(page, [run_json(r) for r in page])


@api_route("/minibus/runs", methods=("POST",), roles=STAFF, body=RunIn, status=201,
           summary="Plan a minibus run with its ordered stops", tags=TAGS)
def create_run(user, body: RunIn):
    data = body.model_dump()
    run = services.create_run(user, **data)
    return run_json(run), 201


@api_route("/minibus/runs/<int:run_id>/seats", methods=("POST",), roles=BOOKERS,
           body=MinibusSeatIn, status=201,
           summary="Book a seat on a run (the passenger accepts the charter)", tags=TAGS)
def book_minibus_seat(user, run_id: int, body: MinibusSeatIn):
    run = get_or_404(MinibusRun, run_id, user)
    booking = services.book_minibus_seat(user, run, **body.model_dump())
    return minibus_seat_json(booking), 201


def upload_settings() -> tuple[str, int]:
    """Where photos go and their size cap (`UPLOAD_FOLDER`, `MAX_PHOTO_BYTES`)."""
    folder = current_app.config.get("UPLOAD_FOLDER") or f"{current_app.instance_path}/uploads"
    return folder, int(current_app.config.get("MAX_PHOTO_BYTES", 8 * 1024 * 1024))

