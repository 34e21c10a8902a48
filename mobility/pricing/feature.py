"""Tariffs and quotes.

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.api import register_api
from mobility.core.roles import ADMIN, ADVISOR
from mobility.core.translations import lazy_gettext as _l
from mobility.people import needs as people_needs
from mobility.pricing import (
    amie,
    api,
    demo,
    models,  # noqa: F401  (its tables)
    views,
)
from mobility.templating import add_menu, nav_item

#: the feature's entries of the top navigation, in menu order
MENU = (
    nav_item("pricing.quote", _l("Quotes"), {ADVISOR, ADMIN}, group="money"),
    nav_item("pricing.tariffs", _l("Tariffs"), {ADMIN}, group="money"),
)

#: adds the feature's part of the demo platform (`flask demo load`)
load_demo = demo.load


def init_app(app: Flask) -> None:
    """Register the feature's pages, API, commands, jobs, panels and menu entries, and give
    the people feature the AMIE months a person used."""
    people_needs.amie_months_used.provide(amie.amie_months_used)
    app.register_blueprint(views.bp)
    register_api(app, api)
    add_menu(app, *MENU)
