"""The job store's table (APScheduler's own layout) and the record of every job run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    Unicode,
)
from sqlalchemy.orm import Mapped, mapped_column

from mobility.core.columns import UTCDateTime, utcnow
from mobility.core.db import db
from mobility.core.translations import lazy_gettext as _l

#: APScheduler's `SQLAlchemyJobStore` table, declared here with the same columns so that the
#: migrations create it and Alembic does not propose to drop it.
JOBSTORE_TABLE = "scheduler_jobs"
scheduler_jobs = Table(
    JOBSTORE_TABLE,
    db.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)

RUN_STATUSES = ("running", "ok", "error")


class JobRun(db.Model):
    """One run of a scheduled job, by the scheduler, `run-once` or the admin page.

    Installation-wide (jobs cover every platform); holds counts and error messages, never
    personal values.
    """

    #: how a run was started and how it ended, as the jobs page names them
    TRIGGERS = {"scheduler": _l("Scheduler"), "catch-up": _l("Catch-up at start"),
                "run-once": _l("Command line"), "admin": _l("An administrator")}
    STATUSES = {"running": _l("Running"), "ok": _l("Succeeded"), "error": _l("Error")}

    __tablename__ = "scheduler_job_runs"
    __table_args__ = (Index("ix_scheduler_job_runs_job_started", "job_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")
    #: what the run did, e.g. "3 new notifications"
    summary: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    #: how it was started: scheduler, run-once, admin
    trigger: Mapped[str] = mapped_column(String(16), default="scheduler")
    host: Mapped[str | None] = mapped_column(String(120))
    #: the platform an admin ran it for (None: the whole installation)
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platforms.id"), index=True)

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
