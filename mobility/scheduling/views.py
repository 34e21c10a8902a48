"""The admin's jobs page: each job's last run, next run and last error; run a job now."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from mobility.auth.policies import requires_roles
from mobility.core.db import db
from mobility.core.roles import ADMIN
from mobility.core.translations import gettext as _
from mobility.scheduling.models import JobRun
from mobility.scheduling.registry import get_job
from mobility.scheduling.runner import job_overview, run_job

bp = Blueprint("scheduling", __name__, url_prefix="/admin/jobs")


class RunForm(FlaskForm):
    """The "run now" button (CSRF token only)."""


@bp.route("")
@requires_roles(ADMIN)
def jobs():
    """A platform's admin sees the jobs that can run for their platform, and their own runs."""
    platform_id = current_user.platform_id
    recent = db.session.scalars(
        select(JobRun).where(JobRun.platform_id == platform_id)
        .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(30)).all()
    return render_template("scheduling/jobs.html", rows=job_overview(platform_id=platform_id),
                           recent=recent, form=RunForm(), platform_id=platform_id)


@bp.route("/<job_id>/run", methods=["POST"])
@requires_roles(ADMIN)
def run_now(job_id: str):
    if not RunForm().validate_on_submit():
        abort(400)
    spec = get_job(job_id)
    if spec is None or not spec.per_platform:  # installation-wide: scheduler and CLI only
        abort(404)
    job_run = run_job(job_id, trigger="admin", platform_id=current_user.platform_id)
    if job_run.status == "ok":
        flash(_("The job ran: %(summary)s", summary=job_run.summary or ""), "success")
    else:
        flash(_("The job failed: %(error)s", error=job_run.error or ""), "error")
    return redirect(url_for("scheduling.jobs"))
