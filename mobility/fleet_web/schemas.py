"""What the fleet API accepts: request bodies and queries (pydantic), strict: unknown fields
are refused."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mobility.pagination import PageQuery

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
