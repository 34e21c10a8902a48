"""Factories and fixtures for prices, payments, contracts and checkpoints.

`localstripe_url` starts the real `localstripe` server (its aiohttp app, bound to 127.0.0.1 on
a free port; the `localstripe` command itself listens on every interface) once per session;
`stripe_on` points the app at it with a webhook secret. Tests then drive the real Stripe SDK:
nothing is monkeypatched.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import socket
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest

from fleet.models import Inspection, Rental, Site, Vehicle
from mobility.core.db import db
from mobility.people.models import Beneficiary, Pathway
from tests.factories import create_platform

WEBHOOK_SECRET = "whsec_test_secret_for_payments"
STRIPE_KEY = "sk_test_localstripe"
_counter = itertools.count(1)


def create_person(platform=None, *, pathway: bool = True, **overrides) -> Beneficiary:
    platform = platform or create_platform()
    n = next(_counter)
    person = Beneficiary(platform_id=platform.id,
                         first_name=overrides.pop("first_name", "Léa"),
                         last_name=overrides.pop("last_name", f"Martin-Dupré{n}"),
                         address=overrides.pop("address", "3 rue des Orangers, 06500 Menton"),
                         **overrides)
    db.session.add(person)
    if pathway:
        db.session.add(Pathway(platform_id=platform.id, beneficiary=person, status="open",
                               opened_on=date(2026, 1, 5)))
    db.session.commit()
    return person


def create_vehicle_of(platform, kind: str = "car", **overrides) -> Vehicle:
    n = next(_counter)
    site = Site(platform_id=platform.id, name=f"Pôle {n}", kind="pole",
                address=f"{n} avenue de Verdun, Menton")
    db.session.add(site)
    db.session.flush()
    vehicle = Vehicle(platform_id=platform.id, site_id=site.id, kind=kind,
                      plate=overrides.pop("plate", f"GA-{n:03d}-BC"),
                      odometer_km=overrides.pop("odometer_km", 10000), **overrides)
    db.session.add(vehicle)
    db.session.commit()
    return vehicle


def create_money_rental(platform=None, *, kind: str = "car", beneficiary=None,
                        start: date = date(2026, 3, 2), days: int = 28,
                        status: str = "in_progress", allowance_km: float | None = 40.0,
                        check_out_km: int | None = 10000, **overrides) -> Rental:
    """A rental with a vehicle and a beneficiary (in progress, checked out at 10,000 km)."""
    platform = platform or create_platform()
    vehicle = create_vehicle_of(platform, kind)
    beneficiary = beneficiary or create_person(platform)
    rental = Rental(platform_id=platform.id, vehicle_id=vehicle.id,
                    beneficiary_id=beneficiary.id, start_date=start,
                    end_date=start + timedelta(days=days), status=status,
                    daily_mileage_allowance_km=allowance_km, **overrides)
    db.session.add(rental)
    db.session.flush()
    if check_out_km is not None:
        from datetime import UTC, datetime

        db.session.add(Inspection(
            platform_id=platform.id, rental_id=rental.id, vehicle_id=vehicle.id,
            kind="check_out", odometer_km=check_out_km, checklist={},
            inspected_at=datetime(start.year, start.month, start.day, 9, tzinfo=UTC)))
    db.session.commit()
    return rental


def sign_payload(payload: bytes, secret: str = WEBHOOK_SECRET,
                 timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header as Stripe computes it: t=<unix time>,v1=HMAC-SHA256."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_payload(event_id: str, event_type: str, obj: dict) -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": event_type,
                       "created": int(time.time()), "api_version": "2024-06-20",
                       "data": {"object": obj}}).encode()


def post_event(client, payload: bytes, signature: str | None = None):
    headers = {"Content-Type": "application/json"}
    headers["Stripe-Signature"] = sign_payload(payload) if signature is None else signature
    return client.post("/stripe/webhook", data=payload, headers=headers)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


LOCALSTRIPE_CODE = (
    "import sys; from aiohttp import web; from localstripe.server import app; "
    "web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]), print=None)"
)
#: a port found free may be taken by another process before localstripe binds it: try again
START_ATTEMPTS = 3


def _start_localstripe() -> tuple[subprocess.Popen, int] | None:
    """localstripe on a free port, once it accepts connections; None if it exited first."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-c", LOCALSTRIPE_CODE, str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                pass
            # what answered may be another program on that port, with localstripe gone
            return (process, port) if process.poll() is None else None
        except OSError:
            if process.poll() is not None:
                return None  # most often: the port was taken in between
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("localstripe did not start")
            time.sleep(0.1)


@pytest.fixture(scope="session")
def localstripe_url():
    """A real localstripe server on 127.0.0.1 for the session."""
    for _ in range(START_ATTEMPTS):
        started = _start_localstripe()
        if started is not None:
            break
    else:
        pytest.fail(f"localstripe exited at start {START_ATTEMPTS} times")
    process, port = started
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def stripe_on(app, localstripe_url):
    """The app talking to localstripe, with a webhook secret."""
    app.config.update(STRIPE_SECRET_KEY=STRIPE_KEY, STRIPE_API_BASE=localstripe_url,
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    yield localstripe_url
    for name in ("STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET"):
        app.config.pop(name, None)


def card(stripe_base: str, number: str = "4242424242424242") -> str:
    """A PaymentMethod as Stripe.js would create it on the page (test card numbers)."""
    import stripe

    stripe.api_base = stripe_base
    method = stripe.PaymentMethod.create(
        type="card", card={"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        api_key=STRIPE_KEY)
    return method.id
