"""The job registry: `@scheduled_job` for any periodic work, `@reminder_job` for the usual case
of "a catch-up query + a notification key".

A reminder job is a generator `(today, now) -> Reminder...`: it selects every record whose
reminder is due *or overdue* (so a missed run heals itself at the next one) and yields one
`Reminder` per event. The runner enqueues one outbox row per recipient with the key
`"{reminder.key}:{recipient type}:{recipient id}"`; the outbox's UNIQUE key makes re-runs,
catch-ups and concurrent runs harmless. Example::

    @reminder_job("rental_return_due", label=_l("Returns due tomorrow"))
    def rental_return_due(today, now):
        for rental in db.session.scalars(select(Rental).where(...)):
            yield Reminder(kind="rental_return_due",
                           key=f"rental:{rental.id}:return_due:{rental.end_date}",
                           recipients=[rental.beneficiary], platform_id=rental.platform_id,
                           context={...}, advisor_id=rental.advisor_id,
                           about=("rental", rental.id))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app

from mobility.core.dates import PARIS, local_today
from mobility.core.db import write_transaction
from mobility.core.declarations import declared_in
from mobility.core.translations import ngettext
from mobility.notifications.outbox import enqueue_notification
from mobility.notifications.recipients import recipient_key
from mobility.notifications.settings import setting

LOCAL_TZ = PARIS
#: fixed origin of interval triggers, so that their fire times do not depend on start-up time
INTERVAL_ANCHOR = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class JobSpec:
    """A periodic job: `func(now) -> summary`, run at `daily_minute` past the daily hour or
    every `every_s` seconds (or every `every_setting` seconds, read from the settings)."""

    id: str
    label: Any
    func: Callable[[datetime], str]
    daily_minute: int | None = None
    every_s: int | None = None
    every_setting: str | None = None
    #: run-once runs jobs by increasing order: reminders first, the outbox sender last
    order: int = 50
    #: a job that can run for one platform only (`func(now, platform_id=)`): the reminders.
    #: Other jobs cover the whole installation and only the scheduler or the CLI runs them.
    per_platform: bool = False

    def trigger(self):
        """The APScheduler trigger (UTC). Needs an app context for the settings."""
        if self.daily_minute is not None:
            return CronTrigger(hour=setting("SCHEDULER_DAILY_HOUR_UTC"),
                               minute=self.daily_minute, timezone=UTC)
        seconds = self.every_s or setting(self.every_setting)
        return IntervalTrigger(seconds=seconds, start_date=INTERVAL_ANCHOR, timezone=UTC)

    def describe(self) -> str:
        if self.daily_minute is not None:
            return f"{setting('SCHEDULER_DAILY_HOUR_UTC'):02d}:{self.daily_minute:02d} UTC"
        return f"{self.every_s or setting(self.every_setting)} s"


def scheduled_job(job_id: str, *, label, daily_minute: int | None = None,
                  every_s: int | None = None, every_setting: str | None = None,
                  order: int = 50, per_platform: bool = False):
    """Declare `func(now) -> str` as a periodic job (daily by default); a feature's `init_app`
    adds its jobs with `register_jobs`."""
    if daily_minute is None and every_s is None and every_setting is None:
        daily_minute = 0

    def decorate(func):
        func.job_spec = JobSpec(id=job_id, label=label, func=func, daily_minute=daily_minute,
                                every_s=every_s, every_setting=every_setting, order=order,
                                per_platform=per_platform)
        return func

    return decorate


@dataclass
class Reminder:
    """One event to notify: `key` names the event (the recipient is appended)."""

    kind: str
    key: str
    recipients: list
    platform_id: int
    context: dict[str, Any] = field(default_factory=dict)
    advisor_id: int | None = None
    about: tuple[str, int] | None = None
    channel: str | None = None




def enqueue_reminders(reminders: Iterable[Reminder]) -> int:
    """Write the reminders to the outbox in one transaction; returns how many were new."""
    created = 0
    with write_transaction():
        for reminder in reminders:
            seen = set()
            for recipient in reminder.recipients:
                if recipient is None:
                    continue
                recipient_type, recipient_id = recipient_key(recipient)
                if (recipient_type, recipient_id) in seen:
                    continue
                seen.add((recipient_type, recipient_id))
                created += enqueue_notification(
                    kind=reminder.kind, key=f"{reminder.key}:{recipient_type}:{recipient_id}",
                    recipient=recipient, context=reminder.context,
                    advisor_id=reminder.advisor_id, about=reminder.about,
                    channel=reminder.channel, platform_id=reminder.platform_id,
                )
    return created


def reminder_job(job_id: str, *, label, daily_minute: int | None = None,
                 every_s: int | None = None, order: int = 20):
    """Declare a catch-up query `(today, now) -> Iterable[Reminder]` as a job."""

    def decorate(query):
        def run(now: datetime, platform_id: int | None = None) -> str:
            reminders = query(today=local_today(now), now=now)
            if platform_id is not None:  # run by a platform's admin: their platform only
                reminders = (r for r in reminders if r.platform_id == platform_id)
            created = enqueue_reminders(reminders)
            return ngettext("%(num)d new notification", "%(num)d new notifications", created)

        run.__name__ = run.__qualname__ = f"{job_id}_job"
        run.__doc__ = query.__doc__
        scheduled_job(job_id, label=label, daily_minute=daily_minute, every_s=every_s,
                      order=order, per_platform=True)(run)
        query.job_spec = run.job_spec
        return query

    return decorate


def register_jobs(app: Flask, *modules: ModuleType) -> None:
    """Add the jobs declared in these modules (`@scheduled_job`, `@reminder_job`) to the app."""
    jobs = app.extensions.setdefault("jobs", {})
    jobs.update((job.job_spec.id, job.job_spec) for job in declared_in(modules, "job_spec"))


def registered_jobs() -> dict[str, JobSpec]:
    """The current app's jobs by id."""
    return current_app.extensions.get("jobs", {})


def all_jobs() -> list[JobSpec]:
    """Every job of the app, in run-once order."""
    return sorted(registered_jobs().values(), key=lambda spec: (spec.order, spec.id))


def get_job(job_id: str) -> JobSpec | None:
    """The job `job_id`, or None."""
    return registered_jobs().get(job_id)
