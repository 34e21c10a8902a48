"""Workshops: sessions, registrations within capacity, attendance as pathway actions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from mobility.audit.services import record_audit
from mobility.core.dates import local_today
from mobility.core.db import db, write_transaction
from mobility.core.errors import Conflict, NotFound, ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.people.models import (
    ATTENDANCE_STATUSES,
    Beneficiary,
    PathwayAction,
    Workshop,
    WorkshopAttendance,
    WorkshopSession,
)
from mobility.people.services.common import NOT_A_CHOICE, open_pathway_of


def get_or_create_workshop(platform_id: int, title: str) -> Workshop:
    workshop = db.session.scalar(select(Workshop).where(
        Workshop.platform_id == platform_id, Workshop.title == title))
    if workshop is None:
        workshop = Workshop(platform_id=platform_id, title=title)
        db.session.add(workshop)
        db.session.flush()
    return workshop


def create_workshop_session(actor, *, title: str, starts_at: datetime, capacity: int = 8,
                            duration_min: int = 120, location: str | None = None
                            ) -> WorkshopSession:
    errors = {}
    if not (title or "").strip():
        errors["title"] = _l("This field is required.")
    if not isinstance(capacity, int) or capacity < 1 or capacity > 100:
        errors["capacity"] = _l("Must be between 1 and 100.")
    if not isinstance(duration_min, int) or duration_min < 15 or duration_min > 480:
        errors["duration_min"] = _l("Must be between 15 and 480 minutes.")
    if starts_at is None or starts_at.tzinfo is None:
        errors["starts_at"] = _l("Must be a date and time (ISO 8601).")
    if errors:
        raise ValidationFailed(details=errors)
    workshop = get_or_create_workshop(actor.platform_id, title.strip())
    session = WorkshopSession(platform_id=actor.platform_id, workshop_id=workshop.id,
                              starts_at=starts_at, capacity=capacity, duration_min=duration_min,
                              location=(location or "").strip() or None)
    db.session.add(session)
    db.session.flush()
    record_audit(actor, "create", object_type="WorkshopSession", object_id=session.id,
                 fields=["title", "starts_at", "capacity", "duration_min", "location"])
    db.session.commit()
    return session


def register_attendee(actor, session: WorkshopSession, beneficiary: Beneficiary
                      ) -> WorkshopAttendance:
    """Register a beneficiary for a session, within its capacity."""
    if beneficiary.platform_id != session.platform_id:
        raise NotFound()
    with write_transaction():
        count = db.session.scalar(select(func.count(WorkshopAttendance.id)).where(
            WorkshopAttendance.session_id == session.id))
        exists = db.session.scalar(select(WorkshopAttendance.id).where(
            WorkshopAttendance.session_id == session.id,
            WorkshopAttendance.beneficiary_id == beneficiary.id))
        if exists:
            raise Conflict(_l("This person is already registered for this session."),
                           code="already_registered")
        if count >= session.capacity:
            raise Conflict(_l("This session is full."), code="session_full")
        attendance = WorkshopAttendance(platform_id=session.platform_id, session_id=session.id,
                                        beneficiary_id=beneficiary.id, status="registered")
        db.session.add(attendance)
        db.session.flush()
        record_audit(actor, "create", object_type="WorkshopAttendance", object_id=attendance.id,
                     fields=["session_id", "beneficiary_id"])
    return attendance


def record_attendance(actor, attendance: WorkshopAttendance, status: str) -> WorkshopAttendance:
    """Mark attended or absent; an attendance becomes a workshop action of the pathway."""
    if status not in ATTENDANCE_STATUSES:
        raise ValidationFailed(details={"status": NOT_A_CHOICE})
    session = attendance.session
    beneficiary = attendance.beneficiary
    if status == "attended" and attendance.action_id is None:
        pathway = open_pathway_of(beneficiary)
        done_on = session.starts_at.date()
        if done_on > local_today():
            raise ValidationFailed(details={
                "status": _l("Attendance can be recorded once the session has started.")})
        action = PathwayAction(platform_id=beneficiary.platform_id, pathway_id=pathway.id,
                               kind="workshop", done_on=done_on, title=session.workshop.title,
                               workshop_session_id=session.id, author_id=actor.id)
        db.session.add(action)
        db.session.flush()
        attendance.action_id = action.id
    elif status != "attended" and attendance.action_id is not None:
        action = db.session.get(PathwayAction, attendance.action_id)
        attendance.action_id = None
        db.session.flush()
        db.session.delete(action)
    attendance.status = status
    record_audit(actor, "update", object_type="WorkshopAttendance", object_id=attendance.id,
                 fields=["status"])
    db.session.commit()
    return attendance


