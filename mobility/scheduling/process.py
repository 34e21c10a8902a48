"""The scheduler process: lock, catch up, then APScheduler's loop until SIGTERM.

Only `flask --app mobility scheduler run` calls `run_scheduler`; `create_app` (and so the web
workers) never starts anything here.
"""

from __future__ import annotations

import logging
import signal
from datetime import UTC

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from mobility.core.db import db
from mobility.notifications.settings import setting
from mobility.scheduling.lock import SchedulerLock
from mobility.scheduling.models import JOBSTORE_TABLE
from mobility.scheduling.registry import all_jobs
from mobility.scheduling.runner import run_due_jobs, run_job

log = logging.getLogger("mobility.scheduler")
_APP: Flask | None = None


def execute_job(job_id: str) -> None:
    """APScheduler's entry point (stored by reference in the job store)."""
    with _APP.app_context():
        run_job(job_id, trigger="scheduler")


def scheduler_lock(app: Flask) -> SchedulerLock:
    with app.app_context():
        lock_file = setting("SCHEDULER_LOCK_FILE") or None
    return SchedulerLock(app.config["SQLALCHEMY_DATABASE_URI"], lock_file=lock_file)


def build_scheduler(app: Flask) -> BlockingScheduler:
    """A UTC BlockingScheduler on the application database, with every registered job."""
    global _APP
    _APP = app
    with app.app_context():
        grace = setting("SCHEDULER_MISFIRE_GRACE_S")
        scheduler = BlockingScheduler(
            jobstores={
                "default": SQLAlchemyJobStore(engine=db.engine, tablename=JOBSTORE_TABLE),
                "process": MemoryJobStore(),
            },
            executors={"default": ThreadPoolExecutor(max_workers=2)},
            job_defaults={"coalesce": True, "misfire_grace_time": grace, "max_instances": 1},
            timezone=UTC,
        )
        for spec in all_jobs():
            scheduler.add_job(
                "mobility.scheduling.process:execute_job", trigger=spec.trigger(),
                args=[spec.id], id=spec.id, name=spec.id, replace_existing=True,
            )
    return scheduler


def run_scheduler(app: Flask, *, standby: bool = True, echo=print) -> int:
    """Hold the lock (waiting as a standby when another scheduler has it), catch up on the
    jobs that were due while no scheduler ran, then run the loop. Returns an exit code."""
    stopping = {"now": False}
    scheduler: BlockingScheduler | None = None

    def stop(signum, frame):
        stopping["now"] = True
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    lock = scheduler_lock(app)
    with app.app_context():
        poll = setting("SCHEDULER_STANDBY_POLL_S")
    if not lock.acquire(timeout_s=0):
        if not standby:
            echo(f"another scheduler holds the {lock.description}; exiting")
            return 1
        echo(f"another scheduler holds the {lock.description}; standing by")
        if not lock.acquire(timeout_s=None, poll_s=poll, should_stop=lambda: stopping["now"]):
            echo("stopped while standing by")
            return 0
    try:
        echo(f"scheduler running: holds the {lock.description}")
        with app.app_context():
            for run in run_due_jobs(trigger="catch-up"):
                echo(f"catch-up {run.job_id}: {run.status} {run.summary or run.error or ''}")
            db.session.remove()
        if stopping["now"]:
            return 0
        scheduler = build_scheduler(app)

        def watch_lock():
            if not lock.still_held():
                log.error("scheduler lock lost; stopping so that a single scheduler runs")
                stopping["lost"] = True
                scheduler.shutdown(wait=False)

        scheduler.add_job(watch_lock, "interval", seconds=30, id="watch_lock",
                          jobstore="process")
        scheduler.start()
        return 2 if stopping.get("lost") else 0
    finally:
        lock.release()
        echo("scheduler stopped")
