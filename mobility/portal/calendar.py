"""The portal's calendar file: what is coming for the person, as calendar events."""

from __future__ import annotations

from sqlalchemy import select

from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.notifications.calendar import (
    CalendarEvent,
    checkpoint_event,
    hand_over_event,
    return_event,
    workshop_event,
)
from mobility.people.models import WorkshopAttendance, WorkshopSession
from mobility.portal.summary import summary_for


def upcoming_events(beneficiary, viewer) -> list[CalendarEvent]:
    """What the portal's calendar file holds: the open rentals' next checkpoint and return,
    and the workshops the person is registered for."""
    summary = summary_for(beneficiary, viewer)
    events = []
    for item in summary.rentals:
        if item.rental.status == "booked":
            events.append(hand_over_event(item.rental))
        if item.appointment is not None:
            events.append(checkpoint_event(item.rental, item.appointment))
        events.append(return_event(item.rental))
    sessions = db.session.scalars(
        select(WorkshopSession).join(WorkshopAttendance,
                                     WorkshopAttendance.session_id == WorkshopSession.id)
        .where(WorkshopAttendance.beneficiary_id == beneficiary.id,
               WorkshopSession.starts_at >= utcnow())).all()
    events.extend(workshop_event(session) for session in sessions)
    return events
