"""Calendar files (`.ics`, RFC 5545, written with the `icalendar` package) for the dates a
beneficiary must keep: a checkpoint, a vehicle hand-over or return, a workshop.

`events_for_message` builds the event an e-mail is about (attached as `rendez-vous.ics`);
the portal offers the same events (`ics_for`) from the person's records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from icalendar import Calendar, Event

from fleet.models import Rental, Vehicle
from mobility.checkpoints.services import (
    CHECKPOINT_MINUTES,
    Appointment,
    next_appointment_of,
    rental_site,
)
from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.core.translations import gettext as _
from mobility.people.models import WorkshopSession

#: the kinds of message that are about a date to keep
CALENDAR_KINDS = frozenset({"checkpoint_reminder", "rental_return_due", "workshop_reminder",
                            "vehicle_replaced"})


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    start: date | datetime  # a date: an all-day event
    end: date | datetime
    location: str | None = None
    description: str | None = None


def _place(site) -> str | None:
    if site is None:
        return None
    return ", ".join(part for part in (site.name, site.address) if part) or None


def _rental_site(rental):
    return rental.return_site or (rental.vehicle.site if rental.vehicle else None)


def _all_day(day: date) -> tuple[date, date]:
    return day, day + timedelta(days=1)


def checkpoint_event(rental, appointment) -> CalendarEvent:
    """The next checkpoint (`checkpoints.services.Appointment`): at its time when one is set
    (else all day), at its place."""
    if appointment.starts_at is not None:
        start = appointment.starts_at
        end = start + timedelta(minutes=CHECKPOINT_MINUTES)
    else:
        start, end = _all_day(appointment.day)
    return CalendarEvent(uid=f"checkpoint-{rental.id}-{appointment.day.isoformat()}",
                         summary=_("Checkpoint with your advisor (bring the vehicle)"),
                         start=start, end=end, location=appointment.place_text)


def _appointment_on(rental, day: date):
    """The rental's planned checkpoint when it is on `day` (with its time and place), else an
    all-day one on `day` at the rental's site."""
    planned = next_appointment_of(rental)
    if planned is not None and planned.day == day:
        return planned
    return Appointment(day=day, time=None, site=rental_site(rental), place=None,
                       is_default=True)


def return_event(rental) -> CalendarEvent:
    if rental.return_slot_at is not None:
        start, end = rental.return_slot_at, rental.return_slot_at + timedelta(minutes=30)
    else:
        start, end = _all_day(rental.end_date)
    return CalendarEvent(uid=f"return-{rental.id}-{rental.end_date.isoformat()}",
                         summary=_("Bring back the vehicle %(vehicle)s",
                                   vehicle=rental.vehicle.display_name),
                         start=start, end=end, location=_place(_rental_site(rental)))


def hand_over_event(rental, vehicle=None) -> CalendarEvent:
    vehicle = vehicle or rental.vehicle
    start, end = _all_day(rental.start_date)
    return CalendarEvent(uid=f"handover-{rental.id}-{vehicle.id}",
                         summary=_("Collect the vehicle %(vehicle)s (bring your ID)",
                                   vehicle=vehicle.display_name),
                         start=start, end=end, location=_place(vehicle.site))


def workshop_event(session) -> CalendarEvent:
    return CalendarEvent(uid=f"workshop-{session.id}",
                         summary=_("Workshop: %(title)s", title=session.workshop.title),
                         start=session.starts_at,
                         end=session.starts_at + timedelta(minutes=session.duration_min or 120),
                         location=session.location)


def events_for_message(message, context: dict) -> list[CalendarEvent]:
    """The event an outbox message is about (none for other kinds or missing records)."""
    if message.kind not in CALENDAR_KINDS or context.get("audience") == "staff":
        return []
    if message.object_type == "rental":
        rental = db.session.get(Rental, message.object_id)
        if rental is None:
            return []
        if message.kind == "checkpoint_reminder" and isinstance(
                context.get("checkpoint_date"), date):
            return [checkpoint_event(rental, _appointment_on(rental,
                                                             context["checkpoint_date"]))]
        if message.kind == "rental_return_due":
            return [return_event(rental)]
        if message.kind == "vehicle_replaced":
            return [hand_over_event(rental, rental.vehicle if rental.vehicle else
                                    db.session.get(Vehicle, rental.vehicle_id))]
    if message.object_type == "workshop_session" and message.kind == "workshop_reminder":
        session = db.session.get(WorkshopSession, message.object_id)
        return [workshop_event(session)] if session is not None else []
    return []


def to_ics(events: list[CalendarEvent], *, locale: str = "fr") -> bytes:
    """A VCALENDAR with one VEVENT per event (times in UTC, dates as all-day events)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Plateforme mobilite//Rappels//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    stamp = utcnow()
    with force_locale(locale):
        for item in events:
            event = Event()
            event.add("uid", f"{item.uid}@mobilite")
            event.add("dtstamp", stamp)
            event.add("summary", str(item.summary))
            event.add("dtstart", item.start)
            event.add("dtend", item.end)
            if item.location:
                event.add("location", item.location)
            if item.description:
                event.add("description", item.description)
            calendar.add_component(event)
    return calendar.to_ical()
