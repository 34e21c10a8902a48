"""API: commute checks (`/api/v1/commute-checks`, `/api/v1/beneficiaries/<id>/commute-check`)
and the platform's commute settings."""

from __future__ import annotations

from typing import Any

from flask import request
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from mobility.api import api_route, parse_model
from mobility.auth.policies import get_or_404
from mobility.commute.beneficiaries import run_check_for_beneficiary
from mobility.commute.checks import compute_check
from mobility.commute.context import routing_context, set_gtfs_path, settings_for
from mobility.commute.history import checks_of
from mobility.commute.inputs import ATTRIBUTION
from mobility.commute.models import CommuteCheck
from mobility.commute.presentation import present, present_check
from mobility.commute.transit_lines import gtfs_path_for
from mobility.core.errors import NotFound
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY
from mobility.people.models import Beneficiary

PLACE_HELP = ('An address ("12 boulevard de la République, Beausoleil") or coordinates '
              '{"lat": 43.75, "lon": 7.44}.')
DAYS_HELP = ("Dates the shifts start: ISO dates (2025-03-03) and/or weekday names (monday … "
             "sunday, next occurrence from today). Default: the next five working days. At "
             "most 14.")
MODES_HELP = ("Among walk, bike, e_bike, two_wheel_motor, car, public_transport. Default: all.")


class CapacitiesIn(BaseModel):
    """What the person can do (for the ladder); missing values come from the file or True."""

    model_config = ConfigDict(extra="forbid")
    can_walk: StrictBool | None = None
    can_ride_bike: StrictBool | None = None
    has_licence_b: StrictBool | None = None
    has_moped_capacity: StrictBool | None = None
    carpool_available: StrictBool | None = None
    minibus_available: StrictBool | None = None

    def values(self) -> dict[str, bool]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class CommuteCheckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    origin: Any = Field(description=PLACE_HELP)
    destination: Any = Field(description=PLACE_HELP)
    arrive_by: str | None = Field(None, description="Shift start, HH:MM (be at work by then).")
    leave_at: str | None = Field(None, description="Shift end, HH:MM (earlier than arrive_by: "
                                                   "the shift ends the next day).")
    days: list[str] | None = Field(None, description=DAYS_HELP)
    modes: list[str] | None = Field(None, description=MODES_HELP)
    beneficiary_id: int | None = Field(None, description="Store the check on this person's "
                                                         "file (otherwise nothing is stored).")
    capacities: CapacitiesIn | None = None


class BeneficiaryCheckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    origin: Any = Field(None, description=PLACE_HELP + " Default: the file's home address.")
    destination: Any = Field(None, description=PLACE_HELP + " Default: the file's workplace.")
    arrive_by: str | None = Field(None, description="Default: the file's shift start.")
    leave_at: str | None = Field(None, description="Default: the file's shift end.")
    days: list[str] | None = Field(None, description=DAYS_HELP)
    modes: list[str] | None = Field(None, description=MODES_HELP)
    capacities: CapacitiesIn | None = None


class SettingsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    gtfs_path: str | None = Field(None, max_length=500, description=(
        "GTFS folder or zip on the server (relative to the project); empty: GTFS_PATH."))


@api_route("/commute-checks", methods=("POST",), roles={ADMIN, ADVISOR},
           body=CommuteCheckBody, status=201, tags=["commute"],
           summary="Check a commute between two places: per-mode results, public transport, "
                   "transit-first ladder (stored when beneficiary_id is given)")
def create_commute_check(user, body: CommuteCheckBody):
    capacities = body.capacities.values() if body.capacities else {}
    if body.beneficiary_id is not None:
        beneficiary = get_or_404(Beneficiary, body.beneficiary_id, user, action="edit")
        check = run_check_for_beneficiary(
            user, beneficiary, origin=body.origin, destination=body.destination,
            arrive_by=body.arrive_by, leave_at=body.leave_at, days=body.days, modes=body.modes,
            capacities=capacities)
        return present_check(check), 201
    data = compute_check(
        body.origin, body.destination, arrive_by=body.arrive_by, leave_at=body.leave_at,
        days=body.days, modes=body.modes, capacities=capacities, platform_id=user.platform_id)
    return present(data), 200


@api_route("/beneficiaries/<int:beneficiary_id>/commute-check", methods=("POST",),
           roles={ADMIN, ADVISOR}, status=201, tags=["commute"],
           summary="Check the commute of a beneficiary's file (home → workplace, shift) and "
                   "store it; the optional body overrides the file's values")
def create_beneficiary_commute_check(user, beneficiary_id: int):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, user, action="edit")
    raw = request.get_json(silent=True)
    body = parse_model(BeneficiaryCheckBody, {} if raw is None else raw)
    overrides: dict[str, Any] = {k: v for k, v in body.model_dump(exclude_unset=True).items()
                                 if k != "capacities"}
    if body.capacities:
        overrides["capacities"] = body.capacities.values()
    check = run_check_for_beneficiary(user, beneficiary, **overrides)
    return present_check(check), 201


@api_route("/beneficiaries/<int:beneficiary_id>/commute-checks", roles={ADMIN, ADVISOR,
                                                                       BENEFICIARY},
           tags=["commute"], summary="A beneficiary's stored commute checks, newest first")
def list_beneficiary_commute_checks(user, beneficiary_id: int):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, user)
    return [present_check(c, geometry=False) for c in checks_of(beneficiary)
            if c.can_view(user)]


@api_route("/commute-checks/<int:check_id>", roles={ADMIN, ADVISOR, BENEFICIARY},
           tags=["commute"], summary="One stored commute check")
def get_commute_check(user, check_id: int):
    check = get_or_404(CommuteCheck, check_id, user)
    return present_check(check)


def _settings_payload(user) -> dict:
    row = settings_for(user.platform_id)
    context = routing_context()
    path = gtfs_path_for(user.platform_id)
    return {"gtfs_path": row.gtfs_path if row else None,
            "gtfs_path_in_use": str(path) if path else None,
            "network_configured": context.engine is not None, "engine": context.engine_kind,
            "modes": list(context.engine.modes) if context.engine else [],
            "geocoder_configured": context.geocoder is not None,
            "attribution": ATTRIBUTION}


@api_route("/commute/settings", roles={ADMIN, ADVISOR}, tags=["commute"],
           summary="Commute settings and status: road network, geocoder, GTFS feed")
def get_commute_settings(user):
    return _settings_payload(user)


@api_route("/commute/settings", methods=("PUT",), roles={ADMIN}, body=SettingsBody,
           tags=["commute"], summary="Set the platform's GTFS feed (must be readable)")
def put_commute_settings(user, body: SettingsBody):
    if user.platform_id is None:
        raise NotFound()
    set_gtfs_path(user, user.platform_id, body.gtfs_path)
    return _settings_payload(user)
