"""`flask --app mobility scheduler run | run-once | list`."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from mobility.scheduling.process import run_scheduler, scheduler_lock
from mobility.scheduling.registry import all_jobs
from mobility.scheduling.runner import job_overview, run_due_jobs

scheduler_cli = AppGroup("scheduler", help="Scheduled jobs: reminders and sending the outbox.")


@scheduler_cli.command("run")
@click.option("--standby/--no-standby", default=True,
              help="When another scheduler runs: wait to take over (default) or exit with 1.")
def run(standby: bool) -> None:
    """Run the scheduler in this process until SIGTERM (one per installation)."""
    app = current_app._get_current_object()
    code = run_scheduler(app, standby=standby, echo=lambda m: click.echo(m, err=True))
    sys.exit(code)


@scheduler_cli.command("run-once")
@click.option("--all", "everything", is_flag=True, help="Run every job, due or not.")
@click.option("--job", "only", multiple=True, help="Run only this job (repeatable).")
@click.option("--wait-s", default=0.0, show_default=True,
              help="How long to wait for a running scheduler to free the lock.")
def run_once(everything: bool, only: tuple[str, ...], wait_s: float) -> None:
    """Run every due job once and exit (cron-only hosts, operators, tests).

    Exits 0 when the jobs ran (or when another scheduler process holds the lock: it does the
    work), 1 when a job failed.
    """
    known = {spec.id for spec in all_jobs()}
    unknown = sorted(set(only) - known)
    if unknown:
        raise click.BadParameter(f"unknown job(s): {', '.join(unknown)}", param_hint="--job")
    lock = scheduler_lock(current_app._get_current_object())
    if not lock.acquire(timeout_s=wait_s, poll_s=0.5):
        click.echo(f"another scheduler holds the {lock.description}; nothing done", err=True)
        return
    try:
        runs = run_due_jobs(trigger="run-once", everything=everything, only=list(only) or None)
    finally:
        lock.release()
    for job_run in runs:
        click.echo(f"{job_run.job_id}\t{job_run.status}\t{job_run.summary or job_run.error or ''}")
    if not runs:
        click.echo("no job due")
    if any(job_run.status == "error" for job_run in runs):
        sys.exit(1)


@scheduler_cli.command("list")
def list_jobs() -> None:
    """Each job with its schedule, last run and next run."""
    for row in job_overview():
        spec, last = row["spec"], row["last"]
        last_text = f"{last.started_at:%Y-%m-%d %H:%M} {last.status}" if last else "never"
        next_text = f"{row['next_run']:%Y-%m-%d %H:%M}" if row["next_run"] else "-"
        click.echo(f"{spec.id:22} every {spec.describe():14} last {last_text:26} "
                   f"next {next_text}{' (due)' if row['due'] else ''}")


def register(app: Flask) -> None:
    app.cli.add_command(scheduler_cli)
