"""Fleet benchmark: availability search and booking on 10,000 vehicles and 1,000,000 rentals.

    python -m benchmarks.fleet                 # SQLite (scratch file) and PostgreSQL
    python -m benchmarks.fleet --only sqlite --rentals 100000

Never touches the dev database: SQLite goes to a temporary file, PostgreSQL to a scratch
database created and dropped here (`BENCH_POSTGRES_URL`, default the local server).
Prints the median and 95th percentile of each operation. Targets: availability < 50 ms,
booking < 100 ms. A booking is the advisor's: `mobility.rentals.lifecycle.book`, with every
rule it checks and the routing of the mileage allowance on the person's home-work trip (the
people get what a booking needs and a home and a workplace on the demo's road network);
successful bookings, refused double bookings and refusals by another rule are timed apart.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
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
    from mobility.core.errors import Conflict, DomainError
    from mobility.rentals.lifecycle import BookingOverrides, book

    # GEOCODING_ENABLED: bookings run the routing a real booking runs (the mileage allowance
    # on the beneficiary's home-work trip), on the demo's road network
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
    _make_ready(app, ids["platform_id"], today)
    actor = SimpleNamespace(id=None, platform_id=ids["platform_id"], role="advisor")
    # the people already rent: a second vehicle of a class needs an advisor's written reason
    overrides = BookingOverrides(second_vehicle="Benchmark: a second vehicle on purpose.")
    avail, outcomes = [], {"booked": [], "conflict": [], "refused": []}
    refusals: Counter[str] = Counter()
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
                book(actor, beneficiary_id=rng.choice(ids["beneficiary_ids"]),
                     vehicle_id=rng.choice(ids["vehicle_ids"]), start=start,
                     end=start + timedelta(days=rng.randint(3, 14)), overrides=overrides)
                outcome = "booked"
            except DomainError as error:
                double = isinstance(error, Conflict) and error.code == "double_booking"
                outcome = "conflict" if double else "refused"
                if not double:
                    reason = (error.details or {}).get("reason")
                    refusals[f"{error.code} ({reason})" if reason else error.code] += 1
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
            "refused": outcomes["refused"], "refusals": refusals,
            "with_allowance": with_allowance, "placed": placed}


def _make_ready(app, platform_id: int, today: date) -> None:
    """What a booking needs, for every generated person: an adult followed by a referent,
    a mobility obstacle, a B licence held since 2015, an open pathway with its entry
    assessment (as the tests' `create_beneficiary(ready=True)`); for every vehicle, its
    insurance and technical inspection in force for a year."""
    from mobility.core.db import db

    tables = db.metadata.tables
    with app.app_context(), db.engine.begin() as conn:
        organisation = conn.execute(tables["partner_organisations"].insert().values(
            platform_id=platform_id, name="Mission locale", kind="mission_locale")
        ).inserted_primary_key[0]
        referent = conn.execute(tables["referents"].insert().values(
            platform_id=platform_id, organisation_id=organisation, first_name="Nadia",
            last_name="Référente")).inserted_primary_key[0]
        conn.execute(tables["beneficiaries"].update()
                     .where(tables["beneficiaries"].c.platform_id == platform_id).values(
            birth_date=date(1990, 1, 1), referent_id=referent, obstacles=["no_vehicle"],
            licences=[{"category": "B", "obtained_on": "2015-06-01", "valid_until": None,
                       "suspended": False, "a1_training": False}],
            has_licence_b=True, licence_b_since=date(2015, 6, 1)))
        conn.execute(tables["fleet_vehicles"].update()
                     .where(tables["fleet_vehicles"].c.platform_id == platform_id).values(
            insurance_expires_on=today + timedelta(days=365),
            technical_inspection_expires_on=today + timedelta(days=365)))
        people = [r[0] for r in conn.execute(sa.text(
            "SELECT id FROM beneficiaries WHERE platform_id = :p"), {"p": platform_id})]
        conn.execute(tables["pathways"].insert(), [
            {"platform_id": platform_id, "beneficiary_id": person, "status": "open",
             "opened_on": today - timedelta(days=30)} for person in people])
        conn.execute(tables["mobility_assessments"].insert(), [
            {"platform_id": platform_id, "beneficiary_id": person, "pathway_id": pathway,
             "kind": "entry", "assessed_on": today - timedelta(days=28), "answers": {},
             "sub_scores": {}, "mobility_potential": 40, "ladder": [], "scoring": {}}
            for pathway, person in conn.execute(sa.text(
                "SELECT id, beneficiary_id FROM pathways WHERE platform_id = :p"),
                {"p": platform_id})])


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
        for outcome in ("booked", "conflict", "refused"):
            samples = r[outcome]
            if not samples:
                name = {"booked": "successful bookings", "conflict": "double bookings refused",
                        "refused": "refused by another rule"}[outcome]
                print(f"{'':10s} {name}: none in {args.samples} samples")
                continue
            med, p95 = _percentiles(samples)
            label = {"booked": "successful bookings (every rule checked, routing of the mileage "
                              "allowance included)",
                     "conflict": "refused (vehicle already booked)",
                     "refused": "refused by another rule ("
                                + ", ".join(f"{code} {n}" for code, n in
                                            r["refusals"].most_common()) + ")"}[outcome]
            print(f"{'':10s} {label}: {len(samples)}, median {med * 1000:.1f} ms, "
                  f"p95 {p95 * 1000:.1f} ms (goal < 100 ms)")
        print(f"{'':10s} rentals with a mileage allowance: {r['with_allowance']} "
              f"({r['placed']} beneficiaries placed on the Monaco road network)")


if __name__ == "__main__":
    main()
