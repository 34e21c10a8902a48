"""The weekly checkpoint: one transaction, mileage flag, computed arrears, referent summary."""

from datetime import date, timedelta

import pytest

from mobility.checkpoints.models import Checkpoint
from mobility.checkpoints.services import working_days
from mobility.contracts.services import set_scheme
from mobility.core.db import db
from mobility.payments import services as payments
from mobility.payments.models import Payment, StripeOperation
from mobility.people.models import ReferentFeedback
from tests.factories import (
    api_token,
    bearer,
    create_money_rental,
    create_platform,
    create_user,
    csrf_token_from,
)
from tests.factories import login as sign_in

MONDAY = date(2026, 3, 2)


@pytest.fixture
def advisor(app):
    return create_user("advisor")


def body(day: date, km: int, **overrides) -> dict:
    data = {"date": day.isoformat(), "odometer_km": km,
            "payment": {"amount_cents": 700, "method": "cash"},
            "condition": {"brakes": True, "lights": True}, "note": "RAS",
            "exit_solution": "Achat d'un vélo d'occasion envisagé"}
    data.update(overrides)
    return data


def test_working_days_count_mondays_to_fridays():
    assert working_days(MONDAY, MONDAY + timedelta(days=7)) == 5
    assert working_days(MONDAY - timedelta(days=3), MONDAY) == 1  # Fri -> Mon
    assert working_days(MONDAY, MONDAY) == 0
    assert working_days(MONDAY, MONDAY + timedelta(days=14)) == 10


def test_four_weekly_checkpoints_one_flagged_for_mileage_and_arrears_computed(client, advisor):
    rental = create_money_rental(advisor.platform, kind="bike", days=28, allowance_km=10)
    token = api_token(client, advisor)
    readings = [(MONDAY + timedelta(days=7), 10040), (MONDAY + timedelta(days=14), 10150),
                (MONDAY + timedelta(days=21), 10190), (MONDAY + timedelta(days=28), 10230)]
    results = []
    for day, km in readings:
        response = client.post(f"/api/v1/rentals/{rental.id}/checkpoints", json=body(day, km),
                               headers=bearer(token))
        assert response.status_code == 201, response.get_json()
        results.append(response.get_json())
    # allowance 10 km x 5 working days = 50 km a week; week 2 drove 110 km
    assert [r["over_allowance"] for r in results] == [False, True, False, False]
    assert results[1]["km_driven"] == 110 and results[1]["allowance_km"] == 50
    assert results[0]["previous_odometer_km"] == 10000  # the check-out reading
    # week 1 (7 EUR) + membership (10 EUR) due at its end; 7 EUR paid at each checkpoint
    assert results[0]["arrears_cents"] == (700 + 1000) - 700
    assert results[-1]["arrears_cents"] == 1000  # only the membership fee is still due
    assert results[0]["next_date"] == (MONDAY + timedelta(days=14)).isoformat()
    assert all(r["sent_to_referent"] for r in results)
    feedback = db.session.query(ReferentFeedback).order_by(ReferentFeedback.id).all()
    assert len(feedback) == 4
    assert "kilométrage autorisé" in feedback[1].summary  # stored in French
    assert "RAS" not in feedback[0].summary  # the advisor's own note stays internal
    balance = client.get(f"/api/v1/rentals/{rental.id}/balance", headers=bearer(token))
    assert balance.get_json()["paid_cents"] == 4 * 700


@pytest.mark.parametrize(("overrides", "status", "field"), [
    ({"odometer_km": 9999}, 400, "odometer_km"),
    ({"odometer_km": -1}, 400, "odometer_km"),
    ({"odometer_km": 10050.5}, 400, "odometer_km"),
    ({"payment": {"amount_cents": -700, "method": "cash"}}, 400, "payment.amount_cents"),
    ({"payment": {"amount_cents": 7.5, "method": "cash"}}, 400, "payment.amount_cents"),
    ({"payment": {"amount_cents": 700, "method": "voucher"}}, 400, "payment.method"),
    ({"condition": {"jetpack": True}}, 400, "condition"),
    ({"next_date": "2026-03-01"}, 400, "next_date"),
    ({"date": "2026-02-01"}, 400, "date"),
])
def test_bad_checkpoints_are_refused_and_nothing_is_written(client, advisor, overrides, status,
                                                            field):
    rental = create_money_rental(advisor.platform, kind="bike")
    response = client.post(f"/api/v1/rentals/{rental.id}/checkpoints",
                           json=body(MONDAY + timedelta(days=7), 10050, **overrides),
                           headers=bearer(api_token(client, advisor)))
    assert response.status_code == status, response.get_json()
    assert field in response.get_json()["error"]["details"]
    assert db.session.query(Checkpoint).count() == 0
    assert db.session.query(Payment).count() == 0
    assert db.session.query(ReferentFeedback).count() == 0


def test_odometer_below_the_last_checkpoint_is_refused(client, advisor):
    rental = create_money_rental(advisor.platform, kind="bike")
    token = api_token(client, advisor)
    client.post(f"/api/v1/rentals/{rental.id}/checkpoints",
                json=body(MONDAY + timedelta(days=7), 10100), headers=bearer(token))
    response = client.post(f"/api/v1/rentals/{rental.id}/checkpoints",
                           json=body(MONDAY + timedelta(days=14), 10099), headers=bearer(token))
    assert response.status_code == 400
    assert db.session.query(Checkpoint).count() == 1
    same_day = client.post(f"/api/v1/rentals/{rental.id}/checkpoints",
                           json=body(MONDAY + timedelta(days=7), 10100), headers=bearer(token))
    assert same_day.status_code == 409


@pytest.mark.parametrize("status", ["returned", "cancelled"])
def test_a_checkpoint_on_a_closed_rental_is_409(client, advisor, status):
    rental = create_money_rental(advisor.platform, kind="bike", status=status)
    response = client.post(f"/api/v1/rentals/{rental.id}/checkpoints",
                           json=body(MONDAY + timedelta(days=7), 10050),
                           headers=bearer(api_token(client, advisor)))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "rental_closed"
    assert db.session.query(Checkpoint).count() == 0


def test_online_payment_at_a_checkpoint_uses_the_checkpoint_key(client, advisor, stripe_on):
    rental = create_money_rental(advisor.platform, kind="bike")
    response = client.post(f"/api/v1/rentals/{rental.id}/checkpoints",
                           json=body(MONDAY + timedelta(days=7), 10030,
                                     payment={"amount_cents": 700, "method": "stripe"}),
                           headers=bearer(api_token(client, advisor)))
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["payment"]["status"] == "pending"
    assert data["payment"]["stripe_payment_intent_id"].startswith("pi_")
    assert data["payment"]["stripe_client_secret"]
    operation = db.session.query(StripeOperation).one()
    assert operation.key == f"checkpoint:{data['id']}:payment"
    # pending online payments are not counted as paid
    assert data["arrears_cents"] == payments.ledger(rental, today=MONDAY + timedelta(days=7))[
        "arrears_cents"]


def test_stripe_method_without_a_key_is_refused_before_anything_is_written(client, advisor):
    rental = create_money_rental(advisor.platform, kind="bike")
    response = client.post(f"/api/v1/rentals/{rental.id}/checkpoints",
                           json=body(MONDAY + timedelta(days=7), 10030,
                                     payment={"amount_cents": 700, "method": "stripe"}),
                           headers=bearer(api_token(client, advisor)))
    assert response.status_code == 409
    assert db.session.query(Checkpoint).count() == 0


def test_amie_rentals_have_a_monthly_check_in_and_month_five_proposes_the_microcredit(
        client, advisor):
    rental = create_money_rental(advisor.platform, kind="car", start=date(2026, 1, 5),
                                 days=150, allowance_km=None)
    set_scheme(advisor, rental, "amie")
    token = api_token(client, advisor)
    april = client.post(f"/api/v1/rentals/{rental.id}/checkpoints",
                        json=body(date(2026, 4, 6), 12000, payment=None, condition={}),
                        headers=bearer(token)).get_json()
    assert april["kind"] == "monthly" and april["microcredit_proposed"] is False
    assert april["next_date"] == "2026-05-06"
    may = client.post(f"/api/v1/rentals/{rental.id}/checkpoints",
                      json=body(date(2026, 5, 6), 13000, payment=None, condition={}),
                      headers=bearer(token)).get_json()
    assert may["microcredit_proposed"] is True
    feedback = db.session.query(ReferentFeedback).order_by(ReferentFeedback.id.desc()).first()
    assert "microcr" in feedback.summary.lower()


def test_the_scheme_cannot_change_once_the_contract_is_signed(client, advisor):
    rental = create_money_rental(advisor.platform, kind="car")
    token = api_token(client, advisor)
    client.post(f"/api/v1/rentals/{rental.id}/contract/sign", headers=bearer(token),
                json={"signer_name": rental.beneficiary.full_name, "accepted": True})
    from mobility.core.errors import Conflict

    with pytest.raises(Conflict):
        set_scheme(advisor, rental, "amie")


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", 201), ("advisor", 201), ("fleet_manager", 403), ("prescriber", 403),
    ("beneficiary", 403),
])
def test_who_records_checkpoints(client, role, expected):
    platform = create_platform()
    rental = create_money_rental(platform, kind="bike")
    user = create_user(role, platform=platform)
    response = client.post(f"/api/v1/rentals/{rental.id}/checkpoints",
                           json=body(MONDAY + timedelta(days=7), 10030),
                           headers=bearer(api_token(client, user)))
    assert response.status_code == expected


def test_checkpoint_screen_records_in_one_form(client, advisor):
    rental = create_money_rental(advisor.platform, kind="scooter", allowance_km=10)
    sign_in(client, advisor)
    page = client.get(f"/checkpoints/rentals/{rental.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    token = csrf_token_from(html)
    assert 'name="item_brakes"' in html
    form = {"csrf_token": token, "date": "2026-03-09", "odometer_km": "10200",
            # every item answered (none is pre-ticked): the mirrors have something to note
            **{f"item_{item}": "ok" for item in ("lights", "brakes", "tyres", "lock", "helmet",
                                                 "documents")},
            "item_mirrors": "issue", "amount": "14", "method": "cash",
            "note": "Tout va bien", "exit_solution": "Permis AM en cours",
            "send_to_referent": "y"}
    bad = client.post(f"/checkpoints/rentals/{rental.id}", data={**form, "odometer_km": "5"})
    assert bad.status_code == 400
    bad_method = client.post(f"/checkpoints/rentals/{rental.id}",
                             data={**form, "amount": "14", "method": ""})
    assert bad_method.status_code == 400
    assert db.session.query(Checkpoint).count() == 0
    done = client.post(f"/checkpoints/rentals/{rental.id}", data=form, follow_redirects=True)
    assert done.status_code == 200
    html = done.get_data(as_text=True)
    assert 'data-testid="over-allowance"' in html  # 200 km in 5 working days, 50 allowed
    checkpoint = db.session.query(Checkpoint).one()
    assert checkpoint.condition["brakes"] is True and checkpoint.condition["mirrors"] is False
    assert checkpoint.payment.amount_cents == 1400
