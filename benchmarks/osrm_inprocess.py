"""OSRM in-process (``osrm-bindings``): the same routes as a commute check, one query per
profile. Runs in the Python >= 3.12 virtualenv of routing/osrm_server.py; prints JSON.

    <osrm-venv>/bin/python benchmarks/osrm_inprocess.py SPEC_JSON

SPEC_JSON: {"files": {"foot": ".../x.osrm", ...}, "points": [[[lat, lon], [lat, lon]], ...],
"repeat": 5}.
"""

import json
import statistics
import sys
import time

import osrm


def main() -> int:
    with open(sys.argv[1]) as fh:
        spec = json.load(fh)
    started = time.perf_counter()
    engines = {p: osrm.OSRM(storage_config=f, algorithm="MLD", use_shared_memory=False)
               for p, f in spec["files"].items()}
    load_s = time.perf_counter() - started

    def check(home, work):
        coords = [(home[1], home[0]), (work[1], work[0])]
        for engine in engines.values():
            params = osrm.RouteParameters(coordinates=coords, overview="full",
                                          geometries="geojson")
            engine.Route(params)

    for home, work in spec["points"]:
        check(home, work)
    samples = []
    for _ in range(spec.get("repeat", 5)):
        for home, work in spec["points"]:
            t = time.perf_counter()
            check(home, work)
            samples.append(time.perf_counter() - t)
    print(json.dumps({"load_s": load_s, "check_median_s": statistics.median(samples)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
