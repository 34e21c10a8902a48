"""Fixtures shared by the money features (localstripe, Stripe settings)."""

from tests.payments.stripe_server import localstripe_url, stripe_on  # noqa: F401
