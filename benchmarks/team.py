"""A team at work: locust against gunicorn on PostgreSQL with the demo, on loopback.

    python -m benchmarks.team [--users 10 50] [--duration 60] [--workers 2] [--threads 1]
                              [--profile [--tree]]

Creates a scratch PostgreSQL database (``BENCH_POSTGRES_URL``, default the local server;
dropped at the end, never the development database), migrates it and loads the demo, starts
``gunicorn --preload -w 2`` on 127.0.0.1 with the routing engine opened before the fork
(``ROUTING_PRELOAD=1``), then runs ``benchmarks/locustfile.py`` headless for each number of
users and prints requests per second, p95 and errors next to the goal (50 users: >= 150 req/s,
p95 < 200 ms, 0 errors). Every virtual user signs in from 127.0.0.1, so the login rate limit
(per address) is raised for the run. ``--profile`` first times each page of the scenario
in-process, signed in as its role (wall, CPU, SQL statements; ``--tree``: pyinstrument's call
tree of each), ``--users`` with no number skips the load test.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from benchmarks.fleet_data import PG_ADMIN_URL

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GOAL = {"rps": 150.0, "p95_ms": 200.0, "errors": 0}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def scratch_database():
    """A PostgreSQL database made for the run and dropped after; yields its URL."""
    name = f"team_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def app_env(database_url: str, instance: Path) -> dict[str, str]:
    """Environment of the app under test: its own instance folder, the scratch database."""
    env = dict(os.environ)
    env.update({"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance),
                "SECRET_KEY": "benchmark-" + uuid.uuid4().hex, "SESSION_COOKIE_SECURE": "false",
                "LOGIN_RATE_LIMIT": "100000 per minute", "ROUTING_PRELOAD": "1"})
    return env


def prepare(env: dict[str, str]) -> None:
    """Migrate the scratch database and load the demo."""
    for args in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([str(BIN / "flask"), "--app", "mobility", *args], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)


def workers_cpu_s(master: int) -> float:
    """CPU seconds (user + system) spent so far by the gunicorn master's worker processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    total = 0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


@contextmanager
def gunicorn(env: dict[str, str], workers: int, threads: int = 1):
    """gunicorn --preload on a free loopback port; yields its base URL and the master's pid.
    ``threads`` > 1:
    gthread workers, whose threads overlap the waits on the database and password hashing."""
    port = _free_port()
    proc = subprocess.Popen([str(BIN / "gunicorn"), "--preload", "-w", str(workers),
                             "--threads", str(threads), "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", "mobility:create_app()"],
                            cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run_locust(url: str, users: int, duration_s: int, work: Path) -> dict:
    """One headless locust run; the aggregated figures from its CSV."""
    prefix = work / f"locust-{users}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"),
                    "--headless", "--host", url, "-u", str(users),
                    "-r", str(max(1, users // 5)), "-t", f"{duration_s}s", "--csv", str(prefix),
                    "--only-summary", "--loglevel", "WARNING"],
                   cwd=ROOT, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    locust_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(f"{prefix}_failures.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            print(f"  failed: {row['Method']} {row['Name']} {row['Error']} x{row['Occurrences']}")
    with open(f"{prefix}_stats.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    pages = sorted((r for r in rows if r["Name"] != "Aggregated"),
                   key=lambda r: -float(r["95%"] or 0))
    return {"rps": float(total["Requests/s"]), "p95_ms": float(total["95%"]),
            "p50_ms": float(total["50%"]), "requests": int(total["Request Count"]),
            "errors": int(total["Failure Count"]), "locust_cpu_s": locust_cpu,
            "slowest": [(r["Name"], float(r["50%"]), float(r["95%"])) for r in pages[:5]]}


PROFILED = {
    "conseillere@demo.mobilite.fr": ["/dashboard", "/people/beneficiaries",
                                     "/people/beneficiaries/{beneficiary}", "/people/referrals",
                                     "/fleet/availability", "/fleet/rentals"],
    "parc@demo.mobilite.fr": ["/dashboard", "/fleet/vehicles", "/fleet/vehicles/{vehicle}",
                              "/fleet/returns", "/fleet/rentals/{rental}", "/fleet/maintenance"],
    "beneficiaire@demo.mobilite.fr": ["/people/me", "/portal/commute"],
}


def profile_pages(env: dict[str, str], *, repeat: int = 20, tree: bool = False) -> None:
    """Each page of the scenario in-process, as its role: wall and CPU time of this process
    per request (the database's own work is not in the CPU figure) and SQL statements; with
    ``tree``, pyinstrument's call tree of each page."""
    import re

    from pyinstrument import Profiler

    os.environ.update({k: v for k, v in env.items() if k != "ROUTING_PRELOAD"})
    # not benchmarks.locustfile: importing locust would patch this process with gevent
    from mobility import create_app
    from mobility.core.db import db
    from mobility.demo import DEMO_PASSWORD

    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        engine = db.engine
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda _c, _cur, stmt, *_a: statements.append(stmt))
    total_cpu = total_n = 0.0
    for email, paths in PROFILED.items():
        client = app.test_client()
        client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        ids = {}
        for key, path, link in (("beneficiary", "/people/beneficiaries", "/people/beneficiaries/"),
                                ("vehicle", "/fleet/vehicles", "/fleet/vehicles/"),
                                ("rental", "/fleet/returns", "/fleet/rentals/")):
            found = re.search(f'href="{link}(\\d+)"', client.get(path).get_data(as_text=True))
            ids[key] = found.group(1) if found else "0"
        for template in paths:
            path = template.format(**ids)
            assert client.get(path).status_code == 200, path  # warm-up
            statements.clear()
            client.get(path)
            queries = len(statements)
            profiler = Profiler(interval=0.0005) if tree else None
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.start()
            for _ in range(repeat):
                client.get(path)
            if profiler:
                profiler.stop()
            wall = (time.perf_counter() - wall) / repeat
            cpu = (time.process_time() - cpu) / repeat
            total_cpu += cpu
            total_n += 1
            print(f"{template:38} {email.split('@')[0]:12} wall {wall * 1000:6.1f} ms, "
                  f"CPU {cpu * 1000:6.1f} ms, {queries:3d} SQL statements")
            if profiler:
                print(profiler.output_text(unicode=False, color=False, short_mode=True))
    print(f"mean CPU per page {total_cpu / total_n * 1000:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="*", default=[10, 50])
    parser.add_argument("--duration", type=int, default=60, help="seconds per run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker (1: sync workers, more: gthread)")
    parser.add_argument("--profile", action="store_true",
                        help="time each page in-process (CPU, SQL statements) first")
    parser.add_argument("--tree", action="store_true", help="with --profile: call trees")
    args = parser.parse_args()
    with scratch_database() as database_url, tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env = app_env(database_url, work / "instance")
        prepare(env)
        if args.profile:
            profile_pages(env, tree=args.tree)
        print(f"gunicorn --preload -w {args.workers} --threads {args.threads}, PostgreSQL on "
              f"loopback, the demo; "
              f"{args.duration} s per run; load average {os.getloadavg()[0]:.1f} at start")
        with gunicorn(env, args.workers, args.threads) as (url, master):
            for users in args.users:
                cpu = workers_cpu_s(master)
                r = run_locust(url, users, args.duration, work)
                cpu = workers_cpu_s(master) - cpu
                goal = (f" | goal >= {GOAL['rps']:.0f} req/s, p95 < {GOAL['p95_ms']:.0f} ms, "
                        f"{GOAL['errors']} errors" if users == 50 else "")
                print(f"{users} users: {r['rps']:.1f} req/s, p50 {r['p50_ms']:.0f} ms, "
                      f"p95 {r['p95_ms']:.0f} ms, {r['errors']} errors of {r['requests']} "
                      f"requests (load average {os.getloadavg()[0]:.1f}){goal}")
                per_request = cpu / max(r["requests"], 1)
                cores = min(args.workers, os.cpu_count() or 1)
                print(f"  the workers' CPU per request: {per_request * 1000:.1f} ms (so {cores} "
                      f"free cores would serve at most ~{cores / max(per_request, 1e-9):.0f} req/s "
                      f"before the database's and locust's own share); locust's own: "
                      f"{r['locust_cpu_s'] / max(r['requests'], 1) * 1000:.1f} ms per request")
                print("  slowest p95: " + "; ".join(f"{n} {p50:.0f}/{p95:.0f} ms"
                                                   for n, p50, p95 in r["slowest"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
