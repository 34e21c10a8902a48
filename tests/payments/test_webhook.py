"""POST /stripe/webhook: signatures, duplicates, re-reading the object before acting."""

import threading
import time

import pytest
import requests
from werkzeug.serving import make_server

from mobility.core.db import db
from mobility.payments import services
from mobility.payments.models import Payment, StripeEvent
from tests.factories import api_token, bearer, create_money_rental, create_user
from tests.payments.stripe_server import (
    STRIPE_KEY,
    WEBHOOK_SECRET,
    card,
    event_payload,
    post_event,
    sign_payload,
)


@pytest.fixture
def advisor(app):
    return create_user("advisor")


def _online_payment(client, advisor, amount=700):
    rental = create_money_rental(advisor.platform, kind="bike")
    response = client.post(f"/api/v1/rentals/{rental.id}/payments",
                           headers=bearer(api_token(client, advisor)),
                           json={"amount_cents": amount, "method": "stripe"})
    assert response.status_code == 201, response.get_json()
    return rental, response.get_json()


def _pay(stripe_base: str, intent_id: str) -> None:
    """The beneficiary pays online (what Stripe.js would do), against localstripe."""
    import stripe

    stripe.api_base = stripe_base
    stripe.PaymentIntent.modify(intent_id, payment_method=card(stripe_base), api_key=STRIPE_KEY)
    stripe.PaymentIntent.confirm(intent_id, api_key=STRIPE_KEY)


def test_a_signed_event_marks_the_payment_paid_once_and_a_replay_changes_nothing(
        client, advisor, stripe_on):
    rental, payment = _online_payment(client, advisor)
    assert payment["status"] == "pending" and payment["stripe_client_secret"]
    _pay(stripe_on, payment["stripe_payment_intent_id"])
    payload = event_payload("evt_paid_1", "payment_intent.succeeded",
                            {"id": payment["stripe_payment_intent_id"],
                             "object": "payment_intent"})
    first = post_event(client, payload)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["outcome"] == "payment:succeeded"
    assert db.session.get(Payment, payment["id"]).status == "succeeded"
    paid_once = services.ledger(rental)["paid_cents"]
    replay = post_event(client, payload)
    assert replay.status_code == 200
    assert replay.get_json()["duplicate"] is True
    assert db.session.query(StripeEvent).filter_by(event_id="evt_paid_1").count() == 1
    assert services.ledger(rental)["paid_cents"] == paid_once == 700


@pytest.mark.parametrize("signature", [
    None, "", "t=123,v1=deadbeef", "garbage",
])
def test_bad_or_missing_signatures_are_400_and_nothing_is_stored(client, stripe_on, signature):
    payload = event_payload("evt_bad_sig", "payment_intent.succeeded", {"id": "pi_x"})
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    response = client.post("/stripe/webhook", data=payload, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_signature"
    assert db.session.query(StripeEvent).count() == 0


def test_a_signature_with_another_secret_or_an_altered_body_is_refused(client, stripe_on):
    payload = event_payload("evt_other", "payment_intent.succeeded", {"id": "pi_x"})
    assert post_event(client, payload, sign_payload(payload, "whsec_wrong")).status_code == 400
    altered = payload.replace(b"pi_x", b"pi_y")
    assert post_event(client, altered, sign_payload(payload)).status_code == 400
    stale = sign_payload(payload, timestamp=int(time.time()) - 3600)
    assert post_event(client, payload, stale).status_code == 400
    assert db.session.query(StripeEvent).count() == 0


def test_the_object_is_re_read_a_forged_status_in_the_event_is_not_trusted(
        client, advisor, stripe_on):
    _rental, payment = _online_payment(client, advisor)
    payload = event_payload("evt_forged", "payment_intent.succeeded", {
        "id": payment["stripe_payment_intent_id"], "object": "payment_intent",
        "status": "succeeded"})
    response = post_event(client, payload)
    assert response.status_code == 200
    # Stripe says the intent still waits for a card: nothing is marked paid
    assert db.session.get(Payment, payment["id"]).status == "pending"


def test_unknown_events_are_stored_and_ignored(client, stripe_on):
    payload = event_payload("evt_other_type", "customer.created", {"id": "cus_123"})
    response = post_event(client, payload)
    assert response.status_code == 200 and response.get_json()["outcome"] == "ignored"
    assert post_event(client, payload).get_json()["duplicate"] is True


def test_webhook_without_a_configured_secret_is_503(client):
    payload = event_payload("evt_x", "customer.created", {"id": "cus_123"})
    assert post_event(client, payload).status_code == 503


def test_invalid_json_with_a_valid_signature_is_400(client, stripe_on):
    payload = b"not json"
    assert post_event(client, payload).status_code == 400


def test_localstripe_delivers_a_real_signed_event_to_a_live_server(app, sqlite_url, advisor,
                                                                   stripe_on, database_url):
    """End to end: localstripe signs and POSTs `payment_intent.succeeded` to our server."""
    if database_url != sqlite_url:
        pytest.skip("one backend is enough for the live delivery")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/stripe/webhook"
    hook = f"{stripe_on}/_config/webhooks/live-{server.server_port}"
    try:
        requests.post(hook, json={"url": url, "secret": WEBHOOK_SECRET,
                                  "events": ["payment_intent.succeeded"]},
                      headers={"Authorization": f"Bearer {STRIPE_KEY}"}, timeout=5
                      ).raise_for_status()
        rental = create_money_rental(advisor.platform, kind="bike")
        payment = services.record_payment(advisor, rental, amount_cents=1400, method="stripe",
                                          paid_on=rental.start_date)
        payment_id, intent_id = payment.id, payment.stripe_payment_intent_id
        db.session.commit()
        _pay(stripe_on, intent_id)
        deadline = time.monotonic() + 15
        status = None
        while time.monotonic() < deadline:
            db.session.rollback()  # a fresh snapshot: the server thread wrote
            status = db.session.get(Payment, payment_id).status
            if status == "succeeded":
                break
            time.sleep(0.3)
        assert status == "succeeded"
        event = db.session.query(StripeEvent).filter_by(object_id=intent_id).one()
        assert event.type == "payment_intent.succeeded"
    finally:
        # stop sending events to this server
        requests.post(hook, json={"url": url, "secret": WEBHOOK_SECRET, "events": []},
                      headers={"Authorization": f"Bearer {STRIPE_KEY}"}, timeout=5)
        server.shutdown()
        db.session.remove()
