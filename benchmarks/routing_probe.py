"""Measure one routing cache in a fresh process; prints one JSON line (used by the routing
benchmarks, so load time and memory are those of a new gunicorn worker).

    python -m benchmarks.routing_probe CACHE_DIR TRIPS_JSON [--engine local|legacy] [--repeat N]

TRIPS_JSON is a list of [origin, destination] address pairs (geocoded offline).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path


def memory_mb() -> dict:
    """Resident memory of this process: in all, its own (anonymous: heap, arrays built in
    memory) and file pages (the memory-mapped cache, shared with every process mapping it and
    reclaimable), and private (pages no other process maps at the moment, files included)."""
    status = {line.split(":")[0]: int(line.split()[1])
              for line in Path("/proc/self/status").read_text().splitlines()
              if line.startswith(("VmRSS", "RssAnon", "RssFile", "RssShmem"))}
    private = 0
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith(("Private_Clean", "Private_Dirty")):
            private += int(line.split()[1])
    return {"rss_mb": status["VmRSS"] / 1024, "anon_mb": status["RssAnon"] / 1024,
            "file_mb": status["RssFile"] / 1024, "private_mb": private / 1024}


def mapped_files_mb(under: Path | None = None) -> dict[str, float]:
    """Resident size (MB) of each file this process maps (the sum of ``Rss`` over its
    mappings in ``/proc/self/smaps``), only the files under ``under`` when given."""
    out: dict[str, float] = {}
    current = None
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split(maxsplit=5)
        if len(head) >= 5 and "-" in head[0] and ":" in head[3]:  # a mapping's first line
            current = head[5] if len(head) == 6 and head[5].startswith("/") else None
            if current and under is not None and not current.startswith(str(under)):
                current = None
        elif current and line.startswith("Rss:"):
            out[current] = out.get(current, 0.0) + int(line.split()[1]) / 1024
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("cache", type=Path)
    parser.add_argument("trips", type=Path)
    parser.add_argument("--engine", choices=("local", "legacy"), default="local")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import routing

    trips = json.loads(args.trips.read_text())
    before = memory_mb()
    started = time.perf_counter()
    if args.engine == "local":
        engine = routing.LocalEngine.from_cache(args.cache)
    else:
        from routing.graph import GRAPH_SUFFIX, Graph
        from routing.legacy import DijkstraEngine, network_of_graph

        engine = DijkstraEngine({name: network_of_graph(
            Graph(name, args.cache / "networks" / f"{name}{GRAPH_SUFFIX}"))
            for name in ("walk", "cycle", "two_wheel_motor", "car")})
    engine_s = time.perf_counter() - started
    geocoder = routing.make_geocoder("offline", cache_dir=args.cache)
    load_s = time.perf_counter() - started
    usable = []
    for origin, destination in trips:  # warm-up; a trip the geocoder places off the network
        try:                            # is left out (and counted)
            routing.check_commute(engine, origin, destination, geocoder=geocoder)
        except (routing.OutsideNetworkArea, routing.AddressNotFound):
            continue
        usable.append((origin, destination))
    skipped = len(trips) - len(usable)
    trips = usable
    checks, routing_only = [], []
    points = [(geocoder.geocode(o).point, geocoder.geocode(d).point) for o, d in trips]
    for _ in range(args.repeat):
        for origin, destination in trips:
            t = time.perf_counter()
            routing.check_commute(engine, origin, destination, geocoder=geocoder)
            checks.append(time.perf_counter() - t)
        for home, work in points:
            t = time.perf_counter()
            routing.check_commute(engine, home, work)
            routing_only.append(time.perf_counter() - t)
    after = memory_mb()
    cache_files = {str(Path(k).relative_to(args.cache.resolve())): round(v, 2) for k, v in
                   mapped_files_mb(args.cache.resolve()).items()}
    print(json.dumps({
        "engine_load_s": engine_s, "load_s": load_s,
        "check_median_s": statistics.median(checks),
        "check_p95_s": sorted(checks)[int(0.95 * (len(checks) - 1))],
        "routing_only_median_s": statistics.median(routing_only),
        "checks": len(checks), "skipped_trips": skipped, "baseline": before, "after": after,
        "points": points, "mapped_files_mb": cache_files,
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
