"""The deposit life cycle and online payments against a real localstripe, with the real SDK.

localstripe ignores idempotency keys: what is tested here is that OUR side stores the key before
the call, reuses it on a retry after a network failure and never sends a finished operation
again; that Stripe itself would answer a replayed key with the first result cannot be shown.
"""

from datetime import date, timedelta

import pytest

from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.payments import gateway, services
from mobility.payments.models import Deposit, StripeOperation
from tests.factories import api_token, bearer, create_money_rental, create_user
from tests.payments.stripe_server import STRIPE_KEY, card


@pytest.fixture
def advisor(app):
    return create_user("advisor")


def _intent(intent_id: str) -> dict:
    return gateway.retrieve_payment_intent(intent_id)


def _captured(intent_id: str) -> int:
    """What the card was finally charged (localstripe has no `amount_received`: the charge's
    amount less what was refunded on capture)."""
    charge = _intent(intent_id)["latest_charge"]  # localstripe expands it
    if isinstance(charge, str):
        import stripe

        charge = stripe.Charge.retrieve(charge, api_key=STRIPE_KEY).to_dict()
    return charge["amount"] - charge["amount_refunded"] if charge["captured"] else 0


def test_short_rental_deposit_is_a_manual_capture_hold_partly_captured_for_damage(
        client, advisor, stripe_on):
    rental = create_money_rental(advisor.platform, kind="scooter", days=5)
    token = api_token(client, advisor)
    response = client.post(f"/api/v1/rentals/{rental.id}/deposit", headers=bearer(token),
                           json={"method": "stripe", "payment_method_id": card(stripe_on)})
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["method"] == "stripe_hold" and data["status"] == "held"
    assert data["hold_expires_at"] is not None
    intent = _intent(data["stripe_payment_intent_id"])
    assert intent["status"] == "requires_capture" and intent["capture_method"] == "manual"
    assert intent["amount"] == 15000
    kept = client.post(f"/api/v1/rentals/{rental.id}/deposit/keep", headers=bearer(token),
                       json={"amount_cents": 4000, "damage_note": "Carénage rayé"})
    assert kept.status_code == 200, kept.get_json()
    intent = _intent(data["stripe_payment_intent_id"])
    assert intent["status"] == "succeeded"
    assert _captured(data["stripe_payment_intent_id"]) == 4000  # the other 110 EUR released
    assert db.session.get(Deposit, data["id"]).kept_cents == 4000
    keys = {op.key for op in db.session.query(StripeOperation)}
    assert {f"rental:{rental.id}:deposit", f"rental:{rental.id}:deposit:capture",
            f"rental:{rental.id}:customer"} <= keys


def test_hold_released_at_return(client, advisor, stripe_on):
    rental = create_money_rental(advisor.platform, kind="bike", days=3)
    token = api_token(client, advisor)
    data = client.post(f"/api/v1/rentals/{rental.id}/deposit", headers=bearer(token),
                       json={"method": "stripe", "payment_method_id": card(stripe_on)}
                       ).get_json()
    released = client.post(f"/api/v1/rentals/{rental.id}/deposit/release",
                           headers=bearer(token))
    assert released.status_code == 200
    assert released.get_json()["status"] == "released"
    assert _intent(data["stripe_payment_intent_id"])["status"] == "canceled"


def test_long_rental_saves_the_card_and_charges_documented_damage_off_session(
        client, advisor, stripe_on):
    rental = create_money_rental(advisor.platform, kind="car", days=60)
    token = api_token(client, advisor)
    data = client.post(f"/api/v1/rentals/{rental.id}/deposit", headers=bearer(token),
                       json={"method": "stripe", "payment_method_id": card(stripe_on)}
                       ).get_json()
    assert data["method"] == "stripe_setup" and data["status"] == "held"
    assert gateway.retrieve_setup_intent(data["stripe_setup_intent_id"])["status"] == "succeeded"
    kept = client.post(f"/api/v1/rentals/{rental.id}/deposit/keep", headers=bearer(token),
                       json={"amount_cents": 12000, "damage_note": "Pare-choc enfoncé"})
    assert kept.status_code == 200, kept.get_json()
    charge_op = db.session.query(StripeOperation).filter_by(
        key=f"rental:{rental.id}:deposit:capture").one()
    assert charge_op.status == "succeeded"
    assert _intent(charge_op.stripe_id)["status"] == "succeeded"
    assert _captured(charge_op.stripe_id) == 12000


def test_card_entered_later_is_picked_up_by_re_reading_the_setup_intent(
        client, advisor, stripe_on):
    import stripe

    rental = create_money_rental(advisor.platform, kind="car", days=60)
    token = api_token(client, advisor)
    data = client.post(f"/api/v1/rentals/{rental.id}/deposit", headers=bearer(token),
                       json={"method": "stripe"}).get_json()
    assert data["status"] == "pending" and data["stripe_client_secret"]
    # the beneficiary's browser confirms the SetupIntent (what Stripe.js does)
    stripe.api_base = stripe_on
    stripe.SetupIntent.confirm(data["stripe_setup_intent_id"], payment_method=card(stripe_on),
                               api_key=STRIPE_KEY)
    refreshed = client.get(f"/api/v1/rentals/{rental.id}/deposit", headers=bearer(token))
    assert refreshed.get_json()["status"] == "held"


def test_a_declined_card_fails_the_deposit_and_a_new_attempt_uses_a_new_key(
        client, advisor, stripe_on):
    rental = create_money_rental(advisor.platform, kind="scooter", days=5)
    token = api_token(client, advisor)
    declined = client.post(f"/api/v1/rentals/{rental.id}/deposit", headers=bearer(token),
                           json={"method": "stripe",
                                 "payment_method_id": card(stripe_on, "4000000000000341")})
    assert declined.status_code == 402, declined.get_json()
    assert db.session.query(Deposit).one().status == "failed"
    operation = db.session.query(StripeOperation).filter_by(
        key=f"rental:{rental.id}:deposit").one()
    assert operation.status == "failed"
    retry = client.post(f"/api/v1/rentals/{rental.id}/deposit", headers=bearer(token),
                        json={"method": "stripe", "payment_method_id": card(stripe_on)})
    assert retry.status_code == 201
    db.session.expire_all()
    operation = db.session.query(StripeOperation).filter_by(
        key=f"rental:{rental.id}:deposit").one()
    assert operation.idempotency_key == f"rental:{rental.id}:deposit:retry2"
    assert operation.status == "succeeded"


def test_key_is_stored_before_the_call_and_reused_after_a_network_failure(
        app, advisor, stripe_on):
    rental = create_money_rental(advisor.platform, kind="bike", days=14)
    payment = services.new_payment(advisor, rental, amount_cents=700, method="stripe",
                                   paid_on=date(2026, 3, 2),
                                   idempotency_key=f"payment-test:{rental.id}")
    db.session.commit()
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens: connection refused
    with pytest.raises(gateway.GatewayError) as error:
        services.start_online_payment(payment)
    assert error.value.retryable
    operation = db.session.query(StripeOperation).filter_by(key=payment.idempotency_key).one()
    assert operation.status == "pending" and operation.attempts == 1
    assert operation.idempotency_key == payment.idempotency_key
    app.config["STRIPE_API_BASE"] = stripe_on
    services.start_online_payment(payment)
    db.session.refresh(operation)
    assert operation.status == "succeeded" and operation.attempts == 2
    assert operation.idempotency_key == payment.idempotency_key  # the same key, reused
    intent_id = payment.stripe_payment_intent_id
    # done once: a third call does not reach Stripe and returns the stored intent
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"
    services.start_online_payment(payment)
    assert payment.stripe_payment_intent_id == intent_id
    db.session.refresh(operation)
    assert operation.attempts == 2


def test_holds_near_expiry_are_released_when_returned_and_renewed_while_out(
        client, advisor, stripe_on):
    token = api_token(client, advisor)
    returned = create_money_rental(advisor.platform, kind="bike", days=6)
    out = create_money_rental(advisor.platform, kind="moped", days=6)
    later = create_money_rental(advisor.platform, kind="bike", days=6)
    ids = {}
    for rental in (returned, out, later):
        ids[rental.id] = client.post(
            f"/api/v1/rentals/{rental.id}/deposit", headers=bearer(token),
            json={"method": "stripe", "payment_method_id": card(stripe_on)}).get_json()
    returned.status = "returned"
    now = utcnow()
    for rental in (returned, out):
        deposit = services.deposit_of(rental)
        deposit.hold_expires_at = now + timedelta(hours=5)
    db.session.commit()
    near = services.holds_near_expiry(now)
    assert {d.rental_id for d in near} == {returned.id, out.id}
    decisions = {d.deposit.rental_id: (d.decision, d.outcome)
                 for d in services.handle_expiring_holds(now)}
    assert decisions == {returned.id: ("release", "released"), out.id: ("renew", "renewed")}
    old = ids[returned.id]["stripe_payment_intent_id"]
    assert _intent(old)["status"] == "canceled"
    renewed = services.deposit_of(out)
    assert renewed.stripe_payment_intent_id != ids[out.id]["stripe_payment_intent_id"]
    assert _intent(renewed.stripe_payment_intent_id)["status"] == "requires_capture"
    assert _intent(ids[out.id]["stripe_payment_intent_id"])["status"] == "canceled"
    assert renewed.hold_expires_at > now + timedelta(days=6) and renewed.renewals == 1
    assert services.holds_near_expiry(now) == []
