"""The Stripe gateway: the ONLY module that imports `stripe`.

Configuration (Flask config, else environment): `STRIPE_SECRET_KEY` (none: online payments are
off and everything works with in-person payments), `STRIPE_WEBHOOK_SECRET` (signatures of
`POST /stripe/webhook`), `STRIPE_API_BASE` (another API address, e.g. localstripe in tests),
and for the page where the beneficiary pays: `STRIPE_PUBLISHABLE_KEY` (the public `pk_...` key
given to Stripe.js) and `STRIPE_JS_URL` (where Stripe.js is loaded from).

Every call that creates or changes something takes the idempotency key chosen by the caller
(`mobility.payments.services.stripe_operation` stores it before the call). Results are plain
dicts. Stripe's errors become `GatewayError` (retryable or not).
"""

from __future__ import annotations

import time
from typing import Any

import stripe
from flask import current_app

from mobility.core.errors import DomainError
from mobility.core.translations import lazy_gettext as _l

CURRENCY = "eur"
DEFAULT_API_BASE = "https://api.stripe.com"
DEFAULT_JS_URL = "https://js.stripe.com/v3/"


class StripeNotConfigured(DomainError):
    status = 409
    code = "stripe_not_configured"
    default_message = _l("Online card payment is not set up on this installation: take the "
                         "payment in person (cash, cheque or card terminal).")


class GatewayError(DomainError):
    """Stripe refused or could not be reached; `retryable` when the same call may succeed."""

    status = 502
    code = "payment_provider_error"
    default_message = _l("The card payment service refused or did not answer. Nothing was "
                         "charged twice: try again, or take the payment in person.")

    def __init__(self, message: Any = None, *, retryable: bool = False, detail: str = "",
                 status: int | None = None):
        super().__init__(message, status=status)
        self.retryable = retryable
        self.detail = detail


class BadSignature(DomainError):
    status = 400
    code = "bad_signature"
    default_message = _l("The webhook signature is missing or not valid.")


def _setting(name: str, default: str = "") -> str:
    """`name` from the app's config (`mobility.config` reads the environment), else `default`."""
    return current_app.config.get(name) or default


def is_configured() -> bool:
    """True when a Stripe secret key is set: online payments are available."""
    return bool(_setting("STRIPE_SECRET_KEY"))


def publishable_key() -> str:
    """The public key Stripe.js needs in the browser ("" when not set)."""
    return _setting("STRIPE_PUBLISHABLE_KEY")


def js_url() -> str:
    """Where the page loads Stripe.js from (Stripe's own address unless configured)."""
    return _setting("STRIPE_JS_URL", DEFAULT_JS_URL)


def can_pay_in_browser() -> bool:
    """Both keys are set: a beneficiary can pay a PaymentIntent on our page."""
    return is_configured() and bool(publishable_key())


def _configure() -> str:
    key = _setting("STRIPE_SECRET_KEY")
    if not key:
        raise StripeNotConfigured()
    stripe.api_base = _setting("STRIPE_API_BASE", DEFAULT_API_BASE)
    # the SDK retries network failures itself, with the same idempotency key
    stripe.max_network_retries = 2
    return key


def _as_dict(obj) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _call(function, *args, **kwargs) -> dict:
    api_key = _configure()
    try:
        return _as_dict(function(*args, api_key=api_key, **kwargs))
    except stripe.CardError as error:
        raise GatewayError(_l("The card was declined."), retryable=False,
                           detail=str(error.user_message or error), status=402) from None
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
        raise GatewayError(retryable=True, detail=str(error)) from None
    except stripe.StripeError as error:
        raise GatewayError(retryable=False, detail=str(error)) from None


def create_customer(*, idempotency_key: str, name: str, metadata: dict) -> dict:
    return _call(stripe.Customer.create, name=name, metadata=metadata,
                 idempotency_key=idempotency_key)


def create_setup_intent(*, idempotency_key: str, customer: str, metadata: dict) -> dict:
    """Save a card for later (deposits of long rentals): nothing is held on the card."""
    return _call(stripe.SetupIntent.create, customer=customer, usage="off_session",
                 payment_method_types=["card"], metadata=metadata,
                 idempotency_key=idempotency_key)


def confirm_setup_intent(setup_intent_id: str, *, idempotency_key: str,
                         payment_method: str) -> dict:
    """Save the card collected on the page (a PaymentMethod id) on the SetupIntent."""
    return _call(stripe.SetupIntent.confirm, setup_intent_id, payment_method=payment_method,
                 idempotency_key=idempotency_key)


def create_payment_intent(*, idempotency_key: str, amount_cents: int, metadata: dict,
                          customer: str | None = None, payment_method: str | None = None,
                          manual_capture: bool = False, confirm: bool = False,
                          off_session: bool = False) -> dict:
    """A payment (or, with `manual_capture`, a hold of at most 7 days on the card)."""
    params: dict[str, Any] = {"amount": amount_cents, "currency": CURRENCY,
                              "metadata": metadata, "payment_method_types": ["card"]}
    if customer:
        params["customer"] = customer
    if payment_method:
        params["payment_method"] = payment_method
    if manual_capture:
        params["capture_method"] = "manual"
    if confirm:
        params["confirm"] = True
        if off_session:
            params["off_session"] = True
    return _call(stripe.PaymentIntent.create, idempotency_key=idempotency_key, **params)


def capture_payment_intent(payment_intent_id: str, *, idempotency_key: str,
                           amount_cents: int | None = None) -> dict:
    """Capture a hold, in part (`amount_cents`) or in full; the rest is released."""
    params = {} if amount_cents is None else {"amount_to_capture": amount_cents}
    return _call(stripe.PaymentIntent.capture, payment_intent_id,
                 idempotency_key=idempotency_key, **params)


def cancel_payment_intent(payment_intent_id: str, *, idempotency_key: str) -> dict:
    """Release a hold (or drop an unpaid payment)."""
    return _call(stripe.PaymentIntent.cancel, payment_intent_id, idempotency_key=idempotency_key)


def cancel_setup_intent(setup_intent_id: str, *, idempotency_key: str) -> dict:
    return _call(stripe.SetupIntent.cancel, setup_intent_id, idempotency_key=idempotency_key)


def retrieve_payment_intent(payment_intent_id: str) -> dict:
    return _call(stripe.PaymentIntent.retrieve, payment_intent_id)


def retrieve_setup_intent(setup_intent_id: str) -> dict:
    return _call(stripe.SetupIntent.retrieve, setup_intent_id)


#: Stripe's default tolerance; the SDK only refuses timestamps too far in the past, we refuse
#: them too far in the future as well (https://docs.stripe.com/webhooks#replay-attacks)
WEBHOOK_TOLERANCE_S = 300


def _check_timestamp(signature_header: str | None) -> None:
    """Refuse a signature whose `t=` is more than 5 minutes from now, either way."""
    stamps = [part.split("=", 1)[1] for part in (signature_header or "").split(",")
              if part.strip().startswith("t=")]
    try:
        stamp = int(stamps[0])
    except (IndexError, ValueError):
        raise BadSignature() from None
    if abs(time.time() - stamp) > WEBHOOK_TOLERANCE_S:
        raise BadSignature(_l("The webhook's timestamp is too far from now."))


def construct_event(payload: bytes, signature_header: str | None) -> dict:
    """Verify a webhook's signature (`Stripe-Signature: t=..., v1=...`) and parse it."""
    secret = _setting("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise StripeNotConfigured(_l("Stripe webhooks are not set up on this installation."),
                                  status=503)
    _check_timestamp(signature_header)
    try:
        event = stripe.Webhook.construct_event(payload, signature_header or "", secret,
                                               tolerance=WEBHOOK_TOLERANCE_S)
    except stripe.SignatureVerificationError:
        raise BadSignature() from None
    except ValueError:
        raise BadSignature(_l("The webhook body is not valid JSON.")) from None
    return _as_dict(event)
