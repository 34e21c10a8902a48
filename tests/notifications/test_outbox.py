"""The outbox: idempotent enqueueing, e-mail to a real SMTP server, SMS to a real HTTP receiver,
retries with backoff, faults that leave the message in the outbox, and the advisor's queue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from mobility.core.db import db
from mobility.notifications.models import OutboxMessage
from mobility.notifications.outbox import backoff_s, enqueue_notification, send_due_messages
from tests.factories import closed_port, create_beneficiary, create_platform, create_user
from tests.notifications.servers import notify_config

T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def _return_due(recipient, key="rental:1:return_due:2026-03-03", **context):
    values = {"audience": "beneficiary", "vehicle": "Scooter GA-001-BC",
              "end_date": date(2026, 3, 3), "return_site": "Pôle de Beausoleil",
              "beneficiary_name": "Léa Martin", "link": "https://mobilite.test/dashboard"}
    values.update(context)
    for name in [k for k, v in values.items() if v is _MISSING]:
        del values[name]
    return enqueue_notification(kind="rental_return_due", key=key, recipient=recipient,
                                context=values, about=("rental", 1))


_MISSING = object()


def _messages():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_the_same_key_gives_one_message(app):
    person = create_beneficiary(email="lea@example.org")
    assert _return_due(person) is True
    assert _return_due(person) is False
    db.session.commit()
    assert _return_due(person) is False
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_message_exists_only_if_its_cause_commits(app):
    person = create_beneficiary(email="lea@example.org")
    _return_due(person)
    db.session.rollback()
    assert _messages() == []


def test_email_reaches_the_smtp_server_in_french_with_text_and_html(app, smtp_server):
    notify_config(app, smtp=smtp_server)
    person = create_beneficiary(email="lea@example.org", first_name="Léa", last_name="Martin")
    _return_due(person)
    db.session.commit()

    report = send_due_messages()

    assert report.sent == 1
    [mail] = smtp_server[2].wait_for(1)
    assert mail["To"] == "lea@example.org"
    assert mail["X-Notification-Key"] == "rental:1:return_due:2026-03-03"
    assert "Votre véhicule" in mail["Subject"] and "3 mars 2026" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Bonjour Léa Martin" in text and "Pôle de Beausoleil" in text
    assert "https://mobilite.test/dashboard" in text
    assert "<a href=\"https://mobilite.test/dashboard\"" in html
    [row] = _messages()
    assert (row.status, row.channel, row.attempts, row.to_address) == (
        "sent", "email", 1, "lea@example.org")


def test_email_in_the_recipients_language(app, smtp_server):
    notify_config(app, smtp=smtp_server)
    user = create_user("fleet_manager", locale="en")
    enqueue_notification(kind="vehicle_document_expiring", key="vehicle:1:insurance:x",
                         recipient=user, context={"vehicle": "Car AB-123-CD",
                                                  "document": "insurance",
                                                  "expires_on": date(2026, 4, 1), "link": ""})
    db.session.commit()
    send_due_messages()
    [mail] = smtp_server[2].wait_for(1)
    assert mail["Subject"] == "Insurance of Car AB-123-CD expires on Apr 1, 2026"


def test_sms_goes_to_the_provider_in_e164_with_a_short_text_and_link(app, sms_receiver):
    notify_config(app, sms=sms_receiver)
    person = create_beneficiary(phone="06 12 34 56 78", email=None)
    _return_due(person)
    db.session.commit()

    assert send_due_messages().sent == 1

    [request] = sms_receiver.requests
    assert request["json"]["to"] == "+33612345678"
    assert request["headers"]["Authorization"] == "Bearer test-key"
    text = request["json"]["text"]
    assert len(text) <= 160 and text.endswith("https://mobilite.test/dashboard")
    assert "Rappel" in text
    assert _messages()[0].status == "sent"


@pytest.mark.parametrize("mode, error", [("error", "HTTP 500"), ("slow", "timed out")])
def test_sms_provider_failure_keeps_the_message_and_retries_with_backoff(
        app, sms_receiver, smtp_server, mode, error):
    notify_config(app, sms=sms_receiver, smtp=smtp_server)
    sms_person = create_beneficiary(phone="0612345678", email=None)
    mail_person = create_beneficiary(email="other@example.org")
    with time_machine.travel(T0, tick=False):
        _return_due(sms_person, key="k:sms")
        _return_due(mail_person, key="k:mail")
        db.session.commit()
        sms_receiver.mode = mode
        report = send_due_messages()
    assert (report.sent, report.retried) == (1, 1)  # the e-mail is not held back
    sms_row = next(m for m in _messages() if m.key == "k:sms")
    assert sms_row.status == "pending" and sms_row.attempts == 1
    assert error in sms_row.last_error
    assert sms_row.next_attempt_at == T0 + timedelta(seconds=60)

    sms_receiver.mode = "ok"
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        assert send_due_messages().sent == 0  # not yet: backoff
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        assert send_due_messages().sent == 1
    assert next(m for m in _messages() if m.key == "k:sms").status == "sent"


def test_backoff_doubles_up_to_a_ceiling(sqlite_app):
    assert [backoff_s(n) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff_s(30) == 6 * 3600


def test_smtp_down_then_final_failure_is_shown_to_the_advisor(app, client):
    with closed_port() as port:  # nothing listens there
        notify_config(app, smtp=("127.0.0.1", port, None), NOTIFY_MAX_ATTEMPTS=3)
        platform = create_platform()
        advisor = create_user("advisor", platform=platform)
        person = create_beneficiary(platform, email="lea@example.org", first_name="Léa",
                                    last_name="Dupont")
        with time_machine.travel(T0, tick=False):
            enqueue_notification(kind="workshop_reminder", key="ws:1", recipient=person,
                                 advisor_id=advisor.id,
                                 context={"workshop_title": "Vélo", "starts_at": T0, "link": ""})
            db.session.commit()
        when = T0
        for attempt in (1, 2, 3):
            with time_machine.travel(when, tick=False):
                report = send_due_messages()
            [row] = _messages()
            assert "SMTP connection" in row.last_error and row.attempts == attempt
            when = row.next_attempt_at + timedelta(seconds=1)
        assert report.failed == 1 and row.status == "failed"

        from tests.factories import login
        login(client, advisor)
        page = client.get("/notifications/tasks").get_data(as_text=True)
        assert "Léa Dupont" in page and "SMTP connection" in page
        dashboard = client.get("/dashboard").get_data(as_text=True)
        assert "Messages qui n’ont pas pu être envoyés : 1" in dashboard


def test_malformed_phone_fails_then_heals_when_the_file_is_corrected(app, sms_receiver):
    notify_config(app, sms=sms_receiver)
    person = create_beneficiary(phone="06 12", email=None)
    with time_machine.travel(T0, tick=False):
        enqueue_notification(kind="checkpoint_reminder", key="cp:1", recipient=person,
                             channel="sms", context={"checkpoint_date": date(2026, 3, 3),
                                                     "link": ""})
        db.session.commit()
        send_due_messages()
    [row] = _messages()
    assert row.status == "pending" and "malformed mobile number" in row.last_error
    assert sms_receiver.requests == []

    person.phone = "+33 (0)7 98 76 54 32"
    db.session.commit()
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        send_due_messages()
    assert _messages()[0].status == "sent"
    assert sms_receiver.requests[0]["json"]["to"] == "+33798765432"


def test_malformed_email_stays_in_the_outbox_with_the_error(app, smtp_server):
    notify_config(app, smtp=smtp_server)
    person = create_beneficiary(email="lea@@example", phone=None)
    _return_due(person)
    db.session.commit()
    send_due_messages()
    [row] = _messages()
    assert row.status == "pending" and "malformed e-mail" in row.last_error
    assert smtp_server[2].messages == []


def test_template_error_stays_in_the_outbox_and_others_go(app, smtp_server):
    notify_config(app, smtp=smtp_server)
    person = create_beneficiary(email="lea@example.org")
    _return_due(person, key="broken", end_date=_MISSING)  # the template needs the date
    _return_due(person, key="fine")
    db.session.commit()
    report = send_due_messages()
    assert report.sent == 1 and report.retried == 1
    broken = next(m for m in _messages() if m.key == "broken")
    assert broken.status == "pending" and broken.last_error.startswith("template error")
    assert smtp_server[2].keys() == ["fine"]


def test_without_smtp_host_messages_are_held_and_visible_to_admins(app, client, smtp_server):
    platform = create_platform()
    admin = create_user("admin", platform=platform)
    person = create_beneficiary(platform, email="lea@example.org")
    _return_due(person)
    db.session.commit()

    assert send_due_messages().sent == 0
    [row] = _messages()
    assert row.status == "held" and "SMTP_HOST" in row.last_error

    from tests.factories import login
    login(client, admin)
    page = client.get("/notifications/outbox?status=held").get_data(as_text=True)
    assert 'data-status="held"' in page and "Votre véhicule" in page

    notify_config(app, smtp=smtp_server)
    assert send_due_messages().sent == 1
    assert smtp_server[2].keys() == ["rental:1:return_due:2026-03-03"]


def test_no_channel_makes_a_call_task_for_the_advisor(app, client):
    platform = create_platform()
    advisor = create_user("advisor", platform=platform)
    other_advisor = create_user("advisor", platform=platform)
    person = create_beneficiary(platform, email=None, phone="04 93 00 00 00",
                                first_name="Ali", last_name="Ben")
    enqueue_notification(kind="workshop_reminder", key="ws:2", recipient=person,
                         advisor_id=advisor.id,
                         context={"workshop_title": "Vélo", "starts_at": T0, "link": ""})
    db.session.commit()
    [row] = _messages()
    assert (row.channel, row.status) == ("call", "to_call")
    assert send_due_messages().sent == 0

    from tests.factories import csrf_token_from, login
    login(client, other_advisor)
    assert "Ali Ben" not in client.get("/notifications/tasks").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token_from(
        client.get("/dashboard").get_data(as_text=True))})
    login(client, advisor)
    page = client.get("/notifications/tasks").get_data(as_text=True)
    assert "Ali Ben" in page and "+33493000000" not in page and "04 93 00 00 00" in page
    response = client.post(f"/notifications/messages/{row.id}/handled",
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert _messages()[0].status == "handled"


def test_pages_refuse_other_roles_and_platforms(app, client):
    platform = create_platform()
    person = create_beneficiary(platform, email=None, phone=None)
    enqueue_notification(kind="workshop_reminder", key="ws:3", recipient=person,
                         context={"workshop_title": "Vélo", "starts_at": T0, "link": ""})
    db.session.commit()
    [row] = _messages()
    from tests.factories import csrf_token_from, login

    login(client, create_user("fleet_manager", platform=platform))
    assert client.get("/notifications/outbox").status_code == 403
    assert client.get("/notifications/tasks").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token_from(
        client.get("/dashboard").get_data(as_text=True))})
    stranger = create_user("advisor")  # another platform
    login(client, stranger)
    token = csrf_token_from(client.get("/notifications/tasks").get_data(as_text=True))
    assert client.post(f"/notifications/messages/{row.id}/handled",
                       data={"csrf_token": token}).status_code == 404
    assert _messages()[0].status == "to_call"
