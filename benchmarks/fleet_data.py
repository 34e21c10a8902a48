"""Bulk data for fleet benchmarks: sites, vehicles, beneficiaries and past/future rentals.

`generate(app, ...)` fills the app's (scratch) database fast: COPY on PostgreSQL, executemany
on SQLite. Rentals of a vehicle follow each other without overlap (as the constraint
requires), from about 2.5 years ago to about 6 months ahead. Reusable by a reports benchmark.
"""

from __future__ import annotations

import os
import random
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from fleet.models import VEHICLE_KINDS
from mobility.core.db import db

RENTAL_COLUMNS = ("platform_id", "vehicle_id", "beneficiary_id", "start_date", "end_date",
                  "status", "created_at", "late_days")


def _rental_rows(platform_id: int, vehicle_ids: list[int], beneficiary_ids: list[int],
                 per_vehicle: int, today: date, rng: random.Random):
    now = datetime.now(UTC).replace(tzinfo=None)
    for vehicle_id in vehicle_ids:
        day = today - timedelta(days=per_vehicle * 9 - rng.randint(0, 60))
        for _ in range(per_vehicle):
            day += timedelta(days=rng.randint(0, 4))
            end = day + timedelta(days=rng.randint(3, 14))
            if end <= today:
                status = "returned" if rng.random() > 0.03 else "cancelled"
            elif day <= today:
                status = "in_progress"
            else:
                status = "booked" if rng.random() > 0.05 else "cancelled"
            yield (platform_id, vehicle_id, rng.choice(beneficiary_ids), day, end, status, now, 0)
            day = end


def generate(app, *, sites: int = 50, vehicles: int = 10_000, rentals: int = 1_000_000,
             beneficiaries: int = 10_000, seed: int = 1, today: date | None = None) -> dict:
    """Create one platform with its fleet and rentals; returns ids for the benchmark."""
    rng = random.Random(seed)
    today = today or date.today()
    per_vehicle = max(1, rentals // vehicles)
    with app.app_context():
        engine = db.engine
        now = datetime.now(UTC).replace(tzinfo=None)
        with engine.begin() as conn:
            platform_id = conn.execute(sa.text(
                "INSERT INTO platforms (slug, name, created_at) VALUES "
                "('bench', 'Benchmark', :now) RETURNING id"), {"now": now}).scalar_one()
            # sites on a grid about 3 km apart across a territory (La Ciotat to Aubagne)
            conn.execute(sa.text(
                "INSERT INTO fleet_sites (platform_id, name, kind, address, lat, lon, active, "
                "created_at) VALUES (:p, :n, 'pole', :a, :lat, :lon, true, :now)"),
                [{"p": platform_id, "n": f"Site {i}", "a": f"{i} rue du Port",
                  "lat": 43.10 + (i // 10) * 0.03, "lon": 5.45 + (i % 10) * 0.04, "now": now}
                 for i in range(sites)])
            site_ids = [r[0] for r in conn.execute(sa.text(
                "SELECT id FROM fleet_sites WHERE platform_id = :p ORDER BY id"),
                {"p": platform_id})]
            conn.execute(sa.text(
                "INSERT INTO fleet_vehicles (platform_id, kind, site_id, plate, odometer_km, "
                "status, created_at) VALUES (:p, :k, :s, :plate, 0, :st, :now)"),
                [{"p": platform_id, "k": VEHICLE_KINDS[i % 5], "s": site_ids[(i // 5) % sites],
                  "plate": f"BN-{i:05d}", "st": "available" if i % 50 else "maintenance",
                  "now": now} for i in range(vehicles)])
            vehicle_ids = [r[0] for r in conn.execute(sa.text(
                "SELECT id FROM fleet_vehicles WHERE platform_id = :p ORDER BY id"),
                {"p": platform_id})]
            # Core insert: the people package's column defaults apply
            conn.execute(db.metadata.tables["beneficiaries"].insert(),
                         [{"platform_id": platform_id, "first_name": "Bench",
                           "last_name": f"Person {i}"} for i in range(beneficiaries)])
            beneficiary_ids = [r[0] for r in conn.execute(sa.text(
                "SELECT id FROM beneficiaries WHERE platform_id = :p"), {"p": platform_id})]
        rows = _rental_rows(platform_id, vehicle_ids, beneficiary_ids, per_vehicle, today, rng)
        if engine.dialect.name == "postgresql":
            raw = engine.raw_connection()
            try:
                with raw.cursor() as cur, cur.copy(
                    f"COPY fleet_rentals ({', '.join(RENTAL_COLUMNS)}) FROM STDIN"
                ) as copy:
                    for row in rows:
                        copy.write_row(row)
                raw.commit()
            finally:
                raw.close()
            with engine.begin() as conn:
                conn.execute(sa.text("ANALYZE"))
        else:
            raw = engine.raw_connection()
            try:
                cur = raw.cursor()
                cur.execute("BEGIN")
                sql = (f"INSERT INTO fleet_rentals ({', '.join(RENTAL_COLUMNS)}) "
                       f"VALUES ({', '.join('?' for _ in RENTAL_COLUMNS)})")
                batch = []
                for platform, vehicle, person, start, end, status, created, late in rows:
                    batch.append((platform, vehicle, person, start.isoformat(), end.isoformat(),
                                  status, created.isoformat(sep=" "), late))
                    if len(batch) >= 50_000:
                        cur.executemany(sql, batch)
                        batch.clear()
                cur.executemany(sql, batch)
                cur.execute("COMMIT")
                cur.execute("ANALYZE")
            finally:
                raw.close()
    return {"platform_id": platform_id, "site_ids": site_ids, "vehicle_ids": vehicle_ids,
            "beneficiary_ids": beneficiary_ids}


PG_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def run_on_scratch_databases(run: Callable[[str], dict], *, prefix: str,
                             only: str | None = None) -> dict[str, dict]:
    """`run(database_url)` on a temporary SQLite file and on a PostgreSQL database created
    for it and dropped after (never the development database); results per backend."""
    results = {}
    if only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            results["sqlite"] = run(f"sqlite:///{Path(folder) / f'{prefix}.db'}")
    if only in (None, "postgresql"):
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            results["postgresql"] = run(PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return results
