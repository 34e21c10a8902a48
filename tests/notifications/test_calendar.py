"""Calendar files: the e-mail about a checkpoint, a return, a hand-over or a workshop carries
an `.ics` event with the place's address, and the portal offers the same file; both are read
back with `icalendar` as a calendar application would."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar

from mobility.core.db import db
from mobility.notifications.outbox import enqueue_notification, send_due_messages
from mobility.notifications.rendering import absolute_link
from tests.factories import (
    create_beneficiary,
    create_platform,
    create_rental,
    create_user,
    create_workshop_session,
    login,
)
from tests.notifications.servers import notify_config


def _events(ics: bytes) -> list:
    calendar = Calendar.from_ical(ics)
    assert calendar["VERSION"] == "2.0"
    return list(calendar.walk("VEVENT"))


def _attachment(mail) -> bytes:
    [part] = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "rendez-vous.ics"
    return part.get_content().encode() if isinstance(part.get_content(), str) \
        else part.get_content()


def test_a_checkpoint_e_mail_carries_the_event_with_the_address(app, smtp_server):
    notify_config(app, smtp=smtp_server)
    platform = create_platform()
    person = create_beneficiary(platform, email="lea@example.org")
    rental = create_rental(platform=platform, status="in_progress",
                           end_date=date(2026, 3, 20), beneficiary=person)
    enqueue_notification(kind="checkpoint_reminder", key="cp", recipient=person,
                         channel="email", about=("rental", rental.id),
                         context={"checkpoint_date": date(2026, 3, 9), "place": "Pôle",
                                  "link": absolute_link("dashboard.home")})
    db.session.commit()
    send_due_messages()
    [mail] = smtp_server[2].wait_for(1)
    [event] = _events(_attachment(mail))
    assert event.decoded("DTSTART") == date(2026, 3, 9)
    assert event.decoded("DTEND") == date(2026, 3, 10)
    assert "Point étape" in str(event["SUMMARY"])
    site = rental.vehicle.site
    assert str(event["LOCATION"]) == f"{site.name}, {site.address}"
    assert "avenue de Verdun, 06240 Beausoleil" in str(event["LOCATION"])


def test_a_workshop_e_mail_carries_its_start_and_end(app, smtp_server):
    notify_config(app, smtp=smtp_server)
    platform = create_platform()
    person = create_beneficiary(platform, email="lea@example.org")
    starts = datetime(2026, 3, 10, 13, 30, tzinfo=UTC)
    session = create_workshop_session(platform, starts_at=starts, attendees=[person])
    enqueue_notification(kind="workshop_reminder", key="ws", recipient=person, channel="email",
                         about=("workshop_session", session.id),
                         context={"workshop_title": session.workshop.title, "starts_at": starts,
                                  "location": session.location, "link": None})
    db.session.commit()
    send_due_messages()
    [event] = _events(_attachment(smtp_server[2].wait_for(1)[0]))
    assert event.decoded("DTSTART") == starts
    assert event.decoded("DTEND") == starts + timedelta(minutes=session.duration_min)
    assert str(event["LOCATION"]) == "Pôle de Beausoleil"


def test_messages_about_no_date_have_no_attachment(app, smtp_server):
    notify_config(app, smtp=smtp_server)
    person = create_beneficiary(email="lea@example.org")
    enqueue_notification(kind="pathway_exit", key="exit", recipient=person, channel="email",
                         context={"exit_date": date(2026, 3, 1), "beneficiary_name": "Léa",
                                  "link": None})
    db.session.commit()
    send_due_messages()
    [mail] = smtp_server[2].wait_for(1)
    assert list(mail.iter_attachments()) == []


def test_the_portal_offers_the_same_calendar_file(app, client):
    platform = create_platform()
    account = create_user("beneficiary", platform=platform)
    person = create_beneficiary(platform, user_id=account.id)
    rental = create_rental(platform=platform, status="in_progress",
                           end_date=date(2026, 3, 20), beneficiary=person,
                           start_date=date(2026, 3, 1))
    login(client, account)
    response = client.get("/portal/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = {str(e["UID"]).split("-")[0]: e for e in _events(response.data)}
    assert events["return"].decoded("DTSTART") == date(2026, 3, 20)
    assert rental.vehicle.site.address in str(events["return"]["LOCATION"])
    assert events["checkpoint"].decoded("DTSTART") == date(2026, 3, 8)  # a week after start

    advisor = create_user("advisor", platform=platform)
    other = app.test_client()
    login(other, advisor)
    assert other.get("/portal/calendar.ics").status_code == 403
