"""Tariffs with effective dates, the quote API, rental terms kept from the start date."""

from datetime import date

import pytest

from mobility.core.db import db
from mobility.pricing.engine import TariffRates
from mobility.pricing.models import RentalTerms, Tariff
from mobility.pricing.services import ensure_terms, rental_quote
from tests.factories import (
    api_token,
    bearer,
    create_beneficiary,
    create_money_rental,
    create_platform,
    create_user,
)
from tests.factories import login as sign_in


def rates(**overrides) -> dict:
    data = TariffRates().to_dict()
    data.update(overrides)
    return data


def tariff_body(**overrides) -> dict:
    body = {"name": "Tarif 2026", "effective_from": "2026-01-01", "effective_until": None,
            "rates": rates()}
    body.update(overrides)
    return body


@pytest.fixture
def admin(app):
    return create_user("admin")


def test_quote_api_answers_total_deposit_lines_instalments(client, admin):
    advisor = create_user("advisor", platform=admin.platform)
    person = create_beneficiary(admin.platform, lives_in_qpv=True, pathway=date(2026, 1, 5))
    token = api_token(client, advisor)
    response = client.get(f"/api/v1/quotes?beneficiary_id={person.id}&kind=car"
                          "&start=2026-03-02&end=2026-03-16", headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    # 14 days at 5 EUR, half price (QPV), membership fee due on a first rental
    assert data["total_cents"] == 14 * 250 + 1000
    assert data["deposit_cents"] == 30000
    assert [line["code"] for line in data["lines"]] == ["rental", "reduction", "membership"]
    assert all(line["label"] for line in data["lines"])
    assert [i["amount_cents"] for i in data["instalments"]] == [1750 + 1000, 1750]
    assert data["reduction"] == "qpv" and data["period"] == "week"
    assert data["tariff_id"] is None  # no tariff set: the scheme's defaults


def test_amie_quote_shows_the_ladder_and_the_microcredit(client, admin):
    person = create_beneficiary(admin.platform, resources_band="under_600",
                                pathway=date(2026, 1, 5))
    token = api_token(client, admin)
    data = client.get(f"/api/v1/quotes?beneficiary_id={person.id}&kind=car&scheme=amie"
                      "&start=2026-03-01&end=2026-08-01", headers=bearer(token)).get_json()
    assert [i["amount_cents"] for i in data["instalments"]] == [0 + 1000, 10000, 15000, 20000,
                                                                25000]
    assert data["microcredit"]["month"] == 5 and data["microcredit"]["date"] == "2026-07-01"
    assert "microcredit" in data["microcredit"]["message"].lower() \
        or "microcrédit" in data["microcredit"]["message"].lower()


@pytest.mark.parametrize(("query", "field"), [
    ("kind=truck&start=2026-03-02&end=2026-03-09", "kind"),
    ("kind=car&start=2026-03-09&end=2026-03-02", "end"),
    ("kind=car&start=2026-03-02&end=2026-03-02", "end"),
    ("kind=bike&scheme=amie&start=2026-03-02&end=2026-03-09", "kind"),
    ("kind=car&start=not-a-date&end=2026-03-09", "start"),
    ("kind=car&scheme=lease&start=2026-03-02&end=2026-03-09", "scheme"),
])
def test_bad_quote_queries_are_400_by_field(client, admin, query, field):
    person = create_beneficiary(admin.platform, pathway=date(2026, 1, 5))
    token = api_token(client, admin)
    response = client.get(f"/api/v1/quotes?beneficiary_id={person.id}&{query}",
                          headers=bearer(token))
    assert response.status_code == 400
    assert field in response.get_json()["error"]["details"]


def test_quote_for_another_platforms_person_is_404_and_prescribers_are_403(client, admin):
    stranger = create_beneficiary(create_platform(), pathway=date(2026, 1, 5))
    token = api_token(client, admin)
    response = client.get(f"/api/v1/quotes?beneficiary_id={stranger.id}&kind=car"
                          "&start=2026-03-02&end=2026-03-09", headers=bearer(token))
    assert response.status_code == 404
    prescriber = create_user("prescriber", platform=admin.platform)
    response = client.get(f"/api/v1/quotes?beneficiary_id={stranger.id}&kind=car"
                          "&start=2026-03-02&end=2026-03-09",
                          headers=bearer(api_token(client, prescriber)))
    assert response.status_code == 403


def test_tariffs_with_overlapping_dates_are_refused_and_nothing_changes(client, admin):
    token = api_token(client, admin)
    first = client.post("/api/v1/tariffs", json=tariff_body(effective_until="2026-07-01"),
                        headers=bearer(token))
    assert first.status_code == 201, first.get_json()
    overlapping = client.post("/api/v1/tariffs", json=tariff_body(
        name="Autre", effective_from="2026-06-01"), headers=bearer(token))
    assert overlapping.status_code == 409
    assert overlapping.get_json()["error"]["code"] == "tariff_overlap"
    assert db.session.query(Tariff).count() == 1
    after = client.post("/api/v1/tariffs", json=tariff_body(
        name="Été", effective_from="2026-07-01"), headers=bearer(token))
    assert after.status_code == 201


def test_a_new_tariff_can_close_the_open_ended_one(client, admin):
    token = api_token(client, admin)
    assert client.post("/api/v1/tariffs", json=tariff_body(), headers=bearer(token)) \
        .status_code == 201
    refused = client.post("/api/v1/tariffs", json=tariff_body(effective_from="2026-09-01"),
                          headers=bearer(token))
    assert refused.status_code == 409
    closed = client.post("/api/v1/tariffs", json=tariff_body(effective_from="2026-09-01",
                                                             close_previous=True),
                         headers=bearer(token))
    assert closed.status_code == 201
    periods = [(t["effective_from"], t["effective_until"]) for t in client.get(
        "/api/v1/tariffs", headers=bearer(token)).get_json()]
    assert periods == [("2026-01-01", "2026-09-01"), ("2026-09-01", None)]


@pytest.mark.parametrize(("change", "field"), [
    ({"rates": rates(rsa_reduction_pct=120)}, "rsa_reduction_pct"),
    ({"rates": rates(membership_fee_cents=-5)}, "membership_fee_cents"),
    ({"rates": rates(carpool_seat_cents=2.5)}, "carpool_seat_cents"),
    ({"rates": rates(daily_rates_cents={"car": 500})}, "daily_rates_cents.bike"),
    ({"effective_until": "2025-12-01"}, "effective_until"),
])
def test_bad_tariffs_are_400_and_nothing_is_stored(client, admin, change, field):
    token = api_token(client, admin)
    response = client.post("/api/v1/tariffs", json=tariff_body(**change), headers=bearer(token))
    assert response.status_code == 400
    assert any(field in key for key in response.get_json()["error"]["details"]), \
        response.get_json()
    assert db.session.query(Tariff).count() == 0


def test_only_admins_add_tariffs(client, admin):
    advisor = create_user("advisor", platform=admin.platform)
    response = client.post("/api/v1/tariffs", json=tariff_body(),
                           headers=bearer(api_token(client, advisor)))
    assert response.status_code == 403


def test_a_rental_keeps_the_tariff_it_started_under(client, admin):
    token = api_token(client, admin)
    client.post("/api/v1/tariffs", json=tariff_body(
        effective_until="2026-06-01",
        rates=rates(daily_rates_cents={**TariffRates().daily_rates_cents, "car": 600})),
        headers=bearer(token))
    rental = create_money_rental(admin.platform, start=date(2026, 5, 25), days=14)
    terms = ensure_terms(rental)
    assert rental_quote(rental, terms).lines[0].unit_cents == 600
    # a later tariff changes nothing for this rental, even read again
    client.post("/api/v1/tariffs", json=tariff_body(
        effective_from="2026-06-01",
        rates=rates(daily_rates_cents={**TariffRates().daily_rates_cents, "car": 900})),
        headers=bearer(token))
    db.session.expire_all()
    terms = db.session.query(RentalTerms).filter_by(rental_id=rental.id).one()
    assert rental_quote(rental, terms).lines[0].unit_cents == 600
    later = create_money_rental(admin.platform, start=date(2026, 6, 2), days=7)
    assert rental_quote(later).lines[0].unit_cents == 900


def test_membership_is_charged_once_a_year(app):
    platform = create_platform()
    person = create_beneficiary(platform, pathway=date(2026, 1, 5))
    first = create_money_rental(platform, beneficiary=person, start=date(2026, 1, 5))
    assert ensure_terms(first).membership_due is True
    second = create_money_rental(platform, beneficiary=person, start=date(2026, 4, 6))
    assert ensure_terms(second).membership_due is False


def test_admin_tariff_page_saves_and_shows_overlaps_as_errors(client, admin):
    sign_in(client, admin)
    page = client.get("/pricing/tariffs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    from tests.factories import csrf_token_from

    form = {"csrf_token": csrf_token_from(html), "name": "Tarif 2026",
            "effective_from": "2026-01-01", "rsa_reduction_pct": "100",
            "qpv_reduction_pct": "50", "membership_fee": "10", "carpool_seat": "2",
            "minibus_seat": "2,50"}
    for kind, daily in {"bike": "1", "e_bike": "1", "scooter": "2", "moped": "2",
                        "car": "5"}.items():
        form[f"daily_{kind}"] = daily
        form[f"deposit_{kind}"] = "150"
    for band in ("under_600", "600_1000", "1000_1500", "over_1500"):
        form[f"month1_{band}"] = "0"
    for n in range(2, 6):
        form[f"month_{n}"] = str(50 * n)
    response = client.post("/pricing/tariffs", data=form)
    assert response.status_code == 302
    tariff = db.session.query(Tariff).one()
    assert tariff.rates["minibus_seat_cents"] == 250
    assert tariff.rates["amie_ladder_cents"] == [10000, 15000, 20000, 25000]
    # the same dates again, without closing the previous one: 409 with the message on the form
    response = client.post("/pricing/tariffs", data={**form, "close_previous": ""})
    assert response.status_code == 409
    assert db.session.query(Tariff).count() == 1
    bad = client.post("/pricing/tariffs", data={**form, "membership_fee": "-3"})
    assert bad.status_code == 400


def test_quote_page_shows_lines_and_the_amie_ladder(client, admin):
    advisor = create_user("advisor", platform=admin.platform)
    person = create_beneficiary(admin.platform, resources_band="600_1000", pathway=date(2026, 1, 5))
    sign_in(client, advisor)
    assert client.get("/pricing/quote").status_code == 200
    page = client.get(f"/pricing/quote?beneficiary_id={person.id}&kind=car&scheme=amie"
                      "&start=2026-03-01&end=2026-08-01&seats=1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="microcredit"' in html and "quote-instalments" in html
    bad = client.get(f"/pricing/quote?beneficiary_id={person.id}&kind=bike&scheme=amie"
                     "&start=2026-03-01&end=2026-08-01&seats=1")
    assert bad.status_code == 400
