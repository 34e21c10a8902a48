"""A beneficiary's commute: the check of their file (home, workplace, shift), stored."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from mobility.audit.services import record_audit
from mobility.commute.checks import compute_check
from mobility.commute.models import CommuteCheck
from mobility.commute.person_ladder import ladder_for, latest_assessment_of
from mobility.core.db import db
from mobility.core.errors import DomainError, ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.people.ladder import capacities_from

log = logging.getLogger(__name__)


def capacities_for(beneficiary) -> dict:
    """What the ladder knows the person can do: the latest assessment, the file's licence."""
    assessment = latest_assessment_of(beneficiary)
    return capacities_from(assessment.answers if assessment is not None else None,
                           has_licence_b=bool(beneficiary.has_licence_b
                                              or beneficiary.licence_b_since))


def file_values(beneficiary) -> dict:
    """Origin, destination and shift of the beneficiary's file (for the form and the API)."""
    origin: Any = beneficiary.address or None
    destination: Any = beneficiary.workplace_address or None
    return {"origin": origin, "destination": destination,
            "origin_point": (beneficiary.address_lat, beneficiary.address_lon)
            if beneficiary.address_lat is not None and beneficiary.address_lon is not None
            else None,
            "destination_point": (beneficiary.workplace_lat, beneficiary.workplace_lon)
            if beneficiary.workplace_lat is not None and beneficiary.workplace_lon is not None
            else None,
            "arrive_by": beneficiary.shift_start, "leave_at": beneficiary.shift_end}


def _file_place(text: Any, point: tuple | None, file_text: str | None) -> Any:
    """Use the file's coordinates when the address is the file's one (no geocoding needed)."""
    if point is not None and (text is None or (isinstance(text, str) and file_text
                                               and text.strip() == file_text.strip())):
        return {"lat": point[0], "lon": point[1], "text": file_text}
    return text


def compute_for_beneficiary(beneficiary, **overrides) -> dict:
    """`compute_check` from the file: home → workplace, the file's shift, its capacities.

    `overrides` may replace origin, destination, arrive_by, leave_at, days, modes,
    capacities.
    """
    values = file_values(beneficiary)
    origin = overrides.get("origin") or values["origin"]
    destination = overrides.get("destination") or values["destination"]
    origin = _file_place(origin, values["origin_point"], beneficiary.address)
    destination = _file_place(destination, values["destination_point"],
                              beneficiary.workplace_address)
    missing = {}
    if not origin:
        missing["origin"] = _l("The file has no home address.")
    if not destination:
        missing["destination"] = _l("The file has no workplace address.")
    if missing:
        raise ValidationFailed(_l("Complete the file's addresses first."),
                               code="missing_address", details=missing)
    caps = dict(overrides.get("capacities") or {})
    shift_given = "arrive_by" in overrides or "leave_at" in overrides
    data = compute_check(
        origin, destination,
        arrive_by=overrides.get("arrive_by") if shift_given else values["arrive_by"],
        leave_at=overrides.get("leave_at") if shift_given else values["leave_at"],
        days=overrides.get("days"), modes=overrides.get("modes"), capacities=caps,
        platform_id=beneficiary.platform_id)
    for key, place in (("origin", origin), ("destination", destination)):
        if isinstance(place, Mapping) and place.get("text"):
            data[key]["text"] = data[key]["label"] = place["text"]
    if not caps:  # what the person can do comes from their file, not from the request
        data["capacities"] = capacities_for(beneficiary)
    return data


def store_check(actor, beneficiary, data: Mapping[str, Any]) -> CommuteCheck:
    """Store a computed check for `beneficiary` (audited, committed)."""
    origin, destination = data["origin"], data["destination"]
    check = CommuteCheck(
        platform_id=beneficiary.platform_id, beneficiary_id=beneficiary.id,
        created_by_id=actor.id if actor is not None else None,
        origin_text=(origin.get("text") or None) and origin["text"][:300],
        origin_label=(origin.get("label") or None) and origin["label"][:300],
        origin_lat=origin["lat"], origin_lon=origin["lon"],
        destination_text=(destination.get("text") or None) and destination["text"][:300],
        destination_label=(destination.get("label") or None) and destination["label"][:300],
        destination_lat=destination["lat"], destination_lon=destination["lon"],
        arrive_by=data["arrive_by"], leave_at=data["leave_at"], days=list(data["days"]),
        modes=dict(data["modes"]), transit=data["transit"], ladder=dict(data["ladder"]),
        capacities=dict(data["capacities"]), recommended=data["ladder"].get("recommended"),
        engine=data.get("engine") or "local",
    )
    db.session.add(check)
    db.session.flush()
    # the person's ladder (assessment, file, carpool rides, minibus) at the time of the check
    ladder = ladder_for(beneficiary, check)
    ladder.pop("capacities", None)
    check.ladder, check.recommended = ladder, ladder["recommended"]
    if actor is not None:
        record_audit(actor, "create", object_type="CommuteCheck", object_id=check.id,
                     platform_id=beneficiary.platform_id,
                     fields=["origin", "destination", "shift", "days", "results"])
    db.session.commit()
    return check


def run_check_for_beneficiary(actor, beneficiary, **overrides) -> CommuteCheck:
    """Compute a check from the file (with `overrides`) and store it."""
    return store_check(actor, beneficiary, compute_for_beneficiary(beneficiary, **overrides))


def commute_feasibility_for(beneficiary) -> dict[str, Any] | None:
    """The beneficiary's home → work commute checked now at the file's shift times
    (`{"modes", "transit"}` as a check stores them), for the ladder of an assessment. None
    when it cannot be computed (no network, missing or unknown addresses, invalid shift).
    Nothing is stored."""
    try:
        data = compute_for_beneficiary(beneficiary)
    except DomainError as error:
        log.info("commute: no feasibility for beneficiary %s: %s", beneficiary.id, error.code)
        return None
    return {"modes": data["modes"], "transit": data.get("transit")}


