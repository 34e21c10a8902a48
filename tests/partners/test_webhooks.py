"""Signed webhooks: registered by admins (page and API), written in the event's transaction,
delivered once to a loopback receiver that verifies the signature, retried when the receiver
is down, slow or answers 500, visible to admins; addresses of private networks refused."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mobility.core.columns import utcnow
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.partners import webhooks
from mobility.partners.models import WebhookDelivery, WebhookEndpoint
from mobility.people.models import Referral
from tests.factories import api_token, bearer, create_platform, create_user, csrf_token_from, login
from tests.partners.receiver import Receiver
from tests.people.answers import referral_body
from tests.rentals.world import make_world


@pytest.fixture
def world(client, app):
    app.config.update(WEBHOOK_ALLOW_LOOPBACK=True, WEBHOOK_TIMEOUT_S=1,
                      WEBHOOK_RETRY_BASE_S=30)
    return make_world(client)


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


def _admin(world):
    return create_user("admin", platform=world.platform)


def _register(world, admin, url, events=("rental.booked",)):
    response = world.client.post("/api/v1/webhooks", json={"url": url, "events": list(events)},
                                 headers=world.headers(admin))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _deliveries(**where):
    db.session.expire_all()
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    for name, value in where.items():
        query = query.where(getattr(WebhookDelivery, name) == value)
    return list(db.session.scalars(query))


def _later(hours: float = 7):
    return utcnow() + timedelta(hours=hours)


def test_a_booking_delivers_one_signed_webhook_and_never_twice(world, receiver):
    admin = _admin(world)
    created = _register(world, admin, receiver.url)
    assert created["secret"].startswith("whsec_") and created["events"] == ["rental.booked"]
    receiver.secret = created["secret"]
    listed = world.client.get("/api/v1/webhooks", headers=world.headers(admin)).get_json()
    assert [e["id"] for e in listed] == [created["id"]] and "secret" not in listed[0]

    person, vehicle = world.person(), world.vehicle("bike")
    rental_id = world.booked(person, vehicle)
    [delivery] = _deliveries()
    assert delivery.status == "pending" and delivery.event == "rental.booked"

    report = webhooks.send_due_deliveries()
    assert report.delivered == 1
    [got] = receiver.received
    assert got["headers"]["X-Mobility-Event"] == "rental.booked"
    assert got["json"]["type"] == "rental.booked"
    assert got["json"]["data"] == {
        "rental_id": rental_id, "status": "booked", "vehicle_id": vehicle.id,
        "beneficiary_id": person.id, "start_date": local_today().isoformat(),
        "end_date": (local_today() + timedelta(days=7)).isoformat()}
    assert got["headers"]["X-Mobility-Delivery"] == got["json"]["id"] == delivery.event_id
    assert receiver.rejected == 0

    # sent once: the next runs, even much later, send nothing
    assert webhooks.send_due_deliveries().delivered == 0
    assert webhooks.send_due_deliveries(now=_later(48)).delivered == 0
    assert len(receiver.received) == 1
    [delivery] = _deliveries()
    assert delivery.status == "delivered" and delivery.attempts == 1
    assert delivery.last_status_code == 204
    # visible to admins through the API too
    [seen] = world.client.get(f"/api/v1/webhooks/{created['id']}/deliveries",
                              headers=world.headers(admin)).get_json()
    assert seen["status"] == "delivered" and seen["event_id"] == delivery.event_id
    assert world.get(f"/webhooks/{created['id']}/deliveries").status_code == 403  # advisor


def test_a_refused_booking_writes_no_delivery(world, receiver):
    admin = _admin(world)
    _register(world, admin, receiver.url)
    person, vehicle = world.person(), world.vehicle("bike")
    world.booked(person, vehicle)
    again = world.book(world.person(), vehicle)  # the same days: double booking
    assert again.status_code == 409
    assert len(_deliveries()) == 1


def test_a_receiver_that_is_down_gets_the_event_when_back_once(world, receiver):
    admin = _admin(world)
    receiver.secret = _register(world, admin, receiver.url)["secret"]
    port = receiver.server.server_port
    receiver.stop()  # down: connections refused
    world.booked(world.person(), world.vehicle("bike"))

    first = webhooks.send_due_deliveries()
    assert first.retried == 1 and first.delivered == 0
    [delivery] = _deliveries()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert "connection failed" in delivery.last_error
    assert delivery.next_attempt_at > utcnow() + timedelta(seconds=20)  # backoff
    assert webhooks.send_due_deliveries().delivered == 0  # not due yet

    restarted = Receiver(secret=receiver.secret).start(port)  # back, on the same address
    try:
        assert webhooks.send_due_deliveries(now=_later()).delivered == 1
        assert webhooks.send_due_deliveries(now=_later(48)).delivered == 0
        assert len(restarted.received) == 1
    finally:
        restarted.stop()


def test_a_receiver_answering_500_is_retried_with_backoff_then_fails(world, receiver, app):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 3
    admin = _admin(world)
    receiver.secret = _register(world, admin, receiver.url)["secret"]
    receiver.mode = "error"
    world.booked(world.person(), world.vehicle("bike"))
    waits = []
    for attempt in range(1, 4):
        report = webhooks.send_due_deliveries(now=_later(attempt * 7))
        [delivery] = _deliveries()
        assert delivery.attempts == attempt and delivery.last_status_code == 500
        if attempt < 3:
            assert report.retried == 1 and delivery.status == "pending"
            waits.append(delivery.next_attempt_at)
    assert delivery.status == "failed" and "HTTP 500" in delivery.last_error
    assert receiver.received == []

    # the admin sees it and sends it again once the receiver is fixed
    login(world.client, admin)
    page = world.client.get("/partners/webhooks")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-status="failed"' in html
    dashboard = world.client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="panel-partners"' in dashboard
    assert "1 envoi de webhook en échec" in dashboard
    receiver.mode = "ok"
    retried = world.client.post(f"/partners/webhooks/deliveries/{delivery.id}/retry",
                                data={"csrf_token": csrf_token_from(html)})
    assert retried.status_code == 302
    assert webhooks.send_due_deliveries().delivered == 1
    assert len(receiver.received) == 1


def test_a_slow_receiver_times_out_and_is_retried(world, receiver):
    admin = _admin(world)
    receiver.secret = _register(world, admin, receiver.url)["secret"]
    receiver.mode, receiver.slow_s = "slow", 2.5
    world.booked(world.person(), world.vehicle("bike"))
    report = webhooks.send_due_deliveries()
    assert report.retried == 1
    [delivery] = _deliveries()
    assert delivery.status == "pending" and delivery.last_error == "timed out"
    receiver.mode = "ok"
    assert webhooks.send_due_deliveries(now=_later()).delivered == 1
    assert len(receiver.received) == 1
    # the slow answer had the same event id: the receiver can tell it is the same event
    assert receiver.received[0]["json"]["id"] == delivery.event_id


def test_every_event_of_a_pathway_with_ids_and_states_only(world, receiver):
    admin = _admin(world)
    receiver.secret = _register(world, admin, receiver.url, events=[
        "referral.created", "referral.decided", "rental.booked", "rental.handed_over",
        "rental.returned", "checkpoint.recorded", "pathway.exited"])["secret"]
    prescriber = create_user("prescriber", platform=world.platform)
    token = api_token(world.client, prescriber)
    submitted = world.client.post("/api/v1/referrals", json=referral_body(),
                                  headers=bearer(token))
    assert submitted.status_code == 201, submitted.get_json()
    referral_id = submitted.get_json()["id"]
    accepted = world.post(f"/referrals/{referral_id}/accept", {})
    assert accepted.status_code == 200, accepted.get_json()
    person = world.person()
    vehicle = world.vehicle("bike")
    rental_id = world.booked(person, vehicle)
    world.handed_over(rental_id, person, "bike")
    checkpoint = world.post(f"/rentals/{rental_id}/checkpoints",
                            {"date": local_today().isoformat(), "odometer_km": 1010})
    assert checkpoint.status_code == 201, checkpoint.get_json()
    returned = world.check_in(rental_id, "bike")
    assert returned.status_code == 200, returned.get_json()
    exited = world.post(f"/beneficiaries/{person.id}/exit", {
        "exit_date": local_today().isoformat(), "reason": "solution_found", "solution": "own_car",
        "employment": "permanent"})
    assert exited.status_code == 200, exited.get_json()

    webhooks.send_due_deliveries()
    events = [r["json"]["type"] for r in receiver.received]
    assert events == ["referral.created", "referral.decided", "rental.booked",
                      "rental.handed_over", "checkpoint.recorded", "rental.returned",
                      "pathway.exited"]
    assert receiver.rejected == 0
    referral = db.session.get(Referral, referral_id)
    decided = receiver.received[1]["json"]["data"]
    assert decided["status"] == "accepted" and decided["beneficiary_id"] == referral.beneficiary_id
    # ids and states only: no names, notes, phones, RSA status, health
    text = json.dumps([r["json"] for r in receiver.received])
    for secret_value in ("Inès", "Garcia", "0611223344", "Café de Paris", person.last_name,
                         "receives_rsa", "health", "note", "obstacles"):
        assert secret_value not in text
    allowed = {"referral_id", "status", "organisation_id", "beneficiary_id", "pathway_id",
               "rental_id", "vehicle_id", "start_date", "end_date", "checkpoint_id", "kind",
               "date", "exit_date"}
    assert all(set(r["json"]["data"]) <= allowed for r in receiver.received)


def test_only_subscribed_events_and_deleted_endpoints_get_nothing(world, receiver):
    admin = _admin(world)
    created = _register(world, admin, receiver.url, events=["rental.returned"])
    world.booked(world.person(), world.vehicle("bike"))
    assert _deliveries() == []
    deleted = world.client.delete(f"/api/v1/webhooks/{created['id']}",
                                  headers=world.headers(admin))
    assert deleted.status_code == 200
    assert world.client.get("/api/v1/webhooks", headers=world.headers(admin)).get_json() == []


@pytest.mark.parametrize("url", [
    "http://10.0.0.5/hook", "https://192.168.1.2/hook", "https://169.254.169.254/latest",
    "https://[::1]/hook", "http://127.0.0.1:9/hook", "ftp://example.org/x", "not a url",
    "https://user:pw@example.org/x",
])
def test_private_or_malformed_addresses_are_refused(client, app, url):
    app.config["WEBHOOK_ALLOW_LOOPBACK"] = False
    admin = create_user("admin")
    response = client.post("/api/v1/webhooks", json={"url": url, "events": ["rental.booked"]},
                           headers=bearer(api_token(client, admin)))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "url" in error["details"] and error["messages"]["fr"]
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_loopback_needs_the_development_setting_and_http_needs_loopback(client, app):
    admin = create_user("admin")
    headers = bearer(api_token(client, admin))
    body = {"url": "http://127.0.0.1:8000/hook", "events": ["rental.booked"]}
    app.config["WEBHOOK_ALLOW_LOOPBACK"] = False
    assert client.post("/api/v1/webhooks", json=body, headers=headers).status_code == 400
    app.config["WEBHOOK_ALLOW_LOOPBACK"] = True
    assert client.post("/api/v1/webhooks", json=body, headers=headers).status_code == 201
    bad_event = client.post("/api/v1/webhooks", headers=headers,
                            json={**body, "events": ["rental.teleported"]})
    assert bad_event.status_code == 400 and "events" in bad_event.get_json()["error"]["details"]


def test_only_admins_of_the_platform(client, app):
    app.config["WEBHOOK_ALLOW_LOOPBACK"] = True
    admin = create_user("admin")
    advisor = create_user("advisor", platform=admin.platform)
    other_admin = create_user("admin", platform=create_platform())
    body = {"url": "http://127.0.0.1:8000/hook", "events": ["rental.booked"]}
    denied = client.post("/api/v1/webhooks", json=body,
                         headers=bearer(api_token(client, advisor)))
    assert denied.status_code == 403
    created = client.post("/api/v1/webhooks", json=body,
                          headers=bearer(api_token(client, admin))).get_json()
    other = bearer(api_token(client, other_admin))
    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=other).status_code == 404
    assert client.get("/api/v1/webhooks", headers=other).get_json() == []
    login(client, advisor)
    assert client.get("/partners/webhooks").status_code == 403


def test_the_page_registers_an_endpoint_and_shows_the_secret_once(client, app):
    app.config["WEBHOOK_ALLOW_LOOPBACK"] = True
    admin = create_user("admin")
    login(client, admin)
    page = client.get("/partners/webhooks")
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    bad = client.post("/partners/webhooks", data={"csrf_token": token,
                                                  "url": "https://10.1.2.3/x",
                                                  "events": ["rental.booked"]})
    assert bad.status_code == 400
    made = client.post("/partners/webhooks", data={"csrf_token": token,
                                                   "url": "http://127.0.0.1:8123/x",
                                                   "events": ["rental.booked", "pathway.exited"]})
    assert made.status_code == 201
    endpoint = db.session.scalars(select(WebhookEndpoint)).one()
    assert endpoint.secret in made.get_data(as_text=True)
    assert endpoint.events == ["pathway.exited", "rental.booked"]
    assert endpoint.secret not in client.get("/partners/webhooks").get_data(as_text=True)


def test_signature_scheme_matches_the_documented_one():
    body = b'{"id":"evt_1"}'
    header = webhooks.sign("whsec_test", body, 1700000000)
    import hashlib
    import hmac

    expected = hmac.new(b"whsec_test", b'1700000000.{"id":"evt_1"}', hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert webhooks.verify("whsec_test", body, header, now=1700000100)
    assert not webhooks.verify("whsec_test", body + b" ", header, now=1700000100)
    assert not webhooks.verify("whsec_test", body, header, now=1700001000)  # too old


def test_the_sender_checks_the_address_it_actually_reaches(sqlite_app, receiver):
    """Against DNS rebinding: the connection's peer is checked, not only the name."""
    receiver.secret = "whsec_x"
    session = webhooks.http_session()
    sqlite_app.config["WEBHOOK_ALLOW_LOOPBACK"] = False
    with pytest.raises(webhooks.RefusedPeer):
        session.post(receiver.url, data=b"{}", timeout=2)
    assert receiver.received == [] and receiver.rejected == 0  # nothing was sent
    sqlite_app.config["WEBHOOK_ALLOW_LOOPBACK"] = True
    body = b'{"id":"evt_1"}'
    answer = session.post(receiver.url, data=body, timeout=2, headers={
        "X-Mobility-Signature": webhooks.sign("whsec_x", body, int(time.time()))})
    assert answer.status_code == 204 and len(receiver.received) == 1
