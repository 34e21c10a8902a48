"""Notifications: outbox, e-mail, SMS, calls to make.

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY, FLEET_MANAGER, PRESCRIBER
from mobility.core.translations import lazy_gettext as _l
from mobility.notifications import (
    cli,
    models,  # noqa: F401  (its tables)
    reactions,
    views,
)
from mobility.templating import add_menu, nav_item
from mobility.web.panels import add_panels

#: the feature's entries of the top navigation, in menu order
MENU = (
    nav_item("notifications.tasks", _l("Calls to make"), {ADVISOR}, group="person"),
    nav_item("notifications.outbox", _l("Outbox"), {ADMIN}, group="admin"),
    nav_item("notifications.templates", _l("Message templates"), {ADMIN}, group="admin"),
    nav_item("notifications.preferences", _l("My notifications"),
             {BENEFICIARY, FLEET_MANAGER, PRESCRIBER}, group="self"),
)

load_demo = None


def init_app(app: Flask) -> None:
    """Register the feature's pages, API, commands, jobs, panels and menu entries, and the
    messages it queues when the features below announce something (`reactions`)."""
    reactions.connect()
    app.register_blueprint(views.bp)
    cli.register(app)
    add_panels(app, views)
    add_menu(app, *MENU)
