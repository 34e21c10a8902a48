"""Workshop reminders to the people registered (the day before, configurable)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.translations import lazy_gettext as _l
from mobility.notifications.rendering import absolute_link
from mobility.notifications.settings import setting
from mobility.people.models import WorkshopAttendance, WorkshopSession
from mobility.scheduling.registry import LOCAL_TZ, Reminder, reminder_job


@reminder_job("workshop_reminders", label=_l("Workshop reminders"), daily_minute=25)
def workshop_reminders(today, now):
    """Sessions not started yet whose French date is within REMINDER_WORKSHOP_DAYS days."""
    horizon = now + timedelta(days=setting("REMINDER_WORKSHOP_DAYS") + 2)
    attendances = db.session.scalars(
        select(WorkshopAttendance).join(WorkshopSession)
        .where(WorkshopSession.starts_at > now, WorkshopSession.starts_at <= horizon,
               WorkshopAttendance.status == "registered")
        .options(joinedload(WorkshopAttendance.session).joinedload(WorkshopSession.workshop),
                 joinedload(WorkshopAttendance.beneficiary))
        .order_by(WorkshopAttendance.id))
    last_day = today + timedelta(days=setting("REMINDER_WORKSHOP_DAYS"))
    for attendance in attendances:
        session = attendance.session
        if local_today(session.starts_at) > last_day:
            continue
        beneficiary = attendance.beneficiary
        pathway = beneficiary.open_pathway
        yield Reminder(
            kind="workshop_reminder",
            key=f"workshop_session:{session.id}:reminder:"
                f"{session.starts_at.astimezone(LOCAL_TZ).date()}",
            recipients=[beneficiary], platform_id=attendance.platform_id,
            advisor_id=pathway.advisor_id if pathway else None,
            about=("workshop_session", session.id),
            context={"workshop_title": session.workshop.title, "starts_at": session.starts_at,
                     "location": session.location, "link": absolute_link("dashboard.home")},
        )
