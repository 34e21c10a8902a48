"""A person's ladder: the one ladder (`mobility.people.ladder`) computed from what the
platform knows of the person: their latest assessment, their latest commute check, the
platform's carpool rides ranked by detour and whether it runs a minibus."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

import routing
from fleet.models import CarpoolRide, MinibusRun
from mobility.commute.distances import rank_rides_for
from mobility.commute.history import latest_check_for
from mobility.commute.places import geocode_address
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.people.ladder import build_ladder, present_ladder
from mobility.people.models import MobilityAssessment
from mobility.people.settings import scoring_for


def latest_assessment_of(beneficiary):
    """The person's latest mobility assessment (entry or exit), or None."""
    return db.session.scalar(
        select(MobilityAssessment).where(MobilityAssessment.beneficiary_id == beneficiary.id)
        .order_by(MobilityAssessment.assessed_on.desc(), MobilityAssessment.id.desc()).limit(1))


def carpool_matches_for(beneficiary, *, home=None, work=None) -> list[dict] | None:
    """The platform's current carpool rides that can carry the person, smallest detour first
    (routing's detour ranking); None when the commute or the rides cannot be located."""
    today = local_today()
    rides = db.session.scalars(select(CarpoolRide).where(
        CarpoolRide.platform_id == beneficiary.platform_id,
        CarpoolRide.driver_beneficiary_id.is_distinct_from(beneficiary.id),
        or_(CarpoolRide.valid_until.is_(None), CarpoolRide.valid_until >= today))
        .order_by(CarpoolRide.id)).all()
    if not rides:
        return []
    located = []
    for ride in rides:
        start = geocode_address(ride.origin)
        end = geocode_address(ride.destination)
        if start is not None and end is not None:
            located.append((ride, start, end))
    if not located:
        return None
    matches = rank_rides_for(
        beneficiary, [routing.CarpoolRide(s, e, ride_id=r.id) for r, s, e in located],
        home=home, work=work)
    if matches is None:
        return None
    by_id = {r.id: r for r, _s, _e in located}
    return [{"ride_id": m.ride_id, "detour_s": round(m.detour_s), "detour_m": round(m.detour_m),
             "driver": by_id[m.ride_id].driver_name, "origin": by_id[m.ride_id].origin,
             "destination": by_id[m.ride_id].destination,
             "departure": by_id[m.ride_id].departure_time.strftime("%H:%M")}
            for m in matches]


def minibus_runs_for(platform_id: int) -> bool:
    """Whether the platform has a minibus run today or later."""
    return db.session.scalar(select(MinibusRun.id).where(
        MinibusRun.platform_id == platform_id, MinibusRun.run_date >= local_today()).limit(1)
    ) is not None


def ladder_for(beneficiary, check=None, *, assessment=None) -> dict[str, Any]:
    """THE ladder of a person: their latest assessment (or `assessment`), their file's
    licence, a commute check (`check`, default their latest stored one) at their shift times,
    the platform's carpool rides ranked by detour and its minibus runs."""
    assessment = assessment or latest_assessment_of(beneficiary)
    if check is None:
        check = latest_check_for(beneficiary)
    licence = bool(beneficiary.has_licence_b or beneficiary.licence_b_since)
    home = work = None
    if check is not None:
        home, work = (check.origin_lat, check.origin_lon), \
            (check.destination_lat, check.destination_lon)
    thresholds = scoring_for(beneficiary.platform_id)["thresholds"]
    # capacities given with the check's request (API) stand for what the person can do
    given = check.capacities if check is not None and (check.capacities or {}).get(
        "source") == "request" else None
    return build_ladder(
        answers=assessment.answers if assessment is not None else None,
        scores=assessment.sub_scores if assessment is not None else None,
        thresholds=thresholds, has_licence_b=licence, capacities=given,
        modes=check.modes if check is not None else None,
        transit=check.transit if check is not None else None,
        carpool=carpool_matches_for(beneficiary, home=home, work=work),
        minibus=minibus_runs_for(beneficiary.platform_id))


def person_ladder(beneficiary, check=None) -> dict[str, Any]:
    """The person's ladder ready for a page: what the file, the commute page, the portal and
    the summary sheet all show, in the reader's language."""
    return present_ladder(ladder_for(beneficiary, check), both_languages=False)
