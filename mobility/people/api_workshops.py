"""API v1 for workshop sessions, registrations and attendance."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import select

from mobility.api import api_route
from mobility.auth.policies import get_or_404, scoped
from mobility.core.db import db
from mobility.core.errors import NotFound
from mobility.pagination import PageOnly, page_response, paginate
from mobility.people import services
from mobility.people.api import STAFF, TAGS, Strict
from mobility.people.models import Beneficiary, WorkshopAttendance, WorkshopSession


class SessionIn(Strict):
    title: str = Field(min_length=1, max_length=200)
    starts_at: datetime
    capacity: int = 8
    duration_min: int = 120
    location: str | None = Field(default=None, max_length=200)


class AttendeeIn(Strict):
    beneficiary_id: int


class AttendanceIn(Strict):
    beneficiary_id: int
    status: Literal["registered", "attended", "absent"]


def session_json(session: WorkshopSession) -> dict[str, Any]:
    return {"id": session.id, "title": session.workshop.title,
            "starts_at": session.starts_at.isoformat(), "duration_min": session.duration_min,
            "capacity": session.capacity, "location": session.location,
            "seats_left": session.seats_left,
            "attendees": [{"beneficiary_id": a.beneficiary_id, "status": a.status}
                          for a in session.attendances]}


@api_route("/workshop-sessions", methods=("POST",), roles=STAFF, body=SessionIn, status=201,
           summary="Schedule a collective workshop session", tags=TAGS)
def create_session(user, body: SessionIn):
    return session_json(services.create_workshop_session(user, **body.model_dump()))


@api_route("/workshop-sessions", roles=STAFF, query=PageOnly, response=list, tags=TAGS,
           summary="Workshop sessions, newest first, a page at a time (Link: rel=next)")
def list_sessions(user, query: PageOnly):
    page = paginate(scoped(WorkshopSession, user), (WorkshopSession.starts_at, WorkshopSession.id),
                    cursor=query.cursor, limit=query.limit, descending=True)
    return page_response(page, [session_json(s) for s in page])


@api_route("/workshop-sessions/<int:session_id>/attendees", methods=("POST",), roles=STAFF,
           body=AttendeeIn, status=201, summary="Register a beneficiary for a session",
           tags=TAGS)
def register_attendee(user, session_id: int, body: AttendeeIn):
    session = get_or_404(WorkshopSession, session_id, user, action="edit")
    beneficiary = get_or_404(Beneficiary, body.beneficiary_id, user, action="edit")
    services.register_attendee(user, session, beneficiary)
    return session_json(db.session.get(WorkshopSession, session_id))


@api_route("/workshop-sessions/<int:session_id>/attendance", methods=("POST",), roles=STAFF,
           body=AttendanceIn, summary="Record whether a registered person attended", tags=TAGS)
def record_attendance(user, session_id: int, body: AttendanceIn):
    session = get_or_404(WorkshopSession, session_id, user, action="edit")
    attendance = db.session.scalar(select(WorkshopAttendance).where(
        WorkshopAttendance.session_id == session.id,
        WorkshopAttendance.beneficiary_id == body.beneficiary_id))
    if attendance is None:
        raise NotFound()
    services.record_attendance(user, attendance, body.status)
    return session_json(session)

