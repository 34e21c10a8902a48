"""Functions other features call (geocoding, mileage allowance, feasibility for the
assessment ladder, carpool ranking), parsing rules, and the demo data."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import func, select

import routing
from mobility.commute import demo, services
from mobility.commute.models import CommuteCheck
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.people import grid
from mobility.people.scoring import score_assessment
from tests.factories import create_platform, create_user
from tests.people.answers import GOOD_ANSWERS

from .helpers import (
    BEAUSOLEIL_ADDRESS,
    BEAUSOLEIL_HOME,
    CAP_DAIL_HOME,
    FONTVIEILLE_WORK,
    MONACO_WORK,
    create_commuter,
)


def test_geocode_address(sqlite_app):
    lat, lon = services.geocode_address(BEAUSOLEIL_ADDRESS)
    assert 43.73 < lat < 43.77 and 7.41 < lon < 7.45
    assert services.geocode_address("Rue qui n'existe pas, Atlantide") is None
    assert services.geocode_address("") is None
    assert services.geocode_address(None) is None


def test_geocode_address_without_network(sqlite_app, tmp_path):
    sqlite_app.config["ROUTING_CACHE_DIR"] = str(tmp_path)
    assert services.geocode_address(BEAUSOLEIL_ADDRESS) is None
    assert services.mileage_allowance_km(BEAUSOLEIL_HOME, MONACO_WORK, "car") is None


@pytest.mark.parametrize("kind", ["bike", "e_bike", "scooter", "moped", "car"])
def test_mileage_allowance_per_vehicle_kind(sqlite_app, routing_cache, kind):
    km = services.mileage_allowance_km(BEAUSOLEIL_HOME, MONACO_WORK, kind)
    engine = routing.LocalEngine.from_cache(routing_cache)
    expected = routing.daily_mileage_allowance_km(engine, BEAUSOLEIL_HOME, MONACO_WORK,
                                                  mode=services.VEHICLE_MODES[kind])
    assert km == expected
    assert 3 < km < 15


def test_mileage_allowance_unknown_cases(sqlite_app):
    assert services.mileage_allowance_km(BEAUSOLEIL_HOME, MONACO_WORK, "rocket") is None
    assert services.mileage_allowance_km(None, MONACO_WORK, "car") is None
    assert services.mileage_allowance_km((48.8647, 2.3708), MONACO_WORK, "car") is None


def test_feasibility_feeds_the_assessment_ladder(app, gtfs):
    platform = create_platform()
    person = create_commuter(platform, shift_start=time(21), shift_end=time(5),
                             has_licence_b=False, licence_b_since=None)
    feasibility = services.commute_feasibility_for(person)
    assert set(feasibility["modes"]) == {"walk", "bike", "e_bike", "two_wheel_motor", "car"}
    assert feasibility["transit"]["checked"] and feasibility["transit"]["feasible"] is False
    assert feasibility["modes"]["car"]["feasible"] is True
    assert feasibility["modes"]["car"]["distance_m"] > 0
    scored = score_assessment({**GOOD_ANSWERS, "hours": "night"},
                                   grid.merged_scoring(None), feasibility=feasibility)
    transit = next(lv for lv in scored["ladder"]["levels"]
                   if lv["level"] == "public_transport")
    # ruled out by the timetable (no trip home after 05:00), not by the word "night"
    assert transit["status"] == "ruled_out"
    assert {r["code"] for r in transit["reasons"]} == {"no_return"}
    assert db.session.scalar(select(func.count(CommuteCheck.id))) == 0


def test_feasibility_is_none_when_unknown(app, no_network):
    person = create_commuter(create_platform())
    assert services.commute_feasibility_for(person) is None


def test_rank_rides_for(app):
    person = create_commuter(create_platform())
    rides = [routing.CarpoolRide(CAP_DAIL_HOME, FONTVIEILLE_WORK, ride_id="far"),
             routing.CarpoolRide((43.7520, 7.4390), MONACO_WORK, ride_id="near")]
    matches = services.rank_rides_for(person, rides)
    assert matches and matches[0].ride_id == "near"


def test_capacities_from_the_latest_assessment(app):
    from mobility.people.models import MobilityAssessment

    platform = create_platform()
    person = create_commuter(platform, has_licence_b=False, licence_b_since=None)
    assert services.capacities_for(person)["source"] == "default"
    assert services.capacities_for(person)["has_licence_b"] is False
    answers = {**GOOD_ANSWERS, "rides_bike": "no", "two_wheeler": "no", "licence_b": "no"}
    db.session.add(MobilityAssessment(
        platform_id=platform.id, beneficiary_id=person.id, pathway_id=person.pathways[0].id,
        kind="entry", assessed_on=date(2025, 3, 1), answers=answers, sub_scores={},
        mobility_potential=50, ladder=[], scoring={}))
    db.session.commit()
    caps = services.capacities_for(person)
    assert caps["source"] == "assessment"
    assert caps["can_ride_bike"] is False and caps["has_moped_capacity"] is False
    check = services.run_check_for_beneficiary(None, person)
    levels = {lv["level"]: lv for lv in check.ladder["levels"]}
    # no feed, no rides, no minibus: walking is the only level the check can confirm
    assert check.recommended == ("walk" if check.modes["walk"]["feasible"] else None)
    assert levels["minibus"]["status"] == "ruled_out"
    assert levels["carpool"]["reasons"][0]["code"] == "no_carpool"
    assert levels["car"]["status"] == "ruled_out"
    assert levels["car"]["reasons"][0]["code"] == "no_licence_b"
    assert "cannot_ride_bike" in {r["code"] for r in levels["bike"]["reasons"]}


def test_parse_days(sqlite_app):
    monday = date(2025, 3, 5)  # a Wednesday: "monday" is the next Monday
    assert services.parse_days(["monday", "2025-03-05", "mercredi"], start=monday) == [
        date(2025, 3, 5), date(2025, 3, 10)]
    with pytest.raises(ValidationFailed):
        services.parse_days(["soon"])
    with pytest.raises(ValidationFailed):
        services.parse_days([f"2025-03-{d:02d}" for d in range(1, 20)])
    assert [d.weekday() for d in services.next_working_days(date(2025, 3, 8))] == [0, 1, 2, 3, 4]


def test_demo_load_is_idempotent(app):
    platform = create_platform()
    create_user("advisor", platform)
    demo.load(platform)  # no demo people: nothing
    assert db.session.scalar(select(func.count(CommuteCheck.id))) == 0
    create_commuter(platform, first_name="Julien", last_name="Moreau",
                    address=BEAUSOLEIL_ADDRESS, address_lat=None, address_lon=None,
                    workplace_address="Place du Casino, 98000 Monaco", workplace_lat=None,
                    workplace_lon=None)
    create_commuter(platform, first_name="Thomas", last_name="Bianchi",
                    address="5 avenue du 3 Septembre, 06320 Cap-d'Ail", address_lat=None,
                    address_lon=None, workplace_address="Rue du Gabian, 98000 Monaco",
                    workplace_lat=None, workplace_lon=None)
    demo.load(platform)
    demo.load(platform)
    assert db.session.scalar(select(func.count(CommuteCheck.id))) == 2


def test_erase_checks_for(app):
    platform = create_platform()
    person = create_commuter(platform)
    services.run_check_for_beneficiary(None, person, modes=["car"])
    assert services.erase_checks_for(person) == 1
    db.session.commit()
    assert services.latest_check_for(person) is None
