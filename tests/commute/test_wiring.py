"""The road network feeds the rest of the app: files are geocoded, assessments' ladders use
commute feasibility, bookings get their daily mileage allowance."""

from datetime import timedelta

import pytest

from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.people import services as people
from mobility.platforms.models import Platform
from tests.commute.helpers import create_commuter
from tests.factories import create_site, create_user, create_vehicle, make_ready
from tests.people.answers import GOOD_ANSWERS


@pytest.fixture
def routing_on(app):
    app.config["GEOCODING_ENABLED"] = True
    return app


def test_files_are_geocoded_when_routing_is_on(routing_on):
    advisor = create_user("advisor")
    person = create_commuter(db.session.get(Platform, advisor.platform_id))
    people.locate(person, {"address", "workplace_address"})
    assert person.address_lat is not None and 43.7 < person.address_lat < 43.8
    assert person.workplace_lat is not None


EZE = (43.73051976923076, 7.363225089743591)
ROQUEBRUNE = (43.7582086, 7.4713712)


def _far_commuter(platform):
    """Èze to Roquebrune-Cap-Martin: about 12 km, 49 min by bike (over 45), 37 by e-bike."""
    return create_commuter(platform, address="244 Avenue de Verdun, 06360 Èze",
                           address_lat=EZE[0], address_lon=EZE[1],
                           workplace_address="Avenue Paul Doumer, Roquebrune-Cap-Martin",
                           workplace_lat=ROQUEBRUNE[0], workplace_lon=ROQUEBRUNE[1],
                           has_licence_b=True)


def _levels(assessment) -> dict:
    return {level["level"]: level for level in assessment.ladder["levels"]}


def _codes(level) -> set:
    return {r["code"] for r in level["reasons"]}


def test_assessment_ladder_uses_commute_feasibility(routing_on):
    advisor = create_user("advisor")
    person = _far_commuter(db.session.get(Platform, advisor.platform_id))
    levels = _levels(people.record_assessment(advisor, person, kind="entry",
                                              answers=GOOD_ANSWERS))
    assert levels["bike"]["status"] == "ruled_out"
    assert "too_long" in _codes(levels["bike"])  # the check's own reason: over the limit
    assert levels["e_bike"]["status"] != "ruled_out"
    assert "too_long" not in _codes(levels["e_bike"])


def test_without_routing_the_ladder_ignores_distance(app):
    advisor = create_user("advisor")
    person = _far_commuter(db.session.get(Platform, advisor.platform_id))
    levels = _levels(people.record_assessment(advisor, person, kind="entry",
                                              answers=GOOD_ANSWERS))
    assert levels["bike"]["status"] == "possible" and levels["bike"]["confirmed"] is None
    assert _codes(levels["bike"]) == {"commute_not_checked"}
    assert not any(lv["status"] == "recommended" for lv in levels.values())


def test_assessment_without_routing_has_no_feasibility(app):
    advisor = create_user("advisor")
    person = create_commuter(db.session.get(Platform, advisor.platform_id))
    assert people.feasibility_of(person) is None


def test_booking_stores_the_daily_mileage_allowance(routing_on):
    from mobility.commute.services import mileage_allowance_km
    from mobility.rentals.lifecycle import book

    advisor = create_user("advisor")
    platform = db.session.get(Platform, advisor.platform_id)
    person = make_ready(create_commuter(platform))
    car = create_vehicle(create_site(platform), kind="car")
    start = local_today() + timedelta(days=1)
    rental = book(advisor, beneficiary_id=person.id, vehicle_id=car.id, start=start,
                  end=start + timedelta(days=14))
    expected = mileage_allowance_km((person.address_lat, person.address_lon),
                                    (person.workplace_lat, person.workplace_lon), "car")
    assert expected is not None and expected > 0
    assert rental.daily_mileage_allowance_km == round(expected, 1)


def test_booking_without_addresses_leaves_the_allowance_empty(routing_on):
    from fleet.services import book_rental

    advisor = create_user("advisor")
    platform = db.session.get(Platform, advisor.platform_id)
    person = create_commuter(platform, address=None, address_lat=None, address_lon=None)
    bike = create_vehicle(create_site(platform), kind="bike")
    start = local_today() + timedelta(days=1)
    rental = book_rental(advisor, beneficiary_id=person.id, vehicle_id=bike.id, start=start,
                         end=start + timedelta(days=7))
    assert rental.daily_mileage_allowance_km is None
