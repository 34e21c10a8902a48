"""Stripe for the money tests: the localstripe server, webhook signatures and test cards.

`localstripe_url` starts the real `localstripe` server (its aiohttp app, bound to 127.0.0.1 on
a free port; the `localstripe` command itself listens on every interface) once per session;
`stripe_on` points the app at it with a webhook secret. Tests then drive the real Stripe SDK:
nothing is monkeypatched.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time

import pytest

WEBHOOK_SECRET = "whsec_test_secret_for_payments"
STRIPE_KEY = "sk_test_localstripe"


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
