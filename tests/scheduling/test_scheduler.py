"""The scheduler process: configuration, the one-scheduler lock, exactly-once delivery with
several processes and concurrent runs, the admin page, the command line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, timedelta

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import func, select

from mobility.config import PROJECT_ROOT
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.notifications.models import OutboxMessage
from mobility.notifications.outbox import send_due_messages
from mobility.scheduling.lock import SchedulerLock
from mobility.scheduling.models import JobRun, scheduler_jobs
from mobility.scheduling.process import build_scheduler
from mobility.scheduling.runner import run_due_jobs, run_job
from tests.factories import (
    create_beneficiary,
    create_platform,
    create_rental,
    create_staff,
    create_user,
    csrf_token_from,
    login,
)
from tests.notifications.servers import notify_config


def _reminder_fixture() -> int:
    """Two returns due tomorrow and one overdue, all reached by e-mail; returns how many
    messages they make (2 x (beneficiary + advisor) + (advisor + fleet manager))."""
    platform = create_platform()
    staff = create_staff(platform)
    for _ in range(2):
        create_rental(platform=platform, status="in_progress",
                      end_date=local_today() + timedelta(days=1),
                      advisor=staff["advisor"],
                      beneficiary=create_beneficiary(platform))
    create_rental(platform=platform, status="in_progress",
                  end_date=local_today() - timedelta(days=3), advisor=staff["advisor"])
    return 6


def _outbox_keys() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(OutboxMessage.key)))


def test_scheduler_configuration(app):
    scheduler = build_scheduler(app)
    assert scheduler._job_defaults == {"misfire_grace_time": 900, "coalesce": True,
                                       "max_instances": 1}
    assert scheduler.timezone == UTC
    store = scheduler._jobstores["default"]
    assert isinstance(store, SQLAlchemyJobStore) and store.jobs_t.name == "scheduler_jobs"
    ids = {job.id for job, *_ in scheduler._pending_jobs}
    assert {"send_outbox", "rental_return_due", "rental_overdue", "workshop_reminders",
            "progressive_plan", "maintenance_due", "vehicle_documents"} <= ids


def test_web_app_never_starts_the_scheduler(client):
    assert client.get("/healthz").status_code == 200
    names = [t.name for t in threading.enumerate()]
    assert not any("APScheduler" in name for name in names)
    assert db.session.scalar(select(func.count()).select_from(scheduler_jobs)) == 0


def test_only_one_lock_holder_per_database(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    first, second = SchedulerLock(url), SchedulerLock(url)
    try:
        assert first.acquire(timeout_s=0) and first.still_held()
        assert not second.acquire(timeout_s=0.3, poll_s=0.1)
        first.release()
        assert second.acquire(timeout_s=0)
    finally:
        first.release()
        second.release()


def test_concurrent_job_runs_and_senders_send_each_reminder_once(app, smtp_server):
    notify_config(app, smtp=smtp_server)
    expected = _reminder_fixture()
    db.session.commit()
    errors = []

    def worker():
        try:
            with app.app_context():
                for job_id in ("rental_return_due", "rental_overdue"):
                    run = run_job(job_id)
                    assert run.status == "ok", run.error
                send_due_messages(batch_size=2)
                db.session.remove()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    send_due_messages()
    sent = smtp_server[2].keys()
    assert len(_outbox_keys()) == expected
    assert sorted(sent) == _outbox_keys()  # every message once, none twice


def _scheduler_env(app, tmp_path, smtp_server) -> dict:
    host, port, _ = smtp_server
    env = dict(os.environ)
    env.update(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               INSTANCE_PATH=str(tmp_path / "instance"), SECRET_KEY="test",
               SMTP_HOST=host, SMTP_PORT=str(port), SMTP_TLS="none",
               MAIL_FROM="no-reply@mobilite.test", SCHEDULER_STANDBY_POLL_S="1",
               PYTHONUNBUFFERED="1")
    return env


def _flask(*args, env, log_path=None):
    log = open(log_path, "w") if log_path else subprocess.PIPE  # noqa: SIM115
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "mobility", "scheduler",
                             *args], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=log, text=True)


def _wait(condition, timeout_s=40.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_two_scheduler_processes_and_run_once_send_each_reminder_exactly_once(
        app, smtp_server, tmp_path):
    expected = _reminder_fixture()
    db.session.commit()
    db.session.remove()
    env = _scheduler_env(app, tmp_path, smtp_server)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    schedulers = [_flask("run", env=env, log_path=path) for path in logs]
    once = _flask("run-once", "--wait-s", "0", env=env)
    try:
        out, _ = once.communicate(timeout=60)
        assert once.returncode == 0, out
        inbox = smtp_server[2]
        assert _wait(lambda: len(inbox.messages) >= expected), inbox.keys()

        def roles():
            texts = [path.read_text() for path in logs]
            return (["running" if "scheduler running" in t else "standby" for t in texts]
                    if all("scheduler running" in t or "standing by" in t for t in texts)
                    else None)

        assert _wait(lambda: sorted(roles() or []) == ["running", "standby"]), [
            p.read_text() for p in logs]
        # the running scheduler stored its jobs (the persistent job store)
        def stored_jobs() -> int:
            db.session.rollback()  # a fresh snapshot each time (SQLite in WAL mode keeps one)
            return db.session.scalar(select(func.count()).select_from(scheduler_jobs)
                                     .where(scheduler_jobs.c.next_run_time.is_not(None)))

        assert _wait(lambda: stored_jobs() >= 8)
        time.sleep(1.5)  # a duplicate would have arrived by now
        assert len(inbox.keys()) == len(set(inbox.keys())) == expected
        assert sorted(inbox.keys()) == _outbox_keys()
        assert set(db.session.scalars(select(OutboxMessage.status))) == {"sent"}
        runner = schedulers[roles().index("running")]
        standby = schedulers[roles().index("standby")]
        standby.send_signal(signal.SIGTERM)
        assert standby.wait(20) == 0
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(20) == 0
    finally:
        for process in [*schedulers, once]:
            if process.poll() is None:
                process.kill()
                process.wait()
    db.session.remove()
    # after the schedulers stopped, running every job again sends nothing more
    notify_config(app, smtp=smtp_server)
    runs = run_due_jobs(trigger="run-once", everything=True)
    assert {r.summary for r in runs if r.job_id.startswith("rental_")} == {
        "0 nouvelle notification"}
    assert len(smtp_server[2].messages) == expected


def test_admin_jobs_page_shows_runs_and_errors_and_runs_a_job(app, client, monkeypatch):
    platform = create_platform()
    admin = create_user("admin", platform=platform)
    login(client, admin)
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "rental_overdue" in page and "Jamais" in page and "Retours en retard" in page

    response = client.post("/admin/jobs/rental_overdue/run",
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "0 nouvelle notification" in page

    from mobility.scheduling import registry

    spec = registry.get_job("vehicle_documents")
    monkeypatch.setitem(registry.registered_jobs(), "vehicle_documents", spec.__class__(
        **{**spec.__dict__, "func": lambda now, **_: 1 / 0}))
    client.post("/admin/jobs/vehicle_documents/run", data={"csrf_token": csrf_token_from(page)})
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "ZeroDivisionError" in page
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 2
    assert client.post("/admin/jobs/nope/run",
                       data={"csrf_token": csrf_token_from(page)}).status_code == 404


@pytest.mark.parametrize("role", ["advisor", "fleet_manager", "beneficiary", "prescriber"])
def test_jobs_page_is_for_admins_only(sqlite_app, role):
    client = sqlite_app.test_client()
    login(client, create_user(role))
    assert client.get("/admin/jobs").status_code == 403


def test_run_once_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["scheduler", "run-once", "--job", "rental_overdue"])
    assert result.exit_code == 0, result.output
    assert "rental_overdue\tok\t0 nouvelle notification" in result.output
    result = runner.invoke(args=["scheduler", "run-once", "--job", "nope"])
    assert result.exit_code == 2 and "unknown job" in result.output
    result = runner.invoke(args=["scheduler", "list"])
    assert "rental_overdue" in result.output and "send_outbox" in result.output
