"""Run jobs and record each run; decide which jobs are due (for run-once and catch-up)."""

from __future__ import annotations

import logging
import os
import socket
import traceback
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, func, select

from mobility.core.columns import utcnow
from mobility.core.db import db, write_transaction
from mobility.scheduling.models import JobRun, scheduler_jobs
from mobility.scheduling.registry import JobSpec, all_jobs, get_job

log = logging.getLogger(__name__)
RUNS_KEPT_DAYS = 30


def _host() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def run_job(job_id: str, *, trigger: str = "scheduler", now: datetime | None = None,
            platform_id: int | None = None) -> JobRun:
    """Run one job now and record the run (status, summary, error); never raises.

    With `platform_id`, a per-platform job runs for that platform only; an installation-wide
    job refuses (ValueError): a platform's admin never acts on another platform.
    """
    spec = get_job(job_id)
    if spec is None:
        raise KeyError(job_id)
    if platform_id is not None and not spec.per_platform:
        raise ValueError(f"{job_id} covers the whole installation")
    db.session.rollback()
    with write_transaction():  # BEGIN IMMEDIATE on SQLite: never a stale read upgraded
        run = JobRun(job_id=job_id, started_at=now or utcnow(), trigger=trigger, host=_host(),
                     platform_id=platform_id)
        db.session.add(run)
        db.session.flush()
        run_id, started_at = run.id, run.started_at
    status, summary, error = "ok", None, None
    try:
        # outside a request the locale selector cannot run: jobs work in the default language
        # (each message is rendered later in its recipient's language)
        with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")):
            result = (spec.func(started_at) if platform_id is None
                      else spec.func(started_at, platform_id=platform_id))
            summary = str(result)[:300]
    except Exception as failure:  # recorded on the run and shown on the admin page
        db.session.rollback()
        log.exception("job %s failed", job_id)
        status = "error"
        where = traceback.extract_tb(failure.__traceback__)[-1]
        error = (f"{failure.__class__.__name__}: {failure}"[:1500]
                 + f"\n  at {os.path.basename(where.filename)}:{where.lineno} in {where.name}")
    with write_transaction():
        run = db.session.get(JobRun, run_id)
        run.status, run.summary, run.error, run.finished_at = status, summary, error, utcnow()
    return run


def last_successful_start(job_id: str) -> datetime | None:
    return db.session.scalar(
        select(func.max(JobRun.started_at)).where(JobRun.job_id == job_id, JobRun.status == "ok"))


def is_due(spec: JobSpec, now: datetime, last_start: datetime | None) -> bool:
    """Due when a scheduled time fell after its last successful run (or it never ran)."""
    if last_start is None:
        return True
    upcoming = spec.trigger().get_next_fire_time(None, last_start + timedelta(microseconds=1))
    return upcoming is not None and upcoming <= now


def due_jobs(now: datetime | None = None) -> list[JobSpec]:
    now = now or utcnow()
    return [spec for spec in all_jobs() if is_due(spec, now, last_successful_start(spec.id))]


def run_due_jobs(*, trigger: str = "run-once", now: datetime | None = None,
                 everything: bool = False, only: list[str] | None = None) -> list[JobRun]:
    """Run every due job once (or all of them, or the named ones), reminders before sending."""
    now = now or utcnow()
    specs = all_jobs() if everything or only else due_jobs(now)
    if only:
        specs = [spec for spec in specs if spec.id in only]
    return [run_job(spec.id, trigger=trigger) for spec in specs]


def job_overview(now: datetime | None = None, *, platform_id: int | None = None) -> list[dict]:
    """For the admin page: each job's last run, last error and next run.

    With `platform_id`: the per-platform jobs only, and their runs for that platform or by the
    scheduler (whose summary and error the template keeps for the installation's operator).
    """
    now = now or utcnow()
    mine = (JobRun.platform_id.is_(None) | (JobRun.platform_id == platform_id)
            if platform_id is not None else JobRun.id.is_not(None))
    stored = {row.id: row.next_run_time for row in db.session.execute(
        select(scheduler_jobs.c.id, scheduler_jobs.c.next_run_time))}
    rows = []
    for spec in all_jobs():
        if platform_id is not None and not spec.per_platform:
            continue
        last = db.session.scalar(select(JobRun).where(JobRun.job_id == spec.id, mine)
                                 .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1))
        last_error = db.session.scalar(
            select(JobRun).where(JobRun.job_id == spec.id, JobRun.status == "error", mine)
            .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1))
        if spec.id in stored and stored[spec.id] is not None:
            next_run, planned = datetime.fromtimestamp(stored[spec.id], tz=now.tzinfo), False
        else:
            next_run, planned = spec.trigger().get_next_fire_time(None, now), True
        rows.append({"spec": spec, "last": last, "last_error": last_error,
                     "next_run": next_run, "next_run_planned": planned,
                     "due": is_due(spec, now, last_successful_start(spec.id))})
    return rows


def prune_runs(now: datetime) -> int:
    """Forget runs older than RUNS_KEPT_DAYS days, but keep each job's latest runs."""
    cutoff = now - timedelta(days=RUNS_KEPT_DAYS)
    latest = select(func.max(JobRun.id)).group_by(JobRun.job_id, JobRun.status)
    result = db.session.execute(
        delete(JobRun).where(JobRun.started_at < cutoff, JobRun.id.not_in(latest)))
    db.session.commit()
    return result.rowcount
