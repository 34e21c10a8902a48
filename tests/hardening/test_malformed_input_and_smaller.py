"""Items 7 and 8 of issue 14: malformed input answers 4xx (never 5xx) and changes nothing;
a locked account answers like an unknown one; the CLI checks e-mail addresses as the form
does; photos lose their EXIF; the Stripe webhook's time window and unknown objects; 503 when
the database is down."""

from __future__ import annotations

import io
import json
import logging
import time
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from fleet import services as fleet_services
from fleet.models import Site
from mobility.auth.models import User
from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.payments.models import Payment
from tests.factories import api_token, bearer, create_money_rental, create_user, create_vehicle
from tests.payments.stripe_server import WEBHOOK_SECRET, event_payload, post_event, sign_payload


@pytest.fixture
def fleet_headers(app, client):
    manager = create_user("fleet_manager")
    return manager, bearer(api_token(client, manager))


def _sites() -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Site))


@pytest.mark.parametrize("big", [2**31, 2**63, 2**70])
def test_ids_beyond_the_database_are_not_found(app, client, big):
    advisor = create_user("advisor")
    headers = bearer(api_token(client, advisor))
    assert client.get(f"/api/v1/rentals/{big}/balance", headers=headers).status_code == 404
    assert client.get(f"/api/v1/rentals/{2**31 - 1}/balance", headers=headers
                      ).status_code == 404  # the largest id: looked up, not found
    quote = client.get(f"/api/v1/quotes?beneficiary_id={big}&kind=car&start=2026-03-02"
                       f"&end=2026-03-09", headers=headers)
    assert 400 <= quote.status_code < 500, quote.get_json()


def test_nul_characters_nan_and_deep_nesting_are_refused(app, client, fleet_headers):
    _, headers = fleet_headers
    before = _sites()
    nul = client.post("/api/v1/sites", json={"name": "Pôle\x00", "address": "1 rue"},
                      headers=headers)
    assert nul.status_code == 400 and "name" in nul.get_json()["error"]["details"]
    for raw in ('{"name": "P", "address": "1 rue", "lat": NaN, "lon": 7.4}',
                '{"name": "P", "address": "1 rue", "lat": 43.7, "lon": Infinity}',
                '{"name": "P", "address": "1 rue", "lat": 91, "lon": 7.4}'):
        refused = client.post("/api/v1/sites", data=raw, headers={
            **headers, "Content-Type": "application/json"})
        assert refused.status_code == 400, raw
    deep = "[" * 50_000 + "]" * 50_000
    nested = client.post("/api/v1/sites", data='{"name": ' + deep + "}", headers={
        **headers, "Content-Type": "application/json"})
    assert nested.status_code == 400
    assert _sites() == before
    listed = client.get("/api/v1/sites", headers=headers)
    json.loads(listed.get_data(as_text=True), parse_constant=lambda c: pytest.fail(c))


def test_text_without_its_own_limit_is_still_bounded(app, client, fleet_headers):
    _, headers = fleet_headers
    long = client.post("/api/v1/sites", json={"name": "P", "address": "1 rue",
                                              "opening_hours": "x" * 20_001}, headers=headers)
    assert long.status_code == 400
    assert _sites() == 0


@pytest.mark.parametrize("paid_on,status", [
    ("1900-01-01", 400), ("2099-01-01", 400), ("start-32", 400), ("today+8", 400),
    ("start-31", 201), ("today+7", 201), ("today", 201)])
def test_payment_dates_stay_in_a_sane_range(app, client, paid_on, status):
    advisor = create_user("advisor")
    rental = create_money_rental(advisor.platform)
    origins = {"today": utcnow().date(), "start": rental.start_date}
    for name, origin in origins.items():
        if paid_on.startswith(name):
            offset = int(paid_on[len(name):] or 0)
            paid_on = (origin + timedelta(days=offset)).isoformat()
    response = client.post(f"/api/v1/rentals/{rental.id}/payments", json={
        "amount_cents": 500, "method": "cash", "paid_on": paid_on},
        headers=bearer(api_token(client, advisor)))
    assert response.status_code == status, response.get_json()
    count = db.session.scalar(select(func.count()).select_from(Payment))
    assert count == (1 if status == 201 else 0)


def test_a_locked_account_answers_like_an_unknown_one(app, client):
    user = create_user("advisor")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/api/v1/auth/token", json={"email": user.email, "password": "nope-nope!"})
    assert db.session.get(User, user.id).locked_until is not None
    locked = client.post("/api/v1/auth/token",
                         json={"email": user.email, "password": "correct-horse-battery"})
    unknown = client.post("/api/v1/auth/token",
                          json={"email": "nobody@example.org", "password": "whatever-pw"})
    assert locked.status_code == unknown.status_code == 401
    assert locked.get_json() == unknown.get_json()


@pytest.mark.parametrize("email", ["lea@localhost", "lea@exa mple.org", "lea..x@example.org",
                                   "@example.org", "lea@", "lea@example"])
def test_the_cli_refuses_addresses_the_form_refuses(sqlite_app, email):
    from tests.factories import create_platform

    platform = create_platform()
    result = sqlite_app.test_cli_runner().invoke(args=[
        "users", "create", "--email", email, "--password", "une phrase assez longue",
        "--role", "advisor", "--platform", platform.slug])
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    ok = sqlite_app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "lea.martin@example.org", "--password",
        "une phrase assez longue", "--role", "advisor", "--platform", platform.slug])
    assert ok.exit_code == 0, ok.output


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (43.0, 44.0, 10.0), 3: "E", 4: (7.0, 25.0, 3.0)}  # GPS
    exif[0x0112] = 6  # orientation: rotate 90°
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_photos_lose_their_exif_location(app, tmp_path):
    data = _jpeg_with_gps()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825)  # the position is there before
    vehicle = create_vehicle()
    photo = fleet_services.save_photo(None, vehicle, data, upload_folder=tmp_path,
                                      max_bytes=5 * 1024 * 1024)
    stored = (tmp_path / "fleet" / photo.stored_name).read_bytes()
    with Image.open(io.BytesIO(stored)) as kept:
        assert not kept.getexif() and "exif" not in kept.info
        assert kept.size == (20, 40)  # turned upright before the orientation was dropped
    assert b"PhoneMaker" not in stored


@pytest.fixture
def webhook_on(app):
    app.config.update(STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_SECRET_KEY="sk_test_x",
                      STRIPE_API_BASE="http://127.0.0.1:9")  # never reached in these tests


@pytest.mark.parametrize("offset,status", [(-301, 400), (-299, 200), (299, 200), (301, 400)])
def test_webhook_timestamps_more_than_five_minutes_off_are_refused(app, client, webhook_on,
                                                                  offset, status):
    payload = event_payload(f"evt_{offset}", "customer.created", {"id": "cus_1"})
    signature = sign_payload(payload, timestamp=int(time.time()) + offset)
    assert post_event(client, payload, signature).status_code == status


def test_webhook_about_an_unknown_payment_answers_200_and_logs(app, client, webhook_on,
                                                              caplog):
    payload = event_payload("evt_unknown", "payment_intent.succeeded",
                            {"id": "pi_not_ours", "object": "payment_intent"})
    with caplog.at_level(logging.WARNING, logger="mobility.payments.services"):
        response = post_event(client, payload)
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "unknown_object"
    assert "pi_not_ours" in caplog.text


def test_the_api_answers_503_when_the_database_is_down(tmp_path):

    from mobility import create_app

    down = create_app({"TESTING": True, "SECRET_KEY": "x", "RATELIMIT_ENABLED": False,
                       "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/x",
                       "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})
    response = down.test_client().get("/api/v1/me", headers=bearer("some-token"))
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "database_unavailable"
    assert response.headers["Retry-After"] == "30"
    signed_in = down.test_client().post("/api/v1/auth/token",
                                        json={"email": "a@example.org", "password": "x" * 12})
    assert signed_in.status_code == 503
