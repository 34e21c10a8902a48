"""Reports benchmark: the yearly activity report of a large platform, on SQLite and PostgreSQL.

    python -m benchmarks.reports                       # both backends
    python -m benchmarks.reports --only sqlite --vehicles 200 --people 2000

Fills a scratch database (never the dev one) with the fleet engineer's generator
(`benchmarks/fleet_data.py`: sites, vehicles, people, about 2.5 years of rentals) plus, here,
the people side (a referral, a pathway, five actions and two assessments per person) and the
money side (weekly payments of each returned rental, the price terms every booking fixes,
carpool seats). Then times
`build_report` for the last 365 days on the schema as the models declare it (its range indexes
included, see docs/reports.md), after ANALYZE. Target: under 2 s.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from benchmarks.fleet_data import generate, run_on_scratch_databases

GENDERS = ("female", "male", "other", "unspecified")
KINDS = ("coaching", "coaching", "workshop", "partner_referral", "coaching")


def _insert(conn, table: str, rows: list[dict], batch: int = 20_000) -> None:
    from mobility.core.db import db

    for i in range(0, len(rows), batch):
        conn.execute(db.metadata.tables[table].insert(), rows[i:i + batch])


def fill_people_and_money(app, ids: dict, *, today: date, seed: int = 2) -> dict:
    """Referrals, pathways, actions, assessments, payments and seats for the generated data."""
    from mobility.core.db import db

    rng = random.Random(seed)
    platform_id = ids["platform_id"]
    now = datetime.now(UTC)
    counts = {}
    with app.app_context(), db.engine.begin() as conn:
        orgs = []
        for i in range(40):
            orgs.append(conn.execute(sa.text(
                "INSERT INTO partner_organisations (platform_id, name, kind, created_at) "
                "VALUES (:p, :n, 'mission_locale', :now) RETURNING id"),
                {"p": platform_id, "n": f"Partenaire {i}", "now": now}).scalar_one())
        conn.execute(sa.text(
            "UPDATE beneficiaries SET gender = CASE id % 4 WHEN 0 THEN 'female' WHEN 1 THEN "
            "'male' WHEN 2 THEN 'other' ELSE 'unspecified' END, lives_in_qpv = (id % 3 = 0), "
            "receives_rsa = (id % 5 = 0) WHERE platform_id = :p"), {"p": platform_id})
        conn.execute(sa.text(
            "UPDATE beneficiaries SET birth_date = :d WHERE platform_id = :p AND id % 7 = 0"),
            {"p": platform_id, "d": date(1980, 5, 5)})
        referrals, pathways = [], []
        for b_id in ids["beneficiary_ids"]:
            opened = today - timedelta(days=rng.randint(0, 900))
            exited = opened + timedelta(days=rng.randint(30, 200))
            referrals.append({
                "platform_id": platform_id, "organisation_id": rng.choice(orgs),
                "first_name": "Bench", "last_name": "Ref", "reason": "job_found",
                "status": rng.choice(("accepted", "accepted", "declined", "submitted")),
                "beneficiary_id": b_id, "consent": True, "night_shifts": False,
                "early_shifts": False,
                "created_at": datetime.combine(opened, datetime.min.time(), UTC)})
            done = exited <= today
            pathways.append({
                "platform_id": platform_id, "beneficiary_id": b_id, "opened_on": opened,
                "status": "exited" if done else "open", "exit_date": exited if done else None,
                "exit_reason": "solution_found" if done else None,
                "exit_solution": rng.choice(("own_car", "public_transport", "none"))
                if done else None,
                "exit_employment": rng.choice(("temp_work", "permanent", "fixed_term", "none"))
                if done else None, "created_at": now})
        _insert(conn, "referrals", referrals)
        _insert(conn, "pathways", pathways)
        rows = conn.execute(sa.text(
            "SELECT id, beneficiary_id, opened_on, exit_date FROM pathways "
            "WHERE platform_id = :p"), {"p": platform_id}).all()
        actions, assessments = [], []
        for pathway_id, b_id, opened, exit_date in rows:
            opened = opened if isinstance(opened, date) else date.fromisoformat(opened)
            for k in range(5):
                actions.append({"platform_id": platform_id, "pathway_id": pathway_id,
                                "kind": KINDS[k], "done_on": opened + timedelta(days=7 * k),
                                "partner_organisation_id": orgs[0] if k == 3 else None,
                                "created_at": now})
            base = rng.randint(20, 70)
            for kind, day, score in (("entry", opened, base),
                                     ("exit", exit_date, base + rng.randint(0, 30))):
                if day is None:
                    continue
                assessments.append({
                    "platform_id": platform_id, "beneficiary_id": b_id,
                    "pathway_id": pathway_id, "kind": kind,
                    "assessed_on": day if isinstance(day, date) else date.fromisoformat(day),
                    "answers": {}, "sub_scores": {}, "mobility_potential": score,
                    "ladder": [], "scoring": {}, "created_at": now})
        _insert(conn, "pathway_actions", actions)
        _insert(conn, "mobility_assessments", assessments)
        rentals = conn.execute(sa.text(
            "SELECT id, start_date, end_date FROM fleet_rentals WHERE platform_id = :p "
            "AND status = 'returned'"), {"p": platform_id}).all()
        payments = []
        for rental_id, start, end in rentals:
            start = start if isinstance(start, date) else date.fromisoformat(start)
            end = end if isinstance(end, date) else date.fromisoformat(end)
            day = start
            while day < end:
                payments.append({"platform_id": platform_id, "rental_id": rental_id,
                                 "amount_cents": 500 * min(7, (end - day).days),
                                 "method": "cash", "status": "succeeded", "paid_on": day,
                                 "created_at": now})
                day += timedelta(days=7)
        _insert(conn, "payments", payments)
        _fix_terms(conn, platform_id, now)
        ride_id = conn.execute(sa.text(
            "INSERT INTO fleet_carpool_rides (platform_id, driver_kind, driver_name, origin, "
            "destination, weekdays, departure_time, seats, valid_from, created_at) VALUES "
            "(:p, 'volunteer', 'Bench', 'A', 'B', '0,1,2,3,4', '07:00:00', 4, :d, :now) "
            "RETURNING id"), {"p": platform_id, "d": today - timedelta(days=800),
                              "now": now}).scalar_one()
        seats = [{"platform_id": platform_id, "ride_id": ride_id,
                  "beneficiary_id": ids["beneficiary_ids"][i % len(ids["beneficiary_ids"])],
                  "ride_date": today - timedelta(days=i // 4), "seat_number": i % 4 + 1,
                  "status": "booked", "created_at": now} for i in range(3000)]
        _insert(conn, "fleet_seat_bookings", seats)
        counts = {"referrals": len(referrals), "pathways": len(pathways),
                  "actions": len(actions), "assessments": len(assessments),
                  "payments": len(payments), "seats": len(seats)}
        conn.execute(sa.text("ANALYZE"))
    return counts


def _fix_terms(conn, platform_id: int, now: datetime) -> None:
    """The price terms each booking fixes (`pricing.services.new_terms`), on the "Bougez"
    scheme: the default rates (the platform has no tariff), the person's situation, the
    deposit of the vehicle's kind, the membership fee with the person's first rental; and
    their week terms (`pricing.backfill.fill_week_terms`)."""
    from mobility.pricing.backfill import fill_week_terms
    from mobility.pricing.engine import TariffRates

    rates = TariffRates()
    deposit = " ".join(f"WHEN '{kind}' THEN {cents}"
                       for kind, cents in rates.deposits_cents.items())
    as_json = "CAST(:rates AS JSON)" if conn.dialect.name == "postgresql" else ":rates"
    conn.execute(sa.text(
        "INSERT INTO pricing_rental_terms (platform_id, rental_id, scheme, rates, receives_rsa, "
        "lives_in_qpv, resources_band, membership_due, deposit_cents, amie_first_month, "
        f"created_at) SELECT r.platform_id, r.id, 'bougez', {as_json}, "
        "coalesce(b.receives_rsa, :no), coalesce(b.lives_in_qpv, :no), b.resources_band, "
        "r.id IN (SELECT min(id) FROM fleet_rentals WHERE platform_id = :p "
        f"GROUP BY beneficiary_id), CASE v.kind {deposit} ELSE 0 END, 1, :now "
        "FROM fleet_rentals r JOIN beneficiaries b ON b.id = r.beneficiary_id "
        "JOIN fleet_vehicles v ON v.id = r.vehicle_id WHERE r.platform_id = :p"),
        {"rates": json.dumps(rates.to_dict()), "no": False, "p": platform_id, "now": now})
    fill_week_terms(conn)


def _time_report(app, platform_id: int, today: date, repeats: int) -> tuple[float, dict]:
    from mobility.core.db import db
    from mobility.reports.services import Period, Scope, build_report

    scope = Scope("platform", "bench", "Benchmark", (platform_id,))
    period = Period(today - timedelta(days=364), today)
    samples, report = [], {}
    with app.app_context(), app.test_request_context():
        build_report(scope, period)  # warm-up (connection, caches)
        for _ in range(repeats):
            t0 = time.perf_counter()
            report = build_report(scope, period, budget_cents=50_000_000)
            samples.append(time.perf_counter() - t0)
            db.session.rollback()
    return statistics.median(samples), report


def run(database_url: str, *, vehicles: int, sites: int, people: int, rentals: int,
        repeats: int) -> dict:
    from mobility import create_app
    from mobility.core.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    with app.app_context():
        if database_url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
        db.create_all()
    today = date.today()
    started = time.perf_counter()
    ids = generate(app, sites=sites, vehicles=vehicles, rentals=rentals,
                   beneficiaries=people, today=today)
    counts = fill_people_and_money(app, ids, today=today)
    fill_s = time.perf_counter() - started
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("ANALYZE"))
    with app.app_context():
        db.engine.dispose()  # SQLite's planner reads the statistics when it connects
    report_s, report = _time_report(app, ids["platform_id"], today, repeats)
    with app.app_context():
        counted = db.session.scalar(sa.text("SELECT count(*) FROM fleet_rentals"))
        db.session.remove()
        db.engine.dispose()
    return {"fill_s": fill_s, "rentals": counted, "counts": counts, "report_s": report_s,
            "people_met": report["people"]["total"],
            "rentals_priced": report["money"]["rentals_priced"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--vehicles", type=int, default=600)
    parser.add_argument("--sites", type=int, default=12)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--rentals", type=int, default=60_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = {"vehicles": args.vehicles, "sites": args.sites, "people": args.people,
             "rentals": args.rentals, "repeats": args.repeats}
    results = run_on_scratch_databases(lambda url: run(url, **sizes), prefix="reports_bench",
                                       only=args.only)
    print(f"{args.people} people, {args.vehicles} vehicles on {args.sites} sites, "
          f"{args.rentals} rentals over ~2.5 years; yearly report, median of {args.repeats}")
    for backend, r in results.items():
        c = r["counts"]
        print(f"{backend:10s} filled in {r['fill_s']:.0f} s ({r['rentals']} rentals, "
              f"{c['payments']} payments, {c['actions']} actions, {c['referrals']} referrals) | "
              f"report {r['report_s']:.2f} s | {r['people_met']} people met, "
              f"{r['rentals_priced']} rentals priced")


if __name__ == "__main__":
    main()
