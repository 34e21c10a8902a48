"""Funders' activity reports.

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.api import register_api
from mobility.core.roles import ADMIN, ADVISOR
from mobility.core.translations import lazy_gettext as _l
from mobility.reports import (
    api,
    cli,
    models,  # noqa: F401  (its tables)
    views,
)
from mobility.templating import add_menu, nav_item

#: the feature's entries of the top navigation, in menu order
MENU = (
    nav_item("reports.activity", _l("Reports"), {ADMIN, ADVISOR}, group="reports"),
)

load_demo = None


def init_app(app: Flask) -> None:
    """Register the feature's pages, API, commands, jobs, panels and menu entries."""
    app.register_blueprint(views.bp)
    register_api(app, api)
    cli.register(app)
    add_menu(app, *MENU)
