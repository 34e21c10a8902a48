"""Routing benchmark on the Monaco extract: prints measured figures (no assertions).

    python benchmarks/routing.py [--repeat N] [--no-osrm]

Builds the routing cache if needed (``ROUTING_CACHE_DIR`` or ``.cache/routing``) and, unless
``--no-osrm``, prepares and starts osrm-routed (car, bicycle, foot) on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import osmnx as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import routing  # noqa: E402
from routing.network import NETWORK_OF_MODE  # noqa: E402

PBF = ROOT.parent / "shared" / "data" / "osm" / "monaco-riviera.osm.pbf"
TRIPS = [
    ("avenue de varavilla beausoleil", "gare sainte devote monaco"),
    ("1 av. pierre weck cap d'ail", "25 av albert II monaco"),
    ("boulevard de la republique beausoleil", "10 av princesse grace"),
    ("eze", "place du casino"),
    ("la turbie", "stade louis II"),
    ("roquebrune cap martin", "quai antoine 1er"),
    ("avenue des pins beausoleil", "bd du jardin exotique monaco"),
    ("cap d ail", "monte carlo"),
    ("boulevard du tenao", "rue grimaldi monaco"),
    ("avenue du 3 septembre cap d'ail", "larvotto"),
]


def pct(values, q):
    return float(np.percentile(values, q))


def timed(fn, repeat):
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def naive_check(graphs, geocoder, engine, speeds, origin, destination):
    """Same commute check with osmnx.shortest_path per mode (geocoding included)."""
    home = geocoder.geocode(origin).point
    work = geocoder.geocode(destination).point
    out = {}
    for mode in routing.MODES:
        g = graphs[mode]
        snap = engine.graph(mode)
        (s, t), _ = engine.snap([home, work], mode=mode)
        ids = snap.network.node_ids
        path = ox.shortest_path(g, int(ids[s]), int(ids[t]), weight=f"tt_{mode}")
        length = sum(min(d["length"] for d in g[u][v].values())
                     for u, v in zip(path[:-1], path[1:], strict=True))
        out[mode] = length
    return out


def add_travel_times(graph, mode, speeds):
    for _, _, data in graph.edges(data=True):
        flat = speeds.flat_speed_kmh(mode)
        kmh = flat if flat is not None else speeds.road_speeds_kmh.get(
            data["highway"][0] if isinstance(data["highway"], list) else data["highway"], 25.0)
        if mode == "two_wheel_motor":
            kmh = min(kmh, speeds.two_wheel_motor_max_kmh)
        data[f"tt_{mode}"] = data["length"] / (kmh / 3.6)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-osrm", action="store_true")
    args = parser.parse_args()
    cache = routing.build_cache(PBF)
    print(f"cache: {cache}")

    loads = timed(lambda: (routing.LocalEngine.from_cache(cache),
                           routing.make_geocoder("offline", cache_dir=cache)), 5)
    engine = routing.LocalEngine.from_cache(cache)
    geocoder = routing.make_geocoder("offline", cache_dir=cache)
    print(f"network+geocoder load from cache (5 modes): median {statistics.median(loads)*1000:.0f}"
          f" ms, max {max(loads)*1000:.0f} ms")

    def local_all():
        for o, d in TRIPS:
            routing.check_commute(engine, o, d, geocoder=geocoder)

    local_all()  # warm-up
    per_check = []
    for _ in range(args.repeat):
        for o, d in TRIPS:
            t = time.perf_counter()
            routing.check_commute(engine, o, d, geocoder=geocoder)
            per_check.append(time.perf_counter() - t)
    local_med = statistics.median(per_check)
    print(f"local commute check (5 modes, geocoding incl.), {len(per_check)} runs: "
          f"median {local_med*1000:.2f} ms, p95 {pct(per_check, 95)*1000:.2f} ms")

    speeds = engine.speeds
    graphs = {}
    for mode in routing.MODES:
        g = routing.load_graph(NETWORK_OF_MODE[mode], cache)
        add_travel_times(g, mode, speeds)
        graphs[mode] = g
    naive = []
    for _ in range(max(1, args.repeat // 2)):
        for o, d in TRIPS:
            t = time.perf_counter()
            naive_check(graphs, geocoder, engine, speeds, o, d)
            naive.append(time.perf_counter() - t)
    naive_med = statistics.median(naive)
    print(f"naive (osmnx.shortest_path per mode per trip, geocoding incl.), {len(naive)} runs: "
          f"median {naive_med*1000:.2f} ms, p95 {pct(naive, 95)*1000:.2f} ms")
    print(f"  ratio naive / local: {naive_med / local_med:.1f}x (target >= 20x)")

    if not args.no_osrm:
        from routing.osrm_server import ensure_osrm_venv, prepare_osrm_data, run_osrm_server

        vpy = ensure_osrm_venv(cache)
        with ExitStack() as stack:
            urls = {}
            for profile in ("car", "bicycle", "foot"):
                f = prepare_osrm_data(PBF, profile=profile, cache_dir=cache, venv_python=vpy)
                urls[profile] = stack.enter_context(run_osrm_server(f, venv_python=vpy))
            osrm = routing.OSRMEngine({"walk": urls["foot"], "bike": urls["bicycle"],
                                       "e_bike": urls["bicycle"], "two_wheel_motor": urls["car"],
                                       "car": urls["car"]})
            for o, d in TRIPS:
                routing.check_commute(osrm, o, d, geocoder=geocoder)
            remote = []
            for _ in range(args.repeat):
                for o, d in TRIPS:
                    t = time.perf_counter()
                    routing.check_commute(osrm, o, d, geocoder=geocoder)
                    remote.append(time.perf_counter() - t)
            osrm_med = statistics.median(remote)
            print(f"OSRM over HTTP (osrm-routed MLD, same check), {len(remote)} runs: "
                  f"median {osrm_med*1000:.2f} ms, p95 {pct(remote, 95)*1000:.2f} ms")
            print(f"  ratio local / OSRM: {local_med / osrm_med:.2f}x (target <= 3x)")

    rng = np.random.default_rng(42)
    car = engine.graph("car")
    nodes = car.snap_nodes

    def pts(n):
        idx = rng.choice(nodes, size=n)
        return list(zip(car.network.lat[idx].tolist(), car.network.lon[idx].tolist(),
                        strict=True))

    rides = [routing.CarpoolRide(o, d, i) for i, (o, d) in enumerate(zip(pts(500), pts(500),
                                                                          strict=True))]
    passengers = list(zip(pts(500), pts(500), strict=True))
    runs = timed(lambda: routing.match_carpools(engine, passengers, rides), 3)
    matches = routing.match_carpools(engine, passengers, rides)
    print(f"carpool ranking, 500 rides x 500 passengers: median {statistics.median(runs):.2f} s "
          f"(target < 2 s); {sum(map(len, matches))} acceptable pairs")
    print(routing.ATTRIBUTION)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
