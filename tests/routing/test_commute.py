from datetime import time

import pytest

import routing
from routing.commute import Shift, make_shift

from .routing_data import (
    BEAUSOLEIL_HOME,
    CAP_DAIL_HOME,
    FONTVIEILLE_WORK,
    MONACO_WORK,
    PARIS,
    SUNDAY,
    WEEK,
)


def test_beausoleil_to_monaco_by_day(engine, feed):
    check = routing.check_commute(engine, BEAUSOLEIL_HOME, MONACO_WORK, arrive_by=time(9),
                                  leave_at=time(17), days=WEEK, transit=feed)
    assert set(check.modes) == set(routing.MODES)
    for mode, result in check.modes.items():
        assert result.distance_m > 1000
        assert result.feasible == (result.duration_s <= {
            "walk": 30, "bike": 45, "e_bike": 45, "two_wheel_motor": 60, "car": 60}[mode] * 60)
        assert result.reasons[0].code == ("within_limit" if result.feasible else "too_long")
    assert check.modes["car"].feasible and check.modes["e_bike"].feasible
    assert check.transit.feasible
    day = check.transit.days[0]
    assert day.outbound.route_name == "T1" and day.inbound.route_name == "T1"
    assert day.outbound.arrive_at.time() <= time(9)
    assert day.inbound.leave_at.time() >= time(17)
    assert len(check.transit.days) == 5
    assert check.attribution == routing.ATTRIBUTION


def test_night_shift_has_no_public_transport_back(engine, feed):
    check = routing.check_commute(engine, BEAUSOLEIL_HOME, MONACO_WORK, arrive_by=time(21),
                                  leave_at=time(5), days=WEEK[:2], transit=feed)
    assert check.shift.ends_next_day
    assert not check.transit.feasible
    codes = {r.code for r in check.transit.reasons}
    assert "no_return" in codes
    assert check.transit.days[0].outbound is not None  # the 20:30 bus still gets there
    assert check.transit.days[0].inbound is None
    assert check.modes["car"].feasible  # road modes do not depend on the hour


def test_cap_dail_to_fontvieille_with_geocoding(engine, feed, geocoder):
    check = routing.check_commute(engine, "1 av. pierre weck cap d'ail", "25 av albert II monaco",
                                  arrive_by=time(8), leave_at=time(16, 30), days=WEEK,
                                  transit=feed, geocoder=geocoder)
    assert check.origin_label == "1 Avenue Pierre Weck, 06320 Cap-d'Ail"
    assert check.destination_label == "25 Avenue Albert II, Monaco"
    assert check.transit.feasible
    assert check.transit.days[0].outbound.route_name == "T2"
    assert check.modes["bike"].distance_m > 1500


def test_no_service_on_sunday(engine, feed):
    check = routing.check_commute(engine, CAP_DAIL_HOME, FONTVIEILLE_WORK, arrive_by=time(9),
                                  leave_at=time(17), days=[WEEK[0], SUNDAY], transit=feed)
    assert not check.transit.feasible
    monday, sunday = check.transit.days
    assert monday.feasible and not sunday.feasible


def test_shift_starting_too_early_for_the_first_bus(engine, feed):
    check = routing.check_commute(engine, BEAUSOLEIL_HOME, MONACO_WORK, arrive_by=time(5),
                                  leave_at=time(13), days=WEEK[:1], transit=feed)
    assert [r.code for r in check.transit.reasons] == ["no_outbound"]


def test_selected_modes_and_limits(engine):
    limits = routing.CommuteLimits(max_duration_min={"walk": 1, "car": 600})
    check = routing.check_commute(engine, BEAUSOLEIL_HOME, MONACO_WORK, modes=["walk", "car"],
                                  limits=limits)
    assert set(check.modes) == {"walk", "car"}
    assert not check.modes["walk"].feasible and check.modes["car"].feasible
    assert check.feasible_modes == ["car"]


def test_shift_semantics():
    night = Shift(time(21), time(5))
    assert night.ends_next_day and night.duration_s == 8 * 3600
    assert night.end_on(WEEK[0]).date() == WEEK[1]
    day = Shift(time(9), time(17))
    assert not day.ends_next_day and day.end_on(WEEK[0]).date() == WEEK[0]


@pytest.mark.parametrize(
    "arrive_by, leave_at",
    [(time(9), time(9)), (time(9), None), (None, time(17)), (time(6), time(23))],
)
def test_invalid_shifts(arrive_by, leave_at):
    with pytest.raises(routing.InvalidShift):
        make_shift(arrive_by, leave_at, limits=routing.CommuteLimits())


def test_origin_equals_destination(engine):
    with pytest.raises(routing.SameOriginDestination):
        routing.check_commute(engine, MONACO_WORK, (MONACO_WORK[0] + 0.00005, MONACO_WORK[1]))


def test_unknown_mode_in_commute(engine):
    with pytest.raises(routing.UnknownMode):
        routing.check_commute(engine, BEAUSOLEIL_HOME, MONACO_WORK, modes=["car", "jetpack"])


def test_unknown_address(engine, geocoder):
    with pytest.raises(routing.AddressNotFound):
        routing.check_commute(engine, "42 rue qui n'existe pas", MONACO_WORK, geocoder=geocoder)


def test_address_without_geocoder(engine):
    with pytest.raises(routing.GeocoderNotConfigured):
        routing.check_commute(engine, "beausoleil", MONACO_WORK)


def test_coordinates_outside_area(engine):
    with pytest.raises(routing.OutsideNetworkArea):
        routing.check_commute(engine, PARIS, MONACO_WORK)
    with pytest.raises(routing.InvalidCommute):
        routing.check_commute(engine, (123.0, 7.4), MONACO_WORK)


def test_transit_needs_shift_and_days(engine, feed):
    with pytest.raises(routing.InvalidShift):
        routing.check_commute(engine, BEAUSOLEIL_HOME, MONACO_WORK, transit=feed)


def test_no_network_configured(cache_dir):
    car_only = routing.LocalEngine.from_cache(cache_dir, modes=["car"])
    with pytest.raises(routing.NetworkNotConfigured):
        routing.check_commute(car_only, BEAUSOLEIL_HOME, MONACO_WORK)
    assert routing.check_commute(car_only, BEAUSOLEIL_HOME, MONACO_WORK,
                                 modes=["car"]).modes["car"].feasible
