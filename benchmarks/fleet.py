"""Fleet benchmark: availability search and booking on 10,000 vehicles and 1,000,000 rentals.

    python -m benchmarks.fleet                 # SQLite (scratch file) and PostgreSQL
    python -m benchmarks.fleet --only sqlite --rentals 100000

Never touches the dev database: SQLite goes to a temporary file, PostgreSQL to a scratch
database created and dropped here (`BENCH_POSTGRES_URL`, default the local server).
Prints the median and 95th percentile of each operation. Targets: availability < 50 ms,
booking < 100 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta
from types import SimpleNamespace

import sqlalchemy as sa

from benchmarks.fleet_data import generate, run_on_scratch_databases


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def run(database_url: str, *, rentals: int, vehicles: int, sites: int, samples: int) -> dict:
    from fleet import services
    from fleet.models import VEHICLE_KINDS
    from mobility import create_app
    from mobility.core.db import db
    from mobility.core.errors import Conflict

    # GEOCODING_ENABLED: bookings run the routing a real booking runs (the mileage allowance
    # on the beneficiary's home-work trip, after_booking hook), on the demo's road network
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
                      "GEOCODING_ENABLED": True})
    with app.app_context():
        if database_url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
        db.create_all()
    started = time.perf_counter()
    ids = generate(app, sites=sites, vehicles=vehicles, rentals=rentals)
    fill_s = time.perf_counter() - started
    placed = _place_beneficiaries(app, ids["beneficiary_ids"])
    rng = random.Random(7)
    today = date.today()
    actor = SimpleNamespace(id=None, platform_id=ids["platform_id"], role="advisor")
    avail, outcomes = [], {"booked": [], "conflict": []}
    with app.app_context():
        for i in range(samples + 10):
            start = today + timedelta(days=rng.randint(0, 60))
            t0 = time.perf_counter()
            services.search_availability(ids["platform_id"], kind=rng.choice(VEHICLE_KINDS),
                                         site_id=rng.choice(ids["site_ids"]), start=start,
                                         end=start + timedelta(days=14))
            if i >= 10:  # warm-up excluded
                avail.append(time.perf_counter() - t0)
            db.session.rollback()
        for i in range(samples + 10):
            start = today + timedelta(days=rng.randint(0, 200))
            t0 = time.perf_counter()
            try:
                services.book_rental(actor, beneficiary_id=rng.choice(ids["beneficiary_ids"]),
                                     vehicle_id=rng.choice(ids["vehicle_ids"]), start=start,
                                     end=start + timedelta(days=rng.randint(3, 14)))
                outcome = "booked"
            except Conflict:
                outcome = "conflict"
            if i >= 10:
                outcomes[outcome].append(time.perf_counter() - t0)
            db.session.rollback()
        with_allowance = db.session.scalar(sa.text(
            "SELECT count(*) FROM fleet_rentals WHERE daily_mileage_allowance_km IS NOT NULL"))
        counted = db.session.scalar(sa.text("SELECT count(*) FROM fleet_rentals"))
        db.session.remove()
        db.engine.dispose()
    return {"fill_s": fill_s, "rentals": counted, "availability": _percentiles(avail),
            "booked": outcomes["booked"], "conflict": outcomes["conflict"],
            "with_allowance": with_allowance, "placed": placed}


def _place_beneficiaries(app, beneficiary_ids: list[int]) -> int:
    """Give every beneficiary a home and a workplace on the demo's road network (Monaco
    extract cache) so that booking computes a real mileage allowance; returns how many."""
    import routing
    from mobility.core.db import db

    with app.app_context():
        engine = routing.LocalEngine.from_cache(app.config["ROUTING_CACHE_DIR"], modes=["car"])
        graph = engine.graph("car").network
        rng = random.Random(3)
        nodes = graph.snap_nodes.tolist()
        rows = []
        for bid in beneficiary_ids:
            home, work = rng.sample(nodes, 2)
            rows.append({"i": bid, "hla": float(graph.lat[home]), "hlo": float(graph.lon[home]),
                         "wla": float(graph.lat[work]), "wlo": float(graph.lon[work])})
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "UPDATE beneficiaries SET address_lat = :hla, address_lon = :hlo, "
                "workplace_lat = :wla, workplace_lon = :wlo WHERE id = :i"), rows)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--rentals", type=int, default=1_000_000)
    parser.add_argument("--vehicles", type=int, default=10_000)
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    sizes = {"rentals": args.rentals, "vehicles": args.vehicles, "sites": args.sites,
             "samples": args.samples}
    results = run_on_scratch_databases(lambda url: run(url, **sizes), prefix="fleet_bench",
                                       only=args.only)
    print(f"{args.vehicles} vehicles on {args.sites} sites, {args.rentals} rentals, "
          f"{args.samples} samples per operation")
    for backend, r in results.items():
        a_med, a_p95 = r["availability"]
        print(f"{backend:10s} filled {r['rentals']} rentals in {r['fill_s']:.0f} s | "
              f"availability median {a_med * 1000:.1f} ms, p95 {a_p95 * 1000:.1f} ms "
              f"(goal < 50 ms)")
        for outcome in ("booked", "conflict"):
            samples = r[outcome]
            if not samples:
                print(f"{'':10s} {outcome}: none in {args.samples} samples")
                continue
            med, p95 = _percentiles(samples)
            label = ("successful bookings (routing of the mileage allowance included)"
                     if outcome == "booked" else "refused (vehicle already booked)")
            print(f"{'':10s} {label}: {len(samples)}, median {med * 1000:.1f} ms, "
                  f"p95 {p95 * 1000:.1f} ms (goal < 100 ms)")
        print(f"{'':10s} rentals with a mileage allowance: {r['with_allowance']} "
              f"({r['placed']} beneficiaries placed on the Monaco road network)")


if __name__ == "__main__":
    main()
