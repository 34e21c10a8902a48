import math

import numpy as np
import pytest

import routing
from routing.network import (
    build_graph,
    car_way,
    cycle_way,
    filter_pbf_to_xml,
    network_from_graph,
    parse_maxspeed_kmh,
    two_wheel_motor_way,
    walk_way,
)

from .routing_data import BEAUSOLEIL_HOME, MONACO_PBF, MONACO_WORK, PARIS_PBF


def highways(engine, mode):
    return set(engine.graph(mode).network.edge_highway)


def test_scooter_network_has_no_motorway_cycleway_or_footway(engine):
    hw = highways(engine, "two_wheel_motor")
    assert "residential" in hw and "primary" in hw
    assert not hw & {"motorway", "motorway_link", "cycleway", "footway", "steps", "path",
                     "pedestrian"}


def test_scooter_speed_is_capped_at_45_kmh(engine):
    speeds = engine.graph("two_wheel_motor").edge_speed_kmh
    assert speeds.max() <= 45.0
    car = engine.graph("car")
    assert car.edge_speed_kmh.max() > 45.0  # the motorway above Monaco


def test_car_network_includes_motorway_but_no_footway(engine):
    hw = highways(engine, "car")
    assert "motorway" in hw
    assert not hw & {"footway", "steps", "cycleway", "path"}


def test_walk_network_has_steps_and_no_motorway(engine):
    hw = highways(engine, "walk")
    assert {"footway", "steps"} <= hw
    assert not hw & {"motorway", "motorway_link"}


def test_walk_network_is_two_way(engine):
    g = engine.graph("walk")
    forward = set(zip(g.network.edge_u.tolist(), g.network.edge_v.tolist(), strict=True))
    assert all((v, u) in forward for u, v in list(forward)[:500])


def test_bike_network_has_no_motorway_or_steps(engine):
    hw = highways(engine, "bike")
    assert not hw & {"motorway", "motorway_link", "steps", "footway"}


def test_e_bike_is_faster_than_bike_on_the_same_path(engine):
    bike = engine.route(BEAUSOLEIL_HOME, MONACO_WORK, mode="bike")
    ebike = engine.route(BEAUSOLEIL_HOME, MONACO_WORK, mode="e_bike")
    assert ebike.distance_m == pytest.approx(bike.distance_m)
    assert ebike.duration_s < bike.duration_s


def test_grades_slow_bikes_much_more_than_e_bikes():
    s = routing.SpeedSettings()
    assert s.graded_speed_kmh("bike", 0.0) == s.bike_kmh
    bike_up = s.graded_speed_kmh("bike", 0.08)
    ebike_up = s.graded_speed_kmh("e_bike", 0.08)
    assert bike_up < s.bike_kmh * 0.5
    assert ebike_up > 2 * bike_up
    assert s.graded_speed_kmh("walk", -0.05) > s.walk_kmh
    assert s.graded_speed_kmh("bike", math.nan) == s.bike_kmh
    with pytest.raises(routing.UnknownMode):
        s.graded_speed_kmh("car", 0.05)


def test_speed_settings_are_overridable(cache_dir):
    slow = routing.LocalEngine.from_cache(cache_dir, speeds=routing.SpeedSettings(bike_kmh=10.0),
                                          modes=["bike"])
    normal = routing.LocalEngine.from_cache(cache_dir, modes=["bike"])
    a = slow.route(BEAUSOLEIL_HOME, MONACO_WORK, mode="bike")
    b = normal.route(BEAUSOLEIL_HOME, MONACO_WORK, mode="bike")
    assert a.duration_s == pytest.approx(b.duration_s * 1.5, rel=1e-6)
    assert slow.modes == ("bike",)


@pytest.mark.parametrize(
    "tags, walk, cycle, moto, car",
    [
        ({"highway": "motorway"}, False, False, False, True),
        ({"highway": "cycleway"}, True, True, False, False),
        ({"highway": "footway"}, True, False, False, False),
        ({"highway": "footway", "bicycle": "designated"}, True, True, False, False),
        ({"highway": "residential"}, True, True, True, True),
        ({"highway": "residential", "access": "private"}, False, False, False, False),
        ({"highway": "trunk", "motorroad": "yes"}, False, False, False, True),
        ({"highway": "primary", "moped": "no"}, True, True, False, True),
        ({"highway": "steps"}, True, False, False, False),
        ({"highway": "construction"}, False, False, False, False),
        ({"building": "yes"}, False, False, False, False),
    ],
)
def test_way_filters(tags, walk, cycle, moto, car):
    assert (walk_way(tags), cycle_way(tags), two_wheel_motor_way(tags), car_way(tags)) == (
        walk, cycle, moto, car)


def test_parse_maxspeed():
    assert parse_maxspeed_kmh("50") == 50
    assert parse_maxspeed_kmh("30 mph") == pytest.approx(48.28, abs=0.01)
    assert parse_maxspeed_kmh("FR:urban") == 50
    assert parse_maxspeed_kmh(["70", "50"]) == 50
    assert math.isnan(parse_maxspeed_kmh("signals"))
    assert math.isnan(parse_maxspeed_kmh(None))


def test_clipped_extract_ways_with_missing_nodes_are_dropped(tmp_path):
    import osmium

    present = {n.id for n in osmium.FileProcessor(str(PARIS_PBF), osmium.osm.NODE)}
    broken = [w.id for w in osmium.FileProcessor(str(PARIS_PBF), osmium.osm.WAY)
              if "highway" in w.tags and any(n.ref not in present for n in w.nodes)]
    assert len(broken) > 100  # the README says 136
    paths = filter_pbf_to_xml(PARIS_PBF, tmp_path, networks=["cycle"])
    written = {w.id for w in osmium.FileProcessor(str(paths["cycle"]), osmium.osm.WAY)}
    assert written and not written & set(broken)
    net = network_from_graph("cycle", build_graph(paths["cycle"], network="cycle"))
    assert "cycleway" in set(net.edge_highway)
    assert np.all((net.lat > 48.8) & (net.lat < 48.9))


def test_cache_loads_every_mode(engine):
    assert engine.modes == routing.MODES


def test_missing_cache_means_network_not_configured(tmp_path):
    with pytest.raises(routing.NetworkNotConfigured):
        routing.LocalEngine.from_cache(tmp_path / "nothing-here")


def test_engine_without_a_mode_network_raises_network_not_configured(cache_dir):
    car_only = routing.LocalEngine.from_cache(cache_dir, modes=["car"])
    with pytest.raises(routing.NetworkNotConfigured):
        car_only.route(BEAUSOLEIL_HOME, MONACO_WORK, mode="walk")


def test_build_cache_missing_extract_is_a_named_error(tmp_path):
    with pytest.raises(routing.CacheBuildError):
        routing.build_cache(tmp_path / "missing.osm.pbf", tmp_path)


def test_build_cache_is_skipped_when_up_to_date(cache_dir):
    manifest = (cache_dir / "manifest.json").stat().st_mtime_ns
    assert routing.build_cache(MONACO_PBF, cache_dir) == cache_dir
    assert (cache_dir / "manifest.json").stat().st_mtime_ns == manifest


def test_cached_osmnx_graph_is_available(cache_dir):
    graph = routing.cache.osmnx_graphs(MONACO_PBF, cache_dir)["car"]
    assert graph.number_of_nodes() > 1000
