import numpy as np
import pytest

import routing
from routing.network import haversine_m

from .routing_data import AT_SEA, BEAUSOLEIL_HOME, CAP_DAIL_HOME, MONACO_WORK, PARIS


@pytest.mark.parametrize("mode", routing.MODES)
def test_route_geometry_joins_origin_and_destination(engine, mode):
    r = engine.route(BEAUSOLEIL_HOME, MONACO_WORK, mode=mode)
    assert r.attribution == routing.ATTRIBUTION
    assert haversine_m(*r.geometry[0], *BEAUSOLEIL_HOME) < 300
    assert haversine_m(*r.geometry[-1], *MONACO_WORK) < 300
    crow = haversine_m(*BEAUSOLEIL_HOME, *MONACO_WORK)
    assert crow < r.distance_m < 4 * crow
    geometry_m = sum(haversine_m(*a, *b) for a, b in zip(r.geometry, r.geometry[1:], strict=False))
    assert geometry_m == pytest.approx(r.distance_m, rel=0.02)
    assert r.duration_s > 0


def test_modes_rank_by_speed(engine):
    d = {m: engine.route(CAP_DAIL_HOME, MONACO_WORK, mode=m).duration_s for m in routing.MODES}
    assert d["walk"] > d["bike"] > d["e_bike"] > d["car"]
    assert d["two_wheel_motor"] >= d["car"]


def test_table_matches_routes(engine):
    origins = [BEAUSOLEIL_HOME, CAP_DAIL_HOME]
    dests = [MONACO_WORK, BEAUSOLEIL_HOME, CAP_DAIL_HOME]
    t = engine.table(origins, dests, mode="car")
    assert t.durations_s.shape == (2, 3)
    for i, o in enumerate(origins):
        for j, d in enumerate(dests):
            if o == d:
                assert t.distances_m[i, j] == 0
                continue
            r = engine.route(o, d, mode="car")
            assert t.distances_m[i, j] == pytest.approx(r.distance_m)
            assert t.durations_s[i, j] == pytest.approx(r.duration_s)


def test_one_to_many(engine):
    t = engine.one_to_many(BEAUSOLEIL_HOME, [MONACO_WORK, CAP_DAIL_HOME], mode="bike")
    assert t.distances_m.shape == (1, 2)
    assert np.all(t.distances_m > 0)


def test_one_way_streets_make_car_trips_asymmetric(engine):
    there = engine.route(BEAUSOLEIL_HOME, MONACO_WORK, mode="car").distance_m
    back = engine.route(MONACO_WORK, BEAUSOLEIL_HOME, mode="car").distance_m
    walk_there = engine.route(BEAUSOLEIL_HOME, MONACO_WORK, mode="walk").distance_m
    walk_back = engine.route(MONACO_WORK, BEAUSOLEIL_HOME, mode="walk").distance_m
    assert there != pytest.approx(back, rel=0.01)
    assert walk_there == pytest.approx(walk_back, rel=1e-9)


@pytest.mark.parametrize("point", [AT_SEA, PARIS])
def test_points_far_from_the_network_are_outside_area(engine, point):
    with pytest.raises(routing.OutsideNetworkArea):
        engine.route(point, MONACO_WORK, mode="car")
    with pytest.raises(routing.OutsideNetworkArea):
        engine.table([MONACO_WORK], [point], mode="walk")


def test_snap_distance_is_configurable(cache_dir):
    strict = routing.LocalEngine.from_cache(cache_dir, modes=["car"], max_snap_distance_m=1.0)
    with pytest.raises(routing.OutsideNetworkArea):
        strict.route(BEAUSOLEIL_HOME, MONACO_WORK, mode="car")


def test_unknown_mode(engine):
    with pytest.raises(routing.UnknownMode):
        engine.route(BEAUSOLEIL_HOME, MONACO_WORK, mode="rocket")
