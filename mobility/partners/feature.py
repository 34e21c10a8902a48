"""Webhooks, data·inclusion, ProConnect.

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.api import register_api
from mobility.core.roles import ADMIN
from mobility.core.translations import lazy_gettext as _l
from mobility.partners import (
    api,
    cli,
    demo,
    events,
    jobs,
    models,  # noqa: F401  (its tables)
    views,
)
from mobility.scheduling.registry import register_jobs
from mobility.templating import add_menu, nav_item
from mobility.web.panels import add_panels

#: the feature's entries of the top navigation, in menu order
MENU = (
    nav_item("partners.webhooks_page", _l("Partners"), {ADMIN}, group="admin"),
)

#: adds the feature's part of the demo platform (`flask demo load`)
load_demo = demo.load


def init_app(app: Flask) -> None:
    """Register the feature's pages, API, commands, jobs, panels and menu entries, and the
    webhook events sent when the features below announce a transition (`events`)."""
    events.connect()
    app.register_blueprint(views.bp)
    register_api(app, api)
    cli.register(app)
    register_jobs(app, jobs)
    add_panels(app, views)
    add_menu(app, *MENU)
