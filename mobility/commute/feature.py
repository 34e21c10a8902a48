"""Commute feasibility (the app side of `routing`).

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.api import register_api
from mobility.commute import (
    api,
    cli,
    demo,
    models,  # noqa: F401  (its tables)
    views,
)
from mobility.commute.beneficiaries import commute_feasibility_for
from mobility.commute.places import geocode_address
from mobility.core.roles import ADMIN, ADVISOR
from mobility.core.translations import lazy_gettext as _l
from mobility.people import needs as people_needs
from mobility.templating import add_menu, nav_item

#: the feature's entries of the top navigation, in menu order
MENU = (
    nav_item("commute.check", _l("Check a commute"), {ADVISOR, ADMIN}, group="person"),
    nav_item("commute.lines", _l("Public transport lines"), {ADMIN}, group="admin"),
)

#: adds the feature's part of the demo platform (`flask demo load`)
load_demo = demo.load


def init_app(app: Flask) -> None:
    """Register the feature's pages, API, commands, jobs, panels and menu entries, and give
    the people feature its geocoder and commute check."""
    people_needs.geocode.provide(geocode_address)
    people_needs.commute_feasibility.provide(commute_feasibility_for)
    app.register_blueprint(views.bp)
    register_api(app, api)
    cli.register(app)
    add_menu(app, *MENU)
