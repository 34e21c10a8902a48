"""Routing at the size of a territory: synthetic PBF territories of 10k to 640k walking nodes.

    python -m benchmarks.territories [--sizes 10000 40000 160000 640000] [--no-osrm] [--legacy]

For each size: generates the territory (``benchmarks/territory.py``, kept in
``.cache/territories/``), builds it with the project's ``routing build`` (timed), then in a
fresh process opens the cache and runs 5-mode commute checks between addresses of
neighbouring towns (geocoding included), and prints load time, check time and memory; the
same for OSRM (osrm-routed MLD over HTTP, 3 requests per check, and in-process through
osrm-bindings) on the same PBF. ``--legacy`` also runs the previous whole-graph engine and
opens the previous pickled geocoder index (built once beside the cache).
Targets (160,000 nodes): check < 10 ms median, load < 0.5 s, < 150 MB per worker.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import routing
from benchmarks.routing import ms, osrm_in_process, probe
from benchmarks.territory import write_territory

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".cache" / "territories"


def trips_of(towns, count: int = 20, seed: int = 1) -> list[list[str]]:
    """Address pairs between towns 3 to 15 km apart."""
    rng = random.Random(seed)
    pairs = [(a, b) for a in towns for b in towns
             if a is not b and a.addresses and b.addresses
             and 3000 < math.hypot(a.x - b.x, a.y - b.y) < 15000]
    rng.shuffle(pairs)
    return [[f"{rng.choice(a.addresses)} {a.name}", f"{rng.choice(b.addresses)} {b.name}"]
            for a, b in pairs[:count]]


def territory(size: int) -> tuple[Path, Path, float | None]:
    """PBF, cache and build time (None when the cache was already built) of one size."""
    WORK.mkdir(parents=True, exist_ok=True)
    pbf = WORK / f"territory-{size}.osm.pbf"
    trips = WORK / f"territory-{size}.trips.json"
    if not pbf.exists() or not trips.exists():
        towns = write_territory(pbf, size)
        trips.write_text(json.dumps(trips_of(towns)))
    cache = WORK / f"cache-{size}"
    fresh = (cache / "manifest.json").exists()
    started = time.perf_counter()
    routing.build_cache(pbf, cache)
    return pbf, cache, None if fresh else time.perf_counter() - started


def rss_mb(pid: int) -> float:
    """Resident memory of a process."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(x.split()[1] for x in status.splitlines() if x.startswith("VmRSS"))) / 1024


LEGACY_GEOCODER_PROBE = """
import json, sys, time
from benchmarks.routing_probe import memory_mb
from benchmarks.baselines.pickled_geocoder import PickledGeocoder
before = memory_mb()
started = time.perf_counter()
g = PickledGeocoder.load(sys.argv[1])
load_s = time.perf_counter() - started
trips = json.loads(open(sys.argv[2]).read())
samples = []
for origin, destination in trips:
    t = time.perf_counter()
    for q in (origin, destination):
        g.search(q, limit=1)
    samples.append(time.perf_counter() - t)
samples.sort()
print(json.dumps({"load_s": load_s, "geocode_median_s": samples[len(samples) // 2],
                  "before": before, "after": memory_mb()}))
"""


def legacy_geocoder(pbf: Path, cache: Path, trips: Path) -> dict:
    """The previous pickled geocoder index of the same extract, opened in a fresh process."""
    from benchmarks.baselines.pickled_geocoder import PickledGeocoder
    from routing.geocoder_build import build_geocoder

    path = cache / "geocoder-legacy.pkl"
    if not path.exists():
        build_geocoder(pbf, into=PickledGeocoder()).save(path)
    out = subprocess.run([sys.executable, "-c", LEGACY_GEOCODER_PROBE, str(path), str(trips)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def run_osrm(pbf: Path, cache: Path, points, repeat: int) -> dict:
    """OSRM over HTTP and in-process on the same PBF."""
    from routing.osrm_server import (
        SERVER_PIDS,
        ensure_osrm_venv,
        prepare_osrm_data,
        run_osrm_server,
    )

    vpy = ensure_osrm_venv(ROOT / ".cache" / "routing")
    started = time.perf_counter()
    files = {p: prepare_osrm_data(pbf, profile=p, cache_dir=cache, venv_python=vpy)
             for p in ("foot", "bicycle", "car")}
    prepare_s = time.perf_counter() - started
    out = {"prepare_s": prepare_s}
    with ExitStack() as stack:
        started = time.perf_counter()
        urls = {p: stack.enter_context(run_osrm_server(f, venv_python=vpy))
                for p, f in files.items()}
        out["start_s"] = time.perf_counter() - started
        osrm = routing.OSRMEngine({"walk": urls["foot"], "bike": urls["bicycle"],
                                   "e_bike": urls["bicycle"], "two_wheel_motor": urls["car"],
                                   "car": urls["car"]})
        for home, work in points:
            routing.check_commute(osrm, home, work)
        samples = []
        for _ in range(repeat):
            for home, work in points:
                t = time.perf_counter()
                routing.check_commute(osrm, home, work)
                samples.append(time.perf_counter() - t)
        out["http_check_s"] = statistics.median(samples)
        out["rss_mb"] = sum(rss_mb(SERVER_PIDS[u]) for u in urls.values())
    out["inprocess"] = osrm_in_process(vpy, files, points, repeat)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 40_000, 160_000,
                                                                 640_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-osrm", action="store_true")
    parser.add_argument("--legacy", action="store_true")
    args = parser.parse_args()
    for size in args.sizes:
        pbf, cache, build_s = territory(size)
        manifest = json.loads((cache / "manifest.json").read_text())
        nodes = {n: s["nodes"] for n, s in manifest["networks"].items()}
        trips = json.loads((WORK / f"territory-{size}.trips.json").read_text())
        built = f"built in {build_s:.0f} s" if build_s else \
            f"built earlier in {manifest['build_s']['total']:.0f} s"
        print(f"\n== territory {size:,} (walk {nodes['walk']:,}, cycle {nodes['cycle']:,}, "
              f"scooter {nodes['two_wheel_motor']:,}, car {nodes['car']:,} nodes; "
              f"{pbf.stat().st_size / 1e6:.1f} MB PBF; {built}; {len(trips)} trips)")
        load_before = os.getloadavg()[0]
        r = probe(cache, trips, "local", args.repeat)
        print(f"  (load average {load_before:.1f} before the probe, "
              f"{os.getloadavg()[0]:.1f} after, {os.cpu_count()} cores)")
        if r["skipped_trips"]:
            print(f"  ({r['skipped_trips']} trips left out: an address geocoded off the network)")
        goal = " | goal (160k) " if size == 160_000 else " | "
        print(f"  new engine: load {ms(r['load_s'])} (engine {ms(r['engine_load_s'])})"
              f"{goal}< 500 ms")
        print(f"  new engine: 5-mode check with geocoding median {ms(r['check_median_s'])}, "
              f"p95 {ms(r['check_p95_s'])}, routing only {ms(r['routing_only_median_s'])}"
              f"{goal}< 10 ms")
        a, b = r["after"], r["baseline"]
        cache_mb = sum(r["mapped_files_mb"].values())
        print(f"  new engine: RSS {a['rss_mb']:.0f} MB (imports alone {b['rss_mb']:.0f} MB) = "
              f"own (anonymous) {a['anon_mb']:.0f} MB (+{a['anon_mb'] - b['anon_mb']:.0f} MB "
              f"over the imports) + mapped file pages {a['file_mb']:.0f} MB (shared by the "
              f"workers, reclaimable: the cache's {cache_mb:.0f} MB, libraries "
              f"{a['file_mb'] - cache_mb:.0f} MB){goal}< 150 MB per worker")
        files = sorted(r["mapped_files_mb"].items(), key=lambda kv: -kv[1])
        print("  new engine: mapped cache pages per file: "
              + ", ".join(f"{name} {mb:.1f}" for name, mb in files if mb >= 0.05) + " (MB)")
        if args.legacy:
            old = probe(cache, trips, "legacy", max(1, args.repeat // 2))
            print(f"  previous engine: load {ms(old['load_s'])}, check "
                  f"{ms(old['check_median_s'])}, RSS {old['after']['rss_mb']:.0f} MB")
            lg = legacy_geocoder(pbf, cache, WORK / f"territory-{size}.trips.json")
            print(f"  previous (pickled) geocoder alone: load {ms(lg['load_s'])}, geocoding a "
                  f"trip's 2 addresses {ms(lg['geocode_median_s'])}, RSS "
                  f"+{lg['after']['rss_mb'] - lg['before']['rss_mb']:.0f} MB")
        if not args.no_osrm:
            o = run_osrm(pbf, cache, r["points"], args.repeat)
            line = (f"  OSRM: prepare (3 profiles) {o['prepare_s']:.0f} s, servers up in "
                    f"{o['start_s']:.1f} s, RSS {o['rss_mb']:.0f} MB for 3 servers; HTTP check "
                    f"(3 requests) {ms(o['http_check_s'])} vs new {ms(r['routing_only_median_s'])}")
            if o["inprocess"]:
                line += (f"; in-process load {ms(o['inprocess']['load_s'])}, check "
                         f"{ms(o['inprocess']['check_median_s'])}")
            print(line)
    print(routing.ATTRIBUTION)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
