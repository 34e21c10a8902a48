"""Forget old job runs."""

from __future__ import annotations

from mobility.api.idempotency import purge_old
from mobility.core.db import db
from mobility.core.translations import lazy_gettext as _l
from mobility.core.translations import ngettext
from mobility.scheduling.registry import scheduled_job
from mobility.scheduling.runner import prune_runs


@scheduled_job("prune_job_runs", label=_l("Forget old job runs"), daily_minute=50, order=95)
def prune_job_runs(now) -> str:
    return ngettext("%(num)d run forgotten", "%(num)d runs forgotten", prune_runs(now))


@scheduled_job("prune_idempotency_keys", label=_l("Forget used Idempotency-Keys"),
               daily_minute=52, order=95)
def prune_idempotency_keys(now) -> str:
    """Keys and form tokens older than a day: a retry comes within minutes, not days."""
    count = purge_old(now)
    db.session.commit()
    return ngettext("%(num)d key forgotten", "%(num)d keys forgotten", count)
