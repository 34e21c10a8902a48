"""Commute feasibility (the app side of `routing`).

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from mobility.api import register_api
from mobility.commute import (
    api,
    cli,
    demo,
    models,  # noqa: F401  (its tables)
    views,
)
from mobility.core.roles import ADMIN, ADVISOR
from mobility.templating import add_menu, nav_item

#: the feature's entries of the top navigation, in menu order
MENU = (
    nav_item("commute.check", _l("Check a commute"), {ADVISOR, ADMIN}, group="person"),
    nav_item("commute.lines", _l("Public transport lines"), {ADMIN}, group="admin"),
)

#: adds the feature's part of the demo platform (`flask demo load`)
load_demo = demo.load


def init_app(app: Flask) -> None:
    """Register the feature's pages, API, commands, jobs, panels and menu entries."""
    app.register_blueprint(views.bp)
    register_api(app, api)
    cli.register(app)
    add_menu(app, *MENU)
