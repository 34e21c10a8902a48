import math

import pytest

import routing

from .routing_data import BEAUSOLEIL_HOME, CAP_DAIL_HOME, MONACO_WORK


@pytest.mark.parametrize("mode", ["car", "two_wheel_motor", "e_bike"])
def test_allowance_is_120_percent_of_the_round_trip(engine, mode):
    there = engine.route(BEAUSOLEIL_HOME, MONACO_WORK, mode=mode).distance_m
    back = engine.route(MONACO_WORK, BEAUSOLEIL_HOME, mode=mode).distance_m
    km = routing.daily_mileage_allowance_km(engine, BEAUSOLEIL_HOME, MONACO_WORK, mode=mode)
    exact = 1.2 * (there + back) / 1000
    assert exact <= km < exact + 0.1
    assert km == math.ceil(exact * 10) / 10


def test_allowance_depends_on_mode_and_trip(engine):
    car = routing.daily_mileage_allowance_km(engine, CAP_DAIL_HOME, MONACO_WORK, mode="car")
    far = routing.daily_mileage_allowance_km(engine, BEAUSOLEIL_HOME, MONACO_WORK, mode="car")
    assert 5 < car < 20 and far != car


def test_allowance_bad_inputs(engine):
    with pytest.raises(routing.UnknownMode):
        routing.daily_mileage_allowance_km(engine, CAP_DAIL_HOME, MONACO_WORK, mode="plane")
    with pytest.raises(routing.OutsideNetworkArea):
        routing.daily_mileage_allowance_km(engine, (48.86, 2.37), MONACO_WORK, mode="car")
