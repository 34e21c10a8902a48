"""In-person payments and deposits (no Stripe key), the ledger, bad input, access rules."""

import re
from datetime import date

import pytest

from mobility.core.db import db
from mobility.payments import services
from mobility.payments.models import Deposit, Payment
from tests.factories import (
    api_token,
    bearer,
    create_money_rental,
    create_platform,
    create_referent,
    create_user,
    csrf_token_from,
)
from tests.factories import login as sign_in


@pytest.fixture
def advisor(app):
    return create_user("advisor")


def test_ledger_charges_weekly_instalments_against_payments(client, advisor):
    rental = create_money_rental(advisor.platform, kind="bike", start=date(2026, 3, 2), days=28)
    token = api_token(client, advisor)
    for _ in range(2):
        response = client.post(f"/api/v1/rentals/{rental.id}/payments", headers=bearer(token),
                               json={"amount_cents": 700, "method": "cash"})
        assert response.status_code == 201, response.get_json()
    ledger = services.ledger(rental, today=date(2026, 3, 10))
    # membership (10 EUR) with week 1, then 7 EUR a week, each due at the end of its week:
    # on 10 March only week 1 (ended 9 March) is due
    assert ledger["charged_cents"] == 4 * 700 + 1000
    assert ledger["due_cents"] == 700 + 1000
    assert ledger["paid_cents"] == 1400
    assert ledger["arrears_cents"] == 300
    assert services.ledger(rental, today=date(2026, 3, 16))["arrears_cents"] == 1000
    balance = client.get(f"/api/v1/rentals/{rental.id}/balance", headers=bearer(token))
    assert balance.status_code == 200
    assert balance.get_json()["paid_cents"] == 1400


def test_ledger_balances_when_everything_is_paid_and_the_rental_returned(app, advisor):
    rental = create_money_rental(advisor.platform, kind="scooter", days=14)
    total = services.ledger(rental)["charged_cents"]
    services.record_payment(advisor, rental, amount_cents=total, method="cheque",
                            paid_on=date(2026, 3, 2), reference="0012345")
    rental.status = "returned"
    db.session.commit()
    ledger = services.ledger(rental)
    assert ledger["balance_cents"] == 0 and ledger["arrears_cents"] == 0
    assert ledger["due_cents"] == ledger["charged_cents"] == total


def test_an_early_return_charges_b_minus_a_days(app, advisor):
    rental = create_money_rental(advisor.platform, kind="car", days=28)
    rental.end_date = date(2026, 3, 12)  # back after 10 days (fleet shortens end_date)
    rental.status = "returned"
    db.session.commit()
    assert services.ledger(rental)["charged_cents"] == 10 * 500 + 1000


@pytest.mark.parametrize(("body", "field"), [
    ({"amount_cents": -500, "method": "cash"}, "amount_cents"),
    ({"amount_cents": 0, "method": "cash"}, "amount_cents"),
    ({"amount_cents": 12.5, "method": "cash"}, "amount_cents"),
    ({"amount_cents": "700", "method": "cash"}, "amount_cents"),
    ({"amount_cents": 700, "method": "bitcoin"}, "method"),
    ({"amount_cents": 700}, "method"),
])
def test_bad_payments_are_400_and_nothing_is_stored(client, advisor, body, field):
    rental = create_money_rental(advisor.platform)
    response = client.post(f"/api/v1/rentals/{rental.id}/payments",
                           headers=bearer(api_token(client, advisor)), json=body)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["details"]
    assert db.session.query(Payment).count() == 0


def test_without_a_stripe_key_online_methods_are_refused_and_in_person_works(client, advisor):
    rental = create_money_rental(advisor.platform)
    token = api_token(client, advisor)
    online = client.post(f"/api/v1/rentals/{rental.id}/payments", headers=bearer(token),
                         json={"amount_cents": 700, "method": "stripe"})
    assert online.status_code == 409
    assert online.get_json()["error"]["code"] == "stripe_not_configured"
    deposit = client.post(f"/api/v1/rentals/{rental.id}/deposit", headers=bearer(token),
                          json={"method": "stripe"})
    assert deposit.status_code == 409
    assert db.session.query(Deposit).count() == 0 and db.session.query(Payment).count() == 0
    cheque = client.post(f"/api/v1/rentals/{rental.id}/deposit", headers=bearer(token),
                         json={"method": "cheque", "reference": "CHQ 998877"})
    assert cheque.status_code == 201
    assert cheque.get_json()["status"] == "held"
    assert cheque.get_json()["amount_cents"] == 30000


def test_in_person_deposit_life_cycle_keep_part_for_damage(client, advisor):
    rental = create_money_rental(advisor.platform)
    token = api_token(client, advisor)
    client.post(f"/api/v1/rentals/{rental.id}/deposit", headers=bearer(token),
                json={"method": "cash"})
    twice = client.post(f"/api/v1/rentals/{rental.id}/deposit", headers=bearer(token),
                        json={"method": "cash"})
    assert twice.status_code == 409
    too_much = client.post(f"/api/v1/rentals/{rental.id}/deposit/keep", headers=bearer(token),
                           json={"amount_cents": 30001, "damage_note": "Rétroviseur cassé"})
    assert too_much.status_code == 400
    no_note = client.post(f"/api/v1/rentals/{rental.id}/deposit/keep", headers=bearer(token),
                          json={"amount_cents": 100, "damage_note": ""})
    assert no_note.status_code == 400
    kept = client.post(f"/api/v1/rentals/{rental.id}/deposit/keep", headers=bearer(token),
                       json={"amount_cents": 8000, "damage_note": "Rétroviseur cassé"})
    assert kept.status_code == 200
    assert kept.get_json()["status"] == "kept" and kept.get_json()["kept_cents"] == 8000
    again = client.post(f"/api/v1/rentals/{rental.id}/deposit/release", headers=bearer(token))
    assert again.status_code == 409


def test_in_person_deposit_released_at_return(client, advisor):
    rental = create_money_rental(advisor.platform)
    token = api_token(client, advisor)
    client.post(f"/api/v1/rentals/{rental.id}/deposit", headers=bearer(token),
                json={"method": "card_terminal", "reference": "TPE 4411"})
    released = client.post(f"/api/v1/rentals/{rental.id}/deposit/release",
                           headers=bearer(token))
    assert released.get_json()["status"] == "released"


def test_payments_on_a_cancelled_rental_are_refused(client, advisor):
    rental = create_money_rental(advisor.platform, status="cancelled")
    response = client.post(f"/api/v1/rentals/{rental.id}/payments",
                           headers=bearer(api_token(client, advisor)),
                           json={"amount_cents": 700, "method": "cash"})
    assert response.status_code == 409


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", 200), ("advisor", 200), ("fleet_manager", 200), ("prescriber", 403),
])
def test_balance_access_by_role(client, role, expected):
    platform = create_platform()
    rental = create_money_rental(platform)
    user = create_user(role, platform=platform)
    response = client.get(f"/api/v1/rentals/{rental.id}/balance",
                          headers=bearer(api_token(client, user)))
    assert response.status_code == expected


def test_beneficiary_sees_only_their_own_balance(client):
    platform = create_platform()
    mine = create_money_rental(platform)
    theirs = create_money_rental(platform)
    user = create_user("beneficiary", platform=platform)
    mine.beneficiary.user_id = user.id
    db.session.commit()
    token = api_token(client, user)
    assert client.get(f"/api/v1/rentals/{mine.id}/balance", headers=bearer(token)) \
        .status_code == 200
    assert client.get(f"/api/v1/rentals/{theirs.id}/balance", headers=bearer(token)) \
        .status_code == 403
    pay = client.post(f"/api/v1/rentals/{mine.id}/payments", headers=bearer(token),
                      json={"amount_cents": 700, "method": "cash"})
    assert pay.status_code == 403


def test_another_platforms_rental_is_404(client, advisor):
    stranger = create_money_rental(create_platform())
    response = client.get(f"/api/v1/rentals/{stranger.id}/balance",
                          headers=bearer(api_token(client, advisor)))
    assert response.status_code == 404


def test_ledger_and_deposit_pages(client, advisor):
    rental = create_money_rental(advisor.platform)
    sign_in(client, advisor)
    assert client.get("/payments/rentals").status_code == 200
    page = client.get(f"/payments/rentals/{rental.id}")
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    bad = client.post(f"/payments/rentals/{rental.id}/payments",
                      data={"csrf_token": token, "amount": "-3", "method": "cash"})
    assert bad.status_code == 400
    once = re.search(r'name="once"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    good = client.post(f"/payments/rentals/{rental.id}/payments",
                       data={"csrf_token": token, "amount": "17,50", "method": "cash",
                             "once": once})
    assert good.status_code == 302
    assert db.session.query(Payment).one().amount_cents == 1750
    deposit_page = client.get(f"/payments/rentals/{rental.id}/deposit")
    assert deposit_page.status_code == 200
    token = csrf_token_from(deposit_page.get_data(as_text=True))
    assert "stripe" not in deposit_page.get_data(as_text=True).split('name="method"')[1][:400]
    taken = client.post(f"/payments/rentals/{rental.id}/deposit",
                        data={"csrf_token": token, "method": "cheque", "reference": "123"})
    assert taken.status_code == 302
    kept = client.post(f"/payments/rentals/{rental.id}/deposit/keep",
                       data={"csrf_token": token, "amount": "40", "damage_note": "Pneu crevé"})
    assert kept.status_code == 302
    assert db.session.query(Deposit).one().kept_cents == 4000


def test_scheme_change_to_amie_shows_the_ladder(client, advisor):
    rental = create_money_rental(advisor.platform, kind="car", days=150)
    sign_in(client, advisor)
    page = client.get(f"/payments/rentals/{rental.id}")
    token = csrf_token_from(page.get_data(as_text=True))
    # the plan is only for an eligible person: refused with the reasons, nothing changed
    refused = client.post(f"/payments/rentals/{rental.id}/scheme",
                          data={"csrf_token": token, "scheme": "amie"})
    assert refused.status_code == 422
    assert "permis B" in refused.get_data(as_text=True)
    assert services.ledger(rental)["period"] == "week"
    person = rental.beneficiary
    person.birth_date, person.referent_id = date(1990, 1, 1), create_referent(advisor.platform).id
    person.has_licence_b, person.licence_b_since = True, date(2015, 1, 1)
    person.employment_kind, person.contract_type = "job", "permanent"
    person.contract_start = date(2026, 2, 1)
    db.session.commit()
    response = client.post(f"/payments/rentals/{rental.id}/scheme",
                           data={"csrf_token": token, "scheme": "amie"})
    assert response.status_code == 302
    html = client.get(f"/payments/rentals/{rental.id}").get_data(as_text=True)
    assert 'data-testid="microcredit"' in html
    assert services.ledger(rental)["period"] == "month"
