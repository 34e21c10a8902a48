"""Forget old job runs."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from mobility.scheduling.registry import scheduled_job
from mobility.scheduling.runner import prune_runs


@scheduled_job("prune_job_runs", label=_l("Forget old job runs"), daily_minute=50, order=95)
def prune_job_runs(now) -> str:
    return f"{prune_runs(now)} run(s) forgotten"
