"""Payments, deposits, ledgers, Stripe.

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.api import register_api
from mobility.core.extensions import csrf
from mobility.core.roles import ADMIN, ADVISOR
from mobility.core.translations import lazy_gettext as _l
from mobility.payments import (
    api,
    models,  # noqa: F401  (its tables)
    views,
)
from mobility.templating import add_menu, nav_item

#: the feature's entries of the top navigation, in menu order
MENU = (
    nav_item("payments.rentals", _l("Rentals and payments"), {ADVISOR, ADMIN},
             group="money"),
)

load_demo = None


def init_app(app: Flask) -> None:
    """Register the feature's pages (Stripe's webhook without CSRF: its signature is the
    authentication), API and menu entries."""
    csrf.exempt(views.webhook_bp)
    csrf.exempt(views.stripe_webhook)
    app.register_blueprint(views.bp)
    register_api(app, api)
    add_menu(app, *MENU)
