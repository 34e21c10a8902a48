"""A reminder through the real Brevo and OVHcloud adapters to loopback stand-ins that check
every request against the providers' contracts; their delivery reports on the person's file;
their errors mapped to retries or final failures (with the e-mail fallback)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from mobility.core.db import db
from mobility.notifications.models import OutboxMessage
from mobility.notifications.outbox import enqueue_notification, send_due_messages, status_token
from mobility.notifications.rendering import absolute_link
from tests.factories import create_beneficiary, create_platform, create_user, login
from tests.notifications.providers import brevo_config, local_path, ovh_config
from tests.notifications.servers import notify_config

T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def _checkpoint(person, key="rental:1:checkpoint:2026-03-03"):
    enqueue_notification(kind="checkpoint_reminder", key=key, recipient=person,
                         context={"checkpoint_date": date(2026, 3, 3), "place": "Pôle Beausoleil",
                                  "link": absolute_link("dashboard.home")},
                         about=("rental", 1))
    db.session.commit()


def _message(key="rental:1:checkpoint:2026-03-03") -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))


def _person(platform=None, **overrides):
    values = dict(phone="06 12 34 56 78", email=None, birth_date=date(1990, 5, 17))
    values.update(overrides)
    return create_beneficiary(platform or create_platform(), **values)


# --- Brevo ------------------------------------------------------------------------------------

def test_a_reminder_goes_through_brevo_and_its_report_marks_it_delivered(app, client, brevo):
    notify_config(app)
    brevo_config(app, brevo)
    platform = create_platform()
    person = _person(platform)
    with time_machine.travel(T0, tick=False):
        _checkpoint(person)
        report = send_due_messages()
    assert report.sent == 1 and brevo.violations == []
    [request] = brevo.sent
    body = request["body"]
    assert body["recipient"] == "33612345678" and body["sender"] == "MOBILITE"
    assert body["type"] == "transactional" and body["unicodeEnabled"] is False
    assert "point étape" in body["content"] and "https://mobilite.test/r/" in body["content"]
    message = _message()
    assert message.status == "sent" and message.delivery_status == "sent"
    assert message.provider_message_id == str(request["message_id"])
    assert body["webUrl"].startswith("https://mobilite.test/notifications/sms-status/")
    assert status_token(message.id) in body["webUrl"]

    # the advisor sees it sent, then delivered once Brevo calls back
    advisor = create_user("advisor", platform=platform)
    login(client, advisor)
    page = client.get(f"/people/beneficiaries/{person.id}").get_data(as_text=True)
    assert 'data-delivery="sent"' in page
    answer = client.post(local_path(body["webUrl"]), json=brevo.report(request, "delivered"))
    assert answer.status_code == 200
    assert _message().delivery_status == "delivered"
    page = client.get(f"/people/beneficiaries/{person.id}").get_data(as_text=True)
    assert 'data-delivery="delivered"' in page and "Reçu sur le téléphone" in page


def test_a_report_without_the_right_token_is_refused_and_changes_nothing(app, client, brevo):
    notify_config(app)
    brevo_config(app, brevo)
    with time_machine.travel(T0, tick=False):
        _checkpoint(_person())
        send_due_messages()
    [request] = brevo.sent
    message = _message()
    report = brevo.report(request, "hardBounce")
    base = f"/notifications/sms-status/{message.id}"
    assert client.post(f"{base}/{'0' * 32}", json=report).status_code == 404
    assert client.post(base, json=report).status_code == 404
    assert client.post(f"/notifications/sms-status/{message.id + 1}/"
                       f"{status_token(message.id)}", json=report).status_code == 404
    message = _message()
    assert (message.status, message.delivery_status) == ("sent", "sent")


def test_an_sms_that_brevo_cannot_deliver_goes_again_by_e_mail(app, client, brevo,
                                                                smtp_server):
    notify_config(app, smtp=smtp_server)
    brevo_config(app, brevo)
    person = _person(email="lea@example.org")
    with time_machine.travel(T0, tick=False):
        _checkpoint(person)
        send_due_messages()
        [request] = brevo.sent
        url = local_path(request["body"]["webUrl"])
        assert client.post(url, json=brevo.report(request, "hardBounce",
                                                  description="unknown subscriber")
                           ).status_code == 200
        message = _message()
        assert message.delivery_status == "failed"
        assert message.delivery_reason == "unknown subscriber"
        assert message.status == "handled" and message.fallback_id is not None
        send_due_messages()
    [mail] = smtp_server[2].wait_for(1)
    assert mail["To"] == "lea@example.org"
    assert mail["X-Notification-Key"] == "rental:1:checkpoint:2026-03-03:email"


def test_brevo_refusing_the_number_fails_at_once_and_falls_back(app, brevo, smtp_server):
    notify_config(app, smtp=smtp_server)
    brevo_config(app, brevo)
    brevo.invalid_numbers.add("33612345678")
    with time_machine.travel(T0, tick=False):
        _checkpoint(_person(email="lea@example.org"))
        send_due_messages()
    message = _message()
    assert message.attempts == 1 and message.status == "handled"  # no retry: permanent
    assert message.delivery_status == "failed" and "Invalid phone number" in message.last_error
    assert message.fallback_id is not None
    assert brevo.violations == []


def test_a_sign_in_code_that_fails_is_neither_copied_by_e_mail_nor_sent_again(app, brevo,
                                                                              smtp_server):
    """Its code is masked once it failed: a copy or a retry would send the mask, so the person
    asks for a new code instead."""
    from mobility.portal.delivery import send_code

    notify_config(app, smtp=smtp_server)
    brevo_config(app, brevo)
    brevo.invalid_numbers.add("33612345678")
    platform = create_platform()
    person = _person(platform, email="lea@example.org")
    admin = create_user("admin", platform=platform)
    with time_machine.travel(T0, tick=False):
        send_code(person, "481516", "sms")
        db.session.commit()
        send_due_messages()
    db.session.expire_all()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "portal_code"))
    assert message.status == "failed" and message.fallback_id is None
    assert "481516" not in str(message.context)
    assert db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.kind == "portal_code", OutboxMessage.channel == "email")) is None
    assert not message.can_retry(admin)


def test_brevo_refusing_the_number_without_an_e_mail_is_left_to_the_advisor(app, brevo):
    notify_config(app)
    brevo_config(app, brevo)
    brevo.invalid_numbers.add("33612345678")
    with time_machine.travel(T0, tick=False):
        _checkpoint(_person(email=None))
        send_due_messages()
    message = _message()
    assert message.status == "failed" and message.fallback_id is None


def test_a_bad_brevo_key_is_retried_and_stops_the_batch_early(app, brevo):
    notify_config(app)
    brevo_config(app, brevo)
    app.config["SMS_API_KEY"] = "xkeysib-wrong"
    platform = create_platform()
    with time_machine.travel(T0, tick=False):
        _checkpoint(_person(platform), key="a")
        _checkpoint(_person(platform, phone="06 98 76 54 32"), key="b")
        report = send_due_messages()
    assert report.retried == 2 and brevo.calls == 1  # the second did not ask again
    first, second = _message("a"), _message("b")
    assert first.status == second.status == "pending"
    assert "401" in first.last_error and first.last_error == second.last_error


@pytest.mark.parametrize("mode, words", [("no_credit", "402"), ("server_error", "500")])
def test_no_credit_or_a_server_error_is_retried_with_backoff(app, brevo, mode, words):
    notify_config(app)
    brevo_config(app, brevo)
    brevo.mode = mode
    with time_machine.travel(T0, tick=False):
        _checkpoint(_person())
        send_due_messages()
    message = _message()
    assert message.status == "pending" and words in message.last_error
    assert message.next_attempt_at == T0 + timedelta(seconds=60)
    brevo.mode = "ok"
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        send_due_messages()
    assert _message().status == "sent"


def test_throttling_waits_as_long_as_brevo_asks(app, brevo):
    notify_config(app)
    brevo_config(app, brevo)
    brevo.mode = "throttle"
    with time_machine.travel(T0, tick=False):
        _checkpoint(_person())
        send_due_messages()
    message = _message()
    assert message.status == "pending" and "429" in message.last_error
    assert message.next_attempt_at == T0 + timedelta(seconds=120)  # Retry-After, not 60 s


def test_a_sender_brevo_would_refuse_holds_the_message(app, brevo):
    notify_config(app)
    brevo_config(app, brevo)
    app.config["SMS_SENDER"] = "PLATEFORME MOBILITE"  # 19 characters
    with time_machine.travel(T0, tick=False):
        _checkpoint(_person())
        send_due_messages()
    assert _message().status == "held" and "SMS_SENDER" in _message().last_error
    assert brevo.requests == []


@pytest.mark.parametrize("typed, recipient", [
    ("+377 6 12 34 56 78", "377612345678"),  # Monaco
    ("+39 312 345 6789", "393123456789"),  # Italy (Vintimille, across the border)
    ("+32 470 12 34 56", "32470123456"),  # Belgium
    ("+508 55 12 34", "508551234"),  # Saint-Pierre-et-Miquelon
    ("0692 12 34 56", "262692123456"),  # La Réunion, typed as in France
    ("0690 12 34 56", "590690123456"),  # Guadeloupe
    ("0696 12 34 56", "596696123456"),  # Martinique
    ("0694 20 12 34", "594694201234"),  # Guyane
    ("0639 69 12 34", "262639691234"),  # Mayotte
])
def test_mobiles_of_other_countries_and_overseas_receive_the_reminder(app, brevo, typed,
                                                                      recipient):
    notify_config(app)
    brevo_config(app, brevo)
    with time_machine.travel(T0, tick=False):
        _checkpoint(_person(phone=typed))
        send_due_messages()
    assert [r["body"]["recipient"] for r in brevo.sent] == [recipient]
    assert brevo.violations == []


def test_a_landline_gets_no_sms(app, brevo, smtp_server):
    notify_config(app, smtp=smtp_server)
    brevo_config(app, brevo)
    platform = create_platform()
    with_email = _person(platform, phone="04 93 41 00 00", email="lea@example.org")
    without = _person(platform, phone="+377 93 15 00 00", email=None)  # Monaco landline
    with time_machine.travel(T0, tick=False):
        _checkpoint(with_email, key="a")
        _checkpoint(without, key="b")
        send_due_messages()
    assert brevo.requests == []
    assert _message("a").channel == "email" and _message("a").status == "sent"
    assert _message("b").channel == "call" and _message("b").status == "to_call"


# --- OVHcloud ---------------------------------------------------------------------------------

def test_a_reminder_goes_through_ovh_signed_and_its_receipt_marks_it_delivered(app, client,
                                                                              ovh_api):
    notify_config(app)
    ovh_config(app, ovh_api)
    platform = create_platform()
    person = _person(platform)
    with time_machine.travel(T0, tick=False):
        _checkpoint(person)
    send_due_messages()  # real time: OVH checks the signature's timestamp
    assert ovh_api.violations == [] and ovh_api.time_calls == 1
    [request] = ovh_api.sent
    job = request["body"]
    assert job["receivers"] == ["+33612345678"] and job["sender"] == "MOBILITE"
    assert job["coding"] == "7bit" and job["noStopClause"] is True
    assert "https://mobilite.test/r/" in job["message"]
    assert request["headers"]["X-Ovh-Signature"].startswith("$1$")
    message = _message()
    assert message.status == "sent" and message.provider_message_id == str(request["ids"][0])

    receipt = ovh_api.receipt_query(request, 1, "Delivered")
    assert client.get(local_path(job["callBack"]), query_string=receipt).status_code == 200
    assert _message().delivery_status == "delivered"
    advisor = create_user("advisor", platform=platform)
    login(client, advisor)
    page = client.get(f"/people/beneficiaries/{person.id}").get_data(as_text=True)
    assert 'data-delivery="delivered"' in page


def test_an_ovh_receipt_of_failure_falls_back_to_e_mail(app, client, ovh_api, smtp_server):
    notify_config(app, smtp=smtp_server)
    ovh_config(app, ovh_api)
    _checkpoint(_person(email="lea@example.org"))
    send_due_messages()
    [request] = ovh_api.sent
    receipt = ovh_api.receipt_query(request, 2, "Not delivered: unknown subscriber")
    assert client.get(local_path(request["body"]["callBack"]),
                      query_string=receipt).status_code == 200
    message = _message()
    assert message.delivery_status == "failed" and "unknown subscriber" in message.delivery_reason
    send_due_messages()
    assert [m["To"] for m in smtp_server[2].wait_for(1)] == ["lea@example.org"]


@pytest.mark.parametrize("setting_name, wrong, words", [
    ("OVH_APPLICATION_KEY", "ak-wrong", "invalid application key"),
    ("OVH_CONSUMER_KEY", "ck-wrong", "credential"),
    ("OVH_APPLICATION_SECRET", "as-wrong", "signature"),
])
def test_wrong_ovh_credentials_are_retried_not_lost(app, ovh_api, setting_name, wrong, words):
    notify_config(app)
    ovh_config(app, ovh_api)
    app.config[setting_name] = wrong
    _checkpoint(_person())
    report = send_due_messages()
    message = _message()
    assert report.retried == 1 and message.status == "pending"
    assert words.lower() in message.last_error.lower()
    assert ovh_api.sent == []


def test_ovh_invalid_receiver_is_final(app, ovh_api):
    notify_config(app)
    ovh_config(app, ovh_api)
    ovh_api.invalid_numbers.add("+33612345678")
    _checkpoint(_person())
    send_due_messages()
    message = _message()
    assert message.status == "failed" and message.attempts == 1
    assert "invalid receiver" in message.last_error


@pytest.mark.parametrize("mode, words", [("throttle", "slow down"), ("no_credit", "credit")])
def test_ovh_throttling_and_no_credit_are_retried(app, ovh_api, mode, words):
    notify_config(app)
    ovh_config(app, ovh_api)
    ovh_api.mode = mode
    _checkpoint(_person())
    send_due_messages()
    message = _message()
    assert message.status == "pending" and words in message.last_error
    if mode == "throttle":
        assert message.next_attempt_at - message.claimed_at >= timedelta(seconds=119)


def test_unicode_text_goes_as_8bit_to_ovh(app, ovh_api):
    notify_config(app)
    ovh_config(app, ovh_api)
    _checkpoint(_person())
    db.session.execute(OutboxMessage.__table__.update().values(
        context={"checkpoint_date": {"$date": "2026-03-03"}, "place": "Pôle 🚲 Beausoleil",
                 "link": None}))
    db.session.commit()
    send_due_messages()
    assert ovh_api.sent[0]["body"]["coding"] == "8bit" and ovh_api.violations == []


# --- a relay of one's own (SMS_PROVIDER=http) ---------------------------------------------------

def test_an_http_relay_gets_the_status_url_and_can_report(app, client, sms_receiver):
    notify_config(app, sms=sms_receiver)
    _checkpoint(_person())
    send_due_messages()
    [request] = sms_receiver.requests
    body = request["json"]
    assert set(body) == {"to", "text", "sender", "status_url"} and body["to"] == "+33612345678"
    assert request["headers"]["Authorization"] == "Bearer test-key"
    url = local_path(body["status_url"])
    assert client.post(url, json={"status": "failed", "reason": "switched off"}
                       ).status_code == 200
    message = _message()
    assert (message.delivery_status, message.delivery_reason) == ("failed", "switched off")
    assert client.post(url, json={}).status_code == 400
