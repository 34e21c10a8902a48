"""Routing benchmark on the demo's Monaco extract: prints each goal next to its measured figure.

    python -m benchmarks.routing [--repeat N] [--no-osrm]

Builds the routing cache if needed (``ROUTING_CACHE_DIR`` or ``.cache/routing``), the osmnx
graphs of the naive baseline, and unless ``--no-osrm`` prepares osrm-routed (car, bicycle,
foot) on 127.0.0.1 and runs OSRM in-process through osrm-bindings (Python >= 3.12 venv).
Load time and memory are measured in a fresh process (``benchmarks.routing_probe``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import routing  # noqa: E402
from benchmarks.routing_trips import TRIPS  # noqa: E402
from routing.cache import osmnx_graphs  # noqa: E402
from routing.settings import NETWORK_OF_MODE  # noqa: E402

PBF = ROOT.parent / "shared" / "data" / "osm" / "monaco-riviera.osm.pbf"


def probe(cache: Path, trips, engine: str = "local", repeat: int = 5) -> dict:
    """Run benchmarks.routing_probe in a fresh interpreter."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(trips, fh)
    out = subprocess.run([sys.executable, "-m", "benchmarks.routing_probe", str(cache), fh.name,
                          "--engine", engine, "--repeat", str(repeat)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    Path(fh.name).unlink()
    return json.loads(out.stdout)


def osrm_in_process(vpy: Path, files: dict, points, repeat: int) -> dict | None:
    """OSRM through osrm-bindings in its own venv, or None when it cannot run."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump({"files": {k: str(v) for k, v in files.items()}, "points": points,
                   "repeat": repeat}, fh)
    proc = subprocess.run([str(vpy), str(ROOT / "benchmarks" / "osrm_inprocess.py"), fh.name],
                          capture_output=True, text=True)
    Path(fh.name).unlink()
    if proc.returncode != 0:
        print(f"  OSRM in-process failed: {proc.stderr[-500:]}")
        return None
    return json.loads(proc.stdout)


def add_travel_times(graph, mode, speeds):
    """Edge travel times for osmnx.shortest_path (class speeds, as the engine's defaults)."""
    for _, _, data in graph.edges(data=True):
        flat = speeds.flat_speed_kmh(mode)
        hw = data["highway"][0] if isinstance(data["highway"], list) else data["highway"]
        kmh = flat if flat is not None else speeds.road_speeds_kmh.get(hw, 25.0)
        if mode == "two_wheel_motor":
            kmh = min(kmh, speeds.two_wheel_motor_max_kmh)
        data[f"tt_{mode}"] = data["length"] / (kmh / 3.6)


def naive_check(graphs, geocoder, engine, origin, destination):
    """The same check with osmnx.shortest_path per mode (geocoding included)."""
    import osmnx as ox

    home = geocoder.geocode(origin).point
    work = geocoder.geocode(destination).point
    out = {}
    for mode in routing.MODES:
        g = graphs[mode]
        (s, t), _ = engine.snap([home, work], mode=mode)
        ids = engine.graph(mode).network.node_ids
        path = ox.shortest_path(g, int(ids[s]), int(ids[t]), weight=f"tt_{mode}")
        out[mode] = sum(min(d["length"] for d in g[u][v].values())
                        for u, v in zip(path[:-1], path[1:], strict=True))
    return out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-osrm", action="store_true")
    args = parser.parse_args()
    cache = routing.build_cache(PBF)
    manifest = json.loads((cache / "manifest.json").read_text())
    sizes = {n: s["nodes"] for n, s in manifest["networks"].items()}
    print(f"Monaco extract {PBF.name}: nodes per network {sizes}; {len(TRIPS)} trips x "
          f"{args.repeat} runs; {routing.ATTRIBUTION}")
    new = probe(cache, TRIPS, "local", args.repeat)
    old = probe(cache, TRIPS, "legacy", args.repeat)
    local_med = new["check_median_s"]
    print(f"load engine + geocoder (fresh process): {ms(new['load_s'])} "
          f"(engine {ms(new['engine_load_s'])}) | goal < 500 ms")
    print(f"5-mode commute check, geocoding included: median {ms(local_med)}, "
          f"p95 {ms(new['check_p95_s'])} (routing only {ms(new['routing_only_median_s'])})")
    print(f"previous engine (whole-graph Dijkstra): median {ms(old['check_median_s'])}, "
          f"load {ms(old['load_s'])} -> {old['check_median_s'] / local_med:.1f}x slower")
    print(f"memory after load and checks: RSS {new['after']['rss_mb']:.0f} MB "
          f"(+{new['after']['rss_mb'] - new['baseline']['rss_mb']:.0f} MB over the imports), "
          f"private {new['after']['private_mb']:.0f} MB | goal < 150 MB per worker")

    engine = routing.LocalEngine.from_cache(cache)
    geocoder = routing.make_geocoder("offline", cache_dir=cache)
    nets = osmnx_graphs(PBF, cache)
    graphs = {}
    for mode in routing.MODES:
        g = nets[NETWORK_OF_MODE[mode]].copy()
        add_travel_times(g, mode, engine.speeds)
        graphs[mode] = g
    naive = []
    for _ in range(max(1, args.repeat // 2)):
        for o, d in TRIPS:
            t = time.perf_counter()
            naive_check(graphs, geocoder, engine, o, d)
            naive.append(time.perf_counter() - t)
    naive_med = statistics.median(naive)
    print(f"naive osmnx.shortest_path per mode: median {ms(naive_med)} -> "
          f"{naive_med / local_med:.0f}x the new check | goal >= 50x")

    if not args.no_osrm:
        from routing.osrm_server import ensure_osrm_venv, prepare_osrm_data, run_osrm_server

        vpy = ensure_osrm_venv(cache)
        files = {p: prepare_osrm_data(PBF, profile=p, cache_dir=cache, venv_python=vpy)
                 for p in ("foot", "bicycle", "car")}
        with ExitStack() as stack:
            urls = {p: stack.enter_context(run_osrm_server(f, venv_python=vpy))
                    for p, f in files.items()}
            osrm = routing.OSRMEngine({"walk": urls["foot"], "bike": urls["bicycle"],
                                       "e_bike": urls["bicycle"], "two_wheel_motor": urls["car"],
                                       "car": urls["car"]})  # one kept-alive session
            for o, d in TRIPS:
                routing.check_commute(osrm, o, d, geocoder=geocoder)
            remote = []
            for _ in range(args.repeat):
                for o, d in TRIPS:
                    t = time.perf_counter()
                    routing.check_commute(osrm, o, d, geocoder=geocoder)
                    remote.append(time.perf_counter() - t)
        osrm_med = statistics.median(remote)
        print(f"OSRM over HTTP (MLD, 3 requests per check: foot, bicycle, car; kept-alive "
              f"session; same geocoding): median {ms(osrm_med)} -> the new check takes "
              f"{local_med / osrm_med:.2f}x its time | goal < 1x")
        inproc = osrm_in_process(vpy, files, new["points"], args.repeat)
        if inproc:
            routing_only = new["routing_only_median_s"]
            print(f"OSRM in-process (osrm-bindings, MLD, 3 route queries with full geometry, "
                  f"no geocoding): median {ms(inproc['check_median_s'])}; the new check without "
                  f"geocoding {ms(routing_only)} = {routing_only / inproc['check_median_s']:.2f}x "
                  f"| goal <= 2x")

    rng = np.random.default_rng(42)
    car = engine.graph("car").network
    nodes = car.snap_nodes

    def pts(n):
        idx = rng.choice(nodes, size=n)
        return list(zip(car.lat[idx].tolist(), car.lon[idx].tolist(), strict=True))

    rides = [routing.CarpoolRide(o, d, i) for i, (o, d) in enumerate(zip(pts(500), pts(500),
                                                                          strict=True))]
    passengers = list(zip(pts(500), pts(500), strict=True))
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        matches = routing.match_carpools(engine, passengers, rides)
        runs.append(time.perf_counter() - t)
    print(f"carpool ranking, 500 rides x 500 passengers: median {statistics.median(runs):.2f} s "
          f"| goal < 2 s ({sum(map(len, matches))} acceptable pairs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
