"""Sign-in links in reminders (`PUBLIC_BASE_URL/r/<token>`): the SMS carries one, the person
confirms their birth date and lands on the page the reminder is about, once and never twice;
tokens are stored hashed, expire, and die after too many wrong birth dates."""

from __future__ import annotations

import re
from datetime import date, timedelta

import time_machine
from sqlalchemy import select

from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.notifications.outbox import enqueue_notification, send_due_messages
from mobility.notifications.rendering import absolute_link
from mobility.portal.models import MAX_LINK_ATTEMPTS, SignInLink
from tests.factories import create_beneficiary, create_platform, csrf_token_from
from tests.notifications.servers import notify_config

BIRTH = date(1990, 5, 17)


def _reminder_link(app, sms_receiver, *, endpoint="portal.my_commute", person=None) -> str:
    """Send a reminder by SMS to the loopback relay; return the link the person received."""
    notify_config(app, sms=sms_receiver)
    person = person or create_beneficiary(create_platform(), phone="06 12 34 56 78",
                                          email=None, birth_date=BIRTH)
    enqueue_notification(kind="checkpoint_reminder", key=f"cp:{person.id}", recipient=person,
                         context={"checkpoint_date": date(2026, 3, 3), "place": None,
                                  "link": absolute_link(endpoint)}, about=("rental", 1))
    db.session.commit()
    send_due_messages()
    text = sms_receiver.requests[-1]["json"]["text"]
    match = re.search(r"https://mobilite\.test(/r/[A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


def _confirm(client, path: str, birth: date):
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, "birth_date": birth.isoformat()})


def test_the_link_signs_in_once_to_the_page_it_is_about_and_never_twice(app, client,
                                                                        sms_receiver):
    path = _reminder_link(app, sms_receiver)
    assert len(path) <= len("/r/") + 16  # short enough to keep the SMS in one segment
    [row] = db.session.scalars(select(SignInLink)).all()
    token = path.rsplit("/", 1)[1]
    assert token not in row.token_hash and row.target_path == "/portal/commute"
    assert row.expires_at - utcnow() > timedelta(hours=47)

    wrong = _confirm(client, path, date(1990, 5, 18))
    assert wrong.status_code == 400 and "ne correspond pas" in wrong.get_data(as_text=True)
    response = _confirm(client, path, BIRTH)
    assert response.status_code == 303 and response.headers["Location"] == "/portal/commute"
    assert client.get("/portal/commute").status_code == 200  # signed in as the beneficiary

    again = app.test_client()
    dead = again.get(path)
    assert dead.status_code == 410 and "déjà servi" in dead.get_data(as_text=True)
    token = csrf_token_from(again.get("/portal/login").get_data(as_text=True))
    assert again.post(path, data={"csrf_token": token,
                                  "birth_date": BIRTH.isoformat()}).status_code == 410
    assert again.get("/portal/commute").status_code in (302, 401, 403)


def test_an_unknown_or_expired_link_opens_nothing(app, client, sms_receiver):
    path = _reminder_link(app, sms_receiver)
    assert client.get("/r/not-a-real-token").status_code == 410
    with time_machine.travel(utcnow() + timedelta(hours=49), tick=False):
        assert client.get(path).status_code == 410


def test_too_many_wrong_birth_dates_kill_the_link(app, client, sms_receiver):
    path = _reminder_link(app, sms_receiver)
    for _ in range(MAX_LINK_ATTEMPTS):
        assert _confirm(client, path, date(2000, 1, 1)).status_code == 400
    assert client.get(path).status_code == 410
    db.session.expire_all()
    assert db.session.scalar(select(SignInLink)).used_at is None


def test_sending_again_replaces_the_earlier_link(app, client, sms_receiver):
    from mobility.notifications.models import OutboxMessage
    from mobility.notifications.services import retry_message

    first = _reminder_link(app, sms_receiver)
    message = db.session.scalar(select(OutboxMessage))
    message.status = "failed"
    db.session.commit()
    retry_message(_admin_of(message), message)
    send_due_messages()
    second = re.search(r"(/r/[A-Za-z0-9_-]+)", sms_receiver.requests[-1]["json"]["text"]).group(1)
    assert second != first
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def _admin_of(message):
    from mobility.platforms.models import Platform
    from tests.factories import create_user

    return create_user("admin", platform=db.session.get(Platform, message.platform_id))


def test_staff_messages_and_people_without_birth_date_keep_the_plain_link(app, sms_receiver):
    notify_config(app, sms=sms_receiver)
    person = create_beneficiary(create_platform(), phone="06 12 34 56 78", email=None,
                                birth_date=None)
    enqueue_notification(kind="checkpoint_reminder", key="cp:x", recipient=person,
                         context={"checkpoint_date": date(2026, 3, 3),
                                  "link": absolute_link("dashboard.home")})
    db.session.commit()
    send_due_messages()
    assert "/r/" not in sms_receiver.requests[-1]["json"]["text"]
    assert db.session.scalars(select(SignInLink)).all() == []
