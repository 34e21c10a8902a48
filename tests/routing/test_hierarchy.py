"""The contraction-hierarchy engine against the engine it replaces, and its cache layout.

The reference is live old code: osmnx's pipeline (``routing.cache.osmnx_graphs``, built once
per extract and cached) feeding the whole-graph Dijkstra engine of cache format 2
(``routing.legacy.DijkstraEngine``).
"""

from __future__ import annotations

import mmap

import numpy as np
import pytest

import routing
from benchmarks.routing_trips import TRIPS
from benchmarks.territory import write_territory
from routing.builder import build_networks
from routing.cache import osmnx_graphs
from routing.legacy import DijkstraEngine, network_of_graph
from routing.network import network_from_graph

from .routing_data import BEAUSOLEIL_HOME, CAP_DAIL_HOME, MONACO_PBF, MONACO_WORK


@pytest.fixture(scope="module")
def reference(cache_dir):
    return osmnx_graphs(MONACO_PBF, cache_dir)


@pytest.fixture(scope="module")
def old_engine(reference):
    return DijkstraEngine.from_osmnx(reference)


def _edges(node_ids, u, v, length, highway, maxspeed):
    return sorted(zip(node_ids[u].tolist(), node_ids[v].tolist(), np.round(length, 6).tolist(),
                      list(highway), np.nan_to_num(maxspeed, nan=-1).tolist(), strict=True))


def test_fast_builder_gives_the_osmnx_networks(reference):
    built = build_networks(MONACO_PBF)
    for name, graph in reference.items():
        ref = network_from_graph(name, graph)
        new = built[name]
        assert np.array_equal(new["node_ids"], ref.node_ids)
        assert np.array_equal(new["lat"], ref.lat)
        assert (_edges(new["node_ids"], new["edge_u"], new["edge_v"], new["edge_length_m"],
                       new["edge_highway"], new["edge_maxspeed_kmh"])
                == _edges(ref.node_ids, ref.edge_u, ref.edge_v, ref.edge_length_m,
                          ref.edge_highway, ref.edge_maxspeed_kmh))


def test_demo_trips_give_the_old_engines_distances_and_times(engine, old_engine, geocoder):
    compared = 0
    for origin, destination in TRIPS:
        new = routing.check_commute(engine, origin, destination, geocoder=geocoder)
        old = routing.check_commute(old_engine, origin, destination, geocoder=geocoder)
        for mode in routing.MODES:
            a, b = new.modes[mode], old.modes[mode]
            assert a.distance_m == pytest.approx(b.distance_m, rel=1e-12), (origin, mode)
            assert a.duration_s == pytest.approx(b.duration_s, rel=1e-12), (origin, mode)
            assert a.feasible == b.feasible
            assert a.route.geometry == b.route.geometry
            compared += 1
    assert compared == len(TRIPS) * len(routing.MODES)


@pytest.mark.parametrize("mode", ["walk", "e_bike", "car"])
def test_tables_give_the_old_engines_figures(engine, old_engine, mode):
    points = [BEAUSOLEIL_HOME, CAP_DAIL_HOME, MONACO_WORK, (43.7398, 7.4251), (43.7289, 7.3620)]
    new = engine.table(points, points[::-1], mode=mode)
    old = old_engine.table(points, points[::-1], mode=mode)
    assert new.durations_s == pytest.approx(old.durations_s, rel=1e-9)
    assert new.distances_m == pytest.approx(old.distances_m, rel=1e-9)


def test_bike_and_e_bike_share_one_hierarchy_and_one_search(engine):
    bike, e_bike = engine.graph("bike"), engine.graph("e_bike")
    assert bike.hierarchy is e_bike.hierarchy
    assert e_bike.scale == pytest.approx(15 / 20)
    routes = engine.routes(BEAUSOLEIL_HOME, MONACO_WORK, modes=["bike", "e_bike"])
    assert routes["bike"].geometry == routes["e_bike"].geometry
    assert routes["e_bike"].duration_s == pytest.approx(routes["bike"].duration_s * 15 / 20)


def test_other_motor_speeds_are_contracted_at_load_and_still_exact(cache_dir):
    speeds = routing.SpeedSettings(road_speed_factor=0.7, car_max_kmh=90.0)
    new = routing.LocalEngine.from_cache(cache_dir, speeds=speeds, modes=["car"])
    graph = new.graph("car").network
    old = DijkstraEngine({"car": network_of_graph(graph)}, speeds=speeds, modes=["car"])
    for origin, destination in [(BEAUSOLEIL_HOME, MONACO_WORK), (CAP_DAIL_HOME, MONACO_WORK)]:
        a = new.route(origin, destination, mode="car")
        b = old.route(origin, destination, mode="car")
        assert a.duration_s == pytest.approx(b.duration_s, rel=1e-12)
        assert a.distance_m == pytest.approx(b.distance_m, rel=1e-12)


def test_networks_are_memory_mapped_read_only(engine):
    graph = engine.graph("walk").network
    search = engine.graph("walk").hierarchy.arrays["arc_search"]
    for arr in (graph.edge_v, graph.geom_stored, search):
        assert not arr.flags.writeable
        base = arr
        while isinstance(base, np.ndarray):
            base = base.base
        assert isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap)


@pytest.fixture(scope="module")
def territory(tmp_path_factory):
    """A small synthetic territory (one-way streets, missing links, footways, a motorway)."""
    work = tmp_path_factory.mktemp("territory")
    pbf = work / "territory.osm.pbf"
    towns = write_territory(pbf, 3000, seed=5)
    return routing.build_cache(pbf, work / "cache"), towns


@pytest.mark.parametrize("mode", ["walk", "bike", "two_wheel_motor", "car"])
def test_hierarchy_matches_dijkstra_on_a_synthetic_territory(territory, mode):
    cache, _ = territory
    new = routing.LocalEngine.from_cache(cache, modes=[mode])
    graph = new.graph(mode).network
    old = DijkstraEngine({graph.name: network_of_graph(graph)}, modes=[mode])
    rng = np.random.default_rng(3)
    nodes = rng.choice(graph.snap_nodes, size=24, replace=False)
    points = list(zip(graph.lat[nodes].tolist(), graph.lon[nodes].tolist(), strict=True))
    for a, b in zip(points[:12], points[12:], strict=True):
        r_new, r_old = new.route(a, b, mode=mode), old.route(a, b, mode=mode)
        assert r_new.duration_s == pytest.approx(r_old.duration_s, rel=1e-9)
    t_new, t_old = new.table(points[:6], points[6:], mode=mode), old.table(
        points[:6], points[6:], mode=mode)
    assert t_new.durations_s == pytest.approx(t_old.durations_s, rel=1e-9)


def test_synthetic_territory_has_one_way_streets_and_addresses(territory):
    cache, towns = territory
    engine = routing.LocalEngine.from_cache(cache)
    car = engine.graph("car").network
    pairs = set(zip(car.edge_u.tolist(), car.edge_v.tolist(), strict=True))
    assert any((v, u) not in pairs for u, v in pairs)  # one-way streets
    assert "motorway" in set(car.edge_highway)
    assert {"footway", "steps"} <= set(engine.graph("walk").network.edge_highway)
    geocoder = routing.make_geocoder("offline", cache_dir=cache)
    town = max(towns, key=lambda t: len(t.addresses))
    found = geocoder.geocode(f"{town.addresses[0]} {town.name}")
    assert found.kind == "address" and found.city == town.name


def test_geometry_and_speed_limits_are_stored_narrower_only_when_exact():
    from routing.graph import FIXED_SCALE, _compact_points, _narrowest_float

    osm = np.array([[43.7384312, 7.4246158], [-12.5, 179.9999999]])
    fixed = _compact_points(osm)
    assert fixed.dtype == np.int32 and np.array_equal(fixed / FIXED_SCALE, osm)
    finer = np.array([[43.73843125, 7.4246158]])  # below OSM's precision: kept as it is
    assert _compact_points(finer).dtype == np.float64
    assert _narrowest_float(np.array([50.0, np.nan, 30.0])).dtype == np.float32
    assert _narrowest_float(np.array([48.28032, np.nan])).dtype == np.float64


def test_hierarchy_layout_is_renumbered_but_callers_see_network_ids(engine, cache_dir):
    view = engine.graph("car")
    arrays = view.hierarchy.arrays
    node_of, input_node = np.asarray(arrays["node_of"]), np.asarray(arrays["input_node"])
    assert np.array_equal(input_node[node_of], np.arange(view.network.node_count))
    assert not np.array_equal(node_of, np.arange(len(node_of)))  # really renumbered
    (s, t), _ = engine.snap([BEAUSOLEIL_HOME, MONACO_WORK], mode="car")
    edges = view.hierarchy.path_edges(s, t)
    u, v = view.network.edge_u[edges], view.network.edge_v[edges]
    assert u[0] == s and v[-1] == t and np.array_equal(v[:-1], u[1:])
